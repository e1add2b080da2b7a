//! Broken knowledge: every scenario an admin can get wrong is reported at the exact file and
//! line, and a reload that finds it keeps the previous knowledge answering.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;

use sciatica_bot::knowledge::{self, Diagnostic, Severity};
use sciatica_bot::review;
use sciatica_bot::store::{KnowledgeStore, ReloadOutcome};
use support::*;

/// Open a store on a fresh valid copy, switch the probe to "version two" (so an accepted
/// reload would show), break the folder with `break_it`, reload, and check the reload was
/// rejected and version one still answers. Returns the problems the reload reported.
fn rejected_reload(break_it: impl FnOnce(&Kb)) -> (Kb, Vec<Diagnostic>) {
    let kb = Kb::new();
    let store = KnowledgeStore::open(&kb.dir()).expect("the bundled knowledge loads");
    assert_eq!(
        probe_version(&store.engine().answer(PROBE_QUESTION)),
        Some("version one")
    );
    kb.set_probe("version two");
    break_it(&kb);
    let diags = match store.reload() {
        ReloadOutcome::Rejected(f) => f.diagnostics,
        ReloadOutcome::Reloaded { .. } => panic!("a broken folder was accepted"),
    };
    assert_eq!(
        probe_version(&store.engine().answer(PROBE_QUESTION)),
        Some("version one"),
        "the previous knowledge must keep answering"
    );
    let status = store.status();
    let (_, last) = status.last_error.expect("status keeps the failure");
    assert_eq!(
        last, diags,
        "status shows the problems of the failed reload"
    );
    (kb, diags)
}

fn at(d: &Diagnostic, file: &str, line: usize) {
    assert_eq!(
        (d.file.as_path(), d.line),
        (Path::new(file), line),
        "reported at the wrong place: {d}"
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_line_and_column() {
    let mut line = 0;
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[muscle]]");
        line = kb.append(&file, "[[faq]\nid = \"x\"\n");
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(d.col, 6);
    assert!(d.message.starts_with("invalid TOML"), "{d}");
}

#[test]
fn a_missing_key_points_at_the_entry_that_lacks_it() {
    let mut line = 0;
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[faq]]");
        let entry = faq("no-answer-yet", "a question without an answer");
        let entry = entry.replace("answer = \"A test answer.\"\n", "");
        line = kb.append(&file, &entry);
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(
        d.message,
        "the [[faq]] entry `no-answer-yet` is missing the required key `answer`"
    );
}

#[test]
fn a_value_of_the_wrong_type_says_what_was_expected() {
    let mut line = 0;
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[technique]]");
        let entry = faq("typed-title", "a question with a numeric title");
        let entry = entry.replace("title = \"Test entry typed-title\"", "title = 42");
        line = kb.append(&file, &entry) + 2;
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(d.col, 9);
    assert_eq!(
        d.message,
        "`title` should be text in quotes, but it is integer `42`"
    );
}

#[test]
fn a_misspelt_key_is_reported_with_a_suggestion() {
    let mut line = 0;
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[faq]]");
        let entry = faq("typo-key", "a question with a typo in a key");
        let entry = entry.replace("source = ", "sorce = ");
        line = kb.append(&file, &entry) + 5;
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert!(
        d.message.starts_with(
            "unknown key `sorce` in the [[faq]] entry `typo-key` (did you mean `source`?)"
        ),
        "{d}"
    );
}

#[test]
fn a_duplicate_id_names_where_it_is_first_used() {
    let mut line = 0;
    let mut file = String::new();
    let (kb, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[faq]]");
        line = kb.append(&file, &faq(PROBE_ID, "another way to ask about lanterns"));
    });
    // Files load in path order, so the probe's own entry is the second use.
    let d = only_error(&diags);
    at(d, PROBE_FILE, line_of(&kb.read(PROBE_FILE), "[[faq]]"));
    assert_eq!(
        d.message,
        format!("duplicate id `{PROBE_ID}`; it is already used at {file}:{line}:1")
    );
}

#[test]
fn two_entries_claiming_one_phrasing_are_both_named() {
    let mut line = 0;
    let mut file = String::new();
    let (kb, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[muscle]]");
        // Same words, different case and punctuation: still the same phrasing.
        line = kb.append(
            &file,
            &faq("lantern-copy", "What colour is the reload-probe lantern?"),
        ) + 3;
    });
    // Files load in path order, so the probe's phrasing is the second claim.
    let d = only_error(&diags);
    at(d, PROBE_FILE, line_of(&kb.read(PROBE_FILE), PROBE_QUESTION));
    assert!(
        d.message.contains(&format!(
            "of `{PROBE_ID}` is also claimed by `lantern-copy` at {file}:{line}:"
        )),
        "{d}"
    );
}

#[test]
fn a_routine_step_naming_an_unknown_muscle_points_at_the_step() {
    let mut line = 0;
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[routine]]");
        let start = kb.append(
            &file,
            "[[routine]]\nid = \"test-routine\"\ntitle = \"Test routine\"\nsummary = \"A test.\"\n\
             source = \"test\"\nreviewed = \"2026-01-01\"\n\n[[routine.step]]\n\
             instruction = \"Press gently.\"\nuses = \"piriformiss\"\nseconds = 30\n\
             stop_cue = \"Stop if pain spreads.\"\n",
        );
        line = start + 9;
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(
        d.message,
        "routine `test-routine` step 1 uses `piriformiss`, which is not a muscle or technique id \
         (did you mean `piriformis`?)"
    );
}

#[test]
fn an_empty_answer_is_an_error_at_its_entry() {
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        let text = probe_toml("x").replace(
            "answer = \"The probe lantern answers x.\"",
            "answer = \"  \"",
        );
        kb.write(PROBE_FILE, &text);
        line = line_of(&text, "[[faq]]");
    });
    let d = only_error(&diags);
    at(d, PROBE_FILE, line);
    assert_eq!(d.message, format!("`{PROBE_ID}`: answer is empty"));
}

#[test]
fn an_answer_too_long_for_discord_is_an_error_at_its_entry() {
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        let long = "Press gently and breathe. ".repeat(200);
        let text = probe_toml(&long);
        kb.write(PROBE_FILE, &text);
        line = line_of(&text, "[[faq]]");
    });
    let d = only_error(&diags);
    at(d, PROBE_FILE, line);
    assert!(
        d.message.starts_with(&format!(
            "`{PROBE_ID}`: answer is too long for one Discord message"
        )),
        "{d}"
    );
}

#[test]
fn a_missing_disclaimer_is_an_error_at_the_messages_table() {
    let mut file = String::new();
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        file = kb.edit_messages(|m| {
            m.remove("disclaimer");
        });
        line = line_of(&kb.read(&file), "[messages]");
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert!(d.message.contains("no `disclaimer`"), "{d}");
}

#[test]
fn an_empty_disclaimer_is_an_error_at_the_disclaimer() {
    let mut file = String::new();
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        kb.set_disclaimer("   ");
        file = kb.file_with("[messages]");
        line = line_of(&kb.read(&file), "disclaimer =");
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(
        d.message,
        "[messages] disclaimer is empty; every reply must carry it"
    );
}

#[test]
fn a_file_that_is_not_utf8_is_reported_at_the_first_bad_byte() {
    let mut file = String::new();
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[faq]]");
        let mut bytes = kb.read(&file).into_bytes();
        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        bytes.extend_from_slice(b"# caf\xe9 latin-1\n");
        kb.write(&file, bytes);
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert_eq!(d.col, 6);
    assert!(d.message.contains("not valid UTF-8"), "{d}");
}

#[test]
fn a_truncated_file_is_reported_where_it_stops() {
    let mut file = String::new();
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        // Cut the file in the middle of its second answer, as a save caught half-way would.
        file = kb.file_with("[[faq]]");
        let text = kb.read(&file);
        let cut = text
            .match_indices("answer = ")
            .nth(1)
            .map(|(i, _)| i + "answer = ".len() + 8)
            .expect("two answers");
        kb.write(&file, &text[..cut]);
        line = text[..cut].lines().count();
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert!(d.message.contains("was it saved completely?"), "{d}");
}

#[test]
fn an_emptied_file_is_an_error_not_a_silent_loss_of_its_entries() {
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[muscle]]");
        kb.write(&file, "");
    });
    let d = only_error(&diags);
    at(d, &file, 0);
    assert!(d.message.starts_with("file is empty"), "{d}");
}

#[test]
fn a_huge_file_is_refused_as_a_whole() {
    let (_, diags) = rejected_reload(|kb| {
        let line = "# padding padding padding padding padding padding padding padding\n";
        let big = line.repeat((knowledge::MAX_FILE_BYTES as usize / line.len()) + 10);
        kb.write("faq/huge.toml", big);
    });
    let d = only_error(&diags);
    at(d, "faq/huge.toml", 0);
    assert!(d.message.contains("knowledge files must be at most"), "{d}");
}

#[test]
fn an_empty_folder_is_refused() {
    let (_, diags) = rejected_reload(|kb| {
        std::fs::remove_dir_all(kb.dir()).expect("remove");
        std::fs::create_dir(kb.dir()).expect("recreate empty");
    });
    let d = only_error(&diags);
    at(d, "", 0);
    assert_eq!(d.message, "the knowledge folder has no .toml files");
}

#[test]
fn a_deleted_folder_is_refused() {
    let (_, diags) = rejected_reload(|kb| {
        std::fs::remove_dir_all(kb.dir()).expect("remove");
    });
    let d = only_error(&diags);
    at(d, "", 0);
    assert_eq!(d.message, "cannot open the knowledge folder: not found");
}

#[test]
fn a_bad_urgency_lists_the_allowed_values() {
    let mut file = String::new();
    let mut line = 0;
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[red_flag]]");
        let text = kb.read(&file);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start().starts_with("urgency"))
            .expect("an urgency line");
        lines[i] = "urgency = \"whenever\"".to_string();
        line = i + 1;
        kb.write(&file, lines.join("\n") + "\n");
    });
    let d = only_error(&diags);
    at(d, &file, line);
    assert!(
        d.message.starts_with(
            "`urgency` = \"whenever\" is not allowed; use one of: emergency, urgent, soon"
        ),
        "{d}"
    );
}

#[test]
fn problems_in_several_files_and_entries_are_all_reported_at_once() {
    let (mut a, mut b, mut c) = (0, 0, 0);
    let mut file = String::new();
    let (_, diags) = rejected_reload(|kb| {
        file = kb.file_with("[[muscle]]");
        let one = faq("first-bad", "first broken question").replace("title = ", "titel = ");
        let two = faq("second-bad", "second broken question").replace("reviewed = ", "# ");
        a = kb.append(&file, &one) + 2;
        b = kb.append(&file, &two);
        let three = probe_toml("x").replace("phrasings = [", "phrasings = 3 # [");
        kb.write(PROBE_FILE, &three);
        c = line_of(&three, "phrasings");
    });
    let errs = errors(&diags);
    assert_eq!(errs.len(), 3, "{diags:#?}");
    at(errs[0], &file, a);
    at(errs[1], &file, b);
    at(errs[2], PROBE_FILE, c);
}

#[test]
fn editor_temp_files_and_hidden_files_are_ignored() {
    let kb = Kb::new();
    let store = KnowledgeStore::open(&kb.dir()).expect("loads");
    kb.set_probe("version two");
    kb.write(".zz_probe.toml.swp", b"\x00\x01 not toml");
    kb.write("zz_probe.toml~", "[[faq]\nbroken");
    kb.write("faq/#notes.toml#", "[[faq]\nbroken");
    kb.write("faq/.#notes.toml", "[[faq]\nbroken");
    kb.write("4913", "");
    let outcome = store.reload();
    assert!(outcome.is_ok(), "{}", outcome.summary());
    assert_eq!(
        probe_version(&store.engine().answer(PROBE_QUESTION)),
        Some("version two")
    );
}

#[test]
fn a_folder_named_like_a_toml_file_is_a_warning_and_its_files_still_load() {
    let kb = Kb::new();
    let store = KnowledgeStore::open(&kb.dir()).expect("loads");
    std::fs::remove_file(kb.path(PROBE_FILE)).expect("move the probe");
    kb.write("odd.toml/probe.toml", probe_toml("version three"));
    let ReloadOutcome::Reloaded { warnings, .. } = store.reload() else {
        panic!("a folder named *.toml should not stop a reload");
    };
    assert!(
        warnings
            .iter()
            .any(|w| w.file == Path::new("odd.toml") && w.message.contains("is a folder")),
        "{warnings:#?}"
    );
    assert_eq!(
        probe_version(&store.engine().answer(PROBE_QUESTION)),
        Some("version three")
    );
}

#[test]
fn review_dates_in_the_future_or_long_past_are_warnings() {
    let kb = Kb::new();
    let store = KnowledgeStore::open(&kb.dir()).expect("loads");
    let file = kb.file_with("[[muscle]]");
    let old = kb.append(
        &file,
        &faq("old-review", "an entry reviewed long ago").replace(
            &format!("reviewed = \"{}\"", chrono::Utc::now().format("%Y-%m-%d")),
            "reviewed = \"2019-03-01\"",
        ),
    );
    let ReloadOutcome::Reloaded { warnings, .. } = store.reload() else {
        panic!("dates are warnings, not errors");
    };
    let w = warnings
        .iter()
        .find(|w| w.message.contains("old-review"))
        .expect("a warning about the old date");
    at(w, &file, old);
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.message.contains("more than two years ago"), "{w}");

    let text = probe_toml("x").replace(
        &format!("reviewed = \"{}\"", chrono::Utc::now().format("%Y-%m-%d")),
        "reviewed = \"2999-01-01\"",
    );
    kb.write(PROBE_FILE, &text);
    let ReloadOutcome::Reloaded { warnings, .. } = store.reload() else {
        panic!("dates are warnings, not errors");
    };
    let w = warnings
        .iter()
        .find(|w| w.message.contains("in the future"))
        .expect("a warning about the future date");
    at(w, PROBE_FILE, line_of(&text, "[[faq]]"));
}

#[test]
fn the_bundled_knowledge_has_no_errors() {
    if let Err(f) = review::load_dir(Path::new(BUNDLED)) {
        panic!(
            "{}",
            f.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn check(dir: &Path) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sciatica-bot"))
        .arg("check")
        .arg(dir)
        .env_remove("KNOWLEDGE_DIR")
        .output()
        .expect("run sciatica-bot check");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_passes_on_the_bundled_knowledge() {
    let (ok, stdout, stderr) = check(Path::new(BUNDLED));
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(!stderr.contains(": error:"), "{stderr}");
}

#[test]
fn check_prints_every_error_as_a_path_an_editor_can_open_errors_before_warnings() {
    let kb = Kb::new();
    let file = kb.file_with("[[muscle]]");
    let line = kb.append(
        &file,
        &faq("no-title", "a question without a title").replace("title = ", "# "),
    );
    kb.write("faq/empty.toml", "");
    let (ok, _, stderr) = check(&kb.dir());
    assert!(!ok, "check must fail on errors");
    let dir = kb.dir();
    let lines: Vec<&str> = stderr.lines().collect();
    let expected_first = format!(
        "{}: error: file is empty",
        dir.join("faq/empty.toml").display()
    );
    let expected_second = format!(
        "{}:{line}:1: error: the [[faq]] entry `no-title` is missing the required key `title`",
        dir.join(&file).display()
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&expected_first)),
        "{stderr}"
    );
    assert!(lines.iter().any(|l| *l == expected_second), "{stderr}");
    let last_error = lines.iter().rposition(|l| l.contains(": error: "));
    let first_warning = lines.iter().position(|l| l.contains(": warning: "));
    if let (Some(e), Some(w)) = (last_error, first_warning) {
        assert!(e < w, "errors come before warnings:\n{stderr}");
    }
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("failed: 2 error(s)")),
        "{stderr}"
    );
}

#[test]
fn check_on_a_missing_folder_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().expect("tmp");
    let missing = tmp.path().join("nope");
    let (ok, _, stderr) = check(&missing);
    assert!(!ok);
    assert!(
        stderr.starts_with(&format!(
            "{}: error: cannot open the knowledge folder: not found",
            missing.display()
        )),
        "{stderr}"
    );
}

#[test]
fn every_toml_example_in_the_admin_guide_parses() {
    let guide = std::fs::read_to_string(Path::new(BUNDLED).join("README.md")).expect("guide");
    let blocks: Vec<&str> = guide
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(blocks.len() >= 9, "one example per file kind");
    for block in blocks {
        if let Err(e) = toml::from_str::<knowledge::schema::FileDoc>(block) {
            panic!("this example in knowledge/README.md does not parse:\n{block}\n{e}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_device_named_like_a_knowledge_file_is_refused_without_reading_it() {
    let (_, diags) = rejected_reload(|kb| {
        // Reading /dev/zero never ends; a load must not try.
        std::os::unix::fs::symlink("/dev/zero", kb.path("faq/zero.toml")).expect("symlink");
    });
    let d = only_error(&diags);
    at(d, "faq/zero.toml", 0);
    assert!(d.message.contains("not a regular file"), "{d}");
}

#[test]
fn check_says_when_knowledge_is_too_big_for_the_phrasing_review() {
    // The built-in knowledge plus 60 generated entries of 90 phrasings each: 5,400 more.
    let mut parts = knowledge::bundled::files();
    let mut extra = String::new();
    let word = |n: usize| -> String {
        let mut s = String::new();
        let mut n = n;
        for _ in 0..3 {
            s.push(char::from(b'a' + (n % 26) as u8));
            n /= 26;
        }
        s
    };
    for e in 0..60 {
        extra.push_str(&format!(
            "[[faq]]\nid = \"gen-{e}\"\ntitle = \"Generated {e}\"\nanswer = \"Generated answer.\"\n\
             source = \"test\"\nreviewed = \"2025-01-01\"\nphrasings = [\n"
        ));
        for p in 0..90 {
            extra.push_str(&format!("  \"zq{} question {}\",\n", word(e), word(p)));
        }
        extra.push_str("]\n\n");
    }
    parts.push(("faq/generated.toml".into(), extra));
    let loaded = review::load_texts(&parts).expect("the generated knowledge loads");
    let k = &loaded.knowledge;
    let warnings = review::phrasings(
        k,
        &sciatica_bot::matcher::Matcher::build(k),
        &sciatica_bot::safety::SafetyScreen::new(&k.safety),
        loaded.warnings.clone(),
    );
    assert!(
        warnings
            .iter()
            .any(|d| d.severity == Severity::Warning && d.message.contains("was skipped")),
        "{warnings:?}"
    );
}
