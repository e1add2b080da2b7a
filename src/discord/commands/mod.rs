//! The slash commands, their registration, and the one error handler.
//!
//! One file per command area, as in poise's examples. Shared here: answering a question off
//! the async threads within Discord's 3-second window, and the safety-first cooldown gate.

pub mod ask;
pub mod cards;
pub mod help;
pub mod knowledge;
pub mod redflags;
pub mod routine;

use std::time::Instant;

use poise::serenity_prelude as serenity;

use super::{respond, Bot, Data, Error};
use crate::reply::Reply;

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        ask::ask(),
        routine::routine(),
        cards::muscle(),
        cards::technique(),
        redflags::redflags(),
        help::help(),
        knowledge::knowledge(),
    ]
}

pub fn options() -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        commands: all(),
        on_error: |e| Box::pin(on_error(e)),
        event_handler: |ctx, event, framework, data| {
            Box::pin(super::events::handle(ctx, event, framework, data))
        },
        allowed_mentions: Some(respond::no_pings()),
        // Owners are not used, and looking them up is one more REST call at start-up.
        initialize_owners: false,
        ..Default::default()
    }
}

/// Register the commands in the development guild, or globally. A failure is logged, not
/// fatal: poise would stop handling every event if setup failed.
pub async fn register(
    ctx: &serenity::Context,
    commands: &[poise::Command<Data, Error>],
    guild: Option<serenity::GuildId>,
) {
    let (scope, result) = match guild {
        Some(g) => (
            "in DEV_GUILD_ID",
            poise::builtins::register_in_guild(ctx, commands, g).await,
        ),
        None => (
            "globally",
            poise::builtins::register_globally(ctx, commands).await,
        ),
    };
    match result {
        Ok(()) => tracing::info!("registered {} slash commands {scope}", commands.len()),
        Err(e) => tracing::error!(
            "could not register slash commands {scope}: {}",
            super::describe(&e)
        ),
    }
}

async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    match error {
        poise::FrameworkError::Command { error, ctx, .. } => {
            tracing::warn!(
                command = %ctx.command().qualified_name,
                "command failed: {}",
                describe(&*error)
            );
            let reply = ctx.data().store.engine().composer().failed();
            if let Err(e) = respond::command(ctx, &reply, &[], true).await {
                tracing::warn!("could not tell the member: {}", describe(&*e));
            }
        }
        poise::FrameworkError::EventHandler { error, event, .. } => {
            tracing::warn!(
                event = event.snake_case_name(),
                "event handler failed: {}",
                describe(&*error)
            );
        }
        poise::FrameworkError::Setup { error, .. } => {
            tracing::error!("setup failed: {}", describe(&*error));
        }
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::warn!("error while handling an error: {}", super::describe(&e));
            }
        }
    }
}

/// An error for the log, without URLs or message text.
pub fn describe(e: &(dyn std::error::Error + Send + Sync + 'static)) -> String {
    match e.downcast_ref::<serenity::Error>() {
        Some(s) => super::describe(s),
        None => e.to_string(),
    }
}

/// Answer a question off the async threads: the engine is CPU work, and a 100,000-character
/// message must not stall other members' answers.
pub async fn answer(bot: &Bot, question: String) -> Result<Reply, Error> {
    let store = std::sync::Arc::clone(&bot.store);
    Ok(tokio::task::spawn_blocking(move || store.engine().answer(&question)).await?)
}

/// What to send after the cooldown had its say.
pub enum Gate {
    Answer(Reply),
    /// Over the limit: a note instead; `first` for the first refusal in a burst.
    Limited {
        note: Reply,
        first: bool,
    },
}

/// Safety first, then the cooldown: a red-flag or crisis reply always goes out and does not
/// count against the member. Answers that go out are recorded in the gaps log (it keeps only
/// the unanswered ones).
pub fn gate(bot: &Bot, member: u64, question: String, reply: Reply) -> Gate {
    if reply.kind.is_safety() {
        return Gate::Answer(reply);
    }
    match bot.cooldown.check(member, Instant::now()) {
        super::cooldown::Decision::Allowed => {
            if let Some(gaps) = bot.gaps.clone() {
                let r = reply.clone();
                let engine = bot.store.engine();
                tokio::task::spawn_blocking(move || gaps.record(&engine, &question, &r));
            }
            Gate::Answer(reply)
        }
        super::cooldown::Decision::Limited { retry_after, first } => Gate::Limited {
            note: bot
                .store
                .engine()
                .composer()
                .cooldown(retry_after.as_secs()),
            first,
        },
    }
}

/// Whether the member who ran the command may manage the server. Read from the permissions
/// Discord sends with the interaction, so it costs no REST call.
pub fn is_admin(ctx: super::Context<'_>) -> bool {
    let poise::Context::Application(app) = ctx else {
        return false;
    };
    app.interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator())
}
