//! The Discord front end: `sciatica-bot serve`, on serenity + poise.
//!
//! A thin shell over the library: every question goes through [`crate::Engine::answer`], every
//! text comes from the [`crate::reply::Composer`], and this module only decides where a reply
//! goes and how it is laid out. [`run`] is the whole bot with the shutdown signal passed in,
//! so the end-to-end tests drive exactly what [`serve`] runs, against a fake Discord.
//!
//! # Layout
//! - [`config`]: settings from the environment (token, API base, guild, channels, shards).
//! - [`commands`]: the slash commands (`/ask`, `/routine`, cards, `/redflags`, `/help`,
//!   `/knowledge`) and the one error handler.
//! - [`dispatch`]: what every event passes through: autocomplete answered, panics caught.
//! - [`answering`]: a question answered and gated the same way for `/ask` and for messages.
//! - [`events`]: mentions, DMs, ask channels and button presses.
//! - [`respond`]: sending a [`crate::Reply`] to an interaction or a channel, never pinging.
//! - [`rest`]: the REST requests behind every reply, with rate limits (429) waited out.
//! - [`logging`]: what may be logged: no message text, no tokens, at any level we set; errors
//!   described without URLs or bodies.
//! - [`embeds`]: the layout of a reply as embeds and buttons, within Discord's limits.
//! - [`sessions`]: the running `/routine` sessions (over [`crate::routine`]).
//! - [`cooldown`]: the per-member question limit.
//! - [`rating`]: what the "Was this helpful?" buttons need remembered (in memory, no ids).
//! - [`admin_log`]: the reload and gap-fix notes for `ADMIN_LOG_CHANNEL_ID`.
//! - [`shutdown`]: SIGINT/SIGTERM and waiting for replies in flight.

pub mod admin_log;
pub mod answering;
pub mod commands;
pub mod config;
pub mod cooldown;
pub mod dispatch;
pub mod embeds;
pub mod events;
pub mod logging;
pub mod rating;
pub mod respond;
pub mod rest;
pub mod sessions;
pub mod shutdown;

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use poise::serenity_prelude as serenity;

use crate::conversation::Conversations;
use crate::feedback::Ratings;
use crate::gaps::GapLog;
use crate::store::KnowledgeStore;

pub use config::{AnswerFn, Config, ConfigError, ShardPlan};

/// Everything the handlers share: poise's user data.
pub struct Bot {
    pub store: Arc<KnowledgeStore>,
    pub cooldown: cooldown::Cooldown,
    pub sessions: Arc<sessions::Sessions>,
    pub gaps: Option<Arc<GapLog>>,
    pub ask_channels: HashSet<serenity::ChannelId>,
    /// Set once the client exists (it needs the client's HTTP handle).
    pub admin_log: OnceLock<admin_log::AdminLog>,
    pub defer_after: std::time::Duration,
    /// Every reply goes through this (rate limits waited out).
    pub rest: Arc<rest::Rest>,
    /// The answering path (see [`Config::answer`]).
    pub answer: AnswerFn,
    /// Members who were sent a crisis reply, by channel, and until when their next messages
    /// there are read as part of that conversation.
    pub conversations: Mutex<Conversations>,
    /// "Was this helpful?" counts per entry (`FEEDBACK_FILE`, or in memory).
    pub ratings: Ratings,
    /// Questions behind recent answers, for "not what I asked" (only with the gaps log).
    pub asked: Mutex<rating::Asked>,
    /// Who already rated which answer (keyed hashes, no ids).
    pub rated: Mutex<rating::Rated>,
}

impl Bot {
    fn new(config: &Config, store: Arc<KnowledgeStore>, client: reqwest::Client) -> Self {
        Self {
            store,
            cooldown: cooldown::Cooldown::new(config.cooldown),
            sessions: Arc::new(sessions::Sessions::new(config.routine_idle_timeout)),
            gaps: config
                .unanswered_log
                .clone()
                .map(|p| Arc::new(GapLog::new(p))),
            ask_channels: config.ask_channel_ids.iter().copied().collect(),
            admin_log: OnceLock::new(),
            defer_after: config.defer_after,
            rest: Arc::new(rest::Rest::new(client, config.retry)),
            answer: config.answer,
            conversations: Mutex::new(Conversations::new()),
            ratings: config
                .feedback_file
                .clone()
                .map_or_else(Ratings::in_memory, Ratings::open),
            asked: Mutex::new(rating::Asked::default()),
            rated: Mutex::new(rating::Rated::default()),
        }
    }

    /// The open crisis conversations (a poisoned lock is taken over: the map stays valid).
    pub fn conversations(&self) -> std::sync::MutexGuard<'_, Conversations> {
        self.conversations.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub type Data = Arc<Bot>;
pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Context<'a> = poise::Context<'a, Data, Error>;

/// Why the bot stopped, when it did not stop because it was asked to.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "Discord rejected the bot token in DISCORD_TOKEN. Reset the token on the Bot page of \
         your application in the Discord Developer Portal, then put the new one in the \
         environment or in .env (see .env.example)."
    )]
    TokenRejected,
    #[error(
        "Discord refused the privileged Message Content intent, which ASK_CHANNEL_IDS needs. \
         Turn on \"Message Content Intent\" on the Bot page of the Developer Portal, or unset \
         ASK_CHANNEL_IDS (mentions and DMs work without it; see .env.example)."
    )]
    IntentsRefused,
    #[error("could not reach Discord: {0}")]
    Unreachable(String),
    #[error("the Discord connection failed: {0}")]
    Gateway(String),
}

impl ServeError {
    fn from_serenity(e: &serenity::Error) -> Self {
        use serenity::{GatewayError, HttpError};
        match e {
            serenity::Error::Gateway(GatewayError::InvalidAuthentication) => Self::TokenRejected,
            serenity::Error::Gateway(
                GatewayError::DisallowedGatewayIntents | GatewayError::InvalidGatewayIntents,
            ) => Self::IntentsRefused,
            serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
                if r.status_code == serenity::StatusCode::UNAUTHORIZED =>
            {
                Self::TokenRejected
            }
            serenity::Error::Http(_) => Self::Unreachable(logging::describe(e)),
            _ => Self::Gateway(logging::describe(e)),
        }
    }
}

/// What a reply may say about itself in a debug log: its kind and entry for ordinary
/// replies, only "safety" for red-flag and crisis replies (which rule fired is health data).
pub fn loggable(reply: &crate::Reply) -> (&'static str, Option<&str>) {
    if reply.kind.is_safety() {
        ("safety", None)
    } else {
        (reply.kind.as_str(), reply.entry_id.as_deref())
    }
}

/// Connect to Discord and answer until SIGINT/SIGTERM. Sets up logging (`RUST_LOG`, see
/// [`logging`]) and a panic hook that logs where a panic happened but never its message (a
/// panic message can quote the text being handled).
pub async fn serve(config: Config, store: Arc<KnowledgeStore>) -> anyhow::Result<()> {
    logging::init();
    logging::quiet_panics();
    run(config, store, shutdown::signal()).await?;
    Ok(())
}

/// The whole bot: connect, register commands, answer until `shutdown` resolves, then stop the
/// shards and let replies in flight finish. Returns an error (never panics, never retries
/// forever) if the token is rejected or Discord cannot be reached.
pub async fn run(
    config: Config,
    store: Arc<KnowledgeStore>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let (http, client) = build_http(&config)?;
    let gateway = match &config.api_base {
        Some(base) => Some(gateway_url(&http, base).await?),
        None => None,
    };
    let bot = Arc::new(Bot::new(&config, Arc::clone(&store), client));
    let in_flight = shutdown::InFlight::default();
    let framework = poise::Framework::builder()
        .options(framework_options(store.engine().composer()))
        .setup({
            let bot = Arc::clone(&bot);
            let guild = config.dev_guild_id;
            move |ctx, ready, framework| {
                Box::pin(async move {
                    tracing::info!(
                        bot = %ready.user.name,
                        guilds = ready.guilds.len(),
                        "connected to Discord"
                    );
                    commands::register(ctx, &framework.options().commands, guild).await;
                    Ok(bot)
                })
            }
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http, config.intents())
        .framework(shutdown::Tracked {
            inner: dispatch::Guarded {
                inner: framework,
                bot: Arc::clone(&bot),
            },
            in_flight: in_flight.clone(),
        })
        .await
        .map_err(|e| ServeError::from_serenity(&e))?;
    if let Some(url) = gateway {
        *client.ws_url.lock().await = url;
    }

    if let Some(channel) = config.admin_log_channel_id {
        let _ = bot.admin_log.set(admin_log::AdminLog::new(
            Arc::clone(&client.http),
            Arc::clone(&bot.rest),
            channel,
            tokio::runtime::Handle::current(),
        ));
    }
    let _watch = watch_knowledge(&bot);
    let sweeper = bot.sessions.sweep_every(config.session_sweep_every);

    let watcher = shutdown::spawn_watcher(shutdown, Arc::clone(&client.shard_manager));
    let result = match config.shards {
        ShardPlan::Auto => client.start_autosharded().await,
        // serenity's shard range is inclusive of its end.
        #[allow(clippy::range_plus_one, clippy::reversed_empty_ranges)]
        ShardPlan::Range { first, last, total } => {
            client.start_shard_range(first..last, total).await
        }
    };
    watcher.abort();
    sweeper.abort();
    client.shard_manager.shutdown_all().await;
    let left = in_flight.drain(config.drain_timeout).await;
    if left > 0 {
        tracing::warn!("{left} event(s) still being handled at shutdown");
    }
    match result {
        Ok(()) => {
            tracing::info!("disconnected from Discord");
            Ok(())
        }
        Err(e) => Err(ServeError::from_serenity(&e)),
    }
}

/// The framework's options: the commands (see [`commands::options`]) and the handler of every
/// other event. Wired here, so `commands` and `events` need not know of each other.
fn framework_options(composer: &crate::reply::Composer) -> poise::FrameworkOptions<Data, Error> {
    poise::FrameworkOptions {
        event_handler: |ctx, event, framework, data| {
            Box::pin(events::handle(ctx, event, framework, data))
        },
        ..commands::options(composer)
    }
}

/// The gateway URL from `DISCORD_API_BASE`. Asked for here because if it cannot answer,
/// serenity falls back to Discord's real gateway and would send the token there.
async fn gateway_url(http: &serenity::Http, base: &str) -> Result<String, ServeError> {
    match http.get_gateway().await {
        Ok(gateway) => Ok(gateway.url),
        Err(e) => match ServeError::from_serenity(&e) {
            ServeError::TokenRejected => Err(ServeError::TokenRejected),
            _ => Err(ServeError::Unreachable(format!(
                "DISCORD_API_BASE ({base}) did not answer GET /api/v10/gateway: {}",
                logging::describe(&e)
            ))),
        },
    }
}

/// Live reload: every outcome, good or bad, goes to the log and to the admin log channel (if
/// set). Without a watcher (e.g. no inotify), `/knowledge reload` still works.
fn watch_knowledge(bot: &Arc<Bot>) -> Option<crate::store::WatchHandle> {
    let on_reload = {
        let bot = Arc::clone(bot);
        move |outcome: &crate::store::ReloadOutcome| {
            tracing::info!("{}", outcome.summary());
            if let Some(log) = bot.admin_log.get() {
                log.post(&bot.store, outcome);
            }
        }
    };
    match bot.store.watch(on_reload) {
        Ok(handle) => Some(handle),
        Err(crate::store::WatchError::BuiltIn) => {
            tracing::info!("answering from the built-in knowledge (set KNOWLEDGE_DIR to edit it)");
            None
        }
        Err(e) => {
            tracing::warn!(
                "not watching the knowledge folder for edits: {e}; use /knowledge reload"
            );
            None
        }
    }
}

/// The REST client, and the reqwest client replies are sent with (see [`rest`]). With
/// `DISCORD_API_BASE`, requests go there with serenity's rate limiter off: serenity applies
/// its proxy setting only without the limiter (serenity#1739); replies wait out 429s in
/// [`rest::Rest`] either way.
fn build_http(config: &Config) -> Result<(serenity::Http, reqwest::Client), ServeError> {
    let mut builder =
        serenity::HttpBuilder::new(&config.token).default_allowed_mentions(respond::no_pings());
    let mut client = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(std::time::Duration::from_secs(30));
    if let Some(base) = &config.api_base {
        builder = builder.proxy(base.clone()).ratelimiter_disabled(true);
        if is_loopback(base) {
            // reqwest honours HTTP_PROXY and does not skip loopback on its own.
            client = client.no_proxy();
        }
    }
    let client = client
        .build()
        .map_err(|_| ServeError::Unreachable("cannot set up the HTTP client".into()))?;
    if config.api_base.as_deref().is_some_and(is_loopback) {
        builder = builder.client(client.clone());
    }
    Ok((builder.build(), client))
}

fn is_loopback(base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base) else {
        return false;
    };
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The layer rules (no matcher here, commands and events apart) are checked for the
    // whole crate in tests/boundaries.rs.

    #[test]
    fn loopback_bases_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080"));
        assert!(is_loopback("http://localhost:1"));
        assert!(is_loopback("http://[::1]:9"));
        assert!(!is_loopback("https://discord-proxy.internal"));
        assert!(!is_loopback("not a url"));
    }

    #[test]
    fn a_401_or_gateway_close_4004_means_the_token_was_rejected() {
        let gateway = serenity::Error::Gateway(serenity::GatewayError::InvalidAuthentication);
        assert!(matches!(
            ServeError::from_serenity(&gateway),
            ServeError::TokenRejected
        ));
        let msg = ServeError::TokenRejected.to_string();
        assert!(msg.contains("DISCORD_TOKEN") && msg.contains(".env.example"));
    }
}
