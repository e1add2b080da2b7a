//! Correctly spelt English words (SCOWL's small American and British lists, see
//! `english-words.LICENSE`). A word on this list is never read as a typo of another word:
//! "fewer" is not "fever", "bowl" is not "bowel" (an admin who wants that says so by
//! listing the word), "election" is not "erection".

use std::sync::LazyLock;

use super::FastSet;

static WORDS: LazyLock<FastSet<&'static str>> =
    LazyLock::new(|| include_str!("english-words.txt").lines().collect());

/// True when `word` (folded, lower case) is a correctly spelt English word of 3+ letters.
pub fn is_english_word(word: &str) -> bool {
    WORDS.contains(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_words_are_known_and_typos_are_not() {
        assert!(is_english_word("fewer"));
        assert!(is_english_word("bladder"));
        assert!(!is_english_word("bladdder"));
        assert!(!is_english_word("masage"));
    }
}
