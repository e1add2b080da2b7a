//! The questions nobody answered: an opt-in, bounded log and the report built from it.
//!
//! With `UNANSWERED_LOG=path`, questions that got no answer (or only a weak one) are appended
//! as JSON lines: the time, the question text, the best guess and its confidence. Nothing
//! else: no user, guild or channel ids, and never a message in which the safety screen saw
//! red-flag or crisis vocabulary, even negated ("I don't want to kill myself but..."): those
//! are about a person's health. What is kept is scrubbed of what can be recognised as
//! personal details (emails, phone and other long numbers, street addresses, postcodes), and
//! the file is only ever readable by its owner (mode 0600, forced on every open). The file is
//! capped in size by dropping its oldest lines. [`report`] groups near-duplicate questions so an admin can add a phrasing
//! or an entry in one edit.

mod compose;
pub mod fix;

use std::collections::HashMap;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, MAX_QUESTION_CHARS};
use crate::knowledge::{EntryKind, Msg, Origin};
use crate::matcher::{ANSWER_THRESHOLD, SUGGEST_THRESHOLD};
use crate::reply::{Reply, ReplyKind};
use crate::text;

/// Questions are cut to this many characters in the log.
pub const MAX_LOGGED_CHARS: usize = 500;
/// The log is kept under this size; when full, the oldest half is dropped.
pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;
/// The report reads at most this much of the newest log (a log written with the default cap
/// never gets near it).
const REPORT_MAX_BYTES: u64 = 4 * DEFAULT_MAX_BYTES;
/// Answers whose confidence is less than this above the answer threshold count as weak.
pub const LOW_CONFIDENCE_MARGIN: f32 = 0.1;
/// The `kind` of a question whose answer a member said was not what they asked.
pub const WRONG_ANSWER: &str = "wrong_answer";
/// How many entries a group offers as "add as a phrasing of".
pub const MAX_CANDIDATES: usize = 3;

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapRecord {
    /// RFC 3339, UTC.
    pub time: String,
    pub question: String,
    pub best_guess: Option<Guess>,
    pub confidence: f32,
    /// "no_match", "low_confidence", or "wrong_answer" (a member said the answer, the best
    /// guess, was not what they asked).
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    pub id: String,
    pub title: String,
}

/// Opt-in log of unanswered questions (`UNANSWERED_LOG=path`).
pub struct GapLog {
    path: PathBuf,
    max_bytes: u64,
    /// One writer at a time within the process (appends and compaction).
    write: Mutex<()>,
}

impl GapLog {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            max_bytes: DEFAULT_MAX_BYTES,
            write: Mutex::new(()),
        }
    }

    /// Cap the file at `max_bytes` (at least 4 KiB).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes.max(4096);
        self
    }

    pub fn from_env() -> Option<Self> {
        std::env::var_os("UNANSWERED_LOG")
            .filter(|p| !p.is_empty())
            .map(|p| Self::new(p.into()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Record `question` if `reply` (from `engine`) left it unanswered. Never records a
    /// message with safety vocabulary in it, never fails: a write error is logged (without
    /// the question) and otherwise ignored.
    pub fn record(&self, engine: &Engine, question: &str, reply: &Reply) {
        let Some(kind) = gap_kind(question, reply) else {
            return;
        };
        self.write(engine, question, best_guess(reply), reply.confidence, kind);
    }

    /// Record `question`, answered with `entry`, as a wrong answer: a member pressed "not
    /// what I asked" under it. The same rules as [`GapLog::record`]: never a message with
    /// safety vocabulary, personal details scrubbed, no ids.
    pub fn record_wrong_answer(&self, engine: &Engine, question: &str, entry: &str) {
        if text::is_blank(question) || question.chars().count() > MAX_QUESTION_CHARS {
            return;
        }
        let Some(e) = engine.knowledge().entry(entry) else {
            return;
        };
        let guess = Guess {
            id: e.id.clone(),
            title: e.title.clone(),
        };
        self.write(engine, question, Some(guess), 0.0, WRONG_ANSWER);
    }

    fn write(
        &self,
        engine: &Engine,
        question: &str,
        best_guess: Option<Guess>,
        confidence: f32,
        kind: &str,
    ) {
        if engine.safety().mentions_safety_terms(question) {
            return;
        }
        let record = GapRecord {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            question: clean_question(question),
            best_guess,
            confidence: (confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
            kind: kind.to_string(),
        };
        let Ok(line) = serde_json::to_string(&record) else {
            return;
        };
        let _one_writer = self.write.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = self.append(&line) {
            tracing::warn!(
                error = %e,
                log = %self.path.display(),
                "could not write to the unanswered-question log"
            );
        }
    }

    fn append(&self, line: &str) -> io::Result<()> {
        let size = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        if size + line.len() as u64 + 1 > self.max_bytes {
            self.drop_oldest(self.max_bytes / 2)?;
        }
        let mut f = open_private(&self.path, true)?;
        f.write_all(format!("{line}\n").as_bytes())
    }

    /// Keep only the newest whole lines that fit in `keep` bytes; written aside and renamed,
    /// so a crash never leaves a half-written log.
    fn drop_oldest(&self, keep: u64) -> io::Result<()> {
        let kept = match newest_lines(&self.path, keep) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        // Named per process, so two processes sharing one log never write the same file.
        let mut tmp_name = self.path.clone().into_os_string();
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp_name);
        let written = open_private(&tmp, false)
            .and_then(|mut f| f.write_all(&kept))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

/// The newest whole lines of the file at `path` that fit in `max` bytes. Reads only the end
/// of the file, so a log path pointed at some huge file costs `max` bytes of memory, not the
/// file's size.
fn newest_lines(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    // One byte before the window too: if it is a line break, the window starts a whole line.
    let from = len.saturating_sub(max.saturating_add(1));
    f.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::new();
    f.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if from > 0 || bytes.len() as u64 > max {
        // The first line may be cut (or be the byte before the window): drop it.
        let first_break = bytes.iter().position(|&b| b == b'\n');
        bytes.drain(..first_break.map_or(bytes.len(), |i| i + 1));
    }
    Ok(bytes)
}

/// The entry a reply found: the one it answered with, else its first suggestion (the best hit,
/// when that is at least close enough to suggest).
fn best_guess(reply: &Reply) -> Option<Guess> {
    match reply.kind {
        ReplyKind::Answer => reply.entry_id.as_ref().map(|id| Guess {
            id: id.clone(),
            title: reply.title.clone(),
        }),
        _ => reply.suggestions.first().map(|s| Guess {
            id: s.id.clone(),
            title: s.title.clone(),
        }),
    }
}

/// Why a reply counts as a gap, or `None` if it does not. Safety replies never do.
fn gap_kind(question: &str, reply: &Reply) -> Option<&'static str> {
    if reply.kind.is_safety() || text::is_blank(question) {
        return None;
    }
    match reply.kind {
        // Too-long messages are not questions; they get their own reply.
        ReplyKind::NoMatch if question.chars().count() <= MAX_QUESTION_CHARS => Some("no_match"),
        ReplyKind::Answer if reply.confidence < ANSWER_THRESHOLD + LOW_CONFIDENCE_MARGIN => {
            Some("low_confidence")
        }
        _ => None,
    }
}

/// The question as logged: trimmed, cut to [`MAX_LOGGED_CHARS`], one line, and with Discord
/// mentions (`<@123>`, `<#123>`, `<@&123>`) and other long numbers (ids) replaced.
fn clean_question(question: &str) -> String {
    let flat: String = question.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(flat.len());
    let mut rest = flat.as_str();
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.find('>') {
                let inner = &rest[1..end];
                let digits = inner.trim_start_matches(['@', '!', '&', '#', ':']);
                let digits = digits.rsplit(':').next().unwrap_or(digits);
                if !digits.is_empty() && digits.chars().all(|d| d.is_ascii_digit()) {
                    out.push_str(if inner.starts_with('#') {
                        "#channel"
                    } else {
                        "@someone"
                    });
                    rest = &rest[end + 1..];
                    continue;
                }
            }
        }
        if c.is_ascii_digit() {
            let run = rest.len() - rest.trim_start_matches(|d: char| d.is_ascii_digit()).len();
            // Discord ids are 17-20 digits; nobody types a number that long in a question.
            if run >= 15 {
                out.push_str("[id]");
            } else {
                out.push_str(&rest[..run]);
            }
            rest = &rest[run..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let mut out = scrub(&out);
    if out.chars().count() > MAX_LOGGED_CHARS {
        out = out.chars().take(MAX_LOGGED_CHARS).collect();
    }
    out
}

/// Words that end a street name ("12 Baker *Street*"), folded to lower case.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "lane",
    "ln",
    "boulevard",
    "blvd",
    "crescent",
    "terrace",
    "mews",
    "highway",
    "hwy",
    "parkway",
    "calle",
    "rue",
    "strasse",
    "straße",
];
/// Street words that are also everyday words ("walk", "park"): they count only capitalised.
const CAPITALISED_STREET_WORDS: &[&str] = &[
    "Drive", "Way", "Close", "Court", "Place", "Square", "Grove", "Gardens", "Park", "Hill", "Row",
    "Walk", "Circle", "Weg", "Platz", "Via", "Rua", "Dr", "Ct", "Pl", "Sq", "Av",
];

/// A person's details that can be recognised in one line of text, replaced by a label:
/// emails, groups of digits that make a long number (phone, card, NHS, social security,
/// dates of birth: at least 6 digits, with spaces, dashes, dots or brackets between them),
/// street addresses ("221b Baker Street") and UK-style postcodes ("SW1A 1AA").
fn scrub(text: &str) -> String {
    let tokens: Vec<&str> = text.split(' ').filter(|t| !t.is_empty()).collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if is_email(t) {
            out.push("[email]".into());
            i += 1;
            continue;
        }
        if is_postcode(t, tokens.get(i + 1).copied()) {
            out.push("[postcode]".into());
            i += 2;
            continue;
        }
        if let Some(end) = address_end(&tokens, i) {
            out.push("[address]".into());
            i = end + 1;
            continue;
        }
        if let Some((digits, end)) = number_group(&tokens, i) {
            if digits >= 6 {
                out.push("[number]".into());
                i = end + 1;
                continue;
            }
        }
        out.push(t.to_string());
        i += 1;
    }
    out.join(" ")
}

fn trim_punct(t: &str) -> &str {
    t.trim_matches(|c: char| !c.is_alphanumeric())
}

fn is_email(t: &str) -> bool {
    let t = trim_punct(t);
    t.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    })
}

/// "SW1A 1AA", "m1 1ae": an outward code (letters then a digit) and an inward code (a digit
/// then two letters).
fn is_postcode(a: &str, b: Option<&str>) -> bool {
    let (a, Some(b)) = (trim_punct(a), b.map(trim_punct)) else {
        return false;
    };
    let outward = (2..=4).contains(&a.len())
        && a.chars().all(|c| c.is_ascii_alphanumeric())
        && a.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && a.chars().any(|c| c.is_ascii_digit());
    let b: Vec<char> = b.chars().collect();
    let inward = b.len() == 3
        && b[0].is_ascii_digit()
        && b[1].is_ascii_alphabetic()
        && b[2].is_ascii_alphabetic();
    outward && inward
}

/// A house number ("12", "221b", "12-14") followed within four words by a street word: the
/// index of that street word.
fn address_end(tokens: &[&str], i: usize) -> Option<usize> {
    let n = trim_punct(tokens[i]);
    let digits = n.chars().take_while(char::is_ascii_digit).count();
    let rest = &n[digits..];
    let house = (1..=5).contains(&digits)
        && (rest.is_empty()
            || (rest.chars().count() == 1 && rest.chars().all(char::is_alphabetic))
            || rest.starts_with('-') && rest[1..].chars().all(|c| c.is_ascii_digit()));
    if !house {
        return None;
    }
    let is_street = |t: &str| {
        let t = trim_punct(t);
        STREET_WORDS.contains(&t.to_lowercase().as_str()) || CAPITALISED_STREET_WORDS.contains(&t)
    };
    // The words between the number and the street word are a name: letters, not "and" or
    // "times" ("I am 45 and walk...", "3 times a day").
    let is_name = |t: &str| {
        let t = trim_punct(t);
        !t.is_empty()
            && t.chars().all(char::is_alphabetic)
            && ![
                "and", "or", "a", "an", "the", "to", "of", "for", "times", "minutes", "hours",
            ]
            .contains(&t.to_lowercase().as_str())
    };
    let mut j = i + 1;
    while j < tokens.len().min(i + 6) && !is_street(tokens[j]) {
        if !is_name(tokens[j]) {
            return None;
        }
        j += 1;
    }
    if j >= tokens.len().min(i + 6) {
        return None;
    }
    if j > i + 1 {
        return Some(j);
    }
    // "12 rue de la Paix", "5 calle Mayor": the name comes after the street word.
    let mut end = j;
    while end + 1 < tokens.len() && end < j + 4 {
        let w = trim_punct(tokens[end + 1]);
        let particle = [
            "de", "la", "le", "du", "des", "del", "der", "di", "da", "do",
        ]
        .contains(&w.to_lowercase().as_str());
        if !(particle || w.chars().next().is_some_and(char::is_uppercase)) {
            break;
        }
        end += 1;
    }
    Some(end)
}

/// Consecutive tokens made only of digits and number punctuation, from `i`: how many digits
/// they hold and the index of the last one.
fn number_group(tokens: &[&str], i: usize) -> Option<(usize, usize)> {
    let numeric = |t: &str| {
        t.chars().any(|c| c.is_ascii_digit())
            && t.chars()
                .all(|c| c.is_ascii_digit() || "+-./()#,:;".contains(c))
    };
    if !numeric(tokens[i]) {
        return None;
    }
    let mut end = i;
    while end + 1 < tokens.len() && numeric(tokens[end + 1]) {
        end += 1;
    }
    let digits = tokens[i..=end]
        .iter()
        .flat_map(|t| t.chars())
        .filter(char::is_ascii_digit)
        .count();
    Some((digits, end))
}

/// Unix: the log holds what people typed, so only its owner may read it: a new file is
/// created 0600, and an existing one (made by hand, or by an older version) is set to 0600.
fn open_private(path: &Path, append: bool) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        o.mode(0o600);
        let f = o.open(path)?;
        if f.metadata()?.permissions().mode() & 0o777 != 0o600 {
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(f)
    }
    #[cfg(not(unix))]
    o.open(path)
}

/// The existing entry nearest to a group of questions.
#[derive(Debug, Clone)]
pub struct Closest {
    pub id: String,
    pub title: String,
    pub kind: EntryKind,
    /// Where the entry is written, relative to the knowledge folder.
    pub origin: Origin,
    pub confidence: f32,
}

/// Members said the answer `entry` was not what they asked, `count` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrong {
    pub count: usize,
    pub entry: String,
}

/// Near-duplicate unanswered questions, grouped.
#[derive(Debug, Clone)]
pub struct GapGroup {
    /// A short stable name for the group (from its key words), for buttons and `--apply`.
    pub key: String,
    /// The key words of its most frequent wording (folded, stemmed, sorted): what "ignore"
    /// remembers.
    pub words: Vec<String>,
    /// How many times questions of this group were asked.
    pub count: usize,
    /// The most frequent wording.
    pub example: String,
    /// Other wordings, most frequent first (at most 3).
    pub variants: Vec<String>,
    /// RFC 3339 time of the latest one.
    pub last_asked: String,
    /// The nearest entry in the knowledge in service, if any is close enough to suggest.
    pub closest: Option<Closest>,
    /// The entry that now answers the example with confidence (knowledge changed since).
    pub now_answered_by: Option<String>,
    /// Answers members said were not what they asked, if any.
    pub wrong: Option<Wrong>,
    /// The entries it could be a phrasing of, closest first (at most [`MAX_CANDIDATES`]).
    pub candidates: Vec<Closest>,
}

/// Read the log at `path` (its newest [`REPORT_MAX_BYTES`]) and group its questions, most
/// frequent first, at most `limit` groups. A missing log is an empty report. Lines that are
/// not records are skipped, and so are questions with safety vocabulary (they are not gaps to
/// fill with self-care); personal details are scrubbed from lines older than the scrubbing.
pub fn report(path: &Path, engine: &Engine, limit: usize) -> io::Result<Vec<GapGroup>> {
    let ignored = read_ignored(path)?;
    let text = match newest_lines(path, REPORT_MAX_BYTES) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // Lines written before the log scrubbed details and skipped safety vocabulary get the
    // same treatment here, so a report never shows them.
    // The same few questions recur: screen each wording once.
    let mut screened: HashMap<String, bool> = HashMap::new();
    let records = text
        .lines()
        .filter_map(|l| serde_json::from_str::<GapRecord>(l).ok())
        .filter(|r| !text::is_blank(&r.question))
        .filter(|r| {
            !*screened
                .entry(r.question.clone())
                .or_insert_with(|| engine.safety().mentions_safety_terms(&r.question))
        })
        .map(|r| GapRecord {
            question: scrub(&r.question),
            ..r
        });
    let mut groups = group(records, &ignored);
    groups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_asked.cmp(&a.last_asked))
    });
    let mut out = Vec::new();
    for d in groups {
        if out.len() >= limit {
            break;
        }
        if let Some(g) = d.finish(engine) {
            out.push(g);
        }
    }
    Ok(out)
}

/// Group near-duplicate questions. Exact wordings (same key words) are taken most frequent
/// first, so each group is seeded by its most common wording; each joins the first earlier
/// group it is similar to, found through the groups sharing a word's first letters.
fn group(records: impl Iterator<Item = GapRecord>, ignored: &[Vec<String>]) -> Vec<Draft> {
    let mut lexicon = Lexicon::default();
    let ignored: Vec<Vec<u32>> = ignored
        .iter()
        .map(|words| lexicon.intern(words.clone()))
        .collect();
    let mut exact: HashMap<Vec<u32>, Vec<GapRecord>> = HashMap::new();
    for r in records {
        let words = lexicon.intern(key_words(&r.question));
        exact.entry(words).or_default().push(r);
    }
    // Ties in frequency go by the key's text, so the report is the same every run.
    let mut exact: Vec<_> = exact
        .into_iter()
        .map(|(words, recs)| (lexicon.text(&words), words, recs))
        .collect();
    exact.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then_with(|| a.0.cmp(&b.0)));
    let mut groups: Vec<Draft> = Vec::new();
    let mut by_bucket: HashMap<String, Vec<usize>> = HashMap::new();
    for (_, words, recs) in exact {
        // An ignored group stays hidden, and so do the wordings like it that come later.
        if ignored.iter().any(|i| similar(&words, i, &mut lexicon)) {
            continue;
        }
        let mut candidates: Vec<usize> = words
            .iter()
            .flat_map(|&w| {
                let groups = by_bucket.get(&bucket(lexicon.word(w)));
                groups.into_iter().flatten().copied()
            })
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let similar_group = candidates
            .into_iter()
            .find(|&g| similar(&words, &groups[g].words, &mut lexicon));
        let g = similar_group.unwrap_or_else(|| {
            for &w in &words {
                let b = bucket(lexicon.word(w));
                by_bucket.entry(b).or_default().push(groups.len());
            }
            groups.push(Draft {
                key: lexicon.text(&words),
                words,
                ..Draft::default()
            });
            groups.len() - 1
        });
        for r in recs {
            groups[g].add(r);
        }
    }
    groups
}

/// The key words of the log, each stored once, and which pairs are a typo apart: the same
/// few hundred words recur across thousands of questions, and comparing two of them is the
/// costly part of grouping.
#[derive(Default)]
struct Lexicon {
    ids: HashMap<String, u32>,
    words: Vec<String>,
    close: HashMap<(u32, u32), bool>,
}

impl Lexicon {
    fn intern(&mut self, words: Vec<String>) -> Vec<u32> {
        words
            .into_iter()
            .map(|w| match self.ids.get(&w) {
                Some(&id) => id,
                None => {
                    let id = self.words.len() as u32;
                    self.ids.insert(w.clone(), id);
                    self.words.push(w);
                    id
                }
            })
            .collect()
    }

    fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", String::as_str)
    }

    fn text(&self, ids: &[u32]) -> String {
        let words: Vec<&str> = ids.iter().map(|&id| self.word(id)).collect();
        words.join(" ")
    }

    fn same(&mut self, a: u32, b: u32) -> bool {
        if a == b {
            return true;
        }
        let pair = (a.min(b), a.max(b));
        if let Some(&close) = self.close.get(&pair) {
            return close;
        }
        let close = same_word(self.word(a), self.word(b));
        self.close.insert(pair, close);
        close
    }
}

#[derive(Default)]
struct Draft {
    words: Vec<u32>,
    /// The seed's key words, joined by spaces.
    key: String,
    count: usize,
    forms: HashMap<String, usize>,
    last_asked: String,
    /// Wrong-answer records: how many, by the entry that answered.
    wrong: HashMap<String, usize>,
}

impl Draft {
    fn add(&mut self, r: GapRecord) {
        self.count += 1;
        if r.kind == WRONG_ANSWER {
            if let Some(g) = &r.best_guess {
                *self.wrong.entry(g.id.clone()).or_default() += 1;
            }
        }
        if r.time > self.last_asked {
            self.last_asked = r.time;
        }
        *self.forms.entry(r.question.trim().to_string()).or_default() += 1;
    }

    fn finish(self, engine: &Engine) -> Option<GapGroup> {
        let mut forms: Vec<_> = self.forms.into_iter().collect();
        forms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut forms = forms.into_iter().map(|(f, _)| f);
        let example = forms.next()?;
        let reply = engine.answer(&example);
        if reply.kind.is_safety() {
            return None;
        }
        let now_answered_by = (reply.kind == ReplyKind::Answer
            && reply.confidence >= ANSWER_THRESHOLD + LOW_CONFIDENCE_MARGIN)
            .then(|| reply.entry_id.clone())
            .flatten();
        // The reply already holds the search's best hit; searching again would only repeat it.
        let closest = best_guess(&reply)
            .and_then(|g| engine.knowledge().entry(&g.id))
            .map(|e| Closest {
                id: e.id.clone(),
                title: e.title.clone(),
                kind: e.kind,
                origin: e.origin.clone(),
                confidence: reply.confidence,
            });
        let wrong = self
            .wrong
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(entry, count)| Wrong { count, entry });
        let candidates = candidates(engine, &example, closest.as_ref());
        Some(GapGroup {
            key: short_key(&self.key),
            words: self.key.split(' ').map(str::to_string).collect(),
            count: self.count,
            example,
            variants: forms.take(3).collect(),
            last_asked: self.last_asked,
            closest,
            now_answered_by,
            wrong,
            candidates,
        })
    }
}

/// Content words of a question, stemmed and sorted, so word order and small words do not
/// split a group. Falls back to all words when a question is only small words.
fn key_words(question: &str) -> Vec<String> {
    let folded = text::fold(question);
    let mut words: Vec<String> = text::words(&folded)
        .filter(|w| !text::is_stopword(w))
        .map(text::stem)
        .collect();
    if words.is_empty() {
        words = text::words(&folded).map(str::to_string).collect();
    }
    words.sort();
    words.dedup();
    words
}

/// Index bucket of a word: its first three letters, so typos later in a word still meet.
fn bucket(word: &str) -> String {
    word.chars().take(3).collect()
}

/// Near-duplicates: most content words match (a Dice coefficient of at least 3/4), allowing
/// a typo in longer words. Every pair of groups sharing a common word ("sciatica") may be
/// compared, so this stops as soon as the answer is known.
fn similar(a: &[u32], b: &[u32], lexicon: &mut Lexicon) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    // 2 * matched / (|a| + |b|) >= 3/4, in whole numbers.
    let needed = (3 * (a.len() + b.len())).div_ceil(8);
    let mut matched = 0;
    for (i, w) in a.iter().enumerate() {
        if b.iter().any(|&v| lexicon.same(*w, v)) {
            matched += 1;
            if matched >= needed {
                return true;
            }
        } else if matched + (a.len() - i - 1) < needed {
            return false;
        }
    }
    false
}

fn same_word(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let shorter = a.len().min(b.len());
    let typos = if shorter >= 8 { 2 } else { 1 };
    // Words are folded to ASCII, so lengths are character counts, and words whose lengths
    // differ by more than the typos allowed cannot be that close (the costly part is skipped).
    shorter >= 4 && a.len().abs_diff(b.len()) <= typos && strsim::damerau_levenshtein(a, b) <= typos
}

/// The entries a group could be a phrasing of: the closest first, then the next hits of a
/// search, each close enough to suggest, at most [`MAX_CANDIDATES`].
fn candidates(engine: &Engine, example: &str, closest: Option<&Closest>) -> Vec<Closest> {
    let k = engine.knowledge();
    let mut out: Vec<Closest> = closest.into_iter().cloned().collect();
    for hit in engine.matcher().search(example, MAX_CANDIDATES + 1) {
        if out.len() >= MAX_CANDIDATES {
            break;
        }
        let Some(e) = k.entries.get(hit.entry) else {
            continue;
        };
        if hit.score < SUGGEST_THRESHOLD || out.iter().any(|c| c.id == e.id) {
            continue;
        }
        out.push(Closest {
            id: e.id.clone(),
            title: e.title.clone(),
            kind: e.kind,
            origin: e.origin.clone(),
            confidence: hit.score,
        });
    }
    out
}

/// A group's name for buttons and the command line: 12 hex digits of the 64-bit FNV-1a hash
/// of its key words. Names outlive the process (buttons already posted, `gaps --apply` typed
/// from an earlier report), so the hash must be the same on every run, version and platform:
/// FNV-1a is fixed by its specification, unlike the standard hasher (seeded) or FxHash (which
/// differs between 32- and 64-bit targets and has changed between crate versions).
fn short_key(words: &str) -> String {
    use std::hash::Hasher as _;
    let mut h = fnv::FnvHasher::default();
    h.write(words.as_bytes());
    format!("{:012x}", h.finish() >> 16)
}

/// Where the ignored groups of the log at `log` are kept: beside it, `LOG.ignored`, one
/// group's key words a line (stemmed words, never a question as typed, never an id).
pub fn ignored_path(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".ignored");
    PathBuf::from(name)
}

fn read_ignored(log: &Path) -> io::Result<Vec<Vec<String>>> {
    match std::fs::read_to_string(ignored_path(log)) {
        Ok(text) => Ok(text
            .lines()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|w| !w.is_empty())
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Hide `group` (and the questions like it) from every later report of the log at `log`.
pub fn ignore(log: &Path, group: &GapGroup) -> io::Result<()> {
    let mut f = open_private(&ignored_path(log), true)?;
    f.write_all(format!("{}\n", group.words.join(" ")).as_bytes())
}

/// `sciatica-bot gaps`: print the report for `log` (the one `UNANSWERED_LOG` names), or say
/// that the log is off.
pub fn cli_report(
    engine: &Engine,
    log: Option<&GapLog>,
    limit: usize,
    render: crate::render::Render,
    out: &mut impl std::io::Write,
) -> anyhow::Result<std::process::ExitCode> {
    let composer = engine.composer();
    let Some(log) = log else {
        render.write(out, composer.text(Msg::gaps_off))?;
        return Ok(std::process::ExitCode::FAILURE);
    };
    let groups = report(log.path(), engine, limit)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", log.path().display()))?;
    render.write(out, &composer.gaps_report(&groups).body)?;
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_keeps_its_name_across_runs_versions_and_platforms() {
        // Pinned: a change here renames every group, and breaks the buttons already posted.
        assert_eq!(short_key("sciatica stretch"), "7151c2ffbb97");
        assert_eq!(short_key("").len(), 12);
    }

    #[test]
    fn mentions_and_long_numbers_are_never_logged() {
        assert_eq!(
            clean_question(
                "<@123456789012345678> hi <#987654321098765432> and <@&11111111111111111>"
            ),
            "@someone hi #channel and @someone"
        );
        assert_eq!(
            clean_question("my id 123456789012345678 ok"),
            "my id [id] ok"
        );
        assert_eq!(clean_question("hold 30 to 90 s"), "hold 30 to 90 s");
    }

    #[test]
    fn personal_details_are_scrubbed() {
        for (said, kept) in [
            (
                "mail me at jo.bloggs+x@example.co.uk please",
                "mail me at [email] please",
            ),
            (
                "call 07700 900123 or +44 (0)20 7946 0958",
                "call [number] or [number]",
            ),
            ("card 4111 1111 1111 1111 expired", "card [number] expired"),
            ("my nhs number is 943 476 5919", "my nhs number is [number]"),
            ("ssn 123-45-6789 ok", "ssn [number] ok"),
            (
                "I live at 221b Baker Street, London",
                "I live at [address] London",
            ),
            ("near 12 rue de la Paix", "near [address]"),
            ("postcode SW1A 1AA thanks", "postcode [postcode] thanks"),
            ("born 12.05.1961", "born [number]"),
        ] {
            assert_eq!(scrub(said), kept, "{said}");
        }
        // Ordinary numbers in questions stay.
        for q in [
            "hold 30 to 90 s",
            "is 20 minutes of ice too long",
            "I am 45 and walk 5 km a day",
            "2-3 times a day",
            "since 2019",
        ] {
            assert_eq!(scrub(q), q);
        }
    }

    #[test]
    fn questions_are_flattened_and_cut() {
        assert_eq!(clean_question("  a\n\n b \t c "), "a b c");
        assert_eq!(
            clean_question(&"é".repeat(900)).chars().count(),
            MAX_LOGGED_CHARS
        );
    }

    #[test]
    fn only_the_newest_whole_lines_within_the_limit_are_read() {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("log");
        std::fs::write(&path, "aaaa\nbbbb\ncccc\n").expect("write");
        let read = |max| String::from_utf8(newest_lines(&path, max).expect("read")).expect("utf8");
        assert_eq!(read(100), "aaaa\nbbbb\ncccc\n");
        assert_eq!(read(15), "aaaa\nbbbb\ncccc\n");
        assert_eq!(read(14), "bbbb\ncccc\n");
        assert_eq!(read(10), "bbbb\ncccc\n");
        assert_eq!(read(9), "cccc\n");
        assert_eq!(read(4), "");
    }

    #[test]
    fn typos_and_word_order_group_together() {
        let mut lexicon = Lexicon::default();
        let mut words = |q| lexicon.intern(key_words(q));
        let a = words("can I use a hot water bottle?");
        let b = words("hot water botle, can i use it");
        let c = words("is a massage gun safe");
        assert!(similar(&a, &b, &mut lexicon), "{a:?} {b:?}");
        assert!(!similar(&a, &c, &mut lexicon));
    }
}
