//! Edits of one knowledge file's text, for the one-click gap fixes: a phrasing added to an
//! entry, a new `[[faq]]` entry appended. Written with `toml_edit`, so everything else in the
//! file (comments, order, spacing, quoting) stays byte for byte as the admin wrote it; only the
//! new text is added, laid out like its neighbours.
//!
//! Pure text in, text out: the caller checks the result like `check` before it writes it.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Value};

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("the file is not valid TOML ({0}); fix it first")]
    Unreadable(String),
    #[error("no entry `{0}` in this file")]
    NoEntry(String),
    #[error("the entry `{0}` has no phrasings list to add to")]
    NoPhrasings(String),
}

/// The kinds of entry a phrasing can be added to.
const ENTRY_TABLES: [&str; 3] = ["faq", "muscle", "technique"];

/// `text` with `phrasing` added at the end of the `phrasings` of entry `id`, in the layout of
/// the phrasing before it (its own line in a list written one per line, `, "new"` in a list
/// written on one line).
pub fn add_phrasing(text: &str, id: &str, phrasing: &str) -> Result<String, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Unreadable(e.message().to_string()))?;
    let entry = doc
        .iter_mut()
        .filter(|(key, _)| ENTRY_TABLES.contains(&key.get()))
        .filter_map(|(_, item)| item.as_array_of_tables_mut())
        .flat_map(ArrayOfTables::iter_mut)
        .find(|t| t.get("id").and_then(Item::as_str) == Some(id))
        .ok_or_else(|| EditError::NoEntry(id.to_string()))?;
    let list = entry
        .get_mut("phrasings")
        .and_then(Item::as_array_mut)
        .ok_or_else(|| EditError::NoPhrasings(id.to_string()))?;
    // The space before the last phrasing, without any comment above it: a new line and its
    // indent in a list written one per line, a space in a list on one line.
    let prefix = list
        .iter()
        .last()
        .and_then(|last| last.decor().prefix())
        .and_then(|p| p.as_str())
        .map(|p| match p.rfind('\n') {
            Some(i) => format!("\n{}", &p[i + 1..]),
            None => p.to_string(),
        });
    let mut value = Value::from(phrasing);
    match prefix {
        Some(prefix) => value.decor_mut().set_prefix(prefix),
        None => value.decor_mut().set_prefix(""),
    }
    value.decor_mut().set_suffix("");
    list.push_formatted(value);
    Ok(doc.to_string())
}

/// A new `[[faq]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFaq {
    pub id: String,
    pub title: String,
    pub phrasings: Vec<String>,
    pub answer: String,
    pub source: String,
    pub reviewed: String,
}

/// `text` with `faq` appended as a `[[faq]]` table after everything else (the existing text
/// is unchanged), the answer in triple quotes like the entries admins write.
pub fn append_faq(text: &str, faq: &NewFaq) -> Result<String, EditError> {
    text.parse::<DocumentMut>()
        .map_err(|e| EditError::Unreadable(e.message().to_string()))?;
    let quoted = |s: &str| Value::from(s).to_string().trim().to_string();
    let mut block = String::new();
    if !text.is_empty() && !text.ends_with('\n') {
        block.push('\n');
    }
    if !text.trim().is_empty() {
        block.push('\n');
    }
    block.push_str("[[faq]]\n");
    block.push_str(&format!("id = {}\n", quoted(&faq.id)));
    block.push_str(&format!("title = {}\n", quoted(&faq.title)));
    block.push_str("phrasings = [\n");
    for p in &faq.phrasings {
        block.push_str(&format!("  {},\n", quoted(p)));
    }
    block.push_str("]\n");
    block.push_str(&format!("answer = {}\n", multi_line(&faq.answer)));
    block.push_str(&format!("source = {}\n", quoted(&faq.source)));
    block.push_str(&format!("reviewed = {}\n", quoted(&faq.reviewed)));
    let out = format!("{text}{block}");
    out.parse::<DocumentMut>()
        .map_err(|e| EditError::Unreadable(e.message().to_string()))?;
    Ok(out)
}

/// A TOML string for a long text: a literal `'''` block when the text allows one (no escapes
/// needed, so it reads as typed), else a quoted string with escapes.
fn multi_line(s: &str) -> String {
    let s = s.trim();
    let literal_ok = !s.contains("'''")
        && !s.ends_with('\'')
        && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    if literal_ok {
        format!("'''\n{s}\n'''")
    } else {
        Value::from(s).to_string().trim().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"# Heat and ice.

[[faq]]
id = "ice-or-heat"   # keep this id
title = "Ice or heat?"
phrasings = [
  "ice or heat for sciatica",
  # the common one
  "hot or cold pack",
]
answer = """
Cold first, heat later.
"""

[[technique]]
id = "heat-pack"
title = "Heat pack"
phrasings = ["heat pack", 'warm wheat bag']
how = "x"
"#;

    #[test]
    fn a_phrasing_goes_on_its_own_line_and_nothing_else_changes() {
        let out = add_phrasing(FILE, "ice-or-heat", "can i use a hot water bottle").unwrap();
        let expected = FILE.replace(
            "  \"hot or cold pack\",\n",
            "  \"hot or cold pack\",\n  \"can i use a hot water bottle\",\n",
        );
        assert_eq!(out, expected);
        // Quotes inside are written so TOML reads them back as typed.
        let out = add_phrasing(FILE, "ice-or-heat", "is \"heat\" ok").unwrap();
        let doc: toml::Value = toml::from_str(&out).unwrap();
        assert_eq!(
            doc["faq"][0]["phrasings"][2].as_str(),
            Some("is \"heat\" ok")
        );
    }

    #[test]
    fn a_phrasing_joins_a_one_line_list_on_that_line() {
        let out = add_phrasing(FILE, "heat-pack", "wheat bag").unwrap();
        assert_eq!(
            out,
            FILE.replace(
                r#"["heat pack", 'warm wheat bag']"#,
                r#"["heat pack", 'warm wheat bag', "wheat bag"]"#
            )
        );
    }

    #[test]
    fn an_unknown_entry_or_a_broken_file_is_an_error() {
        assert_eq!(
            add_phrasing(FILE, "nope", "x"),
            Err(EditError::NoEntry("nope".into()))
        );
        assert!(matches!(
            add_phrasing("[[faq]\nid=", "x", "y"),
            Err(EditError::Unreadable(_))
        ));
    }

    #[test]
    fn a_new_entry_is_appended_after_the_untouched_file() {
        let faq = NewFaq {
            id: "hot-water-bottle".into(),
            title: "Can I use a hot water bottle?".into(),
            phrasings: vec![
                "can i use a hot water bottle".into(),
                "hot water botle".into(),
            ],
            answer: "Better not: it can scald numb skin.\nUse a heat pack.".into(),
            source: "added from /knowledge gaps by alice".into(),
            reviewed: "2026-11-29".into(),
        };
        let out = append_faq(FILE, &faq).unwrap();
        assert!(out.starts_with(FILE));
        let added = &out[FILE.len()..];
        assert_eq!(
            added,
            "\n[[faq]]\nid = \"hot-water-bottle\"\ntitle = \"Can I use a hot water bottle?\"\n\
             phrasings = [\n  \"can i use a hot water bottle\",\n  \"hot water botle\",\n]\n\
             answer = '''\nBetter not: it can scald numb skin.\nUse a heat pack.\n'''\n\
             source = \"added from /knowledge gaps by alice\"\nreviewed = \"2026-11-29\"\n"
        );
        let doc: toml::Value = toml::from_str(&out).unwrap();
        assert_eq!(
            doc["faq"][1]["answer"].as_str().unwrap(),
            "Better not: it can scald numb skin.\nUse a heat pack.\n"
        );
        // An answer that cannot be a literal block is quoted with escapes.
        let tricky = NewFaq {
            answer: "It's ''' odd".into(),
            ..faq
        };
        let out = append_faq("", &tricky).unwrap();
        let doc: toml::Value = toml::from_str(&out).unwrap();
        assert_eq!(doc["faq"][0]["answer"].as_str().unwrap(), "It's ''' odd");
    }
}
