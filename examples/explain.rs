//! Tuning aid: why the safety screen and the matcher read a message the way they do.
//!
//! `cargo run --release --example explain -- "my dad can't pee"` (or lines on stdin) prints
//! the screen's verdict with every finding (rule term, status, someone else) and the
//! matcher's slots and top entries, for the bundled knowledge (or `$KNOWLEDGE_DIR`).

use std::io::BufRead;

use sciatica_bot::Engine;

fn main() {
    let dir = std::env::var("KNOWLEDGE_DIR").unwrap_or_else(|_| "knowledge".into());
    let (engine, _) = match Engine::load(std::path::Path::new(&dir)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot load {dir}: {e}");
            std::process::exit(1);
        }
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let questions: Vec<String> = if args.is_empty() {
        std::io::stdin()
            .lock()
            .lines()
            .map_while(Result::ok)
            .collect()
    } else {
        vec![args.join(" ")]
    };
    let rules = &engine.knowledge().safety.red_flags;
    if std::env::var("EXPLAIN_TSV").is_ok() {
        // One line per question: in scope, best entry, its score.
        for q in questions {
            let best = engine.matcher().search(&q, 1);
            let (id, score) = best.first().map_or(("-".to_string(), 0.0), |h| {
                (engine.knowledge().entries[h.entry].id.clone(), h.score)
            });
            println!("{}\t{id}\t{score:.3}", engine.matcher().in_scope(&q));
        }
        return;
    }
    for q in questions {
        let s = engine.safety().explain(&q);
        println!("== {q}\nverdict: {:?}", s.verdict);
        for f in &s.findings {
            let from = match f.source {
                sciatica_bot::safety::Source::RedFlag(i) => rules[i].0.id.clone(),
                other => format!("{other:?}"),
            };
            println!(
                "  {from}: {:?} {:?}{}{}",
                f.term,
                f.status,
                if f.part.is_some() {
                    " (combo part)"
                } else {
                    ""
                },
                if f.other_person {
                    " (someone else)"
                } else {
                    ""
                }
            );
        }
        println!("in scope: {}", engine.matcher().in_scope(&q));
        print!("{}", engine.matcher().explain(&q, 3));
        let r = engine.answer(&q);
        println!("reply: {:?} {}", r.kind, r.title);
    }
}
