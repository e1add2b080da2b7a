//! No input can panic the answering path: property tests (proptest) over `Engine::answer`,
//! the normaliser, the safety screen and the knowledge parser, with long and multilingual
//! text, random bytes and every Unicode category.
//!
//! Bounded to run in a few seconds in `cargo test --release` (case counts below); raise them
//! for a deeper local run with `PROPTEST_CASES=5000 cargo test --release --test properties`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::select;

use sciatica_bot::knowledge::bundled;
use sciatica_bot::review;
use sciatica_bot::safety::MAX_FINDINGS;
use sciatica_bot::text;
use sciatica_bot::Engine;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Engine::load(&dir).expect("the bundled knowledge loads").0
    })
}

/// Words from the knowledge's own world and from other languages and scripts, so generated
/// messages hit real terms, typos of them, and long runs of unknown words.
const WORDS: &[&str] = &[
    "sciatica",
    "massage",
    "piriformis",
    "foam",
    "roller",
    "heat",
    "ice",
    "stretch",
    "glute",
    "where",
    "how",
    "long",
    "should",
    "I",
    "my",
    "leg",
    "back",
    "numb",
    "bladder",
    "can't",
    "don't",
    "no",
    "not",
    "kill",
    "myself",
    "pee",
    "weak",
    "both",
    "legs",
    "fever",
    "cancer",
    "dolor",
    "espalda",
    "pierna",
    "ciática",
    "masaje",
    "calor",
    "hielo",
    "douleur",
    "fesse",
    "sciatique",
    "étirement",
    "Schmerzen",
    "Rücken",
    "Wärme",
    "Ischias",
    "Dehnübung",
    "боль",
    "спина",
    "ишиас",
    "坐骨神经痛",
    "按摩",
    "腰痛",
    "ぎっくり腰",
    "マッサージ",
    "ألم",
    "ظهر",
    "दर्द",
    "😭",
    "🔥",
    "🧊",
    "💆‍♀️",
    "&",
    "?",
    "!",
    "...",
    "'",
    "\"",
    "sooooo",
    "pleeeease",
    "12",
    "30s",
    "2x",
    "<@123456789012345678>",
    "@everyone",
    "\u{feff}",
    "\u{200b}",
    "\u{0301}",
    "e\u{0301}",
    "\u{202e}",
    "\t",
    "\n",
    "\r\n",
];

fn wordy(max_words: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(select(WORDS), 0..max_words).prop_map(|w| w.join(" "))
}

/// Any string (proptest's `String` draws from every Unicode category), word salad up to
/// 400 words, or random bytes read the way the CLI reads them.
fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        wordy(400),
        prop::collection::vec(any::<u8>(), 0..2000)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        (wordy(60), any::<String>(), wordy(60)).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_message_gets_a_reply_with_the_disclaimer(text in message()) {
        let reply = engine().answer(&text);
        prop_assert!(!reply.disclaimer.is_empty());
        prop_assert!(reply.text().contains(&reply.disclaimer));
        prop_assert!((0.0..=1.0).contains(&reply.confidence));
    }

    #[test]
    fn the_normaliser_gives_lower_case_ascii_words(text in message()) {
        let folded = text::fold(&text);
        prop_assert!(folded.is_ascii(), "{folded:?}");
        prop_assert!(!folded.chars().any(|c| c.is_ascii_uppercase()), "{folded:?}");
        prop_assert!(!folded.starts_with(' ') && !folded.ends_with(' ') && !folded.contains("  "));
        for w in text::words(&folded) {
            let _ = text::stem(w);
            let _ = text::is_stopword(w);
        }
        prop_assert_eq!(text::is_blank(&text), folded.is_empty());
        // Folding is stable: folded text folds to itself.
        prop_assert_eq!(text::fold(&folded), folded.clone());
    }

    #[test]
    fn the_safety_screen_explains_exactly_what_it_decides(text in message()) {
        let screen = engine().safety();
        let explained = screen.explain(&text);
        prop_assert_eq!(screen.screen(&text), explained.verdict);
        prop_assert!(explained.findings.len() <= MAX_FINDINGS);
        let _ = screen.mentions_safety_terms(&text);
    }
}

/// The bundled files, each whole, to damage.
fn bundled_texts() -> &'static [(PathBuf, String)] {
    static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    FILES.get_or_init(bundled::files)
}

/// One knowledge file damaged at random: cut, spliced with junk, or replaced by junk.
fn damaged_file() -> impl Strategy<Value = (usize, String)> {
    let n = bundled_texts().len();
    (
        0..n,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        message(),
        0..4u8,
    )
        .prop_map(move |(file, a, b, junk, how)| {
            let text = &bundled_texts()[file].1;
            let cut = |i: prop::sample::Index| {
                let mut at = i.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            let (x, y) = {
                let (x, y) = (cut(a), cut(b));
                (x.min(y), x.max(y))
            };
            let damaged = match how {
                0 => text[..x].to_string(),
                1 => format!("{}{junk}{}", &text[..x], &text[x..]),
                2 => format!("{}{}", &text[..x], &text[y..]),
                _ => junk,
            };
            (file, damaged)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_knowledge_file_is_reported_or_loaded_never_a_panic((file, text) in damaged_file()) {
        let mut parts = bundled_texts().to_vec();
        parts[file].1 = text;
        match review::load_texts(&parts) {
            Ok(loaded) => {
                // Whatever loads must be answerable.
                let engine = Engine::new(loaded.knowledge);
                let _ = engine.answer("where should I massage for sciatica?");
            }
            Err(failure) => prop_assert!(failure.error_count() > 0),
        }
    }
}
