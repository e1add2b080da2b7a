//! The terminal front end as a user (or the scorer) drives it: the real binary, real stdin.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_sciatica-bot");

fn knowledge() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// Run the binary in an empty temp folder (so no stray `.env` or `./knowledge` is read),
/// on the bundled knowledge unless `args` say otherwise.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let cwd = tempfile::tempdir().expect("temp dir");
    let mut cmd = Command::new(BIN);
    cmd.current_dir(cwd.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("UNANSWERED_LOG")
        .env("KNOWLEDGE_DIR", knowledge())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sciatica-bot");
    // Written from another thread while the output is read: a big batch would otherwise fill
    // both pipes and stall.
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(bytes) = input {
            pipe.write_all(&bytes).expect("write stdin");
        }
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("stdin written");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the binary panicked: {stderr}"
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect()
}

fn ask_json(question: &str) -> Value {
    let out = run(&["ask", "--json", question], None);
    assert!(out.status.success(), "ask --json failed: {out:?}");
    let mut lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "one JSON object per question");
    lines.remove(0)
}

/// The contract every `ask --json` object honours, whatever its kind.
fn assert_contract(v: &Value) {
    let kind = v["kind"].as_str().expect("kind is a string");
    assert!(
        ["answer", "red_flag", "crisis", "no_match"].contains(&kind),
        "kind {kind} is one of the four contract kinds"
    );
    assert!(v["entry_id"].is_string() || v["entry_id"].is_null());
    assert!(v["title"].is_string());
    let c = v["confidence"].as_f64().expect("confidence is a number");
    assert!((0.0..=1.0).contains(&c), "confidence {c} in 0..1");
    assert!(v["suggestions"].is_array());
    for s in v["suggestions"].as_array().unwrap() {
        assert!(s["id"].is_string() && s["title"].is_string());
    }
    let disclaimer = v["disclaimer"].as_str().expect("disclaimer is a string");
    assert!(
        !disclaimer.trim().is_empty(),
        "the disclaimer is never empty"
    );
    let text = v["text"].as_str().expect("text is a string");
    assert!(
        text.contains(disclaimer),
        "the reply text carries the disclaimer"
    );
    if kind == "red_flag" {
        let u = v["urgency"].as_str().expect("red flags carry an urgency");
        assert!(["emergency", "urgent", "soon"].contains(&u));
    } else {
        assert!(
            v.get("urgency").is_none(),
            "only red flags carry an urgency"
        );
    }
}

#[test]
fn ask_prints_an_answer_with_the_disclaimer() {
    let q = "where should I massage for sciatica?";
    let v = ask_json(q);
    // An answer (a no-match also carries the disclaimer and echoes "massage" back).
    assert_eq!(v["kind"], "answer", "{v}");
    let title = v["title"].as_str().unwrap_or_default();
    assert!(title.to_lowercase().contains("massage"), "{v}");
    // Not a terminal: the plain command prints that same reply, as is, disclaimer last.
    let out = run(&["ask", q], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert_eq!(
        text,
        format!("{}\n", v["text"].as_str().unwrap_or_default())
    );
    assert!(text.starts_with(title), "{text}");
    let disclaimer = v["disclaimer"].as_str().unwrap_or_default();
    assert!(
        !disclaimer.is_empty() && text.trim_end().ends_with(disclaimer.trim()),
        "{text}"
    );
}

#[test]
fn ask_json_answers_a_self_care_question() {
    let v = ask_json("what is sciatica?");
    assert_contract(&v);
    assert_eq!(v["kind"], "answer");
    assert!(v["entry_id"].is_string());
}

#[test]
fn ask_json_escalates_a_red_flag_with_an_urgency() {
    let v = ask_json("I can't control my bladder since my back went");
    assert_contract(&v);
    assert_eq!(v["kind"], "red_flag");
    assert_eq!(v["urgency"], "emergency");
}

#[test]
fn ask_json_gives_helplines_for_crisis_language() {
    let v = ask_json("I want to kill myself");
    assert_contract(&v);
    assert_eq!(v["kind"], "crisis");
    let text = v["text"].as_str().unwrap();
    assert!(text.contains("988") && text.contains("116 123"));
}

#[test]
fn ask_json_says_no_match_to_an_unrelated_question() {
    let v = ask_json("what will the weather be like tomorrow in Leeds");
    assert_contract(&v);
    assert_eq!(v["kind"], "no_match");
    assert!(v["entry_id"].is_null());
}

#[test]
fn ask_json_reads_one_question_per_line_and_answers_in_order() {
    let input = "what is sciatica\nI want to kill myself\nhow do i cook pasta\n";
    let out = run(&["ask", "--json"], Some(input.as_bytes()));
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3);
    lines.iter().for_each(assert_contract);
    assert_eq!(lines[0]["kind"], "answer");
    assert_eq!(lines[1]["kind"], "crisis");
    assert_eq!(lines[2]["kind"], "no_match");
}

#[test]
fn invalid_utf8_on_stdin_is_answered_not_fatal() {
    let mut input = b"what is sciatica\n".to_vec();
    input.extend_from_slice(b"\xff\xfe\xfd i cant pee\n");
    input.extend_from_slice(b"hello\n");
    let out = run(&["ask", "--json"], Some(&input));
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(
        lines.len(),
        3,
        "one object per input line, bad bytes included"
    );
    lines.iter().for_each(assert_contract);
    assert_eq!(
        lines[1]["kind"], "red_flag",
        "the readable part is still screened"
    );
}

#[test]
fn empty_whitespace_and_emoji_only_questions_get_a_clear_reply() {
    for q in ["", "   \t  ", "😭😭🙏", "?!?!"] {
        let v = ask_json(q);
        assert_contract(&v);
        assert_eq!(v["kind"], "no_match", "question {q:?}");
        assert!(v["suggestions"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_hundred_thousand_character_question_is_answered() {
    let long = "my back hurts and ".repeat(100_000 / 18 + 1);
    let v = ask_json(&long);
    assert_contract(&v);
    assert_eq!(v["kind"], "no_match");
}

#[test]
fn a_red_flag_at_the_end_of_a_huge_message_is_still_found() {
    let mut long = "where should I massage my glutes? ".repeat(3000);
    long.push_str("also I can't feel anything when I wipe");
    let v = ask_json(&long);
    assert_contract(&v);
    assert_eq!(v["kind"], "red_flag");
}

#[test]
fn chat_answers_until_quit() {
    let out = run(&["chat"], Some(b"what is sciatica\n/quit\n"));
    assert!(out.status.success());
    let text = stdout(&out);
    let disclaimer = ask_json("what is sciatica")["disclaimer"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.matches(&disclaimer).count() >= 2,
        "help and the answer both carry it"
    );
}

#[test]
fn chat_hears_no_after_a_crisis_reply_and_gives_the_helplines_again() {
    let out = run(&["chat"], Some(b"I want to kill myself\nno\nidk\n/quit\n"));
    assert!(out.status.success());
    let text = stdout(&out);
    let engine = sciatica_bot::Engine::load(&knowledge())
        .expect("knowledge")
        .0;
    use sciatica_bot::knowledge::Msg;
    let m = &engine.knowledge().messages;
    let no_match_title = engine.answer("no").title;
    assert!(
        !text.contains(&no_match_title),
        "\"no\" after a crisis reply is never a no-match: {text}"
    );
    assert_eq!(
        text.matches(m.get(Msg::crisis_follow_up_title)).count(),
        2,
        "\"no\" and \"idk\" both get the follow-up: {text}"
    );
    assert!(text.contains(m.get(Msg::crisis_not_safe)), "{text}");
    assert!(text.contains(m.get(Msg::crisis_unsure)), "{text}");
    // The crisis reply and both follow-ups name the helplines.
    assert!(text.matches("116 123").count() >= 3, "{text}");
}

#[test]
fn routine_lists_and_prints_routines_with_the_disclaimer() {
    let disclaimer = ask_json("what is sciatica")["disclaimer"]
        .as_str()
        .unwrap()
        .to_string();
    let out = run(&["routine"], None);
    assert!(out.status.success());
    let list = stdout(&out);
    assert!(list.contains(&disclaimer));
    let out = run(&["export"], None);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first_routine = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "routine")
        .expect("the bundled knowledge has routines");
    let id = first_routine["id"].as_str().unwrap();
    let out = run(&["routine", id], None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Step 1 of") && text.contains(&disclaimer));
}

#[test]
fn an_unknown_routine_is_a_clear_error_with_the_disclaimer() {
    let out = run(&["routine", "no-such-routine"], None);
    assert!(!out.status.success());
    let text = stdout(&out);
    assert!(text.contains("no-such-routine"));
    assert!(text.contains("not medical advice"));
}

#[test]
fn check_passes_on_the_bundled_knowledge() {
    let out = run(&["check"], None);
    assert!(
        out.status.success(),
        "bundled knowledge must be valid: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).starts_with("ok:"));
}

#[test]
fn check_reports_a_broken_file_as_file_line_col_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&knowledge(), dir.path());
    std::fs::write(
        dir.path().join("faq/zz-broken.toml"),
        "[[faq]]\nid = \"broken\"\ntitle = \"Broken\"\nphrasings = [\"x\"\n",
    )
    .unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("faq/zz-broken.toml:4:") || err.contains("faq/zz-broken.toml:5:"),
        "points at the file and line: {err}"
    );
}

#[test]
fn a_missing_knowledge_folder_is_a_clear_error() {
    let out = run(
        &["--knowledge", "/no/such/folder", "ask", "what is sciatica"],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/no/such/folder") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn export_lists_every_entry_with_its_file_and_line() {
    let out = run(&["export"], None);
    assert!(out.status.success());
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = all.as_array().unwrap();
    assert!(all.len() >= 40);
    for e in all {
        assert!(e["id"].is_string() && e["kind"].is_string() && e["title"].is_string());
        assert!(e["phrasings"].is_array() && e["answer"].is_string());
        assert!(e["file"].as_str().is_some_and(|f| f.ends_with(".toml")));
        assert!(e["line"].as_u64().is_some_and(|l| l >= 1));
    }
}

#[test]
fn serve_without_a_token_names_the_variable_and_the_template() {
    let out = run(&["serve"], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DISCORD_TOKEN") && err.contains(".env.example"),
        "{err}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for item in std::fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).unwrap();
        }
    }
}

/// Run the binary at `bin` from `cwd` with no knowledge folder given anywhere.
fn run_without_knowledge(bin: &Path, cwd: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin)
        .current_dir(cwd)
        .env_remove("DISCORD_TOKEN")
        .env_remove("UNANSWERED_LOG")
        .env_remove("KNOWLEDGE_DIR")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run sciatica-bot");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    out
}

#[test]
fn a_copied_binary_run_from_the_root_answers_from_its_built_in_knowledge() {
    let tmp = tempfile::tempdir().expect("tmp");
    let copy = tmp.path().join("sciatica-bot");
    std::fs::copy(BIN, &copy).expect("copy the binary");
    let out = run_without_knowledge(
        &copy,
        Path::new("/"),
        &["ask", "--json", "where should I massage for sciatica?"],
    );
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(v["kind"], "answer", "{v}");
    assert_contract(&v);

    // `check` names the knowledge it checked: the built-in copy, not a path on the machine
    // that built the binary.
    let out = run_without_knowledge(&copy, Path::new("/"), &["check"]);
    assert!(out.status.success(), "{out:?}");
    let said = stdout(&out);
    assert!(said.starts_with("ok: <built-in knowledge>"), "{said}");
    let source_dir = knowledge();
    assert!(!said.contains(source_dir.to_str().unwrap()), "{said}");

    // Nothing in the binary points at the source tree's knowledge folder.
    let bytes = std::fs::read(&copy).expect("read binary");
    let needle = source_dir.to_str().unwrap().as_bytes();
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the binary still refers to {}",
        source_dir.display()
    );
}

#[test]
fn knowledge_init_writes_the_built_in_folder_which_then_checks_clean_and_is_never_overwritten() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("kb");
    let dir_arg = dir.to_str().unwrap();
    let out = run_without_knowledge(Path::new(BIN), tmp.path(), &["knowledge", "init", dir_arg]);
    assert!(out.status.success(), "{out:?}");
    assert!(dir.join("README.md").is_file() && dir.join("messages.toml").is_file());
    let check = run(&["check", dir_arg], None);
    assert!(check.status.success(), "{check:?}");

    std::fs::write(dir.join("messages.toml"), "# mine").expect("edit");
    let again = run_without_knowledge(Path::new(BIN), tmp.path(), &["knowledge", "init", dir_arg]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("messages.toml")).unwrap(),
        "# mine"
    );
}

#[test]
fn export_into_a_reader_that_stops_early_ends_quietly() {
    use std::io::Read;
    let cwd = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(BIN)
        .current_dir(cwd.path())
        .env("KNOWLEDGE_DIR", knowledge())
        .arg("export")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Like `head -c 100`: read a little, then close the pipe.
    let mut first = [0u8; 100];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(out.status.success(), "{out:?}");
}

/// 20,000 generated lines: long English, other languages and scripts, emoji, control
/// characters and raw bytes (no line breaks). Deterministic, so a failure can be replayed.
fn fuzz_batch(lines: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "where",
        "should",
        "I",
        "massage",
        "for",
        "sciatica",
        "foam",
        "roller",
        "heat",
        "ice",
        "piriformis",
        "glute",
        "stretch",
        "how",
        "long",
        "my",
        "leg",
        "back",
        "numb",
        "can't",
        "don't",
        "no",
        "bladder",
        "both",
        "legs",
        "weak",
        "kill",
        "myself",
        "pee",
        "fever",
        "dolor",
        "espalda",
        "pierna",
        "ciática",
        "masaje",
        "douleur",
        "sciatique",
        "fesse",
        "Schmerzen",
        "Rücken",
        "Ischias",
        "боль",
        "спина",
        "坐骨神经痛",
        "按摩",
        "ألم",
        "दर्द",
        "😭",
        "🔥",
        "💆‍♀️",
        "&",
        "?",
        "!!!",
        "...",
        "'",
        "\"",
        "sooooo",
        "12",
        "30s",
        "<@123456789012345678>",
        "@everyone",
        "\u{feff}",
        "\u{200b}",
        "e\u{0301}",
        "\u{202e}",
        "\t",
        "zqxv",
        "blorf",
        "qwerty",
        "asdf",
    ];
    let mut seed: u64 = 0x5eed_f00d;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n.max(1)
    };
    let mut out = Vec::new();
    for _ in 0..lines {
        match next(10) {
            // Raw bytes, any value but a line break.
            0 => {
                for _ in 0..next(300) {
                    let b = next(256) as u8;
                    out.push(if b == b'\n' { b' ' } else { b });
                }
            }
            // Long messages: 85 to 400 words.
            1..=3 => {
                let n = 85 + next(316);
                let words: Vec<&str> = (0..n).map(|_| WORDS[next(WORDS.len())]).collect();
                out.extend_from_slice(words.join(" ").as_bytes());
            }
            // Short questions.
            _ => {
                let n = 1 + next(20);
                let words: Vec<&str> = (0..n).map(|_| WORDS[next(WORDS.len())]).collect();
                out.extend_from_slice(words.join(" ").as_bytes());
            }
        }
        out.push(b'\n');
    }
    out
}

#[test]
fn a_20000_line_fuzz_batch_gets_20000_replies_with_the_disclaimer() {
    const LINES: usize = 20_000;
    let input = fuzz_batch(LINES);
    let started = std::time::Instant::now();
    let out = run(&["ask", "--json"], Some(&input));
    let elapsed = started.elapsed();
    assert!(out.status.success(), "exit status {:?}", out.status);
    let replies = json_lines(&out);
    assert_eq!(replies.len(), LINES, "one reply per line");
    for v in &replies {
        assert_contract(v);
    }
    println!(
        "fuzz batch: {LINES} lines ({} KiB) through ask --json in {:.2} s, {} replies, exit 0",
        input.len() / 1024,
        elapsed.as_secs_f64(),
        replies.len()
    );
}

#[test]
fn check_rules_explains_each_rule_by_its_concepts_and_lists_each_concepts_words() {
    let out = run(&["check", "--rules"], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("red flag `ces_saddle` (emergency"),
        "{}",
        &text[..text.len().min(500)]
    );
    assert!(text.contains("together: @sensation_change + @saddle_area"));
    assert!(text
        .lines()
        .any(|l| l.starts_with("  @saddle_area (") && l.contains("groin")));
}
