//! Checks on the safety rules themselves, run when knowledge loads.
//!
//! A mistake here does not crash anything; it silently stops a warning sign from being seen.
//! So beyond the shape checks, every phrase is screened on its own and must trigger its own
//! rule: that catches phrases cancelled by an `exclude`, crisis phrases inside an idiom, and
//! rules that can never change the reply because a more urgent rule always fires with them.

use std::cell::RefCell;
use std::collections::HashMap;

use super::context::WordMemo;
use super::lexicon::{parse_term, Term, WordPat};
use super::{
    Combo, SafetyScreen, Source, Status, Urgency, Verdict, MAX_GROUPS, MAX_SCOPE, MAX_WITHIN,
};
use crate::knowledge::safety_rules::concept_name;
use crate::knowledge::{Diagnostics, Origin, SafetyRules};
use crate::text;
use crate::text::FastMap;

/// The compiled rules plus caches, so one validation pass stems each word once. Each thread
/// of the checks has its own.
struct Tester<'s> {
    screen: &'s SafetyScreen,
    memo: RefCell<WordMemo>,
    stems: RefCell<text::Stems>,
    /// Terms [`check_term`] passed, by their text, without and with the cue check: a concept
    /// used by many rules is parsed and checked once (errors are still reported at every
    /// place, since a failed term is never stored).
    passed: RefCell<[FastMap<String, Term>; 2]>,
    /// [`Tester::key`] of each distinct term (the same concept terms come back in every
    /// rule that uses them).
    keys: RefCell<FastMap<Vec<WordPat>, String>>,
}

impl<'s> Tester<'s> {
    fn new(screen: &'s SafetyScreen) -> Self {
        Tester {
            screen,
            memo: RefCell::default(),
            stems: RefCell::default(),
            passed: RefCell::default(),
            keys: RefCell::default(),
        }
    }

    fn screen(&self, text: &str) -> Verdict {
        self.screen.screen_with(text, &mut self.memo.borrow_mut())
    }

    fn explain(&self, text: &str) -> super::Screening {
        self.screen.explain(text)
    }

    /// A key that is equal for terms matching the same words (same stems and markers).
    fn key(&self, term: &Term) -> String {
        if let Some(key) = self.keys.borrow().get(term.words.as_slice()) {
            return key.clone();
        }
        let mut stems = self.stems.borrow_mut();
        let key = term
            .words
            .iter()
            .map(|p| match p {
                WordPat::Stem(w) => stems.get(w).to_string(),
                WordPat::Exact(w) => format!("={w}"),
                WordPat::Prefix(w) => format!("{w}*"),
            })
            .collect::<Vec<_>>()
            .join(" ");
        self.keys
            .borrow_mut()
            .insert(term.words.clone(), key.clone());
        key
    }
}

/// Problems in the safety rules: every one with the place of its rule and a plain reason.
/// Returns the screen compiled for the self-tests, so a load compiles the rules once and the
/// engine serves the very screen that was tested.
pub fn validate_rules(rules: &SafetyRules, diags: &mut Diagnostics) -> SafetyScreen {
    let compiled = SafetyScreen::new(rules);
    let screen = Tester::new(&compiled);
    let cues = cue_keys(rules, &screen);
    // The crisis rule's and the concepts' self-tests do not depend on the red flags': they run
    // on another core, and their findings follow the red flags' as if run after them. A panic
    // there becomes a finding, so it cannot hide the red flags' findings either.
    let (later, ()) = crate::parallel::side_by_side(
        || {
            let mut diags = Diagnostics::default();
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let screen = Tester::new(&compiled);
                complaint(rules, &screen, &cues, &mut diags);
                crisis(rules, &screen, &cues, &rules.crisis.origin, &mut diags);
                concepts(rules, &screen, &mut diags);
            }));
            if run.is_err() {
                diags.error(
                    &rules.crisis.origin,
                    "the crisis and concept self-tests stopped on an internal error; the \
                     rules were not checked, so this knowledge is not loaded",
                );
            }
            diags
        },
        || rule_checks(rules, &screen, &cues, diags),
    );
    diags.items.extend(later.items);
    compiled
}

/// The checks of everything but the crisis rule and the concepts: the model's heads, the
/// negation lists, and each red-flag rule with its self-tests.
fn rule_checks(
    rules: &SafetyRules,
    screen: &Tester,
    cues: &HashMap<String, &'static str>,
    diags: &mut Diagnostics,
) {
    if let Some(m) = &rules.model {
        model_heads(m, rules, diags);
    }
    negation_lists(rules, screen, &rules.negation.origin, diags);
    let mut seen: HashMap<String, (usize, &Origin)> = HashMap::new();
    for (ri, (rule, at)) in rules.red_flags.iter().enumerate() {
        let id = rule.id.as_str();
        if rule.title.trim().is_empty() {
            diags.error(at, format!("red flag `{id}` has an empty title"));
        }
        reply_words(rule.reply.as_str(), rule.urgency, id, at, diags);
        if rule.others_need_complaint && rule.urgency == Urgency::Emergency {
            diags.error(
                at,
                format!(
                    "red flag `{id}` is on the emergency tier, so someone else's sign must \
                     always escalate: remove others_need_complaint"
                ),
            );
        }
        if rule.phrases.is_empty() && rule.combo.is_empty() {
            diags.error(
                at,
                format!(
                    "red flag `{id}` has nothing to match: give it `phrases` or a \
                     [[red_flag.combo]]"
                ),
            );
        }
        let mut covered_by: Vec<usize> = Vec::new();
        let mut own_phrases = 0usize;
        let written: Vec<&str> = rule
            .phrases
            .iter()
            .map(String::as_str)
            .filter(|p| concept_name(p).is_none())
            .collect();
        for p in rules.expand(&rule.phrases).terms {
            let what = format!("red flag `{id}`: phrase \"{p}\"");
            let Some(term) = check_term(screen, p, &|| what.clone(), cues, at, diags) else {
                continue;
            };
            own_phrases += 1;
            let key = screen.key(&term);
            match seen.get(&key) {
                _ if !written.contains(&p) => {}
                Some(&(other, _)) if other == ri => diags.warning(
                    at,
                    format!(
                        "{what} matches the same words as another phrase of this rule (same \
                         stems); one of them is enough"
                    ),
                ),
                Some(&(other, other_at)) => diags.error(
                    at,
                    format!(
                        "{what} is also a phrase of `{}` ({other_at}); a phrase belongs to one \
                         rule, or both replies fire for it",
                        rules.red_flags[other].0.id
                    ),
                ),
                None => {
                    seen.insert(key, (ri, at));
                }
            }
            match self_test(screen, rules, ri, p) {
                SelfTest::Fires { more_urgent } => {
                    if let Some(a) = more_urgent {
                        covered_by.push(a);
                    }
                }
                SelfTest::Silent(why) => diags.error(
                    at,
                    format!("{what} does not trigger its own rule when written alone: {why}"),
                ),
            }
        }
        if rule.combo.is_empty() && own_phrases > 0 && covered_by.len() == own_phrases {
            covered_by.sort_unstable();
            covered_by.dedup();
            let names: Vec<String> = covered_by
                .iter()
                .map(|&a| format!("`{}`", rules.red_flags[a].0.id))
                .collect();
            diags.error(
                at,
                format!(
                    "red flag `{id}` is shadowed: every one of its phrases also triggers the \
                     more urgent {}, whose reply always leads, so `{id}`'s reply is never shown",
                    names.join(", ")
                ),
            );
        }
        for (ci, combo) in rule.combo.iter().enumerate() {
            let what = format!("red flag `{id}`: combo {}", ci + 1);
            let fires = |v: &Verdict| v.red_flags().contains(&ri);
            check_combo(screen, rules, combo, &what, &fires, cues, at, diags);
        }
        for x in rules.expand(&rule.exclude).terms {
            let what = || format!("red flag `{id}`: exclude \"{x}\"");
            check_term(screen, x, &what, &HashMap::new(), at, diags);
        }
    }
}

/// Replies must exist, and should say where to go.
fn reply_words(reply: &str, urgency: Urgency, id: &str, at: &Origin, diags: &mut Diagnostics) {
    if reply.trim().is_empty() {
        diags.error(at, format!("red flag `{id}` has an empty reply"));
        return;
    }
    let lower = reply.to_lowercase();
    if !lower.contains("doctor") {
        diags.warning(
            at,
            format!("red flag `{id}`: the reply never says \"doctor\"; say who to see"),
        );
    }
    if urgency == Urgency::Emergency && !lower.contains("emergency") {
        diags.warning(
            at,
            format!(
                "red flag `{id}` is emergency tier but its reply never says \"emergency\"; \
                 name the emergency department or number"
            ),
        );
    }
}

/// Parse a term and check it can match something specific. Returns it when usable.
/// `what` names the term for a diagnostic; it is only called when there is one.
fn check_term(
    tester: &Tester,
    raw: &str,
    what: &dyn Fn() -> String,
    cues: &HashMap<String, &'static str>,
    at: &Origin,
    diags: &mut Diagnostics,
) -> Option<Term> {
    let checked = usize::from(!cues.is_empty());
    if let Some(term) = tester.passed.borrow()[checked].get(raw) {
        return Some(term.clone());
    }
    let term = match parse_term(raw) {
        Ok(t) => t,
        Err(e) => {
            diags.error(at, format!("{}: {e}", what()));
            return None;
        }
    };
    if term.words.is_empty() {
        diags.error(
            at,
            format!(
                "{} folds to nothing (only punctuation or emoji), so it can never match",
                what()
            ),
        );
        return None;
    }
    let all_common = term
        .words
        .iter()
        .all(|p| matches!(p, WordPat::Stem(w) if text::is_stopword(w)));
    if all_common {
        diags.error(
            at,
            format!(
                "{} is only common words, so it would match almost every message; name the \
                 symptom",
                what()
            ),
        );
        return None;
    }
    if let Some(list) = cues.get(&tester.key(&term)) {
        diags.error(
            at,
            format!(
                "{} is itself a context cue (in [negation] {list}), so it says nothing about \
                 a symptom and would switch that cue off wherever it appears",
                what()
            ),
        );
        return None;
    }
    tester.passed.borrow_mut()[checked].insert(raw.to_string(), term.clone());
    Some(term)
}

enum SelfTest {
    /// The phrase fires its rule; `more_urgent` names a more urgent rule that fires with it.
    Fires {
        more_urgent: Option<usize>,
    },
    Silent(String),
}

/// Screen a phrase on its own.
fn self_test(screen: &Tester, rules: &SafetyRules, rule: usize, text: &str) -> SelfTest {
    let verdict = screen.screen(text);
    let urgency = rules.red_flags[rule].0.urgency;
    match &verdict {
        Verdict::RedFlags { rules: hits, .. } if hits.contains(&rule) => SelfTest::Fires {
            more_urgent: hits
                .iter()
                .copied()
                .find(|&h| h != rule && rules.red_flags[h].0.urgency < urgency),
        },
        Verdict::Crisis => SelfTest::Silent(
            "it trips the crisis screen, which always wins; move it to [crisis]".to_string(),
        ),
        _ => {
            let why = screen
                .explain(text)
                .findings
                .iter()
                .find(|f| f.source == Source::RedFlag(rule) && f.status != Status::Counts)
                .map(|f| match f.status {
                    Status::Excluded => "one of the rule's `exclude` terms covers it".to_string(),
                    Status::Negated => "it reads as negated".to_string(),
                    Status::Hypothetical => "it reads as a hypothetical".to_string(),
                    Status::Historical => "it reads as the past".to_string(),
                    Status::NotAPerson => "it reads as about a pet or a thing".to_string(),
                    Status::Bystander => "it reads as someone else's".to_string(),
                    Status::Figurative => "it reads as a figure of speech".to_string(),
                    Status::Counts => String::new(),
                })
                .unwrap_or_else(|| "its words do not match themselves".to_string());
            SelfTest::Silent(why)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn check_combo(
    screen: &Tester,
    rules: &SafetyRules,
    combo: &Combo,
    what: &str,
    fires: &dyn Fn(&Verdict) -> bool,
    cues: &HashMap<String, &'static str>,
    at: &Origin,
    diags: &mut Diagnostics,
) {
    if combo.all_of.len() < 2 {
        diags.error(
            at,
            format!(
                "{what} needs at least two groups in `all_of`; a single group is just \
                 `phrases`"
            ),
        );
    }
    if combo.all_of.len() > MAX_GROUPS {
        diags.error(
            at,
            format!(
                "{what} has {} groups; at most {MAX_GROUPS}",
                combo.all_of.len()
            ),
        );
    }
    if let Some(w) = combo.within {
        if w == 0 || w > MAX_WITHIN {
            diags.error(
                at,
                format!("{what}: within = {w}; use 1 to {MAX_WITHIN} words"),
            );
        }
    }
    let mut group_of: FastMap<String, usize> = FastMap::default();
    let mut sample: Vec<String> = Vec::new();
    for (gi, group) in combo.all_of.iter().enumerate() {
        let terms = rules.expand(group.terms()).terms;
        if terms.is_empty() {
            diags.error(
                at,
                format!(
                    "{what}: group {} is empty, so the combo can never match",
                    gi + 1
                ),
            );
            continue;
        }
        for t in terms {
            let twhat = || format!("{what}, group {}: term \"{t}\"", gi + 1);
            let Some(term) = check_term(screen, t, &twhat, cues, at, diags) else {
                continue;
            };
            let key = screen.key(&term);
            if let Some(&other) = group_of.get(&key) {
                if other != gi {
                    diags.error(
                        at,
                        format!(
                            "{} is also in group {}; one word would then satisfy both groups",
                            twhat(),
                            other + 1
                        ),
                    );
                }
            } else {
                group_of.insert(key, gi);
            }
            if sample.len() == gi {
                let words: Vec<&str> = term.words.iter().map(WordPat::word).collect();
                sample.push(words.join(" "));
            }
        }
    }
    if sample.len() == combo.all_of.len() && sample.len() >= 2 {
        let text = sample.join(" ");
        if !fires(&screen.screen(&text)) {
            diags.warning(
                at,
                format!(
                    "{what}: the first term of each group, \"{text}\", does not trigger the \
                     rule; check the groups and `within`"
                ),
            );
        }
    }
}

/// Concepts: each defined once (the loader checks), non-empty, every reference known, no
/// concept including itself, and every concept used by some rule.
fn concepts(rules: &SafetyRules, tester: &Tester, diags: &mut Diagnostics) {
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let note_refs = |list: &[String], used: &mut std::collections::BTreeSet<String>| {
        used.extend(
            list.iter()
                .filter_map(|t| concept_name(t))
                .map(str::to_string),
        );
    };
    for (what, list) in rules.term_lists() {
        let ex = rules.expand(list);
        for name in ex.unknown {
            let at = rules
                .red_flags
                .iter()
                .find(|(r, _)| what.contains(&format!("`{}`", r.id)))
                .map_or(&rules.crisis.origin, |(_, at)| at);
            diags.error(
                at,
                format!("{what} names the concept `@{name}`, which no [concepts] table defines"),
            );
        }
        note_refs(list, &mut used);
    }
    for (name, c) in &rules.concepts {
        note_refs(&c.terms, &mut used);
        let ex = rules.expand(&c.terms);
        if ex.terms.is_empty() && ex.unknown.is_empty() {
            diags.error(&c.origin, format!("concept `{name}` has no words"));
        }
        for u in ex.unknown {
            diags.error(
                &c.origin,
                format!("concept `{name}` includes `@{u}`, which is not defined"),
            );
        }
        for cyc in ex.cycles {
            diags.error(
                &c.origin,
                format!("concept `{name}` includes itself through `@{cyc}`"),
            );
        }
        for t in &c.terms {
            if concept_name(t).is_none() {
                let what = || format!("concept `{name}`: term \"{t}\"");
                check_term(tester, t, &what, &HashMap::new(), &c.origin, diags);
            }
        }
    }
    for (name, c) in &rules.concepts {
        if !used.contains(name) {
            diags.warning(
                &c.origin,
                format!("concept `{name}` is not used by any rule or concept"),
            );
        }
    }
}

/// `[negation] complaint` terms must be usable, and a rule that leans on them needs some.
fn complaint(
    rules: &SafetyRules,
    tester: &Tester,
    cues: &HashMap<String, &'static str>,
    diags: &mut Diagnostics,
) {
    let at = &rules.negation.origin;
    for t in rules.expand(&rules.negation.complaint).terms {
        check_term(
            tester,
            t,
            &|| format!("[negation] complaint \"{t}\""),
            cues,
            at,
            diags,
        );
    }
    if rules.negation.complaint.is_empty() {
        for (rule, at) in rules
            .red_flags
            .iter()
            .filter(|(r, _)| r.others_need_complaint)
        {
            diags.error(
                at,
                format!(
                    "red flag `{}` sets others_need_complaint, but [negation] has no \
                     `complaint` terms to tell whose back or leg trouble a message is about",
                    rule.id
                ),
            );
        }
    }
}

fn crisis(
    rules: &SafetyRules,
    screen: &Tester,
    cues: &HashMap<String, &'static str>,
    at: &Origin,
    diags: &mut Diagnostics,
) {
    let c = &rules.crisis;
    if c.phrases.is_empty() && c.combo.is_empty() {
        diags.error(
            at,
            "[crisis] has no phrases, so no one in crisis is ever recognised",
        );
    }
    let reply = c.reply.as_str();
    if reply.trim().is_empty() {
        diags.error(at, "[crisis] reply is empty");
    }
    for (number, who) in [
        ("988", "the US 988 Lifeline"),
        ("116 123", "Samaritans (UK/Ireland)"),
    ] {
        if !reply.contains(number) {
            diags.error(
                at,
                format!("[crisis] reply is missing {who}: it must contain \"{number}\""),
            );
        }
    }
    if !reply.to_lowercase().contains("findahelpline") {
        diags.warning(
            at,
            "[crisis] reply does not point to findahelpline.com for other countries",
        );
    }
    if !["999", "911", "112"].iter().any(|n| reply.contains(n)) {
        diags.warning(
            at,
            "[crisis] reply gives no emergency number (999, 911 or 112) for immediate danger",
        );
    }
    for (ci, combo) in c.combo.iter().enumerate() {
        let what = format!("[crisis] combo {}", ci + 1);
        let fires = |v: &Verdict| *v == Verdict::Crisis;
        check_combo(screen, rules, combo, &what, &fires, cues, at, diags);
    }
    let mut seen: HashMap<String, &str> = HashMap::new();
    for p in rules.expand(&c.phrases).terms {
        let what = format!("[crisis] phrase \"{p}\"");
        let Some(term) = check_term(screen, p, &|| what.clone(), cues, at, diags) else {
            continue;
        };
        if let Some(first) = seen.insert(screen.key(&term), p) {
            diags.warning(
                at,
                format!("{what} matches the same words as \"{first}\"; one is enough"),
            );
        }
        if screen.screen(p) != Verdict::Crisis {
            let why = screen
                .explain(p)
                .findings
                .iter()
                .find(|f| f.source == Source::Crisis)
                .map_or("its words do not match themselves", |f| match f.status {
                    Status::Excluded => "an idiom or crisis exclude covers it",
                    Status::Negated => "it reads as negated",
                    _ => "it is not read as crisis",
                });
            diags.error(
                at,
                format!("{what} does not trigger the crisis reply on its own: {why}"),
            );
        }
    }
    for (list, name) in [
        (&c.hopelessness, "hopelessness"),
        (&c.idioms, "idiom"),
        (&c.exclude, "exclude"),
    ] {
        for p in rules.expand(list).terms {
            check_term(
                screen,
                p,
                &|| format!("[crisis] {name} \"{p}\""),
                cues,
                at,
                diags,
            );
        }
    }
}

/// Every cue, by key, with the list it is in (for "this phrase is a cue" errors).
fn cue_keys(rules: &SafetyRules, tester: &Tester) -> HashMap<String, &'static str> {
    let mut out = HashMap::new();
    for (list, _, name) in super::cue_lists(&rules.negation) {
        for c in list {
            if let Ok(t) = parse_term(c) {
                if !t.words.is_empty() {
                    out.entry(tester.key(&t)).or_insert(name);
                }
            }
        }
    }
    out
}

fn negation_lists(rules: &SafetyRules, tester: &Tester, at: &Origin, diags: &mut Diagnostics) {
    let n = &rules.negation;
    if n.pre.is_empty() {
        diags.warning(
            at,
            "[negation] pre is empty, so \"no fever\" would still escalate",
        );
    }
    for (value, name) in [
        (n.scope_words, "scope_words"),
        (n.short_scope_words, "short_scope_words"),
        (n.emergency_scope_words, "emergency_scope_words"),
        (n.post_scope_words, "post_scope_words"),
    ] {
        if value == 0 || value > MAX_SCOPE {
            diags.error(
                at,
                format!("[negation] {name} = {value}; use 1 to {MAX_SCOPE} words"),
            );
        }
    }
    let mut where_: HashMap<String, &'static str> = HashMap::new();
    for (list, _, name) in super::cue_lists(&rules.negation) {
        for c in list {
            let what = format!("[negation] {name} \"{c}\"");
            let term = match parse_term(c) {
                Ok(t) if !t.words.is_empty() => t,
                Ok(_) => {
                    diags.error(
                        at,
                        format!("{what} folds to nothing, so it can never match"),
                    );
                    continue;
                }
                Err(e) => {
                    diags.error(at, format!("{what}: {e}"));
                    continue;
                }
            };
            let key = tester.key(&term);
            match where_.get(&key) {
                Some(&first) if first == name => {
                    diags.warning(at, format!("{what} is listed twice"));
                }
                // A cue that negates both ways ("ruled out") is meant to be in both lists.
                Some(&first)
                    if matches!(
                        (first, name),
                        ("pre", "post") | ("list_words", "alternatives")
                    ) => {}
                Some(&first) => diags.error(
                    at,
                    format!(
                        "{what} is also in {first}; a cue has one meaning, and the longer \
                         list entry would hide the other"
                    ),
                ),
                None => {
                    where_.insert(key, name);
                }
            }
        }
    }
    // A filler is stepped over inside terms: a negation or a terminator stepped over would
    // turn "can not walk" into "can walk". Compared by stem ("denied" is the cue "denies").
    let single = |list: &[String]| -> std::collections::HashSet<String> {
        list.iter()
            .filter_map(|c| parse_term(c).ok())
            .filter(|t| t.words.len() == 1)
            .map(|t| tester.key(&t))
            .collect()
    };
    let forbidden = [
        (single(&n.pre), "pre"),
        (single(&n.pre_short), "pre_short"),
        (single(&n.terminators), "terminators"),
        (single(&n.pseudo), "pseudo"),
    ];
    for w in &n.fillers {
        let term = match parse_term(w) {
            Ok(t) if t.words.len() == 1 => t,
            _ => {
                diags.error(at, format!("[negation] filler \"{w}\" must be one word"));
                continue;
            }
        };
        let key = tester.key(&term);
        if let Some((_, name)) = forbidden.iter().find(|(set, _)| set.contains(&key)) {
            diags.error(
                at,
                format!(
                    "[negation] filler \"{w}\" is also in {name}; stepping over it would \
                     change what a term means"
                ),
            );
        }
    }
    for w in &n.known_words {
        if text::fold(w).is_empty() {
            diags.error(
                at,
                format!("[negation] known word \"{w}\" folds to nothing"),
            );
        }
    }
}

/// `[screen_model]`: the crisis reader gives no rule's reply; the red-flag reader names an
/// existing red flag; every head has sound numbers.
fn model_heads(m: &crate::knowledge::ScreenModel, rules: &SafetyRules, diags: &mut Diagnostics) {
    let at = &m.origin;
    model_weights(&m.crisis, "crisis", at, diags);
    if m.crisis.rule.is_some() {
        diags.error(
            at,
            "[screen_model.crisis] has a `rule`, but the crisis reader always gives the crisis \
             reply; remove it",
        );
    }
    if let Some(head) = &m.red_flag {
        model_weights(head, "red_flag", at, diags);
        match head.rule.as_deref() {
            None => diags.error(
                at,
                "[screen_model.red_flag] needs `rule`: the id of the [[red_flag]] whose reply \
                 it gives",
            ),
            Some(id) if !rules.red_flags.iter().any(|(r, _)| r.id == id) => diags.error(
                at,
                format!("[screen_model.red_flag] rule `{id}` is not a [[red_flag]] id"),
            ),
            Some(_) => {}
        }
    }
}

/// One reader: a threshold it can reach, finite numbers, and features it can produce (one
/// stem or two, lower-case letters and digits).
fn model_weights(
    c: &crate::knowledge::LinearModel,
    head: &str,
    at: &Origin,
    diags: &mut Diagnostics,
) {
    if !(c.threshold > 0.0 && c.threshold < 1.0) {
        diags.error(
            at,
            format!(
                "[screen_model.{head}] threshold {} must be between 0 and 1",
                c.threshold
            ),
        );
    }
    if !c.bias.is_finite() {
        diags.error(
            at,
            format!("[screen_model.{head}] bias must be a finite number"),
        );
    }
    for (feature, w) in &c.weights {
        let words: Vec<&str> = feature.split(' ').collect();
        let plain = words.iter().all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !w.is_finite() {
            diags.error(
                at,
                format!("[screen_model.{head}] weight of \"{feature}\" is not a finite number"),
            );
        } else if !plain || words.len() > 2 {
            diags.warning(
                at,
                format!(
                    "[screen_model.{head}] feature \"{feature}\" can never be read: features \
                     are one stem or two, in lower-case letters and digits, separated by one \
                     space"
                ),
            );
        }
    }
}
