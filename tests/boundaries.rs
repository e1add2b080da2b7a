//! The layer boundaries ARCHITECTURE.md promises, checked by reading the module imports of
//! `src/`: the knowledge model is a leaf, the Discord front end goes through the engine, and
//! no two modules import each other in a circle.
//!
//! An import is any `crate::a::b` path or `super::x` path in a file's code (comments and the
//! file's `#[cfg(test)]` part left out). That is coarser than the compiler's view, which is
//! the point: a doc link is not an import, but a path in code is.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A source file's module path: `src/knowledge/validate.rs` -> `["knowledge", "validate"]`,
/// `src/discord/commands/mod.rs` -> `["discord", "commands"]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its test module.
fn code_of(text: &str) -> String {
    // The test module only: a `#[cfg(test)]` helper elsewhere is still code.
    let text = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file's code names, resolved to absolute paths (`crate::` and
/// `super::`). `use super::{a, b}` names both; `crate::x::{y, z}` names `x::y` and `x::z`.
fn imports_of(module: &[String], code: &str) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    let bytes = code.as_bytes();
    for (start, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        // Only whole path starts: not `my_crate::` or `fn super_::`.
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let rest = &code[start..];
        let (mut base, mut tail) = if let Some(t) = rest.strip_prefix("crate::") {
            (Vec::new(), t)
        } else {
            // `super` of `a/b.rs` and of `a/b/mod.rs` (both module `a::b`) is `a`.
            let mut b = module.to_vec();
            let mut t = rest;
            while let Some(next) = t.strip_prefix("super::") {
                b.pop();
                t = next;
            }
            (b, t)
        };
        // Follow `a::b::` segments; stop at a brace group, a type or a function.
        loop {
            let seg: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if seg.is_empty() {
                if let Some(group) = tail.strip_prefix('{') {
                    let inner = group.split('}').next().unwrap_or_default();
                    for item in inner.split(',') {
                        let name: String = item
                            .trim()
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        if name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                            && name != "self"
                        {
                            let mut p = base.clone();
                            p.push(name);
                            out.insert(p);
                        }
                    }
                }
                break;
            }
            let lower = seg.chars().next().is_some_and(|c| c.is_ascii_lowercase());
            tail = &tail[seg.len()..];
            if !lower {
                break;
            }
            base.push(seg);
            match tail.strip_prefix("::") {
                Some(t) => tail = t,
                None => break,
            }
        }
        if !base.is_empty() {
            out.insert(base);
        }
    }
    out
}

/// Every file's module and the modules it imports.
fn import_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&src).expect("under src");
        if rel == Path::new("main.rs") {
            continue;
        }
        let module = module_of(rel);
        let text = std::fs::read_to_string(&path).expect("readable");
        let imports = imports_of(&module, &code_of(&text));
        graph.insert(module, imports);
    }
    graph
}

/// The graph cut to modules `depth` segments deep (under `within`), without self edges.
fn level(
    graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
    within: &[String],
    depth: usize,
) -> BTreeMap<String, BTreeSet<String>> {
    let cut = |m: &Vec<String>| -> Option<String> {
        (m.len() > within.len() + depth - 1 && m.starts_with(within))
            .then(|| m[within.len() + depth - 1].clone())
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        let Some(f) = cut(from) else { continue };
        let entry = out.entry(f.clone()).or_default();
        for to in tos {
            if let Some(t) = cut(to) {
                if t != f {
                    entry.insert(t);
                }
            }
        }
    }
    out
}

/// Every cycle's members, found by depth-first search (empty when the graph is acyclic).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        if let Some(i) = path.iter().position(|p| p == n) {
            found.push(path[i..].to_vec());
            return;
        }
        if done.contains(n) {
            return;
        }
        path.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            visit(next, graph, path, done, found);
        }
        path.pop();
        done.insert(n.to_string());
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(n, graph, &mut Vec::new(), &mut done, &mut found);
    }
    found
}

fn importers_of(target: &str, from_under: &str) -> Vec<String> {
    import_graph()
        .into_iter()
        .filter(|(from, _)| from.first().is_some_and(|f| f == from_under))
        .filter(|(_, tos)| tos.iter().any(|t| t.first().is_some_and(|s| s == target)))
        .map(|(from, _)| from.join("::"))
        .collect()
}

#[test]
fn the_knowledge_model_imports_nothing_from_the_layers_above_it() {
    for above in [
        "safety", "matcher", "reply", "review", "engine", "store", "discord", "cli",
    ] {
        assert_eq!(
            importers_of(above, "knowledge"),
            Vec::<String>::new(),
            "knowledge must stay a leaf, but these files import `{above}`"
        );
    }
}

#[test]
fn the_discord_front_end_reaches_answers_through_the_engine_not_the_matcher() {
    assert_eq!(
        importers_of("matcher", "discord"),
        Vec::<String>::new(),
        "discord files import the matcher"
    );
}

#[test]
fn the_answering_core_knows_nothing_of_its_front_ends() {
    for front in ["discord", "cli"] {
        let core: Vec<String> = import_graph()
            .into_iter()
            // The crate root (`lib.rs`, module path empty) declares every module.
            .filter(|(from, _)| from.first().is_some_and(|f| f != "discord" && f != "cli"))
            .filter(|(_, tos)| tos.iter().any(|t| t.first().is_some_and(|s| s == front)))
            .map(|(from, _)| from.join("::"))
            .collect();
        assert_eq!(core, Vec::<String>::new(), "core files import `{front}`");
    }
}

#[test]
fn no_two_top_level_modules_import_each_other_in_a_circle() {
    let graph = level(&import_graph(), &[], 1);
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn no_modules_inside_a_module_import_each_other_in_a_circle() {
    // Each folder module's parts (`knowledge::validate`, `safety::lexicon`, ...); the folder's
    // own root (`mod.rs`) is left out, as below. Discord has its own test.
    let graph = import_graph();
    let parents: BTreeSet<Vec<String>> = graph
        .keys()
        .filter(|m| m.len() > 1 && m.first().is_some_and(|f| f != "discord"))
        .map(|m| m[..m.len() - 1].to_vec())
        .collect();
    for parent in parents {
        let inner = level(&graph, &parent, 1);
        assert_eq!(
            cycles(&inner),
            Vec::<Vec<String>>::new(),
            "inside `{}`",
            parent.join("::")
        );
    }
}

#[test]
fn no_discord_modules_import_each_other_in_a_circle() {
    // The front end's root (`discord/mod.rs`) is left out: it declares its parts and shares
    // `Data` with them, which is how Rust modules are laid out, not a tangle.
    let graph = level(&import_graph(), &["discord".to_string()], 1);
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new());
}

#[test]
fn the_import_reader_sees_paths_groups_and_super() {
    let m = vec!["discord".to_string(), "events".to_string()];
    let code = "use crate::matcher::{Matcher, ANSWER_THRESHOLD};\n\
                use super::commands::{answer, gate};\n\
                let x = crate::review::load(s);\n\
                use my_crate::other;";
    let got = imports_of(&m, code);
    let want: BTreeSet<Vec<String>> = [
        vec!["matcher"],
        vec!["discord", "commands", "answer"],
        vec!["discord", "commands", "gate"],
        vec!["discord", "commands"],
        vec!["review", "load"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect();
    assert_eq!(got, want);
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(cycles(&g).len(), 1, "a two-module circle is found");
}
