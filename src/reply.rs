//! The one place that composes replies. Every reply the bot sends, on any front end, is a
//! [`Reply`] built by a [`Composer`], and every `Reply` carries the disclaimer.
//!
//! Front ends choose how to *lay out* a reply (an embed, terminal text, JSON) but never write
//! reply text of their own; [`Reply::text`] is the canonical plain rendering.

use serde::Serialize;

use crate::conversation::Heard;
use crate::knowledge::{Entry, Messages, Routine, Section};
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

impl Composer {
    pub fn new(messages: Messages) -> Self {
        Self { messages }
    }

    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    fn reply(&self, kind: ReplyKind, title: impl Into<String>, body: impl Into<String>) -> Reply {
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

    /// One or more warning signs; `rules` most urgent first and not empty.
    /// The reply to warning signs, most urgent rule first. `someone_else`: every sign was
    /// told about another person, so the reply opens by saying how to help them.
    pub fn red_flag(&self, rules: &[&RedFlagRule], someone_else: bool) -> Reply {
        let Some(first) = rules.first() else {
            return self.error("The safety check failed; if you are worried, call a doctor.");
        };
        let heading = match first.urgency {
            Urgency::Emergency => "Get emergency help now",
            Urgency::Urgent => "Please see a doctor today",
            Urgency::Soon => "Please book a doctor's appointment",
        };
        let mut body = String::new();
        if someone_else && !self.messages.someone_else.is_empty() {
            body.push_str(&self.messages.someone_else);
            body.push_str("\n\n");
        }
        body.push_str(first.reply.trim());
        let others: Vec<&str> = rules[1..].iter().map(|r| r.title.as_str()).collect();
        if !others.is_empty() {
            body.push_str("\n\nYou also mentioned: ");
            body.push_str(&others.join("; "));
            body.push_str(". Tell the doctor about these too.");
        }
        Reply {
            entry_id: Some(first.id.clone()),
            ..self.reply(
                ReplyKind::RedFlag {
                    urgency: first.urgency,
                },
                format!("{heading}: {}", first.title),
                body,
            )
        }
    }

    /// A message that follows a crisis reply, heard as `heard`: the helplines again, worded
    /// for what the member said. A crisis reply, so it is never held back or trimmed.
    pub fn crisis_follow_up(&self, heard: Heard) -> Reply {
        let body = match heard {
            Heard::NotSafe => &self.messages.crisis_not_safe,
            Heard::Safe => &self.messages.crisis_safe,
            Heard::Unsure | Heard::Question => &self.messages.crisis_unsure,
        };
        self.reply(
            ReplyKind::Crisis,
            &self.messages.crisis_follow_up_title,
            body.as_str(),
        )
    }

    /// `reply` with the short helpline line under it, for a message that follows a crisis
    /// reply and is answered (or escalated) as usual.
    pub fn with_crisis_reminder(&self, mut reply: Reply) -> Reply {
        reply.body.push_str("\n\n");
        reply.body.push_str(&self.messages.crisis_reminder);
        reply
    }

    pub fn crisis(&self, rules: &CrisisRules) -> Reply {
        self.reply(
            ReplyKind::Crisis,
            "You don't have to face this alone",
            rules.reply.trim(),
        )
    }

    /// Nothing matched well enough. `suggestions` may be empty.
    pub fn no_match(&self, suggestions: Vec<Suggestion>, confidence: f32) -> Reply {
        let mut body = self.messages.no_match.clone();
        if !suggestions.is_empty() {
            body.push_str("\n\n");
            body.push_str(&self.messages.suggestions_intro);
            for s in &suggestions {
                body.push_str("\n- ");
                body.push_str(&s.title);
            }
        }
        Reply {
            confidence,
            suggestions,
            ..self.reply(ReplyKind::NoMatch, "I don't know that one yet", body)
        }
    }

    /// The question was empty, whitespace or only emoji.
    pub fn empty_question(&self) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(
                ReplyKind::NoMatch,
                "I didn't catch a question",
                &self.messages.empty_question,
            )
        }
    }

    /// The question was too long to match (the safety screen still read all of it).
    pub fn too_long(&self, max_chars: usize) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(
                ReplyKind::NoMatch,
                "That message is too long for me",
                self.messages
                    .too_long
                    .replace("{max}", &max_chars.to_string()),
            )
        }
    }

    pub fn help(&self) -> Reply {
        let mut body = self.messages.help.clone();
        if !self.messages.example_questions.is_empty() {
            body.push_str("\n\nTry asking:");
            for q in &self.messages.example_questions {
                body.push_str("\n- ");
                body.push_str(q);
            }
        }
        self.reply(ReplyKind::Info, "What I can help with", body)
    }

    /// Fixed content of a given title (lists, status, red-flag overview).
    pub fn info(&self, title: impl Into<String>, body: impl Into<String>) -> Reply {
        self.reply(ReplyKind::Info, title, body)
    }

    /// An error a user can act on. Never a Rust debug dump.
    pub fn error(&self, message: impl Into<String>) -> Reply {
        Reply {
            confidence: 0.0,
            ..self.reply(ReplyKind::Error, "Something went wrong", message)
        }
    }

    /// The list of routines, for `/routine` with no name.
    pub fn routine_list(&self, routines: &[Routine]) -> Reply {
        let mut body = String::new();
        for r in routines {
            let mins = r.total_seconds().div_ceil(60);
            body.push_str(&format!(
                "**{}** (`{}`, {} steps, about {mins} min): {}\n",
                r.title,
                r.id,
                r.steps.len(),
                r.summary
            ));
        }
        if routines.is_empty() {
            body.push_str("No routines are loaded.");
        }
        self.info("Guided routines", body.trim_end())
    }

    /// A whole routine, every step, for the terminal.
    pub fn routine_overview(&self, routine: &Routine) -> Reply {
        let mut body = format!("{}\n", routine.summary);
        for (i, s) in routine.steps.iter().enumerate() {
            body.push_str(&format!(
                "\n**Step {} of {}** ({}): {}\nStop if: {}\n",
                i + 1,
                routine.steps.len(),
                hold_time(s.seconds),
                s.instruction,
                s.stop_cue
            ));
        }
        self.info(&routine.title, body.trim_end())
    }

    /// One routine step. `countdown` is front-end markup for the hold timer (Discord's
    /// relative timestamp) or `None` for a plain duration.
    pub fn routine_step(&self, routine: &Routine, index: usize, countdown: Option<&str>) -> Reply {
        let Some(s) = routine.steps.get(index) else {
            return self.routine_done(routine);
        };
        let timer = match countdown {
            Some(c) => format!("Hold for {} (ends {c})", hold_time(s.seconds)),
            None => format!("Hold for {}", hold_time(s.seconds)),
        };
        self.info(
            format!(
                "{}: step {} of {}",
                routine.title,
                index + 1,
                routine.steps.len()
            ),
            format!("{}\n\n{timer}\n\nStop if: {}", s.instruction, s.stop_cue),
        )
    }

    pub fn routine_paused(&self, routine: &Routine, index: usize) -> Reply {
        self.info(
            format!("{}: paused", routine.title),
            format!(
                "Paused at step {} of {}. Press Next when you are ready to go on.",
                index + 1,
                routine.steps.len()
            ),
        )
    }

    pub fn routine_done(&self, routine: &Routine) -> Reply {
        self.info(
            format!("{}: done", routine.title),
            "Well done. Take a moment, breathe, and notice how you feel. If anything got worse, \
             rest and check the warning signs with /redflags.",
        )
    }

    pub fn routine_stopped(&self, routine: &Routine) -> Reply {
        self.info(
            format!("{}: stopped", routine.title),
            "Routine stopped. You can start it again any time.",
        )
    }

    pub fn routine_expired(&self) -> Reply {
        self.info(
            "This routine has timed out",
            "This session has been idle for a while, so I closed it. Start a new one with /routine.",
        )
    }

    /// A member asked too often; safety replies never get this.
    pub fn cooldown(&self, retry_after_secs: u64) -> Reply {
        let secs = retry_after_secs.max(1);
        self.info(
            "One moment, please",
            format!(
                "You've asked several questions in a short time. Please wait {secs} s and ask \
                 again. Warning signs are always answered at once."
            ),
        )
    }

    /// Someone pressed a button on another member's routine.
    pub fn not_your_routine(&self) -> Reply {
        self.info(
            "This routine belongs to someone else",
            "Only the member who started it can press its buttons. Start your own with /routine.",
        )
    }

    pub fn admins_only(&self) -> Reply {
        self.error("/knowledge is for members with the Manage Server permission.")
    }

    /// An unknown routine name; `known` lists the ids there are.
    pub fn no_such_routine(&self, name: &str, known: &[&str]) -> Reply {
        let name: String = name.chars().take(100).collect();
        self.error(format!(
            "There is no routine called \"{name}\". Routines: {}.",
            known.join(", ")
        ))
    }

    /// Our side failed (e.g. Discord refused a message); never a debug dump.
    pub fn failed(&self) -> Reply {
        self.error("Sorry, that didn't work on my side. Please try again in a moment.")
    }

    /// A command arrived with options missing or of the wrong type (an old client, a command
    /// changed since it was registered).
    pub fn bad_options(&self) -> Reply {
        self.error(
            "I couldn't read that command's options. Please choose the command again from the \
             list (type /) and fill in each option; /help has examples.",
        )
    }

    /// A server-only command used in a direct message.
    pub fn server_only(&self) -> Reply {
        self.error("That command works in a server, not in direct messages.")
    }

    /// "This hurts" during a routine: stop and give the safety advice.
    pub fn this_hurts(&self) -> Reply {
        self.info("Stop here", &self.messages.this_hurts)
    }
}

/// "45 seconds", "1 min 30 s".
pub fn hold_time(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} seconds"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
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
        Messages {
            disclaimer: "DISCLAIMER: not medical advice.".into(),
            no_match: "I don't know.".into(),
            suggestions_intro: "Did you mean:".into(),
            empty_question: "Ask a question.".into(),
            too_long: "At most {max} characters.".into(),
            help: "I help with sciatica.".into(),
            this_hurts: "Stop now.".into(),
            someone_else: "About someone else.".into(),
            crisis_follow_up_title: "Still here".into(),
            crisis_not_safe: "Not safe: call 988 or 116 123.".into(),
            crisis_safe: "Glad: 988 or 116 123.".into(),
            crisis_unsure: "Okay: 988 or 116 123.".into(),
            crisis_reminder: "988 or 116 123.".into(),
            example_questions: vec!["Where should I massage?".into()],
        }
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
        assert_eq!(hold_time(45), "45 seconds");
        assert_eq!(hold_time(60), "1 min");
        assert_eq!(hold_time(90), "1 min 30 s");
    }
}
