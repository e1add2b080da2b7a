//! The matcher on the bundled knowledge: typos, slang, synonyms, paraphrases, out-of-scope
//! questions, invariance to pleasantries, and the team's own question set.

use std::path::Path;

use sciatica_bot::Engine;

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    match Engine::load(&dir) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("the bundled knowledge must load: {e}"),
    }
}

/// Prints the matcher's reasoning for the questions in `EXPLAIN` (one per line); a tuning
/// aid, run with `EXPLAIN=... cargo test --release --test matcher explain -- --ignored --nocapture`.
#[test]
#[ignore]
fn explain() {
    let e = engine();
    let qs = std::env::var("EXPLAIN").unwrap_or_default();
    for q in qs.lines().filter(|l| !l.trim().is_empty()) {
        println!("== {q}");
        let text = e.matcher().explain(q, 5);
        for line in text.lines() {
            let line = match line.strip_prefix("entry ") {
                Some(rest) => {
                    let (idx, tail) = rest.split_once(' ').unwrap_or((rest, ""));
                    let id = idx
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| e.knowledge().entries.get(i))
                        .map_or("?", |en| en.id.as_str());
                    format!("  {id} {tail}")
                }
                None => format!("  {line}"),
            };
            println!("{line}");
        }
    }
}
