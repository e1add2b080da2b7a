//! Long messages, in English and in other languages, are answered like any other: the matcher
//! keeps a bounded number of question slots however many words it does not know.
//!
//! Regression for issue 7: unknown words skipped the slot cap, and a paragraph with more than
//! 40 of them (every ordinary Spanish, French or German paragraph) panicked the answering path.

use std::path::Path;

use sciatica_bot::{Engine, ReplyKind};

fn engine() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    Engine::load(&dir).expect("the bundled knowledge loads").0
}

const SPANISH: &str = "Hola, me duele mucho la espalda baja y la pierna derecha desde hace tres \
    semanas. Cuando me siento en la oficina durante muchas horas el dolor baja por el glúteo \
    hasta el pie y a veces siento hormigueo en los dedos. He probado calor, hielo, \
    estiramientos y masajes con una pelota de tenis, pero no mejoro mucho. Mi médico dice que \
    es ciática y que debo hacer ejercicio suave, caminar y evitar estar sentado mucho tiempo. \
    Quiero saber qué músculos debo masajear, dónde poner la pelota, cuánto tiempo mantener \
    cada estiramiento, si es mejor el calor o el frío por la noche y qué almohada usar para \
    dormir de lado sin que me duela tanto la cadera ni la rodilla. Muchas gracias por su \
    ayuda y su paciencia con mis preguntas tan largas de hoy.";

const FRENCH: &str = "Bonjour, depuis trois semaines j'ai une douleur qui descend de la fesse \
    jusqu'au mollet gauche, surtout quand je reste assis longtemps au bureau ou en voiture. \
    J'ai essayé la chaleur, la glace, quelques étirements trouvés sur internet et une balle de \
    tennis contre le mur, mais rien ne change vraiment. Mon kinésithérapeute parle d'une \
    sciatique et me conseille de marcher un peu chaque jour. Pouvez-vous me dire quels muscles \
    masser, combien de temps tenir chaque étirement, s'il vaut mieux chauffer ou refroidir le \
    soir, et comment dormir sans réveiller la douleur? Merci beaucoup pour vos conseils et \
    pour votre patience avec ce long message plein de questions.";

const GERMAN: &str = "Guten Tag, seit ungefähr drei Wochen habe ich Schmerzen, die vom unteren \
    Rücken über das Gesäß bis in die Wade ziehen, besonders wenn ich lange im Büro sitze oder \
    Auto fahre. Ich habe Wärme, Kälte, verschiedene Dehnübungen aus dem Internet und einen \
    Tennisball an der Wand ausprobiert, aber es wird kaum besser. Meine Ärztin meint, es sei \
    Ischias, und ich solle mich sanft bewegen und viel spazieren gehen. Welche Muskeln sollte \
    ich massieren, wie lange sollte ich jede Dehnung halten, ist abends Wärme oder Kälte \
    besser, und wie schlafe ich am besten, ohne dass die Hüfte weh tut? Vielen Dank für Ihre \
    Hilfe und Geduld mit dieser langen Nachricht.";

/// Answered (any kind), with the disclaimer, and without panicking.
fn assert_answered(engine: &Engine, question: &str) {
    let reply = engine.answer(question);
    assert!(
        !reply.disclaimer.is_empty() && reply.text().contains(&reply.disclaimer),
        "every reply carries the disclaimer: {:?}",
        reply.kind
    );
}

#[test]
fn a_paragraph_in_spanish_french_or_german_is_answered_without_panicking() {
    let engine = engine();
    for text in [SPANISH, FRENCH, GERMAN] {
        assert!(text.split_whitespace().count() >= 100, "a long paragraph");
        assert_answered(&engine, text);
    }
}

#[test]
fn a_long_english_message_full_of_words_the_knowledge_does_not_know_is_answered() {
    let engine = engine();
    // 120 distinct made-up words (no digits: numbers are skipped before the cap), then a real
    // question at the end.
    let unknown: Vec<String> = (0..120u32)
        .map(|i| {
            let a = char::from(b'a' + (i % 26) as u8);
            let b = char::from(b'a' + (i / 26) as u8);
            format!("zq{a}{b}vexl")
        })
        .collect();
    let text = format!("{} where should I massage for sciatica?", unknown.join(" "));
    assert_answered(&engine, &text);

    // Ordinary long English: a story around a question, 150 words.
    let story = "so yesterday my neighbour who works nights at the bakery down the road told \
        me about her cousin in Leeds who swears by some herbal tea and a special chair from a \
        catalogue and honestly I nodded along while thinking about the weather the garden the \
        cat the kettle the bus timetable and my sister's wedding plans and the fact that the \
        printer jammed again and the landlord still has not fixed the boiler anyway after all \
        that chatter the real thing I wanted to ask you is simple enough ";
    let long = format!("{story}{story}where should I massage for sciatica?");
    assert!(long.split_whitespace().count() > 85);
    assert_answered(&engine, &long);
}

#[test]
fn a_long_message_with_a_red_flag_is_still_escalated() {
    let engine = engine();
    let text = format!("{SPANISH} I can't pee and can't control my bladder.");
    assert!(matches!(
        engine.answer(&text).kind,
        ReplyKind::RedFlag { .. }
    ));
}
