//! Checks on a parsed knowledge base that serde alone cannot express.
//!
//! Every check reports at the most precise place it knows, and all problems are reported at
//! once so an admin fixes a whole edit in one pass. Errors stop a reload; warnings are shown
//! but the knowledge is still served.

use std::collections::{HashMap, HashSet};

use super::{Caution, CautionScope, Diagnostics, EntryKind, Knowledge, Msg, Origin};
use crate::text;

/// Discord's limit for an embed title, with room for a prefix like "Get emergency help now: ".
const MAX_TITLE_CHARS: usize = 200;
/// A reviewed date older than this is a warning: medical self-care advice goes stale.
const STALE_AFTER_DAYS: i64 = 730;

/// Check everything a load needs. `complete` is false when some file failed to load: then
/// references to other entries are not checked (the missing entries would make every such
/// check fail for no reason of its own).
pub(super) fn validate(k: &Knowledge, diags: &mut Diagnostics, complete: bool) {
    unique_ids(k, diags);
    entry_fields(k, diags, complete);
    routine_steps(k, diags, complete);
    phrasings_unique(k, diags);
    cautions(k, diags);
    conversation(k, diags);
    message_lengths(k, diags);
}

/// Texts Discord shows in a small space: longer ones are cut by the bot, which is worth a
/// warning (a cut sentence reads badly).
fn message_lengths(k: &Knowledge, diags: &mut Diagnostics) {
    for &m in Msg::ALL {
        let key = m.key();
        let (max, what) = if key.starts_with("command_") {
            (100, "a slash command description")
        } else if key.starts_with("gaps_modal_") {
            (45, "a form title or label")
        } else if key.starts_with("button_")
            || matches!(m, Msg::gaps_choose | Msg::gaps_ignore | Msg::gaps_new_entry)
        {
            (80, "a button or menu label")
        } else {
            continue;
        };
        let n = k.messages.get(m).chars().count();
        if n > max {
            diags.warning(
                k.messages.origin(m),
                format!(
                    "[messages] {key} is {n} characters; Discord shows at most {max} for {what}, \
                     so it is cut"
                ),
            );
        }
    }
}

/// The replies to a member after a crisis reply carry the helplines, like the crisis reply
/// itself, and `[conversation]` can hear a "no".
fn conversation(k: &Knowledge, diags: &mut Diagnostics) {
    let m = &k.messages;
    for key in [
        Msg::crisis_not_safe,
        Msg::crisis_safe,
        Msg::crisis_unsure,
        Msg::crisis_reminder,
    ] {
        let text = m.get(key);
        let at = m.origin(key);
        for (number, who) in [
            ("988", "the US 988 Lifeline"),
            ("116 123", "Samaritans (UK/Ireland)"),
        ] {
            if !text.contains(number) {
                diags.error(
                    at,
                    format!(
                        "[messages] {key} is missing {who}: every reply after a crisis reply \
                         must contain \"{number}\""
                    ),
                );
            }
        }
    }
    let c = &k.conversation;
    let at = c.origin.clone();
    if c.minutes == 0 || c.minutes > 24 * 60 {
        diags.error(
            &at,
            format!(
                "[conversation] minutes = {} must be between 1 and 1440 (a day)",
                c.minutes
            ),
        );
    }
    if c.no.is_empty() {
        diags.error(
            &at,
            "[conversation] no is empty, so a member's \"no\" to \"Are you safe right now?\" \
             would not be heard as not safe",
        );
    }
    for (list, phrases) in [("not_safe", &c.not_safe), ("no", &c.no), ("yes", &c.yes)] {
        for p in phrases.iter().filter(|p| text::fold(p).is_empty()) {
            diags.error(
                &at,
                format!("[conversation] {list}: \"{p}\" has no words once folded"),
            );
        }
    }
}

fn unique_ids(k: &Knowledge, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    let all = k
        .entries
        .iter()
        .map(|e| (e.id.as_str(), &e.origin))
        .chain(k.routines.iter().map(|r| (r.id.as_str(), &r.origin)))
        .chain(k.safety.red_flags.iter().map(|(r, o)| (r.id.as_str(), o)));
    for (id, origin) in all {
        if id.trim().is_empty() {
            diags.error(origin, "id is empty");
            continue;
        }
        if !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            diags.error(
                origin,
                format!("id `{id}` must use only a-z, 0-9, '-' and '_' (it is a stable key)"),
            );
        }
        if let Some(first) = seen.insert(id, origin) {
            diags.error(
                origin,
                format!("duplicate id `{id}`; it is already used at {first}"),
            );
        }
    }
}

fn entry_fields(k: &Knowledge, diags: &mut Diagnostics, complete: bool) {
    let ids: HashSet<&str> = k.entries.iter().map(|e| e.id.as_str()).collect();
    let today = chrono::Utc::now().date_naive();
    for e in &k.entries {
        let at = &e.origin;
        if e.title.trim().is_empty() {
            diags.error(at, format!("`{}`: title is empty", e.id));
        } else if e.title.chars().count() > MAX_TITLE_CHARS {
            diags.error(
                at,
                format!(
                    "`{}`: title is {} characters; keep it under {MAX_TITLE_CHARS} (Discord \
                     cuts titles at 256)",
                    e.id,
                    e.title.chars().count()
                ),
            );
        }
        if e.phrasings.is_empty() {
            diags.error(
                at,
                format!("`{}`: needs at least one phrasing to be found", e.id),
            );
        }
        for s in &e.sections {
            if s.text.is_empty() {
                let what = s.heading.as_deref().unwrap_or("answer");
                diags.error(at, format!("`{}`: {what} is empty", e.id));
            }
        }
        if e.source.trim().is_empty() {
            diags.warning(at, format!("`{}`: source is empty", e.id));
        }
        check_date(&e.reviewed, at, &e.id, today, diags);
        for r in e.related.iter().filter(|_| complete) {
            if !ids.contains(r.as_str()) {
                diags.error(at, format!("`{}`: related id `{r}` does not exist", e.id));
            }
        }
    }
}

/// `reviewed` must be a date; in the future or long ago is worth a warning.
fn check_date(
    date: &str,
    at: &Origin,
    id: &str,
    today: chrono::NaiveDate,
    diags: &mut Diagnostics,
) {
    let Ok(d) = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        diags.error(
            at,
            format!("`{id}`: reviewed = \"{date}\" is not a date like \"2026-11-01\""),
        );
        return;
    };
    let age = (today - d).num_days();
    if age < -1 {
        diags.warning(
            at,
            format!("`{id}`: reviewed = \"{date}\" is in the future; use the day you checked it"),
        );
    } else if age > STALE_AFTER_DAYS {
        diags.warning(
            at,
            format!(
                "`{id}`: last reviewed {date}, more than two years ago; check it against its \
                 sources and update the date"
            ),
        );
    }
}

fn routine_steps(k: &Knowledge, diags: &mut Diagnostics, complete: bool) {
    let today = chrono::Utc::now().date_naive();
    for r in &k.routines {
        check_date(&r.reviewed, &r.origin, &r.id, today, diags);
        if r.title.trim().is_empty() {
            diags.error(&r.origin, format!("routine `{}`: title is empty", r.id));
        }
        if r.steps.is_empty() {
            diags.error(&r.origin, format!("routine `{}` has no steps", r.id));
        }
        for (i, s) in r.steps.iter().enumerate() {
            let n = i + 1;
            match k.entry(&s.uses) {
                None if !complete => {}
                None => diags.error(
                    &s.origin,
                    format!(
                        "routine `{}` step {n} uses `{}`, which is not a muscle or technique id{}",
                        r.id,
                        s.uses,
                        closest_id(k, &s.uses)
                            .map(|c| format!(" (did you mean `{c}`?)"))
                            .unwrap_or_default()
                    ),
                ),
                Some(e) if e.kind == EntryKind::Faq => diags.error(
                    &s.origin,
                    format!(
                        "routine `{}` step {n} uses `{}`, an FAQ; name a muscle or technique",
                        r.id, s.uses
                    ),
                ),
                Some(_) => {}
            }
            if s.instruction.is_empty() {
                diags.error(
                    &s.origin,
                    format!("routine `{}` step {n}: instruction is empty", r.id),
                );
            }
            if s.stop_cue.is_empty() {
                diags.error(
                    &s.origin,
                    format!("routine `{}` step {n}: stop_cue is empty", r.id),
                );
            }
            if s.seconds == 0 || s.seconds > 600 {
                diags.error(
                    &s.origin,
                    format!(
                        "routine `{}` step {n}: seconds = {} must be between 1 and 600",
                        r.id, s.seconds
                    ),
                );
            }
        }
    }
}

/// The muscle or technique id nearest to a misspelt one.
fn closest_id<'a>(k: &'a Knowledge, id: &str) -> Option<&'a str> {
    k.entries
        .iter()
        .filter(|e| e.kind != EntryKind::Faq)
        .map(|e| (strsim::jaro_winkler(id, &e.id), e.id.as_str()))
        .filter(|(s, _)| *s >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// Two entries claiming the same phrasing (after normalisation) cannot both be found by it.
fn phrasings_unique(k: &Knowledge, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (&str, &Origin)> = HashMap::new();
    for e in &k.entries {
        for (p, at) in e.phrasings.iter().zip(&e.phrasing_at) {
            let key = text::fold(p);
            if key.is_empty() {
                diags.error(at, format!("`{}`: phrasing \"{p}\" has no words", e.id));
                continue;
            }
            match seen.get(&key) {
                Some((other, first)) if *other != e.id => {
                    diags.error(
                        at,
                        format!(
                            "phrasing \"{p}\" of `{}` is also claimed by `{other}` at {first}; \
                             keep it in one entry only",
                            e.id
                        ),
                    );
                }
                Some(_) => {
                    diags.warning(at, format!("`{}`: phrasing \"{p}\" is repeated", e.id));
                }
                None => {
                    seen.insert(key, (&e.id, at));
                }
            }
        }
    }
}

/// One word of a caution term: a stem ("thinner" matches "thinners"), or a prefix (`knead*`).
enum TermWord {
    Stem(String),
    Prefix(String),
}

/// A caution term, compiled once: its words in a row.
struct Term(Vec<TermWord>);

impl Term {
    /// `None` when the term has no words once folded.
    fn compile(raw: &str) -> Option<Term> {
        let mut words = Vec::new();
        for part in raw.split_whitespace() {
            let prefix = part.ends_with('*');
            let folded = text::fold(part.trim_end_matches('*'));
            let mut ws = text::words(&folded).peekable();
            while let Some(w) = ws.next() {
                words.push(if prefix && ws.peek().is_none() {
                    TermWord::Prefix(w.to_string())
                } else {
                    TermWord::Stem(text::stem(w))
                });
            }
        }
        (!words.is_empty()).then_some(Term(words))
    }

    fn found_in(&self, text: &Words) -> bool {
        let n = self.0.len();
        (0..text.0.len().saturating_sub(n - 1)).any(|i| {
            self.0
                .iter()
                .zip(&text.0[i..i + n])
                .all(|(t, (w, st))| match t {
                    TermWord::Stem(s) => s == st,
                    TermWord::Prefix(p) => w.starts_with(p.as_str()),
                })
        })
    }
}

/// Folded words of a text with their stems.
struct Words(Vec<(String, String)>);

impl Words {
    fn of(text: &str, stems: &mut text::Stems) -> Words {
        let folded = text::fold(text);
        Words(
            text::words(&folded)
                .map(|w| (w.to_string(), stems.get(w).to_string()))
                .collect(),
        )
    }
}

/// A `[[caution]]` compiled for checking.
struct CautionCheck<'a> {
    caution: &'a Caution,
    when: Vec<Vec<Term>>,
    unless: Vec<Term>,
    needs: Vec<Vec<Term>>,
}

/// A text read once for every caution: each sentence with its words, and all its words.
struct Read<'t> {
    sentences: Vec<(&'t str, Words)>,
    all: Words,
}

impl<'t> Read<'t> {
    /// `stems` remembers the stems of the words already read: the texts share most words.
    fn of(text: &'t str, stems: &mut text::Stems) -> Self {
        Read {
            sentences: text
                .split(['.', '!', '?', ';', ':', '\n'])
                .map(|s| (s, Words::of(s, stems)))
                .collect(),
            all: Words::of(text, stems),
        }
    }
}

impl CautionCheck<'_> {
    /// The first sentence of `text` that teaches the thing, if any.
    fn taught_in<'t>(&self, text: &Read<'t>) -> Option<&'t str> {
        text.sentences
            .iter()
            .find(|(_, words)| {
                self.when
                    .iter()
                    .all(|group| group.iter().any(|t| t.found_in(words)))
                    && !self.unless.iter().any(|t| t.found_in(words))
            })
            .map(|(sentence, _)| sentence.trim())
    }

    fn carried_by(&self, text: &Read) -> bool {
        self.needs
            .iter()
            .all(|group| group.iter().any(|t| t.found_in(&text.all)))
    }

    /// The warning for a text that teaches the thing without its caution, if it does.
    fn problem(&self, text: &Read, scope_text: &Read) -> Option<String> {
        let sentence = self.taught_in(text)?;
        if !self.needs.is_empty() && self.carried_by(scope_text) {
            return None;
        }
        let quote: String = sentence.chars().take(90).collect();
        let more = if quote.len() < sentence.len() {
            "..."
        } else {
            ""
        };
        let c = self.caution;
        Some(format!(
            "{} (caution `{}`, at \"{quote}{more}\"): {}",
            c.title, c.id, c.fix
        ))
    }
}

/// The `[[caution]]` tables: each must be well formed (errors), and every entry and routine
/// step that teaches a thing must carry its caution (warnings: the knowledge still loads, but
/// an admin should fix it before it reaches people).
fn cautions(k: &Knowledge, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &Origin> = HashMap::new();
    let mut checks = Vec::new();
    for (c, at) in &k.cautions {
        if let Some(first) = seen.insert(c.id.as_str(), at) {
            diags.error(
                at,
                format!(
                    "duplicate caution id `{}`; it is already used at {first}",
                    c.id
                ),
            );
        }
        match compile_caution(c) {
            Ok(check) => checks.push(check),
            Err(why) => diags.error(at, format!("caution `{}`: {why}", c.id)),
        }
    }
    let mut stems = text::Stems::default();
    for e in &k.entries {
        let scope = match e.kind {
            EntryKind::Faq => CautionScope::Faq,
            EntryKind::Muscle => CautionScope::Muscle,
            EntryKind::Technique => CautionScope::Technique,
        };
        let text = e.answer_text();
        let text = Read::of(&text, &mut stems);
        for check in checks
            .iter()
            .filter(|c| c.caution.applies_to.contains(&scope))
        {
            if let Some(msg) = check.problem(&text, &text) {
                diags.warning(&e.origin, format!("`{}`: {msg}", e.id));
            }
        }
    }
    for r in &k.routines {
        for (i, s) in r.steps.iter().enumerate() {
            let own = format!("{}\n{}", s.instruction, s.stop_cue);
            let with_summary = format!("{own}\n{}", r.summary);
            let (own, with_summary) = (
                Read::of(&own, &mut stems),
                Read::of(&with_summary, &mut stems),
            );
            for check in checks
                .iter()
                .filter(|c| c.caution.applies_to.contains(&CautionScope::Step))
            {
                let scope_text = if check.caution.summary_counts {
                    &with_summary
                } else {
                    &own
                };
                if let Some(msg) = check.problem(&own, scope_text) {
                    diags.warning(
                        &s.origin,
                        format!("routine `{}` step {}: {msg}", r.id, i + 1),
                    );
                }
            }
        }
    }
}

fn compile_caution(c: &Caution) -> Result<CautionCheck<'_>, String> {
    if c.title.trim().is_empty() || c.fix.trim().is_empty() {
        return Err("title and fix must say what the caution is and how to add it".into());
    }
    if c.applies_to.is_empty() {
        return Err("applies_to is empty; name faq, muscle, technique and/or step".into());
    }
    let term = |t: &String| {
        Term::compile(t).ok_or_else(|| format!("the term \"{t}\" has no words once folded"))
    };
    let groups = |gs: &[Vec<String>], what: &str| -> Result<Vec<Vec<Term>>, String> {
        gs.iter()
            .map(|g| {
                if g.is_empty() {
                    Err(format!("a group in `{what}` is empty"))
                } else {
                    g.iter().map(term).collect()
                }
            })
            .collect()
    };
    if c.when.is_empty() {
        return Err("`when` is empty, so it would never apply".into());
    }
    Ok(CautionCheck {
        caution: c,
        when: groups(&c.when, "when")?,
        unless: c.unless.iter().map(term).collect::<Result<_, _>>()?,
        needs: groups(&c.needs, "needs")?,
    })
}
