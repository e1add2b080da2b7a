//! The safety screen: red flags and crisis language, checked before any matching.
//!
//! STUB: the real screen (phrase units, negation scope, experiencer, uncertainty) replaces the
//! naive substring check below. The public API (`RedFlagRule`, `CrisisRules`,
//! `NegationRules`, `SafetyScreen::new`, `SafetyScreen::screen`, `Verdict`, `validate_rules`)
//! is what the rest of the crate uses.

use serde::{Deserialize, Serialize};

use crate::knowledge::{Diagnostics, SafetyRules};
use crate::normalize;

/// How soon someone should get help. Ordered most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    /// Now: emergency department or emergency number.
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedFlagRule {
    pub id: String,
    pub title: String,
    pub urgency: Urgency,
    /// Lay phrases matched as whole units after normalisation.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// What to tell the person.
    pub reply: String,
}

/// `[crisis]`: self-harm language and the reply with helplines.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisRules {
    pub phrases: Vec<String>,
    /// Figures of speech that must not trigger on their own ("this sciatica is killing me").
    #[serde(default)]
    pub idioms: Vec<String>,
    pub reply: String,
}

/// `[negation]`: the NegEx-style cue lists, adapted to lay speech.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegationRules {
    /// Cues that negate what follows ("no", "without", "denies").
    pub pre: Vec<String>,
    /// Cues that negate what precedes ("ruled out", "is fine").
    #[serde(default)]
    pub post: Vec<String>,
    /// Words that end a negation's scope ("but", "however").
    #[serde(default)]
    pub terminators: Vec<String>,
}

/// What the screen decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clear,
    Crisis,
    /// Indices into `SafetyRules::red_flags`, most urgent first.
    RedFlags(Vec<usize>),
}

pub struct SafetyScreen {
    red_flags: Vec<(Vec<String>, Urgency)>,
    crisis: Vec<String>,
}

impl SafetyScreen {
    pub fn new(rules: &SafetyRules) -> Self {
        Self {
            red_flags: rules
                .red_flags
                .iter()
                .map(|(r, _)| {
                    (
                        r.phrases.iter().map(|p| normalize::fold(p)).collect(),
                        r.urgency,
                    )
                })
                .collect(),
            crisis: rules
                .crisis
                .phrases
                .iter()
                .map(|p| normalize::fold(p))
                .collect(),
        }
    }

    pub fn screen(&self, text: &str) -> Verdict {
        let t = format!(" {} ", normalize::fold(text));
        if self.crisis.iter().any(|p| t.contains(&format!(" {p} "))) {
            return Verdict::Crisis;
        }
        let mut hits: Vec<usize> = self
            .red_flags
            .iter()
            .enumerate()
            .filter(|(_, (ps, _))| ps.iter().any(|p| t.contains(&format!(" {p} "))))
            .map(|(i, _)| i)
            .collect();
        hits.sort_by_key(|&i| self.red_flags[i].1);
        if hits.is_empty() {
            Verdict::Clear
        } else {
            Verdict::RedFlags(hits)
        }
    }
}

/// Problems in the safety rules themselves (empty rules, empty replies...).
pub fn validate_rules(rules: &SafetyRules, diags: &mut Diagnostics) {
    for (r, at) in &rules.red_flags {
        if r.phrases.is_empty() {
            diags.error(at, format!("red flag `{}` has no phrases", r.id));
        }
        if r.reply.trim().is_empty() {
            diags.error(at, format!("red flag `{}` has an empty reply", r.id));
        }
    }
}
