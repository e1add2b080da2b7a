//! The "Was this helpful?" buttons under every answer: what the bot must remember, in memory
//! only, to act on a press.
//!
//! - [`Asked`]: the question behind an answer, so "not what I asked" can put it in the gaps
//!   log (only while `UNANSWERED_LOG` is on). A button id cannot carry a whole question, so it
//!   carries a number; the questions themselves stay in this process, the newest few thousand,
//!   and are never written anywhere but the (scrubbed) gaps log.
//! - [`Rated`]: which (message, member) pairs already rated, so pressing again does not count
//!   twice. Kept as keyed hashes with a key made fresh at every start, never as ids, and
//!   forgotten in bulk when full.
//!
//! The counts themselves are [`crate::feedback::Ratings`]: per entry, no ids.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasher;

/// How many questions are remembered for "not what I asked".
const MAX_ASKED: usize = 2_000;
/// How many ratings are remembered to refuse a second press.
const MAX_RATED: usize = 50_000;

/// Button id prefix of "helpful": `rate:y:ENTRY`.
pub const HELPFUL_PREFIX: &str = "rate:y:";
/// Button id prefix of "not what I asked": `rate:n:TOKEN:ENTRY` (token 0: no question kept).
pub const NOT_HELPFUL_PREFIX: &str = "rate:n:";

/// A press of a rating button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Press {
    pub entry: String,
    pub helpful: bool,
    /// The [`Asked`] token of the question, for "not what I asked".
    pub token: u64,
}

/// Read a rating button's id.
pub fn parse(custom_id: &str) -> Option<Press> {
    if let Some(entry) = custom_id.strip_prefix(HELPFUL_PREFIX) {
        return Some(Press {
            entry: entry.to_string(),
            helpful: true,
            token: 0,
        });
    }
    let rest = custom_id.strip_prefix(NOT_HELPFUL_PREFIX)?;
    let (token, entry) = rest.split_once(':')?;
    Some(Press {
        entry: entry.to_string(),
        helpful: false,
        token: u64::from_str_radix(token, 36).ok()?,
    })
}

/// The ids of the two buttons for an answer from `entry` (`token` 0 when no question is
/// kept).
pub fn button_ids(entry: &str, token: u64) -> (String, String) {
    (
        format!("{HELPFUL_PREFIX}{entry}"),
        format!("{NOT_HELPFUL_PREFIX}{}:{entry}", base36(token)),
    )
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The questions behind recent answers, by token.
#[derive(Debug, Default)]
pub struct Asked {
    next: u64,
    order: VecDeque<u64>,
    questions: HashMap<u64, String>,
}

impl Asked {
    /// Remember `question`; its token (never 0).
    pub fn keep(&mut self, question: &str) -> u64 {
        self.next += 1;
        let token = self.next;
        if self.order.len() >= MAX_ASKED {
            if let Some(old) = self.order.pop_front() {
                self.questions.remove(&old);
            }
        }
        self.order.push_back(token);
        self.questions.insert(token, question.to_string());
        token
    }

    pub fn get(&self, token: u64) -> Option<&str> {
        self.questions.get(&token).map(String::as_str)
    }
}

/// Which member already rated which message, as keyed hashes.
#[derive(Debug, Default)]
pub struct Rated {
    key: std::collections::hash_map::RandomState,
    seen: HashSet<u64>,
}

impl Rated {
    /// True the first time `member` rates `message`.
    pub fn first(&mut self, message: u64, member: u64) -> bool {
        let h = self.key.hash_one((message, member));
        if self.seen.len() >= MAX_RATED {
            self.seen.clear();
        }
        self.seen.insert(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_round_trip() {
        let (yes, no) = button_ids("ice-or-heat", 12345);
        assert_eq!(
            parse(&yes),
            Some(Press {
                entry: "ice-or-heat".into(),
                helpful: true,
                token: 0
            })
        );
        assert_eq!(
            parse(&no),
            Some(Press {
                entry: "ice-or-heat".into(),
                helpful: false,
                token: 12345
            })
        );
        assert_eq!(parse("suggest:x"), None);
    }

    #[test]
    fn asked_keeps_the_newest_questions_only() {
        let mut a = Asked::default();
        let first = a.keep("q0");
        for i in 1..=MAX_ASKED {
            a.keep(&format!("q{i}"));
        }
        assert_eq!(a.get(first), None);
        assert_eq!(
            a.get(first + MAX_ASKED as u64),
            Some(format!("q{MAX_ASKED}").as_str())
        );
    }

    #[test]
    fn a_member_rates_a_message_once() {
        let mut r = Rated::default();
        assert!(r.first(1, 2));
        assert!(!r.first(1, 2));
        assert!(r.first(1, 3));
        assert!(r.first(4, 2));
    }
}
