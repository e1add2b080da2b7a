//! Everything that is not a slash command: questions in mentions, DMs and ask channels, and
//! button presses (routine controls and "did you mean" suggestions).

use poise::serenity_prelude as serenity;

use super::answering::{answer, buttons_for, gate, Gate};
use super::commands::{fixes, routine::render};
use super::embeds::SUGGEST_PREFIX;
use super::rating;
use super::respond::{self, Press};
use super::sessions::{parse_button_id, Pressed};
use super::{Data, Error};
use crate::conversation::State;
use crate::routine::unix_now;

pub async fn handle(
    ctx: &serenity::Context,
    event: &serenity::FullEvent,
    framework: poise::FrameworkContext<'_, Data, Error>,
    data: &Data,
) -> Result<(), Error> {
    match event {
        serenity::FullEvent::Message { new_message } => {
            on_message(ctx, new_message, framework.bot_id, data).await
        }
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Component(press),
        } => on_press(ctx, press, data).await,
        serenity::FullEvent::InteractionCreate {
            interaction: serenity::Interaction::Modal(form),
        } => fixes::on_form(ctx, form, data).await,
        serenity::FullEvent::Resume { .. } => {
            tracing::info!("gateway session resumed");
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A message is a question when it is a DM, mentions the bot, or is in an ask channel. Bots
/// (this one included) are never answered, so two bots cannot talk each other into a loop.
pub fn is_question(msg: &serenity::Message, me: serenity::UserId, bot: &Data) -> bool {
    if msg.author.bot || msg.author.id == me {
        return false;
    }
    if !matches!(
        msg.kind,
        serenity::MessageType::Regular | serenity::MessageType::InlineReply
    ) {
        return false;
    }
    let is_dm = msg.guild_id.is_none();
    let mentioned = msg.mentions.iter().any(|u| u.id == me);
    is_dm || mentioned || bot.ask_channels.contains(&msg.channel_id)
}

async fn on_message(
    ctx: &serenity::Context,
    msg: &serenity::Message,
    me: serenity::UserId,
    bot: &Data,
) -> Result<(), Error> {
    if !is_question(msg, me, bot) {
        return Ok(());
    }
    let question = strip_mention(&msg.content, me);
    let who = (msg.author.id.get(), msg.channel_id.get());
    let answered = match answer(bot, who, question.clone()).await {
        Ok(answered) => answered,
        Err(e) => {
            tracing::error!("answering a message failed: {e}");
            let failed = bot.store.engine().composer().failed();
            return Ok(respond::channel(&ctx.http, &bot.rest, msg, &failed, &[]).await?);
        }
    };
    let (kind, entry) = super::loggable(&answered.reply);
    tracing::debug!(kind, entry, dm = msg.guild_id.is_none(), "message");
    let fresh = answered.state == State::Fresh;
    let sent = match gate(bot, msg.author.id.get(), question.clone(), answered) {
        Gate::Answer(reply) => {
            let buttons = buttons_for(bot, &reply, fresh.then_some(question.as_str()));
            respond::channel(&ctx.http, &bot.rest, msg, &reply, &buttons).await
        }
        // A channel has no private notes: say it once per burst, then stay quiet.
        Gate::Limited { note, first: true } => {
            respond::channel(&ctx.http, &bot.rest, msg, &note, &[]).await
        }
        Gate::Limited { first: false, .. } => Ok(()),
    };
    Ok(sent?)
}

/// The question without the bot's own mention (`<@id>` or the older `<@!id>`).
fn strip_mention(content: &str, me: serenity::UserId) -> String {
    content
        .replace(&format!("<@{me}>"), " ")
        .replace(&format!("<@!{me}>"), " ")
        .trim()
        .to_string()
}

async fn on_press(
    ctx: &serenity::Context,
    press: &serenity::ComponentInteraction,
    bot: &Data,
) -> Result<(), Error> {
    let id = press.data.custom_id.as_str();
    let engine = bot.store.engine();
    let composer = engine.composer();
    if let Some(entry_id) = id.strip_prefix(SUGGEST_PREFIX) {
        // A suggestion shows the card to whoever pressed, as publicly as the question was asked.
        let ephemeral = press
            .message
            .flags
            .is_some_and(|f| f.contains(serenity::MessageFlags::EPHEMERAL));
        let reply = match engine.knowledge().entry(entry_id) {
            Some(entry) => composer.card(entry),
            // Removed by a reload since the buttons were made.
            None => composer.no_match(Vec::new(), 0.0),
        };
        let buttons = buttons_for(bot, &reply, None);
        respond::component(
            ctx,
            bot,
            press,
            &reply,
            &buttons,
            Press::NewMessage { ephemeral },
        )
        .await?;
        return Ok(());
    }
    if let Some(rated) = rating::parse(id) {
        return on_rating(ctx, press, bot, rated).await;
    }
    if fixes::is_ours(id) {
        return fixes::on_press(ctx, press, bot).await;
    }
    if let Some((session, action)) = parse_button_id(id) {
        let who = press.user.id.get();
        match bot.sessions.press(session, who, action, unix_now()) {
            Pressed::Shown(view, routine) => {
                let (reply, buttons) = render(composer, &routine, view, session);
                respond::component(ctx, bot, press, &reply, &buttons, Press::Update).await?;
            }
            Pressed::NotStarter => {
                let note = composer.not_your_routine();
                respond::component(
                    ctx,
                    bot,
                    press,
                    &note,
                    &[],
                    Press::NewMessage { ephemeral: true },
                )
                .await?;
            }
            Pressed::Unknown => {
                let reply = composer.routine_expired();
                respond::component(ctx, bot, press, &reply, &[], Press::Update).await?;
            }
        }
        return Ok(());
    }
    // Not ours (or from an older version): acknowledge so Discord shows no error.
    respond::acknowledge(ctx, bot, press).await?;
    Ok(())
}

/// "Helpful" or "Not what I asked" under an answer: counted for the entry (once per member
/// and answer, and never who), the question of a "not what I asked" added to the gaps log
/// when it is on, and a private thank-you.
async fn on_rating(
    ctx: &serenity::Context,
    press: &serenity::ComponentInteraction,
    bot: &Data,
    rated: rating::Press,
) -> Result<(), Error> {
    let engine = bot.store.engine();
    let known = engine.knowledge().entry(&rated.entry).is_some();
    let first = bot
        .rated
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .first(press.message.id.get(), press.user.id.get());
    if known && first {
        bot.ratings.rate(&rated.entry, rated.helpful);
        tracing::debug!(entry = %rated.entry, helpful = rated.helpful, "rating");
        if let (false, Some(gaps)) = (rated.helpful, bot.gaps.clone()) {
            let question = bot
                .asked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(rated.token)
                .map(str::to_string);
            if let Some(question) = question {
                let engine = std::sync::Arc::clone(&engine);
                let entry = rated.entry.clone();
                tokio::task::spawn_blocking(move || {
                    gaps.record_wrong_answer(&engine, &question, &entry);
                });
            }
        }
    }
    let reply = engine.composer().feedback(rated.helpful);
    respond::component(
        ctx,
        bot,
        press,
        &reply,
        &[],
        Press::NewMessage { ephemeral: true },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bots_own_mention_is_removed_from_the_question_and_others_are_kept() {
        let me = serenity::UserId::new(42);
        assert_eq!(strip_mention("<@42> ice or heat?", me), "ice or heat?");
        assert_eq!(strip_mention("hey <@!42>, ice?", me), "hey  , ice?");
        assert_eq!(strip_mention("<@7> and <@42>", me), "<@7> and");
    }
}
