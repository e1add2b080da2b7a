//! Trains the learned readers (`[screen_model]`, see `src/safety/model.rs`) and prints the
//! file `knowledge/screen-model.toml`.
//!
//! ```text
//! cargo run --release --example train_screen -- tests/corpora/*-tune.jsonl \
//!     tests/questions.jsonl > knowledge/screen-model.toml
//! ```
//!
//! Input: JSONL rows with `q` and `expect`. Two readers are trained:
//! - crisis: `expect == "crisis"` against every other label;
//! - red flag: `expect == "red_flag"` against benign, answer, warn and no_match (crisis rows
//!   are left out: the crisis reader is asked first). Its reply is the red-flag rule named by
//!   `--red-flag-rule` (default `needs_a_check`).
//!
//! Every phrasing of the bundled knowledge's entries goes in too, as an ordinary question
//! the red-flag reader must leave alone. Only tuning halves go in: the test halves are how the readers are judged.
//!
//! Method: logistic regression on binary features (stems and pairs of stems, each once;
//! features seen in fewer than two messages are dropped), stochastic gradient descent with
//! L2, positive rows weighted up for balance, a fixed shuffle so the output is reproducible.
//! L2 and the threshold come from 5-fold cross-validation on the same rows (in the order of a
//! hash of their text, so the order of the files does not matter): the lowest
//! threshold whose held-out false-alarm rate stays within the head's limit (crisis 1%, red
//! flag 0.2%) both on safety look-alikes and on questions (easy negatives cannot hide alarms
//! on hard ones), at the L2 with the best held-out recall there.
//!
//! `--read [MODEL.toml]` prints how the crisis reader reads each line of stdin.

use std::collections::{BTreeMap, HashMap};

use sciatica_bot::safety::model::features;

const EPOCHS: usize = 30;
const RATE: f64 = 0.1;
const L2_GRID: [f64; 9] = [1e-2, 3e-2, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4];
const POSITIVE_WEIGHT: f64 = 3.0;
const MIN_DF: usize = 2;
const FOLDS: usize = 5;

/// One reader to train: which label it finds, which it ignores, and the kinds of negative
/// each held to the false-alarm limit on its own.
struct Head {
    table: &'static str,
    positive: &'static str,
    ignored: &'static [&'static str],
    negative_kinds: &'static [&'static [&'static str]],
    /// Most held-out false alarms allowed in each kind, as a share.
    max_false_alarms: f64,
}

const CRISIS: Head = Head {
    table: "crisis",
    positive: "crisis",
    // The phrasings would drown the blind questions (they never trip the crisis reader as
    // it is; measured: with them, held-out crisis recall fell 0.74 -> 0.68).
    ignored: &["phrasing"],
    negative_kinds: &[&["benign", "red_flag"], &["answer", "warn", "no_match"]],
    // Crisis leans to sensitivity.
    max_false_alarms: 0.01,
};

const RED_FLAG: Head = Head {
    table: "red_flag",
    positive: "red_flag",
    ignored: &["crisis"],
    negative_kinds: &[&["benign"], &["answer", "warn", "no_match", "phrasing"]],
    // Nearly every ordinary question speaks of leg pain: held to a fifth of the crisis
    // reader's false alarms (set on the third round's tuning halves, with readers trained
    // on the first two rounds only).
    max_false_alarms: 0.002,
};

struct Row {
    features: Vec<usize>,
    positive: bool,
    /// The row's label, so false alarms are counted per kind of message.
    label: String,
}

/// A trained reader with how it was chosen.
struct Trained {
    threshold: f64,
    bias: f64,
    weights: BTreeMap<String, f64>,
    recall: f64,
    l2: f64,
    rows: usize,
    positives: usize,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|f| f == "--read") {
        return read_with(
            args.get(1)
                .map_or("knowledge/screen-model.toml", String::as_str),
        );
    }
    let mut red_rule = "needs_a_check".to_string();
    if let Some(i) = args.iter().position(|a| a == "--red-flag-rule") {
        if let Some(id) = args.get(i + 1) {
            red_rule = id.clone();
        }
        args.drain(i..(i + 2).min(args.len()));
    }
    let files = args;
    if files.is_empty() {
        eprintln!("usage: train_screen FILE.jsonl... > knowledge/screen-model.toml");
        std::process::exit(2);
    }
    let mut texts = read_rows(&files);
    let phrasings = knowledge_phrasings();
    texts.extend(
        phrasings
            .iter()
            .map(|q| (features(q), "phrasing".to_string())),
    );
    let crisis = train(&texts, &CRISIS);
    let red = train(&texts, &RED_FLAG);

    println!("# The learned readers (see src/safety/model.rs). Written by");
    println!(
        "# `cargo run --release --example train_screen -- {}`:",
        files.join(" ")
    );
    println!("# do not edit by hand; add labelled messages to the tuning sets and train again.");
    println!("# Thresholds from {FOLDS}-fold cross-validation: held-out false alarms within a");
    println!("# limit on safety look-alikes and on questions, each on its own.");
    println!();
    println!("[screen_model]");
    println!(
        "trained = \"logistic regression on {} labelled tuning rows and the {} FAQ and card \
         phrasings of knowledge/ (as ordinary questions, for the red-flag reader)\"",
        texts.len() - phrasings.len(),
        phrasings.len()
    );
    print_head(&CRISIS, &crisis, None);
    print_head(&RED_FLAG, &red, Some(&red_rule));
}

/// Every phrasing of the bundled knowledge's entries: the ordinary questions the bot exists
/// to answer, which the red-flag reader must not take for a warning sign.
fn knowledge_phrasings() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    match sciatica_bot::review::load_dir(&dir) {
        Ok(loaded) => loaded
            .knowledge
            .entries
            .iter()
            .flat_map(|e| e.phrasings.iter().cloned())
            .collect(),
        Err(e) => {
            eprintln!(
                "cannot load knowledge/ for its phrasings: {:?}",
                e.diagnostics
            );
            std::process::exit(1)
        }
    }
}

fn read_rows(files: &[String]) -> Vec<(Vec<String>, String)> {
    let mut texts = Vec::new();
    for f in files {
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
            texts.push((stable_hash(q), features(q), expect.to_string()));
        }
    }
    // The files' order must not matter (folds and the SGD order follow the rows): rows go in
    // the order of a stable hash of their text.
    texts.sort();
    texts.into_iter().map(|(_, f, l)| (f, l)).collect()
}

/// FNV-1a: the same on every machine and every run.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn print_head(head: &Head, t: &Trained, rule: Option<&str>) {
    println!();
    println!(
        "# {}: {} rows ({} {}), {} features; held-out recall {:.3} at L2 {}, false alarms <= {}%.",
        head.table,
        t.rows,
        t.positives,
        head.positive,
        t.weights.len(),
        t.recall,
        t.l2,
        head.max_false_alarms * 100.0
    );
    println!("[screen_model.{}]", head.table);
    if let Some(rule) = rule {
        println!("rule = \"{rule}\"");
    }
    println!("threshold = {:.2}", t.threshold);
    println!("bias = {:.3}", t.bias);
    println!("weights = '''");
    for (k, v) in &t.weights {
        println!("{k} = {v}");
    }
    println!("'''");
}

fn train(texts: &[(Vec<String>, String)], head: &Head) -> Trained {
    let texts: Vec<&(Vec<String>, String)> = texts
        .iter()
        .filter(|(_, l)| !head.ignored.contains(&l.as_str()))
        .collect();
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
            positive: label == head.positive,
            label: label.clone(),
        })
        .collect();
    let mut best: Option<(f64, f64, f64)> = None;
    for l2 in L2_GRID {
        let held_out = cross_validate(&rows, names.len(), l2);
        match threshold_for(&held_out, head) {
            Some((threshold, recall)) => {
                eprintln!(
                    "{}: l2 {l2}: threshold {threshold:.2}, held-out recall {recall:.3}",
                    head.table
                );
                if best.is_none_or(|b| recall > b.2) {
                    best = Some((l2, threshold, recall));
                }
            }
            None => eprintln!(
                "{}: l2 {l2}: no threshold keeps held-out false alarms within {}%",
                head.table,
                head.max_false_alarms * 100.0
            ),
        }
    }
    let Some((l2, threshold, recall)) = best else {
        eprintln!(
            "{}: no L2 and threshold keep held-out false alarms within the limit; add \
             labelled rows or raise the limit",
            head.table
        );
        std::process::exit(1)
    };
    let all: Vec<&Row> = rows.iter().collect();
    let (w, bias) = fit(&all, names.len(), l2);
    let weights = names
        .iter()
        .zip(&w)
        .filter(|(_, w)| w.abs() >= 0.02)
        .map(|(n, w)| (n.to_string(), (w * 1000.0).round() / 1000.0))
        .collect();
    Trained {
        threshold,
        bias: (bias * 1000.0).round() / 1000.0,
        weights,
        recall,
        l2,
        rows: rows.len(),
        positives: rows.iter().filter(|r| r.positive).count(),
    }
}

/// `--read MODEL.toml`: how the crisis reader reads each line of stdin (probability, top
/// features).
fn read_with(path: &str) {
    use std::io::BufRead;
    #[derive(serde::Deserialize)]
    struct File {
        screen_model: sciatica_bot::knowledge::ScreenModel,
    }
    let text = std::fs::read_to_string(path).expect("read the model file");
    let file: File = toml::from_str(&text).expect("parse the model file");
    let model = sciatica_bot::safety::model::Reader::new(&file.screen_model.crisis);
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        let r = model.read(&line, true, &[]);
        println!("{:.3} {:?} {line}", r.probability, r.top);
    }
}

/// Out-of-fold probabilities with the label of each row.
fn cross_validate(rows: &[Row], n: usize, l2: f64) -> Vec<(f64, &Row)> {
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
            held_out.push((prob(&w, b, r), r));
        }
    }
    held_out
}

/// The thresholds tried: 0.30..0.95 by 0.05, then 0.96..0.99.
fn thresholds() -> impl Iterator<Item = f64> {
    (6..=19)
        .map(|t| f64::from(t) * 0.05)
        .chain((96..=99).map(|t| f64::from(t) * 0.01))
}

/// The lowest threshold whose held-out false alarms stay within the limit for each of the
/// head's negative kinds, and the recall there; `None` if no threshold does.
fn threshold_for(held_out: &[(f64, &Row)], head: &Head) -> Option<(f64, f64)> {
    let within = |t: f64| {
        head.negative_kinds.iter().all(|kind| {
            let of: Vec<f64> = held_out
                .iter()
                .filter(|(_, r)| kind.contains(&r.label.as_str()))
                .map(|(p, _)| *p)
                .collect();
            let alarms = of.iter().filter(|&&p| p >= t).count();
            (alarms as f64) / (of.len().max(1) as f64) <= head.max_false_alarms
        })
    };
    let threshold = thresholds().find(|&t| within(t))?;
    let positives = held_out.iter().filter(|(_, r)| r.positive).count();
    let hits = held_out
        .iter()
        .filter(|(p, r)| r.positive && *p >= threshold)
        .count();
    Some((threshold, hits as f64 / positives.max(1) as f64))
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
            let y = if r.positive { 1.0 } else { 0.0 };
            let g = (p - y) * if r.positive { POSITIVE_WEIGHT } else { 1.0 };
            b -= RATE * g;
            for &f in &r.features {
                w[f] -= RATE * (g + l2 * w[f]);
            }
        }
    }
    (w, b)
}
