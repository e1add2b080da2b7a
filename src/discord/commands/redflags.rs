//! `/redflags`: the warning signs that need a doctor, most urgent first, from the knowledge's
//! own red-flag rules (so the list an admin edits is the list members see).

use crate::discord::{respond, Context, Error};

/// Warning signs that mean: see a doctor now, and emergency numbers
#[poise::command(slash_command)]
pub async fn redflags(ctx: Context<'_>) -> Result<(), Error> {
    let reply = ctx.data().store.engine().red_flag_overview();
    respond::command(ctx, &reply, &[], false).await
}
