//! How the CLI prints a reply: its markdown (bold, lists) rendered for a terminal, or the
//! text exactly as composed for everything else (pipes, files, tests, the scorers).

use std::io::{self, IsTerminal, Write};

/// How reply text is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Render {
    /// The text as composed, markdown and all: what scripts and `ask --json` readers get.
    Plain,
    /// Markdown turned into terminal styles and wrapped to the terminal's width.
    Terminal,
}

impl Render {
    /// The right way for standard output: rendered only for a person at a terminal who has
    /// not asked for plain text (`NO_COLOR`, <https://no-color.org>).
    pub fn for_stdout() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self::choose(io::stdout().is_terminal(), no_color)
    }

    /// The choice itself, apart from the process's real output (so it can be tested).
    pub fn choose(is_terminal: bool, no_color: bool) -> Self {
        if is_terminal && !no_color {
            Render::Terminal
        } else {
            Render::Plain
        }
    }

    /// Write `text` and end the line.
    pub fn write(self, out: &mut dyn Write, text: &str) -> io::Result<()> {
        match self {
            Render::Plain => writeln!(out, "{text}"),
            // Each rendered line ends in a newline of its own.
            Render::Terminal => write!(out, "{}", termimad::MadSkin::default().term_text(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPLY: &str = "**Where to massage**\n- the glutes\n- the piriformis\n\nGo gently.";

    fn written(render: Render) -> String {
        let mut out = Vec::new();
        match render.write(&mut out, REPLY) {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(e) => panic!("writing to memory cannot fail: {e}"),
        }
    }

    #[test]
    fn output_that_is_not_a_terminal_gets_the_text_as_composed() {
        assert_eq!(Render::choose(false, false), Render::Plain);
        assert_eq!(written(Render::Plain), format!("{REPLY}\n"));
    }

    #[test]
    fn no_color_keeps_a_terminal_plain() {
        assert_eq!(Render::choose(true, true), Render::Plain);
        assert_eq!(Render::choose(true, false), Render::Terminal);
    }

    #[test]
    fn a_terminal_gets_bold_and_bullets_instead_of_markdown() {
        let shown = written(Render::Terminal);
        assert!(!shown.contains("**"), "{shown:?}");
        assert!(shown.contains("\u{1b}["), "styled: {shown:?}");
        assert!(shown.contains("Where to massage") && shown.contains("piriformis"));
        assert!(
            !shown.contains("- the glutes"),
            "a bullet, not a dash: {shown:?}"
        );
        assert!(shown.ends_with('\n'));
    }
}
