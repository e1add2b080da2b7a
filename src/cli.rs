//! The terminal front end: argument parsing and the offline commands.
//!
//! Thin on purpose: every answer comes from [`Engine::answer`], every text from the
//! [`crate::reply::Composer`]. This module only reads input and prints.

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::conversation::{Conversations, Key, State};
use crate::engine::Engine;
use crate::gaps::fix::Fix;
use crate::gaps::GapLog;
use crate::knowledge::{self, Diagnostic, Msg, Severity, Source};
use crate::render::Render;
use crate::reply::Reply;
use crate::routine::unix_now;
use crate::store::{Counts, KnowledgeStore};

#[derive(Debug, Parser)]
#[command(
    name = "sciatica-bot",
    version,
    about = "Sciatica self-care answers from a curated knowledge folder, on Discord or in a terminal.",
    after_help = "Not medical advice. If you have numbness in the saddle area, new bladder or bowel \
                  problems, or weakness in both legs, get emergency help now."
)]
pub struct Cli {
    /// Knowledge folder (default: $KNOWLEDGE_DIR, else ./knowledge, else the one built in)
    #[arg(long, global = true, env = "KNOWLEDGE_DIR", value_name = "DIR")]
    pub knowledge: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer one question, or one per line from stdin with --json and no question
    Ask {
        /// Print one JSON object per question (the `ask --json` contract)
        #[arg(long)]
        json: bool,
        /// The question (words are joined); omit it to read questions from stdin
        question: Vec<String>,
    },
    /// Ask questions interactively
    Chat,
    /// List routines, or print one step by step
    Routine {
        /// Routine id (see the list)
        name: Option<String>,
    },
    /// Validate a knowledge folder; problems as file:line:col, non-zero exit on errors
    Check {
        /// Folder to check (default: the knowledge folder in use)
        dir: Option<PathBuf>,
        /// Also print every safety rule with the concepts it combines, and each concept's
        /// words
        #[arg(long)]
        rules: bool,
    },
    /// Print the loaded knowledge as JSON (entries with their source file and line)
    Export,
    /// The most frequent unanswered questions from $UNANSWERED_LOG, and one-click fixes
    Gaps {
        /// How many groups to show
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Add the question of group GROUP (its number in the report, or its key) as a
        /// phrasing of the entry given with --to; checked like `check`, then written, and
        /// committed when the knowledge folder is in a clean git work tree
        #[arg(long, value_name = "GROUP", requires = "to", conflicts_with = "ignore")]
        apply: Option<String>,
        /// The entry id for --apply
        #[arg(long, value_name = "ENTRY", requires = "apply")]
        to: Option<String>,
        /// Hide group GROUP (and questions like it) from later reports
        #[arg(long, value_name = "GROUP")]
        ignore: Option<String>,
    },
    /// Run the Discord bot (needs DISCORD_TOKEN)
    Serve,
    /// Manage knowledge folders
    #[command(subcommand)]
    Knowledge(KnowledgeCommand),
}

#[derive(Debug, Subcommand)]
pub enum KnowledgeCommand {
    /// Write the built-in knowledge out as a folder to edit (never overwrites a file)
    Init {
        /// Folder to create or fill, e.g. /srv/sciatica-bot/knowledge
        dir: PathBuf,
    },
}

/// Parse arguments and run. The binary's `main` is just this.
pub fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let source = knowledge_source(cli.knowledge.as_deref());
    let command = match cli.command {
        Some(c) => c,
        None if std::env::var("DISCORD_TOKEN").is_ok_and(|t| !t.trim().is_empty()) => {
            Command::Serve
        }
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::SUCCESS;
        }
    };
    // The unanswered-questions log is configured once, here, for every command that uses it.
    let gaps = GapLog::from_env();
    match run(command, &source, gaps.as_ref()) {
        Ok(code) => code,
        // `sciatica-bot export | head`: the reader has all it wanted; not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The output was closed by its reader (a pipe into `head`).
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Where the knowledge is: the flag or $KNOWLEDGE_DIR, else ./knowledge, else the copy built
/// into the binary.
pub fn knowledge_source(flag: Option<&Path>) -> Source {
    if let Some(d) = flag {
        return Source::Folder(d.to_path_buf());
    }
    let local = PathBuf::from("knowledge");
    if local.join("messages.toml").is_file() {
        return Source::Folder(local);
    }
    Source::Bundled
}

fn run(command: Command, source: &Source, gaps: Option<&GapLog>) -> anyhow::Result<ExitCode> {
    // Replies are rendered for a person at a terminal; `ask --json` never is (see `ask`).
    let render = Render::for_stdout();
    match command {
        Command::Check { dir: other, rules } => Ok(check(
            &other.map_or_else(|| source.clone(), Source::Folder),
            rules,
        )?),
        Command::Serve => serve(source),
        Command::Knowledge(KnowledgeCommand::Init { dir }) => init(&dir),
        Command::Gaps {
            apply: Some(group),
            to: Some(entry),
            ..
        } => fix_gap(source, gaps, &group, Fix::Phrasing { entry }, render),
        Command::Gaps {
            ignore: Some(group),
            ..
        } => fix_gap(source, gaps, &group, Fix::Ignore, render),
        other => {
            let Some(engine) = load_engine(source) else {
                return Ok(ExitCode::FAILURE);
            };
            let mut out = io::stdout().lock();
            match other {
                Command::Ask { json, question } => {
                    ask(&engine, gaps, json, &question, render, &mut out)?;
                }
                Command::Chat => chat(&engine, gaps, render, &mut out)?,
                Command::Routine { name } => {
                    return routine(&engine, name.as_deref(), render, &mut out)
                }
                Command::Export => export(&engine, &mut out)?,
                Command::Gaps { limit, .. } => {
                    return crate::gaps::cli_report(&engine, gaps, limit, render, &mut out)
                }
                Command::Check { .. } | Command::Serve | Command::Knowledge(_) => {
                    unreachable!("handled above")
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Load for a terminal command; on failure print every problem and return `None`.
fn load_engine(source: &Source) -> Option<Engine> {
    match Engine::from_source(source) {
        Ok((engine, _)) => Some(engine),
        Err(failure) => {
            eprintln!("error: the knowledge folder {source} could not be loaded:");
            print_diagnostics(source, &failure.diagnostics);
            None
        }
    }
}

fn print_diagnostics(source: &Source, diags: &[Diagnostic]) {
    for d in diags {
        let mut d = d.clone();
        // Paths relative to the folder become paths an editor can open; folder-level problems
        // name the folder.
        d.file = source.locate(&d.file);
        eprintln!("{d}");
    }
}

/// `knowledge init DIR`: the built-in knowledge as a folder for admins to edit.
fn init(dir: &Path) -> anyhow::Result<ExitCode> {
    let written = knowledge::bundled::write_to(dir)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "wrote {} files to {}; edit them (see README.md there), check with \
         `sciatica-bot check {}`, and point the bot at the folder with KNOWLEDGE_DIR",
        written.len(),
        dir.display(),
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn ask(
    engine: &Engine,
    gaps: Option<&GapLog>,
    json: bool,
    words: &[String],
    render: Render,
    out: &mut impl Write,
) -> io::Result<()> {
    let emit = |q: &str, out: &mut dyn Write| -> io::Result<()> {
        let reply = answer(engine, q);
        if let Some(g) = gaps {
            g.record(engine, q, &reply);
        }
        if json {
            // A contract for programs, never rendered.
            writeln!(out, "{}", reply.to_json())
        } else {
            render.write(out, &reply.text())
        }
    };
    if !words.is_empty() {
        return emit(&words.join(" "), out);
    }
    if !json {
        // One question, read whole from stdin (lets people pipe a long message in).
        let mut buf = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut buf)?;
        return emit(&String::from_utf8_lossy(&buf), out);
    }
    // JSON lines: one question per line, answers in the same order. A line that is not valid
    // UTF-8 is decoded with replacement characters rather than dropped, so the output keeps
    // one object per input line and the safety screen still reads what it can.
    for line in io::stdin().lock().split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches('\r');
        emit(text, out)?;
    }
    out.flush()
}

/// [`Engine::answer`], with an unexpected panic turned into an error reply (with the
/// disclaimer) so one bad line never ends a batch. The safety screen runs before matching, so
/// a panic there cannot hide a red flag the screen found.
fn answer(engine: &Engine, question: &str) -> Reply {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| engine.answer(question)))
        .unwrap_or_else(|_| engine.composer().failed())
}

/// The terminal's one conversation.
const CHAT: Key = (0, 0);

fn chat(
    engine: &Engine,
    gaps: Option<&GapLog>,
    render: Render,
    out: &mut impl Write,
) -> io::Result<()> {
    // One person at one terminal: one conversation, so "no" after a crisis reply is heard.
    let mut conversations = Conversations::new();
    render.write(
        out,
        &format!(
            "{}\n\n{}",
            engine.composer().help().text(),
            engine.composer().text(Msg::chat_intro)
        ),
    )?;
    let stdin = io::stdin();
    let mut input = stdin.lock();
    loop {
        write!(out, "\n> ")?;
        out.flush()?;
        let mut buf = Vec::new();
        if input.read_until(b'\n', &mut buf)? == 0 {
            writeln!(out)?;
            return Ok(());
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim();
        let reply = match line {
            "/quit" | "/exit" | "quit" | "exit" => return Ok(()),
            "/help" => engine.composer().help(),
            "/routines" | "/routine" => {
                engine.composer().routine_list(&engine.knowledge().routines)
            }
            q => {
                let now = unix_now();
                let in_crisis = conversations.context(CHAT, now) == State::AfterCrisis;
                let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    engine.answer_conversing(&mut conversations, CHAT, q, now)
                }))
                .unwrap_or_else(|_| engine.composer().failed());
                // Nothing said in a crisis conversation is logged, answered or not.
                if let (Some(g), false) = (gaps, in_crisis) {
                    g.record(engine, q, &reply);
                }
                reply
            }
        };
        writeln!(out)?;
        render.write(out, &reply.text())?;
    }
}

fn routine(
    engine: &Engine,
    name: Option<&str>,
    render: Render,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let k = engine.knowledge();
    let composer = engine.composer();
    let (reply, code): (Reply, ExitCode) = match name {
        None => (composer.routine_list(&k.routines), ExitCode::SUCCESS),
        Some(n) => match k.routine(n) {
            Some(r) => (composer.routine_overview(r), ExitCode::SUCCESS),
            None => {
                let ids: Vec<&str> = k.routines.iter().map(|r| r.id.as_str()).collect();
                (composer.no_such_routine(n, &ids), ExitCode::FAILURE)
            }
        },
    };
    render.write(out, &reply.text())?;
    Ok(code)
}

fn check(source: &Source, rules: bool) -> io::Result<ExitCode> {
    match crate::review::check(source) {
        Ok(loaded) => {
            print_diagnostics(source, &loaded.warnings);
            let k = &loaded.knowledge;
            if rules {
                write!(
                    io::stdout().lock(),
                    "{}",
                    crate::safety::describe_rules(&k.safety)
                )?;
            }
            let counts = Counts::of(k);
            writeln!(
                io::stdout().lock(),
                "ok: {source} ({} files): {}; {} warning(s)",
                counts.files,
                counts.entries(),
                loaded.warnings.len()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(failure) => {
            print_diagnostics(source, &failure.diagnostics);
            let warnings = failure
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count();
            eprintln!(
                "failed: {} error(s), {warnings} warning(s) in {source}",
                failure.error_count(),
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

fn export(engine: &Engine, out: &mut impl Write) -> io::Result<()> {
    let k = engine.knowledge();
    let entries: Vec<_> = k
        .entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id,
                "kind": e.kind.as_str(),
                "title": e.title,
                "phrasings": e.phrasings,
                "answer": e.answer_text(),
                "tags": e.tags,
                "source": e.source,
                "reviewed": e.reviewed,
                "file": e.origin.file,
                "line": e.origin.line,
            })
        })
        .chain(k.routines.iter().map(|r| {
            serde_json::json!({
                "id": r.id,
                "kind": "routine",
                "title": r.title,
                "phrasings": r.phrasings,
                "answer": r.summary,
                "steps": r.steps,
                "source": r.source,
                "reviewed": r.reviewed,
                "file": r.origin.file,
                "line": r.origin.line,
            })
        }))
        .collect();
    serde_json::to_writer_pretty(&mut *out, &entries)?;
    writeln!(out)
}

/// `gaps --apply GROUP --to ENTRY` and `gaps --ignore GROUP`: the one-click fixes of
/// `/knowledge gaps`, from a terminal (git's own identity is the author of the commit).
fn fix_gap(
    source: &Source,
    gaps: Option<&GapLog>,
    group: &str,
    fix: Fix,
    render: Render,
) -> anyhow::Result<ExitCode> {
    let store = match KnowledgeStore::open_source(source.clone()) {
        Ok(s) => s,
        Err(failure) => {
            eprintln!("error: the knowledge folder {source} could not be loaded:");
            print_diagnostics(source, &failure.diagnostics);
            return Ok(ExitCode::FAILURE);
        }
    };
    let result = crate::gaps::fix::apply(&store, gaps.map(GapLog::path), group, fix, None);
    let engine = store.engine();
    let mut out = io::stdout().lock();
    match result {
        Ok(applied) => {
            render.write(&mut out, &engine.composer().fix_applied(&applied).body)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(refused) => {
            render.write(&mut out, &engine.composer().fix_refused(&refused).body)?;
            Ok(ExitCode::FAILURE)
        }
    }
}

fn serve(source: &Source) -> anyhow::Result<ExitCode> {
    let config = crate::discord::Config::from_env()?;
    let store = match KnowledgeStore::open_source(source.clone()) {
        Ok(s) => Arc::new(s),
        Err(failure) => {
            eprintln!("error: the knowledge folder {source} could not be loaded:");
            print_diagnostics(source, &failure.diagnostics);
            return Ok(ExitCode::FAILURE);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::discord::serve(config, store))?;
    Ok(ExitCode::SUCCESS)
}
