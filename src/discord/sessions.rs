//! The `/routine` sessions in progress, keyed by the id of the interaction that started them
//! (which is also in their buttons' ids). Each keeps the routine as it was when it started, so
//! a knowledge reload mid-routine never changes the steps under a member.
//!
//! Bounded: a member has at most one live routine per channel (starting another replaces
//! it), sessions that ended or sat idle too long are swept on a timer
//! ([`Sessions::sweep_every`]) rather than only when someone starts a new one, and a hard cap
//! drops the oldest if a crowd of members still outgrows it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::knowledge::Routine;
use crate::routine::{unix_now, Action, NotStarter, Session, View};

/// At most this many sessions are kept; the oldest go first (they expire anyway).
const MAX_SESSIONS: usize = 10_000;

struct Running {
    session: Session,
    routine: Arc<Routine>,
    started: u64,
    /// (member, channel): the key of [`Table::by_member`].
    who: (u64, u64),
}

/// What a button press led to.
pub enum Pressed {
    /// The session is gone (finished long ago, swept, replaced, or the bot restarted).
    Unknown,
    NotStarter,
    Shown(View, Arc<Routine>),
}

#[derive(Default)]
struct Table {
    running: HashMap<u64, Running>,
    /// The live session of each member in each channel.
    by_member: HashMap<(u64, u64), u64>,
    /// One shared copy of each routine in use, by id: a thousand members doing the same
    /// routine hold one copy of its text, not a thousand.
    routines: HashMap<String, Arc<Routine>>,
}

impl Table {
    fn remove(&mut self, id: u64) {
        if let Some(r) = self.running.remove(&id) {
            if self.by_member.get(&r.who) == Some(&id) {
                self.by_member.remove(&r.who);
            }
        }
    }

    /// Drop ended and idle sessions: how many, and whether the maps shrank (then the caller
    /// hands the freed memory back, outside the lock).
    fn sweep(&mut self, now: u64) -> (usize, bool) {
        let before = self.running.len();
        self.running.retain(|_, r| !r.session.is_over(now));
        let running = &self.running;
        self.by_member.retain(|_, id| running.contains_key(id));
        self.routines.retain(|_, r| Arc::strong_count(r) > 1);
        // Give memory back after a burst: a map keeps its peak capacity otherwise.
        if self.running.capacity() > 64 && self.running.len() < self.running.capacity() / 4 {
            self.running.shrink_to_fit();
            self.by_member.shrink_to_fit();
            self.routines.shrink_to_fit();
            return (before - self.running.len(), true);
        }
        (before - self.running.len(), false)
    }

    /// The shared copy of `routine`: the one in use if it is the same, else this one (a
    /// reload changed it; sessions already running keep the copy they started with).
    fn share(&mut self, routine: Routine) -> Arc<Routine> {
        match self.routines.get(&routine.id) {
            Some(shared) if **shared == routine => Arc::clone(shared),
            _ => {
                let shared = Arc::new(routine);
                self.routines.insert(shared.id.clone(), Arc::clone(&shared));
                shared
            }
        }
    }
}

pub struct Sessions {
    idle_timeout: Duration,
    table: Mutex<Table>,
}

impl Sessions {
    pub fn new(idle_timeout: Duration) -> Self {
        Self {
            idle_timeout,
            table: Mutex::new(Table::default()),
        }
    }

    /// Start `routine` for `owner` in `channel` under `id`, replacing that member's routine in
    /// that channel if one is running; returns the first view.
    pub fn start(&self, id: u64, owner: u64, channel: u64, routine: Routine, now: u64) -> View {
        let steps = routine.steps.iter().map(|s| s.seconds).collect();
        let session = Session::start(owner, steps, now, self.idle_timeout);
        let view = session.view(now);
        let mut t = self.lock();
        if let Some(old) = t.by_member.get(&(owner, channel)).copied() {
            t.remove(old);
        }
        if view.is_final() {
            return view;
        }
        if t.running.len() >= MAX_SESSIONS {
            t.sweep(now);
        }
        if t.running.len() >= MAX_SESSIONS {
            if let Some(oldest) = t
                .running
                .iter()
                .min_by_key(|(_, r)| r.started)
                .map(|(k, _)| *k)
            {
                t.remove(oldest);
            }
        }
        let routine = t.share(routine);
        t.running.insert(
            id,
            Running {
                session,
                routine,
                started: now,
                who: (owner, channel),
            },
        );
        t.by_member.insert((owner, channel), id);
        view
    }

    /// Apply a press; a session that ends is forgotten.
    pub fn press(&self, id: u64, who: u64, action: Action, now: u64) -> Pressed {
        let mut t = self.lock();
        let Some(r) = t.running.get_mut(&id) else {
            return Pressed::Unknown;
        };
        match r.session.press(who, action, now) {
            Err(NotStarter) => Pressed::NotStarter,
            Ok(view) => {
                let routine = Arc::clone(&r.routine);
                if view.is_final() {
                    t.remove(id);
                }
                Pressed::Shown(view, routine)
            }
        }
    }

    /// Drop the sessions that ended or sat idle too long; returns how many.
    pub fn sweep(&self, now: u64) -> usize {
        let (swept, shrunk) = self.lock().sweep(now);
        if shrunk {
            release_free_memory();
        }
        swept
    }

    /// Sweep every `every` until the returned task is aborted (or the sessions are dropped).
    pub fn sweep_every(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let sessions = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every.max(Duration::from_millis(10)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(sessions) = sessions.upgrade() else {
                    return;
                };
                let swept = sessions.sweep(unix_now());
                if swept > 0 {
                    tracing::debug!(swept, left = sessions.len(), "routine sessions swept");
                }
            }
        })
    }

    pub fn len(&self) -> usize {
        self.lock().running.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
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

/// Hand freed heap pages back to the system after a burst. The allocator (mimalloc, see
/// `src/lib.rs`) keeps freed pages for reuse; a forced collect returns them, so a burst's
/// freed sessions do not stay resident.
fn release_free_memory() {
    // SAFETY: mi_collect only frees and returns memory mimalloc itself holds unused; it has no
    // preconditions and may be called from any thread.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
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
        s.start(1, 7, 50, routine(1), 100);
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
        s.start(1, 7, 50, routine(2), 100);
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
    fn stale_sessions_are_swept() {
        let s = Sessions::new(Duration::from_secs(60));
        s.start(1, 7, 50, routine(2), 100);
        s.start(2, 8, 50, routine(2), 150);
        assert_eq!(s.sweep(1000), 2);
        assert!(s.is_empty());
    }

    #[test]
    fn a_member_has_one_routine_per_channel_and_cannot_evict_anyone_elses() {
        let s = Sessions::new(Duration::from_secs(600));
        s.start(1, 8, 50, routine(2), 100);
        s.start(2, 8, 51, routine(2), 100);
        // Member 7 starts routine after routine in one channel, far past the cap.
        for id in 10..(10 + MAX_SESSIONS as u64 + 10) {
            s.start(id, 7, 50, routine(2), 100);
        }
        assert_eq!(s.len(), 3, "8's two routines and 7's latest");
        assert!(matches!(
            s.press(1, 8, Action::Next, 101),
            Pressed::Shown(..)
        ));
        assert!(matches!(
            s.press(2, 8, Action::Next, 101),
            Pressed::Shown(..)
        ));
        assert!(matches!(
            s.press(10, 7, Action::Next, 101),
            Pressed::Unknown
        ));
    }

    #[tokio::test]
    async fn the_timer_sweeps_idle_sessions_without_anyone_starting_one() {
        let s = Arc::new(Sessions::new(Duration::from_secs(1)));
        s.start(1, 7, 50, routine(2), unix_now());
        let sweeper = s.sweep_every(Duration::from_millis(50));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !s.is_empty() && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sweeper.abort();
        assert!(s.is_empty(), "the idle session was swept");
    }
}
