//! What a member says after a crisis reply, read as part of that conversation.
//!
//! The crisis reply asks "Are you safe right now?". A member who answers "no", "I'm not
//! safe", "idk" or "why" must hear the helplines again, in a human voice, never "I don't know
//! that one yet" or a massage tip. So after a crisis reply, the same member's next messages in
//! the same channel (or DM) are read in that light for a while (`[conversation] minutes` in the
//! knowledge, 30 by default):
//!
//! - the safety screen still runs first: new crisis language gets the crisis reply again, and
//!   a red flag still escalates (with a short helpline line under it);
//! - a message that says they are not safe, or any short answer, gets the helplines again,
//!   worded for what they said ([`Heard`]);
//! - a longer message the knowledge clearly answers (a sciatica question) is answered, with a
//!   short helpline line under it; anything else gets the helplines again.
//!
//! Pure and time-injected, like [`crate::routine`]: [`Conversations`] is a plain map the front
//! ends own (the terminal `chat` one per run, Discord one behind a mutex), and every call takes
//! the time. What is kept is who and where (ids) and until when; never what was said.

use std::collections::HashMap;

use crate::knowledge::ConversationRules;
use crate::text;

/// Most conversations kept at once. Past it, ended ones are dropped, then the one nearest its
/// end (a crowd of crisis replies must not grow memory without bound).
pub const MAX_CONVERSATIONS: usize = 10_000;

/// Who is talking, and where: (member, channel). A DM is its own channel. The terminal uses
/// one fixed key.
pub type Key = (u64, u64);

/// How a message is read: on its own, or as part of a conversation that a crisis reply
/// opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    #[default]
    Fresh,
    /// The bot sent this member a crisis reply here, within the window.
    AfterCrisis,
}

/// What a message said, read as an answer to "Are you safe right now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// "no", "I'm not safe", "not really".
    NotSafe,
    /// "yes", "I'm ok".
    Safe,
    /// Any other short answer: "idk", "why", "ok", "...".
    Unsure,
    /// Longer than a short answer and not saying they are unsafe: maybe a question.
    Question,
}

/// Read `message` as an answer to "Are you safe right now?". Phrases are matched as whole
/// folded words in a row ("im not" in "no im not"), so "nothing" is not "no".
pub fn hear(rules: &ConversationRules, message: &str) -> Heard {
    let folded = text::fold(message);
    let words: Vec<&str> = text::words(&folded).collect();
    let says = |phrases: &[String]| phrases.iter().any(|p| contains_phrase(&words, p));
    // Said at any length: "I'm not safe, and where do I massage" is still not safe.
    if says(&rules.not_safe) {
        return Heard::NotSafe;
    }
    if words.len() > rules.short_answer_words {
        return Heard::Question;
    }
    if says(&rules.no) {
        Heard::NotSafe
    } else if says(&rules.yes) {
        Heard::Safe
    } else {
        Heard::Unsure
    }
}

fn contains_phrase(words: &[&str], phrase: &str) -> bool {
    let folded = text::fold(phrase);
    let want: Vec<&str> = text::words(&folded).collect();
    !want.is_empty() && words.windows(want.len()).any(|w| w == want.as_slice())
}

/// The open conversations: for each (member, channel), until when (Unix seconds) its messages
/// are read as following a crisis reply.
#[derive(Debug, Default)]
pub struct Conversations {
    until: HashMap<Key, u64>,
}

impl Conversations {
    pub fn new() -> Self {
        Self::default()
    }

    /// How a message from `key` arriving at `now` is read.
    pub fn context(&self, key: Key, now: u64) -> State {
        match self.until.get(&key) {
            Some(&until) if now < until => State::AfterCrisis,
            _ => State::Fresh,
        }
    }

    /// Note a reply sent to `key` at `now`: a crisis reply (`crisis`, the first or a
    /// follow-up) opens the conversation, or keeps it open, for `window_secs` from now. Other
    /// replies leave it as it is.
    pub fn replied(&mut self, key: Key, crisis: bool, now: u64, window_secs: u64) {
        if !crisis || window_secs == 0 {
            return;
        }
        if !self.until.contains_key(&key) && self.until.len() >= MAX_CONVERSATIONS {
            self.sweep(now);
            if self.until.len() >= MAX_CONVERSATIONS {
                if let Some(nearest) = self.until.iter().min_by_key(|(_, u)| **u).map(|(k, _)| *k) {
                    self.until.remove(&nearest);
                }
            }
        }
        self.until.insert(key, now.saturating_add(window_secs));
    }

    /// Forget conversations that ended; returns how many.
    pub fn sweep(&mut self, now: u64) -> usize {
        let before = self.until.len();
        self.until.retain(|_, until| now < *until);
        if self.until.capacity() > 64 && self.until.len() < self.until.capacity() / 4 {
            self.until.shrink_to_fit();
        }
        before - self.until.len()
    }

    pub fn len(&self) -> usize {
        self.until.len()
    }

    pub fn is_empty(&self) -> bool {
        self.until.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE_HERE: Key = (1, 10);
    const ALICE_THERE: Key = (1, 11);
    const BOB_HERE: Key = (2, 10);
    const WINDOW: u64 = 30 * 60;

    fn rules() -> ConversationRules {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        ConversationRules {
            minutes: 30,
            short_answer_words: 6,
            not_safe: list(&["not safe", "unsafe", "dont feel safe"]),
            no: list(&["no", "nope", "not really", "im not"]),
            yes: list(&["yes", "yeah", "im safe", "im ok"]),
            origin: Default::default(),
        }
    }

    #[test]
    fn a_crisis_reply_opens_a_conversation_for_that_member_in_that_channel_only() {
        let mut c = Conversations::new();
        assert_eq!(c.context(ALICE_HERE, 100), State::Fresh);
        c.replied(ALICE_HERE, true, 100, WINDOW);
        assert_eq!(c.context(ALICE_HERE, 101), State::AfterCrisis);
        assert_eq!(c.context(ALICE_THERE, 101), State::Fresh, "another channel");
        assert_eq!(c.context(BOB_HERE, 101), State::Fresh, "another member");
    }

    #[test]
    fn the_conversation_ends_after_the_window_and_each_crisis_reply_extends_it() {
        let mut c = Conversations::new();
        c.replied(ALICE_HERE, true, 0, WINDOW);
        assert_eq!(c.context(ALICE_HERE, WINDOW - 1), State::AfterCrisis);
        assert_eq!(c.context(ALICE_HERE, WINDOW), State::Fresh);
        c.replied(ALICE_HERE, true, WINDOW - 10, WINDOW);
        assert_eq!(c.context(ALICE_HERE, 2 * WINDOW - 11), State::AfterCrisis);
    }

    #[test]
    fn other_replies_neither_open_nor_close_a_conversation() {
        let mut c = Conversations::new();
        c.replied(ALICE_HERE, false, 0, WINDOW);
        assert_eq!(c.context(ALICE_HERE, 1), State::Fresh);
        c.replied(ALICE_HERE, true, 0, WINDOW);
        c.replied(ALICE_HERE, false, 5, WINDOW);
        c.replied(ALICE_HERE, false, 6, WINDOW);
        assert_eq!(c.context(ALICE_HERE, 7), State::AfterCrisis);
    }

    #[test]
    fn a_zero_window_opens_nothing() {
        let mut c = Conversations::new();
        c.replied(ALICE_HERE, true, 0, 0);
        assert_eq!(c.context(ALICE_HERE, 0), State::Fresh);
    }

    #[test]
    fn the_map_is_bounded_and_sweeps_ended_conversations_first() {
        let mut c = Conversations::new();
        for i in 0..MAX_CONVERSATIONS as u64 {
            // Half of them end at 50.
            let window = if i % 2 == 0 { 50 } else { WINDOW };
            c.replied((i, 0), true, 0, window);
        }
        assert_eq!(c.len(), MAX_CONVERSATIONS);
        c.replied((u64::MAX, 0), true, 100, WINDOW);
        assert_eq!(c.len(), MAX_CONVERSATIONS / 2 + 1, "ended ones swept");
        assert_eq!(c.context((1, 0), 101), State::AfterCrisis);

        // Full of live ones: the one nearest its end goes.
        let mut c = Conversations::new();
        for i in 0..MAX_CONVERSATIONS as u64 {
            c.replied((i, 0), true, i, WINDOW);
        }
        c.replied((u64::MAX, 0), true, 10, WINDOW);
        assert_eq!(c.len(), MAX_CONVERSATIONS);
        assert_eq!(c.context((0, 0), 11), State::Fresh);
        assert_eq!(c.context((1, 0), 11), State::AfterCrisis);
        assert_eq!(c.context((u64::MAX, 0), 11), State::AfterCrisis);
        assert_eq!(c.sweep(u64::MAX), MAX_CONVERSATIONS);
        assert!(c.is_empty());
    }

    #[test]
    fn answers_to_are_you_safe_are_heard_for_what_they_say() {
        let r = rules();
        for (said, heard) in [
            ("no", Heard::NotSafe),
            ("No.", Heard::NotSafe),
            ("no I'm not", Heard::NotSafe),
            ("I'm not safe", Heard::NotSafe),
            ("not really", Heard::NotSafe),
            ("nope", Heard::NotSafe),
            (
                "I don't feel safe at all tonight, and my back is killing me",
                Heard::NotSafe,
            ),
            ("yes", Heard::Safe),
            ("Yeah I'm ok", Heard::Safe),
            ("I'm safe", Heard::Safe),
            ("idk", Heard::Unsure),
            ("why", Heard::Unsure),
            ("nothing", Heard::Unsure),
            ("", Heard::Unsure),
            ("🙁", Heard::Unsure),
            (
                "where should I massage for sciatica when I sit all day",
                Heard::Question,
            ),
        ] {
            assert_eq!(hear(&r, said), heard, "{said:?}");
        }
    }
}
