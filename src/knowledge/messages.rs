//! The bot's own words: every sentence it says that is not an answer from the knowledge (reply
//! titles and frames, notices, errors, button and field labels, help, status, reload and gaps
//! texts, the routine player's labels, slash command descriptions) is a text of `[messages]`
//! in the knowledge folder, so a server can change the bot's voice or translate it.
//!
//! [`Msg`] is the catalogue: one key per text, with the named `{placeholders}` it is filled
//! with. Loading checks every text against it: an unknown key, an unknown or missing
//! `{placeholder}`, or a stray brace is an error at the text's `file:line`. A key the folder
//! does not have is a warning, and the built-in English text is used, so a folder written by
//! an older version still loads. Only the disclaimer has no fallback: admins own it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;
use toml::Spanned;

use super::{Diagnostics, LineIndex, Origin};

macro_rules! catalog {
    ($($key:ident: [$($ph:ident),*]),* $(,)?) => {
        /// One text of `[messages]`, named as in the file.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Msg { $($key),* }

        impl Msg {
            /// Every text, in catalogue order.
            pub const ALL: &'static [Msg] = &[$(Msg::$key),*];

            /// The key in `[messages]`.
            pub fn key(self) -> &'static str {
                match self { $(Msg::$key => stringify!($key)),* }
            }

            /// The placeholders this text is filled with; each must appear in it, and no
            /// other may.
            pub fn placeholders(self) -> &'static [&'static str] {
                match self { $(Msg::$key => &[$(stringify!($ph)),*]),* }
            }
        }
    };
}

catalog! {
    // On every reply.
    disclaimer: [],
    // Answers: the headings of muscle and technique cards.
    heading_location: [],
    heading_why: [],
    heading_massage: [],
    heading_stretch: [],
    heading_cautions: [],
    heading_how: [],
    heading_duration: [],
    // No answer.
    no_match_title: [],
    no_match: [],
    suggestions_intro: [],
    empty_question_title: [],
    empty_question: [],
    too_long_title: [],
    too_long: [max],
    // Help.
    help_title: [],
    help: [],
    help_examples_intro: [],
    chat_intro: [],
    // Warning signs and crisis.
    red_flag_title_emergency: [rule],
    red_flag_title_urgent: [rule],
    red_flag_title_soon: [rule],
    red_flag_also: [signs],
    someone_else: [],
    safety_check_failed: [],
    crisis_title: [],
    crisis_follow_up_title: [],
    crisis_not_safe: [],
    crisis_safe: [],
    crisis_unsure: [],
    crisis_reminder: [],
    redflags_title: [],
    redflags_emergency: [],
    redflags_urgent: [],
    redflags_soon: [],
    // Routines.
    routines_title: [],
    routine_list_item: [title, id, steps, minutes, summary],
    no_routines: [],
    routine_overview_step: [n, total, hold, instruction],
    routine_step_title: [routine, n, total],
    routine_hold: [hold],
    routine_hold_until: [hold, countdown],
    routine_stop_if: [stop_cue],
    routine_paused_title: [routine],
    routine_paused: [n, total],
    routine_done_title: [routine],
    routine_done: [],
    routine_stopped_title: [routine],
    routine_stopped: [],
    routine_expired_title: [],
    routine_expired: [],
    this_hurts_title: [],
    this_hurts: [],
    not_your_routine_title: [],
    not_your_routine: [],
    no_such_routine: [name, routines],
    hold_seconds: [seconds],
    hold_minutes: [minutes],
    hold_minutes_seconds: [minutes, seconds],
    button_next: [],
    button_pause: [],
    button_stop: [],
    button_this_hurts: [],
    // Notices and errors.
    error_title: [],
    cooldown_title: [],
    cooldown: [seconds],
    admins_only: [],
    failed: [],
    bad_options: [],
    server_only: [],
    // "Was this helpful?"
    button_helpful: [],
    button_not_helpful: [],
    feedback_title: [],
    feedback_thanks: [],
    feedback_sorry: [],
    // Admins: status and reloads.
    status_title: [],
    status_in_service: [counts],
    counts: [faqs, muscles, techniques, routines, red_flags, files],
    status_loaded: [time],
    status_folder: [folder],
    status_built_in: [],
    status_reload_ok: [],
    status_reload_failed: [time, errors, loaded],
    status_warnings: [count],
    status_more: [count],
    status_feedback: [],
    status_feedback_entry: [entry, helpful, not_helpful],
    status_feedback_none: [],
    reload_title: [],
    reload_ok: [counts],
    reload_ok_warnings: [counts, warnings, first],
    reload_rejected_title: [],
    reload_rejected: [errors, first],
    // Admins: the gaps report and its one-click fixes.
    gaps_title: [],
    gaps_off: [],
    gaps_none: [],
    gaps_header: [groups, asked],
    gaps_group: [n, example, times, day],
    gaps_once: [],
    gaps_times: [count],
    gaps_variants: [variants],
    gaps_now_answered: [entry],
    gaps_wrong: [count, entry],
    gaps_closest: [entry, title, file, line, confidence],
    gaps_fix: [entry, example, file, line],
    gaps_no_close: [],
    gaps_choose: [],
    gaps_add_phrasing: [title],
    gaps_ignore: [],
    gaps_new_entry: [],
    gaps_modal_title: [],
    gaps_modal_id: [],
    gaps_modal_entry_title: [],
    gaps_modal_answer: [],
    gaps_fixed_title: [],
    gaps_refused_title: [],
    gaps_added: [phrasing, entry, file, line],
    gaps_created: [entry, file, line, count],
    gaps_ignored: [example],
    gaps_refused: [problems],
    gaps_gone: [],
    gaps_no_such_entry: [entry],
    gaps_built_in: [],
    gaps_no_log: [],
    gaps_warnings: [warnings],
    gaps_committed: [commit, author],
    gaps_not_committed_dirty: [files],
    gaps_commit_failed: [error],
    gaps_admin_log: [admin, change],
    gaps_new_entry_source: [admin],
    // Slash command and option descriptions (Discord shows at most 100 characters).
    command_ask: [],
    command_ask_question: [],
    command_ask_private: [],
    command_routine: [],
    command_routine_name: [],
    command_muscle: [],
    command_muscle_name: [],
    command_technique: [],
    command_technique_name: [],
    command_redflags: [],
    command_help: [],
    command_knowledge: [],
    command_knowledge_reload: [],
    command_knowledge_status: [],
    command_knowledge_gaps: [],
}

impl Msg {
    pub fn from_key(key: &str) -> Option<Msg> {
        Msg::ALL.iter().copied().find(|m| m.key() == key)
    }

    /// Texts that may be empty (saying nothing there is a choice).
    fn may_be_empty(self) -> bool {
        matches!(self, Msg::someone_else)
    }
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The key of the list of example questions shown under help.
const EXAMPLE_QUESTIONS: &str = "example_questions";

/// The `[messages]` table as written: every key with where its value is.
pub type RawMessages = BTreeMap<String, Spanned<toml::Value>>;

/// The bot's fixed texts, complete and checked.
#[derive(Debug, Clone, Serialize)]
pub struct Messages {
    /// Appended to every reply; never empty. The same as `get(Msg::disclaimer)`.
    pub disclaimer: String,
    /// Shown under help ("Try asking:"); may be empty.
    pub example_questions: Vec<String>,
    texts: Vec<String>,
    /// Where each text is written (the folder's own file, or the built-in copy).
    #[serde(skip)]
    at: Vec<Origin>,
}

impl Messages {
    /// The text of `m`: as shown, for a text without placeholders; as written (with its
    /// `{placeholders}`) for one with, to [`Messages::fill`].
    pub fn get(&self, m: Msg) -> &str {
        self.texts.get(m as usize).map_or("", String::as_str)
    }

    /// The text of `m` with its placeholders filled from `args`.
    pub fn fill(&self, m: Msg, args: &[(&str, &dyn fmt::Display)]) -> String {
        fill(self.get(m), args)
    }

    /// Where the text of `m` is written.
    pub fn origin(&self, m: Msg) -> &Origin {
        static NOWHERE: OnceLock<Origin> = OnceLock::new();
        self.at
            .get(m as usize)
            .unwrap_or_else(|| NOWHERE.get_or_init(Origin::default))
    }

    /// The built-in English texts (the bundled `messages.toml`).
    pub fn bundled() -> &'static Messages {
        static BUNDLED: OnceLock<Messages> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            let mut diags = Diagnostics::default();
            let rel = Path::new("messages.toml");
            let text = super::bundled::file_text(rel).unwrap_or_default();
            let lines = LineIndex::new(text);
            /// Only the `[messages]` table of the file (the rest is the schema's business).
            #[derive(serde::Deserialize)]
            struct File {
                messages: Option<RawMessages>,
            }
            let raw = toml::from_str::<File>(text)
                .ok()
                .and_then(|f| f.messages)
                .unwrap_or_default();
            let read = read(raw, rel, &lines, &mut diags);
            finish(read, &Origin::default(), None, &mut diags)
        })
    }

    /// These texts with `m` replaced (for tests and tools).
    pub fn with(mut self, m: Msg, text: impl Into<String>) -> Self {
        let text = text.into();
        if m == Msg::disclaimer {
            self.disclaimer.clone_from(&text);
        }
        if let Some(slot) = self.texts.get_mut(m as usize) {
            *slot = text;
        }
        self
    }
}

/// `template` with each `{name}` replaced by its value in `args`, `{{` and `}}` by single
/// braces. A name not in `args` is left as written (loading rejects such texts).
pub fn fill(template: &str, args: &[(&str, &dyn fmt::Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some((name, after)) = placeholder_at(tail) {
            match args.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => out.push_str(&value.to_string()),
                None => out.push_str(&tail[..tail.len() - after.len()]),
            }
            rest = after;
            continue;
        }
        out.push_str(&tail[..1]);
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// `{name}` at the start of `s`: the name and what follows the closing brace.
fn placeholder_at(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('{')?;
    let end = inner.find('}')?;
    let name = &inner[..end];
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then(|| (name, &inner[end + 1..]))
}

/// The placeholders of a text, in order, or why a brace cannot be read.
pub fn placeholders(text: &str) -> Result<Vec<&str>, String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            rest = &tail[2..];
        } else if let Some((name, after)) = placeholder_at(tail) {
            found.push(name);
            rest = after;
        } else {
            let snippet: String = tail.chars().take(20).collect();
            return Err(format!(
                "a brace that is not a placeholder at \"{snippet}\" (placeholders are \
                 `{{name}}` in lower case; write `{{{{` or `}}}}` for a brace itself)"
            ));
        }
    }
    Ok(found)
}

/// One `[messages]` table, read and checked text by text.
pub(super) struct Read {
    texts: Vec<Option<(String, Origin)>>,
    example_questions: Option<Vec<String>>,
}

/// Read one `[messages]` table: each text trimmed and checked against the catalogue.
pub(super) fn read(
    raw: RawMessages,
    rel: &Path,
    lines: &LineIndex,
    diags: &mut Diagnostics,
) -> Read {
    let mut out = Read {
        texts: vec![None; Msg::ALL.len()],
        example_questions: None,
    };
    for (key, value) in raw {
        let at = lines.origin(rel, value.span().start);
        let value = value.into_inner();
        if key == EXAMPLE_QUESTIONS {
            match value {
                toml::Value::Array(items) => {
                    let list: Option<Vec<String>> = items
                        .into_iter()
                        .map(|v| v.as_str().map(|s| s.trim().to_string()))
                        .collect();
                    match list {
                        Some(list) => out.example_questions = Some(list),
                        None => diags.error(
                            &at,
                            "[messages] example_questions must be a list of texts in quotes",
                        ),
                    }
                }
                _ => diags.error(
                    &at,
                    "[messages] example_questions must be a list like [\"Ice or heat?\"]",
                ),
            }
            continue;
        }
        let Some(m) = Msg::from_key(&key) else {
            let hint = closest_key(&key)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            diags.error(
                &at,
                format!("[messages] has no text called `{key}`{hint}; see knowledge/README.md"),
            );
            continue;
        };
        let toml::Value::String(text) = value else {
            diags.error(&at, format!("[messages] {key} must be a text in quotes"));
            continue;
        };
        let mut text = text.trim().to_string();
        check_text(m, &text, &at, diags);
        if m.placeholders().is_empty() {
            // Never filled in, so shown as it is: `{{` and `}}` become braces now.
            text = fill(&text, &[]);
        }
        out.texts[m as usize] = Some((text, at));
    }
    out
}

/// Placeholders known and all there, braces readable, not empty.
fn check_text(m: Msg, text: &str, at: &Origin, diags: &mut Diagnostics) {
    let key = m.key();
    let allowed = m.placeholders();
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("{{{n}}}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if text.is_empty() && !m.may_be_empty() {
        let why = if m == Msg::disclaimer {
            "; every reply must carry it"
        } else {
            ""
        };
        diags.error(at, format!("[messages] {key} is empty{why}"));
        return;
    }
    match placeholders(text) {
        Err(why) => diags.error(at, format!("[messages] {key}: {why}")),
        Ok(found) => {
            for name in found.iter().filter(|n| !allowed.contains(n)) {
                let can = if allowed.is_empty() {
                    "it takes no placeholders".to_string()
                } else {
                    format!("it can use {}", list(allowed))
                };
                diags.error(
                    at,
                    format!("[messages] {key}: unknown placeholder {{{name}}}; {can}"),
                );
            }
            let missing: Vec<&str> = allowed
                .iter()
                .copied()
                .filter(|n| !found.contains(n))
                .collect();
            if !missing.is_empty() && !text.is_empty() {
                diags.error(
                    at,
                    format!(
                        "[messages] {key} is missing {}: the bot fills it in, so the text must say \
                         where",
                        list(&missing)
                    ),
                );
            }
        }
    }
}

fn closest_key(key: &str) -> Option<&'static str> {
    Msg::ALL
        .iter()
        .map(|m| (strsim::jaro_winkler(key, m.key()), m.key()))
        .chain(std::iter::once((
            strsim::jaro_winkler(key, EXAMPLE_QUESTIONS),
            EXAMPLE_QUESTIONS,
        )))
        .filter(|(s, _)| *s >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// The complete texts: what the folder has, and for each text it lacks the built-in one,
/// with a warning at `table` (the folder's `[messages]`). `fallback` is `None` only while
/// the built-in texts themselves are read.
pub(super) fn finish(
    read: Read,
    table: &Origin,
    fallback: Option<&Messages>,
    diags: &mut Diagnostics,
) -> Messages {
    let mut texts = Vec::with_capacity(Msg::ALL.len());
    let mut at = Vec::with_capacity(Msg::ALL.len());
    let mut missing = Vec::new();
    for (&m, slot) in Msg::ALL.iter().zip(read.texts) {
        match slot {
            Some((text, origin)) => {
                texts.push(text);
                at.push(origin);
            }
            None => {
                if m == Msg::disclaimer {
                    diags.error(
                        table,
                        "[messages] has no `disclaimer`; every reply must carry it",
                    );
                } else {
                    missing.push(m.key());
                }
                texts.push(fallback.map(|f| f.get(m).to_string()).unwrap_or_default());
                at.push(fallback.map(|f| f.origin(m).clone()).unwrap_or_default());
            }
        }
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(8).copied().collect();
        let more = if missing.len() > shown.len() {
            format!(" and {} more", missing.len() - shown.len())
        } else {
            String::new()
        };
        diags.warning(
            table,
            format!(
                "[messages] has no {}{more}; the built-in English text is used (copy it from \
                 `sciatica-bot knowledge init` to say it your way)",
                shown.join(", ")
            ),
        );
    }
    let example_questions = match (read.example_questions, fallback) {
        (Some(list), _) => list,
        (None, Some(f)) => f.example_questions.clone(),
        (None, None) => Vec::new(),
    };
    Messages {
        disclaimer: texts[Msg::disclaimer as usize].clone(),
        example_questions,
        texts,
        at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_by_name_and_double_braces_are_braces() {
        assert_eq!(
            fill("At most {max} characters {{not {max}}}", &[("max", &2000)]),
            "At most 2000 characters {not 2000}"
        );
        assert_eq!(fill("{a} and {b}", &[("b", &"B")]), "{a} and B");
        assert_eq!(fill("a { b } c", &[]), "a { b } c");
    }

    #[test]
    fn stray_braces_are_reported() {
        assert_eq!(placeholders("x {max} y {{z}}").unwrap(), ["max"]);
        assert!(placeholders("x {Max}").is_err());
        assert!(placeholders("x { max }").is_err());
        assert!(placeholders("x } y").is_err());
        assert!(placeholders("x {max").is_err());
    }

    #[test]
    fn the_built_in_texts_are_complete_and_clean() {
        let mut diags = Diagnostics::default();
        let rel = Path::new("messages.toml");
        let text = super::super::bundled::file_text(rel).expect("bundled messages.toml");
        let lines = LineIndex::new(text);
        let raw = toml::from_str::<super::super::schema::FileDoc>(text)
            .expect("parses")
            .messages
            .expect("[messages]")
            .into_inner();
        let read = read(raw, rel, &lines, &mut diags);
        let m = finish(read, &Origin::default(), None, &mut diags);
        assert!(diags.items.is_empty(), "{:?}", diags.items);
        for &k in Msg::ALL {
            assert!(!m.get(k).is_empty() || k.may_be_empty(), "{k}");
        }
        assert!(!m.example_questions.is_empty());
    }

    #[test]
    fn keys_are_unique() {
        let mut keys: Vec<&str> = Msg::ALL.iter().map(|m| m.key()).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }
}
