//! "Was this helpful?": how members rated answers, counted per knowledge entry.
//!
//! Only counts are kept: an entry id, how many said "helpful", how many said "not what I
//! asked". Never who pressed, never a user, guild, channel or message id, never the question
//! (a "not what I asked" question goes to the gaps log, scrubbed, when that log is on; see
//! [`crate::gaps::GapLog::record_wrong_answer`]). With `FEEDBACK_FILE` set, the counts are
//! kept in that file (JSON, mode 0600, rewritten whole and renamed into place on every
//! rating); without it they last until the bot stops.

use std::collections::BTreeMap;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// At most this many entries are counted (ids come from the knowledge, but a button id can be
/// forged, so the map is bounded whatever arrives).
const MAX_ENTRIES: usize = 10_000;

/// One entry's ratings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub helpful: u64,
    pub not_helpful: u64,
}

/// The ratings of every entry, in memory and (with a path) on disk.
#[derive(Debug)]
pub struct Ratings {
    path: Option<PathBuf>,
    counts: Mutex<BTreeMap<String, Count>>,
}

impl Ratings {
    /// Ratings that last until the process ends.
    pub fn in_memory() -> Self {
        Self {
            path: None,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Ratings kept in the file at `path`; what it holds already is read (an unreadable or
    /// malformed file is logged and counting starts again from nothing, without losing the
    /// file until the next rating replaces it).
    pub fn open(path: PathBuf) -> Self {
        let counts = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|_| {
                tracing::warn!(
                    file = %path.display(),
                    "FEEDBACK_FILE is not a ratings file; counting starts again"
                );
                BTreeMap::new()
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                tracing::warn!(file = %path.display(), error = %e, "cannot read FEEDBACK_FILE");
                BTreeMap::new()
            }
        };
        Self {
            path: Some(path),
            counts: Mutex::new(counts),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Count one rating of `entry`. A write error is logged, never fatal.
    pub fn rate(&self, entry: &str, helpful: bool) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if !counts.contains_key(entry) && counts.len() >= MAX_ENTRIES {
            return;
        }
        let c = counts.entry(entry.to_string()).or_default();
        if helpful {
            c.helpful += 1;
        } else {
            c.not_helpful += 1;
        }
        if let Some(path) = &self.path {
            if let Err(e) = save(path, &counts) {
                tracing::warn!(file = %path.display(), error = %e, "cannot write FEEDBACK_FILE");
            }
        }
    }

    /// Every rated entry: id, helpful, not what they asked; most rated first.
    pub fn ratings(&self) -> Vec<(String, u64, u64)> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<(String, u64, u64)> = counts
            .iter()
            .map(|(id, c)| (id.clone(), c.helpful, c.not_helpful))
            .collect();
        out.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0)));
        out
    }

    pub fn count(&self, entry: &str) -> Count {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(entry).copied().unwrap_or_default()
    }
}

/// Write the counts aside and rename them into place, readable by the owner only.
fn save(path: &Path, counts: &BTreeMap<String, Count>) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(counts)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let written = private_file(&tmp)
        .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

fn private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_counted_per_entry_most_rated_first() {
        let r = Ratings::in_memory();
        r.rate("a", true);
        r.rate("b", false);
        r.rate("b", true);
        r.rate("b", false);
        assert_eq!(r.ratings(), vec![("b".into(), 1, 2), ("a".into(), 1, 0)]);
        assert_eq!(
            r.count("b"),
            Count {
                helpful: 1,
                not_helpful: 2
            }
        );
    }

    #[test]
    fn a_file_keeps_the_counts_and_nothing_else() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("ratings.json");
        let r = Ratings::open(path.clone());
        r.rate("ice-or-heat", true);
        r.rate("ice-or-heat", false);
        let again = Ratings::open(path.clone());
        assert_eq!(again.ratings(), vec![("ice-or-heat".into(), 1, 1)]);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ice-or-heat": {"helpful": 1, "not_helpful": 1}})
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_map_is_bounded() {
        let r = Ratings::in_memory();
        for i in 0..MAX_ENTRIES + 10 {
            r.rate(&format!("e{i}"), true);
        }
        assert_eq!(r.ratings().len(), MAX_ENTRIES);
    }
}
