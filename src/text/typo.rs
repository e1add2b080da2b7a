//! Typo lookup: maps a misspelt word to the close words of a vocabulary.
//!
//! A SymSpell-style deletion index: every vocabulary word is stored under the hashes of the
//! strings made by deleting up to two letters from its first [`PREFIX`] letters. A query word
//! generates its own deletions and looks them up, so the cost depends on the word's length,
//! not on the vocabulary's size. Every candidate is then verified with a real edit distance
//! (`strsim::osa_distance`, which counts a swap of two letters as one edit).
//!
//! The matcher and the safety screen share this index and differ only in their
//! [`TypoPolicy`]: how short a word may be corrected, from what length two edits are allowed,
//! and how many first letters a correction must keep.

use std::cmp::Ordering;
use std::hash::Hasher;

/// Deletions are generated from this many leading letters only; typos past it are still
/// verified on the whole word. Seven keeps the index small and catches nearly all typos.
const PREFIX: usize = 7;
/// Longest deletion depth stored in the index.
const MAX_INDEX_DISTANCE: usize = 2;
/// Very long tokens are noise, not typos.
const MAX_CORRECT_LEN: usize = 24;
/// At most this many corrections per word.
const MAX_CANDIDATES: usize = 3;

/// Which words may be read as a typo, and of what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypoPolicy {
    /// Shorter words are never corrected: they collide with too many real words ("rain" is
    /// not "train").
    pub min_len: usize,
    /// From this length a word may be two edits away; below it, one.
    pub two_edits_from: usize,
    /// A correction keeps this many first letters of the word (people rarely mistype the
    /// start of a word) ...
    pub keep_first: usize,
    /// ... and words up to this length keep one more.
    pub short_len: usize,
}

impl TypoPolicy {
    /// Edits allowed for a query word of `len` letters.
    pub fn max_distance(&self, len: usize) -> usize {
        if len < self.min_len || len > MAX_CORRECT_LEN {
            0
        } else if len < self.two_edits_from {
            1
        } else {
            2
        }
    }

    fn kept(&self, len: usize) -> usize {
        self.keep_first + usize::from(len <= self.short_len)
    }
}

/// A vocabulary word close to the query word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correction {
    pub word: u32,
    pub distance: u8,
    /// How sure we are the user meant this word: 1 for an exact word, lower for more edits
    /// relative to the word's length.
    pub quality: f32,
}

/// The deletion index over one vocabulary.
#[derive(Debug)]
pub struct TypoIndex {
    policy: TypoPolicy,
    words: Vec<Box<str>>,
    /// How often the word occurs; breaks ties between equally close words.
    freq: Vec<u32>,
    /// (hash of a deletion, word id), sorted for binary search.
    deletes: Vec<(u64, u32)>,
}

/// Confidence that a word `distance` edits away from a `len`-letter word was meant as it.
pub fn quality(distance: usize, len: usize) -> f32 {
    if distance == 0 {
        return 1.0;
    }
    (1.0 - distance as f32 / len.max(1) as f32).clamp(0.5, 0.95)
}

impl TypoIndex {
    /// Index `words` (folded ASCII words with their frequencies). Duplicates are merged.
    pub fn build(policy: TypoPolicy, words: impl IntoIterator<Item = (String, u32)>) -> Self {
        let mut all: Vec<(String, u32)> = words
            .into_iter()
            .filter(|(w, _)| w.len() >= 3 && w.len() <= MAX_CORRECT_LEN + 2 && w.is_ascii())
            .collect();
        all.sort_unstable();
        let mut merged: Vec<(String, u32)> = Vec::with_capacity(all.len());
        for (w, f) in all {
            match merged.last_mut() {
                Some((last, lf)) if *last == w => *lf += f,
                _ => merged.push((w, f)),
            }
        }
        let mut deletes = Vec::new();
        let mut scratch = Vec::new();
        for (id, (w, _)) in merged.iter().enumerate() {
            // A query word needs `two_edits_from` letters for two edits, so shorter
            // vocabulary words only ever meet one-edit queries.
            let depth = if w.len() + MAX_INDEX_DISTANCE >= policy.two_edits_from {
                MAX_INDEX_DISTANCE
            } else {
                1
            };
            deletions(prefix(w), depth, &mut scratch);
            deletes.extend(scratch.iter().map(|&h| (h, id as u32)));
        }
        deletes.sort_unstable();
        deletes.dedup();
        let (words, freq) = merged
            .into_iter()
            .map(|(w, f)| (w.into_boxed_str(), f))
            .unzip();
        Self {
            policy,
            words,
            freq,
            deletes,
        }
    }

    /// The id of `word`, if it is in the vocabulary.
    pub fn id(&self, word: &str) -> Option<u32> {
        self.words
            .binary_search_by(|w| (**w).cmp(word))
            .ok()
            .map(|i| i as u32)
    }

    pub fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// The closest vocabulary words to `word` within the distance its length allows, best
    /// first; empty when nothing is close enough.
    pub fn corrections(&self, word: &str) -> Vec<Correction> {
        let len = word.len();
        let max = self.policy.max_distance(len);
        if max == 0 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            return Vec::new();
        }
        let mut hashes = Vec::new();
        deletions(prefix(word), max, &mut hashes);
        let mut seen: Vec<u32> = Vec::new();
        for h in hashes {
            let start = self.deletes.partition_point(|&(k, _)| k < h);
            seen.extend(
                self.deletes[start..]
                    .iter()
                    .take_while(|&&(k, _)| k == h)
                    .map(|&(_, id)| id),
            );
        }
        seen.sort_unstable();
        seen.dedup();
        let keep = self.policy.kept(len).min(len);
        let head = &word.as_bytes()[..keep];
        let mut found: Vec<(Correction, f64)> = seen
            .into_iter()
            .filter_map(|id| {
                let cand = self.word(id);
                if cand.len().abs_diff(len) > max
                    || cand == word
                    || !cand.as_bytes().starts_with(head)
                {
                    return None;
                }
                let d = strsim::osa_distance(word, cand);
                (d <= max).then(|| {
                    let c = Correction {
                        word: id,
                        distance: d as u8,
                        quality: quality(d, len.max(cand.len())),
                    };
                    (c, strsim::jaro_winkler(word, cand))
                })
            })
            .collect();
        let Some(best) = found.iter().map(|(c, _)| c.distance).min() else {
            return Vec::new();
        };
        found.retain(|(c, _)| c.distance == best);
        found.sort_by(|(a, ja), (b, jb)| {
            jb.partial_cmp(ja)
                .unwrap_or(Ordering::Equal)
                .then(self.freq[b.word as usize].cmp(&self.freq[a.word as usize]))
                .then(a.word.cmp(&b.word))
        });
        found.truncate(MAX_CANDIDATES);
        found.into_iter().map(|(c, _)| c).collect()
    }
}

fn prefix(word: &str) -> &[u8] {
    let b = word.as_bytes();
    &b[..b.len().min(PREFIX)]
}

/// Hashes of `word` and of every string made by deleting up to `depth` letters from it.
fn deletions(word: &[u8], depth: usize, out: &mut Vec<u64>) {
    out.clear();
    let mut level: Vec<Vec<u8>> = vec![word.to_vec()];
    out.push(hash(word));
    for _ in 0..depth {
        let mut next: Vec<Vec<u8>> = Vec::new();
        for w in &level {
            if w.len() <= 1 {
                continue;
            }
            for i in 0..w.len() {
                let mut d = Vec::with_capacity(w.len() - 1);
                d.extend_from_slice(&w[..i]);
                d.extend_from_slice(&w[i + 1..]);
                next.push(d);
            }
        }
        next.sort_unstable();
        next.dedup();
        out.extend(next.iter().map(|w| hash(w)));
        level = next;
    }
    out.sort_unstable();
    out.dedup();
}

/// FxHash plus the length, so a deletion never aliases a key of another length by accident;
/// a collision only costs a rejected candidate. In-process only: the index is rebuilt on
/// every load, so the hash need not be stable across runs or platforms.
fn hash(bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish() ^ (bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matcher's policy: four letters and up, two edits from eight, short words keep
    /// their first letter.
    const LOOSE: TypoPolicy = TypoPolicy {
        min_len: 4,
        two_edits_from: 8,
        keep_first: 0,
        short_len: 5,
    };

    fn vocab(words: &[&str]) -> TypoIndex {
        TypoIndex::build(LOOSE, words.iter().map(|w| (w.to_string(), 1)))
    }

    fn best(v: &TypoIndex, w: &str) -> Option<String> {
        v.corrections(w).first().map(|c| v.word(c.word).to_string())
    }

    #[test]
    fn one_edit_corrects_mid_length_words() {
        let v = vocab(&["massage", "sciatica", "roller", "piriformis"]);
        assert_eq!(best(&v, "masage").as_deref(), Some("massage"));
        assert_eq!(best(&v, "sciatca").as_deref(), Some("sciatica"));
        assert_eq!(best(&v, "rollar").as_deref(), Some("roller"));
        assert_eq!(best(&v, "piriformus").as_deref(), Some("piriformis"));
    }

    #[test]
    fn long_words_allow_two_edits_short_words_one() {
        let v = vocab(&["piriformis", "heat"]);
        assert_eq!(best(&v, "pirifromus").as_deref(), Some("piriformis"));
        assert_eq!(best(&v, "hept"), Some("heat".to_string()));
        assert_eq!(best(&v, "hpet"), None);
        assert_eq!(best(&v, "hxyz"), None);
    }

    #[test]
    fn swapped_letters_count_as_one_edit() {
        let v = vocab(&["stretch"]);
        assert_eq!(best(&v, "strecth").as_deref(), Some("stretch"));
    }

    #[test]
    fn short_words_must_keep_their_first_letter() {
        let v = vocab(&["train", "rest"]);
        assert_eq!(best(&v, "rain"), None);
        assert_eq!(best(&v, "resr").as_deref(), Some("rest"));
    }

    #[test]
    fn words_shorter_than_four_letters_and_non_letters_are_not_corrected() {
        let v = vocab(&["hip", "hips"]);
        assert!(v.corrections("hup").is_empty());
        assert!(v.corrections("h1ps").is_empty());
        assert!(v.corrections("").is_empty());
    }

    #[test]
    fn a_strict_policy_keeps_the_first_two_letters() {
        let strict = TypoPolicy {
            min_len: 5,
            two_edits_from: 10,
            keep_first: 2,
            short_len: 0,
        };
        let v = TypoIndex::build(
            strict,
            [("suicide".to_string(), 1), ("bladder".to_string(), 1)],
        );
        assert_eq!(v.corrections("sucide").len(), 1);
        assert_eq!(v.corrections("blader").len(), 1);
        assert!(
            v.corrections("usicide").is_empty(),
            "first letters must stay"
        );
    }

    #[test]
    fn quality_falls_with_distance_relative_to_length() {
        assert!(quality(1, 10) > quality(1, 5));
        assert!(quality(2, 10) < quality(1, 10));
        assert_eq!(quality(0, 3), 1.0);
    }
}
