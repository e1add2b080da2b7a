//! The slash commands, their registration, and the one error handler.
//!
//! One file per command area, as in poise's examples. Answering a question (for `/ask` and
//! for messages alike) is [`super::answering`]; the other events are [`super::events`].

pub mod ask;
pub mod cards;
pub mod fixes;
pub mod help;
pub mod knowledge;
pub mod redflags;
pub mod routine;

use poise::serenity_prelude as serenity;

use super::embeds::{limits, trim};
use super::logging::describe;
use super::{respond, Bot, Data, Error};
use crate::knowledge::Msg;
use crate::reply::Composer;

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

/// The framework's options for the commands, with every command's description (and its
/// options') taken from the knowledge's `[messages]` as it is at start-up. The handler of
/// other events is added where the framework is built ([`super::run`]).
pub fn options(composer: &Composer) -> poise::FrameworkOptions<Data, Error> {
    let mut commands = all();
    for c in &mut commands {
        describe_command(c, composer, "command");
    }
    poise::FrameworkOptions {
        commands,
        on_error: |e| Box::pin(on_error(e)),
        allowed_mentions: Some(respond::no_pings()),
        // Owners are not used, and looking them up is one more REST call at start-up.
        initialize_owners: false,
        // No prefix commands. Without this, poise reads a message starting with the bot's
        // mention as a prefix command and logs its whole text as an unknown command.
        prefix_options: poise::PrefixFrameworkOptions {
            prefix: None,
            mention_as_prefix: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Set the description of `command` (and of its options and subcommands) from the message
/// `command_NAME` (`command_NAME_OPTION`, `command_NAME_SUB`), cut to Discord's 100
/// characters.
fn describe_command(command: &mut poise::Command<Data, Error>, composer: &Composer, prefix: &str) {
    let key = format!("{prefix}_{}", command.name);
    let text =
        |key: &str| Msg::from_key(key).map(|m| trim(composer.text(m), limits::COMMAND_DESCRIPTION));
    if let Some(d) = text(&key) {
        command.description = Some(d);
    }
    for p in &mut command.parameters {
        if let Some(d) = text(&format!("{key}_{}", p.name)) {
            p.description = Some(d);
        }
    }
    for sub in &mut command.subcommands {
        describe_command(sub, composer, &key);
    }
}

/// Choices for an autocomplete request, by command (answered in [`super::dispatch`], so the
/// `#[autocomplete]` callbacks on the commands only mark the options for registration).
pub fn autocomplete_choices(
    bot: &Bot,
    request: &serenity::CommandInteraction,
) -> Vec<serenity::AutocompleteChoice> {
    let Some(focused) = request.data.autocomplete() else {
        return Vec::new();
    };
    match request.data.name.as_str() {
        "routine" => routine::choices(bot, focused.value),
        "muscle" => cards::choices(bot, crate::knowledge::EntryKind::Muscle, focused.value),
        "technique" => cards::choices(bot, crate::knowledge::EntryKind::Technique, focused.value),
        _ => Vec::new(),
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
            describe(&e)
        ),
    }
}

/// Every framework error gets a reply where a member is waiting for one, and a log line
/// without message text (poise's default handler logs some errors with the text typed).
async fn on_error(error: poise::FrameworkError<'_, Data, Error>) {
    use poise::FrameworkError as E;
    let (ctx, reply) = match error {
        E::Command { error, ctx, .. } => {
            tracing::warn!(
                command = %ctx.command().qualified_name,
                "command failed: {}",
                describe(&*error)
            );
            (ctx, ctx.data().store.engine().composer().failed())
        }
        E::CommandPanic { ctx, .. } => {
            tracing::error!(
                command = %ctx.command().qualified_name,
                "internal error in a command (a panic)"
            );
            (ctx, ctx.data().store.engine().composer().failed())
        }
        E::ArgumentParse { ctx, .. } => {
            tracing::warn!(command = %ctx.command().qualified_name, "options could not be read");
            (ctx, ctx.data().store.engine().composer().bad_options())
        }
        E::CommandStructureMismatch {
            ctx, description, ..
        } => {
            tracing::warn!(
                command = %ctx.command.qualified_name,
                "options do not match the command: {description}"
            );
            let ctx = poise::Context::Application(ctx);
            (ctx, ctx.data().store.engine().composer().bad_options())
        }
        E::SubcommandRequired { ctx, .. } => {
            (ctx, ctx.data().store.engine().composer().bad_options())
        }
        E::GuildOnly { ctx, .. } => (ctx, ctx.data().store.engine().composer().server_only()),
        E::MissingUserPermissions { ctx, .. } | E::NotAnOwner { ctx, .. } => {
            (ctx, ctx.data().store.engine().composer().admins_only())
        }
        E::CooldownHit { ctx, .. }
        | E::MissingBotPermissions { ctx, .. }
        | E::DmOnly { ctx, .. }
        | E::NsfwOnly { ctx, .. }
        | E::CommandCheckFailed { ctx, .. } => {
            tracing::warn!(command = %ctx.command().qualified_name, "command refused");
            (ctx, ctx.data().store.engine().composer().failed())
        }
        E::UnknownInteraction {
            ctx,
            framework,
            interaction,
            ..
        } => {
            // A command registered by an older version: say so rather than leave it hanging.
            tracing::warn!("unknown command /{}", interaction.data.name);
            let bot = framework.user_data;
            let reply = bot.store.engine().composer().bad_options();
            let responded = std::sync::atomic::AtomicBool::new(false);
            let it = respond::of_press(
                interaction.id,
                &interaction.token,
                interaction.application_id,
                &responded,
            );
            let how = respond::Press::NewMessage { ephemeral: true };
            if let Err(e) = it.reply(&ctx.http, &bot.rest, &reply, &[], how).await {
                tracing::warn!("could not tell the member: {e}");
            }
            return;
        }
        E::EventHandler { error, event, .. } => {
            tracing::warn!(
                event = event.snake_case_name(),
                "event handler failed: {}",
                describe(&*error)
            );
            return;
        }
        E::Setup { error, .. } => {
            tracing::error!("setup failed: {}", describe(&*error));
            return;
        }
        // Prefix commands are off; never log the message these carry.
        E::UnknownCommand { .. } | E::DynamicPrefix { .. } | E::NonCommandMessage { .. } => {
            tracing::debug!("a message was read as a prefix command and ignored");
            return;
        }
        _ => {
            tracing::warn!("unexpected framework error");
            return;
        }
    };
    if let Err(e) = respond::command(ctx, &reply, &[], true).await {
        tracing::warn!("could not tell the member: {}", describe(&*e));
    }
}

/// Whether the member who ran the command may manage the server. Read from the permissions
/// Discord sends with the interaction, so it costs no REST call.
pub fn is_admin(ctx: super::Context<'_>) -> bool {
    let poise::Context::Application(app) = ctx else {
        return false;
    };
    member_is_admin(app.interaction.member.as_deref())
}

/// Whether a member (as sent with an interaction: a command, a press, a form) may manage the
/// server. No member (a DM) is never an admin.
pub fn member_is_admin(member: Option<&serenity::Member>) -> bool {
    member
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_guild() || p.administrator())
}
