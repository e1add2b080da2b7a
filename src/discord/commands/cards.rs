//! `/muscle name` and `/technique name`: a knowledge card by name, with autocomplete. A name
//! that matches no card gets the composer's "did you mean" with buttons for close cards.

use poise::serenity_prelude as serenity;

use crate::conversation::State;
use crate::discord::{answering, embeds};
use crate::discord::{respond, Bot, Context, Error};
use crate::engine::CardLookup;
use crate::knowledge::EntryKind;
use crate::text;

/// A muscle card: where it is, why it matters, how to massage and stretch it
#[poise::command(slash_command)]
pub async fn muscle(
    ctx: Context<'_>,
    #[autocomplete = "muscle_names"] name: String,
) -> Result<(), Error> {
    card(ctx, EntryKind::Muscle, &name).await
}

/// A technique or tool card: how to do it, how long, cautions
#[poise::command(slash_command)]
pub async fn technique(
    ctx: Context<'_>,
    #[autocomplete = "technique_names"] name: String,
) -> Result<(), Error> {
    card(ctx, EntryKind::Technique, &name).await
}

async fn card(ctx: Context<'_>, kind: EntryKind, name: &str) -> Result<(), Error> {
    let engine = ctx.data().store.engine();
    // What a member types here is screened like any question: a warning sign still escalates.
    let screened = (ctx.data().answer)(&engine, State::Fresh, name);
    if screened.kind.is_safety() {
        return respond::command(ctx, &screened, &[], false).await;
    }
    let reply = match engine.card(kind, name) {
        CardLookup::Found(entry) => engine.composer().card(entry),
        CardLookup::Suggestions(suggestions) => engine.composer().no_match(suggestions, 0.0),
        CardLookup::None => engine.composer().no_match(Vec::new(), 0.0),
    };
    let buttons = answering::buttons_for(ctx.data(), &reply, Some(name));
    respond::command(ctx, &reply, &buttons, false).await
}

// These mark the options for autocomplete at registration; requests are answered by
// [`choices`] in [`crate::discord::dispatch`].
async fn muscle_names(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    choices(ctx.data(), EntryKind::Muscle, partial)
}

async fn technique_names(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    choices(ctx.data(), EntryKind::Technique, partial)
}

/// Cards of this kind whose title, id or a phrasing contains what was typed.
pub fn choices(bot: &Bot, kind: EntryKind, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let engine = bot.store.engine();
    let typed = text::fold(partial);
    let items: Vec<(&str, &str)> = engine
        .knowledge()
        .entries
        .iter()
        .filter(|e| e.kind == kind)
        .filter(|e| {
            typed.is_empty()
                || text::fold(&e.title).contains(&typed)
                || e.id.contains(&typed)
                || e.phrasings.iter().any(|p| text::fold(p).contains(&typed))
        })
        .map(|e| (e.title.as_str(), e.id.as_str()))
        .collect();
    embeds::choices(items)
}
