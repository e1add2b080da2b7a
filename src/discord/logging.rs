//! What the bot logs, and what it never does: message text (health data) and tokens.
//!
//! The bot's own crate logs kinds, ids of knowledge entries, statuses and timings at every
//! level, never what a member wrote. Third-party crates are another matter: serenity's debug
//! spans carry interaction tokens in request routes and its trace output carries whole
//! gateway payloads (messages included); poise logs unrecognised prefix commands with their
//! text; the HTTP and WebSocket stacks log URLs and frames; the file watcher logs every
//! event. So those crates stay at `warn` whatever `RUST_LOG` says, unless it names them:
//! `RUST_LOG=debug` is safe to share, `RUST_LOG=debug,serenity=trace` is not.

use tracing_subscriber::EnvFilter;

/// The level when `RUST_LOG` is unset or empty.
pub const DEFAULT: &str = "info";

/// Crates whose verbose output can carry tokens, message text or whole payloads: held at
/// `warn` unless `RUST_LOG` names them.
pub const GUARDED: &[&str] = &[
    "serenity",
    "poise",
    "tungstenite",
    "tokio_tungstenite",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "notify",
    "notify_debouncer_full",
];

/// The filter directives for `rust_log` (the value of `RUST_LOG`): its own directives, then
/// `crate=warn` for every guarded crate it does not name.
pub fn directives(rust_log: Option<&str>) -> String {
    let given = rust_log.map(str::trim).filter(|s| !s.is_empty());
    let mut out = given.unwrap_or(DEFAULT).to_string();
    let named = |krate: &str| {
        given.is_some_and(|g| {
            g.split(',').any(|d| {
                let target = d.trim().split(['=', '[', ':']).next().unwrap_or_default();
                target == krate
            })
        })
    };
    for krate in GUARDED {
        if !named(krate) {
            out.push_str(&format!(",{krate}=warn"));
        }
    }
    out
}

/// The filter for `rust_log`; an unparsable `RUST_LOG` falls back to the default (and says so).
pub fn filter(rust_log: Option<&str>) -> EnvFilter {
    EnvFilter::try_new(directives(rust_log)).unwrap_or_else(|e| {
        eprintln!("RUST_LOG is not a valid filter ({e}); using the default");
        EnvFilter::new(directives(None))
    })
}

/// Log to stderr with the filter from `RUST_LOG`.
pub fn init() {
    let rust_log = std::env::var("RUST_LOG").ok();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(rust_log.as_deref()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Replace the default panic hook, which prints the panic's message (it can quote the text
/// being handled, e.g. "byte index 5 is not a char boundary ... of `<message>`"), with one
/// that logs only where the panic happened. Callers turn the panic into an error reply.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".to_string());
        tracing::error!(
            "internal error: a panic at {at} (message withheld: it may quote user text)"
        );
    }));
}

/// An error for the log: for a serenity error its status and method, never a URL
/// (interaction URLs carry interaction tokens) and never a message body; any other error as
/// it displays itself (the bot's own errors carry neither).
pub fn describe(e: &(dyn std::error::Error + Send + Sync + 'static)) -> String {
    use poise::serenity_prelude::{Error as SerenityError, HttpError};
    match e.downcast_ref::<SerenityError>() {
        Some(SerenityError::Http(HttpError::UnsuccessfulRequest(r))) => format!(
            "HTTP {} on {} ({})",
            r.status_code.as_u16(),
            r.method,
            r.error.message
        ),
        Some(SerenityError::Http(HttpError::Request(r))) => {
            let kind = if r.is_timeout() {
                "timed out"
            } else if r.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            match r.status() {
                Some(s) => format!("HTTP {} ({kind})", s.as_u16()),
                None => kind.to_string(),
            }
        }
        Some(other) => other.to_string(),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_crates_stay_at_warn_unless_named() {
        let d = directives(None);
        assert!(d.starts_with("info,"), "{d}");
        assert!(
            d.contains(",serenity=warn") && d.contains(",poise=warn"),
            "{d}"
        );
        let d = directives(Some("debug"));
        assert!(
            d.starts_with("debug,") && d.contains(",serenity=warn"),
            "{d}"
        );
        let d = directives(Some("debug,serenity::http=trace"));
        assert!(
            !d.contains(",serenity=warn") && d.contains(",poise=warn"),
            "{d}"
        );
        assert_eq!(directives(Some("  ")), directives(None));
    }
}
