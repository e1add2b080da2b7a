//! The learned readers: a second opinion beside the crisis and red-flag rules.
//!
//! The rules find crisis language and warning signs by their concepts; people often write
//! none of them ("I have a plan for Saturday. Only I am sorry for my mother."; "my chappal
//! keeps falling off"). A reader weighs the whole message instead: a logistic regression
//! over its word stems and over pairs of stems that follow each other in a sentence, each
//! feature counted once. Its weights are data (`[screen_model]` in the knowledge folder,
//! written by `examples/train_screen.rs` from labelled blind messages); this module only
//! reads a message the way the trainer did, with the one text pipeline ([`crate::text`]).
//!
//! A reader is asked only when the rules leave a message clear, and can only add a reply
//! (crisis first, then the red-flag reader's rule); it never silences a rule.

use crate::knowledge::LinearModel;
use crate::text::{self, Break, FastMap, FastSet};

/// Call `f(Some(word))` for each folded word of `text`, in order, and `f(None)` where a
/// sentence ends (pairs of stems never cross it): how the trainer and the readers both walk
/// a message. Counting the `Some` calls numbers the words exactly as the screen does.
fn for_each_word(text: &str, mut f: impl FnMut(Option<&str>)) {
    text::pieces(text, |piece, brk| {
        let folded = text::fold(piece);
        for w in text::words(&folded) {
            f(Some(w));
        }
        if brk != Break::Clause {
            f(None);
        }
    });
}

/// The distinct features of `text`, sorted: `"stem"` and `"stem stem"` (for the trainer).
pub fn features(text: &str) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut stems: FastMap<String, String> = FastMap::default();
    let mut prev: Option<String> = None;
    for_each_word(text, |word| {
        let Some(w) = word else {
            prev = None;
            return;
        };
        let stem = stems.entry(w.to_string()).or_insert_with(|| text::stem(w));
        out.insert(stem.clone());
        if let Some(p) = &prev {
            out.insert(format!("{p} {stem}"));
        }
        prev = Some(stem.clone());
    });
    out.into_iter().collect()
}

/// How the model read one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// 0..1: how much the message reads like the messages the reader was trained to find.
    pub probability: f32,
    pub threshold: f32,
    /// The features that weighed most, heaviest first (at most five), for explanations.
    pub top: Vec<(String, f32)>,
}

impl Reading {
    /// The reader speaks: its probability reached its threshold.
    pub fn fires(&self) -> bool {
        self.probability >= self.threshold
    }
}

/// A compiled [`LinearModel`]: one reader.
#[derive(Debug)]
pub struct Reader {
    ids: FastMap<Box<str>, u32>,
    names: Vec<Box<str>>,
    single: Vec<f32>,
    pairs: FastMap<(u32, u32), f32>,
    bias: f32,
    threshold: f32,
}

impl Reader {
    /// Compile the weights (validation reports bad ones; here they are skipped).
    pub fn new(m: &LinearModel) -> Self {
        let mut model = Reader {
            ids: FastMap::default(),
            names: Vec::new(),
            single: Vec::new(),
            pairs: FastMap::default(),
            bias: m.bias as f32,
            threshold: m.threshold as f32,
        };
        for (feature, &w) in &m.weights {
            if !w.is_finite() {
                continue;
            }
            let stems: Vec<&str> = feature.split_whitespace().collect();
            match stems[..] {
                [one] => {
                    let id = model.intern(one);
                    model.single[id as usize] = w as f32;
                }
                [a, b] => {
                    let (a, b) = (model.intern(a), model.intern(b));
                    model.pairs.insert((a, b), w as f32);
                }
                _ => {}
            }
        }
        model
    }

    fn intern(&mut self, stem: &str) -> u32 {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(stem.into(), id);
        self.names.push(stem.into());
        self.single.push(0.0);
        id
    }

    /// Read `text`. `explain`: also name the heaviest features. Words inside `muted` (word
    /// ranges, end exclusive, in the screen's numbering) do not count: the crisis `exclude`
    /// list says those words are not meant that way ("hurt myself if I press too hard"), and
    /// what admins rule out there the reader does not read back in.
    pub fn read(&self, text: &str, explain: bool, muted: &[(u32, u32)]) -> Reading {
        read_many(&[(self, muted)], text, explain)
            .pop()
            .unwrap_or(Reading {
                probability: 0.0,
                threshold: self.threshold,
                top: Vec::new(),
            })
    }

    /// The id of `stem` in this reader's vocabulary.
    fn id(&self, stem: &str) -> Option<u32> {
        self.ids.get(stem).copied()
    }
}

/// A feature: `(NONE, stem)` or `(stem, stem)`.
const NONE: u32 = u32::MAX;

/// One reader's sum while the message is read.
struct Sum<'a> {
    reader: &'a Reader,
    /// Muted word ranges, sorted, and how many lie wholly before the current word.
    muted: Vec<(u32, u32)>,
    passed: usize,
    z: f32,
    seen: FastSet<(u32, u32)>,
    parts: Vec<((u32, u32), f32)>,
    /// The previous word's id in this sentence (`None`: no previous word, an unknown one, or
    /// a muted one).
    prev: Option<u32>,
}

impl Sum<'_> {
    fn muted(&mut self, i: u32) -> bool {
        while self.passed < self.muted.len() && self.muted[self.passed].1 <= i {
            self.passed += 1;
        }
        self.muted[self.passed..]
            .iter()
            .take_while(|&&(s, _)| s <= i)
            .any(|&(_, e)| i < e)
    }

    fn add(&mut self, feature: (u32, u32), w: f32) {
        if self.seen.insert(feature) {
            self.z += w;
            self.parts.push((feature, w));
        }
    }

    fn word(&mut self, i: u32, id: Option<u32>) {
        if self.muted(i) {
            self.prev = None;
            return;
        }
        let prev = std::mem::replace(&mut self.prev, id);
        let Some(id) = id else { return };
        self.add((NONE, id), self.reader.single[id as usize]);
        if let Some(p) = prev {
            if let Some(&w) = self.reader.pairs.get(&(p, id)) {
                self.add((p, id), w);
            }
        }
    }

    fn reading(mut self, explain: bool) -> Reading {
        let r = self.reader;
        let probability = 1.0 / (1.0 + (-self.z.clamp(-30.0, 30.0)).exp());
        let mut top = Vec::new();
        if explain {
            self.parts.sort_by(|a, b| b.1.total_cmp(&a.1));
            for ((a, b), w) in self.parts.into_iter().filter(|p| p.1 > 0.0).take(5) {
                let name = match a {
                    NONE => r.names[b as usize].to_string(),
                    a => format!("{} {}", r.names[a as usize], r.names[b as usize]),
                };
                top.push((name, w));
            }
        }
        Reading {
            probability,
            threshold: r.threshold,
            top,
        }
    }
}

/// Read `text` with several readers in one pass (each with its own muted ranges): the text
/// is split, folded and stemmed once, each distinct word once.
pub fn read_many(readers: &[(&Reader, &[(u32, u32)])], text: &str, explain: bool) -> Vec<Reading> {
    let mut sums: Vec<Sum> = readers
        .iter()
        .map(|(reader, muted)| {
            let mut muted = muted.to_vec();
            muted.sort_unstable();
            Sum {
                reader,
                muted,
                passed: 0,
                z: reader.bias,
                seen: FastSet::default(),
                parts: Vec::new(),
                prev: None,
            }
        })
        .collect();
    // Each distinct word: its id in every reader.
    let mut memo: FastMap<String, Vec<Option<u32>>> = FastMap::default();
    let mut index = 0u32;
    for_each_word(text, |word| {
        let Some(w) = word else {
            for sum in &mut sums {
                sum.prev = None;
            }
            return;
        };
        // Looked up before inserting: a long message repeats words, and a key is a copy.
        if !memo.contains_key(w) {
            let stem = text::stem(w);
            let ids = readers.iter().map(|(r, _)| r.id(&stem)).collect();
            memo.insert(w.to_string(), ids);
        }
        for (sum, id) in sums.iter_mut().zip(&memo[w]) {
            sum.word(index, *id);
        }
        index = index.saturating_add(1);
    });
    sums.into_iter().map(|s| s.reading(explain)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(weights: &[(&str, f64)]) -> Reader {
        Reader::new(&LinearModel {
            threshold: 0.5,
            bias: -2.0,
            rule: None,
            weights: weights.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
        })
    }

    #[test]
    fn features_are_stems_and_pairs_within_a_sentence() {
        let f = features("Saving my pills. Done");
        assert!(f.contains(&"save my".to_string()), "{f:?}");
        assert!(f.contains(&"pill".to_string()), "{f:?}");
        assert!(
            !f.iter().any(|x| x == "pill done"),
            "pairs stop at a full stop: {f:?}"
        );
    }

    #[test]
    fn each_feature_counts_once_and_pairs_add_to_words() {
        let m = model(&[("pill", 1.0), ("my pill", 1.5)]);
        let once = m.read("my pills", false, &[]).probability;
        let twice = m
            .read("my pills, my pills, my pills", false, &[])
            .probability;
        assert_eq!(once, twice);
        let z: f32 = -2.0 + 1.0 + 1.5;
        assert!((once - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
        assert!(m.read("my pills", false, &[]).fires());
        assert!(!m.read("the pills", false, &[]).fires());
    }

    #[test]
    fn the_reader_counts_exactly_the_features_the_trainer_sees() {
        for text in [
            "I've saved my pills, all of them. Done; bye!",
            "no... not really?? my LEG, my leg - my leg\nnew line here",
            "Ünïcödé wörds 😀 and emoji, then: a colon (and brackets)",
        ] {
            let f = features(text);
            let weights: Vec<(&str, f64)> = f.iter().map(|x| (x.as_str(), 0.01)).collect();
            let m = model(&weights);
            let z = -2.0 + 0.01 * f.len() as f32;
            let expected = 1.0 / (1.0 + (-z).exp());
            let got = m.read(text, false, &[]).probability;
            assert!(
                (got - expected).abs() < 1e-5,
                "{text}: {got} vs {expected} ({f:?})"
            );
        }
    }

    #[test]
    fn muted_words_count_neither_alone_nor_in_pairs() {
        let m = model(&[("pill", 1.0), ("my pill", 1.5), ("the", 3.0)]);
        let all = m.read("the my pills", true, &[]);
        let muted = m.read("the my pills", true, &[(1, 2)]);
        assert!(muted.probability < all.probability);
        let names: Vec<&str> = muted.top.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            names,
            ["the", "pill"],
            "the pair touching a muted word is gone"
        );
    }

    #[test]
    fn explanations_name_the_heaviest_features() {
        let m = model(&[("pill", 1.0), ("my pill", 1.5), ("the", -0.5)]);
        let r = m.read("the my pills", true, &[]);
        assert_eq!(r.top[0].0, "my pill");
        assert_eq!(
            r.top.len(),
            2,
            "negative weights are not reasons: {:?}",
            r.top
        );
    }
}
