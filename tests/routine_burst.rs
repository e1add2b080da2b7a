//! A burst of `/routine` sessions (the most one process keeps) is swept once idle, and the
//! memory it took is given back. Prints its figures (BENCHMARKS.md):
//! `cargo test --release --test routine_burst -- --nocapture`.

use std::path::Path;
use std::time::Duration;

use sciatica_bot::discord::sessions::Sessions;
use sciatica_bot::routine::unix_now;
use sciatica_bot::Engine;

/// Resident memory of this process, in KiB (Linux; `None` elsewhere).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_burst_of_routines_is_swept_when_idle_and_its_memory_returned() {
    const BURST: u64 = 10_000;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let engine = Engine::load(&dir).expect("knowledge").0;
    let routine = engine.knowledge().routines[0].clone();
    let idle = Duration::from_secs(600);
    let sessions = Sessions::new(idle);
    let now = unix_now();

    let before = rss_kib();
    for i in 0..BURST {
        // Each from a different member: the most the per-member limit lets through.
        sessions.start(i + 1, 1_000_000 + i, 42, routine.clone(), now);
    }
    assert_eq!(sessions.len(), BURST as usize);
    let peak = rss_kib();
    let swept = sessions.sweep(now + idle.as_secs() + 1);
    assert_eq!(swept, BURST as usize);
    assert!(sessions.is_empty());
    let after = rss_kib();

    if let (Some(before), Some(peak), Some(after)) = (before, peak, after) {
        println!(
            "routine burst: {BURST} sessions; RSS before {before} KiB, at peak {peak} KiB \
             (+{} KiB), after the sweep {after} KiB (+{} KiB)",
            peak.saturating_sub(before),
            after.saturating_sub(before)
        );
        let grown = peak.saturating_sub(before);
        assert!(
            after.saturating_sub(before) <= grown / 2 + 1024,
            "memory was not returned after the sweep: before {before}, peak {peak}, after {after} KiB"
        );
    }
}
