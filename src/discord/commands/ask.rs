//! `/ask question [private]`: the same answer as `sciatica-bot ask`, as an embed.

use crate::conversation::State;
use crate::discord::answering::{answer, buttons_for, gate, Gate};
use crate::discord::{respond, Context, Error};

/// Ask a question about sciatica self-care (massage, stretches, heat and ice, warning signs)
#[poise::command(slash_command)]
pub async fn ask(ctx: Context<'_>, question: String, private: Option<bool>) -> Result<(), Error> {
    let private = private.unwrap_or(false);
    let bot = ctx.data();
    let who = (ctx.author().id.get(), ctx.channel_id().get());
    let work = answer(bot, who, question.clone());
    tokio::pin!(work);
    // Defer (show "thinking...") if the answer is not ready in time (`Config::defer_after`):
    // Discord drops an interaction not acknowledged within 3 s.
    let ready = if bot.defer_after.is_zero() {
        None
    } else {
        tokio::time::timeout(bot.defer_after, &mut work).await.ok()
    };
    let reply = match ready {
        Some(reply) => reply?,
        None => {
            respond::defer(ctx, private).await?;
            work.await?
        }
    };
    let (kind, entry) = crate::discord::loggable(&reply.reply);
    tracing::debug!(kind, entry, "/ask");
    let fresh = reply.state == State::Fresh;
    match gate(bot, ctx.author().id.get(), question.clone(), reply) {
        Gate::Answer(reply) => {
            let buttons = buttons_for(bot, &reply, fresh.then_some(question.as_str()));
            respond::command(ctx, &reply, &buttons, private).await
        }
        Gate::Limited { note, .. } => respond::command(ctx, &note, &[], true).await,
    }
}
