//! PDF labels with krilla: one label per page, text in the chosen font (krilla embeds a subset
//! of it: the glyphs used, not the 20 MB collection), the QR code and the Code128 barcode drawn
//! as filled rectangles.
//!
//! Pages are laid out in krilla documents of [`PAGES_PER_PART`] pages ("parts";
//! `$SEALPOST_PDF_PART_PAGES` to change it), and a part
//! goes to the output file (by `join.rs`) once every label on it has been written, that is,
//! after its audit record: krilla keeps every page of a document in memory until the
//! document is finished, so one document for a whole batch grew by ~25 KB per label.

use std::{
    collections::VecDeque,
    io::BufWriter,
    path::{Path, PathBuf},
};

use krilla::{
    geom::{PathBuilder, Rect},
    page::{Page, PageSettings},
    paint::Fill,
    Document,
};
use tempfile::NamedTempFile;

use super::{
    codes,
    content::Label,
    font::LabelFont,
    join::{JoinError, Joiner},
    layout::{self, Measure, Op, PT_PER_MM},
    template::Template,
    wrap, Dimensions,
};
use crate::{
    error::{CliError, Code, Result},
    manifest::TempOut,
};

fn mm(v: f32) -> f32 {
    v * PT_PER_MM
}

/// Pages per krilla document: peak memory grows with it (~25 KB per page until the part is
/// finished), the output with its inverse (each part embeds its own font subset).
pub const PAGES_PER_PART: usize = 256;

/// Environment variable overriding [`PAGES_PER_PART`] (1 to [`MAX_PART_PAGES`]).
pub const ENV_PART_PAGES: &str = "SEALPOST_PDF_PART_PAGES";

/// At most this many kids per page-tree node (PDF 1.7's array limit is 8191).
const MAX_PART_PAGES: usize = 4096;

fn part_pages() -> Result<usize> {
    let Some(value) = std::env::var_os(ENV_PART_PAGES).filter(|v| !v.is_empty()) else {
        return Ok(PAGES_PER_PART);
    };
    value
        .to_str()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=MAX_PART_PAGES).contains(n))
        .ok_or_else(|| {
            CliError::new(
                Code::Usage,
                format!("${ENV_PART_PAGES} must be a number of pages from 1 to {MAX_PART_PAGES}"),
            )
        })
}

/// A PDF being written to a temporary file next to the output, one page per label.
pub struct Pdf {
    /// The part being laid out, and its page count.
    doc: Document,
    in_doc: usize,
    part_pages: usize,
    /// Finished parts not yet in the file (some of their labels are not written yet), with
    /// their page counts.
    done: VecDeque<(Vec<u8>, usize)>,
    /// Labels written (by [`Pdf::written`]) whose part is not in the file yet.
    ready: usize,
    out: Joiner<BufWriter<NamedTempFile>>,
    path: PathBuf,
    font: LabelFont,
    size: Dimensions,
    pages: usize,
    /// The waybill template, or `None` for the privacy label of `size`.
    template: Option<Template>,
}

impl std::fmt::Debug for Pdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pdf")
            .field("font", &self.font)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

/// Text placed on the page: lines top to bottom.
struct Cursor<'s, 'f> {
    surface: krilla::surface::Surface<'s>,
    font: &'f LabelFont,
}

impl Cursor<'_, '_> {
    fn text(&mut self, x: f32, top: f32, size: f32, text: &str) {
        self.font.draw(&mut self.surface, x, top, size, text);
    }

    fn rects(&mut self, rects: impl IntoIterator<Item = Option<Rect>>) {
        let mut path = PathBuilder::new();
        for rect in rects.into_iter().flatten() {
            path.push_rect(rect);
        }
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
        }
    }
}

/// Line height as a multiple of the font size.
const LEADING: f32 = 1.22;

impl Pdf {
    /// Starts the PDF in a 0600 temporary file next to `output`.
    pub fn new(font: LabelFont, size: Dimensions, output: &Path) -> Result<Pdf> {
        let part_pages = part_pages()?;
        let file = TempOut::create(output)?;
        let out = Joiner::new(file.writer).map_err(|e| join_error(output, e))?;
        Ok(Pdf {
            doc: Document::new(),
            in_doc: 0,
            part_pages,
            done: VecDeque::new(),
            ready: 0,
            out,
            path: output.to_path_buf(),
            font,
            size,
            pages: 0,
            template: None,
        })
    }

    /// Counts the page just finished; a full part is finished (in memory: its labels are not
    /// written yet).
    fn page_finished(&mut self) -> Result<()> {
        self.pages += 1;
        self.in_doc += 1;
        if self.in_doc >= self.part_pages {
            self.finish_part()?;
        }
        Ok(())
    }

    fn finish_part(&mut self) -> Result<()> {
        let doc = std::mem::replace(&mut self.doc, Document::new());
        let pages = std::mem::take(&mut self.in_doc);
        let bytes = doc
            .finish()
            .map_err(|e| CliError::new(Code::CannotWriteOutput, format!("PDF: {e:?}")))?;
        self.done.push_back((bytes, pages));
        Ok(())
    }

    /// The oldest label laid out and not yet written may now go to the file (its opening is
    /// audited): parts whose labels all may are copied there.
    pub fn written(&mut self) -> Result<()> {
        self.ready += 1;
        while let Some((bytes, pages)) = self.done.front() {
            if self.ready < *pages {
                break;
            }
            self.ready -= pages;
            self.out
                .append(bytes)
                .map_err(|e| join_error(&self.path, e))?;
            self.done.pop_front();
        }
        Ok(())
    }

    /// Draws one label on a new page: laid out first (fit and font coverage checked), so a
    /// label that fails leaves no page behind.
    pub fn add(&mut self, label: &Label) -> Result<()> {
        let (ops, w, h) = match &self.template {
            Some(t) => {
                let ops = layout::layout(t, label, &self.font)?;
                self.covered(&ops, label)?;
                (ops, mm(t.width), mm(t.height))
            }
            None => {
                if let Some((field, c)) = label
                    .texts()
                    .find_map(|(f, t)| self.font.missing(t).map(|c| (f, c)))
                {
                    return Err(self.font.refusal(c, &label.order, field));
                }
                (
                    self.privacy(label)?,
                    mm(self.size.width_mm),
                    mm(self.size.height_mm),
                )
            }
        };
        layout::encodable(&ops)?;
        let mut page = start_page(&mut self.doc, w, h)?;
        let mut c = Cursor {
            surface: page.surface(),
            font: &self.font,
        };
        c.surface.set_fill(Some(Fill::default()));
        draw(&mut c, &ops)?;
        drop(c);
        page.finish();
        self.page_finished()
    }

    /// Lays out waybills on `template` instead of the privacy label.
    pub fn with_template(mut self, template: Option<Template>) -> Pdf {
        self.template = template;
        self
    }

    /// Every text of a waybill in the font (the template's own words included).
    fn covered(&self, ops: &[Op], label: &Label) -> Result<()> {
        for op in ops {
            if let Op::Text { text, .. } = op {
                if let Some(c) = self.font.missing(text) {
                    return Err(self.font.refusal(c, &label.order, "waybill"));
                }
            }
        }
        Ok(())
    }

    /// The privacy label (`--size`): sender line, recipient and address at the largest size
    /// that fits, the order reference as Code128 and QR.
    fn privacy(&self, label: &Label) -> Result<Vec<Op>> {
        let (w, h) = (mm(self.size.width_mm), mm(self.size.height_mm));
        let m = mm(4.0);
        let inner = w - 2.0 * m;
        let font = &self.font;
        let mut ops = Vec::new();
        let text = |ops: &mut Vec<Op>, x: f32, top: f32, size: f32, text: &str| {
            ops.push(Op::Text {
                x: x / PT_PER_MM,
                top: top / PT_PER_MM,
                size,
                text: text.to_owned(),
            });
        };
        let rule = |ops: &mut Vec<Op>, x: f32, y: f32, width: f32| {
            ops.push(Op::Fill {
                x: x / PT_PER_MM,
                y: y / PT_PER_MM,
                w: width / PT_PER_MM,
                h: 0.8 / PT_PER_MM,
            });
        };

        // bottom block, from the bottom up: QR code with the order reference beside it, then
        // the Code128 barcode with its human-readable line
        let qr_side = mm(26.0).min(inner * 0.42);
        let qr_top = h - m - qr_side;
        let bar_h = mm(15.0);
        let bar_text = 9.0;
        let bar_top = qr_top - mm(3.0) - bar_text * LEADING - bar_h;
        let block_top = bar_top - mm(2.5);

        // top block: sender, recipient, address, at the largest size that fits above
        let sender = if label.sender.is_empty() {
            Vec::new()
        } else {
            wrap(font, &format!("寄件 From: {}", label.sender), 8.0, inner)
        };
        let mut top = m;
        let header_h = sender.len() as f32 * 8.0 * LEADING;
        let fitted = [18.0f32, 16.0, 14.0, 13.0, 12.0, 11.0, 10.0, 9.0, 8.0, 7.0]
            .into_iter()
            .map(|s| (s, recipient_lines(font, label, s, inner)))
            .find(|(_, lines)| {
                top + header_h + mm(2.0) + lines.iter().map(|l| l.1 * LEADING).sum::<f32>()
                    <= block_top
            })
            .ok_or_else(|| {
                CliError::new(
                    Code::AddressDoesNotFit,
                    format!(
                        "order {:?}: the address does not fit on a {} label",
                        label.order, self.size.name
                    ),
                )
                .hint("use --size 100x150")
            })?;

        for line in &sender {
            text(&mut ops, m, top, 8.0, line);
            top += 8.0 * LEADING;
        }
        if !sender.is_empty() {
            rule(&mut ops, m, top + mm(0.5), inner);
            top += mm(2.0);
        }
        for (line, size) in &fitted.1 {
            text(&mut ops, m, top, *size, line);
            top += size * LEADING;
        }
        if !label.is_china() {
            // destination country, large, top right, for sorting
            let cw = font.width(&label.country, 22.0);
            text(
                &mut ops,
                w - m - cw,
                m + header_h + mm(2.0),
                22.0,
                &label.country,
            );
        }
        rule(&mut ops, m, block_top, inner);

        // Code128 across the width (10-module quiet zones inside), its line below
        ops.push(Op::Barcode {
            x: m / PT_PER_MM,
            y: bar_top / PT_PER_MM,
            w: inner / PT_PER_MM,
            h: bar_h / PT_PER_MM,
            data: label.order.clone(),
        });
        let tw = font.width(&label.order, bar_text);
        text(
            &mut ops,
            m + (inner - tw) / 2.0,
            bar_top + bar_h + mm(0.5),
            bar_text,
            &label.order,
        );

        ops.push(Op::Qr {
            x: m / PT_PER_MM,
            y: qr_top / PT_PER_MM,
            side: qr_side / PT_PER_MM,
            data: label.order.clone(),
        });
        let tx = m + qr_side + mm(3.0);
        let tw = w - m - tx;
        let mut ty = qr_top + mm(2.0);
        text(&mut ops, tx, ty, 8.0, "订单 Order");
        ty += 8.0 * LEADING;
        // one line if it fits at a smaller size, wrapped otherwise
        let size = if font.width(&label.order, 12.0) <= tw {
            12.0
        } else {
            9.0
        };
        for line in wrap(font, &label.order, size, tw) {
            text(&mut ops, tx, ty, size, &line);
            ty += size * LEADING;
        }
        ty += mm(1.0);
        text(&mut ops, tx, ty, 8.0, label.field("privacy"));
        Ok(ops)
    }

    /// Copies the last parts to the file (a PDF without labels gets one blank page, as krilla
    /// writes it), writes the page tree, and renames the file to `path`.
    pub fn finish(mut self, force: bool) -> Result<()> {
        if self.in_doc > 0 || self.pages == 0 {
            self.finish_part()?;
        }
        let unwritten =
            (self.done.iter().map(|(_, n)| n).sum::<usize>()).saturating_sub(self.ready);
        if self.pages > 0 && unwritten > 0 {
            return Err(CliError::new(
                Code::CannotWriteOutput,
                format!("PDF: {unwritten} labels laid out but not written"),
            ));
        }
        for (bytes, _) in std::mem::take(&mut self.done) {
            self.out
                .append(&bytes)
                .map_err(|e| join_error(&self.path, e))?;
        }
        let writer = self.out.finish().map_err(|e| join_error(&self.path, e))?;
        TempOut { writer }.finish(&self.path, force)
    }
}

/// A new page of `w` × `h` points for one label.
fn start_page(doc: &mut Document, w: f32, h: f32) -> Result<Page<'_>> {
    let settings = PageSettings::from_wh(w, h).ok_or_else(|| bad_size(w, h))?;
    Ok(doc.start_page_with(settings))
}

fn join_error(path: &Path, e: JoinError) -> CliError {
    match e {
        JoinError::Io(e) => CliError::io(Code::CannotWriteOutput, path, &e),
        JoinError::Part(why) => CliError::new(
            Code::CannotWriteOutput,
            format!("PDF: joining pages: {why}"),
        ),
    }
}

impl Measure for LabelFont {
    fn width(&self, text: &str, size: f32) -> f32 {
        LabelFont::width(self, text, size)
    }

    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        wrap(self, text, size, max)
    }
}

/// Draws laid-out operations (mm) on the page (pt).
fn draw(c: &mut Cursor<'_, '_>, ops: &[Op]) -> Result<()> {
    let mut fills = Vec::new();
    for op in ops {
        match op {
            Op::Text { x, top, size, text } => c.text(mm(*x), mm(*top), *size, text),
            Op::Fill { x, y, w, h } => fills.push(Rect::from_xywh(mm(*x), mm(*y), mm(*w), mm(*h))),
            Op::Barcode { x, y, w, h, data } => {
                // module width from the room available, 10-module quiet zones
                let bars = codes::code128(data)?;
                let module = mm(*w) / (bars.len() + 20) as f32;
                let x0 = mm(*x) + 10.0 * module;
                c.rects(
                    bars.iter()
                        .enumerate()
                        .filter(|(_, b)| **b == 1)
                        .map(|(i, _)| {
                            Rect::from_xywh(x0 + i as f32 * module, mm(*y), module, mm(*h))
                        }),
                );
            }
            Op::Qr { x, y, side, data } => {
                // runs of dark modules merged into one rectangle each, 4-module quiet zone
                let qr = codes::qr(data)?;
                let unit = mm(*side) / (qr.width + 8) as f32;
                let (qx, qy) = (mm(*x), mm(*y));
                let mut rects = Vec::new();
                for (row, cells) in qr.dark.chunks(qr.width.max(1)).enumerate() {
                    let mut col = 0;
                    while col < cells.len() {
                        let run = cells
                            .get(col..)
                            .unwrap_or_default()
                            .iter()
                            .take_while(|d| **d)
                            .count();
                        if run > 0 {
                            rects.push(Rect::from_xywh(
                                qx + (4 + col) as f32 * unit,
                                qy + (4 + row) as f32 * unit,
                                run as f32 * unit,
                                unit,
                            ));
                            col += run;
                        } else {
                            col += 1;
                        }
                    }
                }
                c.rects(rects);
            }
        }
    }
    c.rects(fills);
    Ok(())
}

fn bad_size(w: f32, h: f32) -> CliError {
    CliError::new(Code::Usage, format!("bad page size {w} x {h} pt"))
}

/// The recipient block at `size`: (text, font size) per line.
fn recipient_lines(font: &LabelFont, label: &Label, size: f32, width: f32) -> Vec<(String, f32)> {
    let small = (size * 0.62).max(7.0);
    let big = size * 1.3;
    let mut out = vec![("收件人 To".to_owned(), small)];
    let who = format!("{}  {}", label.name, label.phone);
    let name_width = width - if label.is_china() { 0.0 } else { mm(14.0) };
    if font.width(&who, big) <= name_width {
        out.push((who, big));
    } else {
        out.extend(
            wrap(font, &label.name, big, name_width)
                .into_iter()
                .map(|l| (l, big)),
        );
        out.push((label.phone.clone(), big));
    }
    if !label.company.is_empty() {
        out.extend(
            wrap(font, &label.company, size, width)
                .into_iter()
                .map(|l| (l, size)),
        );
    }
    for line in &label.lines {
        out.extend(wrap(font, line, size, width).into_iter().map(|l| (l, size)));
    }
    if !label.note.is_empty() {
        let note = format!("备注 Note: {}", label.note);
        out.extend(
            wrap(font, &note, small, width)
                .into_iter()
                .map(|l| (l, small)),
        );
    }
    out
}
