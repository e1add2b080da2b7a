//! The one text pipeline: how the safety screen, the matcher and the gaps report read a
//! message, so all of them see the same sentences, clauses, words, stems and typos.
//!
//! - [`clip`]: text cut to a number of characters, never inside one.
//! - [`fold`]: Unicode, case, emoji, contractions and letter runs to lower-case ASCII words;
//!   [`stem`] (Snowball English) and [`Stems`], a memo for stemming many words.
//! - [`split`]: a raw message cut into sentences and clauses at its punctuation, before
//!   folding (folding turns punctuation into spaces, and negation scope needs it).
//! - [`typo`]: a SymSpell-style deletion index that maps a misspelt word to the close words
//!   of a vocabulary, verified with `strsim`; callers pick the policy (how far, which words).
//! - [`dictionary`]: correctly spelt English words, which are never read as typos.
//! - [`frequency`]: how common an English word is, so everyday words weigh less than
//!   distinctive ones.

mod clip;
mod dictionary;
mod fold;
mod frequency;
pub mod split;
pub mod typo;

pub use clip::{clip, prefix};
pub use dictionary::is_english_word;
pub use fold::{fold, is_blank, is_stopword, stem, words};
pub use frequency::{specificity, zipf};
pub use split::{pieces, sentences, Break, Sentence};
pub use typo::{Correction, TypoIndex, TypoPolicy};

/// Hash maps and sets for the short words and small ids of the text layer and its users.
/// FxHash (rustc-hash): the keys come from the knowledge or are looked up once per word, so
/// SipHash's flooding defence buys nothing and costs a third of the screening time.
pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
pub type FastSet<K> = rustc_hash::FxHashSet<K>;

/// Stems of many words, each computed once (Snowball is the slow part of compiling rules and
/// indexing knowledge).
#[derive(Debug, Default)]
pub struct Stems {
    memo: FastMap<String, String>,
}

impl Stems {
    pub fn get(&mut self, word: &str) -> &str {
        if !self.memo.contains_key(word) {
            self.memo.insert(word.to_string(), stem(word));
        }
        self.memo.get(word).map_or("", String::as_str)
    }
}
