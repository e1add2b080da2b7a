//! Logs carry no health data and no secrets: every way a member can reach the bot (mentions,
//! DMs, ask-channel messages, buttons, autocomplete, `/ask` and the cards), with a unique
//! marker in the text, red-flag and crisis messages among them, a rate limit and a panicking
//! answer on the way, at the default level, at `RUST_LOG=debug` and at `RUST_LOG=trace`. The marker, the
//! interaction tokens and the bot token must be in no log line.

#[path = "fixtures/log_capture.rs"]
mod log_capture;

mod fake_discord;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use fake_discord::{
    FakeDiscord, Member, RateLimit, ALICE, ASK_CHANNEL, BOT_ID, CHANNEL_ID, DM_CHANNEL_ID,
    GUILD_ID, TOKEN,
};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use sciatica_bot::conversation::State;
use sciatica_bot::discord::{self, logging, Config};
use sciatica_bot::store::KnowledgeStore;
use sciatica_bot::{Engine, Reply};

fn panicking_answer(_: &Engine, _: State, _: &str) -> Reply {
    panic!("injected fault");
}

/// Run the bot against a fake Discord and reach it every way there is, with `marker` in
/// every text. Waits until each message has had its reply.
async fn talk_to_the_bot(marker: &str, answer: Option<sciatica_bot::discord::AnswerFn>) {
    let fake = FakeDiscord::start().await;
    let mut config = Config::new(TOKEN);
    config.api_base = Some(fake.base());
    config.ask_channel_ids = vec![ASK_CHANNEL.into()];
    if let Some(answer) = answer {
        config.answer = answer;
    }
    let store = Arc::new(
        KnowledgeStore::open(&PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/knowledge"
        )))
        .expect("knowledge"),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(discord::run(config, store, async move {
        let _ = stopped.await;
    }));
    fake.wait_request("registration", |r| r.method == "PUT")
        .await;
    fake.wait_sessions(1).await;

    let texts = [
        format!("where should I massage for sciatica {marker}"),
        format!("{marker} I can't pee and can't control my bladder"),
        format!("I want to kill myself {marker}"),
        format!("I don't want to kill myself but {marker} pizza"),
    ];
    let mut messages: Vec<Value> = Vec::new();
    // One 429 on the way: its handling must not log the text either.
    fake.rate_limit_next("/messages", RateLimit::Body { retry_after: 0.1 });
    for (i, text) in texts.iter().enumerate() {
        let who = Member {
            id: ALICE.id + i as u64,
            ..ALICE
        };
        // A mention at the start (poise once read this as a prefix command), a DM, and a
        // message in an ask channel.
        let mut mention = fake.message_json(
            who.id,
            who.name,
            &format!("<@{BOT_ID}> {text}"),
            Some(GUILD_ID),
            CHANNEL_ID,
        );
        mention["mentions"] = json!([fake_discord::user_json(BOT_ID, "sciatica-bot")]);
        let dm = fake.message_json(who.id, who.name, text, None, DM_CHANNEL_ID);
        let ask_channel = fake.message_json(who.id, who.name, text, Some(GUILD_ID), ASK_CHANNEL);
        for m in [mention, dm, ask_channel] {
            messages.push(m["id"].clone());
            fake.dispatch("MESSAGE_CREATE", m);
        }
        for (command, option) in [
            ("ask", "question"),
            ("muscle", "name"),
            ("technique", "name"),
        ] {
            let id = fake.interact(fake.slash(
                who,
                command,
                json!([{"name": option, "type": 3, "value": text}]),
            ));
            fake.callback(id).await;
        }
        let id = fake.interact(fake.autocomplete(who, "muscle", "name", text));
        fake.callback(id).await;
    }
    for custom_id in [format!("suggest:{marker}"), format!("routine:1:{marker}")] {
        let id = fake.interact(fake.press(ALICE, &custom_id, false));
        fake.callback(id).await;
    }
    for msg in &messages {
        fake.wait_request("a reply to each message", |r| {
            r.body["message_reference"]["message_id"] == *msg && r.status < 300
        })
        .await;
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("serve stops")
        .expect("no panic")
        .expect("serve ends cleanly");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_message_text_and_no_token_is_logged_at_the_default_debug_or_trace_level() {
    let (logs, level) = log_capture::install_reloadable(logging::filter(None));
    for (rust_log, answer) in [
        (None, None),
        (Some("debug"), None),
        // Third-party crates stay at warn unless named, so even trace is safe.
        (Some("trace"), None),
        (
            None,
            Some(panicking_answer as sciatica_bot::discord::AnswerFn),
        ),
        (
            Some("debug"),
            Some(panicking_answer as sciatica_bot::discord::AnswerFn),
        ),
    ] {
        level
            .reload(logging::filter(rust_log))
            .expect("set the level");
        let marker = format!(
            "zqmark{}x{}",
            std::process::id(),
            rust_log.unwrap_or("info")
        );
        talk_to_the_bot(&marker, answer).await;
        let text = logs.text();
        assert!(
            text.contains("sciatica_bot"),
            "the bot logged something at {rust_log:?}"
        );
        for secret in [
            marker.as_str(),
            "itoken-",
            "fake-token-for-tests",
            "kill myself",
            "bladder",
        ] {
            let leaked = logs.lines_with(secret);
            assert!(
                leaked.is_empty(),
                "{secret:?} logged at RUST_LOG={rust_log:?}:\n{}",
                leaked.join("\n")
            );
        }
    }
}
