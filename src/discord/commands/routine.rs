//! `/routine [name]`: the list of routines, or a guided session: one step per message edit,
//! the hold shown as a live countdown (Discord's `<t:UNIX:R>` renders it without API calls),
//! and buttons Next / Pause / Stop / "This hurts" that only the starter may press.

use poise::serenity_prelude as serenity;

use crate::discord::embeds::{self, Button, ButtonStyle};
use crate::discord::sessions::button_id;
use crate::discord::{respond, Bot, Context, Error};
use crate::knowledge::{Knowledge, Msg, Routine};
use crate::reply::{Composer, Reply};
use crate::routine::{unix_now, Action, View};
use crate::text;

/// Guided self-massage and stretch routines with timers, step by step
#[poise::command(slash_command)]
pub async fn routine(
    ctx: Context<'_>,
    #[autocomplete = "routine_names"] name: Option<String>,
) -> Result<(), Error> {
    let engine = ctx.data().store.engine();
    let composer = engine.composer();
    let Some(name) = name else {
        let reply = composer.routine_list(&engine.knowledge().routines);
        return respond::command(ctx, &reply, &[], false).await;
    };
    let Some(routine) = find(engine.knowledge(), &name) else {
        let known: Vec<&str> = engine
            .knowledge()
            .routines
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        let reply = composer.no_such_routine(&name, &known);
        return respond::command(ctx, &reply, &[], true).await;
    };
    let id = ctx.id();
    // A member has one routine per channel: starting another replaces it.
    let view = ctx.data().sessions.start(
        id,
        ctx.author().id.get(),
        ctx.channel_id().get(),
        routine.clone(),
        unix_now(),
    );
    let (reply, buttons) = render(composer, routine, view, id);
    respond::command(ctx, &reply, &buttons, false).await
}

/// Marks the option for autocomplete at registration; requests are answered by [`choices`]
/// in [`crate::discord::dispatch`].
async fn routine_names(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    choices(ctx.data(), partial)
}

/// Routines whose title or id contains what was typed.
pub fn choices(bot: &Bot, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let engine = bot.store.engine();
    let typed = text::fold(partial);
    let items: Vec<(&str, &str)> = engine
        .knowledge()
        .routines
        .iter()
        .filter(|r| {
            typed.is_empty() || text::fold(&r.title).contains(&typed) || r.id.contains(&typed)
        })
        .map(|r| (r.title.as_str(), r.id.as_str()))
        .collect();
    embeds::choices(items)
}

/// A routine by id (what autocomplete sends) or by title as typed.
fn find<'k>(k: &'k Knowledge, name: &str) -> Option<&'k Routine> {
    let name = name.trim();
    let folded = text::fold(name);
    k.routine(name).or_else(|| {
        k.routines
            .iter()
            .find(|r| text::fold(&r.title) == folded || text::fold(&r.id) == folded)
    })
}

/// A session's view as a reply and the buttons it offers.
pub fn render(
    composer: &Composer,
    routine: &Routine,
    view: View,
    session: u64,
) -> (Reply, Vec<Button>) {
    let button =
        |action, label, style| Button::new(button_id(session, action), composer.text(label), style);
    let next = button(Action::Next, Msg::button_next, ButtonStyle::Primary);
    let stop = button(Action::Stop, Msg::button_stop, ButtonStyle::Secondary);
    let hurts = button(
        Action::ThisHurts,
        Msg::button_this_hurts,
        ButtonStyle::Danger,
    );
    match view {
        View::Step { index, ends_at } => {
            let countdown = format!("<t:{ends_at}:R>");
            let pause = button(Action::Pause, Msg::button_pause, ButtonStyle::Secondary);
            (
                composer.routine_step(routine, index, Some(&countdown)),
                vec![next, pause, stop, hurts],
            )
        }
        View::Paused { index } => (
            composer.routine_paused(routine, index),
            vec![next, stop, hurts],
        ),
        View::Done => (composer.routine_done(routine), Vec::new()),
        View::Stopped => (composer.routine_stopped(routine), Vec::new()),
        View::Hurt => (composer.this_hurts(), Vec::new()),
        View::Expired => (composer.routine_expired(), Vec::new()),
    }
}
