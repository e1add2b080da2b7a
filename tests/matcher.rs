//! The matcher, through the engine and on its own: typos, slang, synonyms, paraphrases,
//! out-of-scope questions, invariance to pleasantries and numbers, suggestions on near
//! misses, huge input, the naive baseline, and the team's own question set.

use std::path::{Path, PathBuf};

use sciatica_bot::knowledge::Knowledge;
use sciatica_bot::matcher::naive::NaiveMatcher;
use sciatica_bot::matcher::{Hit, Matcher, ANSWER_THRESHOLD};
use sciatica_bot::review;
use sciatica_bot::{Engine, Reply, ReplyKind};

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

fn engine() -> Engine {
    engine_from(&bundled_dir())
}

fn engine_from(dir: &Path) -> Engine {
    match Engine::load(dir) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("the knowledge must load: {e}"),
    }
}

/// The bundled messages and safety rules plus `extra` TOML: a small knowledge base whose
/// entries a test controls, with the real fixed texts around them.
fn fixture(extra: &str) -> Knowledge {
    let mut parts: Vec<(PathBuf, String)> = ["messages.toml", "safety.toml"]
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(bundled_dir().join(f))
                .unwrap_or_else(|e| panic!("read {f}: {e}"));
            (PathBuf::from(f), text)
        })
        .collect();
    if !extra.trim().is_empty() {
        parts.push((PathBuf::from("fixture.toml"), extra.to_string()));
    }
    match review::load_texts(&parts) {
        Ok(loaded) => loaded.knowledge,
        Err(e) => panic!("fixture must load: {e}"),
    }
}

fn faq(id: &str, title: &str, phrasings: &[&str], answer: &str) -> String {
    let phrasings: Vec<String> = phrasings.iter().map(|p| format!("{p:?}")).collect();
    format!(
        "[[faq]]\nid = {id:?}\ntitle = {title:?}\nphrasings = [{}]\nanswer = {answer:?}\n\
         source = \"test\"\nreviewed = \"2026-11-01\"\n\n",
        phrasings.join(", ")
    )
}

/// The answer's title, or a description of what came back instead.
fn answered(e: &Engine, q: &str) -> Result<String, String> {
    let r = e.answer(q);
    match r.kind {
        ReplyKind::Answer => Ok(r.title.to_lowercase()),
        k => Err(format!(
            "{q:?} got {} (confidence {:.2}, suggestions {:?})",
            k.as_str(),
            r.confidence,
            r.suggestions
        )),
    }
}

/// Asserts `q` is answered by an entry whose title mentions one of `want`.
fn assert_answers(e: &Engine, q: &str, want: &[&str]) {
    match answered(e, q) {
        Ok(title) => assert!(
            want.iter().any(|w| title.contains(w)),
            "{q:?} was answered with {title:?}, expected a title mentioning one of {want:?}"
        ),
        Err(msg) => panic!("{msg}"),
    }
}

fn assert_no_match(e: &Engine, q: &str) {
    let r = e.answer(q);
    assert_eq!(
        r.kind,
        ReplyKind::NoMatch,
        "{q:?} should be no_match but got {:?} {:?} at {:.2}",
        r.kind,
        r.title,
        r.confidence
    );
}

#[test]
fn typos_still_find_the_entry() {
    let e = engine();
    assert_answers(&e, "piriformus stretch", &["piriformis"]);
    assert_answers(&e, "what is sciatca", &["what is sciatica"]);
    assert_answers(
        &e,
        "where to masage for sciatica",
        &["where should i massage"],
    );
    assert_answers(&e, "foam rollar", &["foam roller"]);
    assert_answers(&e, "hamstirng massage", &["hamstring"]);
    assert_answers(&e, "is a masage gun safe", &["massage gun"]);
}

#[test]
fn slang_and_synonyms_reach_the_canonical_entry() {
    let e = engine();
    assert_answers(&e, "theragun on my glutes ok?", &["massage gun"]);
    assert_answers(&e, "can a slipped disk cause sciatica", &["disc"]);
    assert_answers(&e, "should i see a physio", &["physio"]);
    assert_answers(&e, "hip flexor release", &["psoas"]);
    assert_answers(
        &e,
        "which muscles in my butt should i rub",
        &["massage", "muscle", "glute", "piriformis"],
    );
    assert_answers(&e, "how many chiro sessions", &["chiropractor"]);
    assert_answers(&e, "can i take ibuprofen", &["painkiller", "medicine"]);
}

#[test]
fn paraphrases_find_the_same_entry() {
    let e = engine();
    for q in [
        "ice or heat?",
        "should i use something cold or something warm",
        "heat pack or ice pack for sciatica",
    ] {
        assert_answers(&e, q, &["ice or heat"]);
    }
    for q in [
        "how long should i hold pressure on a tight spot",
        "how many seconds do i press on a knot",
    ] {
        assert_answers(&e, q, &["how long should i hold"]);
    }
}

#[test]
fn out_of_scope_questions_get_no_match() {
    let e = engine();
    for q in [
        "what's the weather like tomorrow",
        "best pizza in town",
        "how do i cook rice",
        "how do i fix a segfault in rust",
        "who won the football last night",
        "how to treat sunburn",
        "toothache remedies",
        "hello",
        "hey there, how are you",
        "qwertyuiop",
        "asdf jkl",
        "how",
        "treat",
        "best",
        "pain",
        "how do i treat it",
        "what is the best treatment",
    ] {
        assert_no_match(&e, q);
    }
}

#[test]
fn hey_and_please_do_not_change_the_answer() {
    let e = engine();
    for q in [
        "where should I massage for sciatica",
        "ice or heat",
        "piriformis stretch",
        "how long should I hold a trigger point",
        "what's the weather",
    ] {
        let base = e.answer(q);
        for variant in [
            format!("hey {q}"),
            format!("{q} please"),
            format!("Hey! {q}, please?"),
            format!("hi guys, {q} thanks"),
        ] {
            let r = e.answer(&variant);
            assert_eq!(r.kind, base.kind, "{variant:?} vs {q:?}");
            assert_eq!(r.entry_id, base.entry_id, "{variant:?} vs {q:?}");
            assert!(
                (r.confidence - base.confidence).abs() < 1e-6,
                "{variant:?} changed the confidence from {} to {}",
                base.confidence,
                r.confidence
            );
        }
    }
}

#[test]
fn numbers_neither_match_nor_change_a_match() {
    let e = engine();
    for q in ["1234", "2 + 2", "42", "100 200 300", "what is 7"] {
        assert_no_match(&e, q);
    }
    let base = e.answer("how long should I hold a trigger point");
    let with_numbers = e.answer("how long should I hold a trigger point, 30 or 90");
    assert_eq!(with_numbers.entry_id, base.entry_id);
}

/// A small knowledge base of tools and care topics for tests that need exact control.
fn tools_fixture() -> Knowledge {
    let entries = [
        faq(
            "foam-roller",
            "Foam roller",
            &["how do i use a foam roller", "foam roller for glutes"],
            "Roll slowly.",
        ),
        faq(
            "massage-ball",
            "Massage ball",
            &["how do i use a massage ball", "tennis ball on glutes"],
            "Lean on the ball.",
        ),
        faq(
            "ice-or-heat",
            "Ice or heat?",
            &["ice or heat", "should i use cold or warm"],
            "Cold first, then heat.",
        ),
        faq(
            "sitting",
            "How should I sit?",
            &["sitting at a desk", "best chair for sciatica"],
            "Get up often.",
        ),
        faq(
            "sleeping",
            "How can I sleep?",
            &["sleeping position", "pillow between knees"],
            "Sleep on your side.",
        ),
        faq(
            "piriformis",
            "Piriformis",
            &["where is the piriformis", "piriformis stretch"],
            "Deep in the buttock.",
        ),
        faq(
            "wallet",
            "Wallet in the back pocket",
            &["can a wallet cause sciatica", "back pocket"],
            "Move the wallet.",
        ),
        faq(
            "stretching",
            "Stretching after massage",
            &["should i stretch after massage", "stretches for sciatica"],
            "Stretch gently.",
        ),
    ];
    fixture(&entries.concat())
}

#[test]
fn near_misses_offer_close_topics_and_gibberish_offers_none() {
    // A question of ours that no entry answers well: close topics are offered.
    let bundled = engine();
    let r = bundled.answer("what about my back and the weekend");
    assert_eq!(r.kind, ReplyKind::NoMatch);
    assert!(!r.suggestions.is_empty() && r.suggestions.len() <= 3);
    // Not ours (another subject that shares a word with the knowledge): no suggestions.
    for q in [
        "my wallet was stolen on the train and the police were useless",
        "who won the football last night",
    ] {
        let r = bundled.answer(q);
        assert_eq!(r.kind, ReplyKind::NoMatch, "{q:?}");
        assert!(r.suggestions.is_empty(), "{q:?}: {:?}", r.suggestions);
    }

    // Gibberish is nobody's question, with or without a [scope].
    let e = Engine::new(tools_fixture());
    let r = e.answer("zxqv plorkt wibble");
    assert_eq!(r.kind, ReplyKind::NoMatch);
    assert!(
        r.suggestions.is_empty(),
        "gibberish got {:?}",
        r.suggestions
    );
}

/// Prints the matcher's reasoning on the tools fixture for the questions in `EXPLAIN`; a
/// tuning aid for picking near-miss examples.
#[test]
#[ignore]
fn fixture_scores() {
    let e = Engine::new(tools_fixture());
    for q in std::env::var("EXPLAIN").unwrap_or_default().lines() {
        println!("== {q}\n{}", e.matcher().explain(q, 3));
    }
}

#[test]
fn confidence_is_ordered_and_in_range() {
    let e = engine();
    for q in [
        "where should I massage for sciatica",
        "massage gun",
        "pizza sciatica",
        "my butt hurts when i sit",
    ] {
        let hits = e.matcher().search(q, 10);
        assert!(hits.len() <= 10);
        for w in hits.windows(2) {
            assert!(w[0].score >= w[1].score, "{q:?}: hits out of order");
        }
        for h in &hits {
            assert!((0.0..=1.0).contains(&h.score), "{q:?}: score {}", h.score);
        }
    }
    let exact = e.matcher().search("where should I massage for sciatica", 1);
    let typo = e.matcher().search("where shuold I masage for sciatica", 1);
    let (Some(exact), Some(typo)) = (exact.first(), typo.first()) else {
        panic!("both should have hits");
    };
    assert_eq!(exact.entry, typo.entry);
    assert!(typo.score <= exact.score);
    assert!(
        typo.score >= ANSWER_THRESHOLD,
        "one typo must not sink the confidence ({})",
        typo.score
    );
}

#[test]
fn huge_and_odd_input_is_answered_safely() {
    let e = engine();
    let huge = "massage my glutes please ".repeat(4000);
    assert!(huge.len() >= 100_000);
    let r = e.answer(&huge);
    assert!(r.text().contains(&r.disclaimer));
    // The matcher alone also copes, whatever the engine's length cap.
    let _ = e.matcher().search(&huge, 5);
    let one_word = "a".repeat(100_000);
    let _ = e.matcher().search(&one_word, 5);
    let _ = e.answer(&one_word);
    for odd in [
        "",
        "   ",
        "😭😭",
        "\u{0}\u{1}",
        "ß𝔰𝔠𝔦𝔞𝔱𝔦𝔠𝔞",
        "'''",
        "---",
        "\u{202e}abc",
    ] {
        let r = e.answer(odd);
        assert!(r.text().contains(&r.disclaimer), "{odd:?}");
        let _ = e.matcher().search(odd, 3);
    }
    assert!(e.matcher().search("massage", 0).is_empty());
}

#[test]
fn an_empty_knowledge_base_matches_nothing() {
    let k = fixture("");
    let m = Matcher::build(&k);
    assert!(m.search("where should I massage", 5).is_empty());
}

// ---- the team's question set, scored like ../shared/eval/score.py ----

#[derive(Debug)]
struct Row {
    id: String,
    q: String,
    expect: String,
    all: Vec<Vec<String>>,
    none_re: Vec<String>,
}

fn questions() -> Vec<Row> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/questions.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}"));
            let strings = |v: &serde_json::Value| -> Vec<String> {
                v.as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|s| s.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            Row {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                q: v["q"].as_str().unwrap_or_default().to_string(),
                expect: v["expect"].as_str().unwrap_or_default().to_string(),
                all: v["all"]
                    .as_array()
                    .map(|a| a.iter().map(strings).collect())
                    .unwrap_or_default(),
                none_re: strings(&v["none_re"]),
            }
        })
        .collect()
}

/// A regex subset, enough for the question set: literals, `\d`, `\s`, `.`, `?`, `+`, `*`
/// after one item, and `|` between whole alternatives. (The crate has no regex dependency.)
fn re_search(pattern: &str, text: &str) -> bool {
    #[derive(Clone, Copy)]
    enum Atom {
        Lit(char),
        Digit,
        Space,
        Any,
    }
    fn atoms(p: &str) -> Vec<(Atom, char)> {
        let mut out = Vec::new();
        let mut it = p.chars().peekable();
        while let Some(c) = it.next() {
            let atom = match c {
                '\\' => match it.next() {
                    Some('d') => Atom::Digit,
                    Some('s') => Atom::Space,
                    Some(x) => Atom::Lit(x),
                    None => Atom::Lit('\\'),
                },
                '.' => Atom::Any,
                x => Atom::Lit(x),
            };
            let q = match it.peek() {
                Some(&m @ ('?' | '+' | '*')) => {
                    it.next();
                    m
                }
                _ => ' ',
            };
            out.push((atom, q));
        }
        out
    }
    fn one(a: Atom, c: char) -> bool {
        match a {
            Atom::Lit(x) => x == c,
            Atom::Digit => c.is_ascii_digit(),
            Atom::Space => c.is_whitespace(),
            Atom::Any => true,
        }
    }
    fn here(p: &[(Atom, char)], t: &[char]) -> bool {
        let Some(&(a, q)) = p.first() else {
            return true;
        };
        match q {
            '?' => {
                (t.first().is_some_and(|&c| one(a, c)) && here(&p[1..], &t[1..]))
                    || here(&p[1..], t)
            }
            '+' | '*' => {
                let mut n = 0;
                while n < t.len() && one(a, t[n]) {
                    n += 1;
                }
                let min = usize::from(q == '+');
                (min..=n).rev().any(|k| here(&p[1..], &t[k..]))
            }
            _ => t.first().is_some_and(|&c| one(a, c)) && here(&p[1..], &t[1..]),
        }
    }
    let t: Vec<char> = text.chars().collect();
    pattern.split('|').any(|alt| {
        let p = atoms(alt);
        (0..=t.len()).any(|i| here(&p, &t[i..]))
    })
}

/// score.py's verdict for one reply.
fn row_ok(row: &Row, r: &Reply) -> bool {
    let text = r.text();
    let body = if !r.disclaimer.trim().is_empty() && text.contains(r.disclaimer.trim()) {
        text.replace(r.disclaimer.trim(), " ")
    } else {
        text
    };
    let low = body.to_lowercase();
    let groups_ok = row
        .all
        .iter()
        .all(|g| g.iter().any(|k| low.contains(&k.to_lowercase())));
    let none_ok = !row.none_re.iter().any(|p| re_search(p, &low));
    let kind = r.kind.as_str();
    match row.expect.as_str() {
        "answer" => kind == "answer" && groups_ok && none_ok,
        "no_match" => kind == "no_match",
        "red_flag" => kind == "red_flag" || kind == "crisis",
        "crisis" => kind == "crisis",
        _ => (kind == "answer" || kind == "red_flag") && groups_ok && none_ok,
    }
}

#[test]
fn the_mini_regex_agrees_with_python_on_the_patterns_we_use() {
    assert!(re_search("\\d+ ?mg", "take 200 mg"));
    assert!(re_search("\\d+ ?mg", "take 200mg"));
    assert!(!re_search("\\d+ ?mg", "take some mg"));
    assert!(re_search("dose|doses", "the doses are"));
    assert!(re_search("a.c", "xxabcxx"));
    assert!(!re_search("a.c", "ac"));
}

#[test]
fn our_question_set_scores_at_or_above_the_targets() {
    let e = engine();
    let rows = questions();
    assert!(
        rows.len() >= 80,
        "the question set should hold at least 80 questions"
    );
    let mut tally: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    let mut misses = Vec::new();
    for row in &rows {
        let r = e.answer(&row.q);
        assert!(
            !r.disclaimer.trim().is_empty() && r.text().contains(r.disclaimer.trim()),
            "{}: reply without the disclaimer",
            row.id
        );
        let ok = row_ok(row, &r);
        let t = tally.entry(row.expect.as_str()).or_default();
        t.1 += 1;
        if ok {
            t.0 += 1;
        } else {
            misses.push(format!(
                "{} expect={} got={} ({}) | {}",
                row.id,
                row.expect,
                r.kind.as_str(),
                r.entry_id.as_deref().unwrap_or("-"),
                row.q
            ));
        }
    }
    let rate = |k: &str| {
        tally
            .get(k)
            .map_or(1.0, |&(g, n)| g as f64 / n.max(1) as f64)
    };
    let report = format!("{tally:?}\n{}", misses.join("\n"));
    assert!(
        rate("answer") >= 0.95,
        "answer rate {}\n{report}",
        rate("answer")
    );
    assert!(
        rate("no_match") >= 0.95,
        "no_match rate {}\n{report}",
        rate("no_match")
    );
    assert!(
        rate("red_flag") == 1.0,
        "red_flag rate {}\n{report}",
        rate("red_flag")
    );
    assert!(
        rate("crisis") == 1.0,
        "crisis rate {}\n{report}",
        rate("crisis")
    );
    assert!(rate("warn") == 1.0, "warn rate {}\n{report}", rate("warn"));
}

/// Accuracy of a search function on the answer and no-match rows: the top hit must be at or
/// above `threshold` and its reply must say what the row asks; a no-match row must stay
/// below it. Safety rows are the screen's business and are skipped.
fn accuracy(e: &Engine, rows: &[Row], threshold: f32, search: impl Fn(&str) -> Vec<Hit>) -> f64 {
    let mut good = 0;
    let mut n = 0;
    for row in rows
        .iter()
        .filter(|r| r.expect == "answer" || r.expect == "no_match")
    {
        n += 1;
        let best = search(&row.q).into_iter().next();
        let reply = match best {
            Some(h) if h.score >= threshold => {
                e.composer()
                    .answer(&e.knowledge().entries[h.entry], h.score, None)
            }
            _ => e.composer().no_match(Vec::new(), 0.0),
        };
        good += usize::from(row_ok(row, &reply));
    }
    good as f64 / n.max(1) as f64
}

#[test]
fn the_matcher_is_at_least_as_accurate_as_the_naive_scan() {
    let e = engine();
    let rows = questions();
    let naive = NaiveMatcher::build(e.knowledge());
    let ours = accuracy(&e, &rows, ANSWER_THRESHOLD, |q| e.matcher().search(q, 1));
    // The naive scan gets its best threshold, chosen on these very questions.
    let naive_best = (1..20)
        .map(|i| accuracy(&e, &rows, i as f32 * 0.05, |q| naive.search(q, 1)))
        .fold(0.0, f64::max);
    assert!(
        ours >= naive_best,
        "matcher {ours:.3} vs naive {naive_best:.3}"
    );
}

/// Prints the matcher's reasoning for the questions in `EXPLAIN` (one per line); a tuning
/// aid: `EXPLAIN="..." cargo test --release --test matcher explain -- --ignored --nocapture`
/// (`EXPLAIN_KNOWLEDGE=DIR` to use another folder).
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
        for line in e.matcher().explain(q, 5).lines() {
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
/// their score parts and reply text, as `DUMP {json}` lines: a tuning aid for the confidence
/// formula (`DUMP=tests/questions.jsonl cargo test --release --test matcher dump --
/// --ignored --nocapture`).
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
                .split([' ', '='])
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
                "text": e.composer().answer(entry, 1.0, None).text(),
            }));
        }
        println!(
            "DUMP {}",
            serde_json::json!({"row": row, "cands": cands, "explain": e.matcher().explain(q, 0)})
        );
    }
}
