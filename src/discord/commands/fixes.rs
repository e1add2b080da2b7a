//! The one-click fixes under `/knowledge gaps`: for each group of unanswered questions, a
//! menu ("Add as a phrasing of ...", "Ignore") and a "New entry" button that opens a form.
//! The work is [`crate::gaps::fix`], the same as `sciatica-bot gaps --apply`; this module only
//! reads the clicks, checks the clicker may manage the server (the menu is only shown to
//! admins, but a button id can be forged), and reports: to the admin, and to
//! `ADMIN_LOG_CHANNEL_ID` with the admin's name.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::member_is_admin;
use crate::discord::embeds::{self, Button, ButtonStyle, Menu};
use crate::discord::respond::{self, Press};
use crate::discord::{Data, Error};
use crate::gaps::fix::{self, Fix};
use crate::gaps::GapGroup;
use crate::knowledge::Msg;
use crate::reply::{Composer, Reply};

/// How many groups get their own message with fixes under it.
pub const WITH_CONTROLS: usize = 5;

/// The menu of a group: `gapfix:KEY`; its options `to:ENTRY` and `ignore`.
const MENU_PREFIX: &str = "gapfix:";
/// The "New entry" button of a group: `gapnew:KEY`.
const NEW_PREFIX: &str = "gapnew:";
/// The form it opens: `gapentry:KEY`, with the fields below.
const FORM_PREFIX: &str = "gapentry:";
const TO: &str = "to:";
const IGNORE: &str = "ignore";
const FIELD_ID: &str = "id";
const FIELD_TITLE: &str = "title";
const FIELD_ANSWER: &str = "answer";

/// Whether a button or menu id is one of these.
pub fn is_ours(custom_id: &str) -> bool {
    custom_id.starts_with(MENU_PREFIX) || custom_id.starts_with(NEW_PREFIX)
}

/// Group `n` of the report on its own, with its menu and button.
pub fn controls(
    composer: &Composer,
    n: usize,
    group: &GapGroup,
) -> (Reply, Vec<Menu>, Vec<Button>) {
    let reply = composer.info(composer.text(Msg::gaps_title), composer.gap_group(n, group));
    let mut options: Vec<(String, String)> = group
        .candidates
        .iter()
        .map(|c| {
            (
                composer.say(Msg::gaps_add_phrasing, &[("title", &c.title)]),
                format!("{TO}{}", c.id),
            )
        })
        .collect();
    options.push((
        composer.text(Msg::gaps_ignore).to_string(),
        IGNORE.to_string(),
    ));
    let menu = Menu::new(
        format!("{MENU_PREFIX}{}", group.key),
        composer.text(Msg::gaps_choose),
        options,
    );
    let new = Button::new(
        format!("{NEW_PREFIX}{}", group.key),
        composer.text(Msg::gaps_new_entry),
        ButtonStyle::Primary,
    );
    (reply, vec![menu], vec![new])
}

/// A choice in a group's menu, or its "New entry" button.
pub async fn on_press(
    ctx: &serenity::Context,
    press: &serenity::ComponentInteraction,
    bot: &Data,
) -> Result<(), Error> {
    let engine = bot.store.engine();
    let composer = engine.composer();
    if !member_is_admin(press.member.as_ref()) {
        tracing::info!("a gap fix was refused: not an admin");
        let reply = composer.admins_only();
        let how = Press::NewMessage { ephemeral: true };
        respond::component(ctx, bot, press, &reply, &[], how).await?;
        return Ok(());
    }
    let id = press.data.custom_id.as_str();
    if let Some(key) = id.strip_prefix(NEW_PREFIX) {
        let form = embeds::modal(
            &format!("{FORM_PREFIX}{key}"),
            composer.text(Msg::gaps_modal_title),
            &[
                (FIELD_ID, composer.text(Msg::gaps_modal_id), false),
                (
                    FIELD_TITLE,
                    composer.text(Msg::gaps_modal_entry_title),
                    false,
                ),
                (FIELD_ANSWER, composer.text(Msg::gaps_modal_answer), true),
            ],
        );
        respond::modal(ctx, bot, press, form).await?;
        return Ok(());
    }
    let Some(key) = id.strip_prefix(MENU_PREFIX) else {
        return Ok(());
    };
    let chosen = match &press.data.kind {
        serenity::ComponentInteractionDataKind::StringSelect { values } => values.first(),
        _ => None,
    };
    let fix = match chosen.map(String::as_str) {
        Some(IGNORE) => Fix::Ignore,
        Some(v) => match v.strip_prefix(TO) {
            Some(entry) => Fix::Phrasing {
                entry: entry.to_string(),
            },
            None => return Ok(()),
        },
        None => return Ok(()),
    };
    let responded = AtomicBool::new(false);
    let it = respond::of_press(press.id, &press.token, press.application_id, &responded);
    let who = name_of(press.member.as_ref(), &press.user);
    run(ctx, bot, it, key, fix, who).await
}

/// The "New entry" form, filled in.
pub async fn on_form(
    ctx: &serenity::Context,
    form: &serenity::ModalInteraction,
    bot: &Data,
) -> Result<(), Error> {
    let Some(key) = form.data.custom_id.strip_prefix(FORM_PREFIX) else {
        return Ok(());
    };
    let responded = AtomicBool::new(false);
    let it = respond::of_press(form.id, &form.token, form.application_id, &responded);
    if !member_is_admin(form.member.as_ref()) {
        tracing::info!("a gap fix was refused: not an admin");
        let reply = bot.store.engine().composer().admins_only();
        let how = Press::NewMessage { ephemeral: true };
        it.reply(&ctx.http, &bot.rest, &reply, &[], how).await?;
        return Ok(());
    }
    let field = |name: &str| {
        form.data
            .components
            .iter()
            .flat_map(|row| &row.components)
            .find_map(|c| match c {
                serenity::ActionRowComponent::InputText(t) if t.custom_id == name => {
                    t.value.clone()
                }
                _ => None,
            })
            .unwrap_or_default()
    };
    let fix = Fix::NewEntry {
        id: field(FIELD_ID),
        title: field(FIELD_TITLE),
        answer: field(FIELD_ANSWER),
    };
    let who = name_of(form.member.as_ref(), &form.user);
    run(ctx, bot, it, key, fix, who).await
}

/// Apply `fix` to group `key` as `who`, off the async threads (it reads, checks and writes
/// the folder, and may run git), then tell the admin and the admin log.
async fn run(
    ctx: &serenity::Context,
    bot: &Data,
    it: respond::Interaction<'_>,
    key: &str,
    fix: Fix,
    who: String,
) -> Result<(), Error> {
    let how = Press::NewMessage { ephemeral: true };
    it.defer(&ctx.http, &bot.rest, how).await?;
    let result = {
        let store = Arc::clone(&bot.store);
        let log = bot.gaps.as_ref().map(|g| g.path().to_path_buf());
        let key = key.to_string();
        let who = who.clone();
        tokio::task::spawn_blocking(move || {
            fix::apply(&store, log.as_deref(), &key, fix, Some(&who))
        })
        .await?
    };
    let engine = bot.store.engine();
    let composer = engine.composer();
    let reply = match &result {
        Ok(applied) => {
            tracing::info!("a gap fix was applied");
            if let Some(log) = bot.admin_log.get() {
                let change = composer.change(&applied.change);
                let note = composer.info(
                    composer.text(Msg::gaps_fixed_title),
                    composer.say(Msg::gaps_admin_log, &[("admin", &who), ("change", &change)]),
                );
                log.send(note);
            }
            composer.fix_applied(applied)
        }
        Err(refused) => {
            tracing::info!("a gap fix was refused");
            composer.fix_refused(refused)
        }
    };
    it.reply(&ctx.http, &bot.rest, &reply, &[], how).await?;
    Ok(())
}

/// The name an admin goes by here: their server nickname, else their display name.
fn name_of(member: Option<&serenity::Member>, user: &serenity::User) -> String {
    member.map_or_else(
        || {
            user.global_name
                .clone()
                .unwrap_or_else(|| user.name.clone())
        },
        |m| m.display_name().to_string(),
    )
}
