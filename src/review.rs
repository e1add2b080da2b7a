//! The knowledge checks that need the compiled parts: the safety screen, the composer and the
//! matcher. The knowledge model ([`crate::knowledge`]) is a leaf that knows nothing of them;
//! this module sits above safety, matcher and reply, and every load that serves or checks
//! knowledge goes through it, so a reload and `check` judge a folder the same way.
//!
//! Two kinds of check, both reported with the model's own in one pass:
//! - on every load, errors: the safety rules' self-tests ([`crate::safety::validate_rules`])
//!   and every composed reply fitting one Discord message;
//! - on `check` and live reloads, warnings ([`phrasings`]): does each phrasing find its own
//!   entry, and does any trip the safety screen. This costs a search per phrasing, so a plain
//!   `ask` skips it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::knowledge::{
    self, Diagnostic, Diagnostics, Entry, Knowledge, LoadFailure, Loaded, Origin, Source,
};
use crate::matcher::{Matcher, ANSWER_THRESHOLD};
use crate::reply::Composer;
use crate::safety::{self, SafetyScreen, Verdict};
use crate::text;

/// Discord's limit for one message box (an embed description).
pub const DISCORD_TEXT_CHARS: usize = 4096;
/// Room kept below that limit for what a front end adds around a reply.
const LAYOUT_MARGIN: usize = 96;
/// The ambiguity check runs a search per phrasing; above this many phrasings (generated
/// benchmark knowledge) it would cost more than it tells.
const MAX_PHRASINGS_CHECKED: usize = 5000;

/// The checks every load runs on top of the model's own (errors stop the load).
pub fn compiled_checks(k: &Knowledge, diags: &mut Diagnostics) {
    checks_keeping_screen(k, diags);
}

/// [`compiled_checks`], returning the safety screen the rules' self-tests compiled.
fn checks_keeping_screen(k: &Knowledge, diags: &mut Diagnostics) -> SafetyScreen {
    let screen = safety::validate_rules(&k.safety, diags);
    reply_lengths(k, diags);
    screen
}

/// What a load compiles besides the knowledge itself: the safety screen its self-tests ran
/// on, and the matcher's index.
pub struct Compiled {
    pub screen: SafetyScreen,
    pub matcher: Matcher,
}

/// [`load`], keeping what it compiled: what an engine is built from
/// ([`crate::Engine::from_source`], reloads), so a load compiles the rules once. The matcher's
/// index does not depend on the checks, so it is built on another core while they run.
pub fn load_compiled(source: &Source) -> Result<(Loaded, Compiled), LoadFailure> {
    compiled(|checks| source.read(checks))
}

/// Run `read` with the compiled checks, keeping the screen they compiled and a matcher built
/// beside them.
fn compiled(
    read: impl FnOnce(knowledge::Checks) -> Result<Loaded, LoadFailure>,
) -> Result<(Loaded, Compiled), LoadFailure> {
    let built = std::cell::RefCell::new(None);
    let loaded = read(&|k: &Knowledge, diags: &mut Diagnostics| {
        // The knowledge may not have passed its checks yet: a panic on it is caught here, so
        // it cannot hide their diagnostics; the index is then built once the load succeeds.
        let (matcher, screen) = crate::parallel::side_by_side(
            || std::panic::catch_unwind(|| Matcher::build(k)).ok(),
            || checks_keeping_screen(k, diags),
        );
        *built.borrow_mut() = Some((screen, matcher));
    })?;
    let (screen, matcher) = built
        .into_inner()
        .unwrap_or_else(|| (SafetyScreen::new(&loaded.knowledge.safety), None));
    let matcher = matcher.unwrap_or_else(|| Matcher::build(&loaded.knowledge));
    Ok((loaded, Compiled { screen, matcher }))
}

/// Load and validate a folder or the built-in knowledge: what the engine serves.
pub fn load(source: &Source) -> Result<Loaded, LoadFailure> {
    source.read(&compiled_checks)
}

/// [`load`] of a folder.
pub fn load_dir(dir: &Path) -> Result<Loaded, LoadFailure> {
    load_dir_with(dir, &[])
}

/// [`load_dir`] with the files in `changed` (path relative to the folder, text) read from
/// memory instead of disk: how a change is tried before it is written.
pub fn load_dir_with(dir: &Path, changed: &[(PathBuf, String)]) -> Result<Loaded, LoadFailure> {
    knowledge::read_dir(dir, changed, &compiled_checks)
}

/// [`load`] of in-memory files (path relative to the folder, text): tests and benchmarks
/// that generate knowledge.
pub fn load_texts(parts: &[(PathBuf, String)]) -> Result<Loaded, LoadFailure> {
    knowledge::read_texts(parts, &compiled_checks)
}

/// Load, then review the phrasings with a freshly built matcher and screen: what `check`
/// reports, exactly as a live reload does.
pub fn check(source: &Source) -> Result<Loaded, LoadFailure> {
    reviewed(load_compiled(source)?)
}

/// [`check`] of a folder.
pub fn check_dir(dir: &Path) -> Result<Loaded, LoadFailure> {
    check(&Source::Folder(dir.to_path_buf()))
}

/// [`check_dir`] with the files in `changed` read from memory (see [`load_dir_with`]): what
/// `check` would say if they were written.
pub fn check_dir_with(dir: &Path, changed: &[(PathBuf, String)]) -> Result<Loaded, LoadFailure> {
    reviewed(compiled(|checks| {
        knowledge::read_dir(dir, changed, checks)
    })?)
}

fn reviewed((mut loaded, built): (Loaded, Compiled)) -> Result<Loaded, LoadFailure> {
    let k = &loaded.knowledge;
    let warnings = std::mem::take(&mut loaded.warnings);
    loaded.warnings = phrasings(k, &built.matcher, &built.screen, warnings);
    Ok(loaded)
}

/// Review what only shows once everything loads: whether each phrasing finds its own entry
/// through `matcher` and stays clear of the safety `screen`. Returns `warnings` with the
/// review's own added, sorted. The store calls it with the matcher and screen of the engine
/// it is about to serve, so each is built once per reload.
pub fn phrasings(
    k: &Knowledge,
    matcher: &Matcher,
    screen: &SafetyScreen,
    warnings: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut diags = Diagnostics { items: warnings };
    review_phrasings(k, matcher, screen, &mut diags);
    diags.sorted()
}

/// Warnings about how the knowledge behaves as a whole: see [`phrasings`].
fn review_phrasings(
    k: &Knowledge,
    matcher: &Matcher,
    screen: &SafetyScreen,
    diags: &mut Diagnostics,
) {
    // Phrasings claimed twice are already errors or warnings of their own.
    let mut count: HashMap<String, usize> = HashMap::new();
    for p in k.entries.iter().flat_map(|e| &e.phrasings) {
        *count.entry(text::fold(p)).or_default() += 1;
    }
    let repeated = count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(p, _)| p)
        .collect();
    phrasings_reachable(k, matcher, screen, &repeated, diags);
}

/// Every reply must fit in one Discord message box with its disclaimer, measured on the text
/// the composer really sends.
fn reply_lengths(k: &Knowledge, diags: &mut Diagnostics) {
    let composer = Composer::new(k.messages.clone());
    let disclaimer = k.messages.disclaimer.chars().count();
    let budget = DISCORD_TEXT_CHARS - LAYOUT_MARGIN;
    let too_long = |body: &str| {
        let total = body.chars().count() + 2 + disclaimer;
        (total > budget).then_some(total)
    };
    for e in &k.entries {
        if let Some(total) = too_long(&composer.answer(e, 1.0, None).body) {
            diags.error(
                &e.origin,
                format!(
                    "`{}`: answer is too long for one Discord message: {total} characters with \
                     the disclaimer, at most {budget}; shorten it by {} or split it into two \
                     entries",
                    e.id,
                    total - budget
                ),
            );
        }
    }
    for (rule, at) in &k.safety.red_flags {
        if let Some(total) = too_long(&composer.red_flag(&[rule], true).body) {
            diags.error(
                at,
                format!(
                    "red flag `{}`: reply is {total} characters with the disclaimer, at most \
                     {budget}",
                    rule.id
                ),
            );
        }
    }
    let fixed = [
        ("crisis reply", composer.crisis(&k.safety.crisis).body),
        ("help (with example questions)", composer.help().body),
        ("no_match", composer.no_match(Vec::new(), 0.0).body),
    ];
    for (what, body) in fixed {
        if let Some(total) = too_long(&body) {
            diags.error(
                &Origin::default(),
                format!(
                    "[messages] {what} is {total} characters with the disclaimer, at most {budget}"
                ),
            );
        }
    }
}

/// Each phrasing should find its own entry: if the matcher ranks another entry first (or
/// level), users asking it get the wrong answer; if it trips a red flag, users asking it get
/// the safety reply and never this entry.
fn phrasings_reachable(
    k: &Knowledge,
    matcher: &Matcher,
    screen: &SafetyScreen,
    skip: &HashSet<String>,
    diags: &mut Diagnostics,
) {
    let total: usize = k.entries.iter().map(|e| e.phrasings.len()).sum();
    if total > MAX_PHRASINGS_CHECKED {
        diags.warning(
            &Origin::default(),
            format!(
                "the phrasing review (does each phrasing find its own entry, does any trip the \
                 safety screen?) was skipped: the knowledge has {total} phrasings, more than \
                 the {MAX_PHRASINGS_CHECKED} it reviews"
            ),
        );
        return;
    }
    for (i, e) in k.entries.iter().enumerate() {
        for (p, at) in e.phrasings.iter().zip(&e.phrasing_at) {
            let folded = text::fold(p);
            if folded.is_empty() || skip.contains(&folded) {
                continue;
            }
            match screen.screen(p) {
                Verdict::Clear => {}
                Verdict::Crisis => {
                    diags.warning(
                        at,
                        format!(
                            "phrasing \"{p}\" of `{}` trips the crisis screen, so a user asking \
                             it gets the crisis reply, never this entry",
                            e.id
                        ),
                    );
                    continue;
                }
                Verdict::RedFlags { rules, .. } => {
                    let ids: Vec<_> = rules
                        .iter()
                        .filter_map(|&r| k.safety.red_flags.get(r))
                        .map(|(r, _)| format!("`{}`", r.id))
                        .collect();
                    diags.warning(
                        at,
                        format!(
                            "phrasing \"{p}\" of `{}` trips the red flag {}, so a user asking \
                             it gets the safety reply, never this entry",
                            e.id,
                            ids.join(", ")
                        ),
                    );
                    continue;
                }
            }
            check_ranking(k, matcher, i, e, p, at, diags);
        }
    }
}

fn check_ranking(
    k: &Knowledge,
    matcher: &Matcher,
    own: usize,
    e: &Entry,
    p: &str,
    at: &Origin,
    diags: &mut Diagnostics,
) {
    let hits = matcher.search_fuzzy(p, 3);
    let own_score = hits.iter().find(|h| h.entry == own).map(|h| h.score);
    let rival = hits.iter().find(|h| h.entry != own);
    match (own_score, rival) {
        (own_score, Some(r)) if own_score.is_none_or(|s| r.score >= s) => {
            let Some(other) = k.entries.get(r.entry) else {
                return;
            };
            let how = if own_score == Some(r.score) {
                "equally"
            } else {
                "first"
            };
            diags.warning(
                at,
                format!(
                    "phrasing \"{p}\" of `{}` is answered by it word for word, but the \
                     ranking finds `{}` ({}) {how}, so the same question in other words would \
                     likely get `{}`; reword it to be more specific, or move it to `{}` if \
                     it belongs there",
                    e.id, other.id, other.origin, other.id, other.id
                ),
            );
        }
        (Some(s), _) if s < ANSWER_THRESHOLD => diags.warning(
            at,
            format!(
                "phrasing \"{p}\" of `{}` finds its own entry only with confidence {s:.2} \
                 (answers need {ANSWER_THRESHOLD}); make it more specific",
                e.id
            ),
        ),
        (None, None) => diags.warning(
            at,
            format!(
                "phrasing \"{p}\" of `{}` does not find its own entry; use the words a user \
                 would type",
                e.id
            ),
        ),
        _ => {}
    }
}
