//! ZPL II labels for Zebra thermal printers: UTF-8 text (`^CI28`) in a printer font that covers
//! Chinese (`^A@`, `--zpl-font`), the QR code (`^BQ`) and Code128 (`^BC`) encoded by the
//! printer itself, so they print at the printer's own dot pitch. One `^XA … ^XZ` per label.
//!
//! The layout does not depend on any font file: line breaks are computed with the widths of a
//! monospaced CJK printer font (Andale Mono WT: Latin half an em wide, Han one em), so the same
//! address always gives the same bytes.

use std::fmt::Write;

use super::{
    codes,
    content::Label,
    layout::{self, Measure, Op},
    template::Template,
    Dimensions,
};
use crate::error::{CliError, Code, Result};

/// Settings of a ZPL run.
#[derive(Debug, Clone)]
pub struct Zpl {
    pub size: Dimensions,
    /// Dots per millimetre: 8 (203 dpi) or 12 (300 dpi).
    pub dpmm: u32,
    /// `^A@` font name on the printer (`E:ANMDS.TTF`), or a one-character resident font (`0`).
    pub font: String,
    /// The waybill template, or `None` for the privacy label of `size`.
    pub template: Option<Box<Template>>,
}

/// Field data with `\` as the `^FH` escape: `^`, `~` and `\` as hex escapes, so that address
/// text can never start a ZPL command.
fn field(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '^' => out.push_str("\\5E"),
            '~' => out.push_str("\\7E"),
            '\\' => out.push_str("\\5C"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a character takes a full em (Han, kana, hangul, full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

fn width(text: &str, h: u32) -> u32 {
    text.chars()
        .map(|c| if is_wide(c) { h } else { h.div_ceil(2) })
        .sum()
}

/// Greedy line breaking, as for the PDF, with the monospaced widths.
fn wrap(text: &str, h: u32, max: u32) -> Vec<String> {
    super::wrap_with(text, max as f32, |s| width(s, h) as f32)
}

impl Zpl {
    fn dots(&self, mm: f32) -> u32 {
        (mm * self.dpmm as f32).round() as u32
    }

    fn text(&self, out: &mut String, x: u32, y: u32, h: u32, text: &str) {
        let font = if self.font.chars().count() == 1 {
            format!("^A{}N,{h},{h}", self.font)
        } else {
            format!("^A@N,{h},{h},{}", self.font)
        };
        let _ = writeln!(out, "^FO{x},{y}{font}^FH\\^FD{}^FS", field(text));
    }

    /// One label, `^XA` to `^XZ`.
    pub fn label(&self, label: &Label) -> Result<String> {
        if let Some(t) = &self.template {
            return self.waybill(t, label);
        }
        let (w, h) = (
            self.dots(self.size.width_mm),
            self.dots(self.size.height_mm),
        );
        let m = self.dots(4.0);
        let inner = w - 2 * m;
        let mut out = String::with_capacity(2048);
        let _ = writeln!(out, "^XA\n^CI28\n^PW{w}\n^LL{h}\n^LH0,0");

        // bottom block, as on the PDF: QR code, and above it the Code128 barcode
        let qr = codes::qr(&label.order)?;
        let bars = codes::code128(&label.order)?;
        let qr_side = self.dots(26.0).min(inner * 42 / 100);
        let mag = (qr_side / (qr.width as u32 + 8)).clamp(1, 10);
        let qr_top = h - m - mag * (qr.width as u32 + 8);
        let bar_h = self.dots(15.0);
        let bar_text = self.dots(3.0);
        let bar_top = qr_top - self.dots(3.0) - bar_text - bar_h;
        let block_top = bar_top - self.dots(2.5);

        let small = self.dots(3.0);
        let sender = if label.sender.is_empty() {
            Vec::new()
        } else {
            wrap(&format!("寄件 From: {}", label.sender), small, inner)
        };
        let line = |h: u32| h * 5 / 4;
        let mut y = m;
        let header = sender.len() as u32 * line(small);
        let fitted = [6.0f32, 5.0, 4.5, 4.0, 3.5, 3.0, 2.5]
            .into_iter()
            .map(|s| recipient_lines(label, self.dots(s), inner, small))
            .find(|lines| {
                y + header + self.dots(2.0) + lines.iter().map(|l| line(l.1)).sum::<u32>()
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
        for s in &sender {
            self.text(&mut out, m, y, small, s);
            y += line(small);
        }
        if !sender.is_empty() {
            let _ = writeln!(out, "^FO{m},{}^GB{inner},2,2^FS", y + self.dots(0.5));
            y += self.dots(2.0);
        }
        let country_y = y;
        for (text, size) in &fitted {
            self.text(&mut out, m, y, *size, text);
            y += line(*size);
        }
        if !label.is_china() {
            let big = self.dots(7.0);
            let x = (w - m).saturating_sub(width(&label.country, big));
            self.text(&mut out, x, country_y, big, &label.country);
        }
        let _ = writeln!(out, "^FO{m},{block_top}^GB{inner},2,2^FS");

        // Code128, automatic subsets; module width from what fits (at least one dot)
        let module = (inner / (bars.len() as u32 + 20)).clamp(1, 6);
        let bx = m + inner.saturating_sub(module * (bars.len() as u32 + 20)) / 2 + 10 * module;
        let _ = writeln!(
            out,
            "^BY{module},3,{bar_h}\n^FO{bx},{bar_top}^BCN,{bar_h},Y,N,N,A^FH\\^FD{}^FS",
            field(&label.order)
        );

        // QR: model 2, error correction M, automatic input mode
        let _ = writeln!(
            out,
            "^FO{m},{qr_top}^BQN,2,{mag}^FH\\^FDMA,{}^FS",
            field(&label.order)
        );
        let tx = m + qr_side + self.dots(3.0);
        let mut ty = qr_top + self.dots(2.0);
        self.text(&mut out, tx, ty, small, "订单 Order");
        ty += line(small);
        let room = w.saturating_sub(m + tx);
        let big = if width(&label.order, self.dots(4.0)) <= room {
            self.dots(4.0)
        } else {
            self.dots(3.0)
        };
        for l in wrap(&label.order, big, w.saturating_sub(m + tx)) {
            self.text(&mut out, tx, ty, big, &l);
            ty += line(big);
        }
        ty += self.dots(1.0);
        let privacy = if label.masked {
            "隐私面单 Privacy label"
        } else {
            "完整信息 Full details"
        };
        self.text(&mut out, tx, ty, small, privacy);
        out.push_str("^PQ1\n^XZ\n");
        Ok(out)
    }
}

/// The printer font's widths for the template layout: Han one em, the rest half an em.
struct Printer;

impl Measure for Printer {
    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| if is_wide(c) { size } else { size / 2.0 })
            .sum()
    }

    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        super::wrap_with(text, max, |s| self.width(s, size))
    }
}

impl Zpl {
    /// A waybill template, laid out with the printer font's widths.
    fn waybill(&self, template: &Template, label: &Label) -> Result<String> {
        let ops = layout::layout(template, label, &Printer)?;
        layout::encodable(&ops)?;
        let (w, h) = (self.dots(template.width), self.dots(template.height));
        let mut out = String::with_capacity(4096);
        let _ = writeln!(out, "^XA\n^CI28\n^PW{w}\n^LL{h}\n^LH0,0");
        for op in &ops {
            match op {
                Op::Text { x, top, size, text } => {
                    let h = self.dots(size * 25.4 / 72.0).max(1);
                    self.text(&mut out, self.dots(*x), self.dots(*top), h, text);
                }
                Op::Fill { x, y, w, h } => {
                    let (w, h) = (self.dots(*w).max(1), self.dots(*h).max(1));
                    let _ = writeln!(
                        out,
                        "^FO{},{}^GB{w},{h},{}^FS",
                        self.dots(*x),
                        self.dots(*y),
                        w.min(h)
                    );
                }
                Op::Barcode { x, y, w, h, data } => {
                    // module width from what fits with 10-module quiet zones (at least one dot);
                    // the number is printed by the template's own text
                    let modules = codes::code128(data)?.len() as u32;
                    let room = self.dots(*w);
                    let module = (room / (modules + 20)).clamp(1, 6);
                    let bx = self.dots(*x) + room.saturating_sub(module * modules) / 2;
                    let bh = self.dots(*h);
                    let _ = writeln!(
                        out,
                        "^BY{module},3,{bh}\n^FO{bx},{}^BCN,{bh},N,N,N,A^FH\\^FD{}^FS",
                        self.dots(*y),
                        field(data)
                    );
                }
                Op::Qr { x, y, side, data } => {
                    // model 2, error correction M, automatic input mode; 4-module quiet zone
                    let width = codes::qr(data)?.width as u32;
                    let mag = (self.dots(*side) / (width + 8)).clamp(1, 10);
                    let _ = writeln!(
                        out,
                        "^FO{},{}^BQN,2,{mag}^FH\\^FDMA,{}^FS",
                        self.dots(*x) + 4 * mag,
                        self.dots(*y) + 4 * mag,
                        field(data)
                    );
                }
            }
        }
        out.push_str("^PQ1\n^XZ\n");
        Ok(out)
    }
}

fn recipient_lines(label: &Label, size: u32, width: u32, small: u32) -> Vec<(String, u32)> {
    let big = size * 13 / 10;
    let mut out = vec![("收件人 To".to_owned(), small)];
    let who = format!("{}  {}", label.name, label.phone);
    let name_width = width.saturating_sub(if label.is_china() { 0 } else { big * 3 });
    if self::width(&who, big) <= name_width {
        out.push((who, big));
    } else {
        out.extend(
            wrap(&label.name, big, name_width)
                .into_iter()
                .map(|l| (l, big)),
        );
        out.push((label.phone.clone(), big));
    }
    if !label.company.is_empty() {
        out.extend(
            wrap(&label.company, size, width)
                .into_iter()
                .map(|l| (l, size)),
        );
    }
    for line in &label.lines {
        out.extend(wrap(line, size, width).into_iter().map(|l| (l, size)));
    }
    if !label.note.is_empty() {
        let note = format!("备注 Note: {}", label.note);
        out.extend(wrap(&note, small, width).into_iter().map(|l| (l, small)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_data_cannot_start_a_command() {
        assert_eq!(field("a^XZ~JR\\b"), "a\\5EXZ\\7EJR\\5Cb");
        assert_eq!(field("文三路 90 号"), "文三路 90 号");
    }

    #[test]
    fn han_is_twice_as_wide_as_latin() {
        assert_eq!(width("张三", 20), 40);
        assert_eq!(width("Ab", 20), 20);
    }
}
