//! The learned readers (`[screen_model]`, `src/safety/model.rs`): they read what their
//! weights say, only on messages the rules left clear, only ever add a reply (crisis first),
//! never silence or replace a rule, and a broken model file is refused at its line like any
//! other knowledge error.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use sciatica_bot::knowledge::{Knowledge, Severity};
use sciatica_bot::review;
use sciatica_bot::safety::{model, SafetyScreen, Source, Verdict};
use support::Kb;

const MODEL_FILE: &str = "screen-model.toml";

/// The bundled knowledge with `model` as its screen model (`None`: no model at all).
fn loaded_with(model: Option<&str>) -> Knowledge {
    let kb = Kb::new();
    match model {
        Some(text) => std::fs::write(kb.path(MODEL_FILE), text).expect("write model"),
        None => std::fs::remove_file(kb.path(MODEL_FILE)).expect("remove model"),
    }
    review::load_dir(&kb.dir())
        .unwrap_or_else(|e| panic!("knowledge must load: {:#?}", e.diagnostics))
        .knowledge
}

/// The screen of [`loaded_with`].
fn screen_with(model: Option<&str>) -> SafetyScreen {
    SafetyScreen::new(&loaded_with(model).safety)
}

/// `[screen_model.<head>.weights]` with `weights`.
fn weights_table(head: &str, weights: &[(&str, f64)]) -> String {
    let mut s = format!("[screen_model.{head}.weights]\n");
    for (k, w) in weights {
        s.push_str(&format!("\"{k}\" = {w}\n"));
    }
    s
}

fn model_toml(threshold: f64, bias: f64, weights: &[(&str, f64)]) -> String {
    format!(
        "[screen_model]\ntrained = \"test\"\n[screen_model.crisis]\nthreshold = {threshold}\n\
         bias = {bias}\n"
    ) + &weights_table("crisis", weights)
}

/// A model whose crisis reader never speaks and whose red-flag reader gives `rule`.
fn red_model_toml(rule: Option<&str>, weights: &[(&str, f64)]) -> String {
    model_toml(0.5, -30.0, &[]) + &red_head_toml(rule, weights)
}

/// The `[screen_model.red_flag]` table alone.
fn red_head_toml(rule: Option<&str>, weights: &[(&str, f64)]) -> String {
    let mut s = String::from("[screen_model.red_flag]\n");
    if let Some(rule) = rule {
        s.push_str(&format!("rule = \"{rule}\"\n"));
    }
    s.push_str("threshold = 0.5\nbias = -3.0\n");
    s + &weights_table("red_flag", weights)
}

fn stem_of(word: &str) -> String {
    model::features(word)[0].clone()
}

fn rule_ids(screen_verdict: &Verdict, kb_rules: &[String]) -> Vec<String> {
    screen_verdict
        .red_flags()
        .iter()
        .map(|&i| kb_rules[i].clone())
        .collect()
}

/// A message no crisis rule reads as crisis (no concept word of them), in words a test model
/// can weigh.
const PLAIN: &str = "We painted the old lighthouse postcard blue";

#[test]
fn the_reader_adds_a_crisis_reply_from_its_weights_alone() {
    let without = screen_with(None);
    assert_ne!(without.screen(PLAIN), Verdict::Crisis, "the rules alone");
    let stem = model::features("lighthouse")[0].clone();
    let with = screen_with(Some(&model_toml(0.5, -3.0, &[(&stem, 6.0)])));
    assert_eq!(with.screen(PLAIN), Verdict::Crisis);
    let why = with.explain(PLAIN);
    let reason = why
        .findings
        .iter()
        .find(|f| f.source == Source::Model)
        .expect("the model's finding");
    assert!(reason.term.contains(&stem), "{}", reason.term);
    // Below its threshold it says nothing.
    let weak = screen_with(Some(&model_toml(0.5, -3.0, &[(&stem, 2.0)])));
    assert_ne!(weak.screen(PLAIN), Verdict::Crisis);
}

#[test]
fn pairs_of_stems_count_only_side_by_side_in_one_sentence() {
    let pair = model::features("old lighthouse")
        .into_iter()
        .find(|f| f.contains(' '))
        .expect("a pair feature");
    let screen = screen_with(Some(&model_toml(0.5, -3.0, &[(&pair, 6.0)])));
    assert_eq!(screen.screen(PLAIN), Verdict::Crisis);
    assert_ne!(
        screen.screen("The lighthouse is old. Old. Lighthouse."),
        Verdict::Crisis
    );
}

#[test]
fn the_reader_never_silences_a_rule() {
    let words = model::features("I want to kill myself tonight");
    let weights: Vec<(&str, f64)> = words.iter().map(|w| (w.as_str(), -9.0)).collect();
    let screen = screen_with(Some(&model_toml(0.9, -30.0, &weights)));
    assert_eq!(
        screen.screen("I want to kill myself tonight"),
        Verdict::Crisis
    );
    assert!(matches!(
        screen.screen("I can't feel the toilet paper when I wipe"),
        Verdict::RedFlags { .. }
    ));
}

#[test]
fn a_broken_model_is_refused_at_its_file() {
    let kb = Kb::new();
    std::fs::write(
        kb.path(MODEL_FILE),
        model_toml(1.5, -3.0, &[("lighthous", 1.0)]),
    )
    .expect("write");
    let err = match review::load_dir(&kb.dir()) {
        Ok(_) => panic!("a threshold of 1.5 must be refused"),
        Err(e) => e,
    };
    let d = err
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error && d.message.contains("threshold"))
        .unwrap_or_else(|| panic!("{:#?}", err.diagnostics));
    assert!(
        d.file.ends_with(MODEL_FILE) && d.line > 0,
        "{}",
        d.file.display()
    );
    // A feature the reader can never produce is a warning, and the rest still loads.
    std::fs::write(
        kb.path(MODEL_FILE),
        model_toml(0.5, -3.0, &[("Light House!", 1.0)]),
    )
    .expect("write");
    let loaded = review::load_dir(&kb.dir()).expect("loads with a warning");
    assert!(loaded
        .warnings
        .iter()
        .any(|d| d.message.contains("can never be read")));
}

/// The crisis head with its weights as the trainer writes them: one string of lines.
fn model_lines_toml(lines: &str) -> String {
    format!(
        "[screen_model]\ntrained = \"test\"\n[screen_model.crisis]\nthreshold = 0.5\n\
         bias = -3.0\nweights = '''\n{lines}'''\n"
    )
}

#[test]
fn weights_written_as_lines_read_like_a_table() {
    let lighthouse = stem_of("lighthouse");
    let postcard = stem_of("postcard");
    // "postcard" outweighs "lighthouse" with the bias: each line must be read for PLAIN to
    // be clear and "lighthouse" alone to be crisis.
    let table = screen_with(Some(&model_toml(
        0.5,
        -3.0,
        &[(&lighthouse, 4.0), (&postcard, -1.5)],
    )));
    let lines = screen_with(Some(&model_lines_toml(&format!(
        "{lighthouse} = 4.0\r\n\n{postcard} = -1.5\n"
    ))));
    let alone = "We painted the old lighthouse blue";
    for screen in [&table, &lines] {
        assert_eq!(screen.screen(alone), Verdict::Crisis);
        assert_ne!(screen.screen(PLAIN), Verdict::Crisis);
    }

    // A line that is not `feature = number`, or a feature given twice, is refused by line.
    for (bad, says) in [
        (
            format!("{lighthouse} = 4.0\n{postcard} = lots\n"),
            "line 2 of `weights`:",
        ),
        (format!("{lighthouse} 4.0\n"), "line 1 of `weights`:"),
        (
            format!("{lighthouse} = 4.0\n{lighthouse} = 1\n"),
            "given twice",
        ),
    ] {
        let kb = Kb::new();
        std::fs::write(kb.path(MODEL_FILE), model_lines_toml(&bad)).expect("write");
        let err = match review::load_dir(&kb.dir()) {
            Ok(_) => panic!("{bad:?} must be refused"),
            Err(e) => e,
        };
        assert!(
            err.diagnostics.iter().any(|d| d.severity == Severity::Error
                && d.file.ends_with(MODEL_FILE)
                && d.message.contains(says)),
            "{bad:?}: {:#?}",
            err.diagnostics
        );
    }
}

#[test]
fn the_bundled_model_loads_without_warnings() {
    let kb = Kb::new();
    let loaded = review::load_dir(&kb.dir()).expect("bundled knowledge loads");
    let model = loaded
        .knowledge
        .safety
        .model
        .as_ref()
        .expect("the bundled knowledge has a screen model");
    assert!(model.crisis.weights.len() > 100);
    assert!(!loaded
        .warnings
        .iter()
        .any(|d| d.message.contains("screen_model")));
}

#[test]
fn the_red_flag_reader_gives_its_rule_only_with_a_sign_word_the_rules_let_count() {
    let (lighthouse, numb) = (stem_of("lighthouse"), stem_of("numbness"));
    let weights = [(lighthouse.as_str(), 6.0), (numb.as_str(), 6.0)];
    let k = loaded_with(Some(&red_model_toml(Some("needs_a_check"), &weights)));
    let ids: Vec<String> = k
        .safety
        .red_flags
        .iter()
        .map(|(r, _)| r.id.clone())
        .collect();
    let screen = SafetyScreen::new(&k.safety);
    let v = screen.screen("my leg hurts near the old lighthouse");
    assert_eq!(rule_ids(&v, &ids), ["needs_a_check"], "{v:?}");
    assert!(
        matches!(
            v,
            Verdict::RedFlags {
                someone_else: false,
                ..
            }
        ),
        "{v:?}"
    );
    // Every sign about someone else: the reply is phrased for helping them get seen.
    let theirs = screen.screen("my dad says his leg hurts near the old lighthouse");
    assert!(
        matches!(
            theirs,
            Verdict::RedFlags {
                someone_else: true,
                ..
            }
        ),
        "{theirs:?}"
    );
    // No warning-sign word at all: the reader is not asked.
    assert_eq!(screen.screen("We saw the old lighthouse"), Verdict::Clear);
    // A sign the rules read as negated is not read back in by the reader.
    assert_eq!(
        screen.screen("my leg hurts, no numbness at all"),
        Verdict::Clear
    );
}

#[test]
fn a_red_flag_reader_must_name_an_existing_rule() {
    for (rule, says) in [
        (None, "needs `rule`"),
        (Some("no_such_rule"), "is not a [[red_flag]]"),
    ] {
        let kb = Kb::new();
        std::fs::write(kb.path(MODEL_FILE), red_model_toml(rule, &[("pain", 1.0)])).expect("write");
        let err = match review::load_dir(&kb.dir()) {
            Ok(_) => panic!("{rule:?} must be refused"),
            Err(e) => e,
        };
        assert!(
            err.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error && d.message.contains(says)),
            "{rule:?}: {:#?}",
            err.diagnostics
        );
    }
}

#[test]
fn the_writers_own_crisis_beside_someone_elses_past_is_crisis_by_the_rules_alone() {
    // Someone else in the sentence and a past time must not make the writer's words context.
    let rules = screen_with(None);
    for text in [
        "my wife left last year im done existing",
        "my bf dumped me last month i want to kill myself",
        "He found me after I tried to kill myself last month",
        "She doesnt know I tried to end it all last month",
        "my bf dumped me last month i want to kill myself and i cant feel the toilet paper when i wipe",
    ] {
        assert_eq!(rules.screen(text), Verdict::Crisis, "{text}");
    }
}

#[test]
fn no_reader_speaks_over_a_rule_red_flag() {
    // A crisis reader that weighs "myself" must not turn "I'm not sure if I wet myself" (an
    // emergency sign) into a crisis reply; a red-flag reader must not replace the rule's own
    // reply either.
    let (lighthouse, myself) = (stem_of("lighthouse"), stem_of("myself"));
    let screen = screen_with(Some(
        &(model_toml(0.5, -3.0, &[(&lighthouse, 6.0), (&myself, 6.0)])
            + &red_head_toml(Some("needs_a_check"), &[(&lighthouse, 6.0)])),
    ));
    let rules = screen_with(None);
    for red_flag in [
        "I'm not sure if I wet myself",
        "I can't feel the toilet paper when I wipe, near the old lighthouse",
    ] {
        let rule_only = rules.screen(red_flag);
        assert!(
            matches!(rule_only, Verdict::RedFlags { .. }),
            "{rule_only:?}"
        );
        assert_eq!(screen.screen(red_flag), rule_only, "{red_flag}");
    }
    // On a message the rules leave clear, the crisis reader speaks first.
    assert_eq!(screen.screen(PLAIN), Verdict::Crisis);
}
