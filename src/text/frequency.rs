//! How common an English word is, from wordfreq's English list (see
//! `english-freq.LICENSE`). The knowledge is small, so rarity inside it says little about
//! whether a word is distinctive: "stop", "time" and "good" are rare among our phrasings but
//! say nothing about sciatica. [`specificity`] turns general commonness into a weight.

use std::sync::LazyLock;

use super::FastMap;

static ZIPF: LazyLock<FastMap<&'static str, u8>> = LazyLock::new(|| {
    include_str!("english-freq.txt")
        .lines()
        .filter_map(|l| {
            let (w, z) = l.split_once(' ')?;
            Some((w, z.parse().ok()?))
        })
        .collect()
});

/// Zipf frequency of a folded word (7 for "the", 3 for "sneeze"), if it is common enough
/// to be listed (3.0 and up).
pub fn zipf(word: &str) -> Option<f32> {
    ZIPF.get(word).map(|&z| f32::from(z) / 10.0)
}

/// How much a word can say about a topic: 1 for words at most as common as "sneeze" (or not
/// listed at all), falling to a floor of 0.2 for everyday words like "good" or "stop".
pub fn specificity(word: &str) -> f32 {
    zipf(word).map_or(1.0, |z| ((6.2 - z) / 3.0).clamp(0.2, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyday_words_weigh_less_than_rare_ones() {
        assert!(specificity("good") < specificity("massage"));
        assert!(specificity("stop") < specificity("sneeze"));
        assert_eq!(specificity("piriformis"), 1.0);
        assert!(specificity("the") >= 0.2);
    }
}
