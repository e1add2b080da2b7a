//! A fake Discord on 127.0.0.1 for end-to-end tests: the REST API the bot uses (under
//! `/api/v10`) and a gateway (plain `ws://`) on one port.
//!
//! It records every REST request so tests can wait for one, sends gateway dispatches with
//! increasing sequence numbers, and can fail a request, close the gateway, or reject the
//! token on cue. Every dispatch is first round-tripped through serenity's own
//! `GatewayEvent` deserializer: a payload serenity would silently drop as `Event::Unknown`
//! fails the test instead (see ../shared/reference/discord-e2e.md).

#![allow(dead_code)] // each test binary uses a different part of the fake

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

pub const APP_ID: u64 = 900_000_000_000_000_001;
pub const BOT_ID: u64 = 900_000_000_000_000_002;
/// How long any wait on the fake lasts before the test fails instead of hanging.
pub const WAIT: Duration = Duration::from_secs(20);

/// One REST request the bot made.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub auth: Option<String>,
    pub body: Value,
    /// The status the fake answered with.
    pub status: u16,
    pub at: Instant,
}

impl Request {
    /// The interaction this is a callback for: `/interactions/{id}/{token}/callback`.
    pub fn callback_for(&self) -> Option<u64> {
        let rest = self.path.strip_prefix("/api/v10/interactions/")?;
        let mut parts = rest.split('/');
        let id = parts.next()?.parse().ok()?;
        let _token = parts.next()?;
        (parts.next()? == "callback").then_some(id)
    }

    /// The message this request creates or edits, if it is one (`data` of a callback, or the
    /// body of a channel message or webhook).
    pub fn message(&self) -> Option<&Value> {
        if self.callback_for().is_some() {
            return self.body.get("data");
        }
        let creates = (self.method == "POST"
            && (self.path.contains("/channels/") || self.path.contains("/webhooks/")))
            || (self.method == "PATCH" && self.path.contains("/webhooks/"));
        creates.then_some(&self.body)
    }
}

/// Hold the next matching request this long before answering; tell the test when it arrives.
struct Delay {
    path_contains: String,
    hold: Duration,
    arrived: Option<tokio::sync::oneshot::Sender<()>>,
}

/// What the fake should do to the next matching request.
struct Failure {
    path_contains: String,
    status: u16,
}

/// The shapes of a 429 that Discord documents.
#[derive(Debug, Clone, Copy)]
pub enum RateLimit {
    /// `{"message", "retry_after", "global": false}` and no headers.
    Body { retry_after: f64 },
    /// The same body with `"code": 0`.
    BodyWithCode { retry_after: f64 },
    /// Headers only: `Retry-After` (whole seconds, rounded up), `X-RateLimit-Reset-After`,
    /// `X-RateLimit-Remaining: 0`, `X-RateLimit-Scope: user`; the body has no `retry_after`.
    Headers { retry_after: f64 },
    /// A global limit: `"global": true` in the body and `X-RateLimit-Global: true`,
    /// `X-RateLimit-Scope: global` headers.
    Global { retry_after: f64 },
}

impl RateLimit {
    pub fn retry_after(self) -> Duration {
        let s = match self {
            RateLimit::Body { retry_after }
            | RateLimit::BodyWithCode { retry_after }
            | RateLimit::Headers { retry_after }
            | RateLimit::Global { retry_after } => retry_after,
        };
        Duration::from_secs_f64(s)
    }
}

/// Rate limit the next matching request, or every matching one until `until`.
struct Limit {
    path_contains: String,
    shape: RateLimit,
    until: Option<Instant>,
}

struct Shared {
    ws_url: Mutex<String>,
    requests: Mutex<Vec<Request>>,
    request_count: watch::Sender<usize>,
    /// The live gateway connection, if any, and the next sequence number.
    gateway: Mutex<Option<Gateway>>,
    /// How many sessions were opened (READY) or resumed (RESUMED).
    sessions: watch::Sender<usize>,
    identifies: Mutex<Vec<Value>>,
    resumes: Mutex<Vec<Value>>,
    failures: Mutex<VecDeque<Failure>>,
    limits: Mutex<VecDeque<Limit>>,
    delays: Mutex<VecDeque<Delay>>,
    reject_token: AtomicBool,
    next_id: AtomicU64,
    seq: AtomicU64,
}

struct Gateway {
    tx: mpsc::UnboundedSender<WsMessage>,
}

/// The fake. Dropping it stops the server.
pub struct FakeDiscord {
    addr: SocketAddr,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeDiscord {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            ws_url: Mutex::new(format!("ws://{addr}/gateway")),
            requests: Mutex::new(Vec::new()),
            request_count: watch::channel(0).0,
            gateway: Mutex::new(None),
            sessions: watch::channel(0).0,
            identifies: Mutex::new(Vec::new()),
            resumes: Mutex::new(Vec::new()),
            failures: Mutex::new(VecDeque::new()),
            limits: Mutex::new(VecDeque::new()),
            delays: Mutex::new(VecDeque::new()),
            reject_token: AtomicBool::new(false),
            next_id: AtomicU64::new(910_000_000_000_000_000),
            seq: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/gateway", get(gateway_upgrade))
            .fallback(rest)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            addr,
            shared,
            server,
        }
    }

    /// What `DISCORD_API_BASE` should be.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A fresh snowflake.
    pub fn id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Answer the next request whose path contains `path_contains` with `status`.
    pub fn fail_next(&self, path_contains: &str, status: u16) {
        lock(&self.shared.failures).push_back(Failure {
            path_contains: path_contains.to_string(),
            status,
        });
    }

    /// Answer the next request whose path contains `path_contains` with a 429 of `shape`.
    pub fn rate_limit_next(&self, path_contains: &str, shape: RateLimit) {
        lock(&self.shared.limits).push_back(Limit {
            path_contains: path_contains.to_string(),
            shape,
            until: None,
        });
    }

    /// Answer every request whose path contains `path_contains` with a 429 for `span`, each
    /// saying to retry when the span ends.
    pub fn rate_limit_for(&self, path_contains: &str, span: Duration) {
        lock(&self.shared.limits).push_back(Limit {
            path_contains: path_contains.to_string(),
            shape: RateLimit::Body { retry_after: 0.0 },
            until: Some(Instant::now() + span),
        });
    }

    /// Hold the next request whose path contains `path_contains` for `hold` before answering.
    /// The returned receiver fires when that request arrives.
    pub fn delay_next(
        &self,
        path_contains: &str,
        hold: Duration,
    ) -> tokio::sync::oneshot::Receiver<()> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        lock(&self.shared.delays).push_back(Delay {
            path_contains: path_contains.to_string(),
            hold,
            arrived: Some(tx),
        });
        rx
    }

    /// Close every identify with 4004 (authentication failed) and answer REST with 401.
    pub fn reject_token(&self) {
        self.shared.reject_token.store(true, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared.requests).clone()
    }

    pub fn identifies(&self) -> Vec<Value> {
        lock(&self.shared.identifies).clone()
    }

    pub fn resumes(&self) -> Vec<Value> {
        lock(&self.shared.resumes).clone()
    }

    /// Wait for the first request (made so far or later) that `pred` accepts.
    pub async fn wait_request(&self, what: &str, pred: impl Fn(&Request) -> bool) -> Request {
        let mut rx = self.shared.request_count.subscribe();
        let found = tokio::time::timeout(WAIT, async {
            loop {
                rx.borrow_and_update();
                if let Some(r) = lock(&self.shared.requests).iter().find(|r| pred(r)) {
                    return r.clone();
                }
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        })
        .await;
        found.unwrap_or_else(|_| {
            let seen: Vec<String> = self
                .requests()
                .iter()
                .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
                .collect();
            panic!(
                "timed out waiting for {what}; requests so far:\n{}",
                seen.join("\n")
            )
        })
    }

    /// Every request `pred` accepts once at least `n` exist.
    pub async fn wait_requests(
        &self,
        what: &str,
        n: usize,
        pred: impl Fn(&Request) -> bool,
    ) -> Vec<Request> {
        let mut rx = self.shared.request_count.subscribe();
        let found = tokio::time::timeout(WAIT, async {
            loop {
                rx.borrow_and_update();
                let hits: Vec<Request> = lock(&self.shared.requests)
                    .iter()
                    .filter(|r| pred(r))
                    .cloned()
                    .collect();
                if hits.len() >= n {
                    return hits;
                }
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("timed out waiting for {n} x {what}"))
    }

    /// The response to interaction `id` (the first successful callback).
    pub async fn callback(&self, id: u64) -> Request {
        self.wait_request(&format!("the response to interaction {id}"), |r| {
            r.callback_for() == Some(id) && r.status < 300
        })
        .await
    }

    /// Wait until at least `n` gateway sessions have been opened or resumed.
    pub async fn wait_sessions(&self, n: usize) {
        let mut rx = self.shared.sessions.subscribe();
        tokio::time::timeout(WAIT, rx.wait_for(|&c| c >= n))
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for gateway session {n}"))
            .expect("fake alive");
    }

    /// Close the live gateway connection with `code`.
    pub fn close_gateway(&self, code: u16) {
        let gw = lock(&self.shared.gateway).take();
        if let Some(gw) = gw {
            let _ = gw.tx.send(WsMessage::Close(Some(CloseFrame {
                code,
                reason: "fake closes the session".into(),
            })));
        }
    }

    /// Send a dispatch on the live gateway connection, after checking serenity parses it.
    /// Like Discord, a guild message that does not mention the bot arrives without its text
    /// unless the bot identified with the privileged Message Content intent.
    pub fn dispatch(&self, t: &str, mut d: Value) {
        if t == "MESSAGE_CREATE" && d.get("guild_id").is_some() {
            let mentions_bot = d["mentions"]
                .as_array()
                .is_some_and(|m| m.iter().any(|u| u["id"] == json!(BOT_ID.to_string())));
            let content_intent = lock(&self.shared.identifies)
                .last()
                .and_then(|i| i["intents"].as_u64())
                .is_some_and(|i| i & (1 << 15) != 0);
            if !mentions_bot && !content_intent {
                d["content"] = json!("");
            }
        }
        let gw = lock(&self.shared.gateway);
        let gw = gw
            .as_ref()
            .expect("no gateway connection: wait_sessions first");
        let s = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({"op": 0, "s": s, "t": t, "d": d});
        check_parses(&payload);
        gw.tx
            .send(WsMessage::Text(payload.to_string()))
            .expect("gateway connection open");
    }

    /// Send an INTERACTION_CREATE; returns its id.
    pub fn interact(&self, interaction: Value) -> u64 {
        let id = interaction["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("interaction id");
        self.dispatch("INTERACTION_CREATE", interaction);
        id
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Fail the test if serenity would drop this payload as `Event::Unknown` (or not parse it).
pub fn check_parses(payload: &Value) {
    use serenity::model::event::{Event, GatewayEvent};
    match serde_json::from_value::<GatewayEvent>(payload.clone()) {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(_))) => {
            // Ask the specific type why, for a useful failure message.
            let why =
                match payload["t"].as_str() {
                    Some("INTERACTION_CREATE") => serde_json::from_value::<
                        serenity::model::application::Interaction,
                    >(payload["d"].clone())
                    .err()
                    .map(|e| e.to_string()),
                    Some("MESSAGE_CREATE") => serde_json::from_value::<
                        serenity::model::channel::Message,
                    >(payload["d"].clone())
                    .err()
                    .map(|e| e.to_string()),
                    _ => None,
                };
            panic!("serenity would drop this dispatch as Unknown ({why:?}): {payload}")
        }
        Ok(_) => {}
        Err(e) => panic!("serenity cannot parse this payload ({e}): {payload}"),
    }
}

fn now_rfc3339() -> &'static str {
    "2026-01-01T00:00:00.000000+00:00"
}

/// A member of the test guild. `permissions` is the bitfield Discord sends with interactions.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    pub id: u64,
    pub name: &'static str,
    pub permissions: u64,
}

pub const GUILD_ID: u64 = 900_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 900_000_000_000_000_004;
pub const DM_CHANNEL_ID: u64 = 900_000_000_000_000_005;
/// Manage Server.
pub const MANAGE_GUILD: u64 = 1 << 5;
/// The token the bot under test runs with: shaped like a real one, seen only by the fake (and
/// searched for in every request and log line, which must never carry it).
pub const TOKEN: &str = "MTIzNDU2Nzg5.Gabcde.fake-token-for-tests";
/// The test members: two ordinary ones and one who may manage the server.
pub const ALICE: Member = Member {
    id: 910_000_000_000_000_101,
    name: "alice",
    permissions: 0,
};
pub const BOB: Member = Member {
    id: 910_000_000_000_000_102,
    name: "bob",
    permissions: 0,
};
pub const ADMIN: Member = Member {
    id: 910_000_000_000_000_103,
    name: "admin",
    permissions: MANAGE_GUILD,
};
/// A channel configured as an ask channel (`ASK_CHANNEL_IDS`).
pub const ASK_CHANNEL: u64 = 900_000_000_000_000_006;

pub fn user_json(id: u64, name: &str) -> Value {
    json!({"id": id.to_string(), "username": name, "discriminator": "0", "global_name": name})
}

fn member_json(m: Member) -> Value {
    json!({
        "user": user_json(m.id, m.name),
        "roles": [],
        "joined_at": now_rfc3339(),
        "deaf": false,
        "mute": false,
        "flags": 0,
        "permissions": m.permissions.to_string(),
    })
}

impl FakeDiscord {
    fn interaction(&self, kind: u8, who: Member, data: Value) -> Value {
        let id = self.id();
        json!({
            "id": id.to_string(),
            "application_id": APP_ID.to_string(),
            "type": kind,
            "data": data,
            "guild_id": GUILD_ID.to_string(),
            "channel_id": CHANNEL_ID.to_string(),
            "member": member_json(who),
            "token": format!("itoken-{id}"),
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 8_388_608,
        })
    }

    /// A slash command (`type` 2); `options` as Discord sends them.
    pub fn slash(&self, who: Member, name: &str, options: Value) -> Value {
        let data =
            json!({"id": self.id().to_string(), "name": name, "type": 1, "options": options});
        self.interaction(2, who, data)
    }

    /// An autocomplete request (`type` 4) for `option` of `command`, with `typed` so far.
    pub fn autocomplete(&self, who: Member, command: &str, option: &str, typed: &str) -> Value {
        let data = json!({
            "id": self.id().to_string(), "name": command, "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": true}],
        });
        self.interaction(4, who, data)
    }

    /// A button press (`type` 3) on a message the bot sent; `ephemeral` as that message was.
    pub fn press(&self, who: Member, custom_id: &str, ephemeral: bool) -> Value {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.component(who, data, ephemeral, None)
    }

    /// A button press on the bot's message `message` (pressing twice on one message).
    pub fn press_on(&self, who: Member, custom_id: &str, message: u64) -> Value {
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.component(who, data, false, Some(message))
    }

    /// A choice in a select menu (`component_type` 3) on an ephemeral message of the bot.
    pub fn select(&self, who: Member, custom_id: &str, values: &[&str]) -> Value {
        let data = json!({"custom_id": custom_id, "component_type": 3, "values": values});
        self.component(who, data, true, None)
    }

    fn component(&self, who: Member, data: Value, ephemeral: bool, id: Option<u64>) -> Value {
        let mut i = self.interaction(3, who, data);
        let mut message = self.message_json(BOT_ID, "sciatica-bot", "", Some(GUILD_ID), CHANNEL_ID);
        message["author"]["bot"] = json!(true);
        if let Some(id) = id {
            message["id"] = json!(id.to_string());
        }
        if ephemeral {
            message["flags"] = json!(64);
        }
        i["message"] = message;
        i
    }

    /// A form (modal) submitted (`type` 5): each (field id, value) in a row of its own.
    pub fn submit(&self, who: Member, custom_id: &str, fields: &[(&str, &str)]) -> Value {
        let rows: Vec<Value> = fields
            .iter()
            .map(|(id, value)| {
                json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
            })
            .collect();
        self.interaction(5, who, json!({"custom_id": custom_id, "components": rows}))
    }

    /// A MESSAGE_CREATE payload; `guild` None for a DM.
    pub fn message_json(
        &self,
        author: u64,
        name: &str,
        content: &str,
        guild: Option<u64>,
        channel: u64,
    ) -> Value {
        let mut m = json!({
            "id": self.id().to_string(),
            "channel_id": channel.to_string(),
            "author": user_json(author, name),
            "content": content,
            "timestamp": now_rfc3339(),
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": false,
            "type": 0,
        });
        if let Some(g) = guild {
            m["guild_id"] = json!(g.to_string());
        }
        m
    }
}

/// The bot's own copy of a message it created, as Discord returns it.
fn message_response(id: u64, channel: &str, body: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": channel,
        "author": {"id": BOT_ID.to_string(), "username": "sciatica-bot", "discriminator": "0", "bot": true},
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": now_rfc3339(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    })
}

fn error_body(status: u16) -> Value {
    json!({"message": format!("{status}: fake error"), "code": 0})
}

async fn rest(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let body_json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let delay = {
        let mut delays = lock(&shared.delays);
        let at = delays.iter().position(|d| path.contains(&d.path_contains));
        at.and_then(|i| delays.remove(i))
    };
    if let Some(mut d) = delay {
        if let Some(arrived) = d.arrived.take() {
            let _ = arrived.send(());
        }
        tokio::time::sleep(d.hold).await;
    }
    let failure = {
        let mut failures = lock(&shared.failures);
        let at = failures
            .iter()
            .position(|f| path.contains(&f.path_contains));
        at.and_then(|i| failures.remove(i))
    };
    let limited = {
        let mut limits = lock(&shared.limits);
        let now = Instant::now();
        limits.retain(|l| l.until.is_none_or(|u| u > now));
        let at = limits.iter().position(|l| path.contains(&l.path_contains));
        at.and_then(|i| match limits[i].until {
            // A span: every request in it, told to come back when it ends.
            Some(until) => Some(RateLimit::Body {
                retry_after: until.saturating_duration_since(now).as_secs_f64(),
            }),
            None => limits.remove(i).map(|l| l.shape),
        })
    };
    if let Some(shape) = limited {
        record(&shared, method, path, auth, body_json, 429);
        return rate_limited(shape);
    }
    let rejected = shared.reject_token.load(Ordering::SeqCst) && path != "/api/v10/gateway";
    let (status, reply): (u16, Value) = if let Some(f) = failure {
        (f.status, error_body(f.status))
    } else if rejected {
        (401, error_body(401))
    } else {
        route(&shared, &method, &path, &body_json)
    };
    record(&shared, method, path, auth, body_json, status);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == 204 {
        code.into_response()
    } else {
        (code, axum::Json(reply)).into_response()
    }
}

fn record(
    shared: &Shared,
    method: Method,
    path: String,
    auth: Option<String>,
    body: Value,
    status: u16,
) {
    let mut requests = lock(&shared.requests);
    requests.push(Request {
        method: method.to_string(),
        path,
        auth,
        body,
        status,
        at: Instant::now(),
    });
    shared.request_count.send_replace(requests.len());
}

/// A 429 in the given shape.
fn rate_limited(shape: RateLimit) -> Response {
    let message = "You are being rate limited.";
    let mut headers = HeaderMap::new();
    let mut header = |k: &'static str, v: String| {
        headers.insert(k, v.parse().expect("header value"));
    };
    let body = match shape {
        RateLimit::Body { retry_after } => {
            json!({"message": message, "retry_after": retry_after, "global": false})
        }
        RateLimit::BodyWithCode { retry_after } => {
            json!({"message": message, "retry_after": retry_after, "global": false, "code": 0})
        }
        RateLimit::Headers { retry_after } => {
            header("retry-after", format!("{}", retry_after.ceil() as u64));
            header("x-ratelimit-limit", "5".into());
            header("x-ratelimit-remaining", "0".into());
            header("x-ratelimit-reset-after", format!("{retry_after:.3}"));
            header("x-ratelimit-bucket", "fakebucket".into());
            header("x-ratelimit-scope", "user".into());
            json!({"message": message})
        }
        RateLimit::Global { retry_after } => {
            header("retry-after", format!("{}", retry_after.ceil() as u64));
            header("x-ratelimit-global", "true".into());
            header("x-ratelimit-scope", "global".into());
            json!({"message": message, "retry_after": retry_after, "global": true})
        }
    };
    (StatusCode::TOO_MANY_REQUESTS, headers, axum::Json(body)).into_response()
}

fn route(shared: &Shared, method: &Method, path: &str, body: &Value) -> (u16, Value) {
    let segs: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let new_id = || shared.next_id.fetch_add(1, Ordering::Relaxed);
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({"url": *lock(&shared.ws_url)})),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({
                "url": *lock(&shared.ws_url),
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }),
        ),
        ("GET", ["oauth2", "applications", "@me"]) => (
            200,
            json!({
                "id": APP_ID.to_string(), "name": "sciatica-bot", "description": "",
                "bot_public": true, "bot_require_code_grant": false, "verify_key": "00",
            }),
        ),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => (200, json!([])),
        ("POST", ["interactions", _, _, "callback"]) => (204, Value::Null),
        ("POST", ["webhooks", _, _]) => (
            200,
            message_response(new_id(), &CHANNEL_ID.to_string(), body),
        ),
        ("PATCH", ["webhooks", _, _, "messages", _]) => (
            200,
            message_response(new_id(), &CHANNEL_ID.to_string(), body),
        ),
        ("POST", ["channels", channel, "messages"]) => {
            (200, message_response(new_id(), channel, body))
        }
        _ => (404, json!({"message": "404: Not Found", "code": 0})),
    }
}

async fn gateway_upgrade(
    AxumState(shared): AxumState<Arc<Shared>>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| session(shared, socket))
}

/// One gateway connection: Hello, then Identify -> READY or Resume -> RESUMED, heartbeats
/// acknowledged, and whatever the test dispatches.
async fn session(shared: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel::<WsMessage>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41_250}});
    if socket
        .send(WsMessage::Text(hello.to_string()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            out = rx.recv() => {
                let Some(out) = out else { break };
                let closing = matches!(out, WsMessage::Close(_));
                if socket.send(out).await.is_err() || closing {
                    break;
                }
            }
            incoming = socket.recv() => {
                let Some(Ok(incoming)) = incoming else { break };
                let text = match incoming {
                    WsMessage::Text(t) => t,
                    WsMessage::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    WsMessage::Close(_) => break,
                    _ => continue,
                };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        let _ = socket.send(WsMessage::Text(json!({"op": 11}).to_string())).await;
                    }
                    Some(2) => {
                        lock(&shared.identifies).push(v["d"].clone());
                        if shared.reject_token.load(Ordering::SeqCst) {
                            let _ = socket
                                .send(WsMessage::Close(Some(CloseFrame {
                                    code: 4004,
                                    reason: "Authentication failed.".into(),
                                })))
                                .await;
                            break;
                        }
                        shared.seq.store(0, Ordering::SeqCst);
                        let ready = ready_payload(&shared, &lock(&shared.ws_url));
                        check_parses(&ready);
                        *lock(&shared.gateway) = Some(Gateway { tx: tx.clone() });
                        if socket.send(WsMessage::Text(ready.to_string())).await.is_err() {
                            break;
                        }
                        shared.sessions.send_modify(|n| *n += 1);
                    }
                    Some(6) => {
                        lock(&shared.resumes).push(v["d"].clone());
                        let s = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let resumed = json!({"op": 0, "s": s, "t": "RESUMED", "d": {}});
                        *lock(&shared.gateway) = Some(Gateway { tx: tx.clone() });
                        if socket.send(WsMessage::Text(resumed.to_string())).await.is_err() {
                            break;
                        }
                        shared.sessions.send_modify(|n| *n += 1);
                    }
                    _ => {}
                }
            }
        }
    }
}

fn ready_payload(shared: &Shared, ws_url: &str) -> Value {
    let s = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    json!({
        "op": 0, "s": s, "t": "READY",
        "d": {
            "v": 10,
            "user": {"id": BOT_ID.to_string(), "username": "sciatica-bot", "discriminator": "0", "bot": true},
            "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
            "session_id": format!("fake-session-{s}"),
            "resume_gateway_url": ws_url,
            "application": {"id": APP_ID.to_string(), "flags": 0},
        }
    })
}
