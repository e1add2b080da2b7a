//! Pseudo-localization: proof that every word the bot says comes from the knowledge folder,
//! and that every layout still fits Discord when the texts get longer (as translations do).
//!
//! A copy of the bundled knowledge has every text of `[messages]` wrapped in `⟦...⟧` and
//! lengthened by a third. The terminal and the Discord front end (against the fake Discord)
//! are then driven through their main paths: ask, no-match, red flag, crisis and its
//! follow-up, routines, cards, help, red flags, status, gaps and its fixes, ratings, the
//! cooldown and errors. In everything a user sees, once the wrapped texts and the
//! knowledge's own content (answers, titles, rules, routine steps, ids) are taken out, no
//! letter may be left: a letter left is an English literal in `src/`. And every message,
//! button, menu, form and command description must be within Discord's limits.

mod fake_discord;
#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use fake_discord::{
    FakeDiscord, Member, Request, ADMIN, ALICE, BOB, CHANNEL_ID, DM_CHANNEL_ID, TOKEN, WAIT,
};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use sciatica_bot::discord::{self, Config};
use sciatica_bot::knowledge::{self, Knowledge};
use sciatica_bot::review;
use sciatica_bot::store::KnowledgeStore;

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

const ANSWERED: &str = "where should I massage for sciatica?";
const NO_MATCH: &str = "what about my back and the weekend";
const RED_FLAG: &str = "I can't pee and can't control my bladder, where should I massage?";
const CRISIS: &str = "I want to kill myself";

/// `text` wrapped in markers and lengthened by a third, placeholders kept.
fn pseudo(text: &str) -> String {
    let pad = "·".repeat(text.chars().count().div_ceil(3).max(1));
    format!("{OPEN}{text}{pad}{CLOSE}")
}

/// A copy of the bundled knowledge with every `[messages]` text pseudo-localized.
fn pseudo_knowledge() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("knowledge");
    support::copy_dir(Path::new(support::BUNDLED), &dir);
    let path = dir.join("messages.toml");
    let mut doc: toml_edit::DocumentMut = std::fs::read_to_string(&path)
        .expect("messages.toml")
        .parse()
        .expect("parses");
    let messages = doc["messages"].as_table_mut().expect("[messages]");
    for (_, item) in messages.iter_mut() {
        if let Some(s) = item.as_str() {
            *item = toml_edit::value(pseudo(s));
        } else if let Some(list) = item.as_array_mut() {
            for v in list.iter_mut() {
                if let Some(s) = v.as_str() {
                    *v = pseudo(s).into();
                }
            }
        }
    }
    std::fs::write(&path, doc.to_string()).expect("write");
    tmp
}

/// Everything the knowledge says in its own content (not its `[messages]`): what may appear
/// outside the markers. Longest first, whitespace folded.
fn content(k: &Knowledge) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in &k.entries {
        out.push(e.id.clone());
        out.push(e.title.clone());
        out.extend(e.sections.iter().map(|s| s.text.clone()));
    }
    for r in &k.routines {
        out.extend([r.id.clone(), r.title.clone(), r.summary.clone()]);
        for s in &r.steps {
            out.extend([s.instruction.clone(), s.stop_cue.clone()]);
        }
    }
    for (r, _) in &k.safety.red_flags {
        out.extend([r.id.clone(), r.title.clone(), r.reply.trim().to_string()]);
    }
    out.push(k.safety.crisis.reply.trim().to_string());
    let mut out: Vec<String> = out
        .iter()
        .map(|s| squash(s))
        .filter(|s| !s.is_empty())
        .collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line `check` wrote: `file:line:col: error|warning: ...` (a status or a refused fix
/// quotes them as they are). These diagnostics are the knowledge checker's, the same lines
/// `sciatica-bot check` prints, and stay as the checker words them.
fn is_diagnostic(line: &str) -> bool {
    let line = line.trim_start_matches(['-', ' ']);
    let Some((place, rest)) = line.split_once(": ") else {
        return false;
    };
    (place.contains(".toml") || place.is_empty() || place.starts_with('/'))
        && (rest.starts_with("error: ") || rest.starts_with("warning: "))
}

/// What is left of `seen` once the wrapped texts (nesting, or cut off by a trim), the
/// knowledge's content and quoted diagnostics are taken out.
fn foreign(seen: &str, content: &[String]) -> String {
    let seen: String = seen
        .lines()
        .filter(|l| !is_diagnostic(l))
        .collect::<Vec<_>>()
        .join("\n");
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in seen.chars() {
        match c {
            OPEN => depth += 1,
            CLOSE => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let mut left = squash(&outside);
    for known in content {
        if left.contains(known.as_str()) {
            left = left.replace(known.as_str(), " ");
        }
    }
    left
}

/// No letter outside the markers and the knowledge's content.
fn assert_from_the_folder(what: &str, seen: &str, content: &[String]) {
    let left = foreign(seen, content);
    assert!(
        !left.chars().any(char::is_alphabetic),
        "{what}: words that are not from the knowledge folder: {left:?}\nin: {seen}"
    );
}

// ---- The terminal ----

fn run_cli(dir: &Path, args: &[&str], stdin: &str, log: Option<&Path>) -> String {
    let cwd = tempfile::tempdir().expect("tmp");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sciatica-bot"));
    cmd.current_dir(cwd.path())
        .env_remove("DISCORD_TOKEN")
        .env_remove("UNANSWERED_LOG")
        .arg("--knowledge")
        .arg(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(log) = log {
        cmd.env("UNANSWERED_LOG", log);
    }
    let mut child = cmd.spawn().expect("spawn");
    {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(stdin.as_bytes()).expect("stdin");
    }
    let out = child.wait_with_output().expect("wait");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn every_sentence_of_the_terminal_comes_from_the_knowledge_folder() {
    let tmp = pseudo_knowledge();
    let dir = tmp.path().join("knowledge");
    let loaded = review::check_dir(&dir).expect("the pseudo-localized folder checks clean");
    let k = &loaded.knowledge;
    let content = content(k);
    let routine = &k.routines[0].id;
    let log = tmp.path().join("gaps.jsonl");
    let cases: Vec<(&str, Vec<&str>, String)> = vec![
        ("ask", vec!["ask", ANSWERED], String::new()),
        ("ask, no match", vec!["ask", NO_MATCH], String::new()),
        ("ask, red flag", vec!["ask", RED_FLAG], String::new()),
        ("ask, crisis", vec!["ask", CRISIS], String::new()),
        ("ask, empty", vec!["ask", "  "], String::new()),
        (
            "ask, too long",
            vec!["ask", &*"leg ".repeat(700).leak()],
            String::new(),
        ),
        (
            "chat",
            vec!["chat"],
            format!("{ANSWERED}\n{CRISIS}\nno\n/routines\n/quit\n"),
        ),
        ("routine list", vec!["routine"], String::new()),
        ("routine", vec!["routine", routine], String::new()),
        (
            "unknown routine",
            vec!["routine", "no-such-routine"],
            String::new(),
        ),
        ("gaps without a log", vec!["gaps"], String::new()),
    ];
    for (what, args, stdin) in &cases {
        let out = run_cli(&dir, args, stdin, None);
        assert!(!out.trim().is_empty(), "{what}: no output");
        assert!(out.contains(OPEN), "{what}: {out}");
        assert_from_the_folder(what, &out, &content);
    }
    // The gaps report, with a log.
    run_cli(&dir, &["ask", NO_MATCH], "", Some(&log));
    let out = run_cli(&dir, &["gaps"], "", Some(&log));
    assert_from_the_folder("gaps", &out, &content);
    assert!(out.contains(OPEN), "{out}");
}

// ---- Discord ----

/// Discord's limits, in UTF-16 units.
fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Every text of one message the bot sent (embeds, buttons, menus, a form), checked against
/// Discord's limits and for words that are not from the folder.
fn check_message(what: &str, message: &Value, content: &[String]) {
    let embeds = message["embeds"].as_array().cloned().unwrap_or_default();
    assert!(embeds.len() <= 10, "{what}: {} embeds", embeds.len());
    let mut total = 0;
    for e in &embeds {
        let title = e["title"].as_str().unwrap_or_default();
        let description = e["description"].as_str().unwrap_or_default();
        let footer = e["footer"]["text"].as_str().unwrap_or_default();
        assert!(units(title) <= 256, "{what}: title of {}", units(title));
        assert!(
            units(description) <= 4096,
            "{what}: description of {}",
            units(description)
        );
        assert!(units(footer) <= 2048, "{what}: footer of {}", units(footer));
        total += units(title) + units(description) + units(footer);
        for text in [title, description, footer] {
            assert_from_the_folder(what, text, content);
        }
    }
    assert!(total <= 6000, "{what}: embeds of {total} in all");
    let rows = message["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(rows.len() <= 5, "{what}: {} rows", rows.len());
    for row in &rows {
        let items = row["components"].as_array().cloned().unwrap_or_default();
        assert!(items.len() <= 5);
        for c in items {
            if let Some(label) = c["label"].as_str() {
                let max = if c["type"] == json!(4) { 45 } else { 80 };
                assert!(units(label) <= max, "{what}: label {label:?}");
                assert_from_the_folder(what, label, content);
            }
            if let Some(p) = c["placeholder"].as_str() {
                assert!(units(p) <= 150, "{what}: placeholder {p:?}");
                assert_from_the_folder(what, p, content);
            }
            for o in c["options"].as_array().into_iter().flatten() {
                let label = o["label"].as_str().unwrap_or_default();
                assert!(units(label) <= 100, "{what}: option {label:?}");
                assert!(units(o["value"].as_str().unwrap_or_default()) <= 100);
                assert_from_the_folder(what, label, content);
            }
            let id = c["custom_id"].as_str().unwrap_or_default();
            assert!(id.len() <= 100, "{what}: custom id {id}");
        }
    }
    if let Some(title) = message["title"].as_str() {
        // A form (modal).
        assert!(units(title) <= 45, "{what}: form title {title:?}");
        assert_from_the_folder(what, title, content);
    }
}

struct Running {
    fake: FakeDiscord,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), discord::ServeError>>,
}

async fn start(dir: &Path, log: PathBuf) -> Running {
    let fake = FakeDiscord::start().await;
    let mut c = Config::new(TOKEN);
    c.api_base = Some(fake.base());
    c.unanswered_log = Some(log);
    c.admin_log_channel_id = Some(900_000_000_000_000_007.into());
    let store = Arc::new(KnowledgeStore::open(dir).expect("the pseudo folder loads"));
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(discord::run(c, store, async move {
        let _ = stopped.await;
    }));
    fake.wait_request("registration", |r| r.method == "PUT")
        .await;
    fake.wait_sessions(1).await;
    Running { fake, stop, task }
}

fn slash(f: &FakeDiscord, who: Member, name: &str, options: Value) -> u64 {
    f.interact(f.slash(who, name, options))
}

fn sub(name: &str) -> Value {
    json!([{"name": name, "type": 1, "options": []}])
}

fn ids(r: &Request) -> Vec<String> {
    r.message()
        .and_then(|m| m["components"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sentence_on_discord_comes_from_the_knowledge_folder_and_fits_its_limits() {
    let tmp = pseudo_knowledge();
    let dir = tmp.path().join("knowledge");
    let k = review::load_dir(&dir).expect("loads").knowledge;
    let content = content(&k);
    let bot = start(&dir, tmp.path().join("gaps.jsonl")).await;
    let f = &bot.fake;

    // Command descriptions: from the folder, cut to Discord's 100.
    let put = f.wait_request("registration", |r| r.method == "PUT").await;
    fn descriptions(item: &Value, out: &mut Vec<String>) {
        out.push(item["description"].as_str().unwrap_or_default().to_string());
        for o in item["options"].as_array().into_iter().flatten() {
            descriptions(o, out);
        }
    }
    let mut all = Vec::new();
    for c in put.body.as_array().expect("commands") {
        descriptions(c, &mut all);
    }
    for d in &all {
        assert!(
            d.starts_with(OPEN),
            "a description not from the folder: {d:?}"
        );
        assert!(d.chars().count() <= 100, "{d:?}");
    }

    let routine = k.routines[0].id.clone();
    let muscle = k
        .entries
        .iter()
        .find(|e| e.kind == knowledge::EntryKind::Muscle)
        .expect("a muscle")
        .id
        .clone();
    let question = |q: &str| json!([{"name": "question", "type": 3, "value": q}]);
    let mut asked = vec![
        slash(f, ALICE, "ask", question(ANSWERED)),
        slash(f, ALICE, "ask", question(NO_MATCH)),
        slash(f, ALICE, "ask", question(RED_FLAG)),
        slash(f, ADMIN, "ask", question(CRISIS)),
        slash(f, ADMIN, "ask", question("no")),
        slash(f, ALICE, "help", json!([])),
        slash(f, ALICE, "redflags", json!([])),
        slash(f, ALICE, "routine", json!([])),
        slash(
            f,
            ALICE,
            "muscle",
            json!([{"name": "name", "type": 3, "value": muscle}]),
        ),
        slash(
            f,
            ALICE,
            "ask",
            json!([{"name": "question", "type": 4, "value": 5}]),
        ),
        slash(f, ALICE, "knowledge", sub("status")),
        slash(f, ADMIN, "knowledge", sub("status")),
    ];
    // The answer's rating buttons, a suggestion button, a routine's buttons.
    let answer = f.callback(asked[0]).await;
    let rate = ids(&answer)
        .into_iter()
        .find(|b| b.starts_with("rate:n:"))
        .expect("rating");
    asked.push(f.interact(f.press(ALICE, &rate, false)));
    let no_match = f.callback(asked[1]).await;
    let suggestion = ids(&no_match).into_iter().next().expect("a suggestion");
    asked.push(f.interact(f.press(ALICE, &suggestion, false)));
    let start = slash(
        f,
        ALICE,
        "routine",
        json!([{"name": "name", "type": 3, "value": routine}]),
    );
    let step = f.callback(start).await;
    let button = |action: &str| {
        ids(&step)
            .into_iter()
            .find(|b| b.ends_with(&format!(":{action}")))
            .expect("a routine button")
    };
    for action in ["next", "pause"] {
        let id = f.interact(f.press(ALICE, &button(action), false));
        f.callback(id).await;
    }
    let id = f.interact(f.press(ADMIN, &button("next"), false));
    f.callback(id).await;
    let id = f.interact(f.press(ALICE, &button("hurts"), false));
    f.callback(id).await;
    let id = f.interact(f.press(ALICE, &button("next"), false));
    f.callback(id).await;
    // The cooldown (five questions in a row, then one more), a DM, and the gaps report.
    for _ in 0..6 {
        asked.push(slash(f, ALICE, "ask", question(ANSWERED)));
    }
    let dm = f.message_json(BOB.id, BOB.name, NO_MATCH, None, DM_CHANNEL_ID);
    f.dispatch("MESSAGE_CREATE", dm);
    for id in &asked {
        f.callback(*id).await;
    }
    let gaps = slash(f, ADMIN, "knowledge", sub("gaps"));
    let token = format!("itoken-{gaps}");
    let group = f
        .wait_request("a group with its fixes", |r| {
            r.path.contains(&token) && ids(r).iter().any(|b| b.starts_with("gapnew:"))
        })
        .await;
    let new = ids(&group)
        .into_iter()
        .find(|b| b.starts_with("gapnew:"))
        .unwrap();
    let form = f.interact(f.press(ADMIN, &new, true));
    f.callback(form).await;
    let menu = ids(&group)
        .into_iter()
        .find(|b| b.starts_with("gapfix:"))
        .unwrap();
    let refused = f.interact(f.select(ALICE, &menu, &["ignore"]));
    f.callback(refused).await;
    let ignored = f.interact(f.select(ADMIN, &menu, &["ignore"]));
    let token = format!("itoken-{ignored}");
    f.wait_request("the ignore", |r| {
        r.path.contains(&token) && r.method == "POST" && r.path.contains("/webhooks/")
    })
    .await;
    f.wait_request("the DM answer", |r| {
        r.path == format!("/api/v10/channels/{DM_CHANNEL_ID}/messages")
    })
    .await;

    let mut checked = 0;
    for r in f.requests() {
        let Some(message) = r.message() else { continue };
        let what = format!("{} {}", r.method, r.path);
        if r.callback_for().is_some() && r.body["type"] == json!(9) {
            // The form: title and field labels.
            check_message(&what, message, &content);
            checked += 1;
            continue;
        }
        check_message(&what, message, &content);
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} messages checked");
    assert!(
        f.requests()
            .iter()
            .any(|r| r.path.contains(&CHANNEL_ID.to_string()) || r.callback_for().is_some()),
        "the bot answered"
    );
    let _ = bot.stop.send(());
    let ended = tokio::time::timeout(WAIT, bot.task).await.expect("stops");
    assert!(ended.expect("no panic").is_ok());
}
