//! Cutting text to a length in characters, never inside a character: the one rule for every
//! capped question, status line and log summary.

/// The longest prefix of `s` with at most `max` characters.
pub fn prefix(s: &str, max: usize) -> &str {
    // A string of at most `max` bytes has at most `max` characters: the common short case
    // costs no scan.
    if s.len() <= max {
        return s;
    }
    match s.char_indices().nth(max) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// `s` cut to at most `max` characters, an ellipsis (counted) standing for what was cut.
pub fn clip(s: &str, max: usize) -> String {
    let kept = prefix(s, max);
    if kept.len() == s.len() {
        return s.to_string();
    }
    let mut out = prefix(kept, max.saturating_sub(1)).to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(prefix("abc", 3), "abc");
        assert_eq!(prefix("", 0), "");
    }

    #[test]
    fn long_text_ends_in_an_ellipsis_within_the_limit() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcdef", 4).chars().count(), 4);
        assert_eq!(clip("abc", 0), "…");
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        assert_eq!(prefix("ééééé", 3), "ééé");
        assert_eq!(clip("ééééé", 5), "ééééé");
        assert_eq!(clip("😭😭😭", 2), "😭…");
        assert_eq!(prefix("a😭b", 2), "a😭");
    }
}
