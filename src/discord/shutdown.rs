//! Graceful shutdown: the signal that starts it, and the count of replies in flight that it
//! waits for, so a member who asked just before a restart still gets an answer.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use tokio::sync::Notify;

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM (what systemd sends on stop).
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No way to listen for Ctrl-C: never resolve, rather than shut down at once.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received; shutting down"),
        () = term => tracing::info!("SIGTERM received; shutting down"),
    }
}

/// Counts events being handled. Cloning shares the count.
#[derive(Clone, Default)]
pub struct InFlight {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    count: AtomicUsize,
    idle: Notify,
}

/// Held while one event is handled; dropping it marks the event done.
pub struct Guard {
    inner: Arc<Inner>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.inner.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.inner.idle.notify_waiters();
        }
    }
}

impl InFlight {
    pub fn enter(&self) -> Guard {
        self.inner.count.fetch_add(1, Ordering::AcqRel);
        Guard {
            inner: Arc::clone(&self.inner),
        }
    }

    pub fn count(&self) -> usize {
        self.inner.count.load(Ordering::Acquire)
    }

    /// Wait until nothing is in flight, or `limit` passes. Returns how many were left.
    pub async fn drain(&self, limit: Duration) -> usize {
        let wait = async {
            loop {
                let idle = self.inner.idle.notified();
                if self.count() == 0 {
                    return;
                }
                idle.await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
        self.count()
    }
}

/// A serenity framework that counts every event it hands to the inner one as in flight.
pub struct Tracked<F> {
    pub inner: F,
    pub in_flight: InFlight,
}

#[serenity::async_trait]
impl<F: serenity::Framework> serenity::Framework for Tracked<F> {
    async fn init(&mut self, client: &serenity::Client) {
        self.inner.init(client).await;
    }

    async fn dispatch(&self, ctx: serenity::Context, event: serenity::FullEvent) {
        let _guard = self.in_flight.enter();
        self.inner.dispatch(ctx, event).await;
    }
}

/// Run `shutdown` then stop every shard; used by [`super::run`].
pub fn spawn_watcher(
    shutdown: impl Future<Output = ()> + Send + 'static,
    shards: Arc<serenity::ShardManager>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        shutdown.await;
        shards.shutdown_all().await;
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drain_returns_once_the_last_event_finishes() {
        let f = InFlight::default();
        let g1 = f.enter();
        let g2 = f.enter();
        let waiter = tokio::spawn({
            let f = f.clone();
            async move { f.drain(Duration::from_secs(10)).await }
        });
        drop(g1);
        drop(g2);
        assert_eq!(waiter.await.unwrap(), 0);
    }

    #[tokio::test]
    async fn drain_gives_up_after_its_limit_and_reports_what_is_left() {
        let f = InFlight::default();
        let _g = f.enter();
        assert_eq!(f.drain(Duration::from_millis(10)).await, 1);
    }
}
