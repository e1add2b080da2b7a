//! Turning text into matchable terms: folded words, synonym phrases, filler, stems.
//!
//! Knowledge text and questions go through the same steps, so "slipped disc" in a question
//! meets "herniated disc" in a phrasing, and "massaging" meets "massage". Questions get one
//! extra step before the others (typo correction, in [`super::Matcher`]), because only they
//! are typed in a hurry.

use std::collections::HashMap;
use std::rc::Rc;

use crate::knowledge::Synonym;
use crate::text;
use crate::text::FastMap;

/// Words that never say what a question is about: greetings, politeness, discourse,
/// intensifiers, feelings about the pain, sides and counts. They are dropped like stopwords,
/// so "hey, please, where do I massage" and "where do I massage" are the same question (FAQ
/// bots that score "hey" as content are a known complaint).
const FILLER: &str = "
    actually advice again alot also anybody anyway anyways appreciate appreciated asap
    awful basically bit bro btw cheers curious currently dear definitely dont dude even
    everybody everyone excruciating extremely fast folks friend friends gonna guys haha
    hehe here hii hiya hmm honestly horrible howdy idea ideas info information insane
    insanely kind kinda left little lol lot lots maybe miserable much now ok okay pleas
    pleeease pls plz pretty question questions quick quickly quite real right seriously
    so somebody something sort sorta still stuff sup super sure terrible terribly
    thankyou thx tip tips today totally truly ty uh um unbearable wanna wondering wonder
    yall yeah yes yo
    exactly specifically generally basically usually typically
    said says say told heard read saw seen recommended suggested mentioned think thought
    guess reckon
    properly correctly effectively between because whether either neither other another
    else via per within
    main major primary biggest big huge large small tiny whole certain possible likely
    able usual typical general simple most
    yourself yourselves themselves himself herself ourselves itself
    yesterday tomorrow tonight lately recently earlier later ago
    wat wut u ur r abt tho bc cuz coz idk imo rn atm tbh smth
    one two three four five six seven eight nine ten eleven twelve twenty thirty forty
    fifty hundred couple few several
";

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
    "no idea",
    "get rid of",
    "in the first place",
    "in simple words",
    "in simple terms",
    "simple words",
    "simple terms",
    "in plain english",
    "plain english",
    "in layman terms",
    "in laymans terms",
    "simple answer",
    "no latin words",
    "no jargon",
];

/// Words that frame a question without naming its topic. They still help rank ("where" vs
/// "how" to massage) but weigh little, and a match on them alone never answers: "how do I
/// treat it", "pain" or "best way" says nothing about *what*.
const WEAK: &str = "
    ache aches aching bad better cure cures do does feel feeling fix good help helps helpful
    helping how hurt hurting hurts make mean meaning means need normal pain painful pains
    relief relieve remedy remedies rid safe sore thing things treat treated treating
    treatment treatments try use using way ways what whats when where why work works
    link linked links related relate relation connected connection associated difference
    different differ compare versus vs ease eases eased easing buy buying bought purchase
    cheap cheaper
";

/// Words after which the next topic word is *not* what the question is about: "I don't have
/// a fever, where do I massage?" asks about massage, not fever.
const NEGATORS: &[&[&str]] = &[
    &["no"],
    &["without"],
    &["denies"],
    &["deny"],
    &["dont", "have"],
    &["do", "not", "have"],
    &["havent", "got"],
    &["havent", "had"],
    &["not", "had"],
    &["ruled", "out"],
];

/// Words that end a negation's reach inside a clause.
const NEGATION_ENDS: &[&str] = &["but", "however", "although", "though", "yet"];

/// Weight of a weak word relative to an ordinary word of the same rarity.
pub(crate) const WEAK_FACTOR: f32 = 0.3;
/// Question words are weak too (they never carry a match), but they tell "where do I
/// massage" from "does massage help" and "how do I massage", so they weigh more.
pub(crate) const QUESTION_WORD_FACTOR: f32 = 0.6;

/// Weight factor of a term by its stem: 1 for topic words, less for weak words.
pub(crate) fn weight_factor(stem: &str) -> f32 {
    if !is_weak_stem(stem) {
        1.0
    } else if matches!(stem, "how" | "where" | "when" | "whi" | "what") {
        QUESTION_WORD_FACTOR
    } else {
        WEAK_FACTOR
    }
}

fn list(text: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&str> = text.split_whitespace().collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn filler() -> &'static [&'static str] {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| list(FILLER))
}

fn weak() -> &'static [&'static str] {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| list(WEAK))
}

/// True for words the matcher ignores completely. "What" is a stopword elsewhere but tells
/// "what is sciatica" from "sciatica", so it stays as a weak word.
pub(crate) fn is_ignored(word: &str) -> bool {
    (text::is_stopword(word) && !matches!(word, "what" | "whats"))
        || filler().binary_search(&word).is_ok()
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
    static STEMS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    STEMS
        .get_or_init(|| {
            let mut v: Vec<String> = weak().iter().map(|w| text::stem(w)).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .binary_search_by(|x| x.as_str().cmp(stem))
        .is_ok()
}

/// Every word the matcher treats as known without being knowledge: typo correction may land
/// on them ("pleeze" -> "please") so that a mistyped pleasantry is dropped, not scored.
pub(crate) fn function_words() -> impl Iterator<Item = &'static str> {
    filler()
        .iter()
        .chain(weak().iter())
        .copied()
        .chain(STOPWORDS_FOR_TYPOS.iter().copied())
}

/// Stopwords long enough to be mistyped into something else.
const STOPWORDS_FOR_TYPOS: &[&str] = &[
    "about", "anyone", "anything", "being", "could", "doing", "getting", "hello", "myself",
    "please", "really", "should", "someone", "thank", "thanks", "their", "there", "these", "those",
    "which", "would",
];

/// The question's words with negated topics removed, clause by clause. A clause ends at
/// punctuation. A negation drops the topic that follows it (up to three words in a row, and
/// another after "or"/"nor"/"and"), and ends at a weak word like "where" or at "but".
pub(crate) fn question_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for clause in text.split([',', ';', ':', '.', '!', '?', '\n']) {
        let folded = text::fold(clause);
        let words: Vec<&str> = text::words(&folded).collect();
        // None: not negating; Some(n): negating, n topic words dropped so far.
        let mut negating: Option<usize> = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            if let Some(n) = NEGATORS
                .iter()
                .find(|n| words[i..].starts_with(n))
                .map(|n| n.len())
            {
                negating = Some(0);
                i += n;
                continue;
            }
            if let Some(dropped) = negating {
                if NEGATION_ENDS.contains(&w) || is_weak_stem(&text::stem(w)) {
                    negating = None;
                } else if matches!(w, "or" | "nor" | "and") {
                    negating = Some(0);
                } else if is_ignored(w) || is_number(w) {
                    if dropped > 0 {
                        negating = None;
                    }
                } else {
                    negating = (dropped < 2).then_some(dropped + 1);
                    i += 1;
                    continue;
                }
            }
            out.push(w.to_string());
            i += 1;
        }
    }
    out
}

/// Words that open a question ("where do I...", "is it ok...").
const ASKING: &[&str] = &[
    "any", "anyone", "are", "can", "could", "do", "does", "how", "is", "should", "what", "whats",
    "when", "where", "which", "who", "why", "will", "would",
];

/// Words after which a message asks a second thing ("..., also how do I...").
const SECOND: &[&str] = &["also", "plus", "q2", "2nd", "secondly", "second"];

fn asks(sentence: &text::Sentence) -> bool {
    let folded = text::fold(sentence.text);
    let first = text::words(&folded).next().unwrap_or("");
    sentence.question || ASKING.contains(&first)
}

/// The sentences of `text` that ask something, when it also holds statements: "I don't
/// have a fever. Where should I massage?" is a question about massage with some context.
/// `None` when every sentence is a question or none is.
pub(crate) fn question_sentences(text: &str) -> Option<String> {
    let sentences = text::sentences(text);
    let asking: Vec<&str> = sentences
        .iter()
        .filter(|s| asks(s))
        .map(|s| s.text)
        .collect();
    if asking.is_empty() || asking.len() == sentences.len() {
        return None;
    }
    Some(asking.join(". "))
}

/// The separate questions of a message: its asking sentences, each cut again where a second
/// question starts ("..., also how do I tie my boots"; "1. why does it burn 2. would a TENS
/// help"). Folded text, in order.
pub(crate) fn question_parts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in text::sentences(text) {
        let folded = text::fold(s.text);
        let words: Vec<&str> = text::words(&folded).collect();
        let mut parts: Vec<Vec<&str>> = vec![Vec::new()];
        for (i, w) in words.iter().enumerate() {
            let numbered = w.len() == 1 && w.as_bytes()[0].is_ascii_digit() && i > 0;
            if (SECOND.contains(w) || numbered) && parts.last().is_some_and(|p| p.len() >= 2) {
                parts.push(Vec::new());
                if numbered {
                    continue;
                }
            }
            if let Some(p) = parts.last_mut() {
                p.push(w);
            }
        }
        let split = parts.len() > 1;
        for p in parts {
            let asking = split || asks(&s);
            if asking && p.len() >= 2 {
                out.push(p.join(" "));
            }
        }
    }
    out
}

/// One phrase rule: the phrase as stems, and its replacement as (word, stem) pairs.
type Rule = (Vec<String>, Vec<(String, String)>);

/// Synonym and filler phrases: a sequence of words is replaced by the canonical words (none,
/// for filler). Words are compared by stem, so "slipped discs" meets the variant "slipped
/// disc". Longest match wins at each position.
#[derive(Debug, Default)]
pub(crate) struct Phrases {
    /// First stem -> (whole phrase as stems, replacement as (word, stem)), longest first.
    by_first: HashMap<String, Vec<Rule>>,
    /// Every folded word of every phrase and replacement (typo targets, known words).
    words: Vec<String>,
}

fn fold_words(text: &str) -> Vec<String> {
    text::words(&text::fold(text)).map(str::to_string).collect()
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
            list.sort_by_key(|rule| std::cmp::Reverse(rule.0.len()));
        }
        p.words.sort_unstable();
        p.words.dedup();
        p
    }

    fn add(&mut self, from: Vec<String>, to: &[String]) {
        let stems: Vec<String> = from.iter().map(|w| text::stem(w)).collect();
        let to: Vec<(String, String)> = to.iter().map(|w| (w.clone(), text::stem(w))).collect();
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

/// Analyses knowledge text into terms, remembering stems: the same few thousand words recur
/// through every answer, and stemming is the costly step of indexing.
pub(crate) struct DocAnalyzer<'a> {
    phrases: &'a Phrases,
    /// word -> (dropped as filler or number, stem)
    seen: FastMap<String, (bool, Rc<str>)>,
}

impl<'a> DocAnalyzer<'a> {
    pub(crate) fn new(phrases: &'a Phrases) -> Self {
        Self {
            phrases,
            seen: FastMap::default(),
        }
    }

    fn word(&mut self, word: &str) -> (bool, Rc<str>) {
        if let Some(w) = self.seen.get(word) {
            return w.clone();
        }
        let w = (
            is_ignored(word) || is_number(word),
            Rc::from(text::stem(word)),
        );
        self.seen.insert(word.to_string(), w.clone());
        w
    }

    /// Every word seen so far with its stem.
    pub(crate) fn surfaces(&self) -> impl Iterator<Item = (&str, &str)> {
        self.seen.iter().map(|(w, (_, s))| (w.as_str(), &**s))
    }

    /// The terms (stems) of already folded text, in order, after synonyms and filler.
    pub(crate) fn terms(&mut self, folded: &str) -> Vec<Rc<str>> {
        // (dropped, stem): whether the word is filler or a number is decided on the word.
        let words: Vec<(bool, Rc<str>)> = text::words(folded).map(|w| self.word(w)).collect();
        self.phrases
            .rewrite(
                &words,
                |(_, s)| s,
                |w, s, _| (is_ignored(w) || is_number(w), Rc::from(s)),
            )
            .into_iter()
            .filter(|(dropped, _)| !dropped)
            .map(|(_, s)| s)
            .collect()
    }
}

/// The terms (stems) of knowledge text, in order, after synonyms and filler are applied.
#[cfg(test)]
pub(crate) fn doc_terms(phrases: &Phrases, text: &str) -> Vec<String> {
    DocAnalyzer::new(phrases)
        .terms(&text::fold(text))
        .iter()
        .map(|s| s.to_string())
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
        assert_eq!(doc_terms(&p, "lower back"), vec![text::stem("lumbar")]);
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
    fn a_negated_topic_is_dropped_until_the_clause_ends() {
        assert_eq!(
            question_words("I don't have a fever. Where should I massage?"),
            ["i", "a", "where", "should", "i", "massage"]
        );
        assert_eq!(
            question_words("no fever or numbness but my calf hurts"),
            ["or", "but", "my", "calf", "hurts"]
        );
        assert_eq!(
            question_words("without a foam roller how do I massage"),
            ["a", "how", "do", "i", "massage"]
        );
        assert_eq!(
            question_words("i dont have a fever where should i massage"),
            ["i", "a", "where", "should", "i", "massage"]
        );
    }

    #[test]
    fn a_second_question_is_cut_at_also_or_a_number() {
        assert_eq!(
            question_parts("wat even is the piriformis, also how do i put my socks on 😭"),
            vec![
                "wat even is the piriformis",
                "also how do i put my socks on"
            ]
        );
        assert_eq!(
            question_parts("1. why does sciatica BURN 2. would a tens help"),
            vec!["why does sciatica burn", "would a tens help"]
        );
        assert_eq!(
            question_parts("I have sciatica. It hurts."),
            Vec::<String>::new()
        );
    }

    #[test]
    fn question_sentences_are_picked_out_of_context() {
        assert_eq!(
            question_sentences("I've had sciatica for weeks. Where should I massage?").as_deref(),
            Some("Where should I massage")
        );
        assert_eq!(question_sentences("where should I massage?"), None);
        assert_eq!(question_sentences("my back hurts. my leg too"), None);
    }

    #[test]
    fn weak_words_are_recognised_by_stem() {
        assert!(is_weak_stem(&text::stem("treatments")));
        assert!(is_weak_stem(&text::stem("hurting")));
        assert!(!is_weak_stem(&text::stem("piriformis")));
    }
}
