//! Rule words compiled for matching: the term syntax, the word vocabulary, and a word trie.
//!
//! A term is a few words written by an admin ("no feeling", "tingl*", "=legs"). Each written
//! word becomes a [`WordPat`]; every distinct pattern gets a small id. A word of a message is
//! resolved once to the ids of every pattern it satisfies, so the trie walks ids, not text,
//! and one message word can stand for several patterns at once ("tingling" is both `tingl*`
//! and the stem of "tingle").

use crate::text::{self, FastMap, FastSet, TypoIndex, TypoPolicy};

/// Shortest prefix pattern (`abc*`): shorter prefixes match far too many words.
pub(crate) const MIN_PREFIX: usize = 3;
/// How a message word may be read as a typo of a rule word: five letters and up, one edit
/// (two from ten letters: "parallised" for "paralysed"), the first two letters kept, and
/// never a correctly spelt English word ("fewer" is not "fever").
pub(crate) const TYPOS: TypoPolicy = TypoPolicy {
    min_len: 5,
    two_edits_from: 10,
    keep_first: 2,
    short_len: 0,
};
/// Longest term, in words; the trie never walks deeper.
pub(crate) const MAX_TERM_WORDS: usize = 12;

/// How one written word matches a message word.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum WordPat {
    /// Plain word: any word with the same English stem ("leg" = "legs", "numb" = "numbness").
    Stem(String),
    /// `=word`: this exact word only ("=legs" is not "leg").
    Exact(String),
    /// `word*`: any word starting with it ("paraly*" = "paralysed", "paralyzed").
    Prefix(String),
}

impl WordPat {
    /// The folded word as written, without markers.
    pub(crate) fn word(&self) -> &str {
        match self {
            WordPat::Stem(w) | WordPat::Exact(w) | WordPat::Prefix(w) => w,
        }
    }
}

/// One written term, parsed. `words` is empty when the term folds to nothing.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub words: Vec<WordPat>,
}

/// Parse the term syntax: words separated by spaces, `=` before a word for an exact match,
/// `*` after a word for a prefix match. Everything else is folded like a message.
pub(crate) fn parse_term(raw: &str) -> Result<Term, String> {
    let mut words = Vec::new();
    for chunk in raw.split_whitespace() {
        let exact = chunk.starts_with('=');
        let body = chunk.strip_prefix('=').unwrap_or(chunk);
        let prefix = body.ends_with('*');
        let body = body.strip_suffix('*').unwrap_or(body);
        if body.contains('*') || body.contains('=') {
            return Err(format!(
                "`{chunk}`: `=` goes only before a word and `*` only after it"
            ));
        }
        if exact && prefix {
            return Err(format!(
                "`{chunk}`: a word is either exact (`=word`) or a prefix (`word*`), not both"
            ));
        }
        let folded = text::fold(body);
        let parts: Vec<&str> = text::words(&folded).collect();
        if parts.is_empty() {
            if exact || prefix {
                return Err(format!("`{chunk}`: the marker has no word to apply to"));
            }
            continue;
        }
        let last = parts.len() - 1;
        for (i, w) in parts.into_iter().enumerate() {
            let pat = if exact {
                WordPat::Exact(w.to_string())
            } else if prefix && i == last {
                if w.len() < MIN_PREFIX {
                    return Err(format!(
                        "`{chunk}`: a prefix needs at least {MIN_PREFIX} letters, or it \
                         matches far too many words"
                    ));
                }
                WordPat::Prefix(w.to_string())
            } else {
                WordPat::Stem(w.to_string())
            };
            words.push(pat);
        }
    }
    if words.len() > MAX_TERM_WORDS {
        return Err(format!(
            "has {} words; a term can have at most {MAX_TERM_WORDS}",
            words.len()
        ));
    }
    Ok(Term { words })
}

/// Every word pattern of the rules, with ids, and the lookups that resolve a message word.
#[derive(Default)]
pub(crate) struct Vocab {
    stems: FastMap<String, u32>,
    exact: FastMap<String, u32>,
    prefixes: FastMap<String, u32>,
    longest_prefix: usize,
    /// Rule words that a typo may stand for, with their pattern ids, until [`Self::seal`].
    typo_targets: Vec<(String, u32)>,
    /// The typo index over `typo_targets` (built by [`Self::seal`]) and each word's ids.
    typos: Option<TypoIndex>,
    typo_ids: Vec<Vec<u32>>,
    /// Correctly spelled words that must never be read as a typo.
    known: FastSet<String>,
    /// First letters of every pattern: most message words start differently and are
    /// rejected before any stemming or hashing.
    heads: Heads,
    /// Words a term may step over (`[negation] fillers`).
    fillers: FastSet<String>,
    count: u32,
}

impl std::fmt::Debug for Vocab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocab")
            .field("patterns", &self.count)
            .finish_non_exhaustive()
    }
}

impl Vocab {
    /// The id of a pattern, new or existing.
    #[cfg(test)]
    pub(crate) fn intern(&mut self, pat: &WordPat) -> u32 {
        let stem = match pat {
            WordPat::Stem(w) => text::stem(w),
            _ => String::new(),
        };
        self.intern_stemmed(pat, stem)
    }

    /// [`Self::intern`] with the stem of a plain word already known (compiling stems each
    /// rule word once).
    pub(crate) fn intern_stemmed(&mut self, pat: &WordPat, stem: String) -> u32 {
        let (map, key) = match pat {
            WordPat::Stem(_) => (&mut self.stems, stem),
            WordPat::Exact(w) => (&mut self.exact, w.clone()),
            WordPat::Prefix(w) => (&mut self.prefixes, w.clone()),
        };
        if let WordPat::Prefix(w) = pat {
            self.longest_prefix = self.longest_prefix.max(w.len());
        }
        self.heads.add(pat.word());
        self.heads.add(&key);
        // Snowball's irregular forms start differently from their stem ("dying" -> "die").
        for (stem, form) in [("die", "dying"), ("lie", "lying"), ("tie", "tying")] {
            if key == stem {
                self.heads.add(form);
            }
        }
        if let Some(&id) = map.get(&key) {
            return id;
        }
        let id = self.count;
        self.count += 1;
        map.insert(key, id);
        id
    }

    /// Let a misspelling of `pat` (a plain word of a warning-sign term) resolve to `id`.
    pub(crate) fn allow_typos(&mut self, pat: &WordPat, id: u32) {
        let WordPat::Stem(w) = pat else { return };
        if w.len() < TYPOS.min_len || self.typos.is_some() {
            return;
        }
        let Some(head) = head(w) else { return };
        self.heads.add_fuzzy(head);
        self.typo_targets.push((w.clone(), id));
    }

    /// Build the typo index once every pattern is in.
    pub(crate) fn seal(&mut self) {
        let mut targets = std::mem::take(&mut self.typo_targets);
        targets.sort_unstable();
        targets.dedup();
        let index = TypoIndex::build(TYPOS, targets.iter().map(|(w, _)| (w.clone(), 1)));
        let mut ids = vec![Vec::new(); index.len()];
        for (w, id) in targets {
            if let Some(i) = index.id(&w) {
                ids[i as usize].push(id);
            }
        }
        self.typo_ids = ids;
        self.typos = Some(index);
    }

    /// A word that is spelled right and must never be taken for a typo of a rule word.
    pub(crate) fn add_known(&mut self, word: &str) {
        self.known.insert(word.to_string());
    }

    /// A word a term may step over ("even", "really", "bloody").
    pub(crate) fn add_filler(&mut self, word: &str) {
        // Its first letters pass `may_match`, so most message words are rejected by the
        // bit test before any filler lookup.
        self.heads.add(word);
        self.fillers.insert(word.to_string());
    }

    /// Call only for a word that passed [`Self::may_match`].
    pub(crate) fn is_filler(&self, w: &str) -> bool {
        !self.fillers.is_empty() && self.fillers.contains(w)
    }

    /// False when `w` certainly matches no pattern (cheap: a few bit tests).
    pub(crate) fn may_match(&self, w: &str) -> bool {
        self.heads.may_match(w)
    }

    /// Push the ids of every pattern that the folded message word `w` satisfies.
    pub(crate) fn resolve(&self, w: &str, out: &mut Vec<u32>) {
        self.resolve_stemmed(w, &text::stem(w), out);
    }

    /// [`Self::resolve`] with the stem of `w` already known.
    pub(crate) fn resolve_stemmed(&self, w: &str, stem: &str, out: &mut Vec<u32>) {
        let before = out.len();
        if let Some(&id) = self.exact.get(w) {
            out.push(id);
        }
        if let Some(&id) = self.stems.get(stem) {
            out.push(id);
        }
        let top = w.len().min(self.longest_prefix);
        for l in MIN_PREFIX..=top {
            if let Some(&id) = w.get(..l).and_then(|p| self.prefixes.get(p)) {
                if !out[before..].contains(&id) {
                    out.push(id);
                }
            }
        }
        if out.len() > before {
            // A misspelling that one concept lists ("suiside") is still a misspelling of
            // the words the other rules use ("suicide").
            self.resolve_typo(w, out);
            return;
        }
        // "numbbb" folds to "numbb": drop a doubled last letter and try the stem again (not
        // for a word the rules say is spelt right: Scots "noo" is "now", not "no").
        let b = w.as_bytes();
        if b.len() > 2
            && b[b.len() - 1] == b[b.len() - 2]
            && b[b.len() - 1].is_ascii_alphabetic()
            && !self.known.contains(w)
        {
            if let Some(&id) = self.stems.get(text::stem(&w[..w.len() - 1]).as_str()) {
                out.push(id);
                return;
            }
        }
        self.resolve_typo(w, out);
    }

    /// A close misspelling of a rule word (see [`TYPOS`]), unless the word is spelt right:
    /// an English word or a word the rules say is not a typo.
    fn resolve_typo(&self, w: &str, out: &mut Vec<u32>) {
        let Some(typos) = &self.typos else { return };
        if w.len() < TYPOS.min_len || self.known.contains(w) || text::is_english_word(w) {
            return;
        }
        for c in typos.corrections(w) {
            if typos.word(c.word) == w {
                continue;
            }
            for &id in &self.typo_ids[c.word as usize] {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
    }
}

/// Bit sets of rule words: one- and two-letter words whole, longer ones by their first three
/// letters. A Snowball stem keeps the first letters of its word (the irregular "-ying" forms
/// are added by hand; a short stem may lose a final "s": "its" -> "it"), a prefix pattern is
/// the start of the word, and a typo keeps the first two letters of a long word: so a message
/// word that none of these sets admits cannot match anything.
#[derive(Clone)]
struct Heads {
    three: Vec<u64>,
    two: Vec<u64>,
    one: u64,
    fuzzy: Vec<u64>,
}

const SYMBOLS: usize = 37;

impl Default for Heads {
    fn default() -> Self {
        let words = |n: usize| vec![0u64; n.div_ceil(64)];
        Self {
            three: words(SYMBOLS * SYMBOLS * SYMBOLS),
            two: words(SYMBOLS * SYMBOLS),
            one: 0,
            fuzzy: words(SYMBOLS * SYMBOLS),
        }
    }
}

/// a-z, 0-9, and one slot for anything else (folded text has nothing else).
fn symbol(b: u8) -> usize {
    match b {
        b'a'..=b'z' => usize::from(b - b'a'),
        b'0'..=b'9' => 26 + usize::from(b - b'0'),
        _ => 36,
    }
}

fn set(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn get(bits: &[u64], i: usize) -> bool {
    bits[i / 64] & (1 << (i % 64)) != 0
}

impl Heads {
    /// Record a rule word (or stem): its first three letters, or all of it when shorter.
    fn add(&mut self, w: &str) {
        let b = w.as_bytes();
        let s = symbol(b's');
        match b.len() {
            0 => {}
            1 => {
                self.one |= 1 << symbol(b[0]);
                set(&mut self.two, symbol(b[0]) * SYMBOLS + s);
            }
            2 => {
                let two = symbol(b[0]) * SYMBOLS + symbol(b[1]);
                set(&mut self.two, two);
                set(&mut self.three, two * SYMBOLS + s);
            }
            _ => set(
                &mut self.three,
                (symbol(b[0]) * SYMBOLS + symbol(b[1])) * SYMBOLS + symbol(b[2]),
            ),
        }
    }

    fn add_fuzzy(&mut self, head: [u8; 2]) {
        set(&mut self.fuzzy, symbol(head[0]) * SYMBOLS + symbol(head[1]));
    }

    fn may_match(&self, w: &str) -> bool {
        let b = w.as_bytes();
        match b.len() {
            0 => false,
            1 => self.one & (1 << symbol(b[0])) != 0,
            2 => get(&self.two, symbol(b[0]) * SYMBOLS + symbol(b[1])),
            len => {
                let two = symbol(b[0]) * SYMBOLS + symbol(b[1]);
                get(&self.three, two * SYMBOLS + symbol(b[2]))
                    || (len >= TYPOS.min_len && get(&self.fuzzy, two))
            }
        }
    }
}

fn head(w: &str) -> Option<[u8; 2]> {
    let b = w.as_bytes();
    (b.len() >= 2).then(|| [b[0], b[1]])
}

/// A trie over pattern ids: each path spells a term; `out` lists the terms ending there.
/// The root, touched once per message word, is a table indexed by id; other nodes have few
/// children and keep them sorted.
#[derive(Debug)]
pub(crate) struct Trie {
    root: Vec<u32>,
    nodes: Vec<Node>,
}

#[derive(Debug, Default)]
struct Node {
    next: Vec<(u32, u32)>,
    out: Vec<u32>,
}

const NONE: u32 = u32::MAX;

/// Marks a word as a filler (`[negation] fillers`: "even", "really", "bloody"): inside a term
/// it may be skipped, so "can't even feel" holds "can't feel". No term word has this id.
pub(crate) const FILLER: u32 = u32::MAX - 1;

impl Default for Trie {
    fn default() -> Self {
        Self {
            root: Vec::new(),
            nodes: vec![Node::default()],
        }
    }
}

impl Trie {
    pub(crate) fn insert(&mut self, ids: &[u32], term: u32) {
        let mut at = 0usize;
        for id in ids {
            let next = match self.child(at, *id) {
                Some(n) => n,
                None => {
                    self.nodes.push(Node::default());
                    let n = self.nodes.len() - 1;
                    if at == 0 {
                        let i = *id as usize;
                        if self.root.len() <= i {
                            self.root.resize(i + 1, NONE);
                        }
                        self.root[i] = n as u32;
                    } else {
                        let next = &mut self.nodes[at].next;
                        let pos = next.partition_point(|&(k, _)| k < *id);
                        next.insert(pos, (*id, n as u32));
                    }
                    n
                }
            };
            at = next;
        }
        self.nodes[at].out.push(term);
    }

    fn child(&self, node: usize, id: u32) -> Option<usize> {
        if node == 0 {
            return self
                .root
                .get(id as usize)
                .filter(|&&n| n != NONE)
                .map(|&n| n as usize);
        }
        let next = &self.nodes[node].next;
        next.binary_search_by_key(&id, |&(k, _)| k)
            .ok()
            .map(|i| next[i].1 as usize)
    }

    /// Call `found(term, start, end, skipped)` for every term occurring in `words`, where
    /// `words[i]` is the id list of word `i`; `skipped` says a filler inside was stepped over
    /// (the caller decides which terms may: a sign may, a negation cue may not). Cost: words
    /// x (term depth) x (ids per word), all bounded.
    pub(crate) fn find_all(
        &self,
        words: &[&[u32]],
        mut found: impl FnMut(u32, usize, usize, bool),
    ) {
        let mut stack: Vec<(usize, usize, bool)> = Vec::new();
        for start in 0..words.len() {
            if words[start].is_empty() {
                continue;
            }
            stack.clear();
            stack.push((0, start, false));
            while let Some((node, pos, skipped)) = stack.pop() {
                let Some(ids) = words.get(pos) else { continue };
                // A filler inside a term is stepped over ("cant even feel", "without really
                // trying"); a term never starts or ends on one it does not name.
                if node != 0 && ids.contains(&FILLER) && pos + 1 - start < MAX_TERM_WORDS {
                    stack.push((node, pos + 1, true));
                }
                for &id in ids.iter() {
                    if let Some(child) = self.child(node, id) {
                        for &t in &self.nodes[child].out {
                            found(t, start, pos + 1, skipped);
                        }
                        if pos + 1 - start < MAX_TERM_WORDS && !self.nodes[child].next.is_empty() {
                            stack.push((child, pos + 1, skipped));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_syntax_reads_exact_prefix_and_plain_words() {
        let t = parse_term("can't =legs tingl*").expect("valid");
        assert_eq!(
            t.words,
            vec![
                WordPat::Stem("cant".into()),
                WordPat::Exact("legs".into()),
                WordPat::Prefix("tingl".into()),
            ]
        );
    }

    #[test]
    fn term_syntax_rejects_misplaced_markers_and_short_prefixes() {
        assert!(parse_term("ti*ngle").is_err());
        assert!(parse_term("=tingl*").is_err());
        assert!(parse_term("no*").is_err());
        assert!(parse_term("= *").is_err());
    }

    #[test]
    fn a_word_resolves_to_stem_exact_and_prefix_patterns_at_once() {
        let mut v = Vocab::default();
        let stem = v.intern(&WordPat::Stem("tingle".into()));
        let pre = v.intern(&WordPat::Prefix("tingl".into()));
        let legs = v.intern(&WordPat::Exact("legs".into()));
        let leg = v.intern(&WordPat::Stem("leg".into()));
        let mut out = Vec::new();
        v.resolve("tingling", &mut out);
        assert_eq!(out, vec![stem, pre]);
        out.clear();
        v.resolve("legs", &mut out);
        assert_eq!(out, vec![legs, leg]);
        out.clear();
        v.resolve("leg", &mut out);
        assert_eq!(out, vec![leg]);
    }

    #[test]
    fn long_words_tolerate_one_typo_but_known_words_do_not() {
        let mut v = Vocab::default();
        let pat = WordPat::Stem("bladder".into());
        let id = v.intern(&pat);
        v.allow_typos(&pat, id);
        let fever = WordPat::Stem("fever".into());
        let fid = v.intern(&fever);
        v.allow_typos(&fever, fid);
        v.seal();
        let mut out = Vec::new();
        v.resolve("lbadder", &mut out);
        assert!(out.is_empty(), "the first two letters stay");
        v.resolve("bladdder", &mut out);
        assert_eq!(out, vec![id]);
        out.clear();
        v.resolve("blader", &mut out);
        assert_eq!(out, vec![id]);
        out.clear();
        v.resolve("fewer", &mut out);
        assert!(out.is_empty(), "an English word is not a typo");
        v.resolve("fevr", &mut out);
        assert!(out.is_empty(), "too short to guess");
        v.add_known("bladdee");
        v.resolve("bladdee", &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn the_head_filter_never_rejects_a_word_that_resolves() {
        let mut v = Vocab::default();
        for raw in [
            "die", "no", "x", "tingl*", "=legs", "bladder", "numb", "lie down",
        ] {
            for p in parse_term(raw).expect("valid").words {
                let id = v.intern(&p);
                v.allow_typos(&p, id);
            }
        }
        v.seal();
        for w in [
            "dying", "lying", "no", "x", "tingling", "legs", "bladdder", "numbness", "numbb", "lie",
        ] {
            let mut out = Vec::new();
            v.resolve(w, &mut out);
            assert!(!out.is_empty(), "{w} resolves");
            assert!(v.may_match(w), "{w} passes the filter");
        }
        assert!(!v.may_match("zebra"));
        assert!(!v.may_match("q"));
        assert!(
            !v.may_match("nothing"),
            "a short key admits short words only"
        );
        assert!(
            v.may_match("xs") && v.may_match("nos"),
            "nor its plural-s form"
        );
    }

    #[test]
    fn trie_finds_overlapping_terms() {
        let mut t = Trie::default();
        t.insert(&[1, 2], 10);
        t.insert(&[2], 11);
        let a: &[u32] = &[1];
        let b: &[u32] = &[2, 3];
        let mut got = Vec::new();
        t.find_all(&[a, b], |term, s, e, _| got.push((term, s, e)));
        got.sort_unstable();
        assert_eq!(got, vec![(10, 0, 2), (11, 1, 2)]);
    }
}
