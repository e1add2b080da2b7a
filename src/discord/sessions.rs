//! The `/routine` sessions in progress, keyed by the id of the interaction that started them
//! (which is also in their buttons' ids). Each keeps the routine as it was when it started, so
//! a knowledge reload mid-routine never changes the steps under a member.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::knowledge::Routine;
use crate::routine::{Action, NotStarter, Session, View};

/// At most this many sessions are kept; the oldest go first (they expire anyway).
const MAX_SESSIONS: usize = 10_000;

struct Running {
    session: Session,
    routine: Arc<Routine>,
    started: u64,
}

/// What a button press led to.
pub enum Pressed {
    /// The session is gone (finished long ago, swept, or the bot restarted).
    Unknown,
    NotStarter,
    Shown(View, Arc<Routine>),
}

pub struct Sessions {
    idle_timeout: Duration,
    running: Mutex<HashMap<u64, Running>>,
}

impl Sessions {
    pub fn new(idle_timeout: Duration) -> Self {
        Self {
            idle_timeout,
            running: Mutex::new(HashMap::new()),
        }
    }

    /// Start `routine` for `owner` under `id`; returns the first view.
    pub fn start(&self, id: u64, owner: u64, routine: Routine, now: u64) -> View {
        let steps = routine.steps.iter().map(|s| s.seconds).collect();
        let session = Session::start(owner, steps, now, self.idle_timeout);
        let view = session.view(now);
        let mut running = self.lock();
        running.retain(|_, r| !r.session.is_over(now));
        if running.len() >= MAX_SESSIONS {
            if let Some(oldest) = running
                .iter()
                .min_by_key(|(_, r)| r.started)
                .map(|(k, _)| *k)
            {
                running.remove(&oldest);
            }
        }
        if !view.is_final() {
            running.insert(
                id,
                Running {
                    session,
                    routine: Arc::new(routine),
                    started: now,
                },
            );
        }
        view
    }

    /// Apply a press; a session that ends is forgotten.
    pub fn press(&self, id: u64, who: u64, action: Action, now: u64) -> Pressed {
        let mut running = self.lock();
        let Some(r) = running.get_mut(&id) else {
            return Pressed::Unknown;
        };
        match r.session.press(who, action, now) {
            Err(NotStarter) => Pressed::NotStarter,
            Ok(view) => {
                let routine = Arc::clone(&r.routine);
                if view.is_final() {
                    running.remove(&id);
                }
                Pressed::Shown(view, routine)
            }
        }
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Running>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Button id for `action` on session `id`.
pub fn button_id(id: u64, action: Action) -> String {
    format!("routine:{id}:{}", action.as_str())
}

/// The session and action of a routine button id.
pub fn parse_button_id(custom_id: &str) -> Option<(u64, Action)> {
    let rest = custom_id.strip_prefix("routine:")?;
    let (id, action) = rest.split_once(':')?;
    Some((id.parse().ok()?, Action::parse(action)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{Origin, Step};

    fn routine(steps: usize) -> Routine {
        Routine {
            id: "r".into(),
            title: "R".into(),
            summary: "s".into(),
            phrasings: Vec::new(),
            steps: (0..steps)
                .map(|_| Step {
                    instruction: "i".into(),
                    uses: "u".into(),
                    seconds: 30,
                    stop_cue: "c".into(),
                    origin: Origin::default(),
                })
                .collect(),
            source: String::new(),
            reviewed: String::new(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn button_ids_round_trip_and_junk_is_rejected() {
        assert_eq!(
            parse_button_id(&button_id(42, Action::ThisHurts)),
            Some((42, Action::ThisHurts))
        );
        for junk in ["routine:x:next", "routine:1:fly", "suggest:1", "routine:1"] {
            assert_eq!(parse_button_id(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_finished_session_is_forgotten_and_later_presses_find_nothing() {
        let s = Sessions::new(Duration::from_secs(600));
        s.start(1, 7, routine(1), 100);
        assert!(matches!(
            s.press(1, 7, Action::Next, 101),
            Pressed::Shown(View::Done, _)
        ));
        assert!(s.is_empty());
        assert!(matches!(s.press(1, 7, Action::Next, 102), Pressed::Unknown));
    }

    #[test]
    fn another_member_is_refused_and_the_session_goes_on() {
        let s = Sessions::new(Duration::from_secs(600));
        s.start(1, 7, routine(2), 100);
        assert!(matches!(
            s.press(1, 8, Action::Stop, 101),
            Pressed::NotStarter
        ));
        assert!(matches!(
            s.press(1, 7, Action::Next, 102),
            Pressed::Shown(View::Step { index: 1, .. }, _)
        ));
    }

    #[test]
    fn stale_sessions_are_swept_when_new_ones_start() {
        let s = Sessions::new(Duration::from_secs(60));
        s.start(1, 7, routine(2), 100);
        s.start(2, 8, routine(2), 1000);
        assert_eq!(s.len(), 1);
    }
}
