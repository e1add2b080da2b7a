//! The unanswered-question log and its report: what is recorded (and what never is), the size
//! cap, and a report an admin can act on.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use sciatica_bot::gaps::{self, GapLog, GapRecord};
use sciatica_bot::Engine;
use support::BUNDLED;

fn engine() -> Engine {
    Engine::load(Path::new(BUNDLED))
        .expect("the bundled knowledge loads")
        .0
}

fn log_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Messages that must escalate, some mixed with a self-care question.
const SAFETY_MESSAGES: &[&str] = &[
    "I can't pee and my saddle area is numb, where should I massage?",
    "I want to kill myself",
    "both my legs went weak and I lost bladder control, foam roller ok?",
    "numbness between my legs and I can't control my bowels",
];

#[test]
fn red_flag_and_crisis_messages_are_never_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone());
    let engine = engine();
    for q in SAFETY_MESSAGES {
        let reply = engine.answer(q);
        assert!(
            reply.kind.is_safety(),
            "{q:?} must escalate, got {:?}",
            reply.kind
        );
        log.record(&engine, q, &reply);
    }
    assert!(log_lines(&path).is_empty(), "{:?}", log_lines(&path));
}

#[test]
fn an_unanswered_question_is_written_with_time_text_guess_and_confidence_only() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone());
    let engine = engine();
    let q = "<@123456789012345678> in <#234567890123456789>: what is the best pizza topping";
    let reply = engine.answer(q);
    assert_eq!(reply.kind, sciatica_bot::ReplyKind::NoMatch);
    log.record(&engine, q, &reply);
    let lines = log_lines(&path);
    assert_eq!(lines.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&lines[0]).expect("a JSON line");
    let mut keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["best_guess", "confidence", "kind", "question", "time"]
    );
    assert_eq!(
        v["question"],
        "@someone in #channel: what is the best pizza topping"
    );
    assert_eq!(v["kind"], "no_match");
    assert!(v["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(
        !lines[0].contains("123456789012345678") && !lines[0].contains("234567890123456789"),
        "no ids: {}",
        lines[0]
    );
}

#[test]
fn answered_blank_and_overlong_questions_are_not_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone());
    let engine = engine();
    let answered = "where should I massage for sciatica?";
    let reply = engine.answer(answered);
    assert_eq!(reply.kind, sciatica_bot::ReplyKind::Answer);
    if reply.confidence >= sciatica_bot::matcher::ANSWER_THRESHOLD + gaps::LOW_CONFIDENCE_MARGIN {
        log.record(&engine, answered, &reply);
    }
    for q in ["", "   ", "🙂🙂", &"pizza ".repeat(3000)] {
        log.record(&engine, q, &engine.answer(q));
    }
    assert!(log_lines(&path).is_empty(), "{:?}", log_lines(&path));
}

#[test]
fn the_log_stays_under_its_size_cap_and_keeps_the_newest_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone()).with_max_bytes(4096);
    let engine = engine();
    for i in 0..300 {
        let q = format!("what is the best pizza topping number {i}");
        log.record(&engine, &q, &engine.answer(&q));
        let size = std::fs::metadata(&path).expect("log exists").len();
        assert!(size <= 4096, "{size} bytes after {i} records");
    }
    let lines = log_lines(&path);
    assert!(lines.len() > 5);
    for l in &lines {
        serde_json::from_str::<GapRecord>(l).expect("only whole records remain");
    }
    let last: GapRecord = serde_json::from_str(lines.last().expect("a line")).expect("record");
    assert_eq!(last.question, "what is the best pizza topping number 299");
}

#[test]
fn records_from_many_threads_are_whole_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = Arc::new(GapLog::new(path.clone()));
    let engine = Arc::new(engine());
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (log, engine) = (Arc::clone(&log), Arc::clone(&engine));
            std::thread::spawn(move || {
                for i in 0..25 {
                    let q = format!("pizza topping question {t} {i}");
                    log.record(&engine, &q, &engine.answer(&q));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no panic");
    }
    let lines = log_lines(&path);
    assert_eq!(lines.len(), 200);
    for l in &lines {
        serde_json::from_str::<GapRecord>(l).expect("a whole record per line");
    }
}

#[test]
fn a_log_that_cannot_be_written_is_ignored_without_a_panic() {
    let tmp = tempfile::tempdir().expect("tmp");
    // A directory where the file should be: every write fails.
    let log = GapLog::new(tmp.path().to_path_buf());
    let engine = engine();
    let q = "what is the best pizza topping";
    log.record(&engine, q, &engine.answer(q));
}

fn record(time: &str, question: &str) -> String {
    serde_json::to_string(&GapRecord {
        time: time.to_string(),
        question: question.to_string(),
        best_guess: None,
        confidence: 0.1,
        kind: "no_match".to_string(),
    })
    .expect("serialise")
}

#[test]
fn the_report_groups_near_duplicates_most_frequent_first() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let mut lines = Vec::new();
    for i in 0..4 {
        lines.push(record(
            &format!("2026-11-0{}T10:00:00Z", i + 1),
            "what is the best pizza topping",
        ));
    }
    lines.push(record("2026-11-09T10:00:00Z", "best pizza toppings?"));
    lines.push(record(
        "2026-11-08T10:00:00Z",
        "What is the best piza topping",
    ));
    for _ in 0..2 {
        lines.push(record(
            "2026-11-05T10:00:00Z",
            "which guitar strings sound warmest",
        ));
    }
    lines.push("not json at all".to_string());
    lines.push(String::new());
    // Written before the safety rules learnt this phrase: the report leaves it out.
    lines.push(record(
        "2026-11-06T10:00:00Z",
        "I can't pee and my saddle area is numb",
    ));
    std::fs::write(&path, lines.join("\n")).expect("write log");

    let groups = gaps::report(&path, &engine(), 10).expect("report");
    assert_eq!(groups.len(), 2, "{groups:#?}");
    assert_eq!(groups[0].count, 6);
    assert_eq!(groups[0].example, "what is the best pizza topping");
    assert_eq!(groups[0].last_asked, "2026-11-09T10:00:00Z");
    assert_eq!(groups[0].variants.len(), 2);
    assert_eq!(groups[1].count, 2);
    assert_eq!(groups[1].example, "which guitar strings sound warmest");

    let text = engine().composer().gaps_report(&groups).body;
    assert!(
        text.contains("1. \"what is the best pizza topping\": asked 6 times, last on 2026-11-09"),
        "{text}"
    );
    assert!(!text.contains("saddle"), "{text}");
    let limited = gaps::report(&path, &engine(), 1).expect("report");
    assert_eq!(limited.len(), 1);
}

#[test]
fn the_report_says_where_to_add_a_phrasing_for_a_close_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let engine = engine();
    // Any entry's title, reworded a little, is close to that entry.
    let entry = &engine.knowledge().entries[0];
    let question = format!("{} please", entry.title);
    std::fs::write(&path, record("2026-11-09T10:00:00Z", &question)).expect("write");
    let groups = gaps::report(&path, &engine, 5).expect("report");
    let g = &groups[0];
    let text = engine.composer().gaps_report(&groups).body;
    if let Some(id) = &g.now_answered_by {
        assert!(text.contains(&format!("Now answered by `{id}`")), "{text}");
    } else {
        let c = g.closest.as_ref().expect("a closest entry");
        let place = format!("{}:{}", c.origin.file.display(), c.origin.line);
        assert!(
            text.contains(&format!(
                "add \"{question}\" to the phrasings of `{}` in {place}",
                c.id
            )),
            "{text}"
        );
    }
}

#[test]
fn a_missing_log_is_an_empty_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let groups = gaps::report(&tmp.path().join("none.jsonl"), &engine(), 10).expect("report");
    assert!(groups.is_empty());
    assert_eq!(
        engine().composer().gaps_report(&groups).body,
        "No unanswered questions recorded yet."
    );
}

fn bot(log: Option<&Path>, args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sciatica-bot"));
    cmd.args(["--knowledge", BUNDLED]).args(args);
    cmd.env_remove("UNANSWERED_LOG");
    if let Some(p) = log {
        cmd.env("UNANSWERED_LOG", p);
    }
    let out = cmd.output().expect("run sciatica-bot");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_cli_records_gaps_but_not_red_flags_and_reports_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    for q in SAFETY_MESSAGES {
        bot(Some(&path), &["ask", q]);
    }
    assert!(log_lines(&path).is_empty());
    for _ in 0..2 {
        bot(Some(&path), &["ask", "which guitar strings sound warmest"]);
    }
    assert_eq!(log_lines(&path).len(), 2);
    let (ok, out) = bot(Some(&path), &["gaps"]);
    assert!(ok);
    assert!(
        out.contains("\"which guitar strings sound warmest\": asked 2 times"),
        "{out}"
    );

    let (ok, out) = bot(None, &["gaps"]);
    assert!(!ok);
    assert!(out.starts_with("UNANSWERED_LOG is not set"), "{out}");
}

#[test]
fn a_message_with_safety_vocabulary_is_never_written_even_when_negated() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone());
    let engine = engine();
    // The screen's reading of negated crisis words changes with its rules (a safer reading
    // escalates them), so the wordings it clears are counted rather than assumed.
    let mut cleared = 0;
    for q in [
        "I don't want to kill myself but what pizza is best for sciatica",
        "no bladder or bowel problems, is pizza ok for my back",
        "I'm not suicidal, just wondering about pizza ovens",
        "no fever and no numbness, which pizza is best for sciatica",
    ] {
        let reply = engine.answer(q);
        if !reply.kind.is_safety() {
            cleared += 1;
        }
        assert!(
            engine.safety().mentions_safety_terms(q),
            "the screen sees the vocabulary in {q:?}"
        );
        log.record(&engine, q, &reply);
    }
    assert!(
        cleared >= 2,
        "precondition: negated safety words that are not escalated"
    );
    assert!(log_lines(&path).is_empty(), "{:?}", log_lines(&path));

    // Everyday sciatica words that are only part of a red-flag combo are not safety talk.
    let q = "does a massage gun help with tingling";
    assert!(!engine.safety().mentions_safety_terms(q));
}

#[test]
fn emails_phone_numbers_number_groups_and_addresses_are_scrubbed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let log = GapLog::new(path.clone());
    let engine = engine();
    let q = "pizza delivery to 221b Baker Street SW1A 1AA, call 07700 900123 or mail \
             jo.bloggs@example.com, card 4111 1111 1111 1111";
    log.record(&engine, q, &engine.answer(q));
    let lines = log_lines(&path);
    assert_eq!(lines.len(), 1);
    let r: GapRecord = serde_json::from_str(&lines[0]).expect("a record");
    assert_eq!(
        r.question,
        "pizza delivery to [address] [postcode] call [number] or mail [email] card [number]"
    );
}

#[cfg(unix)]
#[test]
fn an_existing_log_readable_by_others_is_made_private_on_the_next_write() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    std::fs::write(&path, "").expect("create");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let log = GapLog::new(path.clone());
    let engine = engine();
    let q = "best pizza toppings?";
    log.record(&engine, q, &engine.answer(q));
    assert_eq!(log_lines(&path).len(), 1);
    let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");
}

#[test]
fn a_log_written_before_scrubbing_is_reported_without_personal_details_or_safety_talk() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("gaps.jsonl");
    let lines = [
        record(
            "2026-11-08T10:00:00Z",
            "pizza for my back, call me on 07700 900123",
        ),
        record(
            "2026-11-08T11:00:00Z",
            "I don't want to kill myself but which pizza",
        ),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").expect("write");
    let groups = gaps::report(&path, &engine(), 10).expect("report");
    let text = engine().composer().gaps_report(&groups).body;
    assert!(!text.contains("07700") && !text.contains("kill"), "{text}");
    assert!(text.contains("[number]"), "{text}");
}
