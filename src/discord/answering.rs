//! Answering a question from a member, the same way for slash `/ask` and for mentions, DMs
//! and ask channels: the engine off the async threads, the crisis conversation kept, then the
//! cooldown gate (safety first) and the buttons that go under the reply.

use std::time::Instant;

use super::embeds::{suggestion_buttons, Button};
use super::{Bot, Error};
use crate::conversation::{Key, State};
use crate::knowledge::Msg;
use crate::reply::{Reply, ReplyKind};
use crate::routine::unix_now;

/// A reply, and how its question was read.
pub struct Answered {
    pub reply: Reply,
    /// After a crisis reply to this member here, or not (see [`crate::conversation`]).
    pub state: State,
}

/// Answer a question from `who` (member, channel) in its conversation, off the async
/// threads: the engine is CPU work, and a 100,000-character message must not stall other
/// members' answers. A crisis reply opens (or extends) the member's conversation in that
/// channel, so their "no" or "idk" is heard. A panic while answering comes back as an error
/// (without the panic's message, which could quote the question).
pub async fn answer(bot: &Bot, who: Key, question: String) -> Result<Answered, Error> {
    let context = bot.conversations().context(who, unix_now());
    let store = std::sync::Arc::clone(&bot.store);
    let answer = bot.answer;
    let reply = tokio::task::spawn_blocking(move || answer(&store.engine(), context, &question))
        .await
        .map_err(|_| -> Error { "internal error while answering (a panic)".into() })?;
    let window = bot.store.engine().knowledge().conversation.window_secs();
    bot.conversations()
        .replied(who, reply.kind == ReplyKind::Crisis, unix_now(), window);
    Ok(Answered {
        reply,
        state: context,
    })
}

/// The buttons under a reply: "did you mean" for a no-match; "Helpful" / "Not what I asked"
/// for an answer, with `question` kept for "not what I asked" while the gaps log is on. None
/// for anything else, safety replies above all, nor for an answer inside a crisis
/// conversation (`question` is `None` there).
pub fn buttons_for(bot: &Bot, reply: &Reply, question: Option<&str>) -> Vec<Button> {
    match (reply.kind, &reply.entry_id, question) {
        (ReplyKind::NoMatch, _, _) => suggestion_buttons(&reply.suggestions),
        (ReplyKind::Answer, Some(entry), Some(question)) => {
            let token = match &bot.gaps {
                Some(_) => bot
                    .asked
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .keep(question),
                None => 0,
            };
            let engine = bot.store.engine();
            let c = engine.composer();
            super::embeds::rating_buttons(
                entry,
                token,
                c.text(Msg::button_helpful),
                c.text(Msg::button_not_helpful),
            )
        }
        _ => Vec::new(),
    }
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
/// the unanswered ones), unless they follow a crisis reply: nothing said in that
/// conversation is logged.
pub fn gate(bot: &Bot, member: u64, question: String, answered: Answered) -> Gate {
    let Answered { reply, state } = answered;
    if reply.kind.is_safety() {
        return Gate::Answer(reply);
    }
    match bot.cooldown.check(member, Instant::now()) {
        super::cooldown::Decision::Allowed => {
            if let (Some(gaps), State::Fresh) = (bot.gaps.clone(), state) {
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
