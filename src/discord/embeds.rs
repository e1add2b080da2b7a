//! How a [`Reply`] is laid out on Discord: embeds, colours, buttons, and Discord's size limits.
//!
//! Layout only: every word comes from the reply the [`crate::reply::Composer`] built. Long
//! replies are split across embeds and, for safety replies, across messages; nothing is ever
//! trimmed from a red-flag or crisis reply, and the disclaimer is on every message (in the
//! footer, or as its own embed when an admin made it longer than a footer can hold).
//!
//! The layout is plain data ([`Page`], [`Card`], [`Button`]) so the limits are unit-tested
//! without serenity; [`Page::embeds`] turns it into serenity builders.

use poise::serenity_prelude as serenity;

use crate::reply::{Reply, ReplyKind, Suggestion};
use crate::safety::Urgency;

/// Discord's limits, counted in UTF-16 code units (what Discord's own clients count), which is
/// never fewer than characters.
pub mod limits {
    pub const MESSAGE_CONTENT: usize = 2000;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4096;
    pub const EMBED_FOOTER: usize = 2048;
    pub const EMBED_FIELDS: usize = 25;
    pub const EMBEDS_PER_MESSAGE: usize = 10;
    /// Title, description, fields and footer of all embeds of one message together.
    pub const EMBED_TOTAL: usize = 6000;
    /// Discord documents 80 for button labels (the API accepts up to 100).
    pub const BUTTON_LABEL: usize = 80;
    pub const BUTTONS_PER_ROW: usize = 5;
    pub const CUSTOM_ID: usize = 100;
    pub const AUTOCOMPLETE_CHOICES: usize = 25;
    pub const CHOICE_NAME: usize = 100;
    pub const CHOICE_VALUE: usize = 100;
    pub const ACTION_ROWS: usize = 5;
    pub const MENU_OPTIONS: usize = 25;
    pub const MENU_OPTION_LABEL: usize = 100;
    pub const MENU_OPTION_VALUE: usize = 100;
    pub const MENU_PLACEHOLDER: usize = 150;
    pub const MODAL_TITLE: usize = 45;
    pub const TEXT_INPUT_LABEL: usize = 45;
    pub const COMMAND_DESCRIPTION: usize = 100;
}

/// Embed colours by kind of reply.
pub mod colours {
    /// Emergency red flags: the strongest red.
    pub const EMERGENCY: u32 = 0xD0_1F_1F;
    /// Other red flags (see a doctor today / soon): still red.
    pub const RED_FLAG: u32 = 0xE5_4B_3C;
    /// Crisis (self-harm) replies: purple, distinct from every other kind.
    pub const CRISIS: u32 = 0x8E_44_AD;
    pub const ANSWER: u32 = 0x2E_86_C1;
    pub const NO_MATCH: u32 = 0x95_A5_A6;
    pub const INFO: u32 = 0x1A_BC_9C;
    pub const ERROR: u32 = 0xE6_7E_22;
}

/// The colour of a reply of this kind.
pub fn colour(kind: ReplyKind) -> u32 {
    match kind {
        ReplyKind::RedFlag {
            urgency: Urgency::Emergency,
        } => colours::EMERGENCY,
        ReplyKind::RedFlag { .. } => colours::RED_FLAG,
        ReplyKind::Crisis => colours::CRISIS,
        ReplyKind::Answer => colours::ANSWER,
        ReplyKind::NoMatch => colours::NO_MATCH,
        ReplyKind::Info => colours::INFO,
        ReplyKind::Error => colours::ERROR,
    }
}

/// One embed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub title: Option<String>,
    pub description: String,
    pub colour: u32,
    pub footer: Option<String>,
}

impl Card {
    fn size(&self) -> usize {
        self.title.as_deref().map_or(0, units)
            + units(&self.description)
            + self.footer.as_deref().map_or(0, units)
    }
}

/// The embeds of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub cards: Vec<Card>,
}

impl Page {
    /// Total size as Discord counts it against [`limits::EMBED_TOTAL`].
    pub fn size(&self) -> usize {
        self.cards.iter().map(Card::size).sum()
    }

    pub fn embeds(&self) -> Vec<serenity::CreateEmbed> {
        self.cards
            .iter()
            .map(|c| {
                let mut e = serenity::CreateEmbed::new()
                    .colour(c.colour)
                    .description(&c.description);
                if let Some(t) = &c.title {
                    e = e.title(t);
                }
                if let Some(f) = &c.footer {
                    e = e.footer(serenity::CreateEmbedFooter::new(f));
                }
                e
            })
            .collect()
    }
}

/// Lay a reply out as one or more messages. Non-safety replies fit in one message (the body is
/// trimmed if it must be); safety replies are never trimmed and may take several. Every
/// message carries the disclaimer.
pub fn layout(reply: &Reply) -> Vec<Page> {
    let colour = colour(reply.kind);
    let title = trim(&reply.title, limits::EMBED_TITLE);
    let disclaimer = reply.disclaimer.trim();
    let footer = (units(disclaimer) <= limits::EMBED_FOOTER).then(|| disclaimer.to_string());
    // Room for descriptions on one message, after the title and the footer it always carries.
    let budget = limits::EMBED_TOTAL - units(&title) - footer.as_deref().map_or(0, units);
    let chunk = budget.min(limits::EMBED_DESCRIPTION);

    let mut body = reply.body.trim().to_string();
    let tail = if footer.is_none() {
        split(disclaimer, chunk)
    } else {
        Vec::new()
    };
    if !reply.kind.is_safety() {
        let tail_size: usize = tail.iter().map(|t| units(t)).sum();
        let room = budget.saturating_sub(tail_size);
        let max_cards = limits::EMBEDS_PER_MESSAGE - tail.len().min(limits::EMBEDS_PER_MESSAGE - 1);
        body = trim(&body, room.min(chunk * max_cards));
    }
    let mut pieces = split(&body, chunk);
    pieces.extend(tail);
    if pieces.is_empty() {
        pieces.push(String::new());
    }

    let mut pages: Vec<Page> = Vec::new();
    let mut current = Page { cards: Vec::new() };
    let mut used = 0;
    for piece in pieces {
        let size = units(&piece);
        if !current.cards.is_empty()
            && (current.cards.len() == limits::EMBEDS_PER_MESSAGE || used + size > budget)
        {
            pages.push(std::mem::replace(&mut current, Page { cards: Vec::new() }));
            used = 0;
        }
        used += size;
        current.cards.push(Card {
            title: None,
            description: piece,
            colour,
            footer: None,
        });
    }
    pages.push(current);
    for (i, page) in pages.iter_mut().enumerate() {
        if i == 0 {
            page.cards[0].title = Some(title.clone());
        }
        if let Some(last) = page.cards.last_mut() {
            last.footer = footer.clone();
        }
    }
    pages
}

/// A button: its id (what the bot receives when pressed) and its caption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub custom_id: String,
    pub label: String,
    pub style: ButtonStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Danger,
}

impl Button {
    pub fn new(custom_id: String, label: &str, style: ButtonStyle) -> Self {
        Self {
            custom_id,
            label: trim(label, limits::BUTTON_LABEL),
            style,
        }
    }
}

/// A select menu: one choice from a short list. It takes a row of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub custom_id: String,
    pub placeholder: String,
    /// (label, value); values are ids, never cut.
    pub options: Vec<(String, String)>,
}

impl Menu {
    /// A menu within Discord's limits: the placeholder and labels cut to fit, options whose
    /// value would not fit left out, at most 25.
    pub fn new(custom_id: String, placeholder: &str, options: Vec<(String, String)>) -> Self {
        Self {
            custom_id,
            placeholder: trim(placeholder, limits::MENU_PLACEHOLDER),
            options: options
                .into_iter()
                .filter(|(_, v)| !v.is_empty() && units(v) <= limits::MENU_OPTION_VALUE)
                .take(limits::MENU_OPTIONS)
                .map(|(l, v)| (trim(&l, limits::MENU_OPTION_LABEL), v))
                .collect(),
        }
    }
}

/// Rows for a message: each menu on its own row, then the buttons in rows of five; at most
/// five rows in all.
pub fn rows(menus: &[Menu], buttons: &[Button]) -> Vec<serenity::CreateActionRow> {
    let mut out: Vec<serenity::CreateActionRow> = menus
        .iter()
        .filter(|m| !m.options.is_empty() && m.custom_id.len() <= limits::CUSTOM_ID)
        .map(|m| {
            let options = m
                .options
                .iter()
                .map(|(label, value)| serenity::CreateSelectMenuOption::new(label, value))
                .collect();
            serenity::CreateActionRow::SelectMenu(
                serenity::CreateSelectMenu::new(
                    &m.custom_id,
                    serenity::CreateSelectMenuKind::String { options },
                )
                .placeholder(&m.placeholder),
            )
        })
        .collect();
    out.extend(action_rows(buttons));
    out.truncate(limits::ACTION_ROWS);
    out
}

/// A form (modal) with one text field per (id, label, long?), within Discord's limits.
pub fn modal(custom_id: &str, title: &str, fields: &[(&str, &str, bool)]) -> serenity::CreateModal {
    let rows = fields
        .iter()
        .take(limits::ACTION_ROWS)
        .map(|(id, label, long)| {
            let style = if *long {
                serenity::InputTextStyle::Paragraph
            } else {
                serenity::InputTextStyle::Short
            };
            let input =
                serenity::CreateInputText::new(style, trim(label, limits::TEXT_INPUT_LABEL), *id)
                    .required(true)
                    .max_length(if *long { 3500 } else { 200 });
            serenity::CreateActionRow::InputText(input)
        })
        .collect();
    serenity::CreateModal::new(custom_id, trim(title, limits::MODAL_TITLE)).components(rows)
}

/// Prefix of the button id of a "did you mean" suggestion; the entry id follows.
pub const SUGGEST_PREFIX: &str = "suggest:";

/// "Did you mean" buttons for a no-match: one per suggestion, captions trimmed to fit. A
/// suggestion whose id cannot fit in a button id is left out (it is still listed in the text).
pub fn suggestion_buttons(suggestions: &[Suggestion]) -> Vec<Button> {
    suggestions
        .iter()
        .map(|s| (format!("{SUGGEST_PREFIX}{}", s.id), s))
        .filter(|(id, _)| id.len() <= limits::CUSTOM_ID)
        .take(limits::BUTTONS_PER_ROW * 5)
        .map(|(id, s)| Button::new(id, &s.title, ButtonStyle::Secondary))
        .collect()
}

/// "Helpful" / "Not what I asked" under an answer from `entry` (none when the entry's id is
/// too long for a button id). `token` names the question kept for "not what I asked" (0:
/// none).
pub fn rating_buttons(entry: &str, token: u64, helpful: &str, not_helpful: &str) -> Vec<Button> {
    let (yes, no) = super::rating::button_ids(entry, token);
    if no.len() > limits::CUSTOM_ID {
        return Vec::new();
    }
    vec![
        Button::new(yes, helpful, ButtonStyle::Secondary),
        Button::new(no, not_helpful, ButtonStyle::Secondary),
    ]
}

/// Buttons in rows of at most five, as Discord wants them.
pub fn action_rows(buttons: &[Button]) -> Vec<serenity::CreateActionRow> {
    buttons
        .chunks(limits::BUTTONS_PER_ROW)
        .take(5)
        .map(|row| {
            serenity::CreateActionRow::Buttons(
                row.iter()
                    .map(|b| {
                        serenity::CreateButton::new(&b.custom_id)
                            .label(&b.label)
                            .style(match b.style {
                                ButtonStyle::Primary => serenity::ButtonStyle::Primary,
                                ButtonStyle::Secondary => serenity::ButtonStyle::Secondary,
                                ButtonStyle::Danger => serenity::ButtonStyle::Danger,
                            })
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Autocomplete choices (label, value) within Discord's limits: at most 25, labels and values
/// at most 100. A value that would not fit is left out rather than cut (it is an id).
pub fn choices<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<serenity::AutocompleteChoice> {
    items
        .into_iter()
        .filter(|(_, value)| units(value) <= limits::CHOICE_VALUE && !value.is_empty())
        .take(limits::AUTOCOMPLETE_CHOICES)
        .map(|(label, value)| {
            serenity::AutocompleteChoice::new(trim(label, limits::CHOICE_NAME), value.to_string())
        })
        .collect()
}

/// Length as Discord counts it.
pub fn units(s: &str) -> usize {
    s.encode_utf16().count()
}

/// `s` cut to at most `max` units, at a word break when there is one, with an ellipsis.
pub fn trim(s: &str, max: usize) -> String {
    if units(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let head = prefix(s, max - 1);
    let cut = head
        .rfind(char::is_whitespace)
        .filter(|&i| i > head.len() / 2)
        .map_or(head, |i| &head[..i]);
    format!("{}…", cut.trim_end())
}

/// Split `s` into pieces of at most `max` units, preferring paragraph, then line, then word
/// breaks. Nothing is lost but the whitespace at the breaks.
pub fn split(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        if units(rest) <= max {
            out.push(rest.to_string());
            break;
        }
        let head = prefix(rest, max);
        let at = ["\n\n", "\n", " "]
            .iter()
            .find_map(|sep| head.rfind(sep).filter(|&i| i > 0))
            .unwrap_or(head.len());
        out.push(rest[..at].trim_end().to_string());
        rest = rest[at..].trim_start();
    }
    out
}

/// The longest prefix of `s` of at most `max` units, on a char boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += c.len_utf16();
        if used > max {
            return &s[..i];
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(kind: ReplyKind, body: &str, disclaimer: &str) -> Reply {
        Reply {
            kind,
            entry_id: None,
            also: None,
            title: "A title".to_string(),
            confidence: 1.0,
            suggestions: Vec::new(),
            body: body.to_string(),
            disclaimer: disclaimer.to_string(),
        }
    }

    const DISCLAIMER: &str = "Not medical advice. Call 999/911/112 in an emergency.";
    const RED: ReplyKind = ReplyKind::RedFlag {
        urgency: Urgency::Emergency,
    };

    fn assert_within_limits(pages: &[Page]) {
        for p in pages {
            assert!(!p.cards.is_empty());
            assert!(p.cards.len() <= limits::EMBEDS_PER_MESSAGE);
            assert!(p.size() <= limits::EMBED_TOTAL, "page of {}", p.size());
            for c in &p.cards {
                assert!(units(&c.description) <= limits::EMBED_DESCRIPTION);
                assert!(c.title.as_deref().map_or(0, units) <= limits::EMBED_TITLE);
                assert!(c.footer.as_deref().map_or(0, units) <= limits::EMBED_FOOTER);
            }
        }
    }

    fn carries_disclaimer(page: &Page, disclaimer: &str) -> bool {
        page.cards
            .iter()
            .any(|c| c.footer.as_deref() == Some(disclaimer) || c.description.contains(disclaimer))
    }

    fn all_text(pages: &[Page]) -> String {
        pages
            .iter()
            .flat_map(|p| &p.cards)
            .map(|c| c.description.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn words(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    #[test]
    fn a_short_answer_is_one_embed_with_title_colour_and_the_disclaimer_in_the_footer() {
        let pages = layout(&reply(ReplyKind::Answer, "Massage the glutes.", DISCLAIMER));
        assert_eq!(pages.len(), 1);
        let card = &pages[0].cards[0];
        assert_eq!(card.title.as_deref(), Some("A title"));
        assert_eq!(card.description, "Massage the glutes.");
        assert_eq!(card.footer.as_deref(), Some(DISCLAIMER));
        assert_eq!(card.colour, colours::ANSWER);
    }

    #[test]
    fn red_flags_are_red_and_crisis_has_its_own_colour() {
        for urgency in [Urgency::Emergency, Urgency::Urgent, Urgency::Soon] {
            let c = colour(ReplyKind::RedFlag { urgency });
            assert!(c == colours::EMERGENCY || c == colours::RED_FLAG);
            assert!(c >> 16 > 0xC0, "red channel dominates");
        }
        let crisis = colour(ReplyKind::Crisis);
        for other in [
            ReplyKind::Answer,
            ReplyKind::NoMatch,
            ReplyKind::Info,
            ReplyKind::Error,
            RED,
        ] {
            assert_ne!(colour(other), crisis);
        }
    }

    #[test]
    fn a_huge_red_flag_reply_loses_nothing_and_every_message_keeps_the_disclaimer() {
        let body: String = (0..3000).map(|i| format!("word{i} ")).collect();
        let pages = layout(&reply(RED, &body, DISCLAIMER));
        assert!(pages.len() > 1, "needs several messages");
        assert_within_limits(&pages);
        assert_eq!(words(&all_text(&pages)), words(&body));
        for p in &pages {
            assert!(carries_disclaimer(p, DISCLAIMER));
        }
    }

    #[test]
    fn a_huge_crisis_reply_is_never_trimmed() {
        let body = "Call a helpline now. ".repeat(800);
        let pages = layout(&reply(ReplyKind::Crisis, &body, DISCLAIMER));
        assert_within_limits(&pages);
        assert_eq!(words(&all_text(&pages)), words(&body));
    }

    #[test]
    fn an_overlong_answer_is_trimmed_to_one_message_but_keeps_the_disclaimer() {
        let body = "Stretch gently and breathe. ".repeat(1000);
        let pages = layout(&reply(ReplyKind::Answer, &body, DISCLAIMER));
        assert_eq!(pages.len(), 1);
        assert_within_limits(&pages);
        assert!(carries_disclaimer(&pages[0], DISCLAIMER));
        assert!(all_text(&pages).ends_with('…'));
    }

    #[test]
    fn a_disclaimer_too_long_for_a_footer_goes_whole_into_the_message() {
        let long = "This is not medical advice. ".repeat(100);
        let long = long.trim();
        for kind in [ReplyKind::Answer, RED, ReplyKind::NoMatch] {
            let body = "Body text. ".repeat(600);
            let pages = layout(&reply(kind, &body, long));
            assert_within_limits(&pages);
            assert!(pages
                .iter()
                .all(|p| p.cards.iter().all(|c| c.footer.is_none())));
            assert!(all_text(&pages).contains(long));
        }
    }

    #[test]
    fn a_footer_sized_disclaimer_fits_with_a_maximum_title() {
        let d = "d".repeat(limits::EMBED_FOOTER);
        let mut r = reply(RED, &"x ".repeat(5000), &d);
        r.title = "t".repeat(1000);
        let pages = layout(&r);
        assert_within_limits(&pages);
        assert!(pages.iter().all(|p| carries_disclaimer(p, &d)));
    }

    #[test]
    fn an_empty_body_still_makes_a_valid_message() {
        let pages = layout(&reply(ReplyKind::Info, "", DISCLAIMER));
        assert_eq!(pages.len(), 1);
        assert_within_limits(&pages);
        assert!(carries_disclaimer(&pages[0], DISCLAIMER));
    }

    #[test]
    fn split_prefers_paragraph_breaks_and_never_cuts_inside_a_character() {
        let s = format!("{}\n\n{}", "a".repeat(10), "b".repeat(10));
        assert_eq!(split(&s, 15), vec!["a".repeat(10), "b".repeat(10)]);
        let emoji = "😀".repeat(10);
        let parts = split(&emoji, 5);
        assert!(parts.iter().all(|p| units(p) <= 5));
        assert_eq!(parts.concat(), emoji);
    }

    #[test]
    fn trim_keeps_within_the_limit_and_marks_the_cut() {
        assert_eq!(trim("short", 10), "short");
        let t = trim("one two three four five", 12);
        assert!(units(&t) <= 12);
        assert!(t.ends_with('…'));
        assert!(units(&trim(&"é".repeat(300), 256)) <= 256);
    }

    #[test]
    fn suggestion_buttons_have_short_captions_and_ids_that_fit() {
        let s = vec![
            Suggestion {
                id: "piriformis".into(),
                title: "P".repeat(300),
            },
            Suggestion {
                id: "x".repeat(200),
                title: "Too long an id".into(),
            },
        ];
        let b = suggestion_buttons(&s);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].custom_id, "suggest:piriformis");
        assert!(units(&b[0].label) <= limits::BUTTON_LABEL);
    }

    #[test]
    fn autocomplete_offers_at_most_25_choices_with_short_labels() {
        let labels: Vec<String> = (0..40)
            .map(|i| format!("{i} {}", "l".repeat(200)))
            .collect();
        let values: Vec<String> = (0..40).map(|i| format!("id-{i}")).collect();
        let c = choices(
            labels
                .iter()
                .map(String::as_str)
                .zip(values.iter().map(String::as_str)),
        );
        assert_eq!(c.len(), limits::AUTOCOMPLETE_CHOICES);
        let json = serde_json::to_value(&c).unwrap();
        for choice in json.as_array().unwrap() {
            assert!(units(choice["name"].as_str().unwrap()) <= limits::CHOICE_NAME);
        }
    }
}
