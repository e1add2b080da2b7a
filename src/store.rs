//! The live knowledge: the engine in service, swapped atomically on reload.
//!
//! Readers call [`KnowledgeStore::engine`] and get an `Arc<Engine>` without taking a lock; a
//! reload builds a complete new engine off to the side and swaps it in only if the whole
//! folder is valid. A bad edit never replaces good knowledge: the last good engine keeps
//! answering and the problems are kept for [`KnowledgeStore::status`].
//!
//! [`KnowledgeStore::watch`] (in `watch.rs`) reloads on file changes.

mod compose;
mod watch;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::engine::Engine;
use crate::knowledge::{self, Diagnostic, EntryKind, LoadFailure, Origin, Severity, Source};
use crate::text::clip;

pub use watch::{WatchError, WatchHandle};

/// Longest problem line in a reload summary.
const PROBLEM_CHARS: usize = 300;

/// Entry counts of one knowledge base.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub files: usize,
    pub faqs: usize,
    pub muscles: usize,
    pub techniques: usize,
    pub routines: usize,
    pub red_flags: usize,
}

impl Counts {
    pub fn of(k: &knowledge::Knowledge) -> Self {
        Self {
            files: k.files.len(),
            faqs: k.count(EntryKind::Faq),
            muscles: k.count(EntryKind::Muscle),
            techniques: k.count(EntryKind::Technique),
            routines: k.routines.len(),
            red_flags: k.safety.red_flags.len(),
        }
    }

    /// The entries in the operators' English, without the files: "42 FAQ, 12 muscles, 9
    /// techniques, 3 routines, 20 red-flag rules" (the reload log line and `check` share it).
    pub fn entries(&self) -> String {
        format!(
            "{} FAQ, {} muscles, {} techniques, {} routines, {} red-flag rules",
            self.faqs, self.muscles, self.techniques, self.routines, self.red_flags
        )
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} files)", self.entries(), self.files)
    }
}

/// What `/knowledge status` shows (worded by [`crate::reply::Composer::status`]).
#[derive(Debug, Clone)]
pub struct StoreStatus {
    /// The folder, or the built-in knowledge.
    pub source: Source,
    pub loaded_at: SystemTime,
    pub counts: Counts,
    pub warnings: Vec<Diagnostic>,
    /// The last failed reload, if the latest attempt failed.
    pub last_error: Option<(SystemTime, Vec<Diagnostic>)>,
}

/// The result of one reload attempt.
#[derive(Debug, Clone)]
pub enum ReloadOutcome {
    /// The new knowledge is in service.
    Reloaded {
        warnings: Vec<Diagnostic>,
        counts: Counts,
    },
    /// The folder is not valid; the previous knowledge is still in service.
    Rejected(LoadFailure),
}

impl ReloadOutcome {
    pub fn is_ok(&self) -> bool {
        matches!(self, ReloadOutcome::Reloaded { .. })
    }

    /// One line for the bot's own log (operators read it, in English), e.g. "Knowledge
    /// reloaded: 42 FAQ, ...". Members and admins on Discord get
    /// [`crate::reply::Composer::reload_outcome`], worded by the knowledge.
    pub fn summary(&self) -> String {
        match self {
            ReloadOutcome::Reloaded { warnings, counts } => {
                let mut s = format!("Knowledge reloaded: {counts}");
                if let Some(first) = warnings.first() {
                    let _ = write!(
                        s,
                        "; {} warning(s), first: {}",
                        warnings.len(),
                        clip(&first.to_string(), PROBLEM_CHARS)
                    );
                }
                s
            }
            ReloadOutcome::Rejected(failure) => {
                let first = failure
                    .diagnostics
                    .first()
                    .map_or_else(|| "unknown problem".to_string(), ToString::to_string);
                format!(
                    "Knowledge reload rejected, previous knowledge still in service: {} error(s), \
                     first: {}",
                    failure.error_count(),
                    clip(&first, PROBLEM_CHARS)
                )
            }
        }
    }
}

/// The knowledge folder in service: the engine answering now, and what the last reload found.
pub struct KnowledgeStore {
    source: Source,
    current: ArcSwap<Engine>,
    meta: Mutex<Meta>,
    /// Serialises reloads (watcher and `/knowledge reload` at once) so an older load can never
    /// be swapped in after a newer one. The answer path never takes it.
    reloading: Mutex<()>,
}

struct Meta {
    warnings: Vec<Diagnostic>,
    last_error: Option<(SystemTime, Vec<Diagnostic>)>,
    /// Fingerprint of the folder at the last load attempt; lets the watcher skip events that
    /// changed nothing (editor swap files, `touch`, a save without edits).
    fingerprint: u64,
}

impl KnowledgeStore {
    /// Load the folder; fails if it is not valid (the bot does not start on bad knowledge).
    pub fn open(dir: &Path) -> Result<Self, LoadFailure> {
        Self::open_source(Source::Folder(dir.to_path_buf()))
    }

    /// Load a folder or the built-in knowledge (which never changes, so is never watched).
    pub fn open_source(source: Source) -> Result<Self, LoadFailure> {
        let fingerprint = source.fingerprint();
        let (engine, warnings) = load_engine(&source)?;
        Ok(Self {
            source,
            current: ArcSwap::from_pointee(engine),
            meta: Mutex::new(Meta {
                warnings,
                last_error: None,
                fingerprint,
            }),
            reloading: Mutex::new(()),
        })
    }

    /// Where the knowledge comes from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The engine in service now. Cheap; never blocks on a reload.
    pub fn engine(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// Load the folder again; swap it in only if valid.
    pub fn reload(&self) -> ReloadOutcome {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        self.reload_locked(self.source.fingerprint())
    }

    /// Reload unless the folder is byte-for-byte what the last attempt read: the same input
    /// ends the same way, so a `touch`, a save without edits or an editor's swap file never
    /// reloads, and a broken folder is not rejected (and reported) again until it changes.
    /// `None` means nothing changed.
    pub fn reload_if_changed(&self) -> Option<ReloadOutcome> {
        // Decided under the reload lock, so a `/knowledge reload` that ran meanwhile counts as
        // the attempt that read what is there now.
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|p| p.into_inner());
        let fingerprint = self.source.fingerprint();
        if self
            .meta
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .fingerprint
            == fingerprint
        {
            return None;
        }
        Some(self.reload_locked(fingerprint))
    }

    /// One reload attempt; the caller holds `reloading`. `fingerprint` was taken before the
    /// load, so an edit made during it differs from it and is reloaded next time.
    fn reload_locked(&self, fingerprint: u64) -> ReloadOutcome {
        let result = load_engine(&self.source);
        let mut meta = self.meta.lock().unwrap_or_else(|p| p.into_inner());
        meta.fingerprint = fingerprint;
        match result {
            Ok((engine, warnings)) => {
                let counts = Counts::of(engine.knowledge());
                // Swapped while `meta` is held, so a status never pairs this engine with the
                // previous warnings.
                self.current.store(Arc::new(engine));
                meta.warnings = warnings.clone();
                meta.last_error = None;
                ReloadOutcome::Reloaded { warnings, counts }
            }
            Err(failure) => {
                meta.last_error = Some((SystemTime::now(), failure.diagnostics.clone()));
                ReloadOutcome::Rejected(failure)
            }
        }
    }

    pub fn status(&self) -> StoreStatus {
        // `meta` first: a reload swaps the engine while holding it, so the engine read here is
        // the one these warnings and this error belong to.
        let meta = self.meta.lock().unwrap_or_else(|p| p.into_inner());
        let engine = self.engine();
        StoreStatus {
            source: self.source.clone(),
            loaded_at: engine.loaded_at(),
            counts: Counts::of(engine.knowledge()),
            warnings: meta.warnings.clone(),
            last_error: meta.last_error.clone(),
        }
    }
}

/// Load, index and review a folder: the same load and review as `check`, with the review
/// using the engine's own matcher and screen so each is built once per reload. A panic while
/// building the engine (a bug triggered by odd knowledge) becomes a rejected load, so a bad
/// edit can never take the bot down.
fn load_engine(source: &Source) -> Result<(Engine, Vec<Diagnostic>), LoadFailure> {
    let load = || {
        let (
            knowledge::Loaded {
                knowledge,
                warnings,
            },
            compiled,
        ) = crate::review::load_compiled(source)?;
        let engine = Engine::with_compiled(knowledge, compiled);
        let warnings = crate::review::phrasings(
            engine.knowledge(),
            engine.matcher(),
            engine.safety(),
            warnings,
        );
        Ok((engine, warnings))
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_else(|_| {
        Err(LoadFailure {
            diagnostics: vec![Diagnostic {
                severity: Severity::Error,
                file: Origin::default().file,
                line: 0,
                col: 0,
                message: "internal error while building the knowledge (a bug, please \
                              report it); the previous knowledge stays in service"
                    .to_string(),
            }],
        })
    })
}
