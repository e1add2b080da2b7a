//! Reading findings in context: negation, doubt, hypotheticals, the past, someone else.
//!
//! Per sentence, every rule term and every cue is found by the trie; then, NegEx-style:
//! 1. `exclude` terms and idioms cancel the findings they overlap.
//! 2. A cue inside a finding is part of the finding, not a cue ("no bladder control",
//!    "lost weight without trying"); a cue that holds a finding stays ("can sciatica");
//!    where cues overlap, the longest wins ("not sure" is doubt, not "not"; "no idea" is a
//!    pseudo-negation).
//! 3. A finding is negated by the latest pre-negation starting before it when it is within
//!    reach (`scope_words`; `short_scope_words` for "not"-like cues), no terminator lies
//!    between, and the cue is not followed straight by a comma ("No, I can't feel..."). The
//!    cue may share its last words with the finding ("don't have" + "have a temperature").
//!    On the emergency tier and for crisis the reach is `emergency_scope_words` and stops at
//!    a comma unless a list word ("or") shows a list is going on: when negation scope is
//!    ambiguous, escalate. Doubt nearer to the finding than the negation wins: "I don't
//!    know if I wet myself" counts. A post-negation ("is fine", "ruled out") negates what
//!    precedes it, but not from inside the clause that asks a question ("is that normal?"
//!    asks, it does not reassure).
//! 4. Findings containing a negation cue are never negated.
//! 5. Hypotheticals silence urgent and soon findings and, by default, never emergency ones
//!    (a rule can say otherwise with `hypothetical_silences`). The distant past silences
//!    findings unless the rule says the history itself counts (cancer), and then not when it
//!    is someone else's past (a family history). A figure of speech ("like I've been hit by
//!    a bus") silences rules with `figurative_silences`.
//! 6. Someone else's present symptoms count like the user's own, with one exception: for a
//!    rule with `others_need_complaint` (a fever, a cancer), a sign surely someone
//!    else's (their name earlier in the clause, no word of the writer's or reported speech
//!    between) is context when the `complaint` words (the back or leg trouble) are the
//!    writer's alone and no `shared` cue ("I caught it") says the writer has it too.
//! 7. A combo needs one term of every group, not negated, within `within` words, at least one
//!    of them current (not hypothetical or past). Crisis needs a crisis phrase, or a
//!    hopelessness term with an idiom or a second, non-overlapping hopelessness term.
//! 8. A sign's term may step over `fillers` ("can't even feel"); cues, excludes and idioms
//!    never do.

use super::{
    Cue, Finding, Role, SafetyScreen, Scope, Source, Status, Urgency, Verdict, MAX_FINDINGS,
};
use crate::text::{self, Break, FastMap};

/// Key of the idiom shield in the shield list (red-flag rules use their index).
const CRISIS_KEY: u32 = u32::MAX;

/// One term of a combo found in a sentence.
#[derive(Debug, Clone, Copy)]
struct Part {
    rule: u32,
    combo: u16,
    start: u32,
    group: u8,
    /// Not hypothetical or in the past.
    current: bool,
    clause: u32,
    /// Surely someone else's (see `Context::surely_other`).
    sure_other: bool,
}

/// One term found in a sentence: words `start..end`.
#[derive(Debug, Clone, Copy)]
struct Occ {
    term: u32,
    start: u32,
    end: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// What all sentences of a message add up to.
struct Acc<'l> {
    hits: Vec<bool>,
    /// The rule fired on a sign that is not surely someone else's (the reply is then
    /// addressed to the writer).
    mine: Vec<bool>,
    /// The rule fired on a sign that is not surely someone else's (see
    /// `Context::surely_other`): only a rule without one may be someone else's context.
    unsure: Vec<bool>,
    /// Counted signs that could not be someone else's context (a sign not surely someone
    /// else's, or of a rule without `others_need_complaint`).
    open_signs: u32,
    /// `shared` cues ("caught it", "me too"): someone else's sign is the writer's too.
    shared: u32,
    /// Rules whose sign was only someone else's past, where the writer's own past would
    /// count (a cancer history): a `shared` cue anywhere in the message ("my friend died of
    /// breast cancer. I had it too") makes it the writer's.
    others_history: Vec<usize>,
    /// Signs surely someone else's, of rules that take them as context: when the back or
    /// leg trouble is the writer's alone, the readers do not read them either ("my dad's on
    /// chemo" is not the writer's chemo).
    context_spans: Vec<(u32, u32)>,
    crisis: bool,
    hopeless: u32,
    idioms: u32,
    /// Words of the message inside crisis excludes (start, end), which the learned reader
    /// must not read as crisis either.
    muted: Vec<(u32, u32)>,
    /// Words the red-flag rules read and set aside (negated, hypothetical, past, a pet, an
    /// exclude: "no numbness down there"), which the red-flag reader must not read back in.
    quiet: Vec<(u32, u32)>,
    /// Red-flag words that counted (not negated, past, hypothetical...), even as a lone part
    /// of a combo: the domain evidence the red-flag reader needs before it may speak.
    signs: u32,
    /// Of those, the ones not surely someone else's (not "my dad has a fever"): none means
    /// the red-flag reader's reply is phrased for helping someone else get seen.
    own_signs: u32,
    /// `complaint` terms ("my sciatica", "his back pain") about the writer and about someone
    /// else: whose back or leg trouble the message is about.
    complaint_mine: u32,
    complaint_others: u32,
    /// Combo parts whose scope is the whole message, positions counted from its start.
    message_parts: Vec<Part>,
    /// Words in the sentences already read.
    offset: u32,
    log: Option<&'l mut Vec<Finding>>,
}

impl Acc<'_> {
    /// The message gives the back or leg trouble to the writer and to nobody else, and does
    /// not say the writer has what someone else has.
    fn writers_complaint_only(&self) -> bool {
        self.complaint_mine > 0 && self.complaint_others == 0 && self.shared == 0
    }

    fn log(&mut self, f: impl FnOnce() -> Finding) {
        if let Some(log) = self.log.as_deref_mut() {
            if log.len() < MAX_FINDINGS {
                log.push(f());
            }
        }
    }
}

/// The words of the sentence being read: id ranges into the arena and clause numbers.
#[derive(Default)]
struct Sentence {
    ranges: Vec<(u32, u32)>,
    clauses: Vec<u32>,
    clause: u32,
}

/// Word lookups already done: each distinct word is resolved once per message (or once per
/// validation pass, which screens every rule phrase).
#[derive(Default)]
pub(crate) struct WordMemo {
    map: FastMap<Box<str>, (u32, u32)>,
    arena: Vec<u32>,
}

impl SafetyScreen {
    pub(super) fn run(&self, text: &str, log: Option<&mut Vec<Finding>>) -> Verdict {
        self.run_with(text, log, &mut WordMemo::default())
    }

    pub(super) fn run_with(
        &self,
        text: &str,
        log: Option<&mut Vec<Finding>>,
        memo: &mut WordMemo,
    ) -> Verdict {
        let mut acc = Acc {
            hits: vec![false; self.rules.len()],
            mine: vec![false; self.rules.len()],
            unsure: vec![false; self.rules.len()],
            open_signs: 0,
            shared: 0,
            others_history: Vec::new(),
            context_spans: Vec::new(),
            crisis: false,
            hopeless: 0,
            idioms: 0,
            muted: Vec::new(),
            quiet: Vec::new(),
            signs: 0,
            own_signs: 0,
            complaint_mine: 0,
            complaint_others: 0,
            message_parts: Vec::new(),
            offset: 0,
            log,
        };
        // Each distinct word is resolved once: long messages repeat words.
        let WordMemo { map: memo, arena } = memo;
        let mut sentence = Sentence::default();
        text::pieces(text, |piece, brk| {
            let folded = text::fold(piece);
            for w in text::words(&folded) {
                if !self.vocab.may_match(w) {
                    sentence.ranges.push((0, 0));
                    sentence.clauses.push(sentence.clause);
                    continue;
                }
                let range = match memo.get(w) {
                    Some(&r) => r,
                    None => {
                        let start = arena.len() as u32;
                        self.vocab.resolve(w, arena);
                        if self.vocab.is_filler(w) {
                            arena.push(super::lexicon::FILLER);
                        }
                        let r = (start, arena.len() as u32);
                        memo.insert(w.into(), r);
                        r
                    }
                };
                sentence.ranges.push(range);
                sentence.clauses.push(sentence.clause);
            }
            match brk {
                Break::Clause => sentence.clause += 1,
                Break::Sentence | Break::Question => {
                    if !sentence.ranges.is_empty() {
                        let words: Vec<&[u32]> = sentence
                            .ranges
                            .iter()
                            .map(|&(s, e)| &arena[s as usize..e as usize])
                            .collect();
                        // Only the clause that ends in "?" is asked; what comes before
                        // the comma may still be a statement ("X was ruled out, what now?").
                        let asked = (brk == Break::Question).then_some(sentence.clause);
                        self.sentence(&words, &sentence.clauses, asked, &mut acc);
                        acc.offset = acc.offset.saturating_add(words.len() as u32);
                    }
                    sentence.ranges.clear();
                    sentence.clauses.clear();
                    sentence.clause = 0;
                }
            }
        });
        let mut whole = std::mem::take(&mut acc.message_parts);
        self.combos(&mut whole, &mut acc);
        if acc.shared > 0 {
            let mut rules = std::mem::take(&mut acc.others_history);
            rules.sort_unstable();
            rules.dedup();
            for r in rules {
                acc.hits[r] = true;
                acc.mine[r] = true;
                acc.unsure[r] = true;
                acc.signs += 1;
                acc.own_signs += 1;
                acc.open_signs += 1;
                acc.log(|| Finding {
                    source: Source::RedFlag(r),
                    term: "someone else's history, and the writer says they had it too".to_string(),
                    status: Status::Counts,
                    other_person: false,
                    part: None,
                });
            }
        }
        let crisis_combo = self
            .rules
            .iter()
            .zip(&acc.hits)
            .any(|(r, &hit)| r.crisis && hit);
        let crisis = acc.crisis
            || crisis_combo
            || (acc.hopeless >= 1 && (acc.idioms >= 1 || acc.hopeless >= 2));
        if crisis {
            return Verdict::Crisis;
        }
        let mut hits: Vec<usize> = (0..self.rules.len())
            .filter(|&i| acc.hits[i] && !self.rules[i].crisis)
            .collect();
        // The readers only read what the rules left clear. Not even the crisis reader speaks
        // over a rule's red flag: it weighs words like "myself", and "I'm not sure if I wet
        // myself" must keep its emergency reply (tried and refused: see BENCHMARKS.md).
        if hits.is_empty() {
            return self.second_opinion(text, &mut acc);
        }
        // Someone else's fever, cancer or fall is context when the back or leg trouble in
        // the message is the writer's alone ("my son had a fever all weekend, now my sciatica
        // is grumbling"); "my dad has a fever and his back is killing him" still escalates.
        if acc.writers_complaint_only() {
            hits.retain(|&i| {
                let keep = acc.unsure[i] || !self.rules[i].others_need_complaint;
                if !keep {
                    acc.log(|| Finding {
                        source: Source::RedFlag(i),
                        term: "someone else's sign; the back or leg trouble is the writer's"
                            .to_string(),
                        status: Status::Bystander,
                        other_person: true,
                        part: None,
                    });
                }
                keep
            });
            if hits.is_empty() {
                return self.second_opinion(text, &mut acc);
            }
        }
        hits.sort_by_key(|&i| (self.rules[i].urgency, i));
        let someone_else = !hits.iter().any(|&i| acc.mine[i]);
        Verdict::RedFlags {
            rules: hits,
            someone_else,
        }
    }

    /// The learned readers ([`super::model`]) on a message the rules left clear: they may
    /// only add a reply (crisis first, then the red-flag reader's rule), never overrule a rule.
    fn second_opinion(&self, text: &str, acc: &mut Acc) -> Verdict {
        let explain = acc.log.is_some();
        // A message with no warning-sign word at all is not read for one: the reader weighs
        // how people write, and without a sign it would weigh only style.
        // Nor does it speak for someone else's signs when the trouble is the writer's alone.
        let writers_only = acc.writers_complaint_only();
        let bystander = acc.open_signs == 0 && writers_only;
        if writers_only {
            let spans = std::mem::take(&mut acc.context_spans);
            acc.quiet.extend(spans);
        }
        let red = self
            .red_model
            .as_ref()
            .filter(|_| acc.signs > 0 && !bystander);
        let mut readers: Vec<(&super::model::Reader, &[(u32, u32)])> = Vec::new();
        let crisis_reader = self.model.as_ref();
        if let Some(m) = crisis_reader {
            readers.push((m, &acc.muted));
        }
        if let Some((m, _)) = red {
            readers.push((m, &acc.quiet));
        }
        if readers.is_empty() {
            return Verdict::Clear;
        }
        // One pass over the text for both readers.
        let mut readings = super::model::read_many(&readers, text, explain).into_iter();
        if crisis_reader.is_some() {
            if let Some(r) = readings.next().filter(super::model::Reading::fires) {
                acc.log(|| model_finding("crisis", &r));
                return Verdict::Crisis;
            }
        }
        if let (Some((_, rule)), Some(r)) = (red, readings.next()) {
            if r.fires() {
                acc.log(|| model_finding("red-flag", &r));
                return Verdict::RedFlags {
                    rules: vec![*rule as usize],
                    someone_else: acc.own_signs == 0,
                };
            }
        }
        Verdict::Clear
    }

    /// Read one sentence: find terms and cues, judge each finding, combine.
    fn sentence(&self, words: &[&[u32]], clauses: &[u32], asked: Option<u32>, acc: &mut Acc) {
        let n = words.len();
        let mut found: Vec<Occ> = Vec::new();
        let terms = &self.terms;
        self.trie.find_all(words, |term, start, end, skipped| {
            // Only a sign may step over a filler: a cue, an exclude or an idiom means its own
            // words ("don't even get" is not the cue "don't get", which reaches further).
            // Pseudo-negations and doubt may too: they only ever cancel a negation ("no
            // bloody idea if I wet myself", "not even sure I wet myself").
            let sign = matches!(
                terms[term as usize].role,
                Role::Phrase(_)
                    | Role::Group { .. }
                    | Role::Crisis
                    | Role::Hopeless
                    | Role::Complaint
                    | Role::Cue(Cue::Pseudo | Cue::Uncertainty)
            );
            if skipped && !sign {
                return;
            }
            found.push(Occ {
                term,
                start: start as u32,
                end: end as u32,
            })
        });
        if found.is_empty() {
            return;
        }
        let mut findings: Vec<Occ> = Vec::new();
        let mut complaints: Vec<Span> = Vec::new();
        let mut shields: Vec<(u32, u32, u32)> = Vec::new();
        let mut cues: Vec<(Cue, Span)> = Vec::new();
        for o in found {
            let span = Span {
                start: o.start,
                end: o.end,
            };
            match self.terms[o.term as usize].role {
                Role::Phrase(_) | Role::Group { .. } | Role::Crisis | Role::Hopeless => {
                    findings.push(o)
                }
                Role::Exclude(rule) => {
                    shields.push((rule, o.start, o.end));
                    acc.quiet.push((acc.offset + o.start, acc.offset + o.end));
                }
                Role::CrisisExclude => {
                    shields.push((CRISIS_KEY, o.start, o.end));
                    acc.muted.push((acc.offset + o.start, acc.offset + o.end));
                }
                Role::Idiom => {
                    // Not muted: with despair, an idiom is crisis evidence ("killing me ... I
                    // can't take it anymore"), for the rules and the reader alike.
                    shields.push((CRISIS_KEY, o.start, o.end));
                    acc.idioms += 1;
                    acc.log(|| self.finding(o.term, Source::Idiom, Status::Counts, false));
                }
                Role::Complaint => complaints.push(span),
                Role::Cue(c) => {
                    acc.shared += u32::from(c == Cue::Shared);
                    cues.push((c, span));
                }
            }
        }
        if findings.is_empty() && complaints.is_empty() {
            return;
        }
        let shield = Shields::new(shields);
        let mut live: Vec<Occ> = Vec::with_capacity(findings.len());
        for o in findings {
            let key = match self.terms[o.term as usize].role {
                Role::Phrase(r) | Role::Group { rule: r, .. } if !self.rules[r as usize].crisis => {
                    r
                }
                _ => CRISIS_KEY,
            };
            if shield.covers(key, o.start, o.end) {
                acc.log(|| self.finding(o.term, self.source(o.term), Status::Excluded, false));
            } else {
                live.push(o);
            }
        }
        if live.is_empty() && complaints.is_empty() {
            return;
        }
        // The writer's own words ("my", "I"), reported speech ("said") and self-description
        // ("I'm a") are kept wherever they stand: inside "and my" or "I think" they still say
        // whose the next words are.
        let (writer, cues): (Vec<_>, Vec<_>) = cues
            .into_iter()
            .partition(|(c, _)| matches!(c, Cue::Writer | Cue::Reported | Cue::SelfDescribed));
        let mut cues = select_cues(cues, &live, n);
        cues.extend(writer);
        let ctx = Context::new(&cues, clauses, asked, self.scopes);
        for &c in &complaints {
            if ctx.negated(c, false, false) || ctx.not_a_person(c) {
                continue;
            }
            // Whose: the writer's when a writer word nearer than anyone else's says so ("lifting
            // her is wrecking my back"), else an `experiencer` before its last word ("his
            // back", "my dad ... his leg").
            let last = Span {
                start: c.end - 1,
                end: c.end,
            };
            if ctx.by_writer(c) {
                acc.complaint_mine += 1;
            } else if ctx.other_person(last) {
                acc.complaint_others += 1;
            }
            // Neither ("Sarah has sciatica", "mum's sciatica"): whose is not known, so it
            // cannot make someone else's sign context.
        }
        // Hopelessness terms on the same or overlapping words ("a burden", "burden to my
        // family") are one statement, not two.
        let mut hopeless_at: Vec<Span> = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        for o in &live {
            let info = &self.terms[o.term as usize];
            let (
                urgency,
                history_counts,
                hypothetical_silences,
                figurative_silences,
                may_be_context,
            ) = match info.role {
                Role::Phrase(r) | Role::Group { rule: r, .. } if !self.rules[r as usize].crisis => {
                    let rule = &self.rules[r as usize];
                    (
                        Some(rule.urgency),
                        rule.history_counts,
                        rule.hypothetical_silences,
                        rule.figurative_silences,
                        rule.others_need_complaint,
                    )
                }
                _ => (None, false, false, false, false),
            };
            let strict = urgency.is_none_or(|u| u == Urgency::Emergency);
            let span = Span {
                start: o.start,
                end: o.end,
            };
            let negated = !info.negation && ctx.negated(span, strict, urgency.is_none());
            let other = ctx.other_person(span);
            let sure_other = other && ctx.surely_other(span);
            let status = if negated {
                Status::Negated
            } else if ctx.not_a_person(span) {
                Status::NotAPerson
            } else if urgency.is_some() {
                if ctx.historical(span) && (!history_counts || other) {
                    Status::Historical
                } else if ctx.general(span) || (hypothetical_silences && ctx.hypothetical(span)) {
                    Status::Hypothetical
                } else if figurative_silences && ctx.figurative(span) {
                    Status::Figurative
                } else {
                    Status::Counts
                }
            } else {
                Status::Counts
            };
            let part = match info.role {
                Role::Group { combo, group, .. } => Some((combo, group)),
                _ => None,
            };
            if urgency.is_some() {
                if status == Status::Counts {
                    acc.signs += 1;
                    acc.own_signs += u32::from(!sure_other);
                    acc.open_signs += u32::from(!(sure_other && may_be_context));
                    if sure_other && may_be_context {
                        acc.context_spans
                            .push((acc.offset + o.start, acc.offset + o.end));
                    }
                } else {
                    acc.quiet.push((acc.offset + o.start, acc.offset + o.end));
                }
            }
            acc.log(|| Finding {
                part,
                ..self.finding(o.term, self.source(o.term), status, other)
            });
            match info.role {
                Role::Phrase(r) if status == Status::Historical && other && history_counts => {
                    acc.others_history.push(r as usize);
                }
                Role::Phrase(r) if status == Status::Counts => {
                    acc.hits[r as usize] = true;
                    acc.mine[r as usize] |= !sure_other;
                    acc.unsure[r as usize] |= !sure_other;
                }
                Role::Group { rule, combo, group }
                    if !matches!(
                        status,
                        Status::Negated | Status::NotAPerson | Status::Figurative
                    ) =>
                {
                    let whole =
                        self.rules[rule as usize].combos[combo as usize].scope == Scope::Message;
                    let part = Part {
                        rule,
                        combo,
                        start: o.start + if whole { acc.offset } else { 0 },
                        group,
                        current: status == Status::Counts,
                        clause: clauses[o.start as usize],
                        sure_other,
                    };
                    if whole {
                        acc.message_parts.push(part);
                    } else {
                        parts.push(part);
                    }
                }
                Role::Crisis if status == Status::Counts => acc.crisis = true,
                Role::Hopeless
                    if status == Status::Counts
                        && !hopeless_at
                            .iter()
                            .any(|h| h.start < o.end && o.start < h.end) =>
                {
                    hopeless_at.push(span);
                    acc.hopeless += 1;
                }
                _ => {}
            }
        }
        self.combos(&mut parts, acc);
    }

    /// A combo fires when one window of `within` words (inside one clause, for
    /// `same_clause` combos) holds a term of every group, at least one of them current (not
    /// hypothetical or past).
    fn combos(&self, parts: &mut [Part], acc: &mut Acc) {
        parts.sort_unstable_by_key(|p| (p.rule, p.combo, p.start, p.group));
        for same in parts.chunk_by(|a, b| a.rule == b.rule && a.combo == b.combo) {
            let (rule, combo) = (same[0].rule as usize, same[0].combo as usize);
            let info = &self.rules[rule].combos[combo];
            // A sliding window over the parts (sorted by position), with counts per group:
            // linear however many parts a long message has.
            let mut in_group = [0u32; super::MAX_GROUPS];
            // `open`: the same counts over parts not surely someone else's. A combo is one
            // person's picture: it may be the writer's only when such parts alone fill every
            // group ("my wife is on chemo" + "my back pain" is not; "I take methotrexate" +
            // "my back pain" is, whoever else is named).
            let mut open = [0u32; super::MAX_GROUPS];
            let (mut current, mut mine, mut left) = (0u32, 0u32, 0usize);
            for j in 0..same.len() {
                let p = same[j];
                in_group[p.group as usize] += 1;
                open[p.group as usize] += u32::from(!p.sure_other);
                current += u32::from(p.current);
                mine += u32::from(!p.sure_other);
                while p.start - same[left].start > info.within
                    || (info.scope == Scope::Clause && same[left].clause != p.clause)
                {
                    let q = same[left];
                    in_group[q.group as usize] -= 1;
                    open[q.group as usize] -= u32::from(!q.sure_other);
                    current -= u32::from(q.current);
                    mine -= u32::from(!q.sure_other);
                    left += 1;
                }
                let groups = info.groups as usize;
                let full = in_group[..groups].iter().all(|&n| n > 0);
                if full && current > 0 {
                    acc.hits[rule] = true;
                    acc.mine[rule] |= mine > 0;
                    acc.unsure[rule] |= open[..groups].iter().all(|&n| n > 0);
                    if acc.mine[rule] && acc.unsure[rule] {
                        break;
                    }
                }
            }
        }
    }

    fn source(&self, term: u32) -> Source {
        match self.terms[term as usize].role {
            Role::Phrase(r) | Role::Group { rule: r, .. } | Role::Exclude(r)
                if !self.rules[r as usize].crisis =>
            {
                Source::RedFlag(r as usize)
            }
            Role::Hopeless => Source::Hopelessness,
            Role::Idiom => Source::Idiom,
            _ => Source::Crisis,
        }
    }

    fn finding(&self, term: u32, source: Source, status: Status, other: bool) -> Finding {
        Finding {
            source,
            term: self.terms[term as usize].text.to_string(),
            status,
            other_person: other,
            part: None,
        }
    }
}

/// `exclude` terms and idioms, sorted by (key, start), with the running furthest end so an
/// overlap test is one binary search.
struct Shields {
    list: Vec<(u32, u32, u32)>,
    reach: Vec<u32>,
}

impl Shields {
    fn new(mut list: Vec<(u32, u32, u32)>) -> Self {
        list.sort_unstable();
        let mut reach = Vec::with_capacity(list.len());
        for (i, &(key, _, end)) in list.iter().enumerate() {
            let before = (i > 0 && list[i - 1].0 == key).then(|| reach[i - 1]);
            reach.push(before.map_or(end, |r: u32| r.max(end)));
        }
        Self { list, reach }
    }

    fn covers(&self, key: u32, start: u32, end: u32) -> bool {
        let lo = self.list.partition_point(|s| s.0 < key);
        let hi = self
            .list
            .partition_point(|s| s.0 < key || (s.0 == key && s.1 < end));
        hi > lo && self.reach[hi - 1] > start
    }
}

/// Cues inside a finding are words of the finding, not cues ("no" in "no bladder control");
/// a cue that merely contains a finding stays ("can sciatica" holds "sciatica"). Of
/// overlapping cues the longest wins (cues with the very same words all stay: "ruled out" is
/// both a pre- and a post-cue).
fn select_cues(mut cues: Vec<(Cue, Span)>, findings: &[Occ], n: usize) -> Vec<(Cue, Span)> {
    // reach[i]: the furthest end of a finding starting at or before word i.
    let mut reach = vec![0u32; n];
    for f in findings {
        let r = &mut reach[f.start as usize];
        *r = (*r).max(f.end);
    }
    for i in 1..n {
        reach[i] = reach[i].max(reach[i - 1]);
    }
    cues.retain(|(_, s)| reach[s.start as usize] < s.end);
    cues.sort_by_key(|(_, s)| (std::cmp::Reverse(s.end - s.start), s.start));
    let mut owner: Vec<Option<Span>> = vec![None; n];
    let mut kept = Vec::with_capacity(cues.len());
    for (cue, s) in cues {
        let range = s.start as usize..s.end as usize;
        if owner[s.start as usize] == Some(s) {
            kept.push((cue, s));
            continue;
        }
        if owner[range.clone()].iter().any(Option::is_some) {
            continue;
        }
        for slot in &mut owner[range] {
            *slot = Some(s);
        }
        kept.push((cue, s));
    }
    kept
}

/// Per-word lookups for one sentence, built in linear time from its cues.
struct Context<'a> {
    clauses: &'a [u32],
    /// The clause that ends in "?", if the sentence is a question.
    asked: Option<u32>,
    scopes: super::Scopes,
    /// Terminators / list words starting before word `i`.
    terminators: Vec<u32>,
    lists: Vec<u32>,
    /// "or"/"nor" starting before word `i` (counts, like `lists`).
    alternatives: Vec<u32>,
    /// Latest negation cue starting before word `i`, and whether it is a short one.
    negation: Vec<Option<(Span, bool)>>,
    /// Latest cue of a kind ending at or before word `i`.
    doubt: Vec<Option<Span>>,
    hypothetical: Vec<Option<Span>>,
    general: Vec<Option<Span>>,
    experiencer: Vec<Option<Span>>,
    writer: Vec<Option<Span>>,
    reported: Vec<Option<Span>>,
    self_described: Vec<Option<Span>>,
    not_a_person: Vec<Option<Span>>,
    not_a_person_after: Vec<Option<Span>>,
    history_before: Vec<Option<Span>>,
    figurative: Vec<Option<Span>>,
    /// Earliest cue of a kind starting at or after word `i`.
    post: Vec<Option<Span>>,
    history_after: Vec<Option<Span>>,
}

impl<'a> Context<'a> {
    fn new(
        cues: &[(Cue, Span)],
        clauses: &'a [u32],
        asked: Option<u32>,
        scopes: super::Scopes,
    ) -> Self {
        let n = clauses.len();
        fn of<'c>(
            cues: &'c [(Cue, Span)],
            kinds: &'c [Cue],
        ) -> impl Iterator<Item = (Cue, Span)> + 'c {
            cues.iter()
                .filter(move |(c, _)| kinds.contains(c))
                .map(|(c, s)| (*c, *s))
        }
        let count_before = |kinds: &[Cue]| {
            let mut v = vec![0u32; n + 1];
            for (_, s) in of(cues, kinds) {
                v[s.start as usize + 1] += 1;
            }
            for i in 1..=n {
                v[i] += v[i - 1];
            }
            v
        };
        let negation = latest_started(
            n,
            of(cues, &[Cue::Pre, Cue::PreShort]).map(|(c, s)| (s, (s, c == Cue::PreShort))),
        );
        let plain = |kind: Cue| latest(n, of(cues, &[kind]).map(|(_, s)| (s, s)));
        let next = |kind: Cue| earliest(n, of(cues, &[kind]).map(|(_, s)| s));
        Self {
            clauses,
            asked,
            scopes,
            terminators: count_before(&[Cue::Terminator]),
            lists: count_before(&[Cue::List]),
            alternatives: count_before(&[Cue::Alternative]),
            negation,
            doubt: plain(Cue::Uncertainty),
            hypothetical: plain(Cue::Hypothetical),
            general: plain(Cue::General),
            experiencer: plain(Cue::Experiencer),
            writer: plain(Cue::Writer),
            reported: plain(Cue::Reported),
            self_described: plain(Cue::SelfDescribed),
            not_a_person: plain(Cue::NotAPerson),
            not_a_person_after: next(Cue::NotAPerson),
            history_before: plain(Cue::History),
            figurative: plain(Cue::Figurative),
            post: next(Cue::Post),
            history_after: next(Cue::History),
        }
    }

    /// An "or" follows word `i` in its clause: the clause is a list item ("no numbness,
    /// tingling or weakness").
    fn alternative_ahead(&self, i: u32) -> bool {
        let clause = self.clauses[i as usize];
        let end = self.clauses.partition_point(|&c| c <= clause);
        self.alternatives[end] > self.alternatives[i as usize + 1]
    }

    /// A terminator starts somewhere in words `from..to`.
    fn terminated(&self, from: u32, to: u32) -> bool {
        from < to && self.terminators[to as usize] > self.terminators[from as usize]
    }

    /// `strict`: an emergency-tier sign or crisis; `crisis`: crisis words.
    fn negated(&self, f: Span, strict: bool, crisis: bool) -> bool {
        let s = self.scopes;
        if let Some((c, short)) = self.negation[f.start as usize] {
            let mut reach = if short {
                s.short.min(if strict { s.strict } else { s.short })
            } else if strict {
                s.strict
            } else {
                s.pre
            };
            if crisis {
                reach = reach.min(s.crisis);
            }
            // A cue may share its last words with the finding ("don't have" + "have a
            // temperature"); then there is no gap at all.
            let overlap = c.end > f.start;
            let gap_from = c.end.min(f.start);
            let within = f.start - gap_from <= reach;
            // "No, my groin is numb": a cue followed straight by a comma answers, not negates.
            let opens = overlap || self.clauses[c.end as usize] == self.clauses[c.end as usize - 1];
            let same_clause = self.clauses[c.start as usize] == self.clauses[f.start as usize]
                || self.lists[f.start as usize] > self.lists[gap_from as usize]
                || self.alternative_ahead(f.start);
            let doubt_nearer = self.doubt[f.start as usize]
                .is_some_and(|d| d.end > c.end && !self.terminated(d.end, f.start));
            if within
                && opens
                && !self.terminated(gap_from, f.start)
                && (!strict || same_clause)
                && !doubt_nearer
            {
                return true;
            }
        }
        if let Some(p) = self.post[f.end as usize] {
            if self.asked == Some(self.clauses[p.start as usize]) {
                return false;
            }
            let within = p.start - f.end <= s.post;
            let (fc, pc) = (
                self.clauses[f.end as usize - 1],
                self.clauses[p.start as usize],
            );
            // "a few bladder leaks, all sorted": the cue opens the very next clause.
            let opens_next =
                pc == fc + 1 && (p.start == 0 || self.clauses[p.start as usize - 1] != pc);
            if within && !self.terminated(f.end, p.start) && (!strict || fc == pc || opens_next) {
                return true;
            }
        }
        false
    }

    fn hypothetical(&self, f: Span) -> bool {
        self.hypothetical[f.start as usize].is_some_and(|h| !self.terminated(h.end, f.start))
    }

    /// Asking what a sign means ("what is saddle anaesthesia?"): the cue ends at most
    /// `short` words before the sign.
    fn general(&self, f: Span) -> bool {
        self.general[f.start as usize].is_some_and(|h| {
            f.start.saturating_sub(h.end) <= self.scopes.short && !self.terminated(h.end, f.start)
        })
    }

    fn other_person(&self, f: Span) -> bool {
        self.experiencer[f.start as usize].is_some_and(|h| !self.terminated(h.end, f.start))
    }

    /// Someone else's for sure: `experiencer` earlier in the same clause with no terminator,
    /// no word of the writer's and no reported speech in between ("my son had a fever"; not
    /// "my husband thinks I have a fever" or "the nurse said she thinks it's a fever", which
    /// may be the writer's).
    fn surely_other(&self, f: Span) -> bool {
        let clause = |i: u32| self.clauses[i as usize];
        self.experiencer[f.start as usize].is_some_and(|e| {
            // "I'm a single mum with...", "as a dad on chemo": the person is the writer.
            let describes_writer = self.self_described[e.start as usize].is_some_and(|d| {
                clause(d.start) == clause(e.start)
                    && d.end + 2 >= e.start
                    && self.experiencer[e.start as usize].is_none_or(|x| x.end <= d.start)
            });
            clause(e.start) == clause(f.start)
                && !describes_writer
                && !self.terminated(e.end, f.start)
                && self.writer[f.start as usize].is_none_or(|w| w.start < e.end)
                && self.reported[f.start as usize].is_none_or(|r| r.start < e.end)
        })
    }

    /// The writer's own, said so: a `writer` word ("my", "I") before the term or starting
    /// it, in its clause, with no terminator and no one else named after it, inside the term
    /// included ("my sciatica", "I have had really bad sciatica", "my back"; not "I think his
    /// hip").
    fn by_writer(&self, f: Span) -> bool {
        let clause = |i: u32| self.clauses[i as usize];
        let at = (f.start + 1).min(f.end) as usize;
        self.writer[at].is_some_and(|w| {
            clause(w.start) == clause(f.start)
                && !self.terminated(w.end, f.start)
                && self.experiencer[f.end as usize - 1].is_none_or(|e| e.end <= w.start)
        })
    }

    /// A pet or a thing ("my dog", "the car") earlier in the clause with no person named
    /// after it ("my dog jumped on me and now I can't pee" is about me), or right after the
    /// sign ("my paralysed dog").
    fn not_a_person(&self, f: Span) -> bool {
        let clause = |i: u32| self.clauses[i as usize];
        let before = self.not_a_person[f.start as usize].is_some_and(|a| {
            clause(a.start) == clause(f.start)
                && !self.terminated(a.end, f.start)
                && self.experiencer[f.start as usize].is_none_or(|e| e.end <= a.start)
        });
        let after = self.not_a_person_after[f.end as usize]
            .is_some_and(|a| a.start - f.end <= 1 && clause(a.start) == clause(f.end - 1));
        before || after
    }

    /// A figure of speech ("I feel like I've been") just before, in the same clause: "feel
    /// like I've been hit by a bus" describes a feeling, not an accident.
    fn figurative(&self, f: Span) -> bool {
        self.figurative[f.start as usize].is_some_and(|c| {
            self.clauses[c.start as usize] == self.clauses[f.start as usize]
                && f.start.saturating_sub(c.end) <= self.scopes.short
                && !self.terminated(c.end, f.start)
        })
    }

    fn historical(&self, f: Span) -> bool {
        let clause = |i: u32| self.clauses[i as usize];
        let before = self.history_before[f.start as usize].is_some_and(|h| {
            clause(h.start) == clause(f.start) && !self.terminated(h.end, f.start)
        });
        let after = self.history_after[f.end as usize].is_some_and(|h| {
            clause(h.start) == clause(f.end - 1) && !self.terminated(f.end, h.start)
        });
        before || after
    }
}

/// `v[i]` = the payload of the cue with the latest end <= `i` (ties: the longer cue).
fn latest<T: Copy>(n: usize, items: impl Iterator<Item = (Span, T)>) -> Vec<Option<T>> {
    let mut v: Vec<Option<(Span, T)>> = vec![None; n + 1];
    for (s, t) in items {
        let slot = &mut v[s.end as usize];
        if slot.is_none_or(|(o, _)| o.start > s.start) {
            *slot = Some((s, t));
        }
    }
    for i in 1..=n {
        if v[i].is_none() {
            v[i] = v[i - 1];
        }
    }
    v.into_iter().map(|x| x.map(|(_, t)| t)).collect()
}

/// `v[i]` = the payload of the cue with the latest start < `i` (ties: the longer cue).
fn latest_started<T: Copy>(n: usize, items: impl Iterator<Item = (Span, T)>) -> Vec<Option<T>> {
    let mut v: Vec<Option<(Span, T)>> = vec![None; n + 1];
    for (s, t) in items {
        let slot = &mut v[s.start as usize + 1];
        if slot.is_none_or(|(o, _)| o.end < s.end) {
            *slot = Some((s, t));
        }
    }
    for i in 1..=n {
        if v[i].is_none() {
            v[i] = v[i - 1];
        }
    }
    v.into_iter().map(|x| x.map(|(_, t)| t)).collect()
}

/// `v[i]` = the cue with the earliest start >= `i`.
fn earliest(n: usize, items: impl Iterator<Item = Span>) -> Vec<Option<Span>> {
    let mut v: Vec<Option<Span>> = vec![None; n + 1];
    for s in items {
        let slot = &mut v[s.start as usize];
        if slot.is_none_or(|o| o.end > s.end) {
            *slot = Some(s);
        }
    }
    for i in (0..n).rev() {
        if v[i].is_none() {
            v[i] = v[i + 1];
        }
    }
    v
}

/// What a reader that spoke found: "crisis reader 0.83 >= 0.70: pill (+1.39), save my (+1.20)".
fn model_finding(which: &str, r: &super::model::Reading) -> Finding {
    Finding {
        source: Source::Model,
        term: describe_reading(which, r),
        status: Status::Counts,
        other_person: false,
        part: None,
    }
}

fn describe_reading(which: &str, r: &super::model::Reading) -> String {
    let reasons: Vec<String> = r
        .top
        .iter()
        .map(|(f, w)| format!("{f} (+{w:.2})"))
        .collect();
    format!(
        "{which} reader {:.2} >= {:.2}: {}",
        r.probability,
        r.threshold,
        reasons.join(", ")
    )
}
