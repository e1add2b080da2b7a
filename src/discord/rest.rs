//! Sending to Discord's REST API so that a rate limit (429) delays a reply instead of losing it.
//!
//! Every reply the bot sends goes through [`Rest::send`], in production and against a proxy or
//! a fake alike, so the path the tests drive is the path members get. A 429 is waited out for
//! as long as Discord says (the `retry_after` of the JSON body, with or without `code`, or the
//! `Retry-After` / `X-RateLimit-Reset-After` headers) and retried; a global 429 holds every
//! other reply back too. A 5xx is retried once. When the wait would pass an interaction's
//! 3-second window, `send` returns [`SendError::Late`] without waiting, so the caller can defer
//! the interaction first (the deferral keeps it alive for 15 minutes) and send the reply as a
//! follow-up once the limit lifts. Interaction responses and their follow-ups are not held by
//! a global limit, as Discord exempts them from it.
//!
//! serenity's own rate limiter is bypassed for these requests on purpose: it reads only
//! headers, cannot tell a caller that a wait would be too long, and is switched off anyway when
//! `DISCORD_API_BASE` is set (serenity#1739).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use poise::serenity_prelude as serenity;
use serenity::{LightMethod, Route};

/// How long replies may wait and retry.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Most time one reply waits on rate limits in all before it is given up.
    pub max_wait: Duration,
    /// Most attempts for one request.
    pub max_attempts: u32,
    /// How long after an interaction arrives its first response may still be sent: Discord
    /// drops an interaction not acknowledged within 3 s, less the time the request takes.
    pub interaction_window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_wait: Duration::from_secs(60),
            max_attempts: 10,
            interaction_window: Duration::from_millis(2500),
        }
    }
}

/// What Discord said in a 429.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimited {
    pub retry_after: Duration,
    /// The whole bot is limited, not just this route.
    pub global: bool,
}

/// Why a request was not delivered. Never holds a URL (interaction URLs carry tokens) or a
/// message body.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Rate limited for longer than the deadline allows; nothing was sent.
    #[error("rate limited for {:.1} s, past the interaction's window", .0.retry_after.as_secs_f64())]
    Late(RateLimited),
    #[error("HTTP {status} from Discord{}", code.map(|c| format!(" (code {c})")).unwrap_or_default())]
    Status { status: u16, code: Option<i64> },
    #[error("rate limited for longer than replies wait ({0:.0} s)")]
    GaveUp(f64),
    #[error("{0}")]
    Transport(&'static str),
}

/// The REST sender every reply goes through; one per bot.
pub struct Rest {
    client: reqwest::Client,
    policy: RetryPolicy,
    /// Until when a global 429 holds every request back.
    global_until: Mutex<Option<Instant>>,
}

impl Rest {
    pub fn new(client: reqwest::Client, policy: RetryPolicy) -> Self {
        Self {
            client,
            policy,
            global_until: Mutex::new(None),
        }
    }

    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Send `body` as JSON to `route`, waiting out rate limits; `deadline` is when the wait
    /// would be too late (an interaction's first response).
    pub async fn send(
        &self,
        http: &serenity::Http,
        route: Route<'_>,
        method: LightMethod,
        body: &impl serde::Serialize,
        deadline: Option<Instant>,
    ) -> Result<(), SendError> {
        let body = serde_json::to_vec(body).map_err(|_| SendError::Transport("bad body"))?;
        let mut waited = Duration::ZERO;
        let mut server_errors = 0;
        // Discord: interaction endpoints are not bound to the global rate limit.
        let exempt = matches!(
            route,
            Route::InteractionResponse { .. }
                | Route::WebhookFollowupMessages { .. }
                | Route::WebhookOriginalInteractionResponse { .. }
        );
        for _ in 0..self.policy.max_attempts {
            if let Some(until) = self.global_wait().filter(|_| !exempt) {
                let wait = until.saturating_duration_since(Instant::now());
                self.wait(&mut waited, wait, true, deadline).await?;
            }
            let bad = |_| SendError::Transport("could not build the request");
            let request = serenity::Request::new(route, method)
                .body(Some(body.clone()))
                .build(&self.client, http.token(), http.proxy.as_deref())
                .map_err(|_| SendError::Transport("could not build the request"))?
                .build()
                .map_err(bad)?;
            let response = self
                .client
                .execute(request)
                .await
                .map_err(|e| SendError::Transport(transport(&e)))?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap_or_default();
            if status.as_u16() == 429 {
                let limit = rate_limit(&headers, &bytes);
                if limit.global {
                    self.hold_all(limit.retry_after);
                }
                tracing::warn!(
                    route = route_name(&route),
                    retry_after = limit.retry_after.as_secs_f64(),
                    global = limit.global,
                    "rate limited by Discord; waiting"
                );
                self.wait(&mut waited, limit.retry_after, limit.global, deadline)
                    .await?;
                continue;
            }
            if status.is_server_error() && server_errors == 0 {
                server_errors += 1;
                tracing::warn!(
                    route = route_name(&route),
                    status = status.as_u16(),
                    "Discord server error; retrying once"
                );
                continue;
            }
            return Err(SendError::Status {
                status: status.as_u16(),
                code: serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v["code"].as_i64()),
            });
        }
        Err(SendError::GaveUp(waited.as_secs_f64()))
    }

    /// Sleep `wait` unless it would pass `deadline` or the total allowed.
    async fn wait(
        &self,
        waited: &mut Duration,
        wait: Duration,
        global: bool,
        deadline: Option<Instant>,
    ) -> Result<(), SendError> {
        if deadline.is_some_and(|d| Instant::now() + wait > d) {
            return Err(SendError::Late(RateLimited {
                retry_after: wait,
                global,
            }));
        }
        if *waited + wait > self.policy.max_wait {
            return Err(SendError::GaveUp((*waited + wait).as_secs_f64()));
        }
        *waited += wait;
        tokio::time::sleep(wait).await;
        Ok(())
    }

    fn global_wait(&self) -> Option<Instant> {
        let until = *self.global_until.lock().unwrap_or_else(|p| p.into_inner());
        until.filter(|&u| u > Instant::now())
    }

    fn hold_all(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut g = self.global_until.lock().unwrap_or_else(|p| p.into_inner());
        if g.is_none_or(|g| g < until) {
            *g = Some(until);
        }
    }
}

/// The wait a 429 asks for: the longest of the body's `retry_after` and the `Retry-After` and
/// `X-RateLimit-Reset-After` headers (seconds, whole or fractional); one second if none is
/// readable. Global when the body or `X-RateLimit-Global` / `X-RateLimit-Scope` says so.
pub fn rate_limit(headers: &reqwest::header::HeaderMap, body: &[u8]) -> RateLimited {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let seconds = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let waits = [
        json["retry_after"].as_f64(),
        header("retry-after").and_then(seconds),
        header("x-ratelimit-reset-after").and_then(seconds),
    ];
    let retry_after = waits
        .into_iter()
        .flatten()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .fold(None, |max: Option<f64>, v| {
            Some(max.map_or(v, |m| m.max(v)))
        })
        .unwrap_or(1.0);
    let global = json["global"].as_bool() == Some(true)
        || header("x-ratelimit-global").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || header("x-ratelimit-scope").is_some_and(|v| v.eq_ignore_ascii_case("global"));
    RateLimited {
        retry_after: Duration::from_secs_f64(retry_after.min(3600.0)),
        global,
    }
}

/// A route for the log: its kind, never its path (interaction paths carry tokens).
fn route_name(route: &Route<'_>) -> &'static str {
    match route {
        Route::InteractionResponse { .. } => "interaction response",
        Route::WebhookFollowupMessages { .. } => "follow-up",
        Route::WebhookOriginalInteractionResponse { .. } => "edit of the original response",
        Route::ChannelMessages { .. } => "channel message",
        _ => "other",
    }
}

/// A transport failure for the log, without the URL reqwest would print.
fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_body_retry_after_is_read_with_or_without_a_code() {
        for body in [
            r#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#,
            r#"{"message":"You are being rate limited.","retry_after":0.25,"global":false,"code":0}"#,
        ] {
            assert_eq!(
                rate_limit(&HeaderMap::new(), body.as_bytes()),
                RateLimited {
                    retry_after: Duration::from_millis(250),
                    global: false
                }
            );
        }
    }

    #[test]
    fn headers_alone_give_the_wait_and_the_scope() {
        let h = headers(&[
            ("retry-after", "2"),
            ("x-ratelimit-reset-after", "1.5"),
            ("x-ratelimit-scope", "user"),
        ]);
        assert_eq!(
            rate_limit(&h, b""),
            RateLimited {
                retry_after: Duration::from_secs(2),
                global: false
            }
        );
        let h = headers(&[("x-ratelimit-global", "true"), ("retry-after", "1")]);
        assert!(rate_limit(&h, b"not json").global);
        let h = headers(&[("x-ratelimit-scope", "global")]);
        assert!(rate_limit(&h, b"").global);
        assert!(rate_limit(&HeaderMap::new(), br#"{"retry_after":1,"global":true}"#).global);
    }

    #[test]
    fn an_unreadable_429_waits_one_second() {
        assert_eq!(
            rate_limit(&headers(&[("retry-after", "soon")]), b"<html>").retry_after,
            Duration::from_secs(1)
        );
    }
}
