//! Text normalisation shared by the safety screen and the matcher.
//!
//! Users type on phones, in pain: capitals, accents, emoji, "sooooo", "can't" and "cant".
//! [`fold`] turns all of that into lower-case ASCII words separated by single spaces, so the
//! layers above compare like with like. Apostrophes are dropped *inside* words ("can't" ->
//! "cant", "don't" -> "dont") so one spelling of a contraction covers both forms.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Fold `text` to lower-case ASCII words separated by single spaces.
///
/// - Unicode: compatibility-decomposed, combining marks removed, then transliterated
///   ("Ischiasschmerz" stays, "naïve" -> "naive", "ß" -> "ss").
/// - Emoji, symbols and punctuation become word breaks; apostrophes inside a word vanish.
/// - Runs of three or more of the same letter shrink to two ("sooo" -> "soo",
///   "pleeease" -> "please" is left to the matcher's fuzzy step).
/// - `&` becomes " and " so "pins & needles" reads like "pins and needles".
/// - Numbers and letters written together come apart: "5kg" -> "5 kg", "38c" -> "38 c",
///   "3am" -> "3 am", so a unit or a time reads the same however it is typed.
pub fn fold(text: &str) -> String {
    fold_ascii(text).unwrap_or_else(|| fold_unicode(text))
}

/// The general path of [`fold`], for text with any non-ASCII character.
fn fold_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut last: Option<char> = None;
    let mut run = 0usize;
    for ch in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(ch) {
            continue;
        }
        if is_apostrophe(ch) {
            // Inside a word it disappears; elsewhere it is a break.
            if last.is_some_and(|c| c != ' ') {
                continue;
            }
            pending_space = true;
            continue;
        }
        if ch == '&' {
            push_word(&mut out, "and", &mut pending_space);
            last = Some(' ');
            pending_space = true;
            continue;
        }
        if !ch.is_alphanumeric() {
            pending_space = true;
            last = Some(' ');
            continue;
        }
        let ascii: Cow<str> = if ch.is_ascii() {
            Cow::Owned(ch.to_ascii_lowercase().to_string())
        } else {
            match deunicode::deunicode_char(ch) {
                Some(s) if s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') => {
                    Cow::Owned(s.to_ascii_lowercase())
                }
                _ => {
                    pending_space = true;
                    last = Some(' ');
                    continue;
                }
            }
        };
        for c in ascii.chars() {
            if c == ' ' {
                pending_space = true;
                last = Some(' ');
                continue;
            }
            if last.is_some_and(|l| l != ' ' && l.is_ascii_digit() != c.is_ascii_digit()) {
                pending_space = true;
            }
            if pending_space && !out.is_empty() {
                out.push(' ');
                run = 0;
                last = Some(' ');
            }
            pending_space = false;
            if Some(c) == last && c.is_ascii_alphabetic() {
                run += 1;
                if run >= 2 {
                    continue;
                }
            } else {
                run = 0;
            }
            out.push(c);
            last = Some(c);
        }
    }
    out
}

/// [`fold`] for ASCII text, several times faster (no Unicode decomposition); `None` when
/// `text` is not ASCII. Same result as the Unicode path by construction and by test: the
/// safety screen folds every clause of a message, up to 100,000 characters, on the answer path.
fn fold_ascii(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut last: Option<u8> = None;
    let mut run = 0usize;
    for &b in text.as_bytes() {
        if b == b'\'' || b == b'`' {
            if last.is_some_and(|c| c != b' ') {
                continue;
            }
            pending_space = true;
            continue;
        }
        if b == b'&' {
            push_word(&mut out, "and", &mut pending_space);
            last = Some(b' ');
            pending_space = true;
            continue;
        }
        if !b.is_ascii_alphanumeric() {
            pending_space = true;
            last = Some(b' ');
            continue;
        }
        let c = b.to_ascii_lowercase();
        if last.is_some_and(|l| l != b' ' && l.is_ascii_digit() != c.is_ascii_digit()) {
            pending_space = true;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
            run = 0;
            last = Some(b' ');
        }
        pending_space = false;
        if Some(c) == last && c.is_ascii_alphabetic() {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
        }
        out.push(char::from(c));
        last = Some(c);
    }
    Some(out)
}

fn push_word(out: &mut String, word: &str, pending_space: &mut bool) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    *pending_space = false;
}

fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{02BC}')
}

/// The words of already-folded text.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(' ').filter(|w| !w.is_empty())
}

/// True when the text has no letters or digits at all (empty, whitespace, emoji-only).
pub fn is_blank(text: &str) -> bool {
    fold(text).is_empty()
}

/// English stem of one folded word ("massaging" -> "massag", "legs" -> "leg").
pub fn stem(word: &str) -> String {
    thread_local! {
        static STEMMER: rust_stemmers::Stemmer =
            rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    }
    STEMMER.with(|s| s.stem(word).into_owned())
}

/// Function words that carry no topic. Kept short on purpose: "no", "not", "both", "can't"
/// matter to the safety screen and are *not* here; the matcher alone uses this list.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

// Sorted for binary search (checked by a test).
const STOPWORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "anyone", "anything", "are", "as", "at", "be", "been",
    "being", "best", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from",
    "get", "getting", "go", "got", "had", "has", "have", "having", "hello", "help", "hey", "hi",
    "i", "if", "im", "in", "into", "is", "it", "its", "ive", "just", "know", "like", "me", "mine",
    "my", "myself", "of", "on", "or", "our", "please", "really", "should", "so", "some", "someone",
    "tell", "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "too", "u", "up", "us", "very", "want", "was", "we", "were",
    "what", "whats", "which", "who", "will", "with", "would", "ya", "you", "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(
            fold("  Where  should I MASSAGE?!  "),
            "where should i massage"
        );
        assert_eq!(fold("naïve café"), "naive cafe");
    }

    #[test]
    fn contractions_lose_their_apostrophe() {
        assert_eq!(fold("I can't pee"), "i cant pee");
        assert_eq!(fold("I don\u{2019}t know"), "i dont know");
    }

    #[test]
    fn emoji_are_word_breaks_and_emoji_only_is_blank() {
        assert_eq!(fold("my butt😭hurts"), "my butt hurts");
        assert!(is_blank("😭😭🙏"));
        assert!(is_blank("   \n\t "));
        assert!(!is_blank("ok"));
    }

    #[test]
    fn long_letter_runs_are_squeezed() {
        assert_eq!(fold("sooooo numbbbb"), "soo numbb");
        assert_eq!(fold("1000 seconds"), "1000 seconds");
    }

    #[test]
    fn numbers_and_letters_come_apart() {
        assert_eq!(fold("lost 5kg, 10yo, 3AM"), "lost 5 kg 10 yo 3 am");
        assert_eq!(fold("l5-s1 disc"), "l 5 s 1 disc");
        assert_eq!(fold("café5kg"), "cafe 5 kg");
    }

    #[test]
    fn ampersand_reads_as_and() {
        assert_eq!(fold("pins & needles"), "pins and needles");
        assert_eq!(fold("pins&needles"), "pins and needles");
    }

    #[test]
    fn fold_ascii_is_fold_for_ascii_text() {
        let fixed = [
            "I can't pee!!",
            "pins&needles",
            "sooooo numbbbb",
            "a''b ' c 'd",
            "`x` & &y",
            "  Where  should I MASSAGE?!  ",
            "1000 seconds",
            "aaa111aaa",
            "no-fever, 38.5C",
        ];
        let alphabet = b"aAbB &'`.,1 -zZ\t\n";
        let mut x: u32 = 12345;
        let mut random = Vec::new();
        for _ in 0..2000 {
            let mut t = String::new();
            for _ in 0..(x % 24) {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                t.push(char::from(alphabet[(x >> 16) as usize % alphabet.len()]));
            }
            random.push(t);
        }
        for t in fixed.iter().map(|s| s.to_string()).chain(random) {
            assert_eq!(
                fold_ascii(&t).as_deref(),
                Some(fold_unicode(&t).as_str()),
                "{t:?}"
            );
        }
        assert_eq!(fold_ascii("café"), None);
    }

    #[test]
    fn stems_plural_and_gerund() {
        assert_eq!(stem("legs"), stem("leg"));
        assert_eq!(stem("massaging"), stem("massage"));
    }
}
