//! PDF receipts of sent forms: tagged PDF/UA-1 (headings, paragraphs, reading order,
//! document title and language, an outline), with DejaVu Sans embedded as a subset so
//! every character a person typed is shown and can be copied out again.
//!
//! Layout happens in two steps: [`layout`] breaks the receipt into lines and pages with
//! the font's real advance widths (a pure function with tests); [`render`] draws the
//! lines with krilla and builds the tag tree from them.

use std::num::NonZeroU16;
use std::sync::OnceLock;

use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::{ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};

static REGULAR: &[u8] = include_bytes!("../../static/fonts/dejavu/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../static/fonts/dejavu/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 56.0;
const FOOTER_Y: f32 = PAGE_H - 32.0;
/// The most pages a receipt has. Answers are bounded (fields, and characters per
/// answer) but together could fill over a thousand pages; a receipt is a confirmation,
/// not the record (the team has every answer), so it ends here with a note. This keeps
/// the PDF, and the time to make it, small: at most the two font subsets and this many
/// pages of text.
pub const MAX_PAGES: usize = 40;
/// Room kept at the bottom of the last page for the note that the receipt was cut.
const NOTE_ROOM: f32 = 4.0 * 14.0;

/// A receipt as people read it: every text already in the reader's language.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// The language code of the texts (`de` or `en`), the document's language.
    pub lang: &'static str,
    /// The document title and the first heading.
    pub title: String,
    /// Lines under the title: reference number, time sent.
    pub facts: Vec<String>,
    /// The answers, a section per shown page of the form.
    pub sections: Vec<Section>,
    /// The footer's words before the page number ("Innolab · Seite").
    pub footer: String,
    /// The note that ends a receipt cut at [`MAX_PAGES`].
    pub truncated: String,
}

/// One part of a receipt under its own heading.
#[derive(Debug, Clone)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Question and answer.
    pub rows: Vec<(String, String)>,
}

/// What a block is, for the tag tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockRole {
    /// The receipt's title (level 1 heading).
    Title,
    /// A section's heading (level 2).
    Heading,
    /// A question (a paragraph, in bold).
    Label,
    /// An answer or a line of facts (a paragraph).
    Text,
}

/// One line placed on a page: its block (for tagging), style and position.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The index of the block (in `Layout::blocks`) the line belongs to.
    pub block: usize,
    /// What the line's block is.
    pub role: BlockRole,
    /// The words on the line.
    pub text: String,
    /// Distance of the line's start from the left edge of the page, in points.
    pub x: f32,
    /// Distance of the line's baseline from the top edge of the page, in points.
    pub y: f32,
    /// The font size, in points.
    pub size: f32,
    /// Whether the bold face is used.
    pub bold: bool,
}

/// The receipt broken into pages of lines, and its blocks in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The lines of each page, top to bottom; at most `MAX_PAGES` pages.
    pub pages: Vec<Vec<Line>>,
    /// Every block placed, in reading order, with its whole text (the cut note last when the
    /// receipt was cut).
    pub blocks: Vec<(BlockRole, String)>,
}

struct Metrics {
    face_regular: ttf_parser::Face<'static>,
    face_bold: ttf_parser::Face<'static>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics {
        face_regular: ttf_parser::Face::parse(REGULAR, 0).expect("the bundled font reads"),
        face_bold: ttf_parser::Face::parse(BOLD, 0).expect("the bundled font reads"),
    })
}

/// The width of `text` in points.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let m = metrics();
    let face = if bold { &m.face_bold } else { &m.face_regular };
    let upem = face.units_per_em() as f32;
    let units: u32 = text
        .chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .unwrap_or(upem as u16 / 2) as u32
        })
        .sum();
    units as f32 * size / upem
}

/// Breaks a paragraph into lines no wider than `max`: at spaces, and inside words
/// only when a single word is wider than a line. Line breaks typed by the person stay.
pub fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if width(&candidate, size, bold) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            // A word longer than a line is cut where it no longer fits.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if width(&piece, size, bold) > max {
                    piece.pop();
                    out.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        out.push(line);
    }
    out
}

/// Places every line of the receipt on A4 pages, at most [`MAX_PAGES`]: what does not
/// fit is left out, and the receipt ends with its note.
pub fn layout(r: &Receipt) -> Layout {
    let mut blocks: Vec<(BlockRole, String)> = Vec::new();
    blocks.push((BlockRole::Title, r.title.clone()));
    blocks.extend(r.facts.iter().map(|f| (BlockRole::Text, f.clone())));
    for s in &r.sections {
        blocks.push((BlockRole::Heading, s.title.clone()));
        for (label, answer) in &s.rows {
            blocks.push((BlockRole::Label, label.clone()));
            blocks.push((BlockRole::Text, answer.clone()));
        }
    }
    let mut placer = Placer {
        pages: vec![Vec::new()],
        y: MARGIN,
        reserve: NOTE_ROOM,
    };
    let mut cut = None;
    for (i, (role, text)) in blocks.iter().enumerate() {
        if !placer.place(i, *role, text) {
            cut = Some(i);
            break;
        }
    }
    if let Some(i) = cut {
        blocks.truncate(i + 1);
        blocks.push((BlockRole::Text, r.truncated.clone()));
        // The room kept on the last page takes the note.
        placer.reserve = 0.0;
        placer.place(i + 1, BlockRole::Text, &r.truncated);
    }
    Layout {
        pages: placer.pages,
        blocks,
    }
}

/// Puts blocks on pages one after the other.
struct Placer {
    pages: Vec<Vec<Line>>,
    y: f32,
    /// Room the last page keeps free (for the note).
    reserve: f32,
}

impl Placer {
    /// Where lines end on the current page: the last page keeps room for the note.
    fn bottom(&self) -> f32 {
        if self.pages.len() >= MAX_PAGES {
            FOOTER_Y - 20.0 - self.reserve
        } else {
            FOOTER_Y - 20.0
        }
    }

    /// Starts a new page, unless the receipt has all its pages.
    fn new_page(&mut self) -> bool {
        if self.pages.len() >= MAX_PAGES {
            return false;
        }
        self.pages.push(Vec::new());
        self.y = MARGIN;
        true
    }

    /// Places block `i`; false when the pages ran out before it was all placed.
    fn place(&mut self, i: usize, role: BlockRole, text: &str) -> bool {
        let (size, bold, before, after) = match role {
            BlockRole::Title => (18.0, true, 0.0, 8.0),
            BlockRole::Heading => (13.0, true, 14.0, 4.0),
            BlockRole::Label => (10.0, true, 6.0, 0.0),
            BlockRole::Text => (10.0, false, 2.0, 2.0),
        };
        let leading = size * 1.4;
        let lines = wrap(text, size, bold, PAGE_W - 2.0 * MARGIN);
        // A heading or a question is never left alone at the bottom of a page.
        let keep = match role {
            BlockRole::Heading | BlockRole::Label => lines.len() as f32 * leading + 3.0 * 14.0,
            _ => leading,
        };
        if self.y + before + keep > self.bottom() && !self.pages.last().is_some_and(Vec::is_empty) {
            if !self.new_page() {
                return false;
            }
        } else {
            self.y += before;
        }
        for text in lines {
            if self.y + leading > self.bottom() && !self.new_page() {
                return false;
            }
            self.y += leading;
            self.pages.last_mut().expect("a page").push(Line {
                block: i,
                role,
                text,
                x: MARGIN,
                y: self.y,
                size,
                bold,
            });
        }
        self.y += after;
        true
    }
}

/// The receipt as PDF bytes.
pub fn render(r: &Receipt) -> Result<Vec<u8>, String> {
    let layout = layout(r);
    let regular = Font::new(REGULAR.into(), 0).ok_or("font")?;
    let bold = Font::new(BOLD.into(), 0).ok_or("font")?;
    let config = krilla::configure::ConfigurationBuilder::new()
        .with_accessibility_validator(krilla::configure::Accessibility::UA1)
        .finish()
        .map_err(|e| format!("{e:?}"))?;
    let mut doc = Document::new_with(SerializeSettings {
        configuration: config,
        ..SerializeSettings::default()
    });
    let mut ids: Vec<Vec<Node>> = vec![Vec::new(); layout.blocks.len()];
    let total = layout.pages.len();
    let mut outline = Outline::new();
    for (n, lines) in layout.pages.iter().enumerate() {
        let mut page =
            doc.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H).ok_or("page size")?);
        let mut surface = page.surface();
        for line in lines {
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            let font = if line.bold {
                bold.clone()
            } else {
                regular.clone()
            };
            surface.draw_text(
                Point::from_xy(line.x, line.y),
                font,
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
            surface.end_tagged();
            ids[line.block].push(id.into());
            if matches!(line.role, BlockRole::Title | BlockRole::Heading)
                && ids[line.block].len() == 1
            {
                let dest = XyzDestination::new(n, Point::from_xy(0.0, line.y - line.size * 1.4));
                outline.push_child(OutlineNode::new(layout.blocks[line.block].1.clone(), dest));
            }
        }
        // Page numbers are furniture, not content.
        let footer = format!("{} {} / {}", r.footer, n + 1, total);
        surface.start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::new(
            ArtifactType::Footer,
            None,
        )));
        surface.draw_text(
            Point::from_xy(MARGIN, FOOTER_Y),
            regular.clone(),
            8.0,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }
    let mut tree = TagTree::new();
    for ((role, text), children) in layout.blocks.iter().zip(ids) {
        if children.is_empty() {
            continue;
        }
        let kind: TagKind = match role {
            BlockRole::Title => Tag::Hn(NonZeroU16::MIN, Some(text.clone())).into(),
            BlockRole::Heading => {
                Tag::Hn(NonZeroU16::new(2).expect("two"), Some(text.clone())).into()
            }
            BlockRole::Label | BlockRole::Text => Tag::P.into(),
        };
        tree.push(TagGroup::with_children(kind, children));
    }
    doc.set_tag_tree(tree);
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new()
            .title(r.title.clone())
            .language(r.lang.to_string())
            .creator("Innolab".to_string()),
    );
    doc.finish().map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(rows: usize) -> Receipt {
        Receipt {
            lang: "de",
            title: "Eingangsbestätigung: Hundesteuer-Anmeldung".into(),
            facts: vec![
                "Vorgangsnummer: 2026-K7MQ-3XPA".into(),
                "Abgeschickt am 23.11.2026, 09:15".into(),
            ],
            sections: vec![Section {
                title: "Halterin oder Halter".into(),
                rows: (0..rows)
                    .map(|i| {
                        (
                            format!("Frage {i}"),
                            format!("Antwort {i}: Größe, Straße, Übermaß"),
                        )
                    })
                    .collect(),
            }],
            footer: "Innolab · Seite".into(),
            truncated: "Die Bestätigung endet hier.".into(),
        }
    }

    #[test]
    fn long_text_wraps_within_the_margins() {
        let text = "Ein sehr langer Satz mit vielen Wörtern, der sicher nicht in eine einzige Zeile passt, weil er so lang ist. ".repeat(3);
        let lines = wrap(&text, 10.0, false, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| width(l, 10.0, false) <= 200.0));
        assert_eq!(
            lines.join(" ").split_whitespace().count(),
            text.split_whitespace().count()
        );
        let word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze".repeat(4);
        let parts = wrap(&word, 10.0, false, 100.0);
        assert!(parts.len() > 2);
        assert_eq!(parts.concat(), word);
        assert_eq!(wrap("Zeile eins\nZeile zwei", 10.0, false, 400.0).len(), 2);
    }

    #[test]
    fn many_answers_flow_onto_further_pages_in_order() {
        let l = layout(&receipt(80));
        assert!(l.pages.len() >= 3, "{}", l.pages.len());
        for page in &l.pages {
            assert!(page.iter().all(|line| line.y < FOOTER_Y - 10.0));
            assert!(page.windows(2).all(|w| w[0].y < w[1].y));
        }
        let blocks: Vec<usize> = l.pages.iter().flatten().map(|line| line.block).collect();
        assert!(blocks.windows(2).all(|w| w[0] <= w[1]), "reading order");
    }

    #[test]
    fn the_pdf_is_tagged_and_carries_its_font() {
        let bytes = render(&receipt(5)).expect("a PDF");
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("/StructTreeRoot"));
        assert!(text.contains("/MarkInfo"));
        assert!(text.contains("FontFile2"), "the font is embedded");
        assert!(text.contains("/Lang"));
    }

    /// The largest receipt the forms allow (every field a text at the longest answer,
    /// with the longest label) stops at the page limit with its note, and its PDF stays
    /// under a few megabytes instead of growing with the answers.
    #[test]
    fn the_largest_answers_make_a_bounded_receipt_that_says_it_was_cut() {
        use crate::forms::definition::{MAX_ANSWER_LENGTH, MAX_FIELDS};
        const BOUND: usize = 4 << 20;
        // Varied words, umlauts and signs, so that the font subsets are not tiny.
        let answer: String = "Übermäßig lange Antwort, ß€ł Ω ∑ №; "
            .chars()
            .cycle()
            .take(MAX_ANSWER_LENGTH as usize)
            .collect();
        let mut r = receipt(0);
        r.sections[0].rows = (0..MAX_FIELDS)
            .map(|i| (format!("Frage {i} ").repeat(50), answer.clone()))
            .collect();
        let l = layout(&r);
        assert_eq!(l.pages.len(), MAX_PAGES);
        let last = l.pages.last().unwrap().last().unwrap();
        assert_eq!(l.blocks[last.block].1, r.truncated, "the note ends it");
        assert!(last.y < FOOTER_Y - 10.0);
        let bytes = render(&r).expect("a PDF");
        assert!(bytes.len() < BOUND, "{} bytes", bytes.len());
        // A receipt that fits has no note.
        let small = layout(&receipt(5));
        assert!(small.blocks.iter().all(|(_, t)| *t != r.truncated));
    }
}
