//! After a crisis reply, what the member says next is read as part of that conversation
//! (issue 12 point 8): "no", "I'm not safe", "idk" get the helplines again in a human voice,
//! never "I don't know that one yet" or a massage tip; a red flag still escalates; a longer
//! sciatica question may be answered, with a helpline line under it.

use std::path::Path;

use sciatica_bot::conversation::{Conversations, Key, State};
use sciatica_bot::knowledge::Msg;
use sciatica_bot::{Engine, ReplyKind};

const CRISIS: &str = "I want to kill myself";
const ALICE_DM: Key = (101, 5);

fn engine() -> Engine {
    Engine::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge"))
        .expect("the bundled knowledge loads")
        .0
}

fn follow_up_title(engine: &Engine) -> String {
    engine
        .knowledge()
        .messages
        .get(Msg::crisis_follow_up_title)
        .to_string()
}

fn reminder(engine: &Engine) -> String {
    engine
        .knowledge()
        .messages
        .get(Msg::crisis_reminder)
        .to_string()
}

#[test]
fn short_answers_after_a_crisis_reply_get_the_helplines_again_never_a_no_match() {
    let engine = engine();
    for answer in [
        "no",
        "no I'm not",
        "I'm not safe",
        "idk",
        "yes",
        "why",
        "nope.",
        "not really",
        "ok",
        "🙁",
        "",
    ] {
        let mut talk = Conversations::new();
        let first = engine.answer_conversing(&mut talk, ALICE_DM, CRISIS, 1_000);
        assert_eq!(first.kind, ReplyKind::Crisis);
        let next = engine.answer_conversing(&mut talk, ALICE_DM, answer, 1_060);
        assert_eq!(next.kind, ReplyKind::Crisis, "{answer:?}: {:?}", next.title);
        assert_eq!(next.title, follow_up_title(&engine), "{answer:?}");
        assert!(
            next.body.contains("988") && next.body.contains("116 123"),
            "{answer:?}: {}",
            next.body
        );
        assert!(next.text().contains(&next.disclaimer));
    }
}

#[test]
fn each_kind_of_answer_is_met_in_its_own_words() {
    let engine = engine();
    let m = &engine.knowledge().messages;
    let after = |answer: &str| engine.answer_in(State::AfterCrisis, answer).body;
    assert_eq!(after("no"), m.get(Msg::crisis_not_safe));
    assert_eq!(after("I'm not safe"), m.get(Msg::crisis_not_safe));
    assert_eq!(after("no I'm not"), m.get(Msg::crisis_not_safe));
    assert_eq!(after("yes"), m.get(Msg::crisis_safe));
    assert_eq!(after("yeah im ok"), m.get(Msg::crisis_safe));
    assert_eq!(after("idk"), m.get(Msg::crisis_unsure));
    assert_eq!(after("why"), m.get(Msg::crisis_unsure));
}

#[test]
fn without_a_crisis_reply_first_no_is_just_a_no_match() {
    let engine = engine();
    let mut talk = Conversations::new();
    let reply = engine.answer_conversing(&mut talk, ALICE_DM, "no", 1_000);
    assert_eq!(reply.kind, ReplyKind::NoMatch);
    // Someone else in the same channel is not in Alice's conversation.
    engine.answer_conversing(&mut talk, ALICE_DM, CRISIS, 1_000);
    assert_eq!(
        engine
            .answer_conversing(&mut talk, (102, 5), "no", 1_001)
            .kind,
        ReplyKind::NoMatch
    );
}

#[test]
fn the_conversation_ends_after_the_window_in_the_knowledge() {
    let engine = engine();
    let window = engine.knowledge().conversation.window_secs();
    assert_eq!(window, 30 * 60, "30 minutes in the bundled knowledge");
    let mut talk = Conversations::new();
    engine.answer_conversing(&mut talk, ALICE_DM, CRISIS, 1_000);
    assert_eq!(
        engine
            .answer_conversing(&mut talk, ALICE_DM, "no", 1_000 + window - 1)
            .kind,
        ReplyKind::Crisis
    );
    // The follow-up kept it open for another window from then.
    assert_eq!(
        talk.context(ALICE_DM, 1_000 + 2 * window - 2),
        State::AfterCrisis
    );
    assert_eq!(talk.context(ALICE_DM, 1_000 + 2 * window), State::Fresh);
    assert_eq!(
        engine
            .answer_conversing(&mut talk, ALICE_DM, "no", 1_000 + 3 * window)
            .kind,
        ReplyKind::NoMatch
    );
}

#[test]
fn a_new_red_flag_still_escalates_with_a_helpline_line_under_it() {
    let engine = engine();
    let red_flag = "I can't pee and the skin between my legs is numb";
    let alone = engine.answer(red_flag);
    assert!(matches!(alone.kind, ReplyKind::RedFlag { .. }));
    let after = engine.answer_in(State::AfterCrisis, red_flag);
    assert_eq!(after.kind, alone.kind);
    assert_eq!(after.title, alone.title);
    assert!(after.body.starts_with(&alone.body));
    assert!(after.body.ends_with(&reminder(&engine)));
    // New crisis words get the whole crisis reply again.
    let again = engine.answer_in(State::AfterCrisis, "I still want to die");
    assert_eq!(again.kind, ReplyKind::Crisis);
    assert_eq!(again.body, engine.answer(CRISIS).body);
}

#[test]
fn a_long_sciatica_question_is_answered_with_a_helpline_line_and_anything_else_gets_the_helplines()
{
    let engine = engine();
    let question = "my buttock aches when I sit all day, where should I massage for sciatica?";
    let alone = engine.answer(question);
    assert_eq!(alone.kind, ReplyKind::Answer, "precondition");
    let after = engine.answer_in(State::AfterCrisis, question);
    assert_eq!(after.kind, ReplyKind::Answer);
    assert_eq!(after.entry_id, alone.entry_id);
    assert!(after.body.ends_with(&reminder(&engine)));

    // Long, but saying they are not safe: the helplines, not the massage tip.
    let unsafe_question = "I'm not safe tonight, but where should I massage for sciatica?";
    let r = engine.answer_in(State::AfterCrisis, unsafe_question);
    assert_eq!(r.kind, ReplyKind::Crisis);
    assert_eq!(
        r.body,
        engine.knowledge().messages.get(Msg::crisis_not_safe)
    );

    // Long and not something the knowledge answers: never a no-match.
    let r = engine.answer_in(
        State::AfterCrisis,
        "I just don't know what to do with myself any more honestly",
    );
    assert_eq!(r.kind, ReplyKind::Crisis);
}
