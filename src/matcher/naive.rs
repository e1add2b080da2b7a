//! The naive baseline the matcher is measured against: whole-string similarity of the
//! question against every phrasing. Kept for the benchmark and comparison tests only; its
//! cost grows with every phrasing added, and it has no notion of typos inside words,
//! synonyms or rare words.

use super::Hit;
use crate::knowledge::Knowledge;
use crate::text;

pub struct NaiveMatcher {
    /// (entry index, folded phrasing or title)
    phrasings: Vec<(usize, String)>,
    entries: usize,
}

impl NaiveMatcher {
    pub fn build(knowledge: &Knowledge) -> Self {
        let phrasings = knowledge
            .entries
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                std::iter::once(&e.title)
                    .chain(e.phrasings.iter())
                    .map(move |p| (i, text::fold(p)))
            })
            .collect();
        Self {
            phrasings,
            entries: knowledge.entries.len(),
        }
    }

    /// Best `limit` entries by `strsim::normalized_levenshtein` of the folded question
    /// against their best phrasing.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Hit> {
        let q = text::fold(question);
        if q.is_empty() {
            return Vec::new();
        }
        let mut best = vec![0f32; self.entries];
        for (e, p) in &self.phrasings {
            let s = strsim::normalized_levenshtein(&q, p) as f32;
            if s > best[*e] {
                best[*e] = s;
            }
        }
        let mut hits: Vec<Hit> = best
            .into_iter()
            .enumerate()
            .filter(|(_, s)| *s > 0.0)
            .map(|(entry, score)| Hit { entry, score })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(limit);
        hits
    }
}
