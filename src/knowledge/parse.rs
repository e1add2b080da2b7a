//! One knowledge file's text to a [`FileDoc`], or every problem in it, each pointed at the
//! entry and key it is about and worded for an admin rather than for a parser.
//!
//! serde stops at the first bad value in a file. To report every bad entry in one pass, a file
//! that fails is cut into its top-level tables (`[[faq]]`, `[messages]`...) and each one is
//! parsed again alone; its errors' offsets are shifted by where it starts, so lines and
//! columns are those of the real file. Each table's text is parsed once, so the work stays
//! proportional to the file's size however many entries it holds.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::schema::FileDoc;
use super::{Diagnostics, LineIndex, Origin};

/// Parse one file. `None` when it has errors (all of them are in `diags`).
pub(super) fn parse_file(
    rel: &Path,
    text: &str,
    lines: &LineIndex,
    diags: &mut Diagnostics,
) -> Option<FileDoc> {
    let whole = Origin {
        file: rel.to_path_buf(),
        line: 0,
        col: 0,
    };
    // A byte-order mark is not content: a file holding only one is as empty as an empty file.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if body.trim().is_empty() {
        // Most likely a save caught half-way or a file emptied by mistake; loading it would
        // silently drop every entry it used to hold.
        diags.error(
            &whole,
            "file is empty; if you meant to remove its entries, delete the file instead",
        );
        return None;
    }
    match toml::from_str::<FileDoc>(text) {
        Ok(doc) => {
            let has_content = body.lines().any(|l| {
                let l = l.trim();
                !l.is_empty() && !l.starts_with('#')
            });
            if !has_content {
                diags.warning(&whole, "file has only comments; it defines nothing");
            }
            Some(doc)
        }
        Err(first) => {
            // Each error with the offset its text starts at in the file.
            let mut found = Vec::new();
            if let Some(tables) = outline(text) {
                for region in regions(&tables, text.len()) {
                    let start = region.start;
                    let part = text.get(region).unwrap_or_default();
                    if let Err(e) = toml::from_str::<FileDoc>(part) {
                        found.push((e, start));
                    }
                }
            }
            if found.is_empty() {
                found.push((first, 0));
            }
            let mut seen = std::collections::HashSet::new();
            for (e, start) in found {
                let offset = e.span().map(|s| s.start + start);
                let at = offset.map_or_else(|| whole.clone(), |o| lines.origin(rel, o));
                let msg = friendly(&e, offset.unwrap_or(0), text);
                if seen.insert((at.line, at.col, msg.clone())) {
                    diags.error(&at, msg);
                }
            }
            None
        }
    }
}

/// Start offsets of the file's top-level tables, or `None` if the file is not even valid
/// TOML (a syntax error), or uses inline tables that cannot be cut apart.
fn outline(text: &str) -> Option<Vec<usize>> {
    let top: BTreeMap<String, Spanned<Starts>> = toml::from_str(text).ok()?;
    let mut starts = Vec::new();
    for item in top.values() {
        let Starts(inner) = item.get_ref();
        if inner.is_empty() {
            starts.push(item.span().start);
        }
        starts.extend(inner);
    }
    starts.retain(|&s| text.as_bytes().get(s) == Some(&b'['));
    starts.sort_unstable();
    starts.dedup();
    Some(starts)
}

/// The text from each table's header to the next one's; the first region holds any loose
/// keys before the first header.
fn regions(starts: &[usize], len: usize) -> Vec<Range<usize>> {
    let mut bounds = vec![0];
    bounds.extend(starts.iter().copied().filter(|&s| s > 0));
    bounds.push(len);
    bounds.windows(2).map(|w| w[0]..w[1]).collect()
}

/// The start offsets of the tables in one top-level value: each element of an array of
/// tables; empty for a single table (its own span is used).
struct Starts(Vec<usize>);

impl<'de> Deserialize<'de> for Starts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Starts;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Starts, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<IgnoredAny>>()? {
                    out.push(item.span().start);
                }
                Ok(Starts(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Starts, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Starts(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Starts, E> {
                Ok(Starts(Vec::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Starts, E> {
                Ok(Starts(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Starts, E> {
                Ok(Starts(Vec::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Starts, E> {
                Ok(Starts(Vec::new()))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Starts, E> {
                Ok(Starts(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// An admin-facing message for a toml/serde error found at byte `offset` of the file `text`.
fn friendly(e: &toml::de::Error, offset: usize, text: &str) -> String {
    let raw = e.message().trim();
    let table = table_at(text, offset);
    let key = key_at(text, offset);
    if let Some(field) = between(raw, "missing field `", "`") {
        return match field {
            "disclaimer" => "[messages] has no `disclaimer`; every reply must carry it, so add \
                             `disclaimer = \"...\"`"
                .to_string(),
            _ => format!("{table} is missing the required key `{field}`"),
        };
    }
    if let Some(unknown) = between(raw, "unknown field `", "`") {
        let allowed = backticked(raw.split_once("expected").map_or("", |(_, r)| r));
        let hint = closest(unknown, &allowed)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        let where_ = if table.is_empty() {
            String::new()
        } else {
            format!(" in {table}")
        };
        return format!(
            "unknown key `{unknown}`{where_}{hint}; allowed keys: {}",
            allowed.join(", ")
        );
    }
    if let Some(variant) = between(raw, "unknown variant `", "`") {
        let allowed = backticked(raw.split_once("expected").map_or("", |(_, r)| r));
        let what = key.map_or_else(|| "value".to_string(), |k| format!("`{k}`"));
        return format!(
            "{what} = \"{variant}\" is not allowed; use one of: {}",
            allowed.join(", ")
        );
    }
    if let Some((found, expected)) = raw
        .strip_prefix("invalid type: ")
        .or_else(|| raw.strip_prefix("invalid value: "))
        .and_then(|r| r.split_once(", expected "))
    {
        let what = key.map_or_else(|| "a value".to_string(), |k| format!("`{k}`"));
        return format!(
            "{what} should be {}, but it is {found}",
            plain_type(expected)
        );
    }
    if let Some(dup) = between(raw, "duplicate key `", "`") {
        return format!("`{dup}` is set twice in {table}; keep one");
    }
    // A syntax error.
    let mut msg = format!("invalid TOML: {}", raw.replace('\n', "; "));
    if text
        .get(offset..)
        .is_some_and(|rest| rest.trim().is_empty())
    {
        msg.push_str(" (the file ends here: was it saved completely?)");
    } else if raw.contains("invalid basic string") || raw.contains("invalid multiline") {
        msg.push_str(" (is a closing quote missing?)");
    }
    msg
}

/// "the [[faq]] entry `sciatica-causes`" for the table that holds `offset`.
fn table_at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let after = text.get(offset.min(text.len())..).unwrap_or("");
    // The header at or before the offset: a missing-field error points at the header itself.
    let header_start = if after.starts_with('[') {
        Some(offset)
    } else {
        before
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .chain(std::iter::once(0))
            .filter(|&i| text[i..].trim_start_matches([' ', '\t']).starts_with('['))
            .max()
    };
    let Some(start) = header_start else {
        return "the file".to_string();
    };
    let from_header = text.get(start..).unwrap_or("");
    let raw_line = from_header.lines().next().unwrap_or("");
    let line = raw_line.trim();
    let name = line.trim_matches(|c| c == '[' || c == ']').trim();
    let is_array = line.starts_with("[[");
    // The table's own lines: up to the next header.
    let body = from_header
        .get(raw_line.len()..)
        .map_or("", |rest| rest.find("\n[").map_or(rest, |i| &rest[..i]));
    let id = body
        .lines()
        .find_map(|l| l.trim().strip_prefix("id").map(str::trim))
        .and_then(|l| l.strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string());
    match (is_array, id) {
        (true, Some(id)) if !id.is_empty() => format!("the [[{name}]] entry `{id}`"),
        (true, _) => format!("this [[{name}]] entry"),
        (false, _) => format!("[{name}]"),
    }
}

/// The key assigned on the line that holds `offset` (`title` in `title = 3`).
fn key_at(text: &str, offset: usize) -> Option<&str> {
    // `get`: an offset inside a multi-byte character names no key rather than panicking.
    let start = text
        .get(..offset.min(text.len()))?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let (key, _) = text.get(start..)?.split_once('=')?;
    let key = key.trim();
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    ok.then_some(key)
}

fn plain_type(expected: &str) -> String {
    let e = expected.trim();
    if e == "a string" || e.starts_with("a borrowed string") {
        "text in quotes".to_string()
    } else if e == "a sequence" {
        "a list in square brackets, like [\"one\", \"two\"]".to_string()
    } else if matches!(e, "u8" | "u16" | "u32" | "u64" | "usize") {
        "a whole number, 0 or more".to_string()
    } else if matches!(e, "i8" | "i16" | "i32" | "i64" | "isize") {
        "a whole number".to_string()
    } else if e == "a boolean" {
        "true or false".to_string()
    } else if e.starts_with("struct ") || e == "a map" {
        "a table".to_string()
    } else {
        e.to_string()
    }
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let rest = s.split_once(open)?.1;
    Some(rest.split_once(close)?.0)
}

/// Every `word` in backticks.
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn closest<'a>(word: &str, options: &[&'a str]) -> Option<&'a str> {
    options
        .iter()
        .map(|o| (strsim::jaro_winkler(word, o), *o))
        .filter(|(s, _)| *s >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        let mut d = Diagnostics::default();
        let lines = LineIndex::new(text);
        let doc = parse_file(Path::new("x.toml"), text, &lines, &mut d);
        assert!(doc.is_none() || !d.has_errors());
        d.sorted().iter().map(ToString::to_string).collect()
    }

    const GOOD: &str = "[[faq]]\nid = \"a\"\ntitle = \"A\"\nphrasings = [\"x\"]\nanswer = \"y\"\n\
                        source = \"s\"\nreviewed = \"2026-01-01\"\n\n";

    #[test]
    fn a_missing_key_names_the_entry_and_points_at_its_header() {
        let text = format!("{GOOD}[[faq]]\nid = \"b\"\ntitle = \"B\"\nphrasings = [\"x\"]\n");
        assert_eq!(
            problems(&text),
            ["x.toml:9:1: error: the [[faq]] entry `b` is missing the required key `answer`"]
        );
    }

    #[test]
    fn every_broken_entry_in_a_file_is_reported_not_just_the_first() {
        let text =
            format!("{GOOD}[[faq]]\nid = \"b\"\ntitle = 3\n\n[[faq]]\nid = \"c\"\ntitel = \"C\"\n");
        let p = problems(&text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "x.toml:11:9: error: `title` should be text in quotes, but it is integer `3`"
        );
        assert!(
            p[1].starts_with("x.toml:15:1: error: unknown key `titel` in the [[faq]] entry `c` (did you mean `title`?)"),
            "{}",
            p[1]
        );
    }

    /// Each table is parsed once on its own: with the whole file re-parsed per table, this
    /// took half a minute (the work grew with the square of the file).
    #[test]
    fn one_bad_entry_among_thousands_is_found_at_its_line() {
        let entry = |i: usize| GOOD.replace("id = \"a\"", &format!("id = \"e{i}\""));
        let mut text: String = (0..3000).map(entry).collect();
        let bad_line = 1500 * GOOD.lines().count() + 2;
        let bad = text
            .match_indices("id = \"e1500\"\ntitle")
            .next()
            .map(|(i, m)| i + m.len() - "title".len())
            .unwrap_or_default();
        text.replace_range(bad..bad + "title".len(), "titel");
        let p = problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with(&format!(
                "x.toml:{}:1: error: unknown key `titel` in the [[faq]] entry `e1500`",
                bad_line + 1
            )),
            "{}",
            p[0]
        );
    }

    #[test]
    fn a_truncated_file_says_where_it_ends() {
        let text = format!("{GOOD}[[faq]]\nid = \"b\"\ntitle = \"B");
        let p = problems(&text);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("x.toml:11:"), "{}", p[0]);
        assert!(p[0].contains("was it saved completely?"), "{}", p[0]);
    }

    #[test]
    fn an_empty_file_is_an_error_and_a_comment_only_file_a_warning() {
        assert_eq!(
            problems(" \n\n"),
            ["x.toml: error: file is empty; if you meant to remove its entries, delete the file instead"]
        );
        assert_eq!(
            problems("# nothing yet\n"),
            ["x.toml: warning: file has only comments; it defines nothing"]
        );
    }

    #[test]
    fn a_file_holding_only_a_byte_order_mark_is_as_empty_as_an_empty_file() {
        for text in ["\u{feff}", "\u{feff}\n \n"] {
            assert_eq!(
                problems(text),
                ["x.toml: error: file is empty; if you meant to remove its entries, delete the file instead"],
                "{text:?}"
            );
        }
        assert_eq!(
            problems("\u{feff}# nothing yet\n"),
            ["x.toml: warning: file has only comments; it defines nothing"]
        );
    }

    /// Deterministic "fuzzing": thousands of damaged versions of the bundled files (cut,
    /// characters dropped or inserted, lines repeated) must produce diagnostics, never a panic.
    #[test]
    fn damaged_files_never_panic() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let mut texts = Vec::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for item in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = item.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "toml") {
                    texts.push(std::fs::read_to_string(&p).unwrap_or_default());
                }
            }
        }
        let mut seed: u64 = 0x5eed;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n.max(1)
        };
        let inserts = [
            "[", "]", "[[", "\"", "\"\"\"", "=", "\n", "é", "{", "}", "#", ",", "id = ",
        ];
        for text in &texts {
            for _ in 0..60 {
                let chars: Vec<char> = text.chars().collect();
                let at = next(chars.len());
                let damaged: String = match next(4) {
                    0 => chars[..at].iter().collect(),
                    1 => chars[..at]
                        .iter()
                        .chain(chars.get(at + 1..).unwrap_or(&[]))
                        .collect(),
                    2 => {
                        let mut s: String = chars[..at].iter().collect();
                        s.push_str(inserts[next(inserts.len())]);
                        s.extend(&chars[at..]);
                        s
                    }
                    _ => {
                        let lines: Vec<&str> = text.lines().collect();
                        let i = next(lines.len());
                        let mut out = lines.clone();
                        out.insert(i, lines.get(i).copied().unwrap_or(""));
                        out.join("\n")
                    }
                };
                problems(&damaged);
            }
        }
    }

    #[test]
    fn an_offset_inside_a_character_names_no_key_and_does_not_panic() {
        let text = "[[faq]]\nid = \"é\"\ntitle = 3\n";
        let inside = text.find('é').map(|i| i + 1).unwrap_or_default();
        assert!(!text.is_char_boundary(inside));
        assert_eq!(key_at(text, inside), None);
        assert_eq!(table_at(text, inside), "the [[faq]] entry `é`");
        assert_eq!(
            key_at("title = 3", 100),
            Some("title"),
            "offsets past the end are clamped"
        );
    }

    #[test]
    fn a_list_written_as_text_says_what_a_list_looks_like() {
        let text = GOOD.replace("phrasings = [\"x\"]", "phrasings = \"x\"");
        let p = problems(&text);
        assert!(
            p[0].starts_with("x.toml:4:13: error: `phrasings` should be a list"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn a_broken_step_is_found_inside_its_routine() {
        let routine = |id: &str, seconds: &str| {
            format!(
                "[[routine]]\nid = \"{id}\"\ntitle = \"T\"\nsummary = \"S\"\nsource = \"s\"\n\
                 reviewed = \"2026-01-01\"\n\n[[routine.step]]\ninstruction = \"i\"\nuses = \"u\"\n\
                 {seconds}stop_cue = \"c\"\n\n"
            )
        };
        let text = format!(
            "{}{}{}",
            routine("r1", "seconds = 30\n"),
            routine("r2", ""),
            routine("r3", "seconds = \"thirty\"\n")
        );
        let p = problems(&text);
        assert_eq!(
            p,
            [
                "x.toml:21:1: error: this [[routine.step]] entry is missing the required key `seconds`",
                "x.toml:36:11: error: `seconds` should be a whole number, 0 or more, but it is string \"thirty\"",
            ]
        );
    }

    #[test]
    fn a_missing_disclaimer_says_why_it_matters() {
        let text = "[messages]\nno_match = \"x\"\n";
        let failure =
            super::super::read_texts(&[("x.toml".into(), text.into())], &super::super::model_only)
                .expect_err("no disclaimer, no load");
        let p: Vec<String> = failure
            .diagnostics
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            p.iter()
                .any(|l| l.starts_with("x.toml:1:1: error: [messages] has no `disclaimer`")),
            "{p:?}"
        );
    }
}
