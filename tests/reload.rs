//! Live reload: atomic swaps under concurrent questions, file watching without restart, and
//! a folder that is renamed or deleted and comes back.

#[path = "fixtures/log_capture.rs"]
mod log_capture;
#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sciatica_bot::store::{KnowledgeStore, ReloadOutcome};
use support::*;

/// Generous: a loaded CI machine can be slow; the watcher normally reacts in well under a
/// second (see knowledge/README.md).
const PATIENCE: Duration = Duration::from_secs(30);

fn open(kb: &Kb) -> Arc<KnowledgeStore> {
    Arc::new(KnowledgeStore::open(&kb.dir()).expect("the bundled knowledge loads"))
}

fn probe(store: &KnowledgeStore) -> Option<String> {
    probe_version(&store.engine().answer(PROBE_QUESTION)).map(str::to_string)
}

/// Watch `store`, sending every outcome to the returned channel.
fn watch(
    store: &Arc<KnowledgeStore>,
) -> (sciatica_bot::store::WatchHandle, Receiver<ReloadOutcome>) {
    let (tx, rx) = mpsc::channel();
    let handle = store
        .watch(move |o| {
            let _ = tx.send(o.clone());
        })
        .expect("watch the folder");
    (handle, rx)
}

/// Wait for an outcome that satisfies `want`, skipping others (an editor may cause an
/// intermediate reload). Panics after [`PATIENCE`].
fn wait_for(rx: &Receiver<ReloadOutcome>, want: impl Fn(&ReloadOutcome) -> bool) -> ReloadOutcome {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(o) if want(&o) => return o,
            Ok(_) => continue,
            Err(e) => panic!("no matching reload within {PATIENCE:?}: {e}"),
        }
    }
}

#[test]
fn questions_during_reloads_never_fail_and_never_mix_two_versions() {
    let kb = Kb::new();
    kb.set_disclaimer("Not medical advice (disclaimer version one).");
    let store = open(&kb);
    let stop = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(AtomicUsize::new(0));
    let askers: Vec<_> = (0..6)
        .map(|_| {
            let (store, stop, asked) = (Arc::clone(&store), Arc::clone(&stop), Arc::clone(&asked));
            std::thread::spawn(move || {
                let mut seen = std::collections::HashSet::new();
                while !stop.load(Ordering::Relaxed) {
                    let reply = store.engine().answer(PROBE_QUESTION);
                    let version = probe_version(&reply)
                        .unwrap_or_else(|| panic!("the probe was not answered: {}", reply.text()))
                        .to_string();
                    assert!(
                        reply.disclaimer.contains(&format!("disclaimer {version}")),
                        "answer from {version} with disclaimer {:?}",
                        reply.disclaimer
                    );
                    assert!(reply.text().ends_with(&reply.disclaimer));
                    seen.insert(version);
                    asked.fetch_add(1, Ordering::Relaxed);
                }
                seen
            })
        })
        .collect();
    for round in 0..6 {
        let version = if round % 2 == 0 {
            "version two"
        } else {
            "version one"
        };
        kb.set_probe(version);
        kb.set_disclaimer(&format!("Not medical advice (disclaimer {version})."));
        let outcome = store.reload();
        assert!(outcome.is_ok(), "{}", outcome.summary());
        // Every asker sees the new version from the moment the swap is done.
        assert_eq!(probe(&store).as_deref(), Some(version));
    }
    stop.store(true, Ordering::Relaxed);
    let mut seen = std::collections::HashSet::new();
    for a in askers {
        seen.extend(a.join().expect("no asker panicked"));
    }
    assert!(asked.load(Ordering::Relaxed) > 0);
    assert!(
        seen.contains("version one") && seen.contains("version two"),
        "{seen:?}"
    );
}

#[test]
fn an_edit_is_picked_up_by_the_watcher_without_a_restart() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    let started = Instant::now();
    kb.set_probe("version two");
    wait_for(&rx, ReloadOutcome::is_ok);
    eprintln!("watch reload latency: {:?}", started.elapsed());
    assert_eq!(probe(&store).as_deref(), Some("version two"));
}

#[test]
fn an_editor_style_save_through_a_temp_file_and_rename_is_picked_up() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    let tmp = kb.path(".zz_probe.toml.tmp");
    std::fs::write(&tmp, probe_toml("version two")).expect("write temp");
    std::fs::rename(&tmp, kb.path(PROBE_FILE)).expect("rename over");
    wait_for(&rx, |o| o.is_ok());
    assert_eq!(probe(&store).as_deref(), Some("version two"));
}

#[test]
fn a_bad_edit_seen_by_the_watcher_is_reported_and_the_old_knowledge_stays() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    let text = probe_toml("version two").replace("title = \"Reload probe\"\n", "");
    kb.write(PROBE_FILE, &text);
    let outcome = wait_for(&rx, |o| !o.is_ok());
    let summary = outcome.summary();
    assert!(!summary.contains('\n'), "one line: {summary}");
    let expected = format!("{PROBE_FILE}:{}:1", line_of(&text, "[[faq]]"));
    assert!(summary.contains(&expected), "{summary}");
    assert_eq!(probe(&store).as_deref(), Some("version one"));
    let status = store.engine().composer().status(&store.status(), &[]).body;
    assert!(status.contains("Last reload: FAILED"), "{status}");
    assert!(status.contains(&expected), "{status}");

    // Fixing the file brings the new version in and clears the error.
    kb.set_probe("version three");
    wait_for(&rx, |o| o.is_ok());
    assert_eq!(probe(&store).as_deref(), Some("version three"));
    assert!(store.status().last_error.is_none());
    assert!(store
        .engine()
        .composer()
        .status(&store.status(), &[])
        .body
        .contains("Last reload: ok"));
}

#[test]
fn a_deleted_folder_keeps_the_last_knowledge_and_its_return_is_picked_up() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    std::fs::remove_dir_all(kb.dir()).expect("delete the folder");
    let outcome = wait_for(&rx, |o| !o.is_ok());
    assert!(
        outcome
            .summary()
            .contains("cannot open the knowledge folder"),
        "{}",
        outcome.summary()
    );
    assert_eq!(probe(&store).as_deref(), Some("version one"));

    // Recreated as a deploy would: a new folder, filled, then put in place.
    let fresh = kb.tmp.path().join("knowledge.new");
    copy_dir(std::path::Path::new(BUNDLED), &fresh);
    std::fs::write(fresh.join(PROBE_FILE), probe_toml("version two")).expect("probe");
    std::fs::rename(&fresh, kb.dir()).expect("put the folder back");
    back_in_service_and_watched(&kb, &store, &rx);
}

#[test]
fn a_folder_renamed_away_and_back_is_watched_again() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    let away = kb.tmp.path().join("knowledge.old");
    std::fs::rename(kb.dir(), &away).expect("rename away");
    wait_for(&rx, |o| !o.is_ok());
    assert_eq!(probe(&store).as_deref(), Some("version one"));
    std::fs::write(away.join(PROBE_FILE), probe_toml("version two")).expect("edit while away");
    std::fs::rename(&away, kb.dir()).expect("rename back");
    back_in_service_and_watched(&kb, &store, &rx);
}

/// The folder is back in place holding "version two": that is served, and the watch is on
/// the folder now in place, so a later edit is picked up too.
fn back_in_service_and_watched(kb: &Kb, store: &KnowledgeStore, rx: &Receiver<ReloadOutcome>) {
    wait_for(rx, ReloadOutcome::is_ok);
    assert_eq!(probe(store).as_deref(), Some("version two"));
    kb.set_probe("version three");
    wait_for(rx, ReloadOutcome::is_ok);
    assert_eq!(probe(store).as_deref(), Some("version three"));
}

#[test]
fn dropping_the_watch_handle_stops_the_watcher() {
    let kb = Kb::new();
    let store = open(&kb);
    let (handle, rx) = watch(&store);
    drop(handle);
    // The watcher thread has ended and dropped the callback (and so its sender).
    assert!(matches!(
        rx.recv_timeout(PATIENCE),
        Err(mpsc::RecvTimeoutError::Disconnected)
    ));
    assert_eq!(probe(&store).as_deref(), Some("version one"));
}

#[test]
fn a_save_that_changes_nothing_does_not_reload() {
    let kb = Kb::new();
    let store = open(&kb);
    assert!(store.reload_if_changed().is_none());
    kb.set_probe("version one");
    assert!(store.reload_if_changed().is_none(), "same bytes, no reload");
    kb.set_probe("version two");
    let outcome = store.reload_if_changed().expect("changed bytes reload");
    assert!(outcome.is_ok());
    assert_eq!(probe(&store).as_deref(), Some("version two"));
}

#[test]
fn status_renders_counts_time_and_warnings_in_plain_text() {
    let kb = Kb::new();
    let store = open(&kb);
    let text = store.engine().composer().status(&store.status(), &[]).body;
    let k = store.engine();
    let faqs = k.knowledge().count(sciatica_bot::knowledge::EntryKind::Faq);
    assert!(
        text.starts_with(&format!("In service: {faqs} FAQ, ")),
        "{text}"
    );
    assert!(text.contains("Loaded: ") && text.contains(" UTC"), "{text}");
    assert!(text.contains("Last reload: ok"), "{text}");
    assert!(text.chars().count() < 3500, "fits in one Discord message");
}

#[test]
fn a_broken_folder_is_not_rejected_again_until_it_changes() {
    let kb = Kb::new();
    let store = open(&kb);
    kb.write(PROBE_FILE, "[[faq]\nbroken");
    let first = store.reload_if_changed().expect("the broken edit is tried");
    assert!(!first.is_ok());
    // A touch, a swap file, a save without edits: the same bytes fail the same way, so the
    // admins are not told again.
    kb.write(PROBE_FILE, "[[faq]\nbroken");
    assert!(store.reload_if_changed().is_none());
    assert!(
        store.status().last_error.is_some(),
        "the failure stays in the status"
    );
    kb.set_probe("version two");
    assert!(store.reload_if_changed().expect("the fix is tried").is_ok());
    assert_eq!(probe(&store).as_deref(), Some("version two"));
}

#[test]
fn a_sub_folder_with_a_dot_in_its_name_moved_out_is_noticed() {
    let kb = Kb::new();
    std::fs::remove_file(kb.path(PROBE_FILE)).expect("move the probe");
    kb.write("extra.d/probe.toml", probe_toml("version one"));
    let store = open(&kb);
    assert_eq!(probe(&store).as_deref(), Some("version one"));
    let (_watch, rx) = watch(&store);
    // One event, for `extra.d` itself; its files are gone from the folder all the same.
    std::fs::rename(kb.path("extra.d"), kb.tmp.path().join("extra.d")).expect("move out");
    wait_for(&rx, ReloadOutcome::is_ok);
    assert_eq!(probe(&store), None);
}

#[test]
fn an_edit_is_picked_up_while_other_files_in_the_folder_keep_changing() {
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    // Something writing into the folder all the time (a log kept next to the knowledge).
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, busy) = (Arc::clone(&stop), kb.path("activity.log"));
        std::thread::spawn(move || {
            let mut writes = 0;
            while !stop.load(Ordering::Relaxed) && writes < 1000 {
                std::fs::write(&busy, format!("{writes}\n")).expect("write");
                writes += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            stop.load(Ordering::Relaxed)
        })
    };
    kb.set_probe("version two");
    wait_for(&rx, ReloadOutcome::is_ok);
    stop.store(true, Ordering::Relaxed);
    let stopped_by_us = writer.join().expect("writer");
    assert!(
        stopped_by_us,
        "the reload came only once the folder fell quiet"
    );
    assert_eq!(probe(&store).as_deref(), Some("version two"));
}

#[test]
fn files_written_beside_the_folder_are_not_watched_even_at_trace_level() {
    // Everything at trace, the file-watching crates included, as `RUST_LOG=trace` would.
    let logs = log_capture::install(tracing_subscriber::EnvFilter::new("trace"));
    let kb = Kb::new();
    let store = open(&kb);
    let (_watch, rx) = watch(&store);
    // A log kept in the folder's parent, written all the time.
    let beside = kb.tmp.path().join("bot-beside-the-knowledge.log");
    for i in 0..50 {
        std::fs::write(&beside, format!("{i}\n")).expect("write beside");
        std::thread::sleep(Duration::from_millis(5));
    }
    // An edit in the folder is still picked up, so the watcher was running all along.
    kb.set_probe("version two");
    wait_for(&rx, ReloadOutcome::is_ok);
    assert_eq!(
        logs.lines_with("bot-beside-the-knowledge"),
        Vec::<String>::new(),
        "the watcher saw files beside the knowledge folder"
    );
}
