//! The safety screen: red flags and crisis language, checked before any matching.
//!
//! # How a message is read
//! - `text` cuts the raw message at punctuation into sentences and clauses; each piece is
//!   folded with [`crate::normalize::fold`] (which takes an ASCII fast path when it can).
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
mod lexicon;
mod text;
mod validate;

use serde::{Deserialize, Serialize};

use crate::knowledge::{Origin, SafetyRules};
use lexicon::{parse_term, Term, Trie, Vocab, WordPat};

pub use validate::validate_rules;

/// How soon someone should get help. Ordered most urgent first.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// Now: emergency department or emergency number.
    #[default]
    Emergency,
    /// Today: urgent care, GP or 111 today.
    Urgent,
    /// Within days: book a doctor's appointment.
    Soon,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Emergency => "emergency",
            Urgency::Urgent => "urgent",
            Urgency::Soon => "soon",
        }
    }
}

/// `[[red_flag]]`: one category of warning sign.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlagRule {
    pub id: String,
    pub title: String,
    pub urgency: Urgency,
    /// Terms that are a warning sign on their own ("cant pee", "saddle numbness").
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Combinations: one term of every group, close together ("numb" near "groin").
    #[serde(default)]
    pub combo: Vec<Combo>,
    /// Terms that cancel this rule's matches they overlap ("hay fever", "bike saddle").
    #[serde(default)]
    pub exclude: Vec<String>,
    /// True when a past occurrence is itself the warning sign (a history of cancer).
    #[serde(default)]
    pub history_counts: bool,
    /// Whether a hypothetical or general question ("what are the signs of...") silences this
    /// rule. Default: yes below the emergency tier, no on it (when in doubt, escalate).
    #[serde(default)]
    pub hypothetical_silences: Option<bool>,
    /// What to tell the person.
    pub reply: String,
}

/// `[[red_flag.combo]]`: a term from each group of `all_of`, all within `within` words.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combo {
    pub all_of: Vec<Vec<String>>,
    /// Most words between the first words of the matched terms (default 8).
    #[serde(default)]
    pub within: Option<usize>,
}

/// Words between matched terms of a combo when `within` is not given.
pub const DEFAULT_WITHIN: usize = 8;
/// Largest `within` and most groups a combo may have.
pub const MAX_WITHIN: usize = 40;
pub const MAX_GROUPS: usize = 8;

/// `[crisis]`: self-harm language and the reply with helplines.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisRules {
    /// Any one of these means crisis ("I want to end it all").
    pub phrases: Vec<String>,
    /// Figures of speech that never trigger on their own ("this sciatica is killing me"), and
    /// cancel a crisis phrase they overlap.
    #[serde(default)]
    pub idioms: Vec<String>,
    /// Despair that means crisis only together with an idiom or a second such phrase
    /// ("killing me ... I can't take it anymore").
    #[serde(default)]
    pub hopelessness: Vec<String>,
    /// Terms that cancel crisis phrases they overlap without being idioms ("can't go on
    /// walks" is not "I can't go on").
    #[serde(default)]
    pub exclude: Vec<String>,
    pub reply: String,
    /// Where `[crisis]` is written, for diagnostics (set by the loader).
    #[serde(skip)]
    pub origin: Origin,
}

/// `[negation]`: the context cue lists (NegEx/ConText adapted to lay speech) and their reach.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegationRules {
    /// Cues that negate what follows, up to `scope_words` ("no", "without", "denies").
    pub pre: Vec<String>,
    /// Cues that negate only the next `short_scope_words` ("not", "isnt", "never").
    #[serde(default)]
    pub pre_short: Vec<String>,
    /// Cues that negate what precedes, up to `post_scope_words` ("is fine", "ruled out").
    #[serde(default)]
    pub post: Vec<String>,
    /// Words that end any cue's reach ("but", "however", "still").
    #[serde(default)]
    pub terminators: Vec<String>,
    /// Look like negation but are not ("no idea", "not only"); they switch off the cues inside.
    #[serde(default)]
    pub pseudo: Vec<String>,
    /// Doubt ("not sure if", "maybe"): a finding in doubt counts as present.
    #[serde(default)]
    pub uncertainty: Vec<String>,
    /// Hypotheticals and general questions ("what if", "can sciatica cause").
    #[serde(default)]
    pub hypothetical: Vec<String>,
    /// The distant past ("years ago", "as a child").
    #[serde(default)]
    pub history: Vec<String>,
    /// Someone else ("my dad", "my wife").
    #[serde(default)]
    pub experiencer: Vec<String>,
    /// List joiners that let an emergency-tier negation cross a comma ("no numbness, tingling
    /// or weakness").
    #[serde(default)]
    pub list_words: Vec<String>,
    /// Correct words that look like a typo of a rule word ("election", "leaning").
    #[serde(default)]
    pub known_words: Vec<String>,
    #[serde(default = "default_scope")]
    pub scope_words: usize,
    #[serde(default = "default_short_scope")]
    pub short_scope_words: usize,
    #[serde(default = "default_strict_scope")]
    pub emergency_scope_words: usize,
    #[serde(default = "default_post_scope")]
    pub post_scope_words: usize,
    /// Where `[negation]` is written, for diagnostics (set by the loader).
    #[serde(skip)]
    pub origin: Origin,
}

fn default_scope() -> usize {
    6
}
fn default_short_scope() -> usize {
    3
}
fn default_strict_scope() -> usize {
    4
}
fn default_post_scope() -> usize {
    4
}

impl Default for NegationRules {
    fn default() -> Self {
        Self {
            pre: Vec::new(),
            pre_short: Vec::new(),
            post: Vec::new(),
            terminators: Vec::new(),
            pseudo: Vec::new(),
            uncertainty: Vec::new(),
            hypothetical: Vec::new(),
            history: Vec::new(),
            experiencer: Vec::new(),
            list_words: Vec::new(),
            known_words: Vec::new(),
            scope_words: default_scope(),
            short_scope_words: default_short_scope(),
            emergency_scope_words: default_strict_scope(),
            post_scope_words: default_post_scope(),
            origin: Origin::default(),
        }
    }
}

/// Largest reach a scope setting may have.
pub const MAX_SCOPE: usize = 20;

/// What the screen decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clear,
    Crisis,
    /// Indices into `SafetyRules::red_flags`, most urgent first.
    RedFlags(Vec<usize>),
}

/// Which list a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Index into `SafetyRules::red_flags`.
    RedFlag(usize),
    Crisis,
    Hopelessness,
    Idiom,
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
}

/// One rule term found in a message, and what the context made of it. Holds the rule's own
/// wording, never the user's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub source: Source,
    /// The term as written in the rules.
    pub term: String,
    pub status: Status,
    /// Said about someone else ("my dad can't pee"); still escalates.
    pub other_person: bool,
    /// One part of a combo; the rule fires only if the whole combo is there.
    pub in_combo: bool,
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
    Group { rule: u32, combo: u16, group: u8 },
    Exclude(u32),
    Crisis,
    Hopeless,
    Idiom,
    CrisisExclude,
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
    History,
    Experiencer,
    List,
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
    urgency: Urgency,
    history_counts: bool,
    hypothetical_silences: bool,
    combos: Vec<ComboInfo>,
}

#[derive(Debug)]
struct ComboInfo {
    within: u32,
    groups: u8,
}

#[derive(Debug, Clone, Copy)]
struct Scopes {
    pre: u32,
    short: u32,
    strict: u32,
    post: u32,
}

/// The compiled screen. Build once per knowledge load; screening is read-only and cheap.
#[derive(Debug)]
pub struct SafetyScreen {
    vocab: Vocab,
    trie: Trie,
    terms: Vec<TermInfo>,
    rules: Vec<RuleInfo>,
    scopes: Scopes,
}

impl SafetyScreen {
    /// Compile the rules. Terms with syntax errors are skipped here (validation reports them),
    /// so a screen can always be built.
    pub fn new(rules: &SafetyRules) -> Self {
        let mut b = Builder::default();
        for (ri, (rule, _)) in rules.red_flags.iter().enumerate() {
            let ri = ri as u32;
            for p in &rule.phrases {
                b.add(p, Role::Phrase(ri), true);
            }
            let mut combos = Vec::new();
            for (ci, combo) in rule.combo.iter().enumerate() {
                let groups = combo.all_of.len().min(MAX_GROUPS);
                for (gi, group) in combo.all_of.iter().take(groups).enumerate() {
                    for t in group {
                        let role = Role::Group {
                            rule: ri,
                            combo: ci as u16,
                            group: gi as u8,
                        };
                        b.add(t, role, true);
                    }
                }
                combos.push(ComboInfo {
                    within: combo.within.unwrap_or(DEFAULT_WITHIN).clamp(1, MAX_WITHIN) as u32,
                    groups: groups as u8,
                });
            }
            for x in &rule.exclude {
                b.add(x, Role::Exclude(ri), false);
            }
            b.rules.push(RuleInfo {
                urgency: rule.urgency,
                history_counts: rule.history_counts,
                hypothetical_silences: rule
                    .hypothetical_silences
                    .unwrap_or(rule.urgency != Urgency::Emergency),
                combos,
            });
        }
        let c = &rules.crisis;
        b.add_all(&c.phrases, Role::Crisis, true);
        b.add_all(&c.hopelessness, Role::Hopeless, true);
        b.add_all(&c.idioms, Role::Idiom, false);
        b.add_all(&c.exclude, Role::CrisisExclude, false);
        let n = &rules.negation;
        let lists: [(&[String], Cue); 10] = [
            (&n.pre, Cue::Pre),
            (&n.pre_short, Cue::PreShort),
            (&n.post, Cue::Post),
            (&n.terminators, Cue::Terminator),
            (&n.pseudo, Cue::Pseudo),
            (&n.uncertainty, Cue::Uncertainty),
            (&n.hypothetical, Cue::Hypothetical),
            (&n.history, Cue::History),
            (&n.experiencer, Cue::Experiencer),
            (&n.list_words, Cue::List),
        ];
        for (list, cue) in lists {
            b.add_all(list, Role::Cue(cue), false);
        }
        for w in &n.known_words {
            for word in crate::normalize::words(&crate::normalize::fold(w)) {
                b.vocab.add_known(word);
            }
        }
        let scope = |v: usize| v.clamp(1, MAX_SCOPE) as u32;
        b.finish(Scopes {
            pre: scope(n.scope_words),
            short: scope(n.short_scope_words),
            strict: scope(n.emergency_scope_words),
            post: scope(n.post_scope_words),
        })
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
    /// different parts of one rule's combos do.
    pub fn mentions_safety_terms(&self, text: &str) -> bool {
        let findings = self.explain(text).findings;
        findings.iter().any(|f| {
            !f.in_combo
                || findings
                    .iter()
                    .any(|g| g.in_combo && g.source == f.source && g.term != f.term)
        })
    }
}

/// Collects compiled terms while [`SafetyScreen::new`] runs.
#[derive(Default)]
struct Builder {
    vocab: Vocab,
    trie: Trie,
    terms: Vec<TermInfo>,
    parsed: Vec<Term>,
    rules: Vec<RuleInfo>,
    /// Rule words repeat across terms; Snowball is the slow part of compiling.
    stems: lexicon::FastMap<String, String>,
}

impl Builder {
    fn stem(&mut self, w: &str) -> String {
        if let Some(s) = self.stems.get(w) {
            return s.clone();
        }
        let s = crate::normalize::stem(w);
        self.stems.insert(w.to_string(), s.clone());
        s
    }
}

impl Builder {
    fn add_all(&mut self, list: &[String], role: Role, typos: bool) {
        for t in list {
            self.add(t, role, typos);
        }
    }

    /// Compile one term. `typos`: its long words may be misspelled in messages.
    fn add(&mut self, raw: &str, role: Role, typos: bool) {
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
            text: raw.trim().into(),
        });
        self.parsed.push(term);
    }

    /// Mark the terms that contain a negation cue: they are units that are never negated.
    fn finish(mut self, scopes: Scopes) -> SafetyScreen {
        for (i, term) in self.parsed.iter().enumerate() {
            if matches!(self.terms[i].role, Role::Cue(_)) {
                continue;
            }
            let ids: Vec<Vec<u32>> = term
                .words
                .iter()
                .map(|p| {
                    let mut out = Vec::new();
                    let stem = self.stems.get(p.word()).cloned();
                    let stem = stem.unwrap_or_else(|| crate::normalize::stem(p.word()));
                    self.vocab.resolve_stemmed(p.word(), &stem, &mut out);
                    out
                })
                .collect();
            let words: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
            let mut negation = false;
            let terms = &self.terms;
            self.trie.find_all(&words, |t, _, _| {
                negation |= matches!(terms[t as usize].role, Role::Cue(Cue::Pre | Cue::PreShort));
            });
            self.terms[i].negation = negation;
        }
        SafetyScreen {
            vocab: self.vocab,
            trie: self.trie,
            terms: self.terms,
            rules: self.rules,
            scopes,
        }
    }
}
