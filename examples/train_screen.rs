//! Trains the learned crisis reader (`[screen_model]`, see `src/safety/model.rs`) and prints
//! the table for `knowledge/screen-model.toml`.
//!
//! ```text
//! cargo run --release --example train_screen -- tests/corpora/*-tune.jsonl \
//!     tests/questions.jsonl > knowledge/screen-model.toml
//! ```
//!
//! Input: JSONL rows with `q` and `expect`; `expect == "crisis"` is the positive class and
//! every other label (red_flag, benign, answer, warn, no_match) a negative. Only tuning
//! halves go in: the test halves are how the model is judged.
//!
//! Method: logistic regression on binary features (stems and pairs of stems, each once;
//! features seen in fewer than two messages are dropped), stochastic gradient descent with
//! L2, crisis rows weighted up for balance, a fixed shuffle so the output is reproducible.
//! The threshold comes from 5-fold cross-validation on the same rows: the lowest one whose
//! held-out false-alarm rate is at most 1% both on safety look-alikes (benign, red_flag) and
//! on questions (answer, warn, no_match): easy negatives cannot hide alarms on hard ones.

use std::collections::{BTreeMap, HashMap};

use sciatica_bot::safety::model::features;

const EPOCHS: usize = 30;
const RATE: f64 = 0.1;
const L2_GRID: [f64; 7] = [1e-2, 3e-2, 0.1, 0.2, 0.4, 0.8, 1.6];
const POSITIVE_WEIGHT: f64 = 3.0;
const MIN_DF: usize = 2;
const MAX_FALSE_ALARMS: f64 = 0.01;
const FOLDS: usize = 5;

struct Row {
    features: Vec<usize>,
    crisis: bool,
    /// The row's label, so false alarms are counted per kind of message.
    label: String,
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.first().is_some_and(|f| f == "--read") {
        return read_with(
            files
                .get(1)
                .map_or("knowledge/screen-model.toml", String::as_str),
        );
    }
    if files.is_empty() {
        eprintln!("usage: train_screen FILE.jsonl... > knowledge/screen-model.toml");
        std::process::exit(2);
    }
    let mut texts = Vec::new();
    for f in &files {
        let body = std::fs::read_to_string(f).unwrap_or_else(|e| {
            eprintln!("cannot read {f}: {e}");
            std::process::exit(1)
        });
        for line in body.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| {
                eprintln!("{f}: bad line: {e}");
                std::process::exit(1)
            });
            let (Some(q), Some(expect)) = (v["q"].as_str(), v["expect"].as_str()) else {
                eprintln!("{f}: a row without q or expect");
                std::process::exit(1)
            };
            texts.push((features(q), expect.to_string()));
        }
    }
    let mut df: HashMap<&str, usize> = HashMap::new();
    for (f, _) in &texts {
        for x in f {
            *df.entry(x.as_str()).or_default() += 1;
        }
    }
    let mut names: Vec<&str> = df
        .iter()
        .filter(|(_, &n)| n >= MIN_DF)
        .map(|(k, _)| *k)
        .collect();
    names.sort_unstable();
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let rows: Vec<Row> = texts
        .iter()
        .map(|(f, label)| Row {
            features: f
                .iter()
                .filter_map(|x| index.get(x.as_str()).copied())
                .collect(),
            crisis: label == "crisis",
            label: label.clone(),
        })
        .collect();

    // Regularisation and threshold by cross-validation: for each L2 strength, the lowest
    // threshold whose held-out false alarms stay within the limit; keep the strength with the
    // best held-out crisis recall there.
    let mut best = (f64::NAN, 0.95, -1.0);
    for l2 in L2_GRID {
        let held_out = cross_validate(&rows, names.len(), l2);
        let (threshold, recall) = threshold_for(&held_out);
        eprintln!("l2 {l2}: threshold {threshold:.2}, held-out crisis recall {recall:.3}");
        if recall > best.2 {
            best = (l2, threshold, recall);
        }
    }
    let (l2, threshold, recall) = best;

    let all: Vec<&Row> = rows.iter().collect();
    let (w, b) = fit(&all, names.len(), l2);
    let weights: BTreeMap<&str, f64> = names
        .iter()
        .zip(&w)
        .filter(|(_, w)| w.abs() >= 0.02)
        .map(|(n, w)| (*n, (w * 1000.0).round() / 1000.0))
        .collect();
    let positives = rows.iter().filter(|r| r.crisis).count();
    println!("# The learned crisis reader (see src/safety/model.rs). Written by");
    println!(
        "# `cargo run --release --example train_screen -- {}`:",
        files.join(" ")
    );
    println!("# do not edit by hand; add labelled messages to the tuning sets and train again.");
    println!(
        "# {} rows ({positives} crisis), {} features; threshold from {FOLDS}-fold cross-validation",
        rows.len(),
        weights.len()
    );
    println!(
        "# (held-out false alarms <= {:.0}%, held-out crisis recall {recall:.3}, L2 {l2}).",
        MAX_FALSE_ALARMS * 100.0
    );
    println!();
    println!("[screen_model]");
    println!(
        "trained = \"logistic regression on {} labelled tuning rows ({positives} crisis)\"",
        rows.len()
    );
    println!();
    println!("[screen_model.crisis]");
    println!("threshold = {threshold:.2}");
    println!("bias = {:.3}", b);
    println!();
    println!("[screen_model.crisis.weights]");
    for (k, v) in weights {
        println!("\"{k}\" = {v}");
    }
}

/// `--read MODEL.toml`: how the model reads each line of stdin (probability, top features).
fn read_with(path: &str) {
    use std::io::BufRead;
    #[derive(serde::Deserialize)]
    struct File {
        screen_model: sciatica_bot::knowledge::ScreenModel,
    }
    let text = std::fs::read_to_string(path).expect("read the model file");
    let file: File = toml::from_str(&text).expect("parse the model file");
    let model = sciatica_bot::safety::model::CrisisModel::new(&file.screen_model.crisis);
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let r = model.read(&line, true, &[]);
        println!("{:.3} {:?} {line}", r.probability, r.top);
    }
}

/// Out-of-fold probabilities with the crisis label of each row.
fn cross_validate(rows: &[Row], n: usize, l2: f64) -> Vec<(f64, &str)> {
    let mut held_out = Vec::new();
    for fold in 0..FOLDS {
        let train: Vec<&Row> = rows
            .iter()
            .enumerate()
            .filter(|(i, _)| i % FOLDS != fold)
            .map(|(_, r)| r)
            .collect();
        let (w, b) = fit(&train, n, l2);
        for (_, r) in rows.iter().enumerate().filter(|(i, _)| i % FOLDS == fold) {
            held_out.push((prob(&w, b, r), r.label.as_str()));
        }
    }
    held_out
}

/// The two kinds of non-crisis message, each held to the false-alarm limit on its own: safety
/// look-alikes (benign traps and red flags) and questions (answerable and off-topic).
const NEGATIVE_KINDS: [&[&str]; 2] = [&["benign", "red_flag"], &["answer", "warn", "no_match"]];

/// The lowest threshold (0.30..0.95) whose held-out false alarms stay within the limit for
/// each kind in [`NEGATIVE_KINDS`], and the crisis recall there.
fn threshold_for(held_out: &[(f64, &str)]) -> (f64, f64) {
    let within = |t: f64| {
        NEGATIVE_KINDS.iter().all(|kind| {
            let of: Vec<f64> = held_out
                .iter()
                .filter(|(_, l)| kind.contains(l))
                .map(|(p, _)| *p)
                .collect();
            let alarms = of.iter().filter(|&&p| p >= t).count();
            (alarms as f64) / (of.len().max(1) as f64) <= MAX_FALSE_ALARMS
        })
    };
    let threshold = (6..=19)
        .map(|t| f64::from(t) * 0.05)
        .find(|&t| within(t))
        .unwrap_or(0.95);
    let positives = held_out.iter().filter(|(_, l)| *l == "crisis").count();
    let hits = held_out
        .iter()
        .filter(|(p, l)| *l == "crisis" && *p >= threshold)
        .count();
    (threshold, hits as f64 / positives.max(1) as f64)
}

fn prob(w: &[f64], b: f64, r: &Row) -> f64 {
    let z: f64 = b + r.features.iter().map(|&i| w[i]).sum::<f64>();
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// Stochastic gradient descent with a fixed xorshift shuffle.
fn fit(rows: &[&Row], n: usize, l2: f64) -> (Vec<f64>, f64) {
    let mut w = vec![0.0; n];
    let mut b = 0.0;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..EPOCHS {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &i in &order {
            let r = rows[i];
            let p = prob(&w, b, r);
            let y = if r.crisis { 1.0 } else { 0.0 };
            let g = (p - y) * if r.crisis { POSITIVE_WEIGHT } else { 1.0 };
            b -= RATE * g;
            for &f in &r.features {
                w[f] -= RATE * (g + l2 * w[f]);
            }
        }
    }
    (w, b)
}
