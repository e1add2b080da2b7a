//! Live reload: watch the knowledge folder and reload the store when its files change.
//!
//! Editors save in bursts (write a temp file, rename it over the old one, touch metadata), so
//! events are debounced and then gathered for a short quiet period before one reload reads the
//! whole folder. Only the folder itself is watched, never its parent: whatever else lives
//! beside it (a log file written all the time, other projects) costs nothing. An admin who
//! renames, deletes or replaces the folder (a `git checkout`, a deploy that swaps a symlink)
//! is noticed through the folder's own events and a once-a-second check of which folder is at
//! the path; the bot keeps answering from the last good knowledge meanwhile, and the watch
//! moves to the new folder as soon as it appears.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::{self, RecursiveMode, Watcher};
use notify_debouncer_full::{
    file_id::{self, FileId},
    new_debouncer, DebounceEventResult, Debouncer, FileIdMap,
};

use super::{KnowledgeStore, ReloadOutcome};

/// How long a path must be quiet before its events are delivered.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// After a batch, further batches within this window join the same reload (a `git checkout`
/// touching many files at slightly different times).
const GATHER: Duration = Duration::from_millis(100);
/// Gathering stops after this long even if batches keep coming, so a folder that never falls
/// quiet (a file in it written all the time) cannot hold an edit back indefinitely.
const MAX_GATHER: Duration = Duration::from_secs(1);
/// How often the watcher checks which folder is at the path (one `stat`): a folder replaced
/// without an event in the old one (a symlink swapped) is picked up this late at most.
const IDENTITY_CHECK: Duration = Duration::from_secs(1);

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch the knowledge folder {path}: {source}")]
    Notify {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("cannot resolve the knowledge folder {0}")]
    BadPath(PathBuf),
    #[error("the built-in knowledge never changes; there is nothing to watch")]
    BuiltIn,
    #[error("cannot start the watcher thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Keeps the watch alive; dropping it stops watching (and waits for a reload in progress).
pub struct WatchHandle {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            // Dropped from inside the callback: the thread ends on its own after returning.
            if t.thread().id() != std::thread::current().id() {
                let _ = t.join();
            }
        }
    }
}

enum Msg {
    Fs(DebounceEventResult),
    Stop,
}

impl KnowledgeStore {
    /// Reload whenever the folder's knowledge changes; `on_reload` is told every outcome (on
    /// the watcher's thread: keep it quick, e.g. send it to a channel). Changes that leave the
    /// files byte-for-byte the same do not reload.
    pub fn watch(
        self: &Arc<Self>,
        on_reload: impl Fn(&ReloadOutcome) + Send + Sync + 'static,
    ) -> Result<WatchHandle, WatchError> {
        let folder = self.source.folder().ok_or(WatchError::BuiltIn)?;
        let dir =
            std::path::absolute(folder).map_err(|_| WatchError::BadPath(folder.to_path_buf()))?;
        let (tx, rx) = mpsc::channel();
        let fs_tx = tx.clone();
        let debouncer = new_debouncer(DEBOUNCE, None, move |r: DebounceEventResult| {
            let _ = fs_tx.send(Msg::Fs(r));
        })
        .map_err(|source| WatchError::Notify {
            path: dir.clone(),
            source,
        })?;
        let mut w = Worker {
            store: Arc::downgrade(self),
            dir,
            debouncer,
            armed: None,
        };
        w.arm().map_err(|source| WatchError::Notify {
            path: w.dir.clone(),
            source,
        })?;
        let thread = std::thread::Builder::new()
            .name("knowledge-watch".into())
            .spawn(move || w.run(&rx, &on_reload))?;
        Ok(WatchHandle {
            tx,
            thread: Some(thread),
        })
    }
}

struct Worker {
    store: Weak<KnowledgeStore>,
    /// Absolute path of the knowledge folder, as events name it.
    dir: PathBuf,
    debouncer: Debouncer<notify::RecommendedWatcher, FileIdMap>,
    /// Identity of the folder the recursive watch is on, if any.
    armed: Option<FileId>,
}

impl Worker {
    fn run(mut self, rx: &Receiver<Msg>, on_reload: &dyn Fn(&ReloadOutcome)) {
        loop {
            let relevant = match rx.recv_timeout(IDENTITY_CHECK) {
                Ok(Msg::Fs(first)) => {
                    let mut relevant = self.is_relevant(&first);
                    // Gather the rest of the burst into this one reload.
                    let until = Instant::now() + MAX_GATHER;
                    loop {
                        let wait = GATHER.min(until.saturating_duration_since(Instant::now()));
                        if wait.is_zero() {
                            break;
                        }
                        match rx.recv_timeout(wait) {
                            Ok(Msg::Fs(more)) => relevant |= self.is_relevant(&more),
                            Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                            Err(RecvTimeoutError::Timeout) => break,
                        }
                    }
                    relevant
                }
                Ok(Msg::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                // No event: is the folder at the path still the one watched?
                Err(RecvTimeoutError::Timeout) => self.moved(),
            };
            if !relevant {
                continue;
            }
            // Re-arm before reading, so a change made after this point raises a new event.
            if let Err(e) = self.arm() {
                tracing::warn!(error = %e, "could not watch the knowledge folder again");
            }
            let Some(store) = self.store.upgrade() else {
                return;
            };
            if let Some(outcome) = store.reload_if_changed() {
                tracing::debug!("{}", outcome.summary());
                on_reload(&outcome);
            }
        }
    }

    /// The folder at the path is not the one watched: gone, back, or replaced.
    fn moved(&self) -> bool {
        file_id::get_file_id(&self.dir).ok() != self.armed
    }

    /// Does this batch touch the knowledge folder? Events for hidden files are ignored, as
    /// the loader ignores them;
    /// errors (a queue overflow) count as relevant, since a change may have been lost.
    fn is_relevant(&self, batch: &DebounceEventResult) -> bool {
        match batch {
            Err(_) => true,
            Ok(events) => events
                .iter()
                .flat_map(|e| e.paths.iter())
                .any(|p| self.touches_knowledge(p)),
        }
    }

    /// Any visible path in the folder may matter: a `.toml` file, or a sub-folder (whatever
    /// its name) moved in or out with files inside. Editor leftovers (`x.toml~`, `4913`) cost
    /// only a fingerprint, which shows they changed nothing.
    fn touches_knowledge(&self, path: &Path) -> bool {
        path.strip_prefix(&self.dir).is_ok_and(|rel| {
            !rel.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
    }

    /// Put the recursive watch on the folder now at `dir`, if it is not already on it.
    fn arm(&mut self) -> notify::Result<()> {
        let now = file_id::get_file_id(&self.dir).ok();
        if now == self.armed {
            return Ok(());
        }
        if self.armed.take().is_some() {
            // The old folder was deleted or moved away; its watch may already be gone.
            let _ = self.debouncer.watcher().unwatch(&self.dir);
            self.debouncer.cache().remove_root(&self.dir);
        }
        if now.is_some() {
            self.debouncer
                .watcher()
                .watch(&self.dir, RecursiveMode::Recursive)?;
            self.debouncer
                .cache()
                .add_root(&self.dir, RecursiveMode::Recursive);
            self.armed = now;
        }
        Ok(())
    }
}
