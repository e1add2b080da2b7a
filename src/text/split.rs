//! Splitting a raw message into sentences and clauses before folding.
//!
//! [`super::fold`] turns punctuation into plain word breaks, but negation scope
//! needs it: a full stop ends a negation ("No fever. Can't pee."), a comma may ("no pain,
//! numb groin"), and a question mark turns "is that fine?" from a statement into a question.
//! So the raw text is cut at punctuation first, and each piece is folded on its own.

/// Where a piece of text ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Break {
    /// Comma, colon, bracket, dash between spaces, emoji: a clause ends, the sentence goes on.
    Clause,
    /// Full stop, `!`, `;`, new line.
    Sentence,
    /// `?`: the sentence ends and was a question.
    Question,
}

/// Call `piece(text, brk)` for each run of text between breaks, in order; `brk` is the break
/// that ends it (`Sentence` for the end of the message). Linear in the length of `text`.
pub fn pieces(text: &str, mut piece: impl FnMut(&str, Break)) {
    spans(text, |start, end, brk| piece(&text[start..end], brk));
}

/// One sentence of a raw message, as written (clause punctuation kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    pub text: &'a str,
    /// It ends in a question mark.
    pub question: bool,
}

/// The sentences of `text`, in order, blank ones left out.
pub fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut from: Option<usize> = None;
    spans(text, |start, end, brk| {
        let first = *from.get_or_insert(start);
        if brk == Break::Clause {
            return;
        }
        from = None;
        let s = &text[first..end];
        if !super::is_blank(s) {
            out.push(Sentence {
                text: s.trim(),
                question: brk == Break::Question,
            });
        }
    });
    out
}

/// Byte ranges between breaks: `span(start, end, brk)`.
fn spans(text: &str, mut span: impl FnMut(usize, usize, Break)) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let digit = |j: Option<&u8>| j.is_some_and(u8::is_ascii_digit);
    for (i, ch) in text.char_indices() {
        let brk = match ch {
            // A decimal point ("38.5") or a thousands separator ("1,200") is part of a number.
            '.' | ',' if i > 0 && digit(bytes.get(i - 1)) && digit(bytes.get(i + 1)) => None,
            '.' | '!' | ';' | '\n' | '\r' | '\u{2026}' | '\u{3002}' | '\u{FF01}' => {
                Some(Break::Sentence)
            }
            '?' | '\u{FF1F}' => Some(Break::Question),
            ',' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '\u{2013}' | '\u{2014}' => {
                Some(Break::Clause)
            }
            '-' => {
                let spaced = |j: Option<&u8>| j.is_none_or(|b| b.is_ascii_whitespace());
                (i > 0 && spaced(bytes.get(i - 1)) && spaced(bytes.get(i + 1)))
                    .then_some(Break::Clause)
            }
            c if is_symbol(c) => Some(Break::Clause),
            _ => None,
        };
        if let Some(b) = brk {
            span(start, i, b);
            start = i + ch.len_utf8();
        }
    }
    span(start, text.len(), Break::Sentence);
}

/// Emoji and other pictographs: people use them as punctuation ("no fever 😅 can't pee").
/// Letters, digits, apostrophes and combining accents are never breaks.
fn is_symbol(c: char) -> bool {
    !c.is_ascii()
        && !c.is_alphanumeric()
        && !c.is_whitespace()
        && !unicode_normalization::char::is_combining_mark(c)
        && !matches!(
            c,
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{200D}' | '\u{FE0F}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(String, Break)> {
        let mut out = Vec::new();
        pieces(text, |p, b| out.push((p.trim().to_string(), b)));
        out
    }

    #[test]
    fn sentences_keep_their_clauses_and_know_when_they_ask() {
        let got = sentences("No fever, but numb. Is that ok?? 😭 fine…ok");
        let texts: Vec<(&str, bool)> = got.iter().map(|s| (s.text, s.question)).collect();
        assert_eq!(
            texts,
            vec![
                ("No fever, but numb", false),
                ("Is that ok", true),
                ("😭 fine", false),
                ("ok", false)
            ]
        );
    }

    #[test]
    fn sentences_clauses_and_questions_are_told_apart() {
        assert_eq!(
            split("No fever, but numb. Is that ok? ok"),
            vec![
                ("No fever".into(), Break::Clause),
                ("but numb".into(), Break::Sentence),
                ("Is that ok".into(), Break::Question),
                ("ok".into(), Break::Sentence),
            ]
        );
    }

    #[test]
    fn decimal_points_do_not_end_a_sentence() {
        assert_eq!(
            split("temp 38.5, back sore"),
            vec![
                ("temp 38.5".into(), Break::Clause),
                ("back sore".into(), Break::Sentence),
            ]
        );
    }

    #[test]
    fn hyphens_inside_words_and_apostrophes_do_not_break() {
        assert_eq!(
            split("can’t self-massage - sorry"),
            vec![
                ("can’t self-massage".into(), Break::Clause),
                ("sorry".into(), Break::Sentence),
            ]
        );
    }

    #[test]
    fn emoji_break_a_clause_but_accents_do_not() {
        let got = split("cafe\u{301} ok😭no fever");
        assert_eq!(got[0], ("cafe\u{301} ok".into(), Break::Clause));
        assert_eq!(got[1], ("no fever".into(), Break::Sentence));
    }
}
