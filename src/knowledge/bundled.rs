//! The knowledge folder built into the binary: what every command answers from when no
//! folder is given, and what `sciatica-bot knowledge init DIR` writes out for admins to start
//! from. Embedded at compile time (include_dir), so an installed or copied binary depends on
//! nothing on the machine that built it.

use std::io;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir, DirEntry};

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/knowledge");

/// How the built-in knowledge is named in messages and diagnostics.
pub const NAME: &str = "<built-in knowledge>";

/// Every visible file of the bundled folder (its README too), relative path and bytes,
/// sorted by path.
fn all_files() -> Vec<(&'static Path, &'static [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![&BUNDLED];
    while let Some(dir) = stack.pop() {
        for entry in dir.entries() {
            let hidden = entry
                .path()
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if hidden {
                continue;
            }
            match entry {
                DirEntry::Dir(d) => stack.push(d),
                DirEntry::File(f) => out.push((f.path(), f.contents())),
            }
        }
    }
    out.sort_by_key(|(p, _)| *p);
    out
}

/// The knowledge files (`*.toml`), relative path and text, as a folder load would read them.
pub fn files() -> Vec<(PathBuf, String)> {
    all_files()
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "toml"))
        .map(|(p, bytes)| (p.to_path_buf(), String::from_utf8_lossy(bytes).into_owned()))
        .collect()
}

/// The text of one built-in file, by its path inside the folder.
pub fn file_text(rel: &Path) -> Option<&'static str> {
    BUNDLED.get_file(rel).and_then(|f| f.contents_utf8())
}

/// A cheap fingerprint: the built-in knowledge never changes while the binary runs.
pub fn fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (p, bytes) in all_files() {
        p.hash(&mut h);
        bytes.hash(&mut h);
    }
    h.finish()
}

/// Why `knowledge init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "{0} already exists; knowledge init never overwrites a file (pick an empty or new folder)"
    )]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Write the built-in folder out into `dir` (created if missing) as a starting point for
/// admins. Refuses, before writing anything, if any file it would write already exists.
/// Returns the files written, relative to `dir`.
pub fn write_to(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let files = all_files();
    if let Some((p, _)) = files.iter().find(|(p, _)| dir.join(p).exists()) {
        return Err(InitError::Exists(dir.join(p)));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| InitError::Io { path, source }
    };
    let mut written = Vec::new();
    for (rel, bytes) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // create_new: a file that appeared since the check above is still never overwritten.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => InitError::Exists(path.clone()),
                _ => InitError::Io {
                    path: path.clone(),
                    source: e,
                },
            })?;
        io::Write::write_all(&mut f, bytes).map_err(io(&path))?;
        written.push(rel.to_path_buf());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_knowledge_loads_and_has_the_same_files_as_the_source_folder() {
        let loaded = super::super::read_texts(&files(), &super::super::model_only)
            .expect("the built-in knowledge is valid");
        assert!(!loaded.knowledge.entries.is_empty());
        let names: Vec<PathBuf> = files().into_iter().map(|(p, _)| p).collect();
        assert!(names.contains(&PathBuf::from("messages.toml")));
        assert!(names.iter().any(|p| p.starts_with("faq")));
    }

    #[test]
    fn init_writes_a_folder_that_loads_and_never_overwrites() {
        let tmp = tempfile::tempdir().expect("tmp");
        let dir = tmp.path().join("kb");
        let written = write_to(&dir).expect("init");
        assert!(written.contains(&PathBuf::from("README.md")));
        super::super::read_dir(&dir, &[], &super::super::model_only)
            .expect("the written folder loads");
        std::fs::write(dir.join("messages.toml"), "edited").expect("edit");
        assert!(matches!(write_to(&dir), Err(InitError::Exists(_))));
        assert_eq!(
            std::fs::read_to_string(dir.join("messages.toml")).expect("read"),
            "edited"
        );
    }
}
