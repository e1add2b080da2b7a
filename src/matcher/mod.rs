//! Fuzzy retrieval of knowledge entries for a question, in two separate steps: **is this
//! message ours at all?** and **which entry answers it?**
//!
//! # Is it ours? (domain evidence, [`Matcher::in_scope`], `scope`)
//! Real messages are mostly context (an age, a job, last night's telly), so whether to answer
//! is decided from the domain evidence a message carries, never from the words it has that
//! the knowledge lacks. The knowledge's `[scope]` names *anchors* (the condition:
//! "sciatica", "piriformis"), *body* words (the writer's own back and legs, and nerve or disc
//! troubles that can be anywhere: "my leg", "pinched nerve"), *topics* (our self-care
//! subjects: "foam roller", "heels", "ice"; the distinctive words of entry titles and tags
//! count too), *pain* told in everyday words ("is agony", "hurts to"), *other conditions*
//! (another body part or complaint: "wrist", "sunburn") and words *elsewhere* (an animal, an
//! object, a whole-body illness). A message is ours when it has an anchor; or a body word
//! and no other condition ("a pinched nerve in my wrist" is not ours); or pain with a topic,
//! nothing elsewhere and no other condition ("getting out of bed is agony", not "this
//! traffic is agony"); or names a medicine, a pregnancy or a child (an entry's `context`);
//! or has a topic, nothing elsewhere and no other condition, and mostly words the knowledge
//! uses.
//! Anything else gets an honest no-match without suggestions, however many words it shares
//! with the knowledge.
//!
//! # Which entry? (ranking on the part that carries evidence)
//! Words go through the shared text layer ([`crate::text`]: fold, typo correction against the
//! knowledge's own words, never correcting a real English word), then synonyms and filler
//! (`analyze`), negated topics dropped ("I don't have a *fever*, where do I massage?").
//! Each remaining word is a *slot* weighted by its rarity among what people ask about
//! entries (titles, phrasings, tags), times how specific it is in everyday English
//! ([`text::specificity`]: "stop" and "good" say little), less for weak words ("how",
//! "pain"). A word the knowledge never uses is context: it does not count against coverage.
//! Entries sharing a term with the question (inverted `index`) are scored on:
//!
//! - **phrasing fit**: F-beta with beta = 1/2 between the question and the entry's best
//!   phrasing or title: precision-heavy, because a phrasing found whole inside a long
//!   message is a fine match; plus a small bonus for word pairs in order;
//! - **coverage**: the share of the question's known weight the entry contains;
//! - **BM25 margin**: the entry's BM25 score relative to the best candidate's;
//!
//! times an **evidence** factor: the weight matched in the entry's titles, phrasings and
//! tags (full at `EVIDENCE_FULL`), or how nearly the message *is* one phrasing ("what is
//! sciatica?"), so an entry found only through a common word is a guess.
//!
//! # Two questions, one reply ([`Matcher::find`])
//! A second answer joins the first when the message mentions an entry's `context` words (a
//! pregnancy, a medicine), when another question sentence or an "also..." part answers
//! elsewhere, or when the next hit is found through words the first does not explain.
//!
//! # Thresholds
//! [`ANSWER_THRESHOLD`], [`SUGGEST_THRESHOLD`] and the constants below were set on the
//! tuning half of the blind chatty corpus (`tests/corpora/chatty-tune.jsonl`) and our own set
//! (`tests/questions.jsonl`), never on the test half; `tests/corpora.rs` scores both halves.

mod analyze;
mod index;
pub mod naive;
mod scope;

use crate::knowledge::Knowledge;
use crate::text;
use crate::text::{FastMap, FastSet, TypoIndex, TypoPolicy};
use analyze::Phrases;
use index::{bigram, Index};
use scope::{ScopeLists, StemPhrases};

/// Typo correction of question words: four letters and up, one edit (two from eight
/// letters), and words of up to five letters keep their first letter ("rain" is not "train").
const TYPOS: TypoPolicy = TypoPolicy {
    min_len: 4,
    two_edits_from: 8,
    keep_first: 0,
    short_len: 5,
};

/// At or above this confidence the best hit is given as the answer.
pub const ANSWER_THRESHOLD: f32 = 0.35;
/// Below the answer threshold, hits at or above this are offered as "did you mean".
pub const SUGGEST_THRESHOLD: f32 = 0.25;

/// Share of the confidence from coverage, phrasing fit and the BM25 margin.
const COVER_SHARE: f32 = 0.4;
const PHRASE_SHARE: f32 = 0.5;
const BM25_SHARE: f32 = 0.1;
/// A question word found only in an entry's answer text counts this much towards coverage.
const BODY_MATCH: f32 = 0.35;
/// Matched weight in an entry's titles, phrasings and tags at which the evidence is full; a
/// rarer word counts more, and one distinctive word ("piriformis") is enough.
const EVIDENCE_FULL: f32 = 2.0;
/// Confidence multiplier for an entry that shares no informative word with the question.
const NO_CARRIER: f32 = 0.25;
/// A message with our topic but no anchor is ours when at least this share of its
/// distinctive words (see [`text::specificity`]) are words of the knowledge.
const TOPIC_SHARE: f32 = 0.5;
const CONTENT_SPECIFICITY: f32 = 0.4;
/// Weight of a distinctive word the knowledge never uses, where it counts at all.
const UNKNOWN_WEIGHT: f32 = 1.0;
/// How many top entries are looked at for a second answer.
const ALSO_CANDIDATES: usize = 8;
/// A second answer explains mostly new words of the message (this share of its matched
/// weight at least) ...
const ALSO_NEW: f32 = 0.6;
/// ... of at least this much weight, and shares no word of this weight or more with the best.
const ALSO_DISTINCT: f32 = 0.8;
/// Bonus per question word pair found in the same order in a phrasing, and its cap.
const BIGRAM_BONUS: f32 = 0.05;
const BIGRAM_CAP: f32 = 0.1;
/// Weight of a question word the knowledge uses only in answer texts, relative to its rarity:
/// such words are mostly context ("my *husband*", "at *work*"), rarely what is asked.
const BODY_ONLY: f32 = 0.35;
/// Entries scored in full (phrasing fit) after the cheap coverage pass.
const CANDIDATES: usize = 48;
/// Long inputs: only this many characters and words are looked at, and this many distinct
/// slots kept. Nobody asks one question in more; the engine refuses far shorter input anyway.
const MAX_CHARS: usize = 4000;
const MAX_WORDS: usize = 400;
const MAX_SLOTS: usize = 40;

/// One candidate entry: its index in `Knowledge::entries` and a confidence in 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
}

/// The index built from one knowledge base; immutable and cheap to share.
pub struct Matcher {
    index: Index,
    phrases: Phrases,
    vocab: TypoIndex,
    /// Words that are not typos: every knowledge word, synonym word and function word.
    known: FastSet<String>,
    scope: ScopeLists,
    /// Entries with `context` words, and those words compiled.
    contexts: Vec<(usize, StemPhrases)>,
    /// Each phrasing, folded, and the one entry it belongs to (a phrasing two entries claim
    /// is left out: `check` reports it).
    exact: FastMap<String, usize>,
    entries: usize,
}

/// A question word after typo correction: what it may mean, best first, with how sure we are.
#[derive(Debug, Clone)]
struct QWord {
    alts: Vec<(String, f32)>,
    /// Stem of the best alternative, for synonym phrases.
    stem: String,
    /// Neither the knowledge nor the typo lookup knows it.
    unknown: bool,
}

impl QWord {
    fn new(alts: Vec<(String, f32)>, unknown: bool) -> Self {
        let stem = alts
            .first()
            .map_or_else(String::new, |(w, _)| text::stem(w));
        Self {
            alts,
            stem,
            unknown,
        }
    }

    fn best(&self) -> &str {
        self.alts.first().map_or("", |(w, _)| w.as_str())
    }
}

/// One entry's score and its parts.
#[derive(Debug, Clone, Copy)]
struct Scored {
    entry: usize,
    score: f32,
    cover: f32,
    fit: f32,
    bm25: f32,
    carried: bool,
    /// The question's slots found in the entry's titles, phrasings or tags (bit per slot).
    explains: u64,
}

/// What a message asks: the best entries, and a second answer when the message asks about
/// two things ("sneezing is agony, any trick? also best cushion for my office chair").
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Best first.
    pub hits: Vec<Hit>,
    /// An entry that answers a different part of the message than `hits[0]`.
    pub also: Option<Hit>,
}

/// A question term to find: alternatives (term id, quality) and the slot's weight. A slot
/// with no alternatives is a distinctive word the knowledge never uses.
#[derive(Debug, Clone)]
struct Slot {
    alts: Vec<(u32, f32)>,
    weight: f32,
}

/// Weight of the slots the knowledge knows.
fn known_weight(slots: &[Slot]) -> f32 {
    slots
        .iter()
        .filter(|s| !s.alts.is_empty())
        .map(|s| s.weight)
        .sum()
}

impl Matcher {
    pub fn build(knowledge: &Knowledge) -> Self {
        let phrases = Phrases::new(&knowledge.synonyms);
        let titles = knowledge.entries.iter().flat_map(|e| {
            std::iter::once(e.title.as_str()).chain(e.tags.iter().map(String::as_str))
        });
        let scope = ScopeLists::new(&knowledge.scope, titles);
        let domain: FastSet<String> = scope.words().map(str::to_string).collect();
        let index = Index::build(knowledge, &phrases, &domain);
        let mut typo_targets: Vec<(String, u32)> = index
            .key_words
            .iter()
            .map(|(w, &f)| (w.clone(), f))
            .collect();
        typo_targets.extend(phrases.words().map(|w| (w.to_string(), 1)));
        typo_targets.extend(analyze::function_words().map(|w| (w.to_string(), 1)));
        typo_targets.extend(scope.words().map(|w| (w.to_string(), 1)));
        let vocab = TypoIndex::build(TYPOS, typo_targets);
        let mut known = index.all_words.clone();
        known.extend(phrases.words().map(str::to_string));
        known.extend(analyze::function_words().map(str::to_string));
        known.extend(scope.words().map(str::to_string));
        Self {
            index,
            phrases,
            vocab,
            known,
            scope,
            contexts: knowledge
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| !e.context.is_empty())
                .map(|(i, e)| (i, StemPhrases::new(&e.context)))
                .collect(),
            exact: exact_phrasings(knowledge),
            entries: knowledge.entries.len(),
        }
    }

    /// Number of distinct words typo correction can land on.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    /// Whether `question` is about sciatica self-care at all (see `scope`); knowledge without
    /// a `[scope]` treats every question as ours.
    pub fn in_scope(&self, question: &str) -> bool {
        if self.scope.is_empty() {
            return true;
        }
        let (words, stems) = self.message_words(question);
        let bests: Vec<&str> = words.iter().map(QWord::best).collect();
        let mut ev = self.scope.evidence(&bests, &stems);
        // Synonyms name our topics too ("chiro" is "chiropractor"), but never hide a word's
        // own evidence.
        let canonical = self.synonyms(&words);
        let canon_words: Vec<&str> = canonical.iter().map(QWord::best).collect();
        let canon_stems: Vec<String> = canonical.iter().map(|w| w.stem.clone()).collect();
        let more = self.scope.evidence(&canon_words, &canon_stems);
        ev.anchor |= more.anchor;
        ev.body |= more.body;
        ev.topic |= more.topic;
        ev.elsewhere |= more.elsewhere;
        ev.other_condition |= more.other_condition;
        ev.pain |= more.pain;
        // A medicine, a pregnancy or a child mentioned is ours whatever else is said, even
        // another condition ("naproxen with my heartburn"): the entry that calls for a
        // professional must be heard.
        let context = self.contexts.iter().any(|(_, p)| p.found_unnegated(&stems));
        if let Some(decided) = ev.verdict(context) {
            return decided;
        }
        // Our topic and nothing named elsewhere: ours when most of what the message talks
        // about is ours ("ice or heat?", "are heels ok?"), not when our word is one of many
        // ("the massage chair at the shopping centre ate my coin, who do I complain to").
        let content: Vec<&QWord> = words
            .iter()
            .filter(|w| {
                let b = w.best();
                b.len() > 3
                    && !analyze::is_ignored(b)
                    && !analyze::is_number(b)
                    && text::specificity(b) >= CONTENT_SPECIFICITY
            })
            .collect();
        let ours = content.iter().filter(|w| !w.unknown).count();
        ours as f32 >= TOPIC_SHARE * content.len() as f32
    }

    /// Every word of a message, typo-corrected, and their stems.
    fn message_words(&self, question: &str) -> (Vec<QWord>, Vec<String>) {
        let folded = text::fold(text::prefix(question, MAX_CHARS));
        let words: Vec<QWord> = text::words(&folded)
            .take(MAX_WORDS)
            .map(|w| self.correct(w))
            .collect();
        let stems = words.iter().map(|w| text::stem(w.best())).collect();
        (words, stems)
    }

    /// `words` with synonym phrases replaced by their canonical words.
    fn synonyms(&self, words: &[QWord]) -> Vec<QWord> {
        self.phrases.rewrite(
            words,
            |w| w.stem.as_str(),
            |w, stem, consumed| QWord {
                alts: vec![(
                    w.to_string(),
                    consumed
                        .iter()
                        .map(|c| c.alts.first().map_or(1.0, |a| a.1))
                        .fold(1.0, f32::min),
                )],
                stem: stem.to_string(),
                unknown: false,
            },
        )
    }

    /// The best `limit` entries for `question`, and a second answer when the message asks
    /// two things. The second answer is, in order of preference:
    /// 1. an entry whose `context` words the message mentions ("...while pregnant?" brings
    ///    the pregnancy entry's cautions to a heat question);
    /// 2. the best answer to another question sentence of the message ("1. why does it
    ///    burn 2. would a TENS help");
    /// 3. among the next hits for the whole message, one found through words the best hit
    ///    does not explain (at least `ALSO_NEW` of its matched weight, none of it through
    ///    the best hit's distinctive words).
    ///
    /// When nothing answers but a context entry is mentioned, that entry answers.
    pub fn find(&self, question: &str, limit: usize) -> Found {
        let mut hits = self.search(question, limit);
        let (_, stems) = self.message_words(question);
        let context = self
            .contexts
            .iter()
            .find(|(_, p)| p.found_unnegated(&stems))
            .map(|&(e, _)| e);
        let Some(best) = hits.first().copied() else {
            return match context {
                Some(e) => Found {
                    hits: vec![Hit {
                        entry: e,
                        score: ANSWER_THRESHOLD,
                    }],
                    also: None,
                },
                None => Found::default(),
            };
        };
        if best.score < ANSWER_THRESHOLD {
            if let Some(e) = context {
                hits.retain(|h| h.entry != e);
                hits.insert(
                    0,
                    Hit {
                        entry: e,
                        score: ANSWER_THRESHOLD,
                    },
                );
                return Found { hits, also: None };
            }
            return Found { hits, also: None };
        }
        if let Some(e) = context.filter(|&e| e != best.entry) {
            return Found {
                hits,
                also: Some(Hit {
                    entry: e,
                    score: ANSWER_THRESHOLD,
                }),
            };
        }
        if let Some(h) = self.other_question(question, best.entry) {
            return Found {
                hits,
                also: Some(h),
            };
        }
        let slots = self.slots(text::prefix(question, MAX_CHARS));
        let total = known_weight(&slots);
        if total <= 0.0 {
            return Found { hits, also: None };
        }
        let scored = self.score(&slots, total, ALSO_CANDIDATES);
        let first = scored
            .iter()
            .find(|s| s.entry == best.entry)
            .map_or(0, |s| s.explains);
        let weight = |mask: u64| -> f32 {
            slots
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, s)| s.weight)
                .sum()
        };
        let distinctive = |i: usize| slots[i].weight >= ALSO_DISTINCT;
        let also = scored
            .iter()
            .filter(|s| s.entry != best.entry && s.score >= ANSWER_THRESHOLD)
            .find(|s| {
                let shared = s.explains & first;
                let fresh = weight(s.explains & !first);
                (0..slots.len()).all(|i| shared & (1 << i) == 0 || !distinctive(i))
                    && fresh >= ALSO_NEW * weight(s.explains)
                    && fresh >= ALSO_DISTINCT
            })
            .map(|s| Hit {
                entry: s.entry,
                score: s.score,
            });
        Found { hits, also }
    }

    /// The best answer to another question in the message than the one `first` answers:
    /// its question sentences, and the parts after "also", "plus" or a number ("2.").
    fn other_question(&self, question: &str, first: usize) -> Option<Hit> {
        let parts = analyze::question_parts(text::prefix(question, MAX_CHARS));
        if parts.len() < 2 {
            return None;
        }
        parts
            .iter()
            .filter_map(|p| self.search(p, 1).first().copied())
            .filter(|h| h.entry != first && h.score >= ANSWER_THRESHOLD)
            .max_by(|a, b| a.score.total_cmp(&b.score))
    }

    /// The best `limit` entries for `question`, best first. A question that is, once folded,
    /// exactly one of an entry's phrasings gets that entry first with full confidence: an
    /// admin wrote that very question under it (a one-click gap fix relies on this), whatever
    /// the fuzzy ranking would say of other entries sharing its words.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Hit> {
        let mut hits = self.search_fuzzy(question, limit);
        if limit == 0 {
            return hits;
        }
        let folded = text::fold(text::prefix(question, MAX_CHARS));
        if let Some(&entry) = self.exact.get(folded.as_str()) {
            hits.retain(|h| h.entry != entry);
            hits.insert(0, Hit { entry, score: 1.0 });
            hits.truncate(limit);
        }
        hits
    }

    /// [`Matcher::search`] by the fuzzy ranking alone, without the exact-phrasing lookup:
    /// what `check` uses to warn that a phrasing's neighbours in other words would find
    /// another entry.
    pub fn search_fuzzy(&self, question: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.entries == 0 {
            return Vec::new();
        }
        let question = text::prefix(question, MAX_CHARS);
        let mut hits = self.rank(question, limit);
        // Context plus a question ("I've had it for weeks. Where do I massage?"): the
        // question alone may match better than the whole, never worse than it.
        if let Some(asked) = analyze::question_sentences(question) {
            for h in self.rank(&asked, limit) {
                match hits.iter_mut().find(|x| x.entry == h.entry) {
                    Some(x) => x.score = x.score.max(h.score),
                    None => hits.push(h),
                }
            }
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
            hits.truncate(limit);
        }
        hits
    }

    /// Question -> weighted slots (typos corrected, synonyms applied, filler dropped).
    fn slots(&self, question: &str) -> Vec<Slot> {
        let words: Vec<QWord> = analyze::question_words(question)
            .iter()
            .take(MAX_WORDS)
            .map(|w| self.correct(w))
            .collect();
        let words = self.synonyms(&words);
        let mut slots: Vec<Slot> = Vec::new();
        let mut seen: FastSet<u32> = FastSet::default();
        for w in &words {
            // Checked before every push, unknown words included: `phrase_fit` keeps one
            // array cell per slot.
            if slots.len() >= MAX_SLOTS {
                break;
            }
            let best = w.best();
            if analyze::is_ignored(best) || analyze::is_number(best) {
                continue;
            }
            // A word the knowledge never uses is context ("my dad", "the depot", "last
            // night's telly"), neither for nor against any entry: whether the message is
            // ours at all is decided from its domain evidence (see [`Self::in_scope`]). Only
            // when a message would otherwise *be* one of our phrasings does it count, as what
            // the phrasing leaves out ("sciatica trivia" is not "what is sciatica").
            if w.unknown {
                let b = w.best();
                if b.len() > 3 && text::specificity(b) >= CONTENT_SPECIFICITY {
                    slots.push(Slot {
                        alts: Vec::new(),
                        weight: UNKNOWN_WEIGHT,
                    });
                }
                continue;
            }
            let mut alts: Vec<(u32, f32)> = Vec::new();
            for (word, q) in &w.alts {
                if analyze::is_ignored(word) {
                    continue;
                }
                if let Some(t) = self.index.term(&text::stem(word)) {
                    if !alts.iter().any(|(x, _)| *x == t) {
                        alts.push((t, *q));
                    }
                }
            }
            if let Some(&(t, _)) = alts.first() {
                if seen.insert(t) {
                    // The slot weighs what the most likely reading weighs: a typo that could
                    // also be a rare word must not outweigh the common word meant. A word
                    // found only in answer texts is mostly context.
                    let mut weight = self.index.weight(t);
                    if !self.index.key[t as usize] {
                        weight *= BODY_ONLY;
                    }
                    slots.push(Slot { alts, weight });
                }
            }
        }
        slots
    }

    /// A folded question word as the knowledge would spell it.
    fn correct(&self, word: &str) -> QWord {
        let exact = |w: &str| QWord::new(vec![(w.to_string(), 1.0)], false);
        if analyze::is_ignored(word)
            || analyze::is_number(word)
            || self.known.contains(word)
            || self.index.term(&text::stem(word)).is_some()
        {
            return exact(word);
        }
        // A correctly spelt English word is not a typo of ours ("tap" is not "tape").
        if text::is_english_word(word) {
            return QWord::new(vec![(word.to_string(), 1.0)], true);
        }
        // A correction onto a function word drops the word, so it must be a safe bet: same
        // first letter ("pleese" -> "please", but not "fight" -> "right").
        let first = word.as_bytes().first();
        let fixes: Vec<_> = self
            .vocab
            .corrections(word)
            .into_iter()
            .filter(|c| {
                let target = self.vocab.word(c.word);
                !analyze::is_ignored(target) || target.as_bytes().first() == first
            })
            .collect();
        if fixes.is_empty() {
            return QWord::new(vec![(word.to_string(), 1.0)], true);
        }
        QWord::new(
            fixes
                .iter()
                .map(|c| (self.vocab.word(c.word).to_string(), c.quality))
                .collect(),
            false,
        )
    }

    fn rank(&self, text: &str, limit: usize) -> Vec<Hit> {
        let slots = self.slots(text);
        let total = known_weight(&slots);
        if total <= 0.0 {
            return Vec::new();
        }
        self.score(&slots, total, limit)
            .into_iter()
            .map(|s| Hit {
                entry: s.entry,
                score: s.score,
            })
            .collect()
    }

    /// Why `question` gets the hits it gets: its slots and each top entry's score parts.
    /// For admins and tuning; the wording of this text is not a stable interface.
    pub fn explain(&self, question: &str, limit: usize) -> String {
        use std::fmt::Write;
        let question = text::prefix(question, MAX_CHARS);
        let slots = self.slots(question);
        let total = known_weight(&slots);
        let names: Vec<&str> = {
            let mut v = vec![""; self.index.terms.len()];
            for (name, &id) in &self.index.terms {
                v[id as usize] = name;
            }
            v
        };
        let mut out = String::new();
        for s in &slots {
            let alts: Vec<String> = s
                .alts
                .iter()
                .map(|&(t, q)| format!("{}({q:.2})", names[t as usize]))
                .collect();
            let alts = if alts.is_empty() {
                "<unknown>".to_string()
            } else {
                alts.join("|")
            };
            let _ = writeln!(out, "slot {alts} weight {:.2}", s.weight);
        }
        if total > 0.0 {
            for s in self.score(&slots, total, limit) {
                let _ = writeln!(
                    out,
                    "entry {} score {:.3} = cover {:.2} fit {:.2} bm25 {:.2}{}",
                    s.entry,
                    s.score,
                    s.cover,
                    s.fit,
                    s.bm25,
                    if s.carried { "" } else { " (no carrier)" }
                );
            }
        }
        out
    }

    fn score(&self, slots: &[Slot], total: f32, limit: usize) -> Vec<Scored> {
        let n = self.entries;
        let mut cover = vec![0f32; n];
        let mut bm25 = vec![0f32; n];
        let mut slot_best = vec![0f32; n];
        let mut stamp = vec![u32::MAX; n];
        // The entry shares a non-weak word with the question in what people ask about it.
        let mut carrier = vec![false; n];
        // Weight of the question found in the entry's titles, phrasings and tags, and which
        // slots.
        let mut keyw = vec![0f32; n];
        let mut explains = vec![0u64; n];
        let mut key_best = vec![0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        for (si, slot) in slots.iter().enumerate() {
            for &(t, q) in &slot.alts {
                let w = self.index.weight(t).min(slot.weight);
                let idf = self.index.idf[t as usize];
                let weak = self.index.weak[t as usize];
                for p in &self.index.postings[t as usize] {
                    let e = p.entry as usize;
                    if stamp[e] == u32::MAX {
                        touched.push(p.entry);
                    }
                    if stamp[e] != si as u32 {
                        stamp[e] = si as u32;
                        slot_best[e] = 0.0;
                        key_best[e] = 0.0;
                    }
                    let val = q * w * if p.key { 1.0 } else { BODY_MATCH };
                    if val > slot_best[e] {
                        cover[e] += val - slot_best[e];
                        slot_best[e] = val;
                    }
                    if p.key && q * w > key_best[e] {
                        keyw[e] += q * w - key_best[e];
                        key_best[e] = q * w;
                        explains[e] |= 1 << si.min(63);
                    }
                    bm25[e] += idf * q * p.bm25;
                    if p.key && !weak && q >= 0.5 {
                        carrier[e] = true;
                    }
                }
            }
        }
        if touched.is_empty() {
            return Vec::new();
        }
        // Cheap pass: keep the entries that cover most of the question.
        let key = |e: u32| cover[e as usize] + 0.01 * bm25[e as usize];
        if touched.len() > CANDIDATES {
            touched.select_nth_unstable_by(CANDIDATES, |&a, &b| key(b).total_cmp(&key(a)));
            touched.truncate(CANDIDATES);
        }
        let bm_max = touched
            .iter()
            .map(|&e| bm25[e as usize])
            .fold(0.0, f32::max)
            .max(f32::EPSILON);
        let mut scored: Vec<Scored> = touched
            .iter()
            .map(|&e| {
                let e = e as usize;
                let (fit, whole) = self.phrase_fit(e, slots, total);
                let cover = (cover[e] / total).min(1.0);
                let bm25 = bm25[e] / bm_max;
                // Evidence: an entry found only through a common word ("sciatica") is a guess,
                // however much of a short phrasing that word makes up, unless the message is
                // that phrasing ("what is sciatica?").
                let evidence = (keyw[e] / EVIDENCE_FULL).max(whole).min(1.0);
                let mut conf =
                    (COVER_SHARE * cover + PHRASE_SHARE * fit + BM25_SHARE * bm25) * evidence;
                let carried = carrier[e];
                if !carried {
                    conf *= NO_CARRIER;
                }
                Scored {
                    entry: e,
                    score: conf.clamp(0.0, 1.0),
                    cover,
                    fit,
                    bm25,
                    carried,
                    explains: explains[e],
                }
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        scored.truncate(limit);
        scored
    }

    /// Best weighted overlap between the question and one phrasing (or the title) of entry
    /// `e`, with a bonus for word pairs in the phrasing's order; and how nearly the question
    /// *is* one phrasing (recall times precision).
    fn phrase_fit(&self, e: usize, slots: &[Slot], total: f32) -> (f32, f32) {
        let mut best = 0.0f32;
        let mut whole = 0.0f32;
        let unknown: f32 = slots
            .iter()
            .filter(|s| s.alts.is_empty())
            .map(|s| s.weight)
            .sum();
        for p in &self.index.phrases[e] {
            let mut inter = 0.0;
            let mut present: [Option<u32>; MAX_SLOTS] = [None; MAX_SLOTS];
            for (i, s) in slots.iter().enumerate() {
                let hit = s
                    .alts
                    .iter()
                    .filter(|(t, _)| p.terms.binary_search(t).is_ok())
                    .map(|&(t, q)| (t, q * self.index.weight(t).min(s.weight)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                if let Some((t, v)) = hit {
                    inter += v;
                    present[i] = Some(t);
                }
            }
            if inter <= 0.0 {
                continue;
            }
            let mut pairs = 0.0;
            for w in present[..slots.len()].windows(2) {
                if let [Some(a), Some(b)] = w {
                    if p.bigrams.binary_search(&bigram(*a, *b)).is_ok() {
                        pairs += BIGRAM_BONUS;
                    }
                }
            }
            // F-beta with beta = 1/2: how much of the phrasing the message holds (precision)
            // counts four times as much as how much of the message the phrasing explains
            // (recall). Real messages wrap the question in context, so a phrasing found whole
            // inside a long message is a fine match; the message's other words only break
            // ties between phrasings.
            let recall = (inter / total).min(1.0);
            let precision = (inter / p.weight.max(f32::EPSILON)).min(1.0);
            let f = 1.25 * recall * precision / (0.25 * precision + recall);
            best = best.max((f + pairs.min(BIGRAM_CAP)).min(1.0));
            whole = whole.max((inter / (total + unknown)).min(1.0) * precision);
        }
        (best, whole)
    }
}

/// Folded phrasing -> its entry, for phrasings exactly one entry claims.
fn exact_phrasings(knowledge: &Knowledge) -> FastMap<String, usize> {
    let mut exact: FastMap<String, Option<usize>> = FastMap::default();
    for (i, e) in knowledge.entries.iter().enumerate() {
        for p in &e.phrasings {
            let folded = text::fold(p);
            if folded.is_empty() {
                continue;
            }
            exact
                .entry(folded)
                .and_modify(|owner| {
                    if *owner != Some(i) {
                        *owner = None;
                    }
                })
                .or_insert(Some(i));
        }
    }
    exact
        .into_iter()
        .filter_map(|(p, owner)| owner.map(|i| (p, i)))
        .collect()
}
