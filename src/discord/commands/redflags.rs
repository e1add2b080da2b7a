//! `/redflags`: the warning signs that need a doctor, most urgent first, from the knowledge's
//! own red-flag rules (so the list an admin edits is the list members see).

use std::fmt::Write as _;

use crate::discord::{respond, Context, Error};
use crate::knowledge::Knowledge;
use crate::safety::Urgency;

/// Warning signs that mean: see a doctor now, and emergency numbers
#[poise::command(slash_command)]
pub async fn redflags(ctx: Context<'_>) -> Result<(), Error> {
    let engine = ctx.data().store.engine();
    let reply = engine
        .composer()
        .info("When to see a doctor", overview(engine.knowledge()));
    respond::command(ctx, &reply, &[], false).await
}

/// Rule titles grouped by urgency, then what to do for the most urgent ones (the rule's own
/// reply, which carries the emergency numbers).
fn overview(k: &Knowledge) -> String {
    let mut out = String::new();
    for (urgency, label) in [
        (Urgency::Emergency, "Emergency: now"),
        (Urgency::Urgent, "Urgent: today"),
        (Urgency::Soon, "Soon: within days"),
    ] {
        let rules: Vec<_> = k
            .safety
            .red_flags
            .iter()
            .map(|(r, _)| r)
            .filter(|r| r.urgency == urgency)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "**{label}**");
        for r in &rules {
            let _ = writeln!(out, "- {}", r.title);
        }
        if urgency == Urgency::Emergency {
            let _ = writeln!(out, "{}", rules[0].reply.trim());
        }
        out.push('\n');
    }
    out.trim_end().to_string()
}
