//! The safety rules as admins write them in `knowledge/safety.toml`: named concepts, red-flag
//! rules, the crisis rule and the context cues. This is the model only; `crate::safety`
//! compiles it into the screen.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Origin;

/// A term list entry naming a concept: `@saddle_area`.
pub const CONCEPT_MARK: char = '@';

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
    /// True when someone else's sign is only context while the back or leg trouble in the
    /// message is the writer's alone ("my son had a fever, now my sciatica is grumbling"): a
    /// fever, a cancer or a fall matters beside the back pain of the same person.
    #[serde(default)]
    pub others_need_complaint: bool,
    /// True when a figure of speech before the sign ("feels like I've been hit by a bus")
    /// silences it: it describes a feeling, not an event (trauma).
    #[serde(default)]
    pub figurative_silences: bool,
    /// What to tell the person.
    pub reply: String,
}

/// `[[red_flag.combo]]` and `[[crisis.combo]]`: a term from each group of `all_of`, all
/// within `within` words of one another, inside one `scope`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combo {
    pub all_of: Vec<Group>,
    /// Most words between the first words of the matched terms (default 8; no limit in
    /// `scope = "message"` unless given).
    #[serde(default)]
    pub within: Option<usize>,
    /// Where all the parts must be: one clause, one sentence (the default) or anywhere in
    /// the message ("I have osteoporosis. This morning I sneezed and felt a sudden pain").
    #[serde(default)]
    pub scope: Scope,
}

/// How far apart the parts of a combo may be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Clause,
    #[default]
    Sentence,
    Message,
}

/// One group of a combo: a concept (`"@numb"`) or a list of terms and concepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Group {
    One(String),
    Many(Vec<String>),
}

impl Group {
    pub fn terms(&self) -> &[String] {
        match self {
            Group::One(t) => std::slice::from_ref(t),
            Group::Many(v) => v,
        }
    }
}

/// `[concepts]`: named word lists (`saddle_area = ["groin", "crotch", ...]`). Rules use them
/// as `@saddle_area`; a concept may include another. An admin adds a word once and every
/// rule using the concept gains it.
#[derive(Debug, Clone)]
pub struct Concept {
    pub terms: Vec<String>,
    pub origin: Origin,
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
    /// Concept combinations that mean crisis ("@self_subject" near "@wish_dead").
    #[serde(default)]
    pub combo: Vec<Combo>,
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
    /// Hypotheticals and general questions ("what if", "can sciatica cause"): they silence
    /// urgent and soon signs (and emergency ones where a rule says so).
    #[serde(default)]
    pub hypothetical: Vec<String>,
    /// Asking what a sign or word means, not having it ("what is saddle anaesthesia", "the
    /// warning signs to look out for"): silences every tier. The FAQ answers these.
    #[serde(default)]
    pub general: Vec<String>,
    /// The distant past ("years ago", "as a child").
    #[serde(default)]
    pub history: Vec<String>,
    /// Someone else ("my dad", "my wife").
    #[serde(default)]
    pub experiencer: Vec<String>,
    /// A figure of speech ahead ("feels like", "as if"): what follows describes a feeling,
    /// not an event, for rules with [`RedFlagRule::figurative_silences`].
    #[serde(default)]
    pub figurative: Vec<String>,
    /// The writer ("i", "me", "my"): between someone else and a sign, it makes the sign
    /// possibly the writer's ("my husband thinks I have a fever").
    #[serde(default)]
    pub writer: Vec<String>,
    /// Reported speech or thought ("said", "thinks", "told me"): between someone else and a
    /// sign, what follows may be about the writer ("the nurse said she thinks it's a fever"),
    /// so the sign is not surely the other person's.
    #[serde(default)]
    pub reported: Vec<String>,
    /// The writer describing themselves ("I'm a", "as a"): a person named right after it
    /// ("I'm a single mum with breast cancer", "as a dad on chemo") is the writer.
    #[serde(default)]
    pub self_described: Vec<String>,
    /// The writer has the same thing as someone else ("caught it", "me too"): their sign is
    /// the writer's too, never only context.
    #[serde(default)]
    pub shared: Vec<String>,
    /// "or", "nor": a list going on after the sign ("no numbness, tingling or weakness")
    /// lets an emergency-tier negation cross the comma before it.
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// Not a person at all ("my dog", "the car", "my phone"): what follows is not a symptom.
    #[serde(default)]
    pub not_a_person: Vec<String>,
    /// The back or leg trouble itself ("sciatica", "back pain"): whose it is (the writer's, or
    /// `experiencer`'s) decides whether someone else's sign is context (see
    /// [`RedFlagRule::others_need_complaint`]). Terms, not cues: they negate nothing.
    #[serde(default)]
    pub complaint: Vec<String>,
    /// Words a term may step over ("even", "really", "bloody"): "can't even feel" holds
    /// "can't feel". Never a negation word or a terminator.
    #[serde(default)]
    pub fillers: Vec<String>,
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
    /// Reach of a negation over crisis words: crisis leans to sensitivity, so only a cue
    /// right before them negates ("I don't want to die"), not one a few words away ("not
    /// joking, I want to die").
    #[serde(default = "default_crisis_scope")]
    pub crisis_scope_words: usize,
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
fn default_crisis_scope() -> usize {
    1
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
            general: Vec::new(),
            history: Vec::new(),
            experiencer: Vec::new(),
            figurative: Vec::new(),
            writer: Vec::new(),
            reported: Vec::new(),
            self_described: Vec::new(),
            shared: Vec::new(),
            alternatives: Vec::new(),
            not_a_person: Vec::new(),
            complaint: Vec::new(),
            fillers: Vec::new(),
            list_words: Vec::new(),
            known_words: Vec::new(),
            scope_words: default_scope(),
            short_scope_words: default_short_scope(),
            emergency_scope_words: default_strict_scope(),
            post_scope_words: default_post_scope(),
            crisis_scope_words: default_crisis_scope(),
            origin: Origin::default(),
        }
    }
}

/// Largest reach a scope setting may have.
pub const MAX_SCOPE: usize = 20;

/// The red-flag and crisis rules, as loaded.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SafetyRules {
    #[serde(serialize_with = "concepts_as_lists")]
    pub concepts: BTreeMap<String, Concept>,
    pub red_flags: Vec<(RedFlagRule, Origin)>,
    pub crisis: CrisisRules,
    pub negation: NegationRules,
    /// `[screen_model]`, if a file has one: the learned readers for crisis language and
    /// warning signs.
    pub model: Option<ScreenModel>,
}

/// `[screen_model]`: learned second readers for crisis language and warning signs, beside
/// the rules.
///
/// The rules catch what their concepts name; people often use none of those words ("I have a
/// plan for Saturday. Only I am sorry for my mother."). Each reader is a logistic regression
/// over the stems of the message and the pairs of stems next to each other, trained on
/// labelled blind messages (`examples/train_screen.rs` writes this table). A reader only ever
/// adds a reply, never silences or replaces a rule: both read only what the rules left clear,
/// the crisis reader first.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenModel {
    /// How the model was made (data, command, date), for whoever reads the file.
    #[serde(default)]
    pub trained: String,
    pub crisis: LinearModel,
    /// The red-flag reader: messages that read like warning signs in words no rule lists get
    /// the reply of the red-flag rule named by its `rule`.
    #[serde(default)]
    pub red_flag: Option<LinearModel>,
    /// Where `[screen_model]` is written, for diagnostics (set by the loader).
    #[serde(skip)]
    pub origin: Origin,
}

/// A logistic regression: `bias` plus the weight of every feature the message has (each
/// counted once), squashed to 0..1 and compared with `threshold`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearModel {
    pub threshold: f64,
    pub bias: f64,
    /// For the red-flag reader: the id of the `[[red_flag]]` whose reply and tier it gives.
    #[serde(default)]
    pub rule: Option<String>,
    /// Feature -> weight. A feature is one stem ("pill") or two stems that follow each other
    /// in a sentence ("on purpos"). Written either as a table or, as the trainer writes it,
    /// as one string of `feature = weight` lines ([`weight_lines`]).
    #[serde(deserialize_with = "weight_table_or_lines")]
    pub weights: BTreeMap<String, f64>,
}

/// Read `weights` as a TOML table or as a string of `feature = weight` lines. The trainer
/// writes the string: some 14,000 weights as table keys took a TOML parser 11 ms, a fifth of a
/// load, and the string reads in well under one.
fn weight_table_or_lines<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, f64>, D::Error> {
    struct Either;
    impl<'de> serde::de::Visitor<'de> for Either {
        type Value = BTreeMap<String, f64>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a table of feature = weight, or a string of `feature = weight` lines")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            weight_lines(v).map_err(E::custom)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = m.next_entry::<String, f64>()? {
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Either)
}

/// Parse `feature = weight` lines (blank lines skipped); an error names the line, counted
/// from the first line of the string.
fn weight_lines(text: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed = line
            .rsplit_once('=')
            .and_then(|(f, w)| Some((f.trim(), w.trim().parse::<f64>().ok()?)));
        match parsed {
            Some((feature, w)) if !feature.is_empty() => {
                if out.insert(feature.to_string(), w).is_some() {
                    return Err(format!(
                        "line {} of `weights`: feature \"{feature}\" is given twice",
                        n + 1
                    ));
                }
            }
            _ => {
                return Err(format!(
                    "line {} of `weights`: \"{line}\" is not `feature = weight` (a number)",
                    n + 1
                ))
            }
        }
    }
    Ok(out)
}

fn concepts_as_lists<S: serde::Serializer>(
    c: &BTreeMap<String, Concept>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_map(c.iter().map(|(k, v)| (k, &v.terms)))
}

/// A term list with its concepts expanded, each term once, in order.
pub struct Expanded<'a> {
    pub terms: Vec<&'a str>,
    /// Concept names used that no file defines.
    pub unknown: Vec<&'a str>,
    /// Concepts that include themselves, directly or not.
    pub cycles: Vec<&'a str>,
}

impl SafetyRules {
    /// `list` with every `@concept` replaced by its terms (recursively).
    pub fn expand<'a>(&'a self, list: &'a [String]) -> Expanded<'a> {
        let mut out = Expanded {
            terms: Vec::new(),
            unknown: Vec::new(),
            cycles: Vec::new(),
        };
        let mut seen = crate::text::FastSet::default();
        let mut path = Vec::new();
        for t in list {
            self.expand_into(t, &mut path, &mut seen, &mut out);
        }
        out
    }

    fn expand_into<'a>(
        &'a self,
        term: &'a str,
        path: &mut Vec<&'a str>,
        seen: &mut crate::text::FastSet<&'a str>,
        out: &mut Expanded<'a>,
    ) {
        let Some(name) = concept_name(term) else {
            if seen.insert(term) {
                out.terms.push(term);
            }
            return;
        };
        let Some((key, concept)) = self.concepts.get_key_value(name) else {
            out.unknown.push(name);
            return;
        };
        if path.contains(&key.as_str()) {
            if !out.cycles.contains(&key.as_str()) {
                out.cycles.push(key);
            }
            return;
        }
        path.push(key);
        for t in &concept.terms {
            self.expand_into(t, path, seen, out);
        }
        path.pop();
    }

    /// Every term list of the rules that may name concepts, with a label for messages.
    pub fn term_lists(&self) -> Vec<(String, &[String])> {
        let mut out: Vec<(String, &[String])> = Vec::new();
        for (r, _) in &self.red_flags {
            out.push((format!("red flag `{}` phrases", r.id), &r.phrases));
            out.push((format!("red flag `{}` exclude", r.id), &r.exclude));
            for (ci, c) in r.combo.iter().enumerate() {
                for (gi, g) in c.all_of.iter().enumerate() {
                    out.push((
                        format!("red flag `{}` combo {}, group {}", r.id, ci + 1, gi + 1),
                        g.terms(),
                    ));
                }
            }
        }
        out.push(("[negation] complaint".into(), &self.negation.complaint));
        let c = &self.crisis;
        out.push(("[crisis] phrases".into(), &c.phrases));
        out.push(("[crisis] hopelessness".into(), &c.hopelessness));
        out.push(("[crisis] idioms".into(), &c.idioms));
        out.push(("[crisis] exclude".into(), &c.exclude));
        for (ci, combo) in c.combo.iter().enumerate() {
            for (gi, g) in combo.all_of.iter().enumerate() {
                out.push((
                    format!("[crisis] combo {}, group {}", ci + 1, gi + 1),
                    g.terms(),
                ));
            }
        }
        out
    }
}

/// `Some("numb")` for `"@numb"`.
pub fn concept_name(term: &str) -> Option<&str> {
    term.trim().strip_prefix(CONCEPT_MARK).map(str::trim)
}

#[cfg(test)]
mod weight_lines_tests {
    use super::weight_lines;

    #[test]
    fn lines_read_as_a_map_and_a_bad_line_is_named() {
        let m = weight_lines("on purpos = 1.5\r\n\r\npill = -0.25\n").expect("reads");
        assert_eq!(m.len(), 2);
        assert_eq!(m["on purpos"], 1.5);
        assert_eq!(m["pill"], -0.25);
        let err = weight_lines("pill = 1\npill 2\n").expect_err("line 2 has no '='");
        assert!(err.starts_with("line 2 of `weights`:"), "{err}");
        let err = weight_lines("pill = 1\npill = 2\n").expect_err("twice");
        assert!(err.contains("given twice"), "{err}");
        let err = weight_lines("pill = lots\n").expect_err("not a number");
        assert!(err.starts_with("line 1 of `weights`:"), "{err}");
    }
}
