//! `/help`: what the bot does, example questions and the disclaimer.

use crate::discord::{respond, Context, Error};

/// What I can help with, with example questions
#[poise::command(slash_command)]
pub async fn help(ctx: Context<'_>) -> Result<(), Error> {
    let reply = ctx.data().store.engine().composer().help();
    respond::command(ctx, &reply, &[], false).await
}
