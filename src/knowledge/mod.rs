//! The admin-owned knowledge folder: loading, the in-memory model, and validation.
//!
//! Loading is all-or-nothing: [`read_dir`] returns a complete [`Knowledge`] or every problem it
//! found, never a partial knowledge base. The live store relies on that to keep serving the
//! last good knowledge when an edit is bad.

pub mod bundled;
pub mod diagnostics;
pub mod edit;
pub mod messages;
mod parse;
pub mod safety_rules;
pub mod schema;
mod validate;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use diagnostics::{Diagnostic, Diagnostics, LineIndex, Origin, Severity};
pub use messages::{Messages, Msg};

pub use safety_rules::{
    Combo, Concept, CrisisRules, Group, LinearModel, NegationRules, RedFlagRule, SafetyRules,
    ScreenModel, Urgency,
};
use schema::FileDoc;

/// Files larger than this are refused: knowledge is text an admin reads in a diff.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Faq,
    Muscle,
    Technique,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Faq => "faq",
            EntryKind::Muscle => "muscle",
            EntryKind::Technique => "technique",
        }
    }
}

/// A titled part of an answer ("Where it is", "How to massage it"...). FAQ answers have one
/// section with no heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    pub heading: Option<String>,
    pub text: String,
}

/// One answerable entry: an FAQ, a muscle card or a technique card.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub title: String,
    pub phrasings: Vec<String>,
    pub sections: Vec<Section>,
    pub tags: Vec<String>,
    /// Words that, mentioned anywhere in a message, bring this entry into the answer as a
    /// second answer (or the answer, when nothing else answers): a pregnancy, a medicine or a
    /// child mentioned in passing calls for that entry's cautions.
    pub context: Vec<String>,
    pub related: Vec<String>,
    pub source: String,
    pub reviewed: String,
    pub origin: Origin,
    /// Where each phrasing is written, parallel to `phrasings`.
    #[serde(skip)]
    pub phrasing_at: Vec<Origin>,
}

impl Entry {
    /// All answer text, sections joined; used by validation and export.
    pub fn answer_text(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            if let Some(h) = &s.heading {
                out.push_str(h);
                out.push_str(": ");
            }
            out.push_str(&s.text);
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub instruction: String,
    pub uses: String,
    pub seconds: u32,
    pub stop_cue: String,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Routine {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub phrasings: Vec<String>,
    pub steps: Vec<Step>,
    pub source: String,
    pub reviewed: String,
    pub origin: Origin,
}

impl Routine {
    pub fn total_seconds(&self) -> u32 {
        self.steps.iter().map(|s| s.seconds).sum()
    }
}

/// `[[synonym]]`: words users say, mapped to the words the knowledge uses.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synonym {
    pub canonical: String,
    pub variants: Vec<String>,
}

/// Which texts a `[[caution]]` applies to: the three kinds of entry, and routine steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CautionScope {
    Faq,
    Muscle,
    Technique,
    Step,
}

/// `[[caution]]`: a safety caution that every answer teaching something must carry, or (with
/// no `needs`) something no answer may teach. The concepts are data in the knowledge folder;
/// `check` warns about every text that misses one. Terms match like synonyms do: folded
/// words, each word by its English stem, `word*` as a prefix, several words in a row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caution {
    pub id: String,
    /// The concept, for admins: "Calf massage needs the blood-clot caution".
    pub title: String,
    pub applies_to: Vec<CautionScope>,
    /// A sentence teaches the thing when it holds a term from every group.
    pub when: Vec<Vec<String>>,
    /// A sentence holding one of these does not count (it warns against the thing).
    #[serde(default)]
    pub unless: Vec<String>,
    /// The caution: a term from every group must appear in the entry (a step: in the step,
    /// or in its routine's summary when `summary_counts`). Empty: never teach this at all.
    #[serde(default)]
    pub needs: Vec<Vec<String>>,
    #[serde(default)]
    pub summary_counts: bool,
    /// What the admin should add or change, shown in the warning.
    pub fix: String,
}

/// `[scope]`: what makes a message ours. The matcher answers only messages about sciatica
/// self-care: ones that name the condition (`anchors`: "sciatica", "piriformis"), or the
/// writer's own back and legs or a nerve or disc trouble (`body`: "my leg", "pinched nerve")
/// with no other body part or illness named (`other_conditions`: "my wrist", "sunburn"), or
/// tell of the writer's own pain in one of our topics with nothing else named (`pain`: "is
/// agony", "it hurts": "getting out of bed is agony" is ours, "this traffic is agony" is
/// not), or ask about a self-care topic of ours (`topics`: "massage", "foam roller", "ice or
/// heat") and name nothing else (`elsewhere`: an animal, an oven, a whole-body illness...;
/// nor any `other_conditions`). A message that only shares a word or two with the knowledge
/// ("what's the weather like tomorrow") is not ours and gets an honest no-match without
/// suggestions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub anchors: Vec<String>,
    #[serde(default)]
    pub body: Vec<String>,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub elsewhere: Vec<String>,
    #[serde(default)]
    pub other_conditions: Vec<String>,
    #[serde(default)]
    pub pain: Vec<String>,
}

/// `[conversation]`: how a member's messages after a crisis reply are read (see
/// [`crate::conversation`]). Phrases match whole folded words in a row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationRules {
    /// How long after a crisis reply the member's messages in that channel are read as part
    /// of the conversation.
    pub minutes: u32,
    /// A message of at most this many words is an answer, never a question.
    pub short_answer_words: usize,
    /// Phrases that say "I am not safe", in a message of any length.
    pub not_safe: Vec<String>,
    /// "No" in a short answer (to "Are you safe right now?").
    pub no: Vec<String>,
    /// "Yes" in a short answer.
    pub yes: Vec<String>,
    /// Where the table is written.
    #[serde(skip)]
    pub origin: Origin,
}

impl ConversationRules {
    pub fn window_secs(&self) -> u64 {
        u64::from(self.minutes) * 60
    }
}

/// Everything the bot knows, validated.
#[derive(Debug, Clone, Serialize)]
pub struct Knowledge {
    pub entries: Vec<Entry>,
    pub routines: Vec<Routine>,
    pub synonyms: Vec<Synonym>,
    pub scope: Scope,
    /// `[[caution]]` tables, checked against every entry and routine step.
    pub cautions: Vec<(Caution, Origin)>,
    pub messages: Messages,
    pub conversation: ConversationRules,
    pub safety: SafetyRules,
    /// Files read, relative to the folder, in load order.
    pub files: Vec<PathBuf>,
}

impl Knowledge {
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn routine(&self, id: &str) -> Option<&Routine> {
        self.routines.iter().find(|r| r.id == id)
    }

    pub fn count(&self, kind: EntryKind) -> usize {
        self.entries.iter().filter(|e| e.kind == kind).count()
    }
}

/// A successful load: the knowledge and any warnings.
#[derive(Debug)]
pub struct Loaded {
    pub knowledge: Knowledge,
    pub warnings: Vec<Diagnostic>,
}

/// A failed load: every problem found (errors and warnings), sorted, errors first.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the knowledge folder has {} error(s); first: {}", self.error_count(), self.first())]
pub struct LoadFailure {
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadFailure {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    fn first(&self) -> String {
        self.diagnostics
            .first()
            .map_or_else(|| "unknown".to_string(), ToString::to_string)
    }
}

/// Where knowledge comes from: a folder on disk (`--knowledge`, `KNOWLEDGE_DIR`,
/// `./knowledge`), or the copy built into the binary when none is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Folder(PathBuf),
    Bundled,
}

impl Source {
    /// Read and validate, like [`read_dir`].
    pub fn read(&self, checks: Checks) -> Result<Loaded, LoadFailure> {
        match self {
            Source::Folder(dir) => read_dir(dir, &[], checks),
            Source::Bundled => read_texts(&bundled::files(), checks),
        }
    }

    /// See [`fingerprint`]; the built-in knowledge has a fixed one.
    pub fn fingerprint(&self) -> u64 {
        match self {
            Source::Folder(dir) => fingerprint(dir),
            Source::Bundled => bundled::fingerprint(),
        }
    }

    /// The folder, when the knowledge is on disk.
    pub fn folder(&self) -> Option<&Path> {
        match self {
            Source::Folder(dir) => Some(dir),
            Source::Bundled => None,
        }
    }

    /// Where a diagnostic's file is, for a person to open: `dir/file`, or the file's name
    /// inside the built-in knowledge.
    pub fn locate(&self, file: &Path) -> PathBuf {
        let base = match self {
            Source::Folder(dir) => dir.clone(),
            Source::Bundled => PathBuf::from(bundled::NAME),
        };
        if file.as_os_str().is_empty() {
            base
        } else {
            base.join(file)
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Folder(dir) => write!(f, "{}", dir.display()),
            Source::Bundled => f.write_str(bundled::NAME),
        }
    }
}

/// Checks a caller adds to a load, run on the assembled knowledge with the model's own checks,
/// so one load reports every problem at once. The knowledge model is a leaf: the checks that
/// need the compiled safety screen, the composer or the matcher live above it
/// ([`crate::review`]) and come in through here.
pub type Checks<'a> = &'a dyn Fn(&Knowledge, &mut Diagnostics);

/// No checks beyond the model's own.
pub fn model_only(_: &Knowledge, _: &mut Diagnostics) {}

/// Read and validate a whole knowledge folder, with the files in `changed` (path relative to
/// the folder, text) read from memory instead of disk; a file not on disk yet is added (how a
/// change is tried before it is written). Every caller that serves or checks knowledge goes
/// through [`crate::review`], which adds the compiled checks.
pub fn read_dir(
    dir: &Path,
    changed: &[(PathBuf, String)],
    checks: Checks,
) -> Result<Loaded, LoadFailure> {
    let mut diags = Diagnostics::default();
    let mut listing = match toml_files(dir) {
        Ok(f) => f,
        Err(msg) => {
            diags.error(&Origin::default(), msg);
            return Err(LoadFailure {
                diagnostics: diags.sorted(),
            });
        }
    };
    for (rel, _) in changed {
        if !listing.files.contains(rel) {
            listing.files.push(rel.clone());
        }
    }
    listing.files.sort();
    for folder in &listing.toml_named_dirs {
        diags.warning(
            &whole_file(folder),
            "this is a folder, not a file; the .toml files inside it are loaded as usual",
        );
    }
    let mut parts = Vec::new();
    for rel in &listing.files {
        if let Some((_, text)) = changed.iter().find(|(r, _)| r == rel) {
            parts.push((rel.clone(), text.clone()));
            continue;
        }
        match read_text(&dir.join(rel), rel) {
            Ok(text) => parts.push((rel.clone(), text)),
            Err((at, msg)) => diags.error(&at, msg),
        }
    }
    build(&parts, diags, checks)
}

/// Read knowledge from in-memory files (path relative to the folder, text): the built-in
/// knowledge, and tests and benchmarks that generate knowledge.
pub fn read_texts(parts: &[(PathBuf, String)], checks: Checks) -> Result<Loaded, LoadFailure> {
    build(parts, Diagnostics::default(), checks)
}

/// Assemble and validate the texts; `diags` may already hold problems found while reading.
fn build(
    parts: &[(PathBuf, String)],
    mut diags: Diagnostics,
    checks: Checks,
) -> Result<Loaded, LoadFailure> {
    match assemble(parts, &mut diags, checks) {
        Some(k) if !diags.has_errors() => Ok(Loaded {
            knowledge: k,
            warnings: diags.sorted(),
        }),
        _ => Err(LoadFailure {
            diagnostics: diags.sorted(),
        }),
    }
}

/// A cheap fingerprint of what a load of the folder would read: the listing and each file's
/// bytes (or why it cannot be read). Equal fingerprints mean a load would see exactly the
/// same input and so end the same way; the watcher uses it to skip no-op events.
pub fn fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match toml_files(dir) {
        Ok(listing) => {
            listing.toml_named_dirs.hash(&mut h);
            for rel in listing.files {
                rel.hash(&mut h);
                match read_capped(&dir.join(&rel)) {
                    Ok(bytes) => bytes.hash(&mut h),
                    Err(ReadError::TooBig(size)) => size.hash(&mut h),
                    Err(ReadError::NotAFile) => "not a file".hash(&mut h),
                    Err(ReadError::Io(e)) => e.kind().hash(&mut h),
                }
            }
        }
        Err(msg) => msg.hash(&mut h),
    }
    h.finish()
}

fn whole_file(path: &Path) -> Origin {
    Origin {
        file: path.to_path_buf(),
        line: 0,
        col: 0,
    }
}

/// The knowledge files of a folder.
struct Listing {
    /// Every `*.toml` file below the folder, relative, sorted.
    files: Vec<PathBuf>,
    /// Folders whose name ends in `.toml` (probably a mistake, worth a warning).
    toml_named_dirs: Vec<PathBuf>,
}

/// Every `*.toml` below `dir`, relative, sorted so load order (and error order) is stable.
/// Hidden files and editor temporaries (`.foo.toml.swp`, `foo.toml~`, `#foo.toml#`) are
/// skipped.
fn toml_files(dir: &Path) -> Result<Listing, String> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| format!("cannot open the knowledge folder: {}", plain_io(&e)))?;
    if !meta.is_dir() {
        return Err("the knowledge path is not a folder".to_string());
    }
    let mut out = Vec::new();
    let mut toml_named_dirs = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let read = std::fs::read_dir(dir.join(&rel))
            .map_err(|e| format!("cannot list {}: {}", rel.display(), plain_io(&e)))?;
        for item in read.flatten() {
            let name = item.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') {
                continue;
            }
            let child = rel.join(&*name);
            let Ok(ft) = item.file_type() else { continue };
            if ft.is_dir() {
                if name.ends_with(".toml") {
                    toml_named_dirs.push(child.clone());
                }
                stack.push(child);
            } else if name.ends_with(".toml") {
                out.push(child);
            }
        }
    }
    out.sort();
    toml_named_dirs.sort();
    if out.is_empty() {
        return Err("the knowledge folder has no .toml files".to_string());
    }
    Ok(Listing {
        files: out,
        toml_named_dirs,
    })
}

/// Why a knowledge file's bytes could not be read.
enum ReadError {
    /// Its size in bytes (at least), over [`MAX_FILE_BYTES`].
    TooBig(u64),
    /// A device, pipe or socket named `*.toml`.
    NotAFile,
    Io(std::io::Error),
}

/// Read one file, never more than [`MAX_FILE_BYTES`] (+1 to notice a file that grew while it
/// was read), so a device or a runaway file named `*.toml` cannot exhaust memory or, being a
/// pipe, hang the reload.
fn read_capped(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooBig(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Read one file as text; a problem comes back with where it is (the whole file, or the
/// first byte that is not UTF-8).
fn read_text(path: &Path, rel: &Path) -> Result<String, (Origin, String)> {
    let bytes = read_capped(path).map_err(|e| {
        let msg = match e {
            ReadError::TooBig(size) => format!(
                "file is {size} bytes; knowledge files must be at most {MAX_FILE_BYTES} bytes \
                 (split it into several files)"
            ),
            ReadError::NotAFile => {
                "not a regular file; knowledge files are plain text files".to_string()
            }
            ReadError::Io(e) => format!("cannot read: {}", plain_io(&e)),
        };
        (whole_file(rel), msg)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Valid up to here by definition, so this cannot fail.
        let good = std::str::from_utf8(good).unwrap_or_default();
        let at = LineIndex::new(good).origin(rel, good.len());
        (
            at,
            "file is not valid UTF-8 here (saved in another encoding, or not a text file?); \
             save it as UTF-8"
                .to_string(),
        )
    })
}

fn plain_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "not found".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Parse every file, then build and validate the whole. Returns `None` when a required part
/// (messages, crisis, negation) is missing; all problems go to `diags`.
///
/// When a file could not be read or parsed, its entries are missing, so checks that look
/// across files (references, "no file defines [messages]", ranking) are skipped rather than
/// reporting problems that are only echoes of the broken file.
fn assemble(
    parts: &[(PathBuf, String)],
    diags: &mut Diagnostics,
    checks: Checks,
) -> Option<Knowledge> {
    let mut complete = !diags.has_errors();
    let mut b = Builder::default();
    for ((rel, _), (lines, doc, found)) in parts.iter().zip(parse_all(parts)) {
        diags.items.extend(found.items);
        match doc {
            Some(doc) => b.add(rel, &lines, doc, diags),
            None => complete = false,
        }
        b.files.push(rel.clone());
    }
    let knowledge = b.finish(diags, complete)?;
    // The model's own checks and the compiled ones read the knowledge and nothing else.
    let (own, ()) = crate::parallel::side_by_side(
        || {
            let mut own = Diagnostics::default();
            validate::validate(&knowledge, &mut own, complete);
            own
        },
        || checks(&knowledge, diags),
    );
    diags.items.extend(own.items);
    Some(knowledge)
}

/// Each file parsed on its own (with its line index and its own findings), in the order of
/// `parts`. Files are independent, so the largest (the safety rules, the readers' weights)
/// parse on another core while the rest parse here.
fn parse_all(parts: &[(PathBuf, String)]) -> Vec<(LineIndex<'_>, Option<FileDoc>, Diagnostics)> {
    let parse = |i: usize| {
        let (rel, text) = &parts[i];
        let lines = LineIndex::new(text);
        let mut found = Diagnostics::default();
        let doc = parse::parse_file(rel, text, &lines, &mut found);
        (i, (lines, doc, found))
    };
    // Largest first, each to the side with less text so far.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(parts[i].1.len()));
    let (mut beside, mut here) = (Vec::new(), Vec::new());
    let (mut beside_len, mut here_len) = (0usize, 0usize);
    for i in order {
        if beside_len <= here_len {
            beside_len += parts[i].1.len();
            beside.push(i);
        } else {
            here_len += parts[i].1.len();
            here.push(i);
        }
    }
    let (a, b) = crate::parallel::side_by_side(
        || beside.iter().map(|&i| parse(i)).collect::<Vec<_>>(),
        || here.iter().map(|&i| parse(i)).collect::<Vec<_>>(),
    );
    let mut all: Vec<_> = a.into_iter().chain(b).collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, parsed)| parsed).collect()
}

#[derive(Default)]
struct Builder {
    entries: Vec<Entry>,
    routines: Vec<Routine>,
    synonyms: Vec<Synonym>,
    scope: Option<(Scope, Origin)>,
    cautions: Vec<(Caution, Origin)>,
    red_flags: Vec<(RedFlagRule, Origin)>,
    concepts: std::collections::BTreeMap<String, Concept>,
    messages: Option<(messages::Read, Origin)>,
    conversation: Option<(ConversationRules, Origin)>,
    crisis: Option<(CrisisRules, Origin)>,
    negation: Option<(NegationRules, Origin)>,
    model: Option<(ScreenModel, Origin)>,
    files: Vec<PathBuf>,
}

fn spanned_strings(
    v: Vec<toml::Spanned<String>>,
    lines: &LineIndex,
    rel: &Path,
) -> (Vec<String>, Vec<Origin>) {
    v.into_iter()
        .map(|s| {
            let at = lines.origin(rel, s.span().start);
            (s.into_inner(), at)
        })
        .unzip()
}

/// A card section; its heading is the key of its text in `[messages]` until
/// [`Builder::finish`] puts the text in (the messages may be in a later file).
fn section(heading: Msg, text: String) -> Section {
    Section {
        heading: Some(heading.key().to_string()),
        text: text.trim().to_string(),
    }
}

/// The keys every kind of entry has (`[[faq]]`, `[[muscle]]`, `[[technique]]`), moved out of
/// its raw table so one function builds every [`Entry`]. (serde cannot flatten a shared
/// struct into tables that deny unknown keys, so the raw tables repeat these fields.)
struct Head {
    id: toml::Spanned<String>,
    title: String,
    phrasings: Vec<toml::Spanned<String>>,
    tags: Vec<String>,
    related: Vec<String>,
    source: String,
    reviewed: toml::Spanned<String>,
}

macro_rules! head {
    ($raw:ident) => {
        Head {
            id: $raw.id,
            title: $raw.title,
            phrasings: $raw.phrasings,
            tags: $raw.tags,
            related: $raw.related,
            source: $raw.source,
            reviewed: $raw.reviewed,
        }
    };
}

impl Builder {
    /// Add one entry of any kind.
    #[allow(clippy::too_many_arguments)]
    fn entry(
        &mut self,
        rel: &Path,
        lines: &LineIndex,
        origin: Origin,
        kind: EntryKind,
        head: Head,
        sections: Vec<Section>,
        context: Vec<String>,
    ) {
        let (phrasings, phrasing_at) = spanned_strings(head.phrasings, lines, rel);
        self.entries.push(Entry {
            id: head.id.into_inner(),
            kind,
            title: head.title,
            phrasings,
            sections,
            tags: head.tags,
            context,
            related: head.related,
            source: head.source,
            reviewed: head.reviewed.into_inner(),
            origin,
            phrasing_at,
        });
    }

    fn add(&mut self, rel: &Path, lines: &LineIndex, doc: FileDoc, diags: &mut Diagnostics) {
        let at = |span: std::ops::Range<usize>| lines.origin(rel, span.start);
        for f in doc.faq {
            let origin = at(f.span());
            let f = f.into_inner();
            let sections = vec![Section {
                heading: None,
                text: f.answer.trim().to_string(),
            }];
            let head = head!(f);
            self.entry(
                rel,
                lines,
                origin,
                EntryKind::Faq,
                head,
                sections,
                f.context,
            );
        }
        for m in doc.muscle {
            let origin = at(m.span());
            let m = m.into_inner();
            let sections = vec![
                section(Msg::heading_location, m.location),
                section(Msg::heading_why, m.why),
                section(Msg::heading_massage, m.massage),
                section(Msg::heading_stretch, m.stretch),
                section(Msg::heading_cautions, m.cautions),
            ];
            let head = head!(m);
            self.entry(
                rel,
                lines,
                origin,
                EntryKind::Muscle,
                head,
                sections,
                Vec::new(),
            );
        }
        for t in doc.technique {
            let origin = at(t.span());
            let t = t.into_inner();
            let sections = vec![
                section(Msg::heading_how, t.how),
                section(Msg::heading_duration, t.duration),
                section(Msg::heading_cautions, t.cautions),
            ];
            let head = head!(t);
            self.entry(
                rel,
                lines,
                origin,
                EntryKind::Technique,
                head,
                sections,
                Vec::new(),
            );
        }
        for r in doc.routine {
            let origin = at(r.span());
            let r = r.into_inner();
            self.routines.push(Routine {
                id: r.id.into_inner(),
                title: r.title,
                summary: r.summary.trim().to_string(),
                phrasings: r.phrasings,
                steps: r
                    .step
                    .into_iter()
                    .map(|s| {
                        let s = s.into_inner();
                        Step {
                            origin: lines.origin(rel, s.uses.span().start),
                            instruction: s.instruction.trim().to_string(),
                            uses: s.uses.into_inner(),
                            seconds: s.seconds,
                            stop_cue: s.stop_cue.trim().to_string(),
                        }
                    })
                    .collect(),
                source: r.source,
                reviewed: r.reviewed.into_inner(),
                origin,
            });
        }
        self.synonyms.extend(doc.synonym);
        if let Some(s) = doc.scope {
            let origin = at(s.span());
            set_once(&mut self.scope, s.into_inner(), origin, "[scope]", diags);
        }
        for c in doc.caution {
            let origin = at(c.span());
            self.cautions.push((c.into_inner(), origin));
        }
        for rf in doc.red_flag {
            let origin = at(rf.span());
            self.red_flags.push((rf.into_inner(), origin));
        }
        for (name, terms) in doc.concepts.unwrap_or_default() {
            let origin = at(terms.span());
            let concept = Concept {
                terms: terms.into_inner(),
                origin,
            };
            if let Some(first) = self.concepts.get(&name) {
                diags.error(
                    &concept.origin,
                    format!(
                        "concept `{name}` is defined twice; the first is at {}",
                        first.origin
                    ),
                );
            } else {
                self.concepts.insert(name, concept);
            }
        }
        if let Some(m) = doc.messages {
            let origin = at(m.span());
            let read = messages::read(m.into_inner(), rel, lines, diags);
            set_once(&mut self.messages, read, origin, "[messages]", diags);
        }
        if let Some(c) = doc.conversation {
            let origin = at(c.span());
            set_once(
                &mut self.conversation,
                c.into_inner(),
                origin,
                "[conversation]",
                diags,
            );
        }
        if let Some(c) = doc.crisis {
            let origin = at(c.span());
            set_once(&mut self.crisis, c.into_inner(), origin, "[crisis]", diags);
        }
        if let Some(m) = doc.screen_model {
            let origin = at(m.span());
            set_once(
                &mut self.model,
                m.into_inner(),
                origin,
                "[screen_model]",
                diags,
            );
        }
        if let Some(n) = doc.negation {
            let origin = at(n.span());
            set_once(
                &mut self.negation,
                n.into_inner(),
                origin,
                "[negation]",
                diags,
            );
        }
    }

    fn finish(self, diags: &mut Diagnostics, complete: bool) -> Option<Knowledge> {
        let folder = Origin::default();
        let mut missing = |what: &str| {
            if complete {
                diags.error(
                    &folder,
                    format!("no file defines {what}; the bot cannot answer without it"),
                );
            }
        };
        if self.messages.is_none() {
            missing("[messages] (with the disclaimer)");
        }
        if self.crisis.is_none() {
            missing("[crisis]");
        }
        if self.negation.is_none() {
            missing("[negation]");
        }
        if self.conversation.is_none() {
            missing("[conversation] (how answers to \"Are you safe right now?\" are read)");
        }
        let (read, at) = self.messages?;
        let messages = messages::finish(read, &at, Some(Messages::bundled()), diags);
        let mut entries = self.entries;
        for s in entries.iter_mut().flat_map(|e| e.sections.iter_mut()) {
            if let Some(m) = s.heading.as_deref().and_then(Msg::from_key) {
                s.heading = Some(messages.get(m).to_string());
            }
        }
        let (mut conversation, conversation_at) = self.conversation?;
        conversation.origin = conversation_at;
        let (mut crisis, crisis_at) = self.crisis?;
        let (mut negation, negation_at) = self.negation?;
        // The safety rules keep where they are written, for their own diagnostics.
        crisis.origin = crisis_at;
        negation.origin = negation_at;
        Some(Knowledge {
            entries,
            routines: self.routines,
            synonyms: self.synonyms,
            scope: self.scope.map(|(s, _)| s).unwrap_or_default(),
            cautions: self.cautions,
            messages,
            conversation,
            safety: SafetyRules {
                concepts: self.concepts,
                red_flags: self.red_flags,
                crisis,
                negation,
                model: self.model.map(|(mut m, at)| {
                    m.origin = at;
                    m
                }),
            },
            files: self.files,
        })
    }
}

fn set_once<T>(
    slot: &mut Option<(T, Origin)>,
    value: T,
    origin: Origin,
    what: &str,
    diags: &mut Diagnostics,
) {
    if let Some((_, first)) = slot {
        diags.error(
            &origin,
            format!("{what} is defined twice; the first is at {first}"),
        );
    } else {
        *slot = Some((value, origin));
    }
}
