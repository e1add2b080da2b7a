//! The one place that composes replies. Every reply the bot sends, on any front end, is a
//! [`Reply`] built by a [`Composer`], and every `Reply` carries the disclaimer.
//!
//! Front ends choose how to *lay out* a reply (an embed, terminal text, JSON) but never write
//! reply text of their own; [`Reply::text`] is the canonical plain rendering. Every word the
//! composer adds of its own is a text of `[messages]` in the knowledge ([`Msg`]), so the bot's
//! voice (or language) is the admins' to change.

use serde::Serialize;

use std::fmt::{self, Write as _};

use crate::conversation::Heard;
use crate::knowledge::{Entry, Messages, Msg, Routine, SafetyRules, Section};
use crate::safety::{CrisisRules, RedFlagRule, Urgency};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyKind {
    /// A knowledge entry answered the question.
    Answer,
    /// A warning sign was found: see a doctor, or get emergency help.
    RedFlag { urgency: Urgency },
    /// Self-harm language: helplines, no self-care content.
    Crisis,
    /// Nothing matched well enough; maybe suggestions.
    NoMatch,
    /// Fixed content: help, routine steps, cards, status.
    Info,
    /// Something went wrong on our side or the input was unusable.
    Error,
}

impl ReplyKind {
    /// The `kind` string of the JSON contract.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyKind::Answer => "answer",
            ReplyKind::RedFlag { .. } => "red_flag",
            ReplyKind::Crisis => "crisis",
            ReplyKind::NoMatch => "no_match",
            ReplyKind::Info => "info",
            ReplyKind::Error => "error",
        }
    }

    pub fn urgency(self) -> Option<Urgency> {
        match self {
            ReplyKind::RedFlag { urgency } => Some(urgency),
            _ => None,
        }
    }

    /// Safety replies are never held back by cooldowns or trimmed away.
    pub fn is_safety(self) -> bool {
        matches!(self, ReplyKind::RedFlag { .. } | ReplyKind::Crisis)
    }
}

/// A close topic offered on a no-match ("did you mean").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub id: String,
    pub title: String,
}

/// A second answer in the same reply, for a message that asks two things.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Also {
    pub entry_id: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub kind: ReplyKind,
    pub entry_id: Option<String>,
    /// The second answer, when there is one; its text is part of `body`, under its title.
    pub also: Option<Also>,
    pub title: String,
    /// 0..1; 1 for safety replies and fixed content.
    pub confidence: f32,
    pub suggestions: Vec<Suggestion>,
    /// The message without the disclaimer (for layouts that put the disclaimer in a footer).
    pub body: String,
    /// Always the knowledge's disclaimer; never empty.
    pub disclaimer: String,
}

impl Reply {
    /// The full reply as a reader sees it: title, body, disclaimer.
    pub fn text(&self) -> String {
        format!("{}\n\n{}\n\n{}", self.title, self.body, self.disclaimer)
    }

    /// The `ask --json` contract.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "kind": self.kind.as_str(),
            "entry_id": self.entry_id,
            "title": self.title,
            "confidence": (self.confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
            "suggestions": self.suggestions,
            "also": self.also,
            "text": self.text(),
            "disclaimer": self.disclaimer,
        });
        if let Some(u) = self.kind.urgency() {
            v["urgency"] = serde_json::Value::from(u.as_str());
        }
        v
    }
}

/// Builds every reply from the knowledge's fixed messages.
#[derive(Debug, Clone)]
pub struct Composer {
    messages: Messages,
}

/// A placeholder's name and value, for [`Composer::say`].
pub type Arg<'a> = (&'a str, &'a dyn fmt::Display);

/// How many problems a status lists before "and N more".
pub(crate) const LISTED_PROBLEMS: usize = 8;
/// Longest problem line in a status, so a status always fits in one Discord message.
pub(crate) const PROBLEM_CHARS: usize = 300;

impl Composer {
    pub fn new(messages: Messages) -> Self {
        Self { messages }
    }

    /// A text of `[messages]`, as written (labels, titles).
    pub fn text(&self, m: Msg) -> &str {
        self.messages.get(m)
    }

    /// A text of `[messages]` with its placeholders filled.
    pub fn say(&self, m: Msg, args: &[Arg<'_>]) -> String {
        self.messages.fill(m, args)
    }

    pub(crate) fn reply(
        &self,
        kind: ReplyKind,
        title: impl Into<String>,
        body: impl Into<String>,
    ) -> Reply {
        Reply {
            kind,
            entry_id: None,
            also: None,
            title: title.into(),
            confidence: 1.0,
            suggestions: Vec::new(),
            body: body.into(),
            disclaimer: self.messages.disclaimer.clone(),
        }
    }

    /// An entry that answers the question, and maybe a second one for a second question
    /// (under its own title, before the one disclaimer).
    pub fn answer(&self, entry: &Entry, confidence: f32, also: Option<&Entry>) -> Reply {
        let mut body = render_sections(&entry.sections);
        if let Some(second) = also {
            body.push_str("\n\n**");
            body.push_str(&second.title);
            body.push_str("**\n\n");
            body.push_str(&render_sections(&second.sections));
        }
        Reply {
            entry_id: Some(entry.id.clone()),
            also: also.map(|e| Also {
                entry_id: e.id.clone(),
                title: e.title.clone(),
            }),
            confidence,
            ..self.reply(ReplyKind::Answer, &entry.title, body)
        }
    }

    /// A card asked for by name (`/muscle`, `/technique`).
    pub fn card(&self, entry: &Entry) -> Reply {
        self.answer(entry, 1.0, None)
    }

    /// The reply to warning signs, most urgent rule first. `someone_else`: every sign was
    /// told about another person, so the reply opens by saying how to help them.
    pub fn red_flag(&self, rules: &[&RedFlagRule], someone_else: bool) -> Reply {
        let Some(first) = rules.first() else {
            return self.error(self.text(Msg::safety_check_failed));
        };
        let heading = match first.urgency {
            Urgency::Emergency => Msg::red_flag_title_emergency,
            Urgency::Urgent => Msg::red_flag_title_urgent,
            Urgency::Soon => Msg::red_flag_title_soon,
        };
        let mut body = String::new();
        let note = self.text(Msg::someone_else);
        if someone_else && !note.is_empty() {
            body.push_str(note);
            body.push_str("\n\n");
        }
        body.push_str(first.reply.trim());
        let others: Vec<&str> = rules[1..].iter().map(|r| r.title.as_str()).collect();
        if !others.is_empty() {
            body.push_str("\n\n");
            body.push_str(&self.say(Msg::red_flag_also, &[("signs", &others.join("; "))]));
        }
        Reply {
            entry_id: Some(first.id.clone()),
            ..self.reply(
                ReplyKind::RedFlag {
                    urgency: first.urgency,
                },
                self.say(heading, &[("rule", &first.title)]),
                body,
            )
        }
    }

    /// A message that follows a crisis reply, heard as `heard`: the helplines again, worded
    /// for what the member said. A crisis reply, so it is never held back or trimmed.
    pub fn crisis_follow_up(&self, heard: Heard) -> Reply {
        let body = match heard {
            Heard::NotSafe => Msg::crisis_not_safe,
            Heard::Safe => Msg::crisis_safe,
            Heard::Unsure | Heard::Question => Msg::crisis_unsure,
        };
        self.reply(
            ReplyKind::Crisis,
            self.text(Msg::crisis_follow_up_title),
            self.text(body),
        )
    }

    /// `reply` with the short helpline line under it, for a message that follows a crisis
    /// reply and is answered (or escalated) as usual.
    pub fn with_crisis_reminder(&self, mut reply: Reply) -> Reply {
        reply.body.push_str("\n\n");
        reply.body.push_str(self.text(Msg::crisis_reminder));
        reply
    }

    pub fn crisis(&self, rules: &CrisisRules) -> Reply {
        self.reply(
            ReplyKind::Crisis,
            self.text(Msg::crisis_title),
            rules.reply.trim(),
        )
    }

    /// Nothing matched well enough. `suggestions` may be empty.
    pub fn no_match(&self, suggestions: Vec<Suggestion>, confidence: f32) -> Reply {
        let mut body = self.text(Msg::no_match).to_string();
        if !suggestions.is_empty() {
            body.push_str("\n\n");
            body.push_str(self.text(Msg::suggestions_intro));
            for s in &suggestions {
                body.push_str("\n- ");
                body.push_str(&s.title);
            }
        }
        Reply {
            confidence,
            suggestions,
            ..self.reply(ReplyKind::NoMatch, self.text(Msg::no_match_title), body)
        }
    }

    /// The question was empty, whitespace or only emoji.
    pub fn empty_question(&self) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(
                ReplyKind::NoMatch,
                self.text(Msg::empty_question_title),
                self.text(Msg::empty_question),
            )
        }
    }

    /// The question was too long to match (the safety screen still read all of it).
    pub fn too_long(&self, max_chars: usize) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(
                ReplyKind::NoMatch,
                self.text(Msg::too_long_title),
                self.say(Msg::too_long, &[("max", &max_chars)]),
            )
        }
    }

    pub fn help(&self) -> Reply {
        let mut body = self.text(Msg::help).to_string();
        let examples = &self.messages.example_questions;
        if !examples.is_empty() {
            body.push_str("\n\n");
            body.push_str(self.text(Msg::help_examples_intro));
            for q in examples {
                body.push_str("\n- ");
                body.push_str(q);
            }
        }
        self.reply(ReplyKind::Info, self.text(Msg::help_title), body)
    }

    /// Fixed content of a given title.
    pub fn info(&self, title: impl Into<String>, body: impl Into<String>) -> Reply {
        self.reply(ReplyKind::Info, title, body)
    }

    /// An error a user can act on. Never a Rust debug dump.
    pub fn error(&self, message: impl Into<String>) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(ReplyKind::Error, self.text(Msg::error_title), message)
        }
    }

    /// The warning signs of `rules` by urgency, most urgent first, with the most urgent
    /// rule's own reply (which carries the emergency numbers): `/redflags`.
    pub fn red_flag_overview(&self, rules: &SafetyRules) -> Reply {
        let mut out = String::new();
        for (urgency, label) in [
            (Urgency::Emergency, Msg::redflags_emergency),
            (Urgency::Urgent, Msg::redflags_urgent),
            (Urgency::Soon, Msg::redflags_soon),
        ] {
            let of_tier: Vec<_> = rules
                .red_flags
                .iter()
                .map(|(r, _)| r)
                .filter(|r| r.urgency == urgency)
                .collect();
            let Some(first) = of_tier.first() else {
                continue;
            };
            let _ = writeln!(out, "**{}**", self.text(label));
            for r in &of_tier {
                let _ = writeln!(out, "- {}", r.title);
            }
            if urgency == Urgency::Emergency {
                let _ = writeln!(out, "{}", first.reply.trim());
            }
            out.push('\n');
        }
        self.info(self.text(Msg::redflags_title), out.trim_end())
    }

    /// The list of routines, for `/routine` with no name.
    pub fn routine_list(&self, routines: &[Routine]) -> Reply {
        let mut body = String::new();
        for r in routines {
            let mins = r.total_seconds().div_ceil(60);
            body.push_str(&self.say(
                Msg::routine_list_item,
                &[
                    ("title", &r.title),
                    ("id", &r.id),
                    ("steps", &r.steps.len()),
                    ("minutes", &mins),
                    ("summary", &r.summary),
                ],
            ));
            body.push('\n');
        }
        if routines.is_empty() {
            body.push_str(self.text(Msg::no_routines));
        }
        self.info(self.text(Msg::routines_title), body.trim_end())
    }

    /// A whole routine, every step, for the terminal.
    pub fn routine_overview(&self, routine: &Routine) -> Reply {
        let mut body = format!("{}\n", routine.summary);
        for (i, s) in routine.steps.iter().enumerate() {
            let step = self.say(
                Msg::routine_overview_step,
                &[
                    ("n", &(i + 1)),
                    ("total", &routine.steps.len()),
                    ("hold", &self.hold_time(s.seconds)),
                    ("instruction", &s.instruction),
                ],
            );
            let stop = self.say(Msg::routine_stop_if, &[("stop_cue", &s.stop_cue)]);
            let _ = write!(body, "\n{step}\n{stop}\n");
        }
        self.info(&routine.title, body.trim_end())
    }

    /// One routine step. `countdown` is front-end markup for the hold timer (Discord's
    /// relative timestamp) or `None` for a plain duration.
    pub fn routine_step(&self, routine: &Routine, index: usize, countdown: Option<&str>) -> Reply {
        let Some(s) = routine.steps.get(index) else {
            return self.routine_done(routine);
        };
        let hold = self.hold_time(s.seconds);
        let timer = match countdown {
            Some(c) => self.say(
                Msg::routine_hold_until,
                &[("hold", &hold), ("countdown", &c)],
            ),
            None => self.say(Msg::routine_hold, &[("hold", &hold)]),
        };
        let stop = self.say(Msg::routine_stop_if, &[("stop_cue", &s.stop_cue)]);
        self.info(
            self.say(
                Msg::routine_step_title,
                &[
                    ("routine", &routine.title),
                    ("n", &(index + 1)),
                    ("total", &routine.steps.len()),
                ],
            ),
            format!("{}\n\n{timer}\n\n{stop}", s.instruction),
        )
    }

    pub fn routine_paused(&self, routine: &Routine, index: usize) -> Reply {
        self.info(
            self.say(Msg::routine_paused_title, &[("routine", &routine.title)]),
            self.say(
                Msg::routine_paused,
                &[("n", &(index + 1)), ("total", &routine.steps.len())],
            ),
        )
    }

    pub fn routine_done(&self, routine: &Routine) -> Reply {
        self.info(
            self.say(Msg::routine_done_title, &[("routine", &routine.title)]),
            self.text(Msg::routine_done),
        )
    }

    pub fn routine_stopped(&self, routine: &Routine) -> Reply {
        self.info(
            self.say(Msg::routine_stopped_title, &[("routine", &routine.title)]),
            self.text(Msg::routine_stopped),
        )
    }

    pub fn routine_expired(&self) -> Reply {
        self.info(
            self.text(Msg::routine_expired_title),
            self.text(Msg::routine_expired),
        )
    }

    /// A member asked too often; safety replies never get this.
    pub fn cooldown(&self, retry_after_secs: u64) -> Reply {
        let secs = retry_after_secs.max(1);
        self.info(
            self.text(Msg::cooldown_title),
            self.say(Msg::cooldown, &[("seconds", &secs)]),
        )
    }

    /// Someone pressed a button on another member's routine.
    pub fn not_your_routine(&self) -> Reply {
        self.info(
            self.text(Msg::not_your_routine_title),
            self.text(Msg::not_your_routine),
        )
    }

    pub fn admins_only(&self) -> Reply {
        self.error(self.text(Msg::admins_only))
    }

    /// An unknown routine name; `known` lists the ids there are.
    pub fn no_such_routine(&self, name: &str, known: &[&str]) -> Reply {
        let name: String = name.chars().take(100).collect();
        self.error(self.say(
            Msg::no_such_routine,
            &[("name", &name), ("routines", &known.join(", "))],
        ))
    }

    /// Our side failed (e.g. Discord refused a message); never a debug dump.
    pub fn failed(&self) -> Reply {
        self.error(self.text(Msg::failed))
    }

    /// A command arrived with options missing or of the wrong type (an old client, a command
    /// changed since it was registered).
    pub fn bad_options(&self) -> Reply {
        self.error(self.text(Msg::bad_options))
    }

    /// A server-only command used in a direct message.
    pub fn server_only(&self) -> Reply {
        self.error(self.text(Msg::server_only))
    }

    /// "This hurts" during a routine: stop and give the safety advice.
    pub fn this_hurts(&self) -> Reply {
        self.info(self.text(Msg::this_hurts_title), self.text(Msg::this_hurts))
    }

    /// "45 seconds", "1 min 30 s".
    pub fn hold_time(&self, seconds: u32) -> String {
        match (seconds / 60, seconds % 60) {
            (0, s) => self.say(Msg::hold_seconds, &[("seconds", &s)]),
            (m, 0) => self.say(Msg::hold_minutes, &[("minutes", &m)]),
            (m, s) => self.say(
                Msg::hold_minutes_seconds,
                &[("minutes", &m), ("seconds", &s)],
            ),
        }
    }

    /// A member rated an answer: thanks, or sorry with what to try next.
    pub fn feedback(&self, helpful: bool) -> Reply {
        let body = if helpful {
            Msg::feedback_thanks
        } else {
            Msg::feedback_sorry
        };
        self.info(self.text(Msg::feedback_title), self.text(body))
    }
}

/// "2026-11-22 01:56:03 UTC".
pub fn utc(t: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t)
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

fn render_sections(sections: &[Section]) -> String {
    let mut out = String::new();
    for s in sections {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        if let Some(h) = &s.heading {
            out.push_str("**");
            out.push_str(h);
            out.push_str("**\n");
        }
        out.push_str(&s.text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{EntryKind, Origin, Step};

    fn messages() -> Messages {
        Messages::bundled()
            .clone()
            .with(Msg::disclaimer, "DISCLAIMER: not medical advice.")
            .with(Msg::suggestions_intro, "Did you mean:")
    }

    fn entry() -> Entry {
        Entry {
            id: "piriformis".into(),
            kind: EntryKind::Muscle,
            title: "Piriformis".into(),
            phrasings: vec!["piriformis".into()],
            sections: vec![Section {
                heading: Some("Where it is".into()),
                text: "Deep in the buttock.".into(),
            }],
            tags: vec![],
            context: Vec::new(),
            related: vec![],
            source: "seed".into(),
            reviewed: "2026-11-22".into(),
            origin: Origin::default(),
            phrasing_at: vec![],
        }
    }

    fn routine() -> Routine {
        Routine {
            id: "r".into(),
            title: "Routine".into(),
            summary: "Short.".into(),
            phrasings: vec![],
            steps: vec![Step {
                instruction: "Sit on the ball.".into(),
                uses: "piriformis".into(),
                seconds: 90,
                stop_cue: "Pain spreads.".into(),
                origin: Origin::default(),
            }],
            source: "seed".into(),
            reviewed: "2026-11-22".into(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn every_kind_of_reply_carries_the_disclaimer() {
        let c = Composer::new(messages());
        let rule = RedFlagRule {
            id: "x".into(),
            title: "Bladder".into(),
            urgency: Urgency::Emergency,
            phrases: vec!["cant pee".into()],
            reply: "Go now.".into(),
            ..Default::default()
        };
        let crisis = CrisisRules {
            phrases: vec!["x".into()],
            idioms: vec![],
            reply: "Call 988.".into(),
            ..Default::default()
        };
        let r = routine();
        let replies = [
            c.answer(&entry(), 0.9, None),
            c.card(&entry()),
            c.red_flag(&[&rule], false),
            c.red_flag(&[], false),
            c.crisis(&crisis),
            c.no_match(vec![], 0.1),
            c.empty_question(),
            c.too_long(2000),
            c.help(),
            c.info("t", "b"),
            c.error("oops"),
            c.routine_list(std::slice::from_ref(&r)),
            c.routine_overview(&r),
            c.routine_step(&r, 0, Some("<t:1:R>")),
            c.routine_step(&r, 5, None),
            c.routine_paused(&r, 0),
            c.routine_done(&r),
            c.routine_stopped(&r),
            c.routine_expired(),
            c.this_hurts(),
            c.cooldown(12),
            c.not_your_routine(),
            c.admins_only(),
            c.no_such_routine("nope", &["r"]),
            c.failed(),
            c.feedback(true),
            c.crisis_follow_up(Heard::NotSafe),
            c.gaps_report(&[]),
        ];
        for reply in &replies {
            assert_eq!(reply.disclaimer, "DISCLAIMER: not medical advice.");
            assert!(reply.text().ends_with("DISCLAIMER: not medical advice."));
            let json = reply.to_json();
            assert!(json["text"]
                .as_str()
                .unwrap()
                .contains(json["disclaimer"].as_str().unwrap()));
        }
    }

    #[test]
    fn red_flags_lead_with_the_most_urgent_and_name_the_others() {
        let c = Composer::new(messages());
        let now = RedFlagRule {
            id: "a".into(),
            title: "Saddle numbness".into(),
            urgency: Urgency::Emergency,
            phrases: vec![],
            reply: "Go to the emergency department now.".into(),
            ..Default::default()
        };
        let later = RedFlagRule {
            id: "b".into(),
            title: "Fever".into(),
            urgency: Urgency::Urgent,
            phrases: vec![],
            reply: "See a doctor today.".into(),
            ..Default::default()
        };
        let r = c.red_flag(&[&now, &later], false);
        assert_eq!(
            r.kind,
            ReplyKind::RedFlag {
                urgency: Urgency::Emergency
            }
        );
        assert!(r.body.starts_with("Go to the emergency department now."));
        assert!(r.body.contains("Fever"));
        assert_eq!(r.to_json()["urgency"], "emergency");
    }

    #[test]
    fn no_match_lists_its_suggestions() {
        let c = Composer::new(messages());
        let r = c.no_match(
            vec![Suggestion {
                id: "piriformis".into(),
                title: "Piriformis".into(),
            }],
            0.3,
        );
        assert!(r.body.contains("Did you mean:") && r.body.contains("Piriformis"));
        assert_eq!(r.to_json()["suggestions"][0]["id"], "piriformis");
    }

    #[test]
    fn hold_times_read_naturally() {
        let c = Composer::new(messages());
        assert_eq!(c.hold_time(45), "45 seconds");
        assert_eq!(c.hold_time(60), "1 min");
        assert_eq!(c.hold_time(90), "1 min 30 s");
    }

    #[test]
    fn every_word_of_a_frame_comes_from_the_messages() {
        let m = messages()
            .with(Msg::too_long_title, "TITLE")
            .with(Msg::too_long, "MAX={max}")
            .with(Msg::routine_step_title, "{routine}/{n}/{total}")
            .with(Msg::routine_hold_until, "H:{hold}:{countdown}")
            .with(Msg::routine_stop_if, "S:{stop_cue}")
            .with(Msg::hold_minutes_seconds, "{minutes}m{seconds}s");
        let c = Composer::new(m);
        let r = c.too_long(2000);
        assert_eq!((r.title.as_str(), r.body.as_str()), ("TITLE", "MAX=2000"));
        let step = c.routine_step(&routine(), 0, Some("<t:1:R>"));
        assert_eq!(step.title, "Routine/1/1");
        assert_eq!(
            step.body,
            "Sit on the ball.\n\nH:1m30s:<t:1:R>\n\nS:Pain spreads."
        );
    }
}
