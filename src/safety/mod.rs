//! The safety screen: red flags and crisis language, checked before any matching.
//!
//! # How a message is read
//! - `text` cuts the raw message at punctuation into sentences and clauses; each piece is
//!   folded with [`crate::text::fold`] (which takes an ASCII fast path when it can).
//! - `lexicon` resolves every distinct word once to the rule words it can stand for (same
//!   stem, exact word, prefix, or a close typo of a long word), after a bit-set filter on its
//!   first letters; a word trie then finds every rule term and context cue in a sentence.
//!   Everything is linear in the message; nothing backtracks.
//! - `context` decides, NegEx-style, whether each finding is negated ("no fever"),
//!   hypothetical ("what if"), in the past ("years ago") or about someone else ("my dad"),
//!   then combines findings into red flags and crisis.
//! - `validate` checks the rules themselves when knowledge loads, screening every phrase
//!   on its own.
//!
//! Everything that says *what* to look for is data in `knowledge/safety.toml`; this module
//! only says *how* to read it. The reading policy (documented in that file's header and in
//! `context`): terms that contain a negation are never negated; doubt counts as positive;
//! on the emergency tier a negation reaches less far and stops at a comma; hypothetical
//! questions silence only urgent and soon flags (unless a rule says otherwise); the distant
//! past silences a flag unless the history itself is the warning sign (cancer).

mod context;
mod describe;
mod lexicon;
pub mod model;
mod validate;

pub use crate::knowledge::safety_rules::{
    Combo, CrisisRules, Group, NegationRules, RedFlagRule, Scope, Urgency, DEFAULT_WITHIN,
    MAX_GROUPS, MAX_SCOPE, MAX_WITHIN,
};
use crate::knowledge::SafetyRules;
use lexicon::{parse_term, Term, Trie, Vocab, WordPat};

pub use describe::describe_rules;
pub use validate::validate_rules;

/// What the screen decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clear,
    Crisis,
    RedFlags {
        /// Indices into `SafetyRules::red_flags`, most urgent first.
        rules: Vec<usize>,
        /// Every sign was told about someone else ("my dad can't pee"): the reply is phrased
        /// for helping them get seen.
        someone_else: bool,
    },
}

impl Verdict {
    /// The red-flag rules that fired (empty for clear and crisis).
    pub fn red_flags(&self) -> &[usize] {
        match self {
            Verdict::RedFlags { rules, .. } => rules,
            _ => &[],
        }
    }
}

/// Which list a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Index into `SafetyRules::red_flags`.
    RedFlag(usize),
    Crisis,
    Hopelessness,
    Idiom,
    /// A learned reader ([`model`]); the term says which and why.
    Model,
}

/// What the context made of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// It counts.
    Counts,
    /// "no", "without", "is fine"...
    Negated,
    /// "what if", "can sciatica cause" (only below the emergency tier).
    Hypothetical,
    /// "years ago", "used to".
    Historical,
    /// Inside an `exclude` term or an idiom.
    Excluded,
    /// About a pet or a thing ("my dog can't pee", "my phone died").
    NotAPerson,
    /// Someone else's sign while the back or leg trouble in the message is the writer's
    /// alone ("my son had a fever ... now my sciatica is grumbling"), for a rule with
    /// `others_need_complaint`.
    Bystander,
    /// After a figure of speech ("feels like I've been hit by a bus"), for a rule with
    /// `figurative_silences`.
    Figurative,
}

/// One rule term found in a message, and what the context made of it. Holds the rule's own
/// wording, never the user's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    /// The term as written in the rules, with the concept it came from ("numb (@numb)").
    pub term: String,
    pub status: Status,
    /// Said about someone else ("my dad can't pee"); still escalates.
    pub other_person: bool,
    /// One part of a combo (which combo of the rule, which group); the rule fires only if
    /// the whole combo is there.
    pub part: Option<(u16, u8)>,
}

/// The verdict with the findings behind it, for tests, `check` and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
}

/// Most findings [`SafetyScreen::explain`] keeps (a 100k-character message has thousands).
pub const MAX_FINDINGS: usize = 200;

/// The role of one compiled term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Phrase(u32),
    Group {
        rule: u32,
        combo: u16,
        group: u8,
    },
    Exclude(u32),
    Crisis,
    Hopeless,
    Idiom,
    CrisisExclude,
    /// The back or leg trouble itself: whose it is, not a sign.
    Complaint,
    Cue(Cue),
}

/// Context cue kinds, one per list in `[negation]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Pre,
    PreShort,
    Post,
    Terminator,
    Pseudo,
    Uncertainty,
    Hypothetical,
    General,
    History,
    Figurative,
    Writer,
    Reported,
    SelfDescribed,
    Shared,
    Experiencer,
    NotAPerson,
    List,
    Alternative,
}

#[derive(Debug)]
struct TermInfo {
    role: Role,
    /// Contains a negation cue ("no bladder control"): matched as a unit, never negated.
    negation: bool,
    text: Box<str>,
}

#[derive(Debug)]
struct RuleInfo {
    /// The crisis rule's combos (the last rule), not a red flag.
    crisis: bool,
    urgency: Urgency,
    history_counts: bool,
    hypothetical_silences: bool,
    figurative_silences: bool,
    others_need_complaint: bool,
    combos: Vec<ComboInfo>,
}

#[derive(Debug)]
struct ComboInfo {
    within: u32,
    groups: u8,
    scope: Scope,
}

#[derive(Debug, Clone, Copy)]
struct Scopes {
    pre: u32,
    short: u32,
    strict: u32,
    post: u32,
    crisis: u32,
}

/// The compiled screen. Build once per knowledge load; screening is read-only and cheap.
#[derive(Debug)]
pub struct SafetyScreen {
    vocab: Vocab,
    trie: Trie,
    terms: Vec<TermInfo>,
    rules: Vec<RuleInfo>,
    scopes: Scopes,
    /// The learned crisis reader, if the knowledge has one.
    model: Option<model::Reader>,
    /// The learned red-flag reader with the index of the rule whose reply it gives.
    red_model: Option<(model::Reader, u32)>,
}

impl SafetyScreen {
    /// Compile the rules. Terms with syntax errors are skipped here (validation reports them),
    /// so a screen can always be built.
    pub fn new(rules: &SafetyRules) -> Self {
        let mut b = Builder::new(rules);
        for (ri, (rule, _)) in rules.red_flags.iter().enumerate() {
            let ri = ri as u32;
            b.add_all(&rule.phrases, Role::Phrase(ri), true);
            let combos = b.combos(ri, &rule.combo);
            b.add_all(&rule.exclude, Role::Exclude(ri), false);
            b.rules.push(RuleInfo {
                crisis: false,
                urgency: rule.urgency,
                history_counts: rule.history_counts,
                hypothetical_silences: rule
                    .hypothetical_silences
                    .unwrap_or(rule.urgency != Urgency::Emergency),
                figurative_silences: rule.figurative_silences,
                others_need_complaint: rule.others_need_complaint,
                combos,
            });
        }
        let c = &rules.crisis;
        b.add_all(&c.phrases, Role::Crisis, true);
        b.add_all(&c.hopelessness, Role::Hopeless, true);
        b.add_all(&c.idioms, Role::Idiom, false);
        b.add_all(&c.exclude, Role::CrisisExclude, false);
        // The crisis combos are one more rule after the red flags; crisis leans to
        // sensitivity, so neither a hypothetical nor the past silences them (only a negation
        // or an idiom does, as for crisis phrases).
        let crisis_rule = rules.red_flags.len() as u32;
        let combos = b.combos(crisis_rule, &c.combo);
        b.rules.push(RuleInfo {
            crisis: true,
            urgency: Urgency::Emergency,
            history_counts: true,
            hypothetical_silences: false,
            figurative_silences: false,
            others_need_complaint: false,
            combos,
        });
        let n = &rules.negation;
        for (list, cue, _) in cue_lists(n) {
            b.add_all(list, Role::Cue(cue), false);
        }
        b.add_all(&n.complaint, Role::Complaint, true);
        for w in &n.fillers {
            for word in crate::text::words(&crate::text::fold(w)) {
                b.vocab.add_filler(word);
            }
        }
        for w in &n.known_words {
            for word in crate::text::words(&crate::text::fold(w)) {
                b.vocab.add_known(word);
            }
        }
        let scope = |v: usize| v.clamp(1, MAX_SCOPE) as u32;
        b.finish(Scopes {
            pre: scope(n.scope_words),
            short: scope(n.short_scope_words),
            strict: scope(n.emergency_scope_words),
            post: scope(n.post_scope_words),
            crisis: n.crisis_scope_words.min(MAX_SCOPE) as u32,
        })
        .with_models(rules)
    }

    /// The learned readers of `[screen_model]` (a red-flag reader whose rule no file defines
    /// is left out here; validation reports it).
    fn with_models(mut self, rules: &SafetyRules) -> Self {
        let Some(m) = &rules.model else { return self };
        self.model = Some(model::Reader::new(&m.crisis));
        self.red_model = m.red_flag.as_ref().and_then(|head| {
            let id = head.rule.as_deref()?;
            let index = rules.red_flags.iter().position(|(r, _)| r.id == id)?;
            Some((model::Reader::new(head), index as u32))
        });
        self
    }

    /// Screen one message. Crisis wins over red flags; red flags come most urgent first.
    pub fn screen(&self, text: &str) -> Verdict {
        self.run(text, None)
    }

    /// [`Self::screen`] reusing word lookups across calls (validation screens hundreds of
    /// short rule phrases).
    pub(crate) fn screen_with(&self, text: &str, memo: &mut context::WordMemo) -> Verdict {
        self.run_with(text, None, memo)
    }

    /// Like [`Self::screen`], with the findings behind the verdict (at most [`MAX_FINDINGS`]).
    pub fn explain(&self, text: &str) -> Screening {
        let mut findings = Vec::new();
        let verdict = self.run(text, Some(&mut findings));
        Screening { verdict, findings }
    }

    /// Whether `text` holds red-flag or crisis vocabulary, whatever the context made of it
    /// (negated, hypothetical, historical, about someone else): for places that must never
    /// keep such a message, like the unanswered-question log. A lone part of a combo ("numb"
    /// with no saddle-area word) is everyday sciatica vocabulary and does not count; two
    /// different parts of one rule's combos do. Words an exclude or a pet covers do not.
    pub fn mentions_safety_terms(&self, text: &str) -> bool {
        // An exclude or idiom says the word is not meant that way ("massage gun").
        let findings: Vec<Finding> = self
            .explain(text)
            .findings
            .into_iter()
            .filter(|f| !matches!(f.status, Status::Excluded | Status::NotAPerson))
            .collect();
        findings.iter().any(|f| match f.part {
            None => true,
            Some((combo, group)) => findings.iter().any(|g| {
                g.source == f.source && g.part.is_some_and(|(c, gr)| c == combo && gr != group)
            }),
        })
    }
}

/// The `[negation]` lists with the cue each one holds and its name in the file: the one
/// table the compile and the checks (`validate.rs`) both read.
fn cue_lists(n: &NegationRules) -> [(&[String], Cue, &'static str); 18] {
    [
        (&n.pre, Cue::Pre, "pre"),
        (&n.pre_short, Cue::PreShort, "pre_short"),
        (&n.post, Cue::Post, "post"),
        (&n.terminators, Cue::Terminator, "terminators"),
        (&n.pseudo, Cue::Pseudo, "pseudo"),
        (&n.uncertainty, Cue::Uncertainty, "uncertainty"),
        (&n.hypothetical, Cue::Hypothetical, "hypothetical"),
        (&n.general, Cue::General, "general"),
        (&n.history, Cue::History, "history"),
        (&n.figurative, Cue::Figurative, "figurative"),
        (&n.writer, Cue::Writer, "writer"),
        (&n.reported, Cue::Reported, "reported"),
        (&n.self_described, Cue::SelfDescribed, "self_described"),
        (&n.shared, Cue::Shared, "shared"),
        (&n.experiencer, Cue::Experiencer, "experiencer"),
        (&n.not_a_person, Cue::NotAPerson, "not_a_person"),
        (&n.list_words, Cue::List, "list_words"),
        (&n.alternatives, Cue::Alternative, "alternatives"),
    ]
}

/// Collects compiled terms while [`SafetyScreen::new`] runs.
struct Builder<'r> {
    rules_in: &'r SafetyRules,
    vocab: Vocab,
    trie: Trie,
    terms: Vec<TermInfo>,
    /// Each distinct term once, parsed.
    parsed: Vec<Term>,
    /// For each compiled term, its entry in `parsed`.
    origin: Vec<u32>,
    rules: Vec<RuleInfo>,
    /// Rule words repeat across terms; Snowball is the slow part of compiling.
    stems: crate::text::Stems,
    /// Each term compiled so far, by its text: a concept's terms come back for every rule
    /// that uses it, and their word ids do not change.
    /// Typos or not is part of the key: it changes what the first compile did.
    compiled: crate::text::FastMap<(&'r str, bool), (Vec<u32>, usize)>,
}

impl<'r> Builder<'r> {
    fn new(rules_in: &'r SafetyRules) -> Self {
        Self {
            rules_in,
            vocab: Vocab::default(),
            trie: Trie::default(),
            terms: Vec::new(),
            parsed: Vec::new(),
            origin: Vec::new(),
            rules: Vec::new(),
            stems: crate::text::Stems::default(),
            compiled: Default::default(),
        }
    }

    fn stem(&mut self, w: &str) -> String {
        self.stems.get(w).to_string()
    }

    /// Compile every term of `list`, concepts expanded (unknown concepts are skipped here;
    /// validation reports them).
    fn add_all(&mut self, list: &'r [String], role: Role, typos: bool) {
        let rules = self.rules_in;
        for t in list {
            match crate::knowledge::safety_rules::concept_name(t) {
                Some(name) => {
                    for term in rules.expand(std::slice::from_ref(t)).terms {
                        self.add(term, &format!("{term} (@{name})"), role, typos);
                    }
                }
                None => self.add(t, t.trim(), role, typos),
            }
        }
    }

    /// Compile the combos of rule `ri`.
    fn combos(&mut self, ri: u32, combos: &'r [Combo]) -> Vec<ComboInfo> {
        let mut out = Vec::new();
        for (ci, combo) in combos.iter().enumerate() {
            let groups = combo.all_of.len().min(MAX_GROUPS);
            for (gi, group) in combo.all_of.iter().take(groups).enumerate() {
                let role = Role::Group {
                    rule: ri,
                    combo: ci as u16,
                    group: gi as u8,
                };
                self.add_all(group.terms(), role, true);
            }
            let within = match (combo.within, combo.scope) {
                (None, Scope::Message) => u32::MAX,
                (w, _) => w.unwrap_or(DEFAULT_WITHIN).clamp(1, MAX_WITHIN) as u32,
            };
            out.push(ComboInfo {
                within,
                groups: groups as u8,
                scope: combo.scope,
            });
        }
        out
    }

    /// Compile one term; `label` is how findings name it. `typos`: its words may be
    /// misspelt in messages.
    fn add(&mut self, raw: &'r str, label: &str, role: Role, typos: bool) {
        if let Some((ids, first)) = self.compiled.get(&(raw, typos)) {
            let index = self.terms.len() as u32;
            self.trie.insert(ids, index);
            self.terms.push(TermInfo {
                role,
                negation: false,
                text: label.into(),
            });
            self.origin.push(*first as u32);
            return;
        }
        let Ok(term) = parse_term(raw) else { return };
        if term.words.is_empty() {
            return;
        }
        let ids: Vec<u32> = term
            .words
            .iter()
            .map(|p| {
                let stem = match p {
                    WordPat::Stem(w) => self.stem(w),
                    _ => String::new(),
                };
                let id = self.vocab.intern_stemmed(p, stem);
                if typos {
                    self.vocab.allow_typos(p, id);
                }
                id
            })
            .collect();
        let index = self.terms.len() as u32;
        self.trie.insert(&ids, index);
        self.terms.push(TermInfo {
            role,
            negation: false,
            text: label.into(),
        });
        self.compiled.insert((raw, typos), (ids, self.parsed.len()));
        self.origin.push(self.parsed.len() as u32);
        self.parsed.push(term);
    }

    /// Mark the terms that contain a negation cue: they are units that are never negated.
    fn finish(mut self, scopes: Scopes) -> SafetyScreen {
        self.vocab.seal();
        let parsed = std::mem::take(&mut self.parsed);
        let origin = std::mem::take(&mut self.origin);
        // Only a term with a word of a negation cue can contain one: the others skip the
        // word lookups and the trie walk below (most terms; this was half the compile time).
        let mut cue_words: crate::text::FastSet<String> = crate::text::FastSet::default();
        for (i, &o) in origin.iter().enumerate() {
            if matches!(self.terms[i].role, Role::Cue(Cue::Pre | Cue::PreShort)) {
                for p in &parsed[o as usize].words {
                    cue_words.insert(p.word().to_string());
                    cue_words.insert(self.stems.get(p.word()).to_string());
                }
            }
        }
        // A concept's terms come back for each rule that uses it: the answer depends only on
        // the words, so each distinct term is walked once.
        let mut walked: Vec<Option<bool>> = vec![None; parsed.len()];
        for (i, &o) in origin.iter().enumerate() {
            if matches!(self.terms[i].role, Role::Cue(_)) {
                continue;
            }
            if let Some(negation) = walked[o as usize] {
                self.terms[i].negation = negation;
                continue;
            }
            let term = &parsed[o as usize];
            let may_hold_cue = term.words.iter().any(|p| {
                cue_words.contains(p.word()) || cue_words.contains(self.stems.get(p.word()))
            });
            if !may_hold_cue {
                walked[o as usize] = Some(false);
                continue;
            }
            let ids: Vec<Vec<u32>> = term
                .words
                .iter()
                .map(|p| {
                    let mut out = Vec::new();
                    let stem = self.stems.get(p.word()).to_string();
                    self.vocab.resolve_stemmed(p.word(), &stem, &mut out);
                    out
                })
                .collect();
            let words: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
            let mut negation = false;
            let terms = &self.terms;
            self.trie.find_all(&words, |t, _, _, _| {
                negation |= matches!(terms[t as usize].role, Role::Cue(Cue::Pre | Cue::PreShort));
            });
            self.terms[i].negation = negation;
            walked[o as usize] = Some(negation);
        }
        SafetyScreen {
            vocab: self.vocab,
            trie: self.trie,
            terms: self.terms,
            rules: self.rules,
            scopes,
            model: None,
            red_model: None,
        }
    }
}
