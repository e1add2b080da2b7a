//! The on-disk TOML shape of knowledge files, exactly as admins write them.
//!
//! Every `*.toml` file in the folder may hold any of these tables; admins group entries by
//! topic as they like. `deny_unknown_fields` everywhere: a typo in a key is an error with a
//! line number, not a silently ignored field.

use serde::Deserialize;
use toml::Spanned;

use super::messages::RawMessages;
use super::{Caution, CrisisRules, NegationRules, RedFlagRule, Synonym};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileDoc {
    #[serde(default)]
    pub faq: Vec<Spanned<FaqRaw>>,
    #[serde(default)]
    pub muscle: Vec<Spanned<MuscleRaw>>,
    #[serde(default)]
    pub technique: Vec<Spanned<TechniqueRaw>>,
    #[serde(default)]
    pub routine: Vec<Spanned<RoutineRaw>>,
    #[serde(default)]
    pub red_flag: Vec<Spanned<RedFlagRule>>,
    pub crisis: Option<Spanned<CrisisRules>>,
    /// `[scope]`: what makes a message ours (see [`super::Scope`]).
    pub scope: Option<Spanned<super::Scope>>,
    /// `[concepts]`: name = [terms], used by safety rules as `@name`.
    pub concepts: Option<std::collections::BTreeMap<String, Spanned<Vec<String>>>>,
    pub negation: Option<Spanned<NegationRules>>,
    /// `[screen_model]`: the learned crisis and red-flag readers (see [`super::ScreenModel`]).
    pub screen_model: Option<Spanned<super::ScreenModel>>,
    #[serde(default)]
    pub synonym: Vec<Synonym>,
    #[serde(default)]
    pub caution: Vec<Spanned<Caution>>,
    /// `[messages]`: every text by key, checked against [`super::Msg`] when it is read.
    pub messages: Option<Spanned<RawMessages>>,
    /// `[conversation]`: how messages after a crisis reply are read.
    pub conversation: Option<Spanned<super::ConversationRules>>,
}

/// `[[faq]]`: one question-and-answer entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqRaw {
    pub id: Spanned<String>,
    pub title: String,
    pub phrasings: Vec<Spanned<String>>,
    pub answer: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Words that bring this entry into any answer whose message mentions them in passing
    /// ("I'm 30 weeks pregnant" -> the pregnancy entry's cautions), see [`super::Entry`].
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    pub source: String,
    pub reviewed: Spanned<String>,
}

/// `[[muscle]]`: a muscle card.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MuscleRaw {
    pub id: Spanned<String>,
    pub title: String,
    pub phrasings: Vec<Spanned<String>>,
    pub location: String,
    pub why: String,
    pub massage: String,
    pub stretch: String,
    pub cautions: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    pub source: String,
    pub reviewed: Spanned<String>,
}

/// `[[technique]]`: a technique or tool card.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechniqueRaw {
    pub id: Spanned<String>,
    pub title: String,
    pub phrasings: Vec<Spanned<String>>,
    pub how: String,
    pub duration: String,
    pub cautions: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    pub source: String,
    pub reviewed: Spanned<String>,
}

/// `[[routine]]` with its ordered `[[routine.step]]`s.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutineRaw {
    pub id: Spanned<String>,
    pub title: String,
    pub summary: String,
    #[serde(default)]
    pub phrasings: Vec<String>,
    pub step: Vec<Spanned<StepRaw>>,
    pub source: String,
    pub reviewed: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepRaw {
    pub instruction: String,
    /// Id of the muscle or technique this step works on.
    pub uses: Spanned<String>,
    pub seconds: u32,
    pub stop_cue: String,
}
