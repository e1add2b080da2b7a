//! The store's texts for admins: entry counts, `/knowledge status` and what a reload did.
//! An `impl` of the one [`Composer`], kept beside the store whose types it reads, so the
//! composer's core knows nothing of the store.

use std::fmt::Write as _;

use super::{Counts, ReloadOutcome, StoreStatus};
use crate::knowledge::{Msg, Severity};
use crate::reply::{utc, Composer, Reply, ReplyKind, LISTED_PROBLEMS, PROBLEM_CHARS};
use crate::text::clip;

/// Most entries listed by rating in `/knowledge status`.
const LISTED_RATINGS: usize = 10;

impl Composer {
    /// Entry counts of a knowledge base, in words.
    pub fn counts(&self, c: &Counts) -> String {
        self.say(
            Msg::counts,
            &[
                ("faqs", &c.faqs),
                ("muscles", &c.muscles),
                ("techniques", &c.techniques),
                ("routines", &c.routines),
                ("red_flags", &c.red_flags),
                ("files", &c.files),
            ],
        )
    }

    /// `/knowledge status`: what is in service, the last reload, warnings, and how members
    /// rated answers (`ratings`: entry id, helpful, not what they asked; most rated first).
    /// Bounded in length whatever the number of problems.
    pub fn status(&self, status: &StoreStatus, ratings: &[(String, u64, u64)]) -> Reply {
        let mut out = String::new();
        let counts = self.counts(&status.counts);
        let _ = writeln!(
            out,
            "{}",
            self.say(Msg::status_in_service, &[("counts", &counts)])
        );
        let loaded = utc(status.loaded_at);
        let _ = writeln!(
            out,
            "{}",
            self.say(Msg::status_loaded, &[("time", &loaded)])
        );
        let folder = match status.source.folder() {
            Some(dir) => dir.display().to_string(),
            None => self.text(Msg::status_built_in).to_string(),
        };
        let _ = writeln!(
            out,
            "{}",
            self.say(Msg::status_folder, &[("folder", &folder)])
        );
        match &status.last_error {
            None => {
                let _ = writeln!(out, "{}", self.text(Msg::status_reload_ok));
            }
            Some((at, diags)) => {
                let errors: Vec<_> = diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect();
                let _ = writeln!(
                    out,
                    "{}",
                    self.say(
                        Msg::status_reload_failed,
                        &[
                            ("time", &utc(*at)),
                            ("errors", &errors.len()),
                            ("loaded", &loaded),
                        ],
                    )
                );
                self.list_problems(&mut out, errors.iter().map(|d| d.to_string()));
            }
        }
        if !status.warnings.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                self.say(Msg::status_warnings, &[("count", &status.warnings.len())])
            );
            self.list_problems(&mut out, status.warnings.iter().map(|d| d.to_string()));
        }
        if ratings.is_empty() {
            let _ = writeln!(out, "{}", self.text(Msg::status_feedback_none));
        } else {
            let _ = writeln!(out, "{}", self.text(Msg::status_feedback));
            for (entry, helpful, not_helpful) in ratings.iter().take(LISTED_RATINGS) {
                let line = self.say(
                    Msg::status_feedback_entry,
                    &[
                        ("entry", entry),
                        ("helpful", helpful),
                        ("not_helpful", not_helpful),
                    ],
                );
                let _ = writeln!(out, "- {line}");
            }
            if ratings.len() > LISTED_RATINGS {
                let more = ratings.len() - LISTED_RATINGS;
                let _ = writeln!(out, "- {}", self.say(Msg::status_more, &[("count", &more)]));
            }
        }
        self.info(self.text(Msg::status_title), out.trim_end())
    }

    pub(crate) fn list_problems(&self, out: &mut String, lines: impl Iterator<Item = String>) {
        let lines: Vec<String> = lines.collect();
        for l in lines.iter().take(LISTED_PROBLEMS) {
            let _ = writeln!(out, "- {}", clip(l, PROBLEM_CHARS));
        }
        if lines.len() > LISTED_PROBLEMS {
            let more = lines.len() - LISTED_PROBLEMS;
            let _ = writeln!(out, "- {}", self.say(Msg::status_more, &[("count", &more)]));
        }
    }

    /// What a reload did: info when the new knowledge is in service, an error when the
    /// previous knowledge stayed.
    pub fn reload_outcome(&self, outcome: &ReloadOutcome) -> Reply {
        match outcome {
            ReloadOutcome::Reloaded { warnings, counts } => {
                let counts = self.counts(counts);
                let body = match warnings.first() {
                    None => self.say(Msg::reload_ok, &[("counts", &counts)]),
                    Some(first) => self.say(
                        Msg::reload_ok_warnings,
                        &[
                            ("counts", &counts),
                            ("warnings", &warnings.len()),
                            ("first", &clip(&first.to_string(), PROBLEM_CHARS)),
                        ],
                    ),
                };
                self.info(self.text(Msg::reload_title), body)
            }
            ReloadOutcome::Rejected(failure) => {
                let first = failure
                    .diagnostics
                    .first()
                    .map_or_else(String::new, ToString::to_string);
                let body = self.say(
                    Msg::reload_rejected,
                    &[
                        ("errors", &failure.error_count()),
                        ("first", &clip(&first, PROBLEM_CHARS)),
                    ],
                );
                Reply {
                    confidence: 0.0,
                    ..self.reply(
                        ReplyKind::Error,
                        self.text(Msg::reload_rejected_title),
                        body,
                    )
                }
            }
        }
    }
}
