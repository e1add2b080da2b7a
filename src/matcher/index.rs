//! The inverted index: postings per term, BM25 weights, and each entry's phrasings as term
//! sets for the phrasing-level score.
//!
//! Built once per knowledge load; searching only touches the postings of the question's
//! terms, so entries that share no term with a question cost nothing.

use super::analyze::{self, Phrases};
use crate::knowledge::Knowledge;
use crate::text::{FastMap, FastSet};

/// BM25 saturation and length normalisation.
const K1: f32 = 1.2;
const B: f32 = 0.6;
/// Field weights for BM25: what people ask (title, phrasings, tags) counts most; the answer
/// text helps only a little, because answers mention many things they are not about.
const TITLE_WEIGHT: f32 = 1.5;
const PHRASING_WEIGHT: f32 = 1.0;
const TAG_WEIGHT: f32 = 1.0;
const BODY_WEIGHT: f32 = 0.15;

/// One entry containing a term.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub entry: u32,
    /// The term is in the title, a phrasing or a tag (not only in the answer).
    pub key: bool,
    /// The BM25 term-frequency part, (tf * (k1 + 1)) / (tf + k1 * norm), fields weighted.
    pub bm25: f32,
}

/// A phrasing (or the title) as a set of terms.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    /// Sorted, deduplicated term ids.
    pub terms: Vec<u32>,
    /// Sum of the terms' weights.
    pub weight: f32,
    /// Adjacent term pairs, packed and sorted, for the phrase bonus.
    pub bigrams: Vec<u64>,
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    pub terms: FastMap<String, u32>,
    pub idf: Vec<f32>,
    pub weak: Vec<bool>,
    /// The term appears in some title, phrasing or tag (not only in answer texts).
    pub key: Vec<bool>,
    /// Weight factor per term (1 for topic words; see [`analyze::weight_factor`]).
    pub factor: Vec<f32>,
    pub postings: Vec<Vec<Posting>>,
    pub phrases: Vec<Vec<Phrase>>,
    /// How often each folded surface word occurs in titles, phrasings and tags (typo targets).
    pub key_words: FastMap<String, u32>,
    /// Every folded surface word in the knowledge, answers included.
    pub all_words: FastSet<String>,
}

pub(crate) fn bigram(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

#[derive(Default)]
struct EntryTerms {
    /// Per field kind: term -> count.
    title: Vec<u32>,
    phrasings: Vec<Vec<u32>>,
    tags: Vec<u32>,
    body: Vec<u32>,
}

impl Index {
    /// `domain`: stems of the scope's words, which keep their full weight however common
    /// they are in everyday English ("back", "leg", "heat").
    pub(crate) fn build(
        knowledge: &Knowledge,
        phrases: &Phrases,
        domain: &FastSet<String>,
    ) -> Self {
        let mut ix = Index::default();
        let mut per_entry: Vec<EntryTerms> = Vec::with_capacity(knowledge.entries.len());
        let mut analyzer = analyze::DocAnalyzer::new(phrases);
        for e in &knowledge.entries {
            let mut et = EntryTerms::default();
            let mut key = |text: &str, ix: &mut Index| -> Vec<u32> {
                let folded = crate::text::fold(text);
                for w in crate::text::words(&folded) {
                    match ix.key_words.get_mut(w) {
                        Some(n) => *n += 1,
                        None => {
                            ix.key_words.insert(w.to_string(), 1);
                        }
                    }
                }
                let terms = analyzer.terms(&folded);
                ix.intern_all(terms)
            };
            et.title = key(&e.title, &mut ix);
            et.phrasings = e.phrasings.iter().map(|p| key(p, &mut ix)).collect();
            et.tags = e.tags.iter().flat_map(|t| key(t, &mut ix)).collect();
            let body = crate::text::fold(&e.answer_text());
            for w in crate::text::words(&body) {
                if !ix.all_words.contains(w) {
                    ix.all_words.insert(w.to_string());
                }
            }
            et.body = ix.intern_all(analyzer.terms(&body));
            per_entry.push(et);
        }
        ix.all_words.extend(ix.key_words.keys().cloned());

        let n_terms = ix.terms.len();
        let n = knowledge.entries.len() as f32;
        // In how many entries each term appears: over all fields (`with_body`), or only among
        // what people ask about entries (titles, phrasings, tags). That second rarity is the
        // one ranked on: "sciatica" is in nearly every answer text but far from every
        // phrasing, and still tells entries apart there. A word found only in answer texts
        // takes its rarity from those.
        let doc_freq = |with_body: bool| {
            let mut df = vec![0u32; n_terms];
            let mut stamp = vec![u32::MAX; n_terms];
            for (i, et) in per_entry.iter().enumerate() {
                let body: &[u32] = if with_body { &et.body } else { &[] };
                for &t in et
                    .title
                    .iter()
                    .chain(et.phrasings.iter().flatten())
                    .chain(&et.tags)
                    .chain(body)
                {
                    if stamp[t as usize] != i as u32 {
                        stamp[t as usize] = i as u32;
                        df[t as usize] += 1;
                    }
                }
            }
            df
        };
        let df = doc_freq(true);
        let key_df = doc_freq(false);
        let idf = |d: u32| (1.0 + (n - d as f32 + 0.5) / (d as f32 + 0.5)).ln();
        ix.idf = key_df
            .iter()
            .zip(&df)
            .map(|(&k, &d)| if k > 0 { idf(k) } else { idf(d) })
            .collect();
        ix.key = vec![false; n_terms];
        for et in &per_entry {
            for &t in et
                .title
                .iter()
                .chain(et.phrasings.iter().flatten())
                .chain(&et.tags)
            {
                ix.key[t as usize] = true;
            }
        }
        let mut names: Vec<(&String, &u32)> = ix.terms.iter().collect();
        names.sort_by_key(|(_, &id)| id);
        ix.weak = names
            .iter()
            .map(|(s, _)| analyze::is_weak_stem(s))
            .collect();
        // Everyday English words say less than their rarity among our phrasings suggests
        // ("stop", "good", "time"); a stem weighs as specific as its most specific word.
        let mut spec: FastMap<&str, f32> = FastMap::default();
        for (word, stem) in analyzer.surfaces() {
            let s = crate::text::specificity(word);
            let e = spec.entry(stem).or_insert(s);
            *e = e.max(s);
        }
        ix.factor = names
            .iter()
            .map(|(s, _)| {
                let specific = if domain.contains(s.as_str()) {
                    1.0
                } else {
                    spec.get(s.as_str())
                        .copied()
                        .unwrap_or_else(|| crate::text::specificity(s))
                };
                analyze::weight_factor(s) * specific
            })
            .collect();

        // Field lengths for BM25 normalisation.
        let key_len = |et: &EntryTerms| {
            (et.title.len() + et.phrasings.iter().map(Vec::len).sum::<usize>() + et.tags.len())
                as f32
        };
        let avg_key = per_entry.iter().map(key_len).sum::<f32>() / n.max(1.0);
        let avg_body = per_entry.iter().map(|e| e.body.len() as f32).sum::<f32>() / n.max(1.0);

        ix.postings = vec![Vec::new(); n_terms];
        for (i, et) in per_entry.iter().enumerate() {
            let mut tf: FastMap<u32, (f32, f32)> = FastMap::default();
            for &t in &et.title {
                tf.entry(t).or_default().0 += TITLE_WEIGHT;
            }
            for &t in et.phrasings.iter().flatten() {
                tf.entry(t).or_default().0 += PHRASING_WEIGHT;
            }
            for &t in &et.tags {
                tf.entry(t).or_default().0 += TAG_WEIGHT;
            }
            for &t in &et.body {
                tf.entry(t).or_default().1 += BODY_WEIGHT;
            }
            let key_norm = 1.0 - B + B * key_len(et) / avg_key.max(1.0);
            let body_norm = 1.0 - B + B * et.body.len() as f32 / avg_body.max(1.0);
            let mut list: Vec<(u32, (f32, f32))> = tf.into_iter().collect();
            list.sort_unstable_by_key(|(t, _)| *t);
            for (t, (k, b)) in list {
                let f = k / key_norm + b / body_norm;
                ix.postings[t as usize].push(Posting {
                    entry: i as u32,
                    key: k > 0.0,
                    bm25: f * (K1 + 1.0) / (f + K1),
                });
            }
            let phrases = std::iter::once(&et.title)
                .chain(et.phrasings.iter())
                .filter(|p| !p.is_empty())
                .map(|p| ix.phrase(p))
                .collect();
            ix.phrases.push(phrases);
        }
        ix
    }

    fn intern(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.terms.get(stem) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.insert(stem.to_string(), id);
        id
    }

    fn intern_all<S: AsRef<str>>(&mut self, stems: Vec<S>) -> Vec<u32> {
        stems.iter().map(|s| self.intern(s.as_ref())).collect()
    }

    /// Query-side weight of a term: rarity, reduced for weak words.
    pub(crate) fn weight(&self, term: u32) -> f32 {
        let t = term as usize;
        self.idf[t] * self.factor[t]
    }

    fn phrase(&self, seq: &[u32]) -> Phrase {
        let mut terms = seq.to_vec();
        terms.sort_unstable();
        terms.dedup();
        let weight = terms.iter().map(|&t| self.weight(t)).sum();
        let mut bigrams: Vec<u64> = seq.windows(2).map(|w| bigram(w[0], w[1])).collect();
        bigrams.sort_unstable();
        bigrams.dedup();
        Phrase {
            terms,
            weight,
            bigrams,
        }
    }

    pub(crate) fn term(&self, stem: &str) -> Option<u32> {
        self.terms.get(stem).copied()
    }
}
