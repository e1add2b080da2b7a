//! The safety rules in words, for admins (`sciatica-bot check --rules`): each red flag and
//! the crisis rule with the concepts it combines, and every concept with its words.

use std::fmt::Write;

use crate::knowledge::safety_rules::{concept_name, Combo, Scope};
use crate::knowledge::SafetyRules;

/// A plain-text account of every rule and concept.
pub fn describe_rules(rules: &SafetyRules) -> String {
    let mut out = String::new();
    for (rule, at) in &rules.red_flags {
        let _ = writeln!(
            out,
            "red flag `{}` ({}, {at}): {}",
            rule.id,
            rule.urgency.as_str(),
            rule.title
        );
        if !rule.phrases.is_empty() {
            let _ = writeln!(out, "  on its own: {}", list(&rule.phrases));
        }
        for c in &rule.combo {
            let _ = writeln!(out, "  together: {}", combo(c));
        }
        if !rule.exclude.is_empty() {
            let _ = writeln!(out, "  except inside: {}", list(&rule.exclude));
        }
        if rule.figurative_silences {
            let _ = writeln!(
                out,
                "  not after a figure of speech ([negation] figurative: \"like I've been\")"
            );
        }
        if rule.others_need_complaint {
            let _ = writeln!(
                out,
                "  someone else's sign is context when the back or leg trouble is only the \
                 writer's ([negation] complaint)"
            );
        }
    }
    let c = &rules.crisis;
    let _ = writeln!(out, "crisis ({}):", c.origin);
    let _ = writeln!(out, "  on its own: {}", list(&c.phrases));
    for combo_rule in &c.combo {
        let _ = writeln!(out, "  together: {}", combo(combo_rule));
    }
    let _ = writeln!(
        out,
        "  two of, or one with an idiom: {}",
        list(&c.hopelessness)
    );
    let _ = writeln!(out, "  never on their own: {}", list(&c.idioms));
    let _ = writeln!(out, "concepts:");
    for (name, concept) in &rules.concepts {
        let reference = [format!("@{name}")];
        let words = rules.expand(&reference).terms;
        let _ = writeln!(
            out,
            "  @{name} ({}, {} words): {}",
            concept.origin,
            words.len(),
            words.join(", ")
        );
    }
    out
}

/// Terms as written, concepts shown by name.
fn list(terms: &[String]) -> String {
    let shown: Vec<String> = terms
        .iter()
        .map(|t| match concept_name(t) {
            Some(n) => format!("@{n}"),
            None => format!("\"{}\"", t.trim()),
        })
        .collect();
    shown.join(", ")
}

fn combo(c: &Combo) -> String {
    let groups: Vec<String> = c
        .all_of
        .iter()
        .map(|g| {
            let terms = g.terms();
            if terms.len() == 1 {
                list(terms)
            } else {
                format!("[{}]", list(terms))
            }
        })
        .collect();
    let scope = match c.scope {
        Scope::Clause => "in one clause",
        Scope::Sentence => "in one sentence",
        Scope::Message => "anywhere in the message",
    };
    match c.within {
        Some(w) => format!("{} within {w} words, {scope}", groups.join(" + ")),
        None if c.scope == Scope::Message => format!("{} {scope}", groups.join(" + ")),
        None => format!(
            "{} within {} words, {scope}",
            groups.join(" + "),
            super::DEFAULT_WITHIN
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::{Concept, Group, Origin};

    #[test]
    fn rules_are_described_with_their_concepts_and_words() {
        let mut rules = SafetyRules::default();
        rules.concepts.insert(
            "numb".into(),
            Concept {
                terms: vec!["numb".into(), "no feeling".into()],
                origin: Origin::default(),
            },
        );
        rules.red_flags.push((
            crate::knowledge::RedFlagRule {
                id: "saddle".into(),
                title: "Saddle numbness".into(),
                combo: vec![Combo {
                    all_of: vec![
                        Group::One("@numb".into()),
                        Group::Many(vec!["groin".into()]),
                    ],
                    within: Some(6),
                    scope: Scope::Sentence,
                }],
                ..Default::default()
            },
            Origin::default(),
        ));
        let text = describe_rules(&rules);
        assert!(text.contains("together: @numb + \"groin\" within 6 words, in one sentence"));
        assert!(text.contains("@numb"));
        assert!(text.contains("numb, no feeling"));
    }
}
