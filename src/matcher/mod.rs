//! Fuzzy retrieval of knowledge entries for a question, with a calibrated confidence.
//!
//! A question goes through: clauses (a negated topic is dropped: "I don't have a *fever*,
//! where do I massage?") -> [`normalize::fold`] -> words -> typo correction against the
//! knowledge's own vocabulary (`vocab`) -> synonym and filler phrases (`analyze`) ->
//! stopwords, filler and numbers dropped -> stems. Each remaining word is a *slot* with a
//! weight: its rarity (IDF), less for weak words like "how", "treat" or "pain"; a word the
//! knowledge never uses weighs as much as its rarest word, because it may be exactly what is
//! asked ("pizza"). Entries are found through the inverted index (`index`); only entries
//! sharing a term with the question are scored, on three things:
//!
//! - **coverage**: the share of the question's weight the entry contains (its title,
//!   phrasings and tags fully; its answer text a little);
//! - **phrasing fit**: the best weighted overlap (F2, recall-heavy) between the question and
//!   one phrasing or the title, plus a small bonus for word pairs in the same order;
//! - **BM25 margin**: the entry's BM25 score relative to the best candidate's.
//!
//! The confidence is a weighted sum of the three, in 0..1, scaled down when coverage is low
//! (an entry that leaves half the question unexplained is a guess) and when the entry shares
//! no non-weak word with the question. When a message holds statements and questions, the
//! question sentences are also matched alone and the better score kept.
//!
//! The thresholds were set on our own question set (`tests/questions.jsonl`), where correct
//! answers score 0.5 and up and out-of-scope questions 0.31 and below; the dev set was only
//! used to measure.

mod analyze;
mod hash;
mod index;
pub mod naive;
mod vocab;

use crate::knowledge::Knowledge;
use crate::normalize;
use analyze::Phrases;
use hash::FastSet;
use index::{bigram, Index};
use vocab::Vocab;

/// At or above this confidence the best hit is given as the answer.
pub const ANSWER_THRESHOLD: f32 = 0.45;
/// Below the answer threshold, hits at or above this are offered as "did you mean".
pub const SUGGEST_THRESHOLD: f32 = 0.25;

/// Share of the confidence from coverage, phrasing fit and the BM25 margin.
const COVER_SHARE: f32 = 0.4;
const PHRASE_SHARE: f32 = 0.5;
const BM25_SHARE: f32 = 0.1;
/// A question word found only in an entry's answer text counts this much towards coverage.
const BODY_MATCH: f32 = 0.35;
/// Coverage ramp: an entry that explains less than `COVER_FULL` of what the question says
/// has its confidence scaled down linearly, to nothing at `COVER_NONE`. However well one of
/// its phrasings overlaps, an entry that leaves half the question unexplained ("how do I
/// fix a leaking *tap*", "*piriformis* injection cost") is a guess, worth a suggestion at
/// most.
const COVER_NONE: f32 = 0.25;
const COVER_FULL: f32 = 0.6;
/// Confidence multiplier for an entry that shares no informative word with the question.
const NO_CARRIER: f32 = 0.25;
/// Bonus per question word pair found in the same order in a phrasing, and its cap.
const BIGRAM_BONUS: f32 = 0.05;
const BIGRAM_CAP: f32 = 0.1;
/// Weight of an unknown word that modifies a known topic word right after it.
const MODIFIER_FACTOR: f32 = 0.6;
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
    vocab: Vocab,
    /// Words that are not typos: every knowledge word, synonym word and function word.
    known: FastSet<String>,
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
            .map_or_else(String::new, |(w, _)| normalize::stem(w));
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
}

/// A question term to find: alternatives (term id, quality) and the slot's weight.
#[derive(Debug, Clone)]
struct Slot {
    alts: Vec<(u32, f32)>,
    weight: f32,
}

impl Matcher {
    pub fn build(knowledge: &Knowledge) -> Self {
        let phrases = Phrases::new(&knowledge.synonyms);
        let index = Index::build(knowledge, &phrases);
        let mut typo_targets: Vec<(String, u32)> = index
            .key_words
            .iter()
            .map(|(w, &f)| (w.clone(), f))
            .collect();
        typo_targets.extend(phrases.words().map(|w| (w.to_string(), 1)));
        typo_targets.extend(analyze::function_words().map(|w| (w.to_string(), 1)));
        let vocab = Vocab::build(typo_targets);
        let mut known = index.all_words.clone();
        known.extend(phrases.words().map(str::to_string));
        known.extend(analyze::function_words().map(str::to_string));
        Self {
            index,
            phrases,
            vocab,
            known,
            entries: knowledge.entries.len(),
        }
    }

    /// Number of distinct words typo correction can land on.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }

    /// The best `limit` entries for `question`, best first.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Hit> {
        if limit == 0 || self.entries == 0 {
            return Vec::new();
        }
        let question = clip(question, MAX_CHARS);
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
        let words = self.phrases.rewrite(
            &words,
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
        );
        let mut slots: Vec<Slot> = Vec::new();
        let mut seen: FastSet<u32> = FastSet::default();
        for (i, w) in words.iter().enumerate() {
            // Checked before every push, unknown words included: `phrase_fit` keeps one
            // array cell per slot.
            if slots.len() >= MAX_SLOTS {
                break;
            }
            let best = w.best();
            if analyze::is_ignored(best) || analyze::is_number(best) {
                continue;
            }
            let unknown_slot = |factor: f32| Slot {
                alts: Vec::new(),
                weight: self.index.unknown_weight * factor,
            };
            if w.unknown {
                // An unknown word right before a topic word the knowledge knows is most
                // likely a modifier ("*coconut* oil", "*office* chair"); any other may be
                // exactly what is asked ("pizza", "sunburn").
                let factor = if words.get(i + 1).is_some_and(|next| self.is_topic(next)) {
                    MODIFIER_FACTOR
                } else {
                    1.0
                };
                slots.push(unknown_slot(factor));
                continue;
            }
            let mut alts: Vec<(u32, f32)> = Vec::new();
            for (word, q) in &w.alts {
                if analyze::is_ignored(word) {
                    continue;
                }
                if let Some(t) = self.index.term(&normalize::stem(word)) {
                    if !alts.iter().any(|(x, _)| *x == t) {
                        alts.push((t, *q));
                    }
                }
            }
            match alts.first() {
                None => slots.push(unknown_slot(analyze::weight_factor(&normalize::stem(best)))),
                Some(&(t, _)) => {
                    if seen.insert(t) {
                        // The slot weighs what the most likely reading weighs: a typo that
                        // could also be a rare word must not outweigh the common word meant.
                        let weight = self.index.weight(t);
                        slots.push(Slot { alts, weight });
                    }
                }
            }
        }
        slots
    }

    /// True when a question word is a known, non-weak knowledge term.
    fn is_topic(&self, w: &QWord) -> bool {
        !w.unknown
            && !analyze::is_ignored(w.best())
            && self
                .index
                .term(&w.stem)
                .is_some_and(|t| !self.index.weak[t as usize])
    }

    /// A folded question word as the knowledge would spell it.
    fn correct(&self, word: &str) -> QWord {
        let exact = |w: &str| QWord::new(vec![(w.to_string(), 1.0)], false);
        if analyze::is_ignored(word)
            || analyze::is_number(word)
            || self.known.contains(word)
            || self.index.term(&normalize::stem(word)).is_some()
        {
            return exact(word);
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
        let total: f32 = slots.iter().map(|s| s.weight).sum();
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
        let question = clip(question, MAX_CHARS);
        let slots = self.slots(question);
        let total: f32 = slots.iter().map(|s| s.weight).sum();
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
                    }
                    let val = q * w * if p.key { 1.0 } else { BODY_MATCH };
                    if val > slot_best[e] {
                        cover[e] += val - slot_best[e];
                        slot_best[e] = val;
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
                let fit = self.phrase_fit(e, slots, total);
                let cover = (cover[e] / total).min(1.0);
                let bm25 = bm25[e] / bm_max;
                let mut conf = (COVER_SHARE * cover + PHRASE_SHARE * fit + BM25_SHARE * bm25)
                    * ((cover - COVER_NONE) / (COVER_FULL - COVER_NONE)).clamp(0.0, 1.0);
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
                }
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        scored.truncate(limit);
        scored
    }

    /// Best weighted overlap (F2) between the question and one phrasing (or the title) of
    /// entry `e`, with a bonus for word pairs in the phrasing's order.
    fn phrase_fit(&self, e: usize, slots: &[Slot], total: f32) -> f32 {
        let mut best = 0.0f32;
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
            // F-beta with beta = 2: covering the question (recall) counts four times as much
            // as covering the phrasing (precision). A short question inside a longer
            // phrasing is a fine match; a long question sharing one word with a short
            // phrasing ("best phone to *buy*" vs "what should I buy") is not.
            let recall = (inter / total).min(1.0);
            let precision = (inter / p.weight.max(f32::EPSILON)).min(1.0);
            let f = 5.0 * recall * precision / (4.0 * precision + recall);
            best = best.max((f + pairs.min(BIGRAM_CAP)).min(1.0));
        }
        best
    }
}

/// The longest prefix of `text` with at most `max` bytes, cut at a character boundary.
fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
