//! The matcher on the bundled knowledge: typos, slang, synonyms, paraphrases, out-of-scope
//! questions, invariance to pleasantries, and the team's own question set.

use std::path::Path;

use sciatica_bot::Engine;

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    engine_from(&dir)
}

fn engine_from(dir: &Path) -> Engine {
    match Engine::load(dir) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("the bundled knowledge must load: {e}"),
    }
}

/// Prints the matcher's reasoning for the questions in `EXPLAIN` (one per line); a tuning
/// aid, run with `EXPLAIN=... cargo test --release --test matcher explain -- --ignored --nocapture`.
#[test]
#[ignore]
fn explain() {
    let e = match std::env::var_os("EXPLAIN_KNOWLEDGE") {
        Some(dir) => engine_from(Path::new(&dir)),
        None => engine(),
    };
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

/// Writes, for each question of the JSONL file in `DUMP`, the matcher's top candidates with
/// their score parts and reply text, as JSON lines on stdout: a tuning aid for the confidence
/// formula, run with `DUMP=tests/questions.jsonl cargo test --release --test matcher dump --
/// --ignored --nocapture`.
#[test]
#[ignore]
fn dump() {
    let e = match std::env::var_os("EXPLAIN_KNOWLEDGE") {
        Some(dir) => engine_from(Path::new(&dir)),
        None => engine(),
    };
    let Ok(path) = std::env::var("DUMP") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let q = row["q"].as_str().unwrap_or_default();
        let mut cands = Vec::new();
        for l in e.matcher().explain(q, 12).lines() {
            let Some(rest) = l.strip_prefix("entry ") else {
                continue;
            };
            let nums: Vec<f64> = rest
                .split(|c: char| c == ' ' || c == '=')
                .filter_map(|t| t.parse().ok())
                .collect();
            let idx = nums.first().copied().unwrap_or(0.0) as usize;
            let Some(entry) = e.knowledge().entries.get(idx) else {
                continue;
            };
            cands.push(serde_json::json!({
                "id": entry.id,
                "score": nums.get(1),
                "cover": nums.get(2),
                "fit": nums.get(3),
                "bm25": nums.get(4),
                "carried": !rest.contains("no carrier"),
                "text": e.composer().answer(entry, 1.0).text(),
            }));
        }
        println!(
            "DUMP {}",
            serde_json::json!({"row": row, "cands": cands, "explain": e.matcher().explain(q, 0)})
        );
    }
}
