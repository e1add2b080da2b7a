//! Checks on a parsed knowledge base that serde alone cannot express.
//!
//! Every check reports at the most precise place it knows, and all problems are reported at
//! once so an admin fixes a whole edit in one pass.

use std::collections::HashMap;

use super::{known_ids, Diagnostics, Knowledge};
use crate::normalize;

/// Discord's limit for one embed description; an answer must fit in one.
pub const MAX_ANSWER_CHARS: usize = 4096 - 200;

pub(super) fn validate(k: &Knowledge, diags: &mut Diagnostics) {
    unique_ids(k, diags);
    entry_fields(k, diags);
    routine_steps(k, diags);
    phrasings_unique(k, diags);
    if k.messages.disclaimer.trim().is_empty() {
        diags.error(
            &Default::default(),
            "[messages] disclaimer is empty; every reply must carry it",
        );
    }
    crate::safety::validate_rules(&k.safety, diags);
}

fn unique_ids(k: &Knowledge, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, &super::Origin> = HashMap::new();
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

fn entry_fields(k: &Knowledge, diags: &mut Diagnostics) {
    for e in &k.entries {
        let at = &e.origin;
        if e.title.trim().is_empty() {
            diags.error(at, format!("`{}`: title is empty", e.id));
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
        let len = e.answer_text().chars().count();
        if len > MAX_ANSWER_CHARS {
            diags.error(
                at,
                format!(
                    "`{}`: answer is {len} characters; Discord shows at most {MAX_ANSWER_CHARS} \
                     in one reply, so shorten it or split it into two entries",
                    e.id
                ),
            );
        }
        if e.source.trim().is_empty() {
            diags.warning(at, format!("`{}`: source is empty", e.id));
        }
        check_date(&e.reviewed, at, &e.id, diags);
        let ids = known_ids(k);
        for r in &e.related {
            if !ids.contains(r.as_str()) {
                diags.error(
                    at,
                    format!("`{}`: related id `{r}` does not exist", e.id),
                );
            }
        }
    }
}

fn check_date(date: &str, at: &super::Origin, id: &str, diags: &mut Diagnostics) {
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        diags.error(
            at,
            format!("`{id}`: reviewed = \"{date}\" is not a date like \"2026-11-01\""),
        );
    }
}

fn routine_steps(k: &Knowledge, diags: &mut Diagnostics) {
    let ids = known_ids(k);
    for r in &k.routines {
        check_date(&r.reviewed, &r.origin, &r.id, diags);
        if r.steps.is_empty() {
            diags.error(&r.origin, format!("routine `{}` has no steps", r.id));
        }
        for (i, s) in r.steps.iter().enumerate() {
            let n = i + 1;
            if !ids.contains(s.uses.as_str()) {
                diags.error(
                    &s.origin,
                    format!(
                        "routine `{}` step {n} uses `{}`, which is not a muscle or technique id",
                        r.id, s.uses
                    ),
                );
            } else if k
                .entry(&s.uses)
                .is_some_and(|e| e.kind == super::EntryKind::Faq)
            {
                diags.error(
                    &s.origin,
                    format!(
                        "routine `{}` step {n} uses `{}`, an FAQ; name a muscle or technique",
                        r.id, s.uses
                    ),
                );
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

/// Two entries claiming the same phrasing (after normalisation) cannot both be found by it.
fn phrasings_unique(k: &Knowledge, diags: &mut Diagnostics) {
    let mut seen: HashMap<String, (&str, &super::Origin)> = HashMap::new();
    for e in &k.entries {
        for (p, at) in e.phrasings.iter().zip(&e.phrasing_at) {
            let key = normalize::fold(p);
            if key.is_empty() {
                diags.error(at, format!("`{}`: phrasing has no words", e.id));
                continue;
            }
            match seen.get(&key) {
                Some((other, first)) if *other != e.id => diags.error(
                    at,
                    format!(
                        "phrasing \"{p}\" of `{}` is also claimed by `{other}` at {first}",
                        e.id
                    ),
                ),
                Some(_) => diags.warning(at, format!("`{}`: phrasing \"{p}\" is repeated", e.id)),
                None => {
                    seen.insert(key, (&e.id, at));
                }
            }
        }
    }
}
