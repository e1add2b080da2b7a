//! `/knowledge reload|status|gaps`: for admins. Registered with Manage Server as the default
//! member permission and checked again here from the permissions Discord sends with the
//! interaction (poise's `required_permissions` would cost extra REST calls per use).

use std::sync::Arc;

use super::{fixes, is_admin};
use crate::discord::admin_log::outcome_reply;
use crate::discord::{respond, Context, Error};
use crate::gaps::GapLog;

/// How many groups `/knowledge gaps` reports.
const REPORTED: usize = 20;

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

/// Entry counts, when the knowledge was loaded, the last error, and answer ratings
#[poise::command(slash_command, guild_only)]
pub async fn status(ctx: Context<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return deny(ctx).await;
    }
    let bot = ctx.data();
    let reply = bot
        .store
        .engine()
        .composer()
        .status(&bot.store.status(), &bot.ratings.ratings());
    respond::command(ctx, &reply, &[], true).await
}

/// The most frequent questions nobody answered, with one-click fixes (needs UNANSWERED_LOG)
#[poise::command(slash_command, guild_only)]
pub async fn gaps(ctx: Context<'_>) -> Result<(), Error> {
    if !is_admin(ctx) {
        return deny(ctx).await;
    }
    respond::defer(ctx, true).await?;
    let bot = ctx.data();
    let engine = bot.store.engine();
    let composer = engine.composer();
    let Some(log) = bot.gaps.clone() else {
        let reply = composer.info(
            composer.text(crate::knowledge::Msg::gaps_title),
            composer.text(crate::knowledge::Msg::gaps_off),
        );
        return respond::command(ctx, &reply, &[], true).await;
    };
    let groups = {
        let engine = Arc::clone(&engine);
        tokio::task::spawn_blocking(move || {
            crate::gaps::report(GapLog::path(&log), &engine, REPORTED)
        })
        .await??
    };
    respond::command(ctx, &composer.gaps_report(&groups), &[], true).await?;
    // Then each of the first groups on its own, with its fixes under it.
    for (i, group) in groups.iter().enumerate().take(fixes::WITH_CONTROLS) {
        let (reply, menus, buttons) = fixes::controls(composer, i + 1, group);
        respond::command_with(ctx, &reply, &menus, &buttons, true).await?;
    }
    Ok(())
}

async fn deny(ctx: Context<'_>) -> Result<(), Error> {
    let reply = ctx.data().store.engine().composer().admins_only();
    respond::command(ctx, &reply, &[], true).await
}
