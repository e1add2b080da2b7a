//! `Engine::answer(question) -> Reply`: the one answering path every front end uses.
//!
//! Order matters and is the product's main invariant: the safety screen reads the whole
//! message first, and only a message it clears reaches the matcher.

use std::time::SystemTime;

use crate::conversation::{self, Conversations, Heard, State};
use crate::knowledge::{self, Entry, EntryKind, Knowledge, LoadFailure, Loaded};
use crate::matcher::{Matcher, ANSWER_THRESHOLD, SUGGEST_THRESHOLD};
use crate::reply::{Composer, Reply, ReplyKind, Suggestion};
use crate::safety::{SafetyScreen, Verdict};
use crate::text;

/// Questions longer than this are screened for safety but not matched: nobody asks one
/// question in more than a few paragraphs, and matching a novel would waste time.
pub const MAX_QUESTION_CHARS: usize = 2000;
/// How many "did you mean" suggestions a no-match offers.
pub const MAX_SUGGESTIONS: usize = 3;

/// Knowledge plus everything built from it, immutable once built. The live store swaps whole
/// engines, so a question always sees one consistent knowledge base.
pub struct Engine {
    knowledge: Knowledge,
    safety: SafetyScreen,
    matcher: Matcher,
    composer: Composer,
    loaded_at: SystemTime,
}

impl Engine {
    pub fn new(knowledge: Knowledge) -> Self {
        let safety = SafetyScreen::new(&knowledge.safety);
        let matcher = Matcher::build(&knowledge);
        Self::with_compiled(
            knowledge,
            crate::review::Compiled {
                screen: safety,
                matcher,
            },
        )
    }

    /// An engine serving what a load compiled from `knowledge` (see
    /// [`crate::review::load_compiled`]).
    pub fn with_compiled(knowledge: Knowledge, compiled: crate::review::Compiled) -> Self {
        Self {
            safety: compiled.screen,
            matcher: compiled.matcher,
            composer: Composer::new(knowledge.messages.clone()),
            knowledge,
            loaded_at: SystemTime::now(),
        }
    }

    /// Load, validate and index a knowledge folder.
    pub fn load(dir: &std::path::Path) -> Result<(Engine, Loaded), LoadFailure> {
        Self::from_source(&knowledge::Source::Folder(dir.to_path_buf()))
    }

    /// Load, validate and index a folder or the built-in knowledge.
    pub fn from_source(source: &knowledge::Source) -> Result<(Engine, Loaded), LoadFailure> {
        let (loaded, compiled) = crate::review::load_compiled(source)?;
        let engine = Engine::with_compiled(loaded.knowledge.clone(), compiled);
        Ok((engine, loaded))
    }

    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    pub fn composer(&self) -> &Composer {
        &self.composer
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub fn safety(&self) -> &SafetyScreen {
        &self.safety
    }

    pub fn loaded_at(&self) -> SystemTime {
        self.loaded_at
    }

    /// Answer `question` from `key` at `now` in its conversation ([`Engine::answer_in`]), and
    /// note the reply there: a crisis reply opens (or extends) the conversation.
    pub fn answer_conversing(
        &self,
        conversations: &mut Conversations,
        key: conversation::Key,
        question: &str,
        now: u64,
    ) -> Reply {
        let reply = self.answer_in(conversations.context(key, now), question);
        conversations.replied(
            key,
            reply.kind == ReplyKind::Crisis,
            now,
            self.knowledge.conversation.window_secs(),
        );
        reply
    }

    /// Answer one message in its conversation (see [`crate::conversation`]). On its own
    /// ([`State::Fresh`]) this is [`Engine::answer`]. After a crisis reply the screen still
    /// runs first (crisis again, or a red flag that still escalates, with a helpline line
    /// under it); then a message that says the member is not safe, or any short answer, gets
    /// the helplines again, and only a longer message the knowledge answers is answered, with
    /// the helpline line under it. Never a no-match, never a massage tip on "no".
    pub fn answer_in(&self, state: State, question: &str) -> Reply {
        let reply = self.answer(question);
        if state == State::Fresh {
            return reply;
        }
        match reply.kind {
            ReplyKind::Crisis => reply,
            ReplyKind::RedFlag { .. } => self.composer.with_crisis_reminder(reply),
            _ => match conversation::hear(&self.knowledge.conversation, question) {
                Heard::Question if reply.kind == ReplyKind::Answer => {
                    self.composer.with_crisis_reminder(reply)
                }
                Heard::Question => self.composer.crisis_follow_up(Heard::Unsure),
                heard => self.composer.crisis_follow_up(heard),
            },
        }
    }

    /// Answer one question. Never panics, whatever the input.
    pub fn answer(&self, question: &str) -> Reply {
        match self.safety.screen(question) {
            Verdict::Crisis => return self.composer.crisis(&self.knowledge.safety.crisis),
            Verdict::RedFlags {
                rules: idx,
                someone_else,
            } => {
                let rules: Vec<_> = idx
                    .iter()
                    .filter_map(|&i| self.knowledge.safety.red_flags.get(i).map(|(r, _)| r))
                    .collect();
                return self.composer.red_flag(&rules, someone_else);
            }
            Verdict::Clear => {}
        }
        if text::is_blank(question) {
            return self.composer.empty_question();
        }
        if question.chars().count() > MAX_QUESTION_CHARS {
            return self.composer.too_long(MAX_QUESTION_CHARS);
        }
        if !self.matcher.in_scope(question) {
            // Not about sciatica self-care: an honest no-match, and no "did you mean" built
            // on a word or two it happens to share with the knowledge.
            return self.composer.no_match(Vec::new(), 0.0);
        }
        let found = self.matcher.find(question, MAX_SUGGESTIONS + 1);
        let hits = found.hits;
        match hits.first() {
            Some(best) if best.score >= ANSWER_THRESHOLD => self.composer.answer(
                &self.knowledge.entries[best.entry],
                best.score,
                found.also.map(|h| &self.knowledge.entries[h.entry]),
            ),
            best => {
                // The message is ours (the scope said so), so it always gets the closest
                // topics there are, however weak; a hit at `SUGGEST_THRESHOLD` or more comes
                // first by construction (hits are sorted).
                let suggestions = hits
                    .iter()
                    .filter(|h| h.score > 0.0)
                    .take(MAX_SUGGESTIONS)
                    .map(|h| self.suggestion(h.entry))
                    .collect();
                self.composer
                    .no_match(suggestions, best.map_or(0.0, |h| h.score))
            }
        }
    }

    fn suggestion(&self, entry: usize) -> Suggestion {
        let e = &self.knowledge.entries[entry];
        Suggestion {
            id: e.id.clone(),
            title: e.title.clone(),
        }
    }

    /// The card of `kind` a member asked for by name (`/muscle`, `/technique`): by id (what
    /// autocomplete sends), by title, or the matcher's best hit of that kind when it is strong
    /// enough to answer; otherwise the closest cards of that kind worth suggesting. The
    /// thresholds live here, with [`Engine::answer`]'s, so a front end never judges a score.
    pub fn card(&self, kind: EntryKind, name: &str) -> CardLookup<'_> {
        // Deep enough that a few hits of the asked kind survive among hits of other kinds.
        const SEARCH_DEPTH: usize = 20;
        let k = &self.knowledge;
        let of_kind = |e: &&Entry| e.kind == kind;
        if let Some(e) = k.entry(name.trim()).filter(of_kind) {
            return CardLookup::Found(e);
        }
        let folded = text::fold(name);
        if let Some(e) = k
            .entries
            .iter()
            .filter(of_kind)
            .find(|e| text::fold(&e.title) == folded)
        {
            return CardLookup::Found(e);
        }
        let hits: Vec<_> = self
            .matcher
            .search(name, SEARCH_DEPTH)
            .into_iter()
            .filter_map(|h| k.entries.get(h.entry).filter(of_kind).map(|e| (e, h.score)))
            .collect();
        match hits.first() {
            Some(&(e, score)) if score >= ANSWER_THRESHOLD => CardLookup::Found(e),
            _ => {
                let suggestions: Vec<_> = hits
                    .iter()
                    .filter(|(_, score)| *score >= SUGGEST_THRESHOLD)
                    .take(MAX_SUGGESTIONS)
                    .map(|(e, _)| Suggestion {
                        id: e.id.clone(),
                        title: e.title.clone(),
                    })
                    .collect();
                if suggestions.is_empty() {
                    CardLookup::None
                } else {
                    CardLookup::Suggestions(suggestions)
                }
            }
        }
    }

    /// The warning signs that need a doctor, most urgent first (`/redflags`), from the
    /// knowledge's own red-flag rules, so the list an admin edits is the list members see.
    pub fn red_flag_overview(&self) -> Reply {
        self.composer.red_flag_overview(&self.knowledge.safety)
    }
}

/// What [`Engine::card`] found for a name.
#[derive(Debug)]
pub enum CardLookup<'e> {
    /// The card asked for.
    Found(&'e Entry),
    /// No card by that name, but these of the same kind come close.
    Suggestions(Vec<Suggestion>),
    /// Nothing of that kind comes close.
    None,
}

#[cfg(test)]
mod card_tests {
    use super::*;

    fn engine() -> Engine {
        Engine::from_source(&knowledge::Source::Bundled)
            .expect("the bundled knowledge loads")
            .0
    }

    #[test]
    fn a_card_is_found_by_its_id_or_its_title_whatever_the_case() {
        let engine = engine();
        for kind in [EntryKind::Muscle, EntryKind::Technique] {
            let entry = engine
                .knowledge()
                .entries
                .iter()
                .find(|e| e.kind == kind)
                .expect("a bundled card of each kind");
            for name in [entry.id.clone(), entry.title.to_uppercase()] {
                match engine.card(kind, &name) {
                    CardLookup::Found(e) => assert_eq!(e.id, entry.id, "{name}"),
                    other => panic!("{name}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_card_of_another_kind_is_never_what_a_name_finds() {
        let engine = engine();
        let faq = engine
            .knowledge()
            .entries
            .iter()
            .find(|e| e.kind != EntryKind::Muscle)
            .expect("an entry that is not a muscle");
        match engine.card(EntryKind::Muscle, &faq.id) {
            CardLookup::Found(e) => assert_eq!(e.kind, EntryKind::Muscle),
            CardLookup::Suggestions(s) => assert!(s.iter().all(|s| s.id != faq.id)),
            CardLookup::None => {}
        }
    }

    #[test]
    fn a_name_like_no_card_finds_nothing_to_suggest() {
        assert!(matches!(
            engine().card(EntryKind::Technique, "zzqx vbnm"),
            CardLookup::None
        ));
    }

    #[test]
    fn the_red_flag_overview_is_the_composers_from_the_knowledges_rules() {
        let engine = engine();
        let overview = engine.red_flag_overview();
        let expected = engine
            .composer()
            .red_flag_overview(&engine.knowledge().safety);
        assert_eq!(overview.body, expected.body);
        assert!(!overview.body.is_empty());
    }
}
