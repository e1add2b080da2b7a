//! A per-member question cooldown: at most `max` questions in a sliding `window`.
//!
//! The caller screens a message for safety first and only asks the cooldown about ordinary
//! questions: a red flag or a crisis message is never held back. Time is passed in, so the
//! rules are unit-tested without waiting.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Forget members idle for longer than a window once the table grows past this many.
const SWEEP_ABOVE: usize = 10_000;

/// The limit: `max` questions per `window`, per member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CooldownRule {
    pub max: usize,
    pub window: Duration,
}

impl Default for CooldownRule {
    fn default() -> Self {
        Self {
            max: 5,
            window: Duration::from_secs(30),
        }
    }
}

/// What the cooldown decided for one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// Over the limit. `first` is true for the first refusal in this burst, so a channel
    /// message gets one note rather than one per message.
    Limited {
        retry_after: Duration,
        first: bool,
    },
}

#[derive(Default)]
struct Member {
    asked: VecDeque<Instant>,
    noted: bool,
}

pub struct Cooldown {
    rule: CooldownRule,
    members: Mutex<HashMap<u64, Member>>,
}

impl Cooldown {
    pub fn new(rule: CooldownRule) -> Self {
        Self {
            rule,
            members: Mutex::new(HashMap::new()),
        }
    }

    /// Count one question from `member` at `now`, unless it is over the limit.
    pub fn check(&self, member: u64, now: Instant) -> Decision {
        let window = self.rule.window;
        let mut members = self.members.lock().unwrap_or_else(|p| p.into_inner());
        if members.len() > SWEEP_ABOVE {
            members.retain(|_, m| {
                m.asked
                    .back()
                    .is_some_and(|&t| now.saturating_duration_since(t) < window)
            });
        }
        let m = members.entry(member).or_default();
        while m
            .asked
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= window)
        {
            m.asked.pop_front();
        }
        if m.asked.len() < self.rule.max {
            m.asked.push_back(now);
            m.noted = false;
            return Decision::Allowed;
        }
        let oldest = m.asked.front().copied().unwrap_or(now);
        let retry_after = window.saturating_sub(now.saturating_duration_since(oldest));
        let first = !m.noted;
        m.noted = true;
        Decision::Limited { retry_after, first }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> CooldownRule {
        CooldownRule {
            max: 3,
            window: Duration::from_secs(30),
        }
    }

    #[test]
    fn a_member_may_ask_up_to_the_limit_then_is_told_when_to_come_back() {
        let c = Cooldown::new(rule());
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(c.check(7, t0 + Duration::from_secs(i)), Decision::Allowed);
        }
        assert_eq!(
            c.check(7, t0 + Duration::from_secs(10)),
            Decision::Limited {
                retry_after: Duration::from_secs(20),
                first: true
            }
        );
        assert_eq!(
            c.check(7, t0 + Duration::from_secs(11)),
            Decision::Limited {
                retry_after: Duration::from_secs(19),
                first: false
            }
        );
    }

    #[test]
    fn the_window_slides_so_old_questions_stop_counting() {
        let c = Cooldown::new(rule());
        let t0 = Instant::now();
        for _ in 0..3 {
            c.check(7, t0);
        }
        assert_eq!(c.check(7, t0 + Duration::from_secs(30)), Decision::Allowed);
    }

    #[test]
    fn members_are_counted_separately() {
        let c = Cooldown::new(rule());
        let t0 = Instant::now();
        for _ in 0..3 {
            c.check(1, t0);
        }
        assert_eq!(c.check(2, t0), Decision::Allowed);
        assert!(matches!(c.check(1, t0), Decision::Limited { .. }));
    }

    #[test]
    fn refused_questions_do_not_extend_the_cooldown() {
        let c = Cooldown::new(rule());
        let t0 = Instant::now();
        for _ in 0..3 {
            c.check(1, t0);
        }
        for s in 1..29 {
            assert!(matches!(
                c.check(1, t0 + Duration::from_secs(s)),
                Decision::Limited { .. }
            ));
        }
        assert_eq!(c.check(1, t0 + Duration::from_secs(30)), Decision::Allowed);
    }

    #[test]
    fn the_table_stays_bounded_under_many_members() {
        let c = Cooldown::new(rule());
        let t0 = Instant::now();
        for m in 0..(SWEEP_ABOVE as u64 + 10) {
            c.check(m, t0);
        }
        c.check(u64::MAX, t0 + Duration::from_secs(60));
        assert!(c.members.lock().unwrap().len() < 10);
    }
}
