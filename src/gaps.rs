//! The questions nobody answered: an opt-in, bounded log and the report built from it.
//!
//! STUB: recording and reporting are filled in by the knowledge-admin work.

use std::path::PathBuf;

use crate::reply::Reply;

/// Opt-in log of unanswered questions (`UNANSWERED_LOG=path`).
pub struct GapLog {
    path: PathBuf,
}

impl GapLog {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn from_env() -> Option<Self> {
        std::env::var_os("UNANSWERED_LOG")
            .filter(|p| !p.is_empty())
            .map(|p| Self::new(p.into()))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Record `question` if `reply` left it unanswered. Never records safety replies.
    pub fn record(&self, _question: &str, _reply: &Reply) {}
}

/// `sciatica-bot gaps`: print the report for the log named by `UNANSWERED_LOG`.
pub fn cli_report(
    _engine: &crate::engine::Engine,
    _limit: usize,
    out: &mut impl std::io::Write,
) -> anyhow::Result<std::process::ExitCode> {
    match GapLog::from_env() {
        None => {
            writeln!(
                out,
                "UNANSWERED_LOG is not set, so no unanswered questions were recorded."
            )?;
            Ok(std::process::ExitCode::FAILURE)
        }
        Some(log) => {
            writeln!(out, "No report yet for {}", log.path().display())?;
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
