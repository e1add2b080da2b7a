//! Problems found in a knowledge folder, each pinned to `file:line:col` for an admin's editor.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one place. `line` and `col` are 1-based; 0 means "the whole file", and an
/// empty `file` means the folder itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Line 0 is about a whole file (too big, unreadable) or, with no file, the folder.
        match (self.file.as_os_str().is_empty(), self.line) {
            (true, 0) => write!(f, "{sev}: {}", self.message),
            (false, 0) => write!(f, "{}: {sev}: {}", self.file.display(), self.message),
            _ => write!(
                f,
                "{}:{}:{}: {sev}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            ),
        }
    }
}

/// A place in a knowledge file, kept on every entry so `export` and `check` can point at it.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Origin {
    /// Path relative to the knowledge folder, e.g. `faq/massage.toml`.
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.col)
    }
}

/// Turns byte offsets into 1-based line/column for one file's text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    /// 1-based (line, column in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    pub fn origin(&self, file: &Path, offset: usize) -> Origin {
        let (line, col) = self.line_col(offset);
        Origin {
            file: file.to_path_buf(),
            line,
            col,
        }
    }
}

/// Collects problems while a folder is loaded or checked.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error(&mut self, at: &Origin, message: impl Into<String>) {
        self.push(Severity::Error, at, message);
    }

    pub fn warning(&mut self, at: &Origin, message: impl Into<String>) {
        self.push(Severity::Warning, at, message);
    }

    fn push(&mut self, severity: Severity, at: &Origin, message: impl Into<String>) {
        self.items.push(Diagnostic {
            severity,
            file: at.file.clone(),
            line: at.line,
            col: at.col,
            message: message.into(),
        });
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Errors first, then warnings; each group by file and position.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (a.severity, &a.file, a.line, a.col).cmp(&(b.severity, &b.file, b.line, b.col))
        });
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let idx = LineIndex::new("ab\ncd\n\nxyz");
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(1), (1, 2));
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (4, 1));
        assert_eq!(idx.line_col(9), (4, 3));
    }

    #[test]
    fn diagnostic_prints_as_file_line_col() {
        let d = Diagnostic {
            severity: Severity::Error,
            file: "faq/a.toml".into(),
            line: 3,
            col: 1,
            message: "missing field `id`".into(),
        };
        assert_eq!(d.to_string(), "faq/a.toml:3:1: error: missing field `id`");
    }

    #[test]
    fn whole_file_and_folder_problems_print_without_a_position() {
        let mut d = Diagnostic {
            severity: Severity::Warning,
            file: "faq/a.toml".into(),
            line: 0,
            col: 0,
            message: "too big".into(),
        };
        assert_eq!(d.to_string(), "faq/a.toml: warning: too big");
        d.file = PathBuf::new();
        assert_eq!(d.to_string(), "warning: too big");
    }
}
