//! Everything `serve` reads from the environment, checked up front with messages that name the
//! variable to fix and point at `.env.example`.

use std::fmt;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::{ChannelId, GuildId};

use super::cooldown::CooldownRule;
use super::rest::RetryPolicy;
use crate::conversation::State;
use crate::{Engine, Reply};

/// The answering function the bot calls for every question, with how it is read (on its own,
/// or after a crisis reply to the same member in the same channel).
pub type AnswerFn = fn(&Engine, State, &str) -> Reply;

/// Which shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardPlan {
    /// As many shards as Discord recommends (`GET /gateway/bot`), all in this process.
    Auto,
    /// Shards `first..=last` of `total`, for running one bot across several processes.
    Range { first: u32, last: u32, total: u32 },
}

/// The bot's settings. `Debug` never shows the token.
#[derive(Clone)]
pub struct Config {
    /// The bot token, without any `Bot ` prefix.
    pub token: String,
    /// Send REST (and so find the gateway) here instead of `https://discord.com`: an HTTP proxy
    /// such as twilight-http-proxy, or a fake Discord in tests. Plain `http://` is allowed.
    pub api_base: Option<String>,
    /// Register commands in this guild only (instant, for development); else globally.
    pub dev_guild_id: Option<GuildId>,
    /// Channels where every message is a question (needs the Message Content intent).
    pub ask_channel_ids: Vec<ChannelId>,
    /// Where a short note goes after every knowledge reload, good or bad.
    pub admin_log_channel_id: Option<ChannelId>,
    pub shards: ShardPlan,
    pub cooldown: CooldownRule,
    /// How long a `/routine` session may sit untouched before it closes.
    pub routine_idle_timeout: Duration,
    /// How long shutdown waits for replies in flight.
    pub drain_timeout: Duration,
    /// How long `/ask` waits for its answer before deferring (showing "thinking..."); Discord
    /// drops an interaction not acknowledged within 3 s. Zero: always defer first.
    pub defer_after: Duration,
    /// How long replies wait out rate limits, and the interaction window they must respect.
    pub retry: RetryPolicy,
    /// How often routine sessions that ended or sat idle too long are dropped.
    pub session_sweep_every: Duration,
    /// `UNANSWERED_LOG`: where unanswered questions are recorded (off when `None`).
    pub unanswered_log: Option<std::path::PathBuf>,
    /// `FEEDBACK_FILE`: where "Was this helpful?" counts are kept (in memory when `None`).
    pub feedback_file: Option<std::path::PathBuf>,
    /// The answering path: [`Engine::answer_in`]. Tests put a function here that panics, to
    /// check that every Discord path still replies when answering fails.
    pub answer: AnswerFn,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("api_base", &self.api_base)
            .field("dev_guild_id", &self.dev_guild_id)
            .field("ask_channel_ids", &self.ask_channel_ids)
            .field("admin_log_channel_id", &self.admin_log_channel_id)
            .field("shards", &self.shards)
            .field("cooldown", &self.cooldown)
            .field("routine_idle_timeout", &self.routine_idle_timeout)
            .field("retry", &self.retry)
            .field("unanswered_log", &self.unanswered_log)
            .field("feedback_file", &self.feedback_file)
            .finish_non_exhaustive()
    }
}

/// A setting that cannot work; the message says which variable to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "DISCORD_TOKEN is not set. Put your bot token in the environment or in a .env file \
         (copy .env.example to .env and fill it in; the README's Discord set-up section shows \
         where to find the token)."
    )]
    MissingToken,
    #[error(
        "DISCORD_TOKEN does not look like a bot token (a bot token has three parts separated by \
         dots; the client secret and the public key are not tokens). Copy the token from the \
         Bot page of your application in the Discord Developer Portal into DISCORD_TOKEN (see \
         .env.example)."
    )]
    MalformedToken,
    #[error("{var} = {value:?} is not a Discord id (a number like 123456789012345678); see .env.example")]
    BadId { var: &'static str, value: String },
    #[error("DISCORD_API_BASE = {0:?} must start with http:// or https:// (see .env.example)")]
    BadApiBase(String),
    #[error("{0} (see the sharding section of the README and .env.example)")]
    BadShards(String),
}

impl Config {
    /// Settings for `token` with every default: global commands, autosharding, no ask channels.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            api_base: None,
            dev_guild_id: None,
            ask_channel_ids: Vec::new(),
            admin_log_channel_id: None,
            shards: ShardPlan::Auto,
            cooldown: CooldownRule::default(),
            routine_idle_timeout: crate::routine::DEFAULT_IDLE_TIMEOUT,
            drain_timeout: Duration::from_secs(10),
            defer_after: Duration::from_millis(1500),
            retry: RetryPolicy::default(),
            session_sweep_every: Duration::from_secs(60),
            unanswered_log: None,
            feedback_file: None,
            answer: Engine::answer_in,
        }
    }

    /// Read the configuration from the environment (the CLI has already loaded `.env`).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Read the configuration through `get` (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let token = parse_token(get("DISCORD_TOKEN").as_deref())?;
        let mut config = Self::new(token);
        if let Some(base) = get("DISCORD_API_BASE") {
            if !(base.starts_with("http://") || base.starts_with("https://")) {
                return Err(ConfigError::BadApiBase(base));
            }
            config.api_base = Some(base.trim_end_matches('/').to_string());
        }
        config.dev_guild_id = get("DEV_GUILD_ID")
            .map(|v| parse_id("DEV_GUILD_ID", &v).map(GuildId::new))
            .transpose()?;
        config.admin_log_channel_id = get("ADMIN_LOG_CHANNEL_ID")
            .map(|v| parse_id("ADMIN_LOG_CHANNEL_ID", &v).map(ChannelId::new))
            .transpose()?;
        if let Some(list) = get("ASK_CHANNEL_IDS") {
            config.ask_channel_ids = list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|v| parse_id("ASK_CHANNEL_IDS", v).map(ChannelId::new))
                .collect::<Result<_, _>>()?;
        }
        config.shards = parse_shards(get("SHARD_RANGE").as_deref(), get("SHARD_TOTAL").as_deref())?;
        config.unanswered_log = get("UNANSWERED_LOG").map(Into::into);
        config.feedback_file = get("FEEDBACK_FILE").map(Into::into);
        Ok(config)
    }

    /// The gateway intents: guild and direct messages (for mentions and DMs, which Discord
    /// delivers with their text without any privileged intent), plus the privileged Message
    /// Content intent only when ask channels need it.
    pub fn intents(&self) -> serenity::GatewayIntents {
        let mut intents =
            serenity::GatewayIntents::GUILD_MESSAGES | serenity::GatewayIntents::DIRECT_MESSAGES;
        if !self.ask_channel_ids.is_empty() {
            intents |= serenity::GatewayIntents::MESSAGE_CONTENT;
        }
        intents
    }
}

fn parse_token(raw: Option<&str>) -> Result<String, ConfigError> {
    let raw = raw.ok_or(ConfigError::MissingToken)?;
    // People paste tokens with quotes or with the "Bot " prefix of the HTTP header.
    let token = raw.trim_matches(|c| c == '"' || c == '\'').trim();
    let token = token.strip_prefix("Bot ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err(ConfigError::MissingToken);
    }
    if token.chars().any(char::is_whitespace) || serenity::validate_token(token).is_err() {
        return Err(ConfigError::MalformedToken);
    }
    Ok(token.to_string())
}

fn parse_id(var: &'static str, value: &str) -> Result<u64, ConfigError> {
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n != 0)
        .ok_or_else(|| ConfigError::BadId {
            var,
            value: value.to_string(),
        })
}

/// `SHARD_TOTAL=N` alone runs all N shards here; with `SHARD_RANGE=A-B` (or a single `A`) this
/// process runs shards A to B inclusive. Neither: autosharding.
fn parse_shards(range: Option<&str>, total: Option<&str>) -> Result<ShardPlan, ConfigError> {
    let bad = |m: String| ConfigError::BadShards(m);
    let Some(total) = total else {
        return match range {
            None => Ok(ShardPlan::Auto),
            Some(_) => Err(bad("SHARD_RANGE is set but SHARD_TOTAL is not".into())),
        };
    };
    let total: u32 = total.parse().ok().filter(|&t| t > 0).ok_or_else(|| {
        bad(format!(
            "SHARD_TOTAL = {total:?} must be a whole number above 0"
        ))
    })?;
    let (first, last) = match range {
        None => (0, total - 1),
        Some(r) => {
            let num = |s: &str| s.trim().parse::<u32>().ok();
            let parsed = match r.split_once('-') {
                Some((a, b)) => num(a).zip(num(b)),
                None => num(r).map(|a| (a, a)),
            };
            parsed.ok_or_else(|| {
                bad(format!(
                    "SHARD_RANGE = {r:?} must be a shard number or a range like 0-3"
                ))
            })?
        }
    };
    if first > last || last >= total {
        return Err(bad(format!(
            "shards {first}-{last} do not fit SHARD_TOTAL = {total} (shard numbers run from 0 to {})",
            total - 1
        )));
    }
    Ok(ShardPlan::Range { first, last, total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOKEN: &str = "MTIzNDU2Nzg5.Gabcde.fake-token-for-tests";

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn a_missing_or_blank_token_names_discord_token_and_the_example_file() {
        for vars in [&[][..], &[("DISCORD_TOKEN", "  ")][..]] {
            let err = config(vars).unwrap_err();
            assert_eq!(err, ConfigError::MissingToken);
            let msg = err.to_string();
            assert!(
                msg.contains("DISCORD_TOKEN") && msg.contains(".env.example"),
                "{msg}"
            );
        }
    }

    #[test]
    fn something_that_is_not_a_bot_token_is_refused_without_echoing_it() {
        let err = config(&[("DISCORD_TOKEN", "s3cr3t-client-secret")]).unwrap_err();
        assert_eq!(err, ConfigError::MalformedToken);
        let msg = err.to_string();
        assert!(msg.contains("DISCORD_TOKEN") && msg.contains(".env.example"));
        assert!(!msg.contains("s3cr3t"));
    }

    #[test]
    fn quotes_and_a_bot_prefix_around_the_token_are_forgiven() {
        let c = config(&[("DISCORD_TOKEN", &format!("\"Bot {TOKEN}\""))]).unwrap();
        assert_eq!(c.token, TOKEN);
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let c = config(&[("DISCORD_TOKEN", TOKEN)]).unwrap();
        assert!(!format!("{c:?}").contains("fake-token"));
    }

    #[test]
    fn defaults_are_global_commands_autosharding_and_no_privileged_intent() {
        let c = config(&[("DISCORD_TOKEN", TOKEN)]).unwrap();
        assert_eq!(c.shards, ShardPlan::Auto);
        assert!(c.dev_guild_id.is_none() && c.api_base.is_none());
        assert!(!c
            .intents()
            .contains(serenity::GatewayIntents::MESSAGE_CONTENT));
    }

    #[test]
    fn ask_channels_are_parsed_and_turn_on_the_message_content_intent() {
        let c = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("ASK_CHANNEL_IDS", "111, 222 333"),
        ])
        .unwrap();
        assert_eq!(
            c.ask_channel_ids,
            vec![
                ChannelId::new(111),
                ChannelId::new(222),
                ChannelId::new(333)
            ]
        );
        assert!(c
            .intents()
            .contains(serenity::GatewayIntents::MESSAGE_CONTENT));
    }

    #[test]
    fn a_bad_id_names_its_variable() {
        let err = config(&[("DISCORD_TOKEN", TOKEN), ("DEV_GUILD_ID", "my-server")]).unwrap_err();
        assert!(err.to_string().contains("DEV_GUILD_ID"));
        let err = config(&[("DISCORD_TOKEN", TOKEN), ("ASK_CHANNEL_IDS", "1,x")]).unwrap_err();
        assert!(err.to_string().contains("ASK_CHANNEL_IDS"));
    }

    #[test]
    fn the_api_base_must_be_http_and_loses_its_trailing_slash() {
        let c = config(&[
            ("DISCORD_TOKEN", TOKEN),
            ("DISCORD_API_BASE", "http://127.0.0.1:3000/"),
        ])
        .unwrap();
        assert_eq!(c.api_base.as_deref(), Some("http://127.0.0.1:3000"));
        assert!(config(&[("DISCORD_TOKEN", TOKEN), ("DISCORD_API_BASE", "127.0.0.1")]).is_err());
    }

    #[test]
    fn shard_settings_select_a_range_of_a_total() {
        assert_eq!(
            parse_shards(Some("2-3"), Some("8")),
            Ok(ShardPlan::Range {
                first: 2,
                last: 3,
                total: 8
            })
        );
        assert_eq!(
            parse_shards(Some("5"), Some("8")),
            Ok(ShardPlan::Range {
                first: 5,
                last: 5,
                total: 8
            })
        );
        assert_eq!(
            parse_shards(None, Some("4")),
            Ok(ShardPlan::Range {
                first: 0,
                last: 3,
                total: 4
            })
        );
        assert_eq!(parse_shards(None, None), Ok(ShardPlan::Auto));
        for (r, t) in [
            (Some("3-2"), Some("8")),
            (Some("0-8"), Some("8")),
            (Some("0-1"), None),
            (None, Some("0")),
            (Some("a-b"), Some("2")),
        ] {
            assert!(parse_shards(r, t).is_err(), "{r:?} {t:?}");
        }
    }
}
