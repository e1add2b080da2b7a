//! The bot's own words are the admins' (`knowledge/messages.toml`): what `check` says about a
//! text with an unknown or missing `{placeholder}`, a stray brace, an unknown key or a missing
//! one, always at the text's file and line.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::process::Command;

use sciatica_bot::knowledge::{Diagnostic, Messages, Msg, Severity};
use sciatica_bot::review;
use support::*;

/// Set `[messages] key = text` in a fresh copy; the file and the line of `key`.
fn with_text(kb: &Kb, key: &str, text: &str) -> (String, usize) {
    let rel = kb.edit_messages(|m| {
        m.insert(key.into(), toml::Value::String(text.into()));
    });
    let line = line_of(&kb.read(&rel), &format!("{key} ="));
    (rel, line)
}

fn errors_of(kb: &Kb) -> Vec<Diagnostic> {
    match review::check_dir(&kb.dir()) {
        Ok(loaded) => panic!("loaded with {:?}", loaded.warnings),
        Err(f) => f
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
    }
}

#[test]
fn an_unknown_placeholder_is_an_error_at_its_line_naming_the_ones_it_can_use() {
    let kb = Kb::new();
    let (rel, line) = with_text(&kb, "too_long", "At most {maxx} characters.");
    let errors = errors_of(&kb);
    assert_eq!(errors.len(), 2, "{errors:?}");
    for d in &errors {
        assert_eq!(
            (d.file.to_string_lossy().as_ref(), d.line),
            (rel.as_str(), line)
        );
    }
    assert!(errors
        .iter()
        .any(|d| d.message == "[messages] too_long: unknown placeholder {maxx}; it can use {max}"));
    assert!(errors.iter().any(|d| d
        .message
        .starts_with("[messages] too_long is missing {max}")));
}

#[test]
fn a_missing_placeholder_is_an_error() {
    let kb = Kb::new();
    let (rel, line) = with_text(&kb, "cooldown", "Please wait a moment.");
    let d = only_error(&errors_of(&kb)).clone();
    assert_eq!((d.file.to_string_lossy().into_owned(), d.line), (rel, line));
    assert!(
        d.message
            .starts_with("[messages] cooldown is missing {seconds}"),
        "{d}"
    );
}

#[test]
fn a_placeholder_in_a_text_that_takes_none_is_an_error() {
    let kb = Kb::new();
    with_text(&kb, "no_match_title", "Nothing for {question}");
    let d = only_error(&errors_of(&kb)).clone();
    assert_eq!(
        d.message,
        "[messages] no_match_title: unknown placeholder {question}; it takes no placeholders"
    );
}

#[test]
fn a_stray_brace_is_an_error_and_double_braces_are_braces() {
    let kb = Kb::new();
    with_text(&kb, "help_title", "What I can {help with");
    let d = only_error(&errors_of(&kb)).clone();
    assert!(
        d.message.contains("a brace that is not a placeholder"),
        "{d}"
    );

    let kb = Kb::new();
    with_text(&kb, "help_title", "What I can help with {{really}}");
    let loaded = review::check_dir(&kb.dir()).expect("loads");
    let engine = sciatica_bot::Engine::new(loaded.knowledge);
    assert_eq!(
        engine.composer().help().title,
        "What I can help with {really}"
    );
}

#[test]
fn an_unknown_key_is_an_error_with_a_suggestion() {
    let kb = Kb::new();
    let (_, line) = with_text(&kb, "cooldwn", "x");
    let d = only_error(&errors_of(&kb)).clone();
    assert_eq!(d.line, line);
    assert!(d.message.contains("did you mean `cooldown`?"), "{d}");
}

#[test]
fn a_text_left_out_is_a_warning_and_the_built_in_english_is_used() {
    let kb = Kb::new();
    kb.edit_messages(|m| {
        m.remove("cooldown_title");
        m.remove("button_next");
    });
    let loaded = review::check_dir(&kb.dir()).expect("still loads");
    let w = loaded
        .warnings
        .iter()
        .find(|d| d.message.contains("cooldown_title"))
        .expect("a warning names the missing texts");
    assert!(w.message.contains("button_next"), "{w}");
    let engine = sciatica_bot::Engine::new(loaded.knowledge);
    assert_eq!(
        engine.composer().cooldown(3).title,
        Messages::bundled().get(Msg::cooldown_title)
    );
}

#[test]
fn check_prints_a_placeholder_error_as_file_line_col_and_fails() {
    let kb = Kb::new();
    let (rel, line) = with_text(&kb, "routine_step_title", "{routine}: step {n}");
    let out = Command::new(env!("CARGO_BIN_EXE_sciatica-bot"))
        .arg("check")
        .arg(kb.dir())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let place = format!("{}:{line}:", kb.dir().join(&rel).display());
    assert!(
        err.lines()
            .any(|l| l.starts_with(&place) && l.contains("routine_step_title is missing {total}")),
        "{err}"
    );
}

#[test]
fn slash_command_descriptions_come_from_the_messages_and_too_long_ones_are_a_warning() {
    let kb = Kb::new();
    let (_, line) = with_text(&kb, "command_help", &"x".repeat(120));
    let loaded = review::check_dir(&kb.dir()).expect("loads");
    let w = loaded
        .warnings
        .iter()
        .find(|d| d.message.contains("command_help"))
        .expect("a warning");
    assert_eq!(w.line, line);
    assert!(w.message.contains("at most 100"), "{w}");
}
