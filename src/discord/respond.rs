//! Sending a [`Reply`] to Discord: as a slash-command response, as a button-press response, or
//! as a channel message. Every message goes out with no mentions allowed, so a question that
//! contains `@everyone`, a role or a user never pings anyone.

use poise::serenity_prelude as serenity;

use super::embeds::{action_rows, layout, Button};
use super::{Context, Error};
use crate::reply::Reply;

/// Allowed mentions for every message: nobody, not even the member being replied to.
pub fn no_pings() -> serenity::CreateAllowedMentions {
    serenity::CreateAllowedMentions::new().replied_user(false)
}

/// Answer a slash command: the first message as the interaction response (or the follow-up
/// after a deferral), further messages of a long safety reply as follow-ups. Buttons go on the
/// last message.
pub async fn command(
    ctx: Context<'_>,
    reply: &Reply,
    buttons: &[Button],
    ephemeral: bool,
) -> Result<(), Error> {
    let pages = layout(reply);
    let last = pages.len() - 1;
    for (i, page) in pages.iter().enumerate() {
        let mut b = poise::CreateReply::default()
            .ephemeral(ephemeral)
            .allowed_mentions(no_pings());
        b.embeds = page.embeds();
        if i == last && !buttons.is_empty() {
            b = b.components(action_rows(buttons));
        }
        match ctx.send(b.clone()).await {
            // One retry on a Discord server error: a member's answer should not be lost to a
            // blip. (A failed interaction response was not sent, so the retry is still the
            // first response.)
            Err(e) if is_server_error(&e) => {
                tracing::warn!("reply failed ({}); retrying once", super::describe(&e));
                ctx.send(b).await?;
            }
            other => {
                other?;
            }
        }
    }
    Ok(())
}

/// A 5xx from Discord: worth one retry.
pub fn is_server_error(e: &serenity::Error) -> bool {
    matches!(
        e,
        serenity::Error::Http(serenity::HttpError::UnsuccessfulRequest(r))
            if r.status_code.is_server_error()
    )
}

/// How a button press is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    /// Replace the message the button is on (a routine moving to its next step).
    Update,
    /// A new message, visible to everyone or only to the presser.
    NewMessage { ephemeral: bool },
}

/// Answer a button press.
pub async fn component(
    ctx: &serenity::Context,
    press: &serenity::ComponentInteraction,
    reply: &Reply,
    buttons: &[Button],
    how: Press,
) -> Result<(), serenity::Error> {
    let pages = layout(reply);
    let last = pages.len() - 1;
    let ephemeral = matches!(how, Press::NewMessage { ephemeral: true });
    for (i, page) in pages.iter().enumerate() {
        let rows = if i == last {
            action_rows(buttons)
        } else {
            Vec::new()
        };
        if i == 0 {
            let msg = serenity::CreateInteractionResponseMessage::new()
                .embeds(page.embeds())
                .components(rows)
                .allowed_mentions(no_pings());
            let response = match how {
                Press::Update => serenity::CreateInteractionResponse::UpdateMessage(msg),
                Press::NewMessage { ephemeral } => {
                    serenity::CreateInteractionResponse::Message(msg.ephemeral(ephemeral))
                }
            };
            press.create_response(ctx, response).await?;
        } else {
            let follow = serenity::CreateInteractionResponseFollowup::new()
                .embeds(page.embeds())
                .components(rows)
                .ephemeral(ephemeral)
                .allowed_mentions(no_pings());
            press.create_followup(ctx, follow).await?;
        }
    }
    Ok(())
}

/// Answer a message in its channel, as a reply to it (without pinging its author).
pub async fn channel(
    ctx: &serenity::Context,
    to: &serenity::Message,
    reply: &Reply,
    buttons: &[Button],
) -> Result<(), serenity::Error> {
    let pages = layout(reply);
    let last = pages.len() - 1;
    for (i, page) in pages.iter().enumerate() {
        let mut m = serenity::CreateMessage::new()
            .embeds(page.embeds())
            .allowed_mentions(no_pings());
        if i == 0 {
            m = m.reference_message(to);
        }
        if i == last && !buttons.is_empty() {
            m = m.components(action_rows(buttons));
        }
        to.channel_id.send_message(ctx, m).await?;
    }
    Ok(())
}

/// Post a reply in a channel (the admin log), not as a reply to anything.
pub async fn post(
    http: &serenity::Http,
    channel: serenity::ChannelId,
    reply: &Reply,
) -> Result<(), serenity::Error> {
    for page in layout(reply) {
        let m = serenity::CreateMessage::new()
            .embeds(page.embeds())
            .allowed_mentions(no_pings());
        channel.send_message(http, m).await?;
    }
    Ok(())
}
