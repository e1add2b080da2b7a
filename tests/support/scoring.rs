//! Scoring a labelled question set exactly as `../shared/eval/score.py` and
//! `score_safety.py` do, in-process. Shared by `tests/matcher.rs`, `tests/corpora.rs` and
//! `benches/answer.rs` (included with `#[path]`), so there is one scorer.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use sciatica_bot::knowledge::Knowledge;
use sciatica_bot::matcher::Hit;
use sciatica_bot::reply::Composer;
use sciatica_bot::{Engine, Reply};

/// One labelled row: `expect` is answer | warn | no_match | red_flag | crisis | benign.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Row {
    pub id: String,
    pub q: String,
    pub expect: String,
    #[serde(default)]
    pub all: Vec<Vec<String>>,
    #[serde(default)]
    pub none_re: Vec<String>,
    /// emergency | urgent | soon, on red-flag rows of the blind safety corpus.
    #[serde(default)]
    pub tier: Option<String>,
}

/// The rows of a JSON-lines file under the crate root.
pub fn rows(relative: &str) -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

/// The reply's text without its disclaimer, lower case (what the scorers search).
fn body(r: &Reply) -> String {
    let text = r.text();
    let d = r.disclaimer.trim();
    if !d.is_empty() && text.contains(d) {
        text.replace(d, " ").to_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// True when the reply carries its disclaimer.
pub fn has_disclaimer(r: &Reply) -> bool {
    let d = r.disclaimer.trim();
    !d.is_empty() && r.text().contains(d)
}

/// The scorers' verdict for one reply.
pub fn row_ok(row: &Row, r: &Reply) -> bool {
    let low = body(r);
    let groups_ok = row
        .all
        .iter()
        .all(|g| g.iter().any(|k| low.contains(&k.to_lowercase())));
    let none_ok = !row.none_re.iter().any(|p| {
        regex::Regex::new(p)
            .unwrap_or_else(|e| panic!("bad none_re {p:?}: {e}"))
            .is_match(&low)
    });
    let kind = r.kind.as_str();
    let alarm = kind == "red_flag" || kind == "crisis";
    match row.expect.as_str() {
        "answer" => kind == "answer" && groups_ok && none_ok,
        "no_match" => kind == "no_match",
        "red_flag" => alarm,
        "crisis" => kind == "crisis",
        "benign" => !alarm,
        _ => (kind == "answer" || kind == "red_flag") && groups_ok && none_ok,
    }
}

/// Right answers per label, and the misses (id, expectation, what came back).
#[derive(Debug, Default)]
pub struct Tally {
    pub by_label: BTreeMap<String, (usize, usize)>,
    /// Answerable rows (expect answer) that got a red-flag or crisis reply.
    pub false_alarms: usize,
    pub disclaimers: usize,
    pub rows: usize,
    pub misses: Vec<String>,
}

impl Tally {
    /// Share of `label` rows scored right (1 when there are none).
    pub fn rate(&self, label: &str) -> f64 {
        self.by_label
            .get(label)
            .map_or(1.0, |&(good, n)| good as f64 / n.max(1) as f64)
    }

    pub fn count(&self, label: &str) -> usize {
        self.by_label.get(label).map_or(0, |&(_, n)| n)
    }

    /// Rows scored right and rows scored, over every label.
    pub fn total(&self) -> (usize, usize) {
        self.by_label
            .values()
            .fold((0, 0), |(g, n), &(rg, rn)| (g + rg, n + rn))
    }

    /// Score `row`'s reply `r` into the tally.
    fn add(&mut self, row: &Row, r: &Reply) {
        self.rows += 1;
        self.disclaimers += usize::from(has_disclaimer(r));
        let ok = row_ok(row, r);
        let e = self.by_label.entry(row.expect.clone()).or_default();
        e.1 += 1;
        e.0 += usize::from(ok);
        if row.expect == "answer" && r.kind.is_safety() {
            self.false_alarms += 1;
        }
        if !ok {
            self.misses.push(format!(
                "{} expect={} got={} ({})",
                row.id,
                row.expect,
                r.kind.as_str(),
                r.entry_id.as_deref().unwrap_or("-"),
            ));
        }
    }

    /// One line of figures, for assertion messages and reports.
    pub fn summary(&self) -> String {
        let rates: Vec<String> = self
            .by_label
            .iter()
            .map(|(k, (g, n))| format!("{k} {g}/{n} ({:.3})", *g as f64 / (*n).max(1) as f64))
            .collect();
        format!(
            "{}; false alarms {}; disclaimer {}/{}",
            rates.join(", "),
            self.false_alarms,
            self.disclaimers,
            self.rows
        )
    }
}

/// Answer every row with `engine` and score it; `only` keeps rows whose predicate holds.
pub fn score(engine: &Engine, rows: &[Row], only: impl Fn(&Row) -> bool) -> Tally {
    let mut t = Tally::default();
    for row in rows.iter().filter(|r| only(r)) {
        t.add(row, &engine.answer(&row.q));
    }
    t
}

/// Score a search on its own (the matcher, or the naive baseline) on the answer and no-match
/// rows: each row gets the reply the engine would compose from `best[i]`, the search's best
/// hit for `rows[i]` (its entry's answer at or above `threshold`, else a no-match), scored
/// like any other reply. Safety rows are the screen's business and are skipped.
pub fn score_search(k: &Knowledge, rows: &[Row], best: &[Option<Hit>], threshold: f32) -> Tally {
    let composer = Composer::new(k.messages.clone());
    let mut t = Tally::default();
    for (row, best) in rows.iter().zip(best) {
        if row.expect != "answer" && row.expect != "no_match" {
            continue;
        }
        let reply = match best.filter(|h| h.score >= threshold) {
            Some(h) => composer.answer(&k.entries[h.entry], h.score, None),
            None => composer.no_match(Vec::new(), 0.0),
        };
        t.add(row, &reply);
    }
    t
}
