//! Turning text into matchable terms: folded words, synonym phrases, filler, stems.
//!
//! Knowledge text and questions go through the same steps, so "slipped disc" in a question
//! meets "herniated disc" in a phrasing, and "massaging" meets "massage". Questions get one
//! extra step before the others (typo correction, in [`super::Matcher`]), because only they
//! are typed in a hurry.

use std::collections::HashMap;

use crate::knowledge::Synonym;
use crate::normalize;

/// Words that never say what a question is about: greetings, politeness, discourse. They are
/// dropped like stopwords, so "hey, please, where do I massage" and "where do I massage" are
/// the same question (FAQ bots that score "hey" as content are a known complaint).
const FILLER: &[&str] = &[
    "actually",
    "advice",
    "again",
    "alot",
    "also",
    "anybody",
    "anyway",
    "anyways",
    "appreciate",
    "appreciated",
    "basically",
    "bit",
    "bro",
    "btw",
    "cheers",
    "curious",
    "currently",
    "dear",
    "definitely",
    "dont",
    "dude",
    "even",
    "everybody",
    "everyone",
    "folks",
    "friend",
    "friends",
    "gonna",
    "guys",
    "haha",
    "hehe",
    "here",
    "hii",
    "hiya",
    "hmm",
    "honestly",
    "howdy",
    "idea",
    "ideas",
    "info",
    "information",
    "kind",
    "kinda",
    "little",
    "lol",
    "lot",
    "lots",
    "maybe",
    "much",
    "now",
    "ok",
    "okay",
    "pleas",
    "pleeease",
    "pls",
    "plz",
    "question",
    "questions",
    "quick",
    "quite",
    "right",
    "seriously",
    "somebody",
    "something",
    "sort",
    "sorta",
    "still",
    "stuff",
    "sup",
    "sure",
    "thankyou",
    "thx",
    "tip",
    "tips",
    "today",
    "totally",
    "ty",
    "uh",
    "um",
    "wanna",
    "wonder",
    "wondering",
    "yall",
    "yeah",
    "yes",
    "yo",
];

/// Multi-word filler, removed before single words are looked at.
const FILLER_PHRASES: &[&str] = &[
    "good morning",
    "good afternoon",
    "good evening",
    "how are you",
    "thank you",
    "thanks a lot",
    "quick question",
    "any advice",
    "does anyone know",
    "i was wondering",
    "just wondering",
];

/// Words that frame a question without naming its topic. They still help rank ("where" vs
/// "how" to massage) but weigh little, and a match on them alone never answers: "how do I
/// treat it", "pain" or "best way" says nothing about *what*.
const WEAK: &[&str] = &[
    "ache",
    "aches",
    "aching",
    "bad",
    "better",
    "cure",
    "do",
    "does",
    "feel",
    "feeling",
    "fix",
    "good",
    "help",
    "helpful",
    "helping",
    "helps",
    "how",
    "hurt",
    "hurting",
    "hurts",
    "make",
    "need",
    "normal",
    "pain",
    "painful",
    "pains",
    "relief",
    "relieve",
    "safe",
    "sore",
    "thing",
    "things",
    "treat",
    "treated",
    "treating",
    "treatment",
    "treatments",
    "try",
    "use",
    "using",
    "way",
    "ways",
    "when",
    "where",
    "why",
    "work",
    "works",
];

/// Weight of a weak word relative to an ordinary word of the same rarity.
pub(crate) const WEAK_FACTOR: f32 = 0.3;

/// True for words the matcher ignores completely.
pub(crate) fn is_ignored(word: &str) -> bool {
    normalize::is_stopword(word)
        || FILLER.binary_search(&word).is_ok()
        || matches!(
            word,
            "no" | "not" | "cant" | "didnt" | "doesnt" | "isnt" | "wont"
        )
}

/// Pure numbers never match anything: "3 days" is not about entry 3, and a question full of
/// digits must not look like a strong match (another known FAQ-bot complaint).
pub(crate) fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// Stems of [`WEAK`], looked up per term at build time.
pub(crate) fn is_weak_stem(stem: &str) -> bool {
    thread_local! {
        static STEMS: Vec<String> = {
            let mut v: Vec<String> = WEAK.iter().map(|w| normalize::stem(w)).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
    }
    STEMS.with(|s| s.binary_search_by(|x| x.as_str().cmp(stem)).is_ok())
}

/// Every word the matcher treats as known without being knowledge: typo correction may land
/// on them ("pleeze" -> "please") so that a mistyped pleasantry is dropped, not scored.
pub(crate) fn function_words() -> impl Iterator<Item = &'static str> {
    FILLER
        .iter()
        .chain(WEAK.iter())
        .copied()
        .chain(STOPWORDS_FOR_TYPOS.iter().copied())
}

/// Stopwords long enough to be mistyped into something else.
const STOPWORDS_FOR_TYPOS: &[&str] = &[
    "about", "anyone", "anything", "being", "could", "doing", "getting", "hello", "myself",
    "please", "really", "should", "someone", "thank", "thanks", "their", "there", "these", "those",
    "which", "would",
];

/// Synonym and filler phrases: a sequence of words is replaced by the canonical words (none,
/// for filler). Words are compared by stem, so "slipped discs" meets the variant "slipped
/// disc". Longest match wins at each position.
#[derive(Debug, Default)]
pub(crate) struct Phrases {
    /// First stem -> (whole phrase as stems, replacement as (word, stem)), longest first.
    by_first: HashMap<String, Vec<(Vec<String>, Vec<(String, String)>)>>,
    /// Every folded word of every phrase and replacement (typo targets, known words).
    words: Vec<String>,
}

fn fold_words(text: &str) -> Vec<String> {
    normalize::words(&normalize::fold(text))
        .map(str::to_string)
        .collect()
}

impl Phrases {
    pub(crate) fn new(synonyms: &[Synonym]) -> Self {
        let mut p = Phrases::default();
        for s in synonyms {
            let canonical = fold_words(&s.canonical);
            if canonical.is_empty() {
                continue;
            }
            for v in &s.variants {
                p.add(fold_words(v), &canonical);
            }
        }
        for f in FILLER_PHRASES {
            p.add(fold_words(f), &[]);
        }
        for list in p.by_first.values_mut() {
            // Longest first; a stable sort keeps file order among equals, so the first
            // definition of a phrase wins.
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()));
        }
        p.words.sort_unstable();
        p.words.dedup();
        p
    }

    fn add(&mut self, from: Vec<String>, to: &[String]) {
        let stems: Vec<String> = from.iter().map(|w| normalize::stem(w)).collect();
        let to: Vec<(String, String)> =
            to.iter().map(|w| (w.clone(), normalize::stem(w))).collect();
        let Some(first) = stems.first() else { return };
        if to.iter().map(|(_, s)| s).eq(stems.iter()) {
            return;
        }
        self.words.extend(from.iter().cloned());
        self.words.extend(to.iter().map(|(w, _)| w.clone()));
        self.by_first
            .entry(first.clone())
            .or_default()
            .push((stems, to));
    }

    /// Every word that appears in a phrase or a replacement.
    pub(crate) fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(String::as_str)
    }

    /// Rewrite `items`; `stem(item)` gives the stem to compare, `make(word, stem, consumed)`
    /// builds an output item for each replacement word of a matched phrase.
    pub(crate) fn rewrite<T: Clone>(
        &self,
        items: &[T],
        stem: impl Fn(&T) -> &str,
        make: impl Fn(&str, &str, &[T]) -> T,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(items.len());
        let mut i = 0;
        while i < items.len() {
            let hit = self.by_first.get(stem(&items[i])).and_then(|list| {
                list.iter().find(|(from, _)| {
                    from.len() <= items.len() - i
                        && from.iter().zip(&items[i..]).all(|(f, it)| f == stem(it))
                })
            });
            match hit {
                Some((from, to)) => {
                    let consumed = &items[i..i + from.len()];
                    out.extend(to.iter().map(|(w, s)| make(w, s, consumed)));
                    i += from.len();
                }
                None => {
                    out.push(items[i].clone());
                    i += 1;
                }
            }
        }
        out
    }
}

/// The terms (stems) of knowledge text, in order, after synonyms and filler are applied.
pub(crate) fn doc_terms(phrases: &Phrases, text: &str) -> Vec<String> {
    let words: Vec<(String, String)> = fold_words(text)
        .into_iter()
        .map(|w| {
            let s = normalize::stem(&w);
            (w, s)
        })
        .collect();
    phrases
        .rewrite(
            &words,
            |(_, s)| s.as_str(),
            |w, s, _| (w.to_string(), s.to_string()),
        )
        .into_iter()
        .filter(|(w, _)| !is_ignored(w) && !is_number(w))
        .map(|(_, s)| s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syn(canonical: &str, variants: &[&str]) -> Synonym {
        Synonym {
            canonical: canonical.to_string(),
            variants: variants.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        for list in [FILLER, WEAK, STOPWORDS_FOR_TYPOS] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list);
        }
    }

    #[test]
    fn multi_word_synonyms_replace_the_whole_phrase() {
        let p = Phrases::new(&[syn("herniated disc", &["slipped disc", "slipped disk"])]);
        assert_eq!(
            doc_terms(&p, "Is a slipped disk serious?"),
            doc_terms(&p, "is a herniated disc serious")
        );
    }

    #[test]
    fn synonym_phrases_match_plurals_and_inflections() {
        let p = Phrases::new(&[syn("herniated disc", &["slipped disc"])]);
        assert_eq!(
            doc_terms(&p, "slipped discs"),
            doc_terms(&p, "herniated disc")
        );
    }

    #[test]
    fn longest_phrase_wins() {
        let p = Phrases::new(&[syn("back", &["lower"]), syn("lumbar", &["lower back"])]);
        assert_eq!(doc_terms(&p, "lower back"), vec![normalize::stem("lumbar")]);
    }

    #[test]
    fn filler_numbers_and_pleasantries_vanish() {
        let p = Phrases::new(&[]);
        assert_eq!(
            doc_terms(
                &p,
                "Hey guys, good morning! 3 quick tips please: foam roller?"
            ),
            doc_terms(&p, "foam roller")
        );
    }

    #[test]
    fn weak_words_are_recognised_by_stem() {
        assert!(is_weak_stem(&normalize::stem("treatments")));
        assert!(is_weak_stem(&normalize::stem("hurting")));
        assert!(!is_weak_stem(&normalize::stem("piriformis")));
    }
}
