//! The live knowledge: the engine in service, swapped atomically on reload.
//!
//! Readers call [`KnowledgeStore::engine`] and get an `Arc<Engine>` without taking a lock; a
//! reload builds a complete new engine off to the side and swaps it in only if the whole
//! folder is valid. A bad edit never replaces good knowledge.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::engine::Engine;
use crate::knowledge::{Diagnostic, EntryKind, LoadFailure};

/// What `/knowledge status` shows.
#[derive(Debug, Clone)]
pub struct StoreStatus {
    pub dir: PathBuf,
    pub loaded_at: SystemTime,
    pub faqs: usize,
    pub muscles: usize,
    pub techniques: usize,
    pub routines: usize,
    pub red_flags: usize,
    pub warnings: Vec<Diagnostic>,
    /// The last failed reload, if the latest attempt failed.
    pub last_error: Option<(SystemTime, Vec<Diagnostic>)>,
}

/// The result of one reload attempt.
#[derive(Debug, Clone)]
pub enum ReloadOutcome {
    Reloaded { warnings: Vec<Diagnostic> },
    Rejected(LoadFailure),
}

pub struct KnowledgeStore {
    dir: PathBuf,
    current: ArcSwap<Engine>,
    meta: Mutex<Meta>,
}

struct Meta {
    warnings: Vec<Diagnostic>,
    last_error: Option<(SystemTime, Vec<Diagnostic>)>,
}

impl KnowledgeStore {
    /// Load the folder; fails if it is not valid (the bot does not start on bad knowledge).
    pub fn open(dir: &Path) -> Result<Self, LoadFailure> {
        let (engine, loaded) = Engine::load(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            current: ArcSwap::from_pointee(engine),
            meta: Mutex::new(Meta {
                warnings: loaded.warnings,
                last_error: None,
            }),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The engine in service now. Cheap; never blocks on a reload.
    pub fn engine(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    /// Load the folder again; swap it in only if valid.
    pub fn reload(&self) -> ReloadOutcome {
        let result = Engine::load(&self.dir);
        let mut meta = self.meta.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok((engine, loaded)) => {
                self.current.store(Arc::new(engine));
                meta.warnings = loaded.warnings.clone();
                meta.last_error = None;
                ReloadOutcome::Reloaded {
                    warnings: loaded.warnings,
                }
            }
            Err(failure) => {
                meta.last_error = Some((SystemTime::now(), failure.diagnostics.clone()));
                ReloadOutcome::Rejected(failure)
            }
        }
    }

    pub fn status(&self) -> StoreStatus {
        let engine = self.engine();
        let k = engine.knowledge();
        let meta = self.meta.lock().unwrap_or_else(|p| p.into_inner());
        StoreStatus {
            dir: self.dir.clone(),
            loaded_at: engine.loaded_at(),
            faqs: k.count(EntryKind::Faq),
            muscles: k.count(EntryKind::Muscle),
            techniques: k.count(EntryKind::Technique),
            routines: k.routines.len(),
            red_flags: k.safety.red_flags.len(),
            warnings: meta.warnings.clone(),
            last_error: meta.last_error.clone(),
        }
    }
}
