//! `/knowledge reload|status|gaps`: for admins. Registered with Manage Server as the default
//! member permission and checked again here from the permissions Discord sends with the
//! interaction (poise's `required_permissions` would cost extra REST calls per use).

use std::sync::Arc;

use super::is_admin;
use crate::discord::admin_log::outcome_reply;
use crate::discord::{respond, Context, Error};

/// Knowledge base admin: reload, status, unanswered questions
#[poise::command(
    slash_command,
    subcommands("reload", "status", "gaps"),
    subcommand_required,
    default_member_permissions = "MANAGE_GUILD",
    guild_only
)]
pub async fn knowledge(_ctx: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Load the knowledge folder again now (a bad edit keeps the current knowledge)
#[poise::command(slash_command, guild_only)]
pub async fn reload(ctx: Context<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return deny(ctx).await;
    }
    respond::defer(ctx, true).await?;
    let bot = ctx.data();
    let store = Arc::clone(&bot.store);
    let outcome = tokio::task::spawn_blocking(move || store.reload()).await?;
    tracing::info!("/knowledge reload: {}", outcome.summary());
    if let Some(log) = bot.admin_log.get() {
        log.post(&bot.store, &outcome);
    }
    let reply = outcome_reply(bot.store.engine().composer(), &outcome);
    respond::command(ctx, &reply, &[], true).await
}

/// Entry counts, when the knowledge was loaded, and the last error
#[poise::command(slash_command, guild_only)]
pub async fn status(ctx: Context<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return deny(ctx).await;
    }
    let store = &ctx.data().store;
    let reply = store
        .engine()
        .composer()
        .info("Knowledge status", store.status().render());
    respond::command(ctx, &reply, &[], true).await
}

/// The most frequent questions nobody answered (needs UNANSWERED_LOG)
#[poise::command(slash_command, guild_only)]
pub async fn gaps(ctx: Context<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return deny(ctx).await;
    }
    respond::defer(ctx, true).await?;
    let engine = ctx.data().store.engine();
    let report = {
        let engine = Arc::clone(&engine);
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            crate::gaps::cli_report(&engine, 20, &mut out).map(|_| out)
        })
        .await??
    };
    let reply = engine.composer().info(
        "Unanswered questions",
        String::from_utf8_lossy(&report).trim().to_string(),
    );
    respond::command(ctx, &reply, &[], true).await
}

async fn deny(ctx: Context<'_>) -> Result<(), Error> {
    let reply = ctx.data().store.engine().composer().admins_only();
    respond::command(ctx, &reply, &[], true).await
}
