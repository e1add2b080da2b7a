//! A guided routine session as a pure state machine: start, next, pause, resume, stop,
//! "this hurts" and idle expiry.
//!
//! No Discord types and no clock: the caller passes the time in (Unix seconds) and the id of
//! whoever pressed a button, so every rule here is unit-tested without a network. The Discord
//! front end keeps one [`Session`] per `/routine` message and renders each [`View`] through the
//! [`crate::reply::Composer`].

use std::time::Duration;

/// How long a session may sit untouched before it closes itself. Longer than the longest
/// allowed hold (600 s), so a member holding a stretch is never cut off mid-step.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What a member can do to a running session (one button each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Next,
    Pause,
    Resume,
    Stop,
    ThisHurts,
}

impl Action {
    /// Stable short name, used in button ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Next => "next",
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Stop => "stop",
            Action::ThisHurts => "hurts",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [
            Action::Next,
            Action::Pause,
            Action::Resume,
            Action::Stop,
            Action::ThisHurts,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// What the session shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Doing step `index` (0-based); the hold ends at `ends_at` (Unix seconds).
    Step { index: usize, ends_at: u64 },
    /// Paused on step `index`; Next or Resume restarts that step's timer.
    Paused { index: usize },
    /// Every step done.
    Done,
    /// Stopped by the member.
    Stopped,
    /// Stopped because it hurt: show the safety advice.
    Hurt,
    /// Idle too long; closed.
    Expired,
}

impl View {
    /// A finished session takes no more actions and shows no buttons.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            View::Done | View::Stopped | View::Hurt | View::Expired
        )
    }
}

/// Someone other than the member who started the session pressed a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotStarter;

/// One member's run through one routine.
#[derive(Debug, Clone)]
pub struct Session {
    owner: u64,
    step_seconds: Vec<u32>,
    view: View,
    last_activity: u64,
    idle_timeout: u64,
}

impl Session {
    /// Start at step 1. `step_seconds` is the hold time of each step, in order; a routine with
    /// no steps is done at once.
    pub fn start(owner: u64, step_seconds: Vec<u32>, now: u64, idle_timeout: Duration) -> Self {
        let mut session = Self {
            owner,
            step_seconds,
            view: View::Done,
            last_activity: now,
            idle_timeout: idle_timeout.as_secs(),
        };
        session.view = session.step(0, now);
        session
    }

    pub fn step_count(&self) -> usize {
        self.step_seconds.len()
    }

    /// The current view, as of `now` (an idle session reads as expired).
    pub fn view(&self, now: u64) -> View {
        if self.is_expired(now) {
            View::Expired
        } else {
            self.view
        }
    }

    /// Idle for longer than the timeout while still running or paused.
    pub fn is_expired(&self, now: u64) -> bool {
        !self.view.is_final() && now >= self.last_activity.saturating_add(self.idle_timeout)
    }

    /// Finished or expired: safe to forget.
    pub fn is_over(&self, now: u64) -> bool {
        self.view(now).is_final()
    }

    /// Apply a button press by member `who`. Only the starter may press; a finished session
    /// ignores further presses and keeps showing how it ended.
    pub fn press(&mut self, who: u64, action: Action, now: u64) -> Result<View, NotStarter> {
        if who != self.owner {
            return Err(NotStarter);
        }
        if self.is_expired(now) {
            self.view = View::Expired;
        }
        if self.view.is_final() {
            return Ok(self.view);
        }
        self.last_activity = now;
        self.view = match (self.view, action) {
            (_, Action::Stop) => View::Stopped,
            (_, Action::ThisHurts) => View::Hurt,
            (View::Step { index, .. }, Action::Next) => self.step(index + 1, now),
            (View::Step { index, .. }, Action::Pause) => View::Paused { index },
            (step @ View::Step { .. }, Action::Resume) => step,
            (View::Paused { index }, Action::Next | Action::Resume) => self.step(index, now),
            (paused @ View::Paused { .. }, Action::Pause) => paused,
            (final_view, _) => final_view,
        };
        Ok(self.view)
    }

    fn step(&self, index: usize, now: u64) -> View {
        match self.step_seconds.get(index) {
            Some(&secs) => View::Step {
                index,
                ends_at: now + u64::from(secs),
            },
            None => View::Done,
        }
    }
}

/// Unix seconds now; the one place the front end reads the clock for sessions.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: u64 = 1;
    const BOB: u64 = 2;
    const T0: u64 = 1_000_000;

    fn session() -> Session {
        Session::start(ALICE, vec![30, 45, 60], T0, DEFAULT_IDLE_TIMEOUT)
    }

    #[test]
    fn a_new_session_shows_step_one_with_its_hold_ending_after_the_hold_time() {
        let s = session();
        assert_eq!(
            s.view(T0),
            View::Step {
                index: 0,
                ends_at: T0 + 30
            }
        );
        assert_eq!(s.step_count(), 3);
    }

    #[test]
    fn next_walks_through_every_step_then_finishes() {
        let mut s = session();
        assert_eq!(
            s.press(ALICE, Action::Next, T0 + 31),
            Ok(View::Step {
                index: 1,
                ends_at: T0 + 31 + 45
            })
        );
        assert_eq!(
            s.press(ALICE, Action::Next, T0 + 80),
            Ok(View::Step {
                index: 2,
                ends_at: T0 + 140
            })
        );
        assert_eq!(s.press(ALICE, Action::Next, T0 + 141), Ok(View::Done));
        assert!(s.is_over(T0 + 141));
    }

    #[test]
    fn only_the_member_who_started_may_press_and_a_refusal_changes_nothing() {
        let mut s = session();
        assert_eq!(s.press(BOB, Action::Next, T0 + 1), Err(NotStarter));
        assert_eq!(s.press(BOB, Action::Stop, T0 + 1), Err(NotStarter));
        assert_eq!(
            s.view(T0 + 1),
            View::Step {
                index: 0,
                ends_at: T0 + 30
            }
        );
    }

    #[test]
    fn pause_holds_the_step_and_next_or_resume_restarts_its_timer() {
        let mut s = session();
        s.press(ALICE, Action::Next, T0 + 10).unwrap();
        assert_eq!(
            s.press(ALICE, Action::Pause, T0 + 20),
            Ok(View::Paused { index: 1 })
        );
        assert_eq!(
            s.press(ALICE, Action::Pause, T0 + 21),
            Ok(View::Paused { index: 1 })
        );
        assert_eq!(
            s.press(ALICE, Action::Resume, T0 + 100),
            Ok(View::Step {
                index: 1,
                ends_at: T0 + 145
            })
        );
        s.press(ALICE, Action::Pause, T0 + 110).unwrap();
        assert_eq!(
            s.press(ALICE, Action::Next, T0 + 200),
            Ok(View::Step {
                index: 1,
                ends_at: T0 + 245
            })
        );
    }

    #[test]
    fn this_hurts_stops_the_session_from_a_step_or_a_pause() {
        let mut s = session();
        assert_eq!(s.press(ALICE, Action::ThisHurts, T0 + 5), Ok(View::Hurt));
        let mut p = session();
        p.press(ALICE, Action::Pause, T0 + 5).unwrap();
        assert_eq!(p.press(ALICE, Action::ThisHurts, T0 + 6), Ok(View::Hurt));
    }

    #[test]
    fn stop_ends_the_session_and_later_presses_keep_showing_how_it_ended() {
        let mut s = session();
        assert_eq!(s.press(ALICE, Action::Stop, T0 + 5), Ok(View::Stopped));
        assert_eq!(s.press(ALICE, Action::Next, T0 + 6), Ok(View::Stopped));
        assert_eq!(s.press(ALICE, Action::ThisHurts, T0 + 7), Ok(View::Stopped));
    }

    #[test]
    fn an_idle_session_expires_and_any_press_then_says_so() {
        let mut s = session();
        let idle = DEFAULT_IDLE_TIMEOUT.as_secs();
        assert!(!s.is_expired(T0 + idle - 1));
        assert_eq!(s.view(T0 + idle), View::Expired);
        assert_eq!(s.press(ALICE, Action::Next, T0 + idle), Ok(View::Expired));
        assert!(s.is_over(T0 + idle));
    }

    #[test]
    fn each_press_resets_the_idle_clock() {
        let mut s = Session::start(ALICE, vec![30, 30], T0, Duration::from_secs(100));
        s.press(ALICE, Action::Pause, T0 + 90).unwrap();
        assert_eq!(s.view(T0 + 150), View::Paused { index: 0 });
        assert_eq!(s.view(T0 + 190), View::Expired);
    }

    #[test]
    fn a_finished_session_never_expires_into_a_different_ending() {
        let mut s = Session::start(ALICE, vec![30], T0, Duration::from_secs(10));
        s.press(ALICE, Action::Next, T0 + 1).unwrap();
        assert_eq!(s.view(T0 + 1000), View::Done);
    }

    #[test]
    fn a_routine_without_steps_is_done_at_once() {
        let s = Session::start(ALICE, Vec::new(), T0, DEFAULT_IDLE_TIMEOUT);
        assert_eq!(s.view(T0), View::Done);
    }

    #[test]
    fn actions_round_trip_through_their_button_names() {
        for a in [
            Action::Next,
            Action::Pause,
            Action::Resume,
            Action::Stop,
            Action::ThisHurts,
        ] {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("explode"), None);
    }
}
