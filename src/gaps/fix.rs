//! One-click fixes from the gaps report: add a group's question as a phrasing of an entry,
//! add a new FAQ entry for it, or ignore it. The same for `/knowledge gaps` in Discord and
//! `sciatica-bot gaps --apply` in a terminal.
//!
//! A change is made the way an admin would make it by hand, and checked the same way:
//! 1. the file is edited in memory with `toml_edit` (comments, order and formatting kept);
//! 2. the whole folder is checked with the edited file in it, exactly like `check`; if it
//!    would not load, nothing is written and the errors come back (with `file:line`);
//! 3. the file is written (aside, then renamed into place) and the store reloads, so the
//!    next question is answered from it;
//! 4. when the folder is in a git work tree that was clean, the change is committed with the
//!    admin as author (never pushed); a tree with changes nobody committed, or a commit that
//!    fails, is reported and left alone.
//!
//! One change at a time in the process; the store's own lock serialises the reloads.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::knowledge::edit::{self, NewFaq};
use crate::knowledge::{self, Diagnostic, Msg, Origin, Severity};
use crate::store::{KnowledgeStore, ReloadOutcome};
use crate::text;

use super::GapGroup;

/// What to do with a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Add the group's question as a phrasing of this entry.
    Phrasing { entry: String },
    /// A new `[[faq]]` entry with the group's wordings as its phrasings.
    NewEntry {
        id: String,
        title: String,
        answer: String,
    },
    /// Hide the group (and questions like it) from later reports.
    Ignore,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        phrasing: String,
        entry: String,
        at: Origin,
    },
    Created {
        entry: String,
        at: Origin,
        phrasings: usize,
    },
    Ignored {
        example: String,
    },
}

/// Why nothing was changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The bot answers from the knowledge built into it.
    BuiltIn,
    /// `UNANSWERED_LOG` is not set.
    NoLog,
    /// No such group in the report (any more).
    Gone,
    NoSuchEntry(String),
    /// The edited folder would not load: its errors.
    Invalid(Vec<Diagnostic>),
    /// The file could not be read, edited or written.
    Io(String),
}

/// What happened in git.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commit {
    /// The folder is not in a git work tree (or git is not installed): nothing to do.
    NotARepository,
    Committed {
        commit: String,
        author: String,
    },
    /// The tree had changes nobody committed; this change was written but not committed.
    Dirty(Vec<String>),
    Failed(String),
}

/// A change made.
#[derive(Debug, Clone)]
pub struct Applied {
    pub change: Change,
    /// What `check` says about the change itself (warnings that were not there before).
    pub warnings: Vec<Diagnostic>,
    /// The reload after writing (`None` for an ignore, which changes no knowledge).
    pub reload: Option<ReloadOutcome>,
    pub commit: Commit,
}

/// One change at a time in this process (Discord clicks and the CLI alike).
static APPLYING: Mutex<()> = Mutex::new(());

/// The group named `name` in the report of the log at `log`: its key (as on the buttons), or
/// its number in the report as printed (1 is the most frequent).
pub fn find_group(
    log: &Path,
    engine: &crate::Engine,
    name: &str,
) -> std::io::Result<Option<GapGroup>> {
    let name = name.trim();
    if let Ok(n) = name.parse::<usize>() {
        if n >= 1 && name.len() < 6 {
            return Ok(super::report(log, engine, n)?.into_iter().nth(n - 1));
        }
    }
    Ok(super::report(log, engine, usize::MAX)?
        .into_iter()
        .find(|g| g.key == name))
}

/// Apply `fix` to the group `group` (a key or a number, see [`find_group`]) of the log at
/// `log`, as `admin` (their Discord name; `None` in a terminal, where git's own identity is
/// the author).
pub fn apply(
    store: &KnowledgeStore,
    log: Option<&Path>,
    group: &str,
    fix: Fix,
    admin: Option<&str>,
) -> Result<Applied, Refused> {
    let _one = APPLYING.lock().unwrap_or_else(|p| p.into_inner());
    let log = log.ok_or(Refused::NoLog)?;
    if fix != Fix::Ignore && store.source().folder().is_none() {
        return Err(Refused::BuiltIn);
    }
    let engine = store.engine();
    let group = find_group(log, &engine, group)
        .map_err(|e| Refused::Io(e.to_string()))?
        .ok_or(Refused::Gone)?;
    if fix == Fix::Ignore {
        super::ignore(log, &group).map_err(|e| Refused::Io(e.to_string()))?;
        return Ok(Applied {
            change: Change::Ignored {
                example: group.example,
            },
            warnings: Vec::new(),
            reload: None,
            commit: Commit::NotARepository,
        });
    }
    let dir = store
        .source()
        .folder()
        .ok_or(Refused::BuiltIn)?
        .to_path_buf();
    let (rel, new_text, locate) = match &fix {
        Fix::Phrasing { entry } => {
            let e = engine
                .knowledge()
                .entry(entry)
                .ok_or_else(|| Refused::NoSuchEntry(entry.clone()))?;
            let phrasing = phrasing_of(&group.example);
            let rel = e.origin.file.clone();
            let old = read(&dir.join(&rel))?;
            let new = edit::add_phrasing(&old, entry, &phrasing)
                .map_err(|e| Refused::Io(e.to_string()))?;
            (rel, new, Locate::Phrasing(entry.clone(), phrasing))
        }
        Fix::NewEntry { id, title, answer } => {
            let rel = new_entry_file(&group);
            let old = match std::fs::read_to_string(dir.join(&rel)) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => return Err(Refused::Io(format!("{}: {e}", rel.display()))),
            };
            let mut phrasings: Vec<String> = Vec::new();
            for p in std::iter::once(&group.example).chain(&group.variants) {
                let p = phrasing_of(p);
                if !p.is_empty() && !phrasings.iter().any(|q| text::fold(q) == text::fold(&p)) {
                    phrasings.push(p);
                }
            }
            let composer = engine.composer();
            let source = composer.say(
                Msg::gaps_new_entry_source,
                &[("admin", &admin.unwrap_or("sciatica-bot gaps"))],
            );
            let faq = NewFaq {
                id: id.trim().to_string(),
                title: title.trim().to_string(),
                phrasings,
                answer: answer.trim().to_string(),
                source,
                reviewed: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            };
            let new = edit::append_faq(&old, &faq).map_err(|e| Refused::Io(e.to_string()))?;
            (rel, new, Locate::Entry(faq.id.clone(), faq.phrasings.len()))
        }
        Fix::Ignore => unreachable!("handled above"),
    };

    // Check the folder as it would be, like `check`; refuse on any error.
    let changed = [(rel.clone(), new_text.clone())];
    let loaded = crate::review::check_dir_with(&dir, &changed).map_err(|failure| {
        Refused::Invalid(
            failure
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        )
    })?;
    let change = locate.find(&loaded.knowledge).ok_or(Refused::Gone)?;
    let before: Vec<(PathBuf, String)> = store
        .status()
        .warnings
        .iter()
        .map(|d| (d.file.clone(), d.message.clone()))
        .collect();
    let warnings: Vec<Diagnostic> = loaded
        .warnings
        .into_iter()
        .filter(|d| !before.contains(&(d.file.clone(), d.message.clone())))
        .collect();

    let repo = in_work_tree(&dir);
    let dirty = if repo { dirty_files(&dir) } else { Vec::new() };
    write(&dir.join(&rel), &new_text)?;
    let reload = store.reload();
    let commit = match (repo, dirty.is_empty()) {
        (false, _) => Commit::NotARepository,
        (true, false) => Commit::Dirty(dirty),
        (true, true) => {
            let message = store.engine().composer().change(&change);
            commit(&dir, &rel, admin, &message)
        }
    };
    Ok(Applied {
        change,
        warnings,
        reload: Some(reload),
        commit,
    })
}

/// Where the change will be found once loaded.
enum Locate {
    Phrasing(String, String),
    Entry(String, usize),
}

impl Locate {
    fn find(&self, k: &knowledge::Knowledge) -> Option<Change> {
        match self {
            Locate::Phrasing(id, phrasing) => {
                let e = k.entry(id)?;
                let i = e.phrasings.iter().rposition(|p| p == phrasing)?;
                Some(Change::Added {
                    phrasing: phrasing.clone(),
                    entry: id.clone(),
                    at: e
                        .phrasing_at
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| e.origin.clone()),
                })
            }
            Locate::Entry(id, phrasings) => {
                let e = k.entry(id)?;
                Some(Change::Created {
                    entry: id.clone(),
                    at: e.origin.clone(),
                    phrasings: *phrasings,
                })
            }
        }
    }
}

/// A question as a phrasing: trimmed, lower case, without the closing question mark.
pub fn phrasing_of(question: &str) -> String {
    question
        .trim()
        .trim_end_matches(['?', '!', '.', ' '])
        .trim()
        .to_lowercase()
}

/// Where a new entry for `group` goes: beside the closest FAQ (same topic), else
/// `faq/added.toml`.
fn new_entry_file(group: &GapGroup) -> PathBuf {
    group
        .candidates
        .iter()
        .find(|c| c.kind == knowledge::EntryKind::Faq)
        .map(|c| c.origin.file.clone())
        .unwrap_or_else(|| PathBuf::from("faq").join("added.toml"))
}

fn read(path: &Path) -> Result<String, Refused> {
    std::fs::read_to_string(path).map_err(|e| Refused::Io(format!("{}: {e}", path.display())))
}

/// Write `text` to `path` whole: aside (a hidden name the loader skips), then renamed into
/// place with the old file's permissions, so a reader never sees half a file.
fn write(path: &Path, text: &str) -> Result<(), Refused> {
    let fail = |e: std::io::Error| Refused::Io(format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| match std::fs::metadata(path) {
            Ok(m) => std::fs::set_permissions(&tmp, m.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(fail)
}

fn git(dir: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
}

/// Whether `dir` is inside a git work tree (false when git is not installed).
fn in_work_tree(dir: &Path) -> bool {
    git(dir, &["rev-parse", "--is-inside-work-tree"])
        .is_ok_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == "true")
}

/// Files under `dir` that differ from the last commit (or are new), at most five named.
fn dirty_files(dir: &Path) -> Vec<String> {
    match git(dir, &["status", "--porcelain", "--", "."]) {
        Ok(o) if o.status.success() => {
            let lines: Vec<String> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| l.get(3..).unwrap_or(l).trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            let mut shown: Vec<String> = lines.iter().take(5).cloned().collect();
            if lines.len() > 5 {
                shown.push(format!("+{}", lines.len() - 5));
            }
            shown
        }
        Ok(o) => vec![String::from_utf8_lossy(&o.stderr).trim().to_string()],
        Err(e) => vec![e.to_string()],
    }
}

/// A Discord name as a git author: no angle brackets or line breaks, never empty.
fn author_name(admin: &str) -> String {
    let clean: String = admin
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r') && !c.is_control())
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "admin".to_string()
    } else {
        clean.to_string()
    }
}

/// Commit `rel` (only it) in the work tree of `dir`. The admin is the author (by name, with
/// no address: the bot knows none) and the bot the committer; in a terminal (`admin` is
/// `None`) git's own identity is both.
fn commit(dir: &Path, rel: &Path, admin: Option<&str>, message: &str) -> Commit {
    let rel_str = rel.to_string_lossy().into_owned();
    let failed = |o: &std::process::Output| {
        let err = String::from_utf8_lossy(&o.stderr);
        let out = String::from_utf8_lossy(&o.stdout);
        let why = err
            .lines()
            .chain(out.lines())
            .find(|l| !l.trim().is_empty());
        Commit::Failed(why.unwrap_or("git commit failed").trim().to_string())
    };
    match git(dir, &["add", "--", &rel_str]) {
        Ok(o) if o.status.success() => {}
        Ok(o) => return failed(&o),
        Err(e) => return Commit::Failed(e.to_string()),
    }
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(dir)
        .args(["commit", "-q", "-m", message])
        .env("GIT_TERMINAL_PROMPT", "0");
    let author = admin.map(author_name);
    if let Some(name) = &author {
        cmd.arg(format!("--author={name} <>"))
            .env("GIT_COMMITTER_NAME", "sciatica-bot")
            .env("GIT_COMMITTER_EMAIL", "sciatica-bot@localhost");
    }
    cmd.args(["--", &rel_str]);
    match cmd.output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => return failed(&o),
        Err(e) => return Commit::Failed(e.to_string()),
    }
    let hash = git(dir, &["rev-parse", "--short", "HEAD"])
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let author = author.unwrap_or_else(|| {
        git(dir, &["log", "-1", "--format=%an"])
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    });
    Commit::Committed {
        commit: hash,
        author,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_becomes_a_lower_case_phrasing_without_its_question_mark() {
        assert_eq!(
            phrasing_of("  Can I use a Hot Water Bottle?? "),
            "can i use a hot water bottle"
        );
    }

    #[test]
    fn an_author_name_cannot_forge_an_address() {
        assert_eq!(author_name("Alice <a@b>\n"), "Alice a@b");
        assert_eq!(author_name("<>"), "admin");
    }
}
