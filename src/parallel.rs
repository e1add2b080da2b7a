//! Two independent pieces of work side by side on a scoped thread: a load takes the slower
//! of them, not their sum. Without a thread to be had, they run one after the other; a panic
//! in either reaches the caller as if both had run on its thread.

/// Run `beside` on another thread while `here` runs on this one; both results.
pub(crate) fn side_by_side<A: Send, B>(
    beside: impl Fn() -> A + Sync,
    here: impl FnOnce() -> B,
) -> (A, B) {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new().spawn_scoped(s, &beside);
        let b = here();
        let a = match handle {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => beside(),
        };
        (a, b)
    })
}
