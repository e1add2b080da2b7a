//! Answering latency and accuracy: the matcher against the naive baseline (whole-string
//! `strsim::normalized_levenshtein` of the question against every phrasing), on the bundled
//! knowledge and on a generated knowledge base of 10,000 more entries; plus load + index.
//!
//! `cargo bench --bench answer` prints the accuracy of both on `tests/questions.jsonl`
//! first, then criterion's timings. Figures and the exact command live in BENCHMARKS.md.

#[path = "../tests/support/scoring.rs"]
mod scoring;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use sciatica_bot::knowledge::Knowledge;
use sciatica_bot::matcher::naive::NaiveMatcher;
use sciatica_bot::matcher::{Hit, Matcher, ANSWER_THRESHOLD};
use sciatica_bot::review;
use sciatica_bot::Engine;
use scoring::Row;

const GENERATED: usize = 10_000;

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// The bundled knowledge files, as (relative path, text).
fn bundled_files() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(read) = std::fs::read_dir(bundled_dir().join(&rel)) else {
            continue;
        };
        for item in read.flatten() {
            let name = item.file_name().to_string_lossy().to_string();
            let child = rel.join(&name);
            if item.path().is_dir() {
                stack.push(child);
            } else if name.ends_with(".toml") {
                if let Ok(text) = std::fs::read_to_string(item.path()) {
                    out.push((child, text));
                }
            }
        }
    }
    out.sort();
    out
}

/// A tiny deterministic generator, so every run benches the same knowledge.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
    fn word(&mut self) -> String {
        const ONSET: &[&str] = &[
            "b", "br", "d", "f", "g", "k", "kl", "l", "m", "n", "p", "pr", "r", "s", "st", "t",
            "tr", "v", "z",
        ];
        const VOWEL: &[&str] = &["a", "e", "i", "o", "u", "ai", "eo", "ia"];
        const CODA: &[&str] = &["", "n", "r", "s", "l", "x", "m", "th"];
        let syllables = 2 + (self.next() % 2) as usize;
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(self.pick(ONSET));
            w.push_str(self.pick(VOWEL));
        }
        w.push_str(self.pick(CODA));
        w
    }
}

const PARTS: &[&str] = &[
    "lower back",
    "hip",
    "glute",
    "buttock",
    "thigh",
    "hamstring",
    "calf",
    "foot",
    "knee",
    "ankle",
    "shoulder",
    "neck",
    "groin",
    "spine",
    "pelvis",
    "tailbone",
    "heel",
    "toe",
    "shin",
    "side",
];
const TOOLS: &[&str] = &[
    "foam roller",
    "massage ball",
    "massage gun",
    "heat pack",
    "cold pack",
    "stretching strap",
    "yoga block",
    "tennis ball",
    "lacrosse ball",
    "peanut ball",
    "cane massager",
    "rolling pin",
    "hot bath",
    "tens unit",
    "kinesiology tape",
    "back brace",
    "seat cushion",
    "wedge pillow",
    "standing desk",
    "walking pole",
];
const SITUATIONS: &[&str] = &[
    "after driving",
    "at night",
    "in the morning",
    "after a run",
    "at work",
    "while pregnant",
    "after lifting",
    "on a long flight",
    "after gardening",
    "while sitting",
    "after sleeping",
    "in cold weather",
    "during a flare-up",
    "after surgery",
    "on holiday",
    "with a desk job",
    "after the gym",
    "while standing",
    "when coughing",
    "when bending",
];
const SYMPTOMS: &[&str] = &[
    "tingling",
    "numbness",
    "burning",
    "shooting pain",
    "cramp",
    "stiffness",
    "tightness",
    "weakness",
    "ache",
    "spasm",
];

/// TOML for `n` realistic-looking FAQ entries: body parts, tools, situations and symptoms
/// in varied templates, each with a made-up technique name so the vocabulary grows with
/// the knowledge like a real large knowledge base's would.
fn generated_toml(n: usize) -> String {
    let mut rng = Lcg(0x5eed);
    let mut out = String::with_capacity(n * 900);
    // Validation refuses a phrasing claimed by two entries, as it should; generated
    // combinations repeat, so later entries simply get fewer phrasings.
    let mut used = std::collections::HashSet::new();
    for i in 0..n {
        let (part, tool, sit, sym) = (
            rng.pick(PARTS),
            rng.pick(TOOLS),
            rng.pick(SITUATIONS),
            rng.pick(SYMPTOMS),
        );
        let name = format!(
            "{} {}",
            rng.word(),
            rng.pick(&["release", "hold", "glide", "press", "stretch", "drill"])
        );
        let title = format!("The {name} with a {tool} for {part} {sym}");
        // Like a real sciatica knowledge base, about half the phrasings name the condition.
        let cond = rng.pick(&["sciatica", "sciatic pain", "my sciatica", "nerve pain", ""]);
        let phrasings = [
            format!("how do i do the {name}"),
            format!("{tool} for {part} {sym} {sit}"),
            format!("can a {tool} help {cond} in my {part}"),
            format!("is the {name} safe {sit}"),
            format!("{part} {sym} {cond} {sit}"),
        ];
        const SENTENCES: &[&str] = &[
            "The {name} uses a {tool} on the {part}.",
            "Start gently {sit} and keep the pressure light for 30 to 60 seconds.",
            "If the {sym} spreads or numbness grows, stop.",
            "Repeat once or twice a day.",
            "Combine it with a gentle stretch for the {part}.",
            "Many people with sciatica find the {part} eases after a few days.",
            "Breathe slowly and let the muscle soften under the {tool}.",
            "Check with a physiotherapist if you are unsure how hard to press.",
            "Avoid bony areas and never press directly on the spine.",
            "Warm the area first if it feels stiff {sit}.",
        ];
        let mut answer = String::new();
        for _ in 0..4 {
            let sentence = rng
                .pick(SENTENCES)
                .replace("{name}", &name)
                .replace("{tool}", tool)
                .replace("{part}", part)
                .replace("{sit}", sit)
                .replace("{sym}", sym);
            answer.push_str(&sentence);
            answer.push(' ');
        }
        answer.push_str(&format!("Entry {i}."));
        let quoted: Vec<String> = phrasings
            .iter()
            .filter(|p| used.insert(p.to_string()))
            .map(|p| format!("{p:?}"))
            .collect();
        out.push_str(&format!(
            "[[faq]]\nid = \"gen-{i:05}\"\ntitle = {title:?}\nphrasings = [{}]\n\
             answer = {answer:?}\ntags = [{part:?}, {tool:?}]\nsource = \"generated\"\n\
             reviewed = \"2026-11-01\"\n\n",
            quoted.join(", ")
        ));
    }
    out
}

/// The bundled knowledge plus `GENERATED` generated entries.
fn knowledge_10k() -> Knowledge {
    let mut parts = bundled_files();
    parts.push((PathBuf::from("generated.toml"), generated_toml(GENERATED)));
    match review::load_texts(&parts) {
        Ok(l) => l.knowledge,
        Err(e) => panic!("generated knowledge must load: {e}"),
    }
}

/// Share of the answer and no-match rows a search gets right at `threshold`, scored by the
/// tests' scorer (tests/support/scoring.rs, exactly as ../shared/eval/score.py scores): the
/// reply composed from the best hit must say what the row asks and nothing its `none_re`
/// forbids; a no-match row must stay below `threshold`. `best[i]` is the search's best hit
/// for `rows[i]`. Prints the misses when `show`.
fn accuracy(
    k: &Knowledge,
    rows: &[Row],
    best: &[Option<Hit>],
    threshold: f32,
    show: bool,
) -> (usize, usize) {
    let t = scoring::score_search(k, rows, best, threshold);
    if show {
        for miss in &t.misses {
            println!("    miss: {miss}");
        }
    }
    t.total()
}

fn report_accuracy(bundled: &Knowledge, big: &Knowledge, rows: &[Row]) {
    // BENCH_SHOW_MISSES=1 lists the matcher's misses.
    let show = std::env::var_os("BENCH_SHOW_MISSES").is_some();
    println!("accuracy on tests/questions.jsonl (answer + no_match rows):");
    for (name, k) in [("bundled", bundled), ("bundled + 10,000 generated", big)] {
        let m = Matcher::build(k);
        // BENCH_EXPLAIN="q1\nq2" prints the matcher's reasoning on each knowledge base.
        for q in std::env::var("BENCH_EXPLAIN").unwrap_or_default().lines() {
            println!("== {name}: {q}");
            for line in m.explain(q, 4).lines() {
                match line.strip_prefix("entry ").and_then(|r| r.split_once(' ')) {
                    Some((i, rest)) => {
                        let id = i.parse::<usize>().ok().and_then(|i| k.entries.get(i));
                        println!("   {} {rest}", id.map_or("?", |e| e.id.as_str()));
                    }
                    None => println!("   {line}"),
                }
            }
        }
        let naive = NaiveMatcher::build(k);
        let ours: Vec<Option<Hit>> = rows
            .iter()
            .map(|r| m.search(&r.q, 1).first().copied())
            .collect();
        let theirs: Vec<Option<Hit>> = rows
            .iter()
            .map(|r| naive.search(&r.q, 1).first().copied())
            .collect();
        println!("  {name}:");
        let (g, n) = accuracy(k, rows, &ours, ANSWER_THRESHOLD, show);
        // The naive scan gets the threshold that suits it best on these very questions.
        let (ng, nt) = (1..20)
            .map(|i| {
                let t = i as f32 * 0.05;
                (accuracy(k, rows, &theirs, t, false).0, t)
            })
            .max_by_key(|&(g, _)| g)
            .unwrap_or((0, 0.0));
        println!(
            "    matcher {g}/{n} ({:.1}%)   naive {ng}/{n} ({:.1}%, at its best threshold {nt:.2})",
            100.0 * g as f64 / n as f64,
            100.0 * ng as f64 / n as f64
        );
    }
}

fn main() {
    let bundled = match Engine::load(&bundled_dir()) {
        Ok((e, _)) => e,
        Err(e) => panic!("bundled knowledge must load: {e}"),
    };
    let big = knowledge_10k();
    let rows = scoring::rows("tests/questions.jsonl");
    // BENCH_SKIP_ACCURACY=1 skips the (slow, naive-heavy) accuracy report, for profiling.
    if std::env::var_os("BENCH_SKIP_ACCURACY").is_none() {
        report_accuracy(bundled.knowledge(), &big, &rows);
    }

    let all: Vec<String> = rows.iter().map(|r| r.q.clone()).collect();
    // The naive scan takes tens of milliseconds a question at 10,000 entries, so both are
    // also timed on the same smaller mix.
    let few: Vec<String> = all.iter().step_by(5).cloned().collect();

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();

    {
        let m = bundled.matcher();
        let naive = NaiveMatcher::build(bundled.knowledge());
        let mut g = c.benchmark_group("bundled");
        g.throughput(Throughput::Elements(all.len() as u64));
        g.bench_function(BenchmarkId::new("matcher", all.len()), |b| {
            b.iter(|| {
                all.iter()
                    .map(|q| m.search(black_box(q), 4).len())
                    .sum::<usize>()
            })
        });
        g.bench_function(BenchmarkId::new("engine_answer", all.len()), |b| {
            b.iter(|| {
                all.iter()
                    .map(|q| bundled.answer(black_box(q)).body.len())
                    .sum::<usize>()
            })
        });
        g.bench_function(BenchmarkId::new("naive", all.len()), |b| {
            b.iter(|| {
                all.iter()
                    .map(|q| naive.search(black_box(q), 4).len())
                    .sum::<usize>()
            })
        });
        g.finish();
    }
    {
        let m = Matcher::build(&big);
        let naive = NaiveMatcher::build(&big);
        let mut g = c.benchmark_group("generated_10k");
        g.sample_size(10);
        g.throughput(Throughput::Elements(all.len() as u64));
        g.bench_function(BenchmarkId::new("matcher", all.len()), |b| {
            b.iter(|| {
                all.iter()
                    .map(|q| m.search(black_box(q), 4).len())
                    .sum::<usize>()
            })
        });
        g.throughput(Throughput::Elements(few.len() as u64));
        g.bench_function(BenchmarkId::new("matcher", few.len()), |b| {
            b.iter(|| {
                few.iter()
                    .map(|q| m.search(black_box(q), 4).len())
                    .sum::<usize>()
            })
        });
        g.bench_function(BenchmarkId::new("naive", few.len()), |b| {
            b.iter(|| {
                few.iter()
                    .map(|q| naive.search(black_box(q), 4).len())
                    .sum::<usize>()
            })
        });
        g.finish();
    }
    {
        // The safety screen on its own: every question of the set, and one 100,000-character
        // message (screened in full even though it is too long to match).
        let screen = bundled.safety();
        let long: String = "my back has been sore for weeks and I wonder if stretching helps. "
            .repeat(1 + 100_000 / 64)
            .chars()
            .take(100_000)
            .collect();
        let mut g = c.benchmark_group("safety_screen");
        g.throughput(Throughput::Elements(all.len() as u64));
        g.bench_function(BenchmarkId::new("typical", all.len()), |b| {
            b.iter(|| {
                all.iter()
                    .filter(|q| screen.screen(black_box(q)) != sciatica_bot::safety::Verdict::Clear)
                    .count()
            })
        });
        g.throughput(Throughput::Elements(1));
        g.sample_size(20);
        g.bench_function("chars_100k", |b| b.iter(|| screen.screen(black_box(&long))));
        g.bench_function("compile_bundled_rules", |b| {
            b.iter(|| {
                sciatica_bot::safety::SafetyScreen::new(black_box(&bundled.knowledge().safety))
            })
        });
        g.finish();
    }
    {
        let mut g = c.benchmark_group("load_index");
        g.sample_size(20);
        g.bench_function("bundled_load_and_index", |b| {
            b.iter(|| {
                Engine::load(black_box(&bundled_dir())).map(|(e, _)| e.knowledge().entries.len())
            })
        });
        g.bench_function("bundled_index_only", |b| {
            b.iter(|| Matcher::build(black_box(bundled.knowledge())).vocabulary_size())
        });
        g.sample_size(10);
        g.bench_function("generated_10k_index_only", |b| {
            b.iter(|| Matcher::build(black_box(&big)).vocabulary_size())
        });
        g.finish();
    }
    c.final_summary();
}
