//! "Is this message ours?": the domain evidence in a message, from the knowledge's `[scope]`.
//!
//! Deciding whether to answer at all is kept apart from deciding which entry answers: a
//! message full of context (an age, a job, last night's telly) is still ours when it names
//! the condition or the body it lives in, and a message that merely shares a word with the
//! knowledge ("what's the weather like tomorrow") is not.

use crate::knowledge::Scope;
use crate::text::{self, FastSet};

/// Phrases of the scope lists as stem sequences ("lower back" -> "lower back").
#[derive(Debug, Default)]
pub(crate) struct StemPhrases {
    set: FastSet<String>,
    longest: usize,
}

impl StemPhrases {
    pub fn new(list: &[String]) -> Self {
        let mut out = Self::default();
        for p in list {
            let stems: Vec<String> = text::words(&text::fold(p)).map(text::stem).collect();
            if stems.is_empty() {
                continue;
            }
            out.longest = out.longest.max(stems.len());
            out.set.insert(stems.join(" "));
        }
        out
    }

    /// Some phrase occurs, as consecutive stems, in `stems`.
    fn found_in(&self, stems: &[String]) -> bool {
        (0..stems.len()).any(|i| {
            (1..=self.longest.min(stems.len() - i))
                .any(|l| self.set.contains(&stems[i..i + l].join(" ")))
        })
    }

    /// Like [`Self::found_in`], skipping a match that one of the two words before it
    /// negates.
    pub fn found_unnegated(&self, stems: &[String]) -> bool {
        (0..stems.len()).any(|i| {
            let negated = stems[i.saturating_sub(2)..i]
                .iter()
                .any(|s| matches!(s.as_str(), "not" | "no" | "isnt" | "nothing"));
            !negated
                && (1..=self.longest.min(stems.len() - i))
                    .any(|l| self.set.contains(&stems[i..i + l].join(" ")))
        })
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.set.iter().flat_map(|p| p.split(' '))
    }
}

/// The compiled `[scope]`, plus the topics the entries' own titles and tags name.
#[derive(Debug, Default)]
pub(crate) struct ScopeLists {
    anchors: StemPhrases,
    body: StemPhrases,
    topics: StemPhrases,
    elsewhere: StemPhrases,
    other_conditions: StemPhrases,
    pain: StemPhrases,
    /// Stems of title and tag words that are not everyday English ("passenger", "heels",
    /// "sneezing", "laminectomy"): what our entries are about, named by the entries.
    titled: FastSet<String>,
}

/// A title or tag word at least this specific (see [`text::specificity`]) names a topic of
/// ours: "heels" and "sneezing" do, "weather" and "good" do not.
const TITLE_TOPIC: f32 = 0.6;

/// What a message's words say about whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Evidence {
    /// Names the condition.
    pub anchor: bool,
    /// Names the writer's back or legs, or a nerve or disc trouble.
    pub body: bool,
    /// Names one of our self-care topics.
    pub topic: bool,
    /// Names an animal, a thing, another subject or a whole-body illness.
    pub elsewhere: bool,
    /// Names another body part or complaint: "my back" with "sunburn" is about the sunburn,
    /// a "pinched nerve" in the wrist is not sciatica.
    pub other_condition: bool,
    /// Tells of pain ("it's agony", "hurts to sit"): in a sciatica server, the writer's own
    /// pain in one of our topics (sitting, the car seat, bed) is ours.
    pub pain: bool,
}

impl Evidence {
    /// What the words alone decide: `Some(true)` ours (the condition; the body it lives in
    /// with no other condition; pain in one of our topics with nothing else named ("sitting
    /// is agony"; not "this traffic is agony"); a medicine, pregnancy or child
    /// when `context`), `Some(false)` not ours (no topic of ours, or something else named),
    /// `None` when it rests on how much of the message is ours (a topic of ours and nothing
    /// else named).
    pub fn verdict(self, context: bool) -> Option<bool> {
        let named_else = self.elsewhere || self.other_condition;
        if self.anchor
            || (self.body && !self.other_condition)
            || (self.pain && self.topic && !named_else)
            || context
        {
            Some(true)
        } else if !self.topic || named_else {
            Some(false)
        } else {
            None
        }
    }

    /// Ours by the words alone, a topic with nothing else named counting as ours.
    #[cfg(test)]
    pub fn ours(self) -> bool {
        self.verdict(false).unwrap_or(true)
    }
}

impl ScopeLists {
    /// `titles`: the entries' titles and tags.
    pub fn new<'a>(scope: &Scope, titles: impl Iterator<Item = &'a str>) -> Self {
        let mut titled = FastSet::default();
        for t in titles {
            for w in text::words(&text::fold(t)) {
                if w.len() > 3 && !text::is_stopword(w) && text::specificity(w) >= TITLE_TOPIC {
                    titled.insert(text::stem(w));
                }
            }
        }
        Self {
            anchors: StemPhrases::new(&scope.anchors),
            body: StemPhrases::new(&scope.body),
            topics: StemPhrases::new(&scope.topics),
            elsewhere: StemPhrases::new(&scope.elsewhere),
            other_conditions: StemPhrases::new(&scope.other_conditions),
            pain: StemPhrases::new(&scope.pain),
            titled,
        }
    }

    /// No `[scope]` at all: every message counts as ours (knowledge without scope lists).
    pub fn is_empty(&self) -> bool {
        self.anchors.set.is_empty()
            && self.body.set.is_empty()
            && self.topics.set.is_empty()
            && self.pain.set.is_empty()
    }

    /// Evidence from a message's words and their stems (typos already corrected). An anchor
    /// right after a negation does not count ("not sciatica related, but..."); a title word
    /// counts only when the message's own word is specific too ("lasts" names the entry
    /// "how long does it last", the everyday "last night" does not).
    pub fn evidence(&self, words: &[&str], stems: &[String]) -> Evidence {
        Evidence {
            anchor: self.anchors.found_unnegated(stems),
            body: self.body.found_unnegated(stems),
            topic: self.topics.found_in(stems)
                || words
                    .iter()
                    .zip(stems)
                    .any(|(w, s)| self.titled.contains(s) && text::specificity(w) >= TITLE_TOPIC),
            elsewhere: self.elsewhere.found_in(stems),
            other_condition: self.other_conditions.found_unnegated(stems),
            pain: self.pain.found_unnegated(stems),
        }
    }

    /// Stems of every scope word (so typo correction can land on them).
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.anchors
            .words()
            .chain(self.body.words())
            .chain(self.topics.words())
            .chain(self.elsewhere.words())
            .chain(self.other_conditions.words())
            .chain(self.pain.words())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> ScopeLists {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        ScopeLists::new(
            &Scope {
                anchors: v(&["sciatica"]),
                body: v(&["lower back", "pinched nerve"]),
                topics: v(&["heat", "massage"]),
                elsewhere: v(&["oven", "horse"]),
                other_conditions: v(&["wrist", "sunburn"]),
                pain: v(&["agony", "it hurts"]),
            },
            ["Heels and sciatica", "Does cold weather make it worse?"].into_iter(),
        )
    }

    fn ev(l: &ScopeLists, s: &str) -> Evidence {
        let folded = text::fold(s);
        let words: Vec<&str> = text::words(&folded).collect();
        let stems: Vec<String> = words.iter().map(|w| text::stem(w)).collect();
        l.evidence(&words, &stems)
    }

    #[test]
    fn pain_in_one_of_our_topics_is_ours_pain_alone_is_not() {
        let l = lists();
        assert!(ev(&l, "massage is agony, any technique?").ours());
        assert!(!ev(&l, "this traffic is agony, two hours to go ten miles").ours());
        assert!(!ev(&l, "my wrist is agony after typing").ours());
        assert!(!ev(&l, "it hurts when the horse bucks").ours());
        assert!(!ev(&l, "what's the weather like tomorrow").ours());
    }

    #[test]
    fn an_anchor_makes_a_message_ours_whatever_else_it_names() {
        let l = lists();
        assert!(ev(&l, "Sciatica and the oven").ours());
        assert!(ev(&l, "sciatica, and my wrist is sunburnt").ours());
    }

    #[test]
    fn the_body_is_ours_unless_another_condition_is_named() {
        let l = lists();
        assert!(ev(&l, "my horse kicked my lower back").ours());
        assert!(ev(&l, "pinched nerve, heat or massage?").ours());
        assert!(!ev(&l, "pinched nerve in my wrist from the mouse").ours());
        assert!(!ev(&l, "sunburn on my lower back, what helps").ours());
        // Another condition said not to be there does not count.
        assert!(ev(&l, "pinched nerve in my lower back, not my wrist").ours());
        assert!(ev(&l, "my lower back is killing me, no sunburn though").ours());
        // The condition named outweighs any other condition.
        assert!(ev(&l, "sciatica and a sore wrist").ours());
    }

    #[test]
    fn a_negated_anchor_does_not_count() {
        let l = lists();
        assert!(!ev(&l, "not sciatica related, but my oven").ours());
    }

    #[test]
    fn a_topic_alone_is_ours_unless_something_else_is_named() {
        let l = lists();
        assert!(ev(&l, "heat or not?").ours());
        assert!(!ev(&l, "best heat setting for my oven").ours());
        assert!(!ev(&l, "massaging horses").ours());
        assert!(!ev(&l, "what is the weather like").ours());
    }

    #[test]
    fn distinctive_title_words_are_topics_everyday_ones_are_not() {
        let l = lists();
        assert!(ev(&l, "are high heels ok?").ours());
        assert!(!ev(&l, "is it cold tomorrow").ours());
    }
}
