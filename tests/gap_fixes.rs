//! One-click gap fixes from a terminal (`sciatica-bot gaps --apply GROUP --to ENTRY`,
//! `--ignore GROUP`), and the edit they make: one place in one file, everything else as the
//! admin wrote it. The Discord side is in `discord_e2e.rs`.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use sciatica_bot::knowledge::edit;
use sciatica_bot::review;
use support::*;

const BIN: &str = env!("CARGO_BIN_EXE_sciatica-bot");

#[test]
fn a_phrasing_added_to_any_entry_changes_its_file_in_one_place_only() {
    let k = review::load_dir(Path::new(BUNDLED))
        .expect("loads")
        .knowledge;
    for e in &k.entries {
        let text = std::fs::read_to_string(Path::new(BUNDLED).join(&e.origin.file)).unwrap();
        let out = edit::add_phrasing(&text, &e.id, "a brand new wording").expect("edits");
        let added = inserted(&text, &out);
        assert!(
            added.contains("\"a brand new wording\""),
            "{}: {added:?}",
            e.id
        );
        assert!(added.matches('\n').count() <= 1, "{}: {added:?}", e.id);
        let doc: toml::Value = toml::from_str(&out).expect("still TOML");
        let found = ["faq", "muscle", "technique"]
            .iter()
            .filter_map(|kind| doc.get(kind).and_then(toml::Value::as_array))
            .flatten()
            .find(|t| t["id"].as_str() == Some(e.id.as_str()))
            .expect("the entry");
        let phrasings: Vec<&str> = found["phrasings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(toml::Value::as_str)
            .collect();
        let mut expected: Vec<&str> = e.phrasings.iter().map(String::as_str).collect();
        expected.push("a brand new wording");
        assert_eq!(phrasings, expected, "{}", e.id);
    }
}

fn json_str(s: &str) -> serde_json::Value {
    serde_json::Value::from(s)
}

fn record(question: &str) -> String {
    format!(
        "{{\"time\":\"2026-11-20T10:00:00Z\",\"question\":\"{question}\",\"best_guess\":null,\"confidence\":0.1,\"kind\":\"no_match\"}}\n"
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn gaps(kb: &Kb, log: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("--knowledge")
        .arg(kb.dir())
        .arg("gaps")
        .args(args)
        .env("UNANSWERED_LOG", log)
        .env_remove("DISCORD_TOKEN")
        .env("GIT_AUTHOR_NAME", "terminal admin")
        .env("GIT_AUTHOR_EMAIL", "admin@example.org")
        .env("GIT_COMMITTER_NAME", "terminal admin")
        .env("GIT_COMMITTER_EMAIL", "admin@example.org")
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn repository(kb: &Kb) {
    let dir = kb.dir();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(
        &dir,
        &[
            "-c",
            "user.name=s",
            "-c",
            "user.email=s@x",
            "commit",
            "-q",
            "-m",
            "start",
        ],
    );
}

/// A question the knowledge in use does not answer, and the closest entry to add it to.
fn gap(kb: &Kb) -> (&'static str, String) {
    let engine = sciatica_bot::Engine::load(&kb.dir()).expect("loads").0;
    [
        "what about my back and the weekend",
        "tell me something about my leg",
        "tell me something about my leg and the weekend",
        "what about my hip and the weekend",
    ]
    .into_iter()
    .find_map(|q| {
        let r = engine.answer(q);
        let first = r.suggestions.first()?;
        (r.kind == sciatica_bot::ReplyKind::NoMatch).then(|| (q, first.id.clone()))
    })
    .expect("precondition: one candidate is a no-match with suggestions")
}

#[test]
fn apply_adds_the_phrasing_checks_it_and_commits_in_a_clean_repository() {
    let kb = Kb::new();
    let (question, entry) = gap(&kb);
    repository(&kb);
    let log = kb.tmp.path().join("gaps.jsonl");
    std::fs::write(&log, record(question).repeat(3)).unwrap();
    let (ok, report) = gaps(&kb, &log, &[]);
    assert!(ok && report.contains(question), "{report}");

    let entry_file = {
        let k = review::load_dir(&kb.dir()).unwrap().knowledge;
        k.entry(&entry).expect("entry").origin.file.clone()
    };
    let before = std::fs::read_to_string(kb.dir().join(&entry_file)).unwrap();
    let (ok, out) = gaps(&kb, &log, &["--apply", "1", "--to", &entry]);
    assert!(ok, "{out}");
    let after = std::fs::read_to_string(kb.dir().join(&entry_file)).unwrap();
    assert!(inserted(&before, &after).contains(&format!("\"{question}\"")));
    assert!(out.contains(&format!("{}:", entry_file.display())), "{out}");
    assert_eq!(
        git(&kb.dir(), &["log", "-1", "--format=%an"]),
        "terminal admin"
    );
    assert_eq!(git(&kb.dir(), &["status", "--porcelain"]), "");

    // The question is answered now, and the report says so.
    let answer = Command::new(BIN)
        .args(["--knowledge"])
        .arg(kb.dir())
        .args(["ask", "--json", question])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&answer.stdout).unwrap();
    assert_eq!(v["entry_id"], json_str(&entry));
}

#[test]
fn a_dirty_tree_is_written_but_not_committed_and_says_why() {
    let kb = Kb::new();
    let (question, entry) = gap(&kb);
    repository(&kb);
    kb.set_probe("version two"); // someone's uncommitted edit
    let log = kb.tmp.path().join("gaps.jsonl");
    std::fs::write(&log, record(question)).unwrap();
    let head = git(&kb.dir(), &["rev-parse", "HEAD"]);
    let (ok, out) = gaps(&kb, &log, &["--apply", "1", "--to", &entry]);
    assert!(ok, "{out}");
    assert!(
        out.contains(PROBE_FILE),
        "names the uncommitted file: {out}"
    );
    assert_eq!(
        git(&kb.dir(), &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
}

#[test]
fn a_change_that_breaks_validation_is_refused_and_nothing_is_written() {
    let kb = Kb::new();
    let (_, entry) = gap(&kb);
    let k = review::load_dir(&kb.dir()).unwrap().knowledge;
    // A wording another entry already claims cannot be added to this one.
    let other = k.entries.iter().find(|e| e.id != entry).unwrap();
    let claimed = other.phrasings[0].clone();
    let log = kb.tmp.path().join("gaps.jsonl");
    std::fs::write(&log, record(&claimed)).unwrap();
    let before =
        std::fs::read_to_string(kb.dir().join(&k.entry(&entry).unwrap().origin.file)).unwrap();
    let (ok, out) = gaps(&kb, &log, &["--apply", "1", "--to", &entry]);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("`{}`", other.id)),
        "names the entry that has it: {out}"
    );
    let after =
        std::fs::read_to_string(kb.dir().join(&k.entry(&entry).unwrap().origin.file)).unwrap();
    assert_eq!(before, after);
}

#[test]
fn ignore_hides_a_group_and_the_questions_like_it_and_the_built_in_knowledge_cannot_be_edited() {
    let kb = Kb::new();
    let (question, entry) = gap(&kb);
    let log = kb.tmp.path().join("gaps.jsonl");
    std::fs::write(&log, record("which guitar strings sound warmest").repeat(2)).unwrap();
    let (ok, out) = gaps(&kb, &log, &["--ignore", "1"]);
    assert!(ok, "{out}");
    let ignored = std::fs::read_to_string(log.with_extension("jsonl.ignored")).unwrap();
    assert!(
        !ignored.contains("guitar strings"),
        "key words, not the question: {ignored}"
    );
    // A later wording like it stays hidden.
    let mut more = std::fs::read_to_string(&log).unwrap();
    more.push_str(&record("which guitar string sounds warmest?"));
    std::fs::write(&log, more).unwrap();
    let (_, report) = gaps(&kb, &log, &[]);
    assert!(!report.contains("guitar"), "{report}");

    std::fs::write(&log, record(question)).unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(elsewhere.path())
        .args(["gaps", "--apply", "1", "--to", &entry])
        .env_remove("KNOWLEDGE_DIR")
        .env("UNANSWERED_LOG", &log)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("KNOWLEDGE_DIR"), "{text}");
}

#[test]
fn a_commit_that_fails_is_reported_and_the_change_stays_written() {
    let kb = Kb::new();
    let (question, entry) = gap(&kb);
    repository(&kb);
    let hook = kb.dir().join(".git/hooks/pre-commit");
    std::fs::write(&hook, "#!/bin/sh\necho 'hook says no' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let log = kb.tmp.path().join("gaps.jsonl");
    std::fs::write(&log, record(question)).unwrap();
    let head = git(&kb.dir(), &["rev-parse", "HEAD"]);
    let (ok, out) = gaps(&kb, &log, &["--apply", "1", "--to", &entry]);
    assert!(ok, "the change itself was made: {out}");
    assert!(out.contains("hook says no"), "says why git refused: {out}");
    assert_eq!(
        git(&kb.dir(), &["rev-parse", "HEAD"]),
        head,
        "nothing forced"
    );
    let k = review::load_dir(&kb.dir()).unwrap().knowledge;
    assert!(k
        .entry(&entry)
        .unwrap()
        .phrasings
        .iter()
        .any(|p| p == question));
}
