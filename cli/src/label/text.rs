//! One line of label text in any script: split into runs by direction (the Unicode bidi
//! algorithm, UAX #9) and by font (the first font of the chain that has each grapheme
//! cluster), each run shaped with rustybuzz (Arabic joining, Indic conjuncts, Thai marks,
//! kerning). `width` and `draw` share the runs and the shaping, so the layout measures exactly
//! what is drawn.

use std::{ops::Range, sync::Arc};

use krilla::{
    geom::Point,
    text::{GlyphId, KrillaGlyph},
};
use unicode_bidi::ParagraphBidiInfo;
use unicode_segmentation::UnicodeSegmentation;

use super::font::{Face, LabelFont};

/// The baseline sits one ascent (~0.88 em for CJK fonts) below the top of the line.
const ASCENT: f32 = 0.88;

/// A piece of a line set in one face in one direction.
struct Run {
    face: Arc<Face>,
    range: Range<usize>,
    rtl: bool,
}

/// The runs of `text` in visual order (left to right on the page).
fn runs(font: &LabelFont, text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    if text.is_empty() {
        return out;
    }
    let bidi = ParagraphBidiInfo::new(text, None);
    if bidi.is_pure_ltr {
        itemize(font, text, 0..text.len(), false, &mut out);
        return out;
    }
    let (_, level_runs) = bidi.visual_runs(0..text.len());
    for range in level_runs {
        let rtl = bidi
            .levels
            .get(range.start)
            .is_some_and(|level| level.is_rtl());
        itemize(font, text, range, rtl, &mut out);
    }
    out
}

/// Splits `text[range]` (one direction) into runs of one face each, appended in visual order:
/// a word goes to the first face that has all of it (「Γιώργος」 in one font, not three), else
/// cluster by cluster; spaces, digits and punctuation stay in the run they are in if its face
/// has them.
fn itemize(font: &LabelFont, text: &str, range: Range<usize>, rtl: bool, out: &mut Vec<Run>) {
    let Some(part) = text.get(range.clone()) else {
        return;
    };
    let mut runs: Vec<Run> = Vec::new();
    let push =
        |runs: &mut Vec<Run>, face: Arc<Face>, start: usize, end: usize| match runs.last_mut() {
            Some(run) if Arc::ptr_eq(&run.face, &face) => run.range.end = end,
            _ => runs.push(Run {
                face,
                range: start..end,
                rtl,
            }),
        };
    for (at, word) in part.split_word_bound_indices() {
        let start = range.start + at;
        let neutral = !word.chars().any(char::is_alphabetic);
        if !neutral {
            if let Some(face) = font.face_with_all(word) {
                push(&mut runs, face, start, start + word.len());
                continue;
            }
        }
        for (at, cluster) in word.grapheme_indices(true) {
            let start = start + at;
            let face = match runs.last() {
                Some(run) if neutral && run.face.has_all(cluster) => run.face.clone(),
                _ => font.face_for(cluster),
            };
            push(&mut runs, face, start, start + cluster.len());
        }
    }
    if rtl {
        runs.reverse();
    }
    out.extend(runs);
}

/// The glyphs of one run, advances and offsets in em, text ranges relative to the run's text.
fn shape(run: &Run, text: &str) -> Vec<KrillaGlyph> {
    let face = run.face.shaper();
    let upem = face.units_per_em() as f32;
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(if run.rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    buffer.guess_segment_properties();
    let output = run.face.shape(buffer);
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let cluster_at = |i: usize| infos.get(i).map(|g| g.cluster as usize);
    infos
        .iter()
        .zip(positions)
        .enumerate()
        .map(|(i, (info, pos))| {
            let start = info.cluster as usize;
            // the cluster ends where the next cluster in text order starts: the next glyph's
            // for left to right, the previous glyph's for right to left
            let neighbours: Box<dyn Iterator<Item = usize>> = if run.rtl {
                Box::new((0..i).rev())
            } else {
                Box::new(i + 1..infos.len())
            };
            let end = neighbours
                .filter_map(cluster_at)
                .find(|c| *c != start)
                .unwrap_or(text.len());
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end.max(start),
                None,
            )
        })
        .collect()
}

fn advance(glyphs: &[KrillaGlyph]) -> f32 {
    glyphs.iter().map(|g| g.x_advance).sum()
}

/// Width of `text` at `size` points, as [`draw`] draws it.
pub fn width(font: &LabelFont, text: &str, size: f32) -> f32 {
    runs(font, text)
        .iter()
        .map(|run| {
            text.get(run.range.clone())
                .map_or(0.0, |t| advance(&shape(run, t)))
        })
        .sum::<f32>()
        * size
}

/// Draws `text` from `x`, the top of its line box at `top`.
pub fn draw(
    font: &LabelFont,
    surface: &mut krilla::surface::Surface<'_>,
    x: f32,
    top: f32,
    size: f32,
    text: &str,
) {
    let mut x = x;
    for run in runs(font, text) {
        let Some(part) = text.get(run.range.clone()) else {
            continue;
        };
        let glyphs = shape(&run, part);
        surface.draw_glyphs(
            Point::from_xy(x, top + size * ASCENT),
            &glyphs,
            run.face.pdf.clone(),
            part,
            size,
            false,
        );
        x += advance(&glyphs) * size;
    }
}
