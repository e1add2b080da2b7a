//! The gaps report's texts and what a gap fix did, for admins. An `impl` of the one
//! [`Composer`], kept beside the gaps types it reads, so the composer's core knows nothing of
//! the gaps log.

use super::fix::{Applied, Change, Commit, Refused};
use super::GapGroup;
use crate::knowledge::Msg;
use crate::reply::{Composer, Reply, ReplyKind, LISTED_PROBLEMS, PROBLEM_CHARS};
use crate::store::ReloadOutcome;
use crate::text::clip;

impl Composer {
    /// The gaps report: unanswered (and wrongly answered) questions grouped, most frequent
    /// first, each with where to fix it. Paths are inside the knowledge folder.
    pub fn gaps_report(&self, groups: &[GapGroup]) -> Reply {
        let title = self.text(Msg::gaps_title);
        if groups.is_empty() {
            return self.info(title, self.text(Msg::gaps_none));
        }
        let total: usize = groups.iter().map(|g| g.count).sum();
        let mut out = self.say(
            Msg::gaps_header,
            &[("groups", &groups.len()), ("asked", &total)],
        );
        out.push('\n');
        for (i, g) in groups.iter().enumerate() {
            out.push('\n');
            out.push_str(&self.gap_group(i + 1, g));
            out.push('\n');
        }
        self.info(title, out.trim_end())
    }

    /// One group of the gaps report, numbered `n`.
    pub fn gap_group(&self, n: usize, g: &GapGroup) -> String {
        let times = if g.count == 1 {
            self.text(Msg::gaps_once).to_string()
        } else {
            self.say(Msg::gaps_times, &[("count", &g.count)])
        };
        let day = g.last_asked.get(..10).unwrap_or(&g.last_asked);
        let example = clip(&g.example, 160);
        let mut out = self.say(
            Msg::gaps_group,
            &[
                ("n", &n),
                ("example", &example),
                ("times", &times),
                ("day", &day),
            ],
        );
        let mut line = |text: String| {
            out.push_str("\n   ");
            out.push_str(&text);
        };
        if !g.variants.is_empty() {
            let v: Vec<String> = g
                .variants
                .iter()
                .map(|v| format!("\"{}\"", clip(v, 160)))
                .collect();
            line(self.say(Msg::gaps_variants, &[("variants", &v.join("; "))]));
        }
        if let Some((count, entry)) = g.wrong.as_ref().map(|w| (w.count, &w.entry)) {
            line(self.say(Msg::gaps_wrong, &[("count", &count), ("entry", entry)]));
        }
        if let (Some(id), None) = (&g.now_answered_by, &g.wrong) {
            line(self.say(Msg::gaps_now_answered, &[("entry", id)]));
            return out;
        }
        match &g.closest {
            Some(c) => {
                let file = c.origin.file.display().to_string();
                let confidence = format!("{:.2}", c.confidence);
                line(self.say(
                    Msg::gaps_closest,
                    &[
                        ("entry", &c.id),
                        ("title", &c.title),
                        ("file", &file),
                        ("line", &c.origin.line),
                        ("confidence", &confidence),
                    ],
                ));
                line(self.say(
                    Msg::gaps_fix,
                    &[
                        ("entry", &c.id),
                        ("example", &example),
                        ("file", &file),
                        ("line", &c.origin.line),
                    ],
                ));
            }
            None => line(self.text(Msg::gaps_no_close).to_string()),
        }
        out
    }

    /// One change a gap fix made, in a sentence (also the git commit message).
    pub fn change(&self, change: &Change) -> String {
        match change {
            Change::Added {
                phrasing,
                entry,
                at,
            } => self.say(
                Msg::gaps_added,
                &[
                    ("phrasing", phrasing),
                    ("entry", entry),
                    ("file", &at.file.display()),
                    ("line", &at.line),
                ],
            ),
            Change::Created {
                entry,
                at,
                phrasings,
            } => self.say(
                Msg::gaps_created,
                &[
                    ("entry", entry),
                    ("file", &at.file.display()),
                    ("line", &at.line),
                    ("count", phrasings),
                ],
            ),
            Change::Ignored { example } => {
                self.say(Msg::gaps_ignored, &[("example", &clip(example, 160))])
            }
        }
    }

    /// What a gap fix did: the change, what `check` says about it, a reload that failed
    /// meanwhile, and what happened in git.
    pub fn fix_applied(&self, applied: &Applied) -> Reply {
        let mut body = self.change(&applied.change);
        if !applied.warnings.is_empty() {
            let first: Vec<String> = applied
                .warnings
                .iter()
                .take(3)
                .map(|d| clip(&d.to_string(), PROBLEM_CHARS))
                .collect();
            body.push_str(
                "

",
            );
            body.push_str(&self.say(
                Msg::gaps_warnings,
                &[(
                    "warnings",
                    &first.join(
                        "
",
                    ),
                )],
            ));
        }
        if let Some(outcome @ ReloadOutcome::Rejected(_)) = &applied.reload {
            body.push_str(
                "

",
            );
            body.push_str(&self.reload_outcome(outcome).body);
        }
        let git = match &applied.commit {
            Commit::NotARepository => None,
            Commit::Committed { commit, author } => Some(self.say(
                Msg::gaps_committed,
                &[("commit", commit), ("author", author)],
            )),
            Commit::Dirty(files) => Some(self.say(
                Msg::gaps_not_committed_dirty,
                &[("files", &files.join(", "))],
            )),
            Commit::Failed(error) => Some(self.say(
                Msg::gaps_commit_failed,
                &[("error", &clip(error, PROBLEM_CHARS))],
            )),
        };
        if let Some(git) = git {
            body.push_str(
                "

",
            );
            body.push_str(&git);
        }
        self.info(self.text(Msg::gaps_fixed_title), body)
    }

    /// Why a gap fix changed nothing.
    pub fn fix_refused(&self, refused: &Refused) -> Reply {
        let body = match refused {
            Refused::BuiltIn => self.text(Msg::gaps_built_in).to_string(),
            Refused::NoLog => self.text(Msg::gaps_no_log).to_string(),
            Refused::Gone => self.text(Msg::gaps_gone).to_string(),
            Refused::NoSuchEntry(entry) => self.say(Msg::gaps_no_such_entry, &[("entry", entry)]),
            Refused::Invalid(errors) => {
                let mut problems: Vec<String> = errors
                    .iter()
                    .take(LISTED_PROBLEMS)
                    .map(|d| format!("- {}", clip(&d.to_string(), PROBLEM_CHARS)))
                    .collect();
                if errors.len() > LISTED_PROBLEMS {
                    let more = errors.len() - LISTED_PROBLEMS;
                    problems.push(format!(
                        "- {}",
                        self.say(Msg::status_more, &[("count", &more)])
                    ));
                }
                self.say(
                    Msg::gaps_refused,
                    &[("problems", &format!("\n{}", problems.join("\n")))],
                )
            }
            Refused::Io(why) => self.say(
                Msg::gaps_refused,
                &[("problems", &clip(why, PROBLEM_CHARS))],
            ),
        };
        Reply {
            confidence: 0.0,
            ..self.reply(ReplyKind::Error, self.text(Msg::gaps_refused_title), body)
        }
    }
}
