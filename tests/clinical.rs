//! Clinical safety of the bundled knowledge (issue 12). Every FAQ answer, muscle and technique
//! card and routine step is read for what it teaches, by concept rather than by entry id, and
//! each thing taught must carry its caution; probe questions from the clinical review, answered
//! through the real engine, get the right kind of reply with the right content.
//!
//! The concepts below are written independently of `knowledge/cautions.toml` on purpose: the
//! `check` warnings are the admins' guard while they edit, these tests are the release guard,
//! and weakening one does not silently weaken the other.

#[path = "fixtures/knowledge/support.rs"]
mod support;

use std::path::{Path, PathBuf};

use sciatica_bot::knowledge::{self, EntryKind, Knowledge};
use sciatica_bot::review;
use sciatica_bot::safety::Urgency;
use sciatica_bot::text;
use sciatica_bot::{Engine, Reply, ReplyKind};

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

fn bundled() -> Knowledge {
    match review::load_dir(&bundled_dir()) {
        Ok(loaded) => loaded.knowledge,
        Err(e) => panic!("the bundled knowledge must load: {e}"),
    }
}

fn engine() -> Engine {
    match Engine::load(&bundled_dir()) {
        Ok((engine, _)) => engine,
        Err(e) => panic!("the bundled knowledge must load: {e}"),
    }
}

/// One text a member can read: an entry's whole answer, or one routine step.
struct Text {
    /// Where it is, for failure messages: "faq `leg-massage`", "routine `x` step 2".
    place: String,
    /// What it teaches.
    own: String,
    /// Where its caution may be written: the text itself, or for a step also the routine's
    /// summary (shown before step 1) when `summary_counts`.
    with_summary: String,
    is_step: bool,
    kind: Option<EntryKind>,
}

fn texts(k: &Knowledge) -> Vec<Text> {
    let mut out: Vec<Text> = k
        .entries
        .iter()
        .map(|e| Text {
            place: format!("{} `{}`", e.kind.as_str(), e.id),
            own: e.answer_text(),
            with_summary: e.answer_text(),
            is_step: false,
            kind: Some(e.kind),
        })
        .collect();
    for r in &k.routines {
        for (i, s) in r.steps.iter().enumerate() {
            let own = format!("{}\n{}", s.instruction, s.stop_cue);
            out.push(Text {
                place: format!("routine `{}` step {}", r.id, i + 1),
                with_summary: format!("{own}\n{}", r.summary),
                own,
                is_step: true,
                kind: None,
            });
        }
    }
    out
}

/// Sentences of a text (list items and clauses after a colon count as sentences).
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split(['.', '!', '?', ';', ':', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `term` appears in `text` as whole words in a row; a trailing `*` makes its last word a
/// prefix ("knead*" matches "kneading").
fn mentions(text: &str, term: &str) -> bool {
    let hay: Vec<String> = text::words(&text::fold(text)).map(str::to_string).collect();
    let prefix = term.ends_with('*');
    let folded = text::fold(term.trim_end_matches('*'));
    let want: Vec<&str> = text::words(&folded).collect();
    if want.is_empty() || hay.len() < want.len() {
        return false;
    }
    (0..=hay.len() - want.len()).any(|i| {
        want.iter().enumerate().all(|(j, w)| {
            let h = &hay[i + j];
            if prefix && j == want.len() - 1 {
                h.starts_with(w)
            } else {
                h == w
            }
        })
    })
}

fn any_of(text: &str, terms: &[&str]) -> bool {
    terms.iter().any(|t| mentions(text, t))
}

/// A thing the knowledge may teach, and what must come with it.
struct Concept {
    name: &'static str,
    /// A sentence teaches it when it holds a term from every group...
    teaches: &'static [&'static [&'static str]],
    /// ...and none of these (a sentence warning against it does not teach it).
    unless: &'static [&'static str],
    /// The caution: a term from every group, anywhere in the text. Empty: never teach it.
    needs: &'static [&'static [&'static str]],
    /// For steps, the caution may be in the routine's summary.
    summary_counts: bool,
    /// Routine steps only.
    steps_only: bool,
}

const NEGATIONS: &[&str] = &[
    "off",
    "never",
    "not",
    "dont",
    "avoid",
    "skip",
    "away from",
    "keep clear",
    "instead of",
    "rather than",
    "no",
];

/// Every text that teaches `c` without its caution, with the sentence that teaches it.
fn missing(c: &Concept) -> Vec<String> {
    let mut bad = Vec::new();
    for t in texts(&bundled()) {
        if c.steps_only && !t.is_step {
            continue;
        }
        let Some(sentence) = sentences(&t.own)
            .find(|s| c.teaches.iter().all(|group| any_of(s, group)) && !any_of(s, c.unless))
        else {
            continue;
        };
        let scope = if c.summary_counts {
            &t.with_summary
        } else {
            &t.own
        };
        if c.needs.is_empty() || !c.needs.iter().all(|group| any_of(scope, group)) {
            bad.push(format!("{}: \"{sentence}\"", t.place));
        }
    }
    bad
}

fn assert_concept(c: &Concept) {
    let bad = missing(c);
    assert!(
        bad.is_empty(),
        "{}: {} text(s) fail:\n  {}",
        c.name,
        bad.len(),
        bad.join("\n  ")
    );
}

const MASSAGE_VERBS: &[&str] = &[
    "massag*", "knead*", "rub*", "squeez*", "stroke", "strokes", "stroking", "chop*", "roll*",
    "press*", "tap", "tapping",
];

#[test]
fn every_text_that_teaches_calf_massage_carries_the_blood_clot_caution() {
    assert_concept(&Concept {
        name: "calf massage needs the clot (DVT) caution",
        teaches: &[&["calf", "calves", "lower leg"], MASSAGE_VERBS],
        unless: &["never massage", "dont massage"],
        needs: &[&["clot"]],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn every_ball_roller_gun_or_deep_pressure_text_carries_the_bleeding_and_fragile_bone_caution() {
    assert_concept(&Concept {
        name:
            "tools and deep pressure need the blood-thinner / bleeding-disorder / thin-bone caution",
        teaches: &[&[
            "ball",
            "balls",
            "foam roll*",
            "roller",
            "massage gun*",
            "percussion",
            "deep tissue",
            "deep pressure",
            "firm pressure",
            "deep massage",
        ]],
        unless: &[
            "skip",
            "avoid",
            "dont",
            "never",
            "keep off",
            "leave deep",
            "birthing ball",
            "exercise ball",
            "gym ball",
            "swiss ball",
            "football",
            "netball",
            "golf",
        ],
        needs: &[
            &["blood thinner*", "anticoagulant*"],
            &[
                "bleeding disorder*",
                "bleed easily",
                "bruise easily",
                "bruise very easily",
            ],
            &[
                "osteoporosis",
                "thin bones",
                "fragile bones",
                "brittle bones",
            ],
        ],
        summary_counts: true,
        steps_only: false,
    });
}

#[test]
fn every_heat_text_warns_against_heat_on_numb_skin() {
    assert_concept(&Concept {
        name: "heat needs the numb-skin caution",
        teaches: &[&[
            "heat",
            "heating pad*",
            "heat pack*",
            "hot pack*",
            "hot water bottle*",
            "wheat bag*",
            "warm bath*",
            "hot bath*",
            "warm pack*",
            "warmth",
            "hot shower*",
            "warm shower*",
        ]],
        unless: &["heat or ice", "heated seat"],
        needs: &[&[
            "numb skin",
            "skin that feels numb",
            "skin feels numb",
            "skin is numb",
            "numb area",
            "area feels numb",
        ]],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn no_straight_leg_nerve_tension_stretch_lacks_a_bent_knee_and_not_in_a_flare_note() {
    assert_concept(&Concept {
        name: "straight-leg stretches need a bent-knee option and a not-in-a-flare note",
        teaches: &[
            &[
                "straight leg",
                "leg straight",
                "legs straight",
                "knee straight",
                "straight knee",
                "knee almost straight",
                "straighten your knee",
                "straighten the knee",
                "straighten your leg",
                "straighten the leg",
            ],
            &[
                "stretch*",
                "hinge*",
                "raise",
                "lift*",
                "towel",
                "roll*",
                "pull*",
                "reach*",
                "lean forward",
                "bend forward",
                "slide*",
                "floss*",
                "glide*",
            ],
        ],
        unless: &[],
        needs: &[&["bent", "bend", "bending"], &["flare"]],
        summary_counts: true,
        steps_only: false,
    });
}

#[test]
fn nothing_puts_a_ball_roller_or_massage_gun_on_the_sciatic_nerve_line() {
    assert_concept(&Concept {
        name:
            "no pressure on the nerve's line (mid buttock, sitting bone to hip, mid back of thigh)",
        teaches: &[
            &[
                "ball",
                "roller",
                "massage gun",
                "percussion",
                "sit on",
                "lie on",
                "lean onto",
            ],
            &[
                "middle of the buttock",
                "middle of your buttock",
                "middle of your sore buttock",
                "middle of the sore buttock",
                "mid buttock",
                "under your sore buttock",
                "under the middle",
                "between the sitting bone and",
                "between your sitting bone and",
                "sitting bone and the bony knob",
                "middle of the back of the thigh",
                "middle of the back of your thigh",
                "under the back of the thigh",
                "under the back of your thigh",
                "halfway between knee and buttock",
                "piriformis",
            ],
        ],
        unless: NEGATIONS,
        needs: &[],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn nothing_recommends_a_hot_water_bottle() {
    assert_concept(&Concept {
        name: "no hot water bottles (NHS sciatica advice: they can scald numb skin)",
        teaches: &[&["hot water bottle*"]],
        unless: NEGATIONS,
        needs: &[],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn nothing_teaches_self_massage_of_the_psoas_through_the_belly() {
    assert_concept(&Concept {
        name: "no deep belly pressure to reach the psoas (it lies beside the aorta)",
        teaches: &[
            &["psoas", "belly", "tummy", "abdomen"],
            &[
                "press",
                "pressing",
                "presses",
                "sink*",
                "massag*",
                "fingertip*",
                "knead*",
                "dig*",
                "ball",
            ],
        ],
        unless: &[
            "not",
            "never",
            "dont",
            "avoid",
            "skip",
            "no",
            "breathe",
            "breathing",
            "endorphin*",
        ],
        needs: &[],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn routine_steps_lying_on_the_back_carry_the_after_20_weeks_pregnancy_note() {
    assert_concept(&Concept {
        name: "lying on the back needs the pregnancy note (from about 20 weeks, on your side)",
        teaches: &[&["on your back", "flat on your back"]],
        unless: &[],
        needs: &[&["pregnant", "pregnancy"], &["20 weeks"]],
        summary_counts: true,
        steps_only: true,
    });
}

#[test]
fn medicine_answers_name_a_pharmacist_or_doctor_and_never_give_a_dose() {
    assert_concept(&Concept {
        name: "medicine answers name who to ask",
        teaches: &[&[
            "painkiller*",
            "ibuprofen",
            "naproxen",
            "paracetamol",
            "codeine",
            "gabapentin",
            "pregabalin",
            "amitriptyline",
            "anti inflammator*",
            "muscle relaxant*",
            "medicine",
            "medicines",
            "medication*",
            "tablets",
            "opioid*",
        ]],
        unless: &[],
        needs: &[&["pharmacist", "gp", "doctor", "prescriber"]],
        summary_counts: false,
        steps_only: false,
    });
    assert_concept(&Concept {
        name: "never a dose",
        teaches: &[&[
            "mg",
            "milligram*",
            "microgram*",
            "tablets a day",
            "maximum dose",
            "dose of",
        ]],
        unless: &[],
        needs: &[],
        summary_counts: false,
        steps_only: false,
    });
}

#[test]
fn pregnancy_answers_name_the_midwife() {
    let k = bundled();
    let bad: Vec<_> = texts(&k)
        .into_iter()
        .filter(|t| t.kind.is_some())
        .filter(|t| any_of(&t.own, &["pregnant", "pregnancy"]))
        .filter(|t| !any_of(&t.own, &["midwife"]))
        .map(|t| t.place)
        .collect();
    assert!(bad.is_empty(), "pregnancy without the midwife: {bad:?}");
}

#[test]
fn no_answer_repeats_the_myths_the_review_found() {
    for t in texts(&bundled()) {
        for s in sentences(&t.own) {
            // "Massage flushes out lactic acid", "adhesions soften": only ever as myths.
            if any_of(s, &["lactic acid", "adhesion*"]) {
                assert!(
                    any_of(s, &["doesnt", "dont", "not", "no good evidence", "myth*"]),
                    "{} repeats a myth: {s:?}",
                    t.place
                );
            }
            // Chronic means beyond about 12 weeks, not 8.
            if any_of(s, &["chronic", "persistent"]) {
                assert!(
                    !any_of(s, &["8 weeks", "eight weeks"]),
                    "{}: chronic is beyond 12 weeks: {s:?}",
                    t.place
                );
            }
            // One message about pressure: comfortable, never "strong".
            assert!(
                !mentions(s, "strong but bearable"),
                "{}: pressure advice conflicts with how-hard-to-press: {s:?}",
                t.place
            );
            // Foot rubbing does not ease back pain.
            if any_of(
                s,
                &[
                    "the arch",
                    "your arch",
                    "foot rub*",
                    "reflexology",
                    "massaging feet",
                ],
            ) && any_of(s, &["back pain", "lower back", "back discomfort"])
            {
                assert!(
                    any_of(s, &["wont", "not", "doesnt"]),
                    "{}: foot-arch myth: {s:?}",
                    t.place
                );
            }
        }
    }
}

#[test]
fn the_disclaimer_keeps_the_emergency_line_for_cauda_equina_signs_and_both_legs() {
    let d = bundled().messages.disclaimer;
    // Whole sentences here: the signs come before the colon that leads to the number.
    let emergency: Vec<&str> = d
        .split('.')
        .filter(|s| any_of(s, &["999", "a&e", "emergency"]))
        .collect();
    assert!(
        !emergency.is_empty(),
        "the disclaimer names the emergency number: {d}"
    );
    let all = emergency.join(" ");
    for sign in ["groin", "bladder", "bowel", "both legs"] {
        assert!(mentions(&all, sign), "the emergency line names {sign}: {d}");
    }
    for overbroad in ["severe", "getting worse", "worse"] {
        assert!(
            !mentions(&all, overbroad),
            "the emergency line must not send '{overbroad}' symptoms to 999 (that is the soon tier): {d}"
        );
    }
    assert!(mentions(&d, "local emergency number"), "{d}");
}

#[test]
fn a_three_minute_routine_exists_for_a_fresh_flare() {
    let k = bundled();
    let r = k
        .routines
        .iter()
        .find(|r| r.total_seconds() <= 180 && mentions(&r.summary, "flare"))
        .expect("a routine of at most 3 minutes for a flare");
    assert!(
        r.steps
            .iter()
            .any(|s| any_of(&s.instruction, &["walk*", "stand"])),
        "the flare routine gets people moving: {}",
        r.id
    );
}

#[test]
fn check_finds_no_missing_caution_in_the_bundled_knowledge() {
    let loaded = match review::check_dir(&bundled_dir()) {
        Ok(l) => l,
        Err(e) => panic!("check must pass: {e}"),
    };
    let cautions: Vec<String> = loaded
        .warnings
        .iter()
        .filter(|d| d.message.contains("(caution `"))
        .map(ToString::to_string)
        .collect();
    assert!(cautions.is_empty(), "{}", cautions.join("\n"));
}

#[test]
fn the_cautions_table_names_every_concept_of_the_clinical_review() {
    let k = bundled();
    let ids: Vec<&str> = k.cautions.iter().map(|(c, _)| c.id.as_str()).collect();
    for id in [
        "calf-clot",
        "bleeding-bones",
        "ball-on-nerve-line",
        "gun-on-nerve",
        "straight-leg-tension",
        "heat-numb-skin",
        "no-hot-water-bottle",
        "no-belly-pressure",
        "pregnancy-lying-flat",
        "medicine-professional",
        "no-doses",
    ] {
        assert!(ids.contains(&id), "cautions.toml lacks `{id}`: {ids:?}");
    }
}

/// The bundled fixed texts, safety rules and cautions plus `extra` TOML.
fn fixture(extra: &str) -> Result<knowledge::Loaded, knowledge::LoadFailure> {
    review::load_texts(&support::bundled_with(
        &["messages.toml", "safety.toml", "cautions.toml"],
        extra,
    ))
}

const CALF_FAQ: &str = r#"
[[faq]]
id = "calf-rub"
title = "Calf rub"
phrasings = ["rub my calf"]
answer = "Knead the calf firmly with both hands for a minute."
source = "test"
reviewed = "2026-11-29"
"#;

#[test]
fn check_warns_when_an_entry_teaches_calf_massage_without_the_clot_caution() {
    let loaded = fixture(CALF_FAQ).expect("a missing caution is a warning, not an error");
    let w: Vec<_> = loaded
        .warnings
        .iter()
        .filter(|d| d.message.contains("caution `calf-clot`"))
        .collect();
    assert_eq!(w.len(), 1, "{:?}", loaded.warnings);
    assert_eq!(w[0].file, Path::new("fixture.toml"));
    assert_eq!(w[0].line, 2, "the warning points at the entry");
    assert!(w[0].message.contains("`calf-rub`"), "{}", w[0]);

    let fixed = CALF_FAQ.replace(
        "for a minute.",
        "for a minute. Never massage a calf that is swollen, hot, red or tender: that can be a blood clot.",
    );
    let loaded = fixture(&fixed).expect("loads");
    assert!(
        !loaded
            .warnings
            .iter()
            .any(|d| d.message.contains("caution `")),
        "{:?}",
        loaded.warnings
    );
}

#[test]
fn check_warns_on_a_routine_step_that_sits_on_a_ball_over_the_nerve() {
    let routine = r#"
[[muscle]]
id = "m"
title = "M"
phrasings = ["m muscle"]
location = "l"
why = "w"
massage = "Use your hands."
stretch = "s"
cautions = "c"
source = "test"
reviewed = "2026-11-29"

[[routine]]
id = "r"
title = "R"
summary = "A routine."
source = "test"
reviewed = "2026-11-29"

[[routine.step]]
instruction = "Sit on a tennis ball under the middle of your buttock and hold."
uses = "m"
seconds = 90
stop_cue = "it hurts."
"#;
    let loaded = fixture(routine).expect("loads with warnings");
    let ids: Vec<_> = loaded
        .warnings
        .iter()
        .filter(|d| d.message.starts_with("routine `r` step 1"))
        .map(|d| d.message.clone())
        .collect();
    assert!(
        ids.iter()
            .any(|m| m.contains("caution `ball-on-nerve-line`")),
        "{ids:?}"
    );
    assert!(
        ids.iter().any(|m| m.contains("caution `bleeding-bones`")),
        "{ids:?}"
    );
}

#[test]
fn a_caution_without_when_is_an_error() {
    let bad = r#"
[[caution]]
id = "empty"
title = "Nothing"
applies_to = ["faq"]
when = []
fix = "x"
"#;
    let err = fixture(bad).expect_err("a caution that can never apply is an error");
    assert!(
        err.diagnostics
            .iter()
            .any(|d| d.message.contains("caution `empty`")),
        "{:?}",
        err.diagnostics
    );
}

// ---------------------------------------------------------------------------------------
// Probe questions from the clinical review, through the real engine.

fn answer(e: &Engine, q: &str) -> Reply {
    let r = e.answer(q);
    assert_eq!(
        r.kind,
        ReplyKind::Answer,
        "{q:?} should be answered, got {} (confidence {:.2})",
        r.kind.as_str(),
        r.confidence
    );
    r
}

/// `q` is answered, the body holds a term of every `all` group and none of `none`.
fn probe(e: &Engine, q: &str, all: &[&[&str]], none: &[&str]) {
    let r = answer(e, q);
    for group in all {
        assert!(
            any_of(&r.body, group),
            "{q:?} was answered by `{}` without any of {group:?}:\n{}",
            r.entry_id.as_deref().unwrap_or("-"),
            r.body
        );
    }
    for bad in none {
        assert!(
            !mentions(&r.body, bad),
            "{q:?} was answered by `{}` with {bad:?}:\n{}",
            r.entry_id.as_deref().unwrap_or("-"),
            r.body
        );
    }
}

#[test]
fn calf_massage_questions_get_the_clot_caution() {
    let e = engine();
    probe(
        &e,
        "can i massage my calf for sciatica",
        &[&["clot"], &["same day", "today"]],
        &[],
    );
    probe(
        &e,
        "is it sciatica or a blood clot",
        &[&["clot"], &["today"], &["999"]],
        &[],
    );
}

#[test]
fn a_question_on_blood_thinners_gets_the_bleeding_caution_not_a_shrug() {
    let e = engine();
    probe(
        &e,
        "I'm on apixaban, can I foam roll?",
        &[&["gp", "pharmacist", "physio"]],
        &[],
    );
    probe(
        &e,
        "can i use a massage gun if i have osteoporosis",
        &[&["thin bones", "osteoporosis"]],
        &[],
    );
}

#[test]
fn a_massage_gun_is_kept_off_the_piriformis_and_the_nerve() {
    let e = engine();
    probe(
        &e,
        "can i use a massage gun on my piriformis",
        &[
            &["off the middle of the buttock", "keep it off"],
            &["blood thinners"],
        ],
        &[],
    );
}

#[test]
fn the_psoas_is_stretched_not_pressed_through_the_belly() {
    let e = engine();
    probe(
        &e,
        "how do i massage my psoas",
        &[&["dont massage it yourself", "never press"]],
        &["sink"],
    );
}

#[test]
fn heat_questions_warn_about_numb_skin_and_hot_water_bottles() {
    let e = engine();
    probe(
        &e,
        "can i use a hot water bottle",
        &[&["numb skin"], &["scald"]],
        &[],
    );
    probe(&e, "ice or heat for sciatica", &[&["numb skin"]], &[]);
    probe(&e, "is heat ok on my numb leg", &[&["numb skin"]], &[]);
}

#[test]
fn hamstring_stretches_keep_the_knee_bent_and_out_of_flares() {
    let e = engine();
    probe(
        &e,
        "hamstring stretch for sciatica",
        &[&["bent"], &["flare"]],
        &["towel"],
    );
}

#[test]
fn facts_follow_nice_ng59() {
    let e = engine();
    probe(
        &e,
        "when is sciatica called chronic",
        &[&["12 weeks"]],
        &["8 weeks"],
    );
    probe(
        &e,
        "when do i need surgery for sciatica",
        &[&["not improved"], &["scan"]],
        &["8 weeks"],
    );
    probe(
        &e,
        "do i need an mri for sciatica",
        &[
            &["usually not", "not routinely", "against routine"],
            &["x ray"],
        ],
        &[],
    );
    probe(
        &e,
        "should i stay in bed",
        &[&["bed rest slows"], &["work"]],
        &[],
    );
    probe(&e, "does massage help sciatica", &[&["exercise"]], &[]);
    probe(&e, "is piriformis syndrome common", &[&["uncommon"]], &[]);
    probe(
        &e,
        "does massage flush out lactic acid",
        &[&["doesnt"]],
        &[],
    );
    probe(
        &e,
        "tennis ball under my foot for back pain",
        &[&["wont ease the back"]],
        &[],
    );
}

#[test]
fn first_steps_lead_with_movement() {
    let e = engine();
    let r = answer(&e, "first thing to do for fresh sciatica");
    let body = r.body.to_lowercase();
    let moving = body
        .find("keep moving")
        .expect("first steps say keep moving");
    let massage = body.find("massage").unwrap_or(usize::MAX);
    assert!(
        moving < massage,
        "movement comes before massage:\n{}",
        r.body
    );
}

#[test]
fn the_bot_does_not_diagnose() {
    let e = engine();
    probe(
        &e,
        "do i have a slipped disc",
        &[&["cant tell", "cant diagnose"], &["gp", "physio"]],
        &[],
    );
    probe(&e, "can a 15 year old get sciatica", &[&["gp"]], &[]);
    probe(
        &e,
        "is my piriformis causing my leg pain",
        &[&["cant diagnose", "cant tell"]],
        &[],
    );
}

#[test]
fn pregnancy_answers_send_bladder_changes_to_999_and_keep_people_off_their_backs() {
    let e = engine();
    probe(
        &e,
        "sciatica during pregnancy",
        &[&["midwife"], &["20 weeks"], &["999"]],
        &["maternity unit straight away if you have a fever or can't pass urine"],
    );
}

#[test]
fn the_doctor_faq_puts_each_sign_in_its_tier() {
    let e = engine();
    let r = answer(&e, "when should i see a doctor");
    let (emergency, rest) = r
        .body
        .split_once("See a doctor today")
        .expect("the FAQ has an emergency part, then a today part");
    for sign in [
        "erection",
        "both legs",
        "serious accident",
        "breathlessness",
    ] {
        assert!(
            mentions(emergency, sign),
            "{sign} is an emergency sign:\n{emergency}"
        );
    }
    for sign in [
        "one leg",
        "fever",
        "swollen",
        "shoulder blades",
        "minor fall",
    ] {
        assert!(mentions(rest, sign), "{sign} is a see-today sign:\n{rest}");
    }
    assert!(mentions(emergency, "local emergency number"));
}

#[test]
fn cancer_history_with_pain_on_coughing_is_escalated_today() {
    let e = engine();
    let r = e.answer("I had breast cancer and my back hurts when I cough");
    assert!(
        matches!(
            r.kind,
            ReplyKind::RedFlag {
                urgency: Urgency::Urgent | Urgency::Emergency
            }
        ),
        "got {}",
        r.kind.as_str()
    );
}

// Red flags the review found missing. The rules are specified in
// /work/corpora/clinical-redflags.md and are being written into knowledge/safety.toml
// (issue 8); until they land these stay ignored.

fn red_flag(q: &str, at_least: Urgency) -> Reply {
    let r = engine().answer(q);
    let rank = |u: Urgency| match u {
        Urgency::Emergency => 0,
        Urgency::Urgent => 1,
        Urgency::Soon => 2,
    };
    match r.kind {
        ReplyKind::RedFlag { urgency } => assert!(
            rank(urgency) <= rank(at_least),
            "{q:?} is {urgency:?}, needs at least {at_least:?}"
        ),
        k => panic!("{q:?} should be a red flag, got {}", k.as_str()),
    }
    assert!(
        mentions(&r.body, "local emergency number"),
        "{q:?}: replies that give numbers add 'or your local emergency number':\n{}",
        r.body
    );
    r
}

#[test]

fn a_swollen_hot_painful_calf_is_a_same_day_clot_warning() {
    let r = red_flag("my calf is swollen, hot and painful", Urgency::Urgent);
    assert!(mentions(&r.body, "clot"), "{}", r.body);
    red_flag(
        "is it a blood clot or sciatica, my calf is red and swollen",
        Urgency::Urgent,
    );
}

#[test]

fn breathlessness_with_a_painful_calf_is_an_emergency() {
    red_flag("short of breath and my calf hurts", Urgency::Emergency);
    red_flag(
        "chest pain and coughing up blood after my flight",
        Urgency::Emergency,
    );
}

#[test]

fn aortic_aneurysm_signs_are_escalated() {
    red_flag(
        "I have a throbbing lump in my tummy and back pain",
        Urgency::Urgent,
    );
    red_flag(
        "sudden tearing pain in my back and I fainted",
        Urgency::Emergency,
    );
}

#[test]

fn a_cold_pale_leg_is_an_emergency() {
    red_flag(
        "my foot has gone cold and pale and it hurts",
        Urgency::Emergency,
    );
}

#[test]

fn pain_between_the_shoulder_blades_needs_a_doctor_today() {
    red_flag(
        "pain between my shoulder blades and down my leg",
        Urgency::Urgent,
    );
}

#[test]

fn a_first_episode_under_20_or_over_50_needs_a_doctor_soon() {
    red_flag(
        "im 58 and never had back pain before, now sciatica",
        Urgency::Soon,
    );
    red_flag(
        "im 17 and its the first time ive had back pain",
        Urgency::Soon,
    );
}

#[test]

fn cancer_history_with_straining_pain_names_the_cancer_team() {
    let r = red_flag(
        "I had breast cancer and my back hurts when I cough",
        Urgency::Urgent,
    );
    assert!(mentions(&r.body, "cancer team"), "{}", r.body);
}

#[test]
fn self_care_questions_near_the_new_red_flags_stay_answered() {
    let e = engine();
    for q in [
        "how do i breathe during a stretch",
        "ice or heat for sciatica",
        "can i use a hot water bottle",
        "is it ok to ice my calf",
    ] {
        let r = e.answer(q);
        assert!(
            !matches!(r.kind, ReplyKind::RedFlag { .. } | ReplyKind::Crisis),
            "{q:?} must not be escalated, got {}",
            r.kind.as_str()
        );
    }
}

#[test]
fn redirect_answers_name_the_professional_to_see() {
    // Medication, pregnancy, children, surgery, injections, scans, diagnosis and long-lasting
    // pain: the bot redirects, so the answer must say who to ask.
    let k = bundled();
    let professionals = [
        "gp",
        "pharmacist",
        "midwife",
        "physio",
        "physiotherapist",
        "doctor",
        "surgeon",
        "specialist",
        "prescriber",
    ];
    let mut checked = 0;
    for e in k
        .entries
        .iter()
        .filter(|e| e.tags.iter().any(|t| t == "redirect"))
    {
        checked += 1;
        let text = e.answer_text();
        assert!(
            any_of(&text, &professionals),
            "`{}` redirects without naming who to see:\n{text}",
            e.id
        );
    }
    assert!(checked >= 8, "the redirect entries are tagged: {checked}");
}
