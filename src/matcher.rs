//! Fuzzy retrieval of knowledge entries for a question.
//!
//! STUB: a plain word-overlap score. The real matcher (typo-tolerant vocabulary, stems,
//! synonyms, BM25 weights over an inverted index, calibrated confidence) replaces it behind
//! the same API: `Matcher::build`, `Matcher::search`, `Hit`, `ANSWER_THRESHOLD`,
//! `SUGGEST_THRESHOLD`.

use crate::knowledge::Knowledge;
use crate::normalize;

/// At or above this confidence the best hit is given as the answer.
pub const ANSWER_THRESHOLD: f32 = 0.5;
/// Below the answer threshold, hits at or above this are offered as "did you mean".
pub const SUGGEST_THRESHOLD: f32 = 0.2;

/// One candidate entry: its index in `Knowledge::entries` and a confidence in 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
}

pub struct Matcher {
    docs: Vec<Vec<String>>,
}

impl Matcher {
    pub fn build(knowledge: &Knowledge) -> Self {
        let docs = knowledge
            .entries
            .iter()
            .map(|e| {
                let mut words: Vec<String> = std::iter::once(e.title.as_str())
                    .chain(e.phrasings.iter().map(String::as_str))
                    .flat_map(|p| {
                        normalize::words(&normalize::fold(p))
                            .filter(|w| !normalize::is_stopword(w))
                            .map(normalize::stem)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                words.sort();
                words.dedup();
                words
            })
            .collect();
        Self { docs }
    }

    /// The best `limit` entries for `question`, best first.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Hit> {
        let folded = normalize::fold(question);
        let q: Vec<String> = normalize::words(&folded)
            .filter(|w| !normalize::is_stopword(w))
            .map(normalize::stem)
            .collect();
        if q.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<Hit> = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let common = q.iter().filter(|w| d.binary_search(w).is_ok()).count();
                Hit {
                    entry: i,
                    score: common as f32 / q.len() as f32,
                }
            })
            .filter(|h| h.score > 0.0)
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits.truncate(limit);
        hits
    }
}
