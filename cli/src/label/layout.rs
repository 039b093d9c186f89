//! A waybill template laid out for one label: what goes where, in millimetres (font sizes in
//! points), for the PDF and the ZPL writers alike. Text is measured and wrapped by the writer's
//! [`Measure`] (the PDF font, or the printer font's fixed widths), so each writer fits the text
//! it will really print.

use super::{
    content::Label,
    template::{Align, FontSize, Piece, Template, Valign},
};
use crate::error::{CliError, Code, Result};

/// Line height as a multiple of the font size (as the privacy label).
pub const LEADING: f32 = 1.22;
/// Points per millimetre.
pub const PT_PER_MM: f32 = 72.0 / 25.4;

/// How a writer measures and breaks text.
pub trait Measure {
    /// Width of `text` at `size` points, in points.
    fn width(&self, text: &str, size: f32) -> f32;
    /// `text` broken into lines no wider than `max` points.
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String>;
}

/// One thing drawn on the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text whose line box starts at (`x`, `top`) mm, `size` pt.
    Text {
        x: f32,
        top: f32,
        size: f32,
        text: String,
    },
    /// A Code128 barcode of `data`, filling `[x, y, w, h]` mm (quiet zones inside).
    Barcode {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        data: String,
    },
    /// A QR code of `data`, `side` mm square (quiet zone inside).
    Qr {
        x: f32,
        y: f32,
        side: f32,
        data: String,
    },
    /// A filled rectangle (lines, frames, dashes), mm.
    Fill { x: f32, y: f32, w: f32, h: f32 },
}

fn pt(mm: f32) -> f32 {
    mm * PT_PER_MM
}

fn mm(pt: f32) -> f32 {
    pt / PT_PER_MM
}

/// Room left of a text and above its first line.
const PAD: f32 = 1.2;

/// The value of a text's pieces, or "" when every field in it is empty (the box stays blank).
fn resolve(pieces: &[Piece], label: &Label) -> String {
    let mut any_field = false;
    let mut any_value = false;
    let mut out = String::new();
    for p in pieces {
        match p {
            Piece::Lit(s) => out.push_str(s),
            Piece::Field(f) => {
                any_field = true;
                let v = label.field(f);
                any_value |= !v.is_empty();
                out.push_str(v);
            }
        }
    }
    if any_field && !any_value {
        return String::new();
    }
    // lines left empty by empty fields are dropped
    out.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lines of `paragraphs` at `size`, wrapped to `max` points.
fn wrap_all(m: &dyn Measure, paragraphs: &str, size: f32, max: f32) -> Vec<String> {
    paragraphs
        .lines()
        .flat_map(|p| m.wrap(p, size, max))
        .collect()
}

/// Draws `lines` (text, size pt) into the box from `top`, aligned.
#[allow(clippy::too_many_arguments)]
fn place(
    ops: &mut Vec<Op>,
    m: &dyn Measure,
    lines: &[(String, f32)],
    x: f32,
    w: f32,
    top: f32,
    h: f32,
    align: Align,
    valign: Valign,
) {
    let total: f32 = lines.iter().map(|(_, s)| mm(s * LEADING)).sum();
    let mut y = match valign {
        Valign::Top => top,
        Valign::Middle => top + ((h - total) / 2.0).max(0.0),
        Valign::Bottom => top + (h - total).max(0.0),
    };
    for (text, size) in lines {
        let tw = mm(m.width(text, *size));
        let tx = match align {
            Align::Left => x,
            Align::Center => x + ((w - tw) / 2.0).max(0.0),
            Align::Right => x + (w - tw).max(0.0),
        };
        ops.push(Op::Text {
            x: tx,
            top: y,
            size: *size,
            text: text.clone(),
        });
        y += mm(size * LEADING);
    }
}

/// A caption at the top left of a box; returns how far right the content starts (mm).
fn caption(ops: &mut Vec<Op>, m: &dyn Measure, text: &str, size: f32, x: f32, y: f32) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    ops.push(Op::Text {
        x: x + PAD,
        top: y + PAD * 0.5,
        size,
        text: text.to_owned(),
    });
    mm(m.width(text, size)) + PAD + 1.0
}

fn does_not_fit(label: &Label, template: &Template, what: &str) -> CliError {
    let hint = if what == "address" {
        "use a larger template (cn-100x180, intl-4x6) or --size 100x150"
    } else {
        "shorten the value, or give its box more room in the template"
    };
    CliError::new(
        Code::AddressDoesNotFit,
        format!(
            "order {:?}: the {what} does not fit in its box on the {} template",
            label.order, template.name
        ),
    )
    .hint(hint)
}

/// The recipient block at `size`: (text, size) per line.
fn recipient_lines(
    m: &dyn Measure,
    label: &Label,
    size: f32,
    width: f32,
    note: bool,
) -> Vec<(String, f32)> {
    let big = size * 1.25;
    let small = (size * 0.8).max(5.0);
    let mut out = Vec::new();
    let who = format!("{}  {}", label.name, label.phone);
    if m.width(&who, big) <= width {
        out.push((who, big));
    } else {
        out.extend(
            m.wrap(&label.name, big, width)
                .into_iter()
                .map(|l| (l, big)),
        );
        out.push((label.phone.clone(), big));
    }
    if !label.company.is_empty() {
        out.extend(
            m.wrap(&label.company, size, width)
                .into_iter()
                .map(|l| (l, size)),
        );
    }
    for line in &label.lines {
        out.extend(m.wrap(line, size, width).into_iter().map(|l| (l, size)));
    }
    if note && !label.note.is_empty() {
        let text = format!("备注 Note: {}", label.note);
        out.extend(m.wrap(&text, small, width).into_iter().map(|l| (l, small)));
    }
    out
}

fn fits(m: &dyn Measure, lines: &[(String, f32)], w: f32, h: f32) -> bool {
    lines.iter().map(|(_, s)| mm(s * LEADING)).sum::<f32>() <= h
        && lines.iter().all(|(t, s)| mm(m.width(t, *s)) <= w + 0.01)
}

/// The largest size of `font` at which `make(size)` fits `w` × `h` mm; `None` if even the
/// smallest does not. A binary search (fitting is taken as monotonic in the size: what fits
/// at one size fits at a smaller one), so a range of 40 half-points costs ~7 layouts, not 40;
/// whatever it returns was checked to fit.
fn largest(
    m: &dyn Measure,
    font: FontSize,
    w: f32,
    h: f32,
    make: impl Fn(f32) -> Vec<(String, f32)>,
) -> Option<Vec<(String, f32)>> {
    let sizes = font.candidates();
    let attempt = |i: usize| {
        let lines = make(*sizes.get(i)?);
        fits(m, &lines, w, h).then_some(lines)
    };
    if let Some(lines) = attempt(0) {
        return Some(lines);
    }
    // sizes[lo] does not fit; find the first index that does
    let (mut lo, mut hi) = (0, sizes.len().checked_sub(1)?);
    let mut best = attempt(hi)?;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match attempt(mid) {
            Some(lines) => {
                best = lines;
                hi = mid;
            }
            None => lo = mid,
        }
    }
    Some(best)
}

/// Every barcode and QR code of `ops` encodes (checked before a page or label is started).
pub fn encodable(ops: &[Op]) -> Result<()> {
    for op in ops {
        match op {
            Op::Barcode { data, .. } => {
                super::codes::code128(data)?;
            }
            Op::Qr { data, .. } => {
                super::codes::qr(data)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Lays out one label on `template`.
pub fn layout(template: &Template, label: &Label, m: &dyn Measure) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    for f in &template.frame {
        let [x, y, w, h] = f.area;
        let t = f.line;
        ops.extend([
            Op::Fill { x, y, w, h: t },
            Op::Fill {
                x,
                y: y + h - t,
                w,
                h: t,
            },
            Op::Fill { x, y, w: t, h },
            Op::Fill {
                x: x + w - t,
                y,
                w: t,
                h,
            },
        ]);
    }
    for r in &template.rule {
        let [x, y, w, h] = r.area;
        let t = r.line;
        let len = w.max(h);
        let (dash, gap) = if r.dashed { (2.0, 1.5) } else { (len, 0.0) };
        let mut at = 0.0;
        while at < len {
            let d = dash.min(len - at);
            ops.push(if h == 0.0 {
                Op::Fill {
                    x: x + at,
                    y: y - t / 2.0,
                    w: d,
                    h: t,
                }
            } else {
                Op::Fill {
                    x: x - t / 2.0,
                    y: y + at,
                    w: t,
                    h: d,
                }
            });
            at += dash + gap;
        }
    }
    for t in &template.text {
        let [x, y, w, h] = t.area;
        let skip = caption(&mut ops, m, &t.caption, t.caption_font, x, y);
        let value = resolve(&t.pieces(), label);
        if value.is_empty() {
            continue;
        }
        let (cx, cw) = (x + PAD + skip, w - 2.0 * PAD - skip);
        let ch = h - PAD;
        let what = t.field.as_deref().unwrap_or("text");
        let lines = largest(m, t.font, cw, ch, |s| {
            wrap_all(m, &value, s, pt(cw))
                .into_iter()
                .map(|l| (l, s))
                .collect()
        })
        .ok_or_else(|| does_not_fit(label, template, what))?;
        place(
            &mut ops,
            m,
            &lines,
            cx,
            cw,
            y + PAD * 0.5,
            ch,
            t.align,
            t.valign,
        );
    }
    for r in &template.recipient {
        let [x, y, w, h] = r.area;
        let skip = caption(&mut ops, m, &r.caption, r.caption_font, x, y);
        let (cx, cw) = (x + PAD + skip, w - 2.0 * PAD - skip);
        let ch = h - PAD;
        let lines = largest(m, r.font, cw, ch, |s| {
            recipient_lines(m, label, s, pt(cw), r.note)
        })
        .ok_or_else(|| does_not_fit(label, template, "address"))?;
        place(
            &mut ops,
            m,
            &lines,
            cx,
            cw,
            y + PAD * 0.5,
            ch,
            Align::Left,
            Valign::Top,
        );
    }
    for b in &template.barcode {
        let data = label.field(&b.field);
        if data.is_empty() {
            continue;
        }
        let [x, y, w, h] = b.area;
        ops.push(Op::Barcode {
            x,
            y,
            w,
            h,
            data: data.to_owned(),
        });
    }
    for q in &template.qr {
        let data = label.field(&q.field);
        if data.is_empty() {
            continue;
        }
        let [x, y, w, h] = q.area;
        ops.push(Op::Qr {
            x,
            y,
            side: w.min(h),
            data: data.to_owned(),
        });
    }
    Ok(ops)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::label::template::BUILT_IN;

    /// Fixed widths: CJK one em, the rest half an em.
    struct Mono;
    impl Measure for Mono {
        fn width(&self, text: &str, size: f32) -> f32 {
            text.chars()
                .map(|c| if c as u32 > 0x2E80 { size } else { size / 2.0 })
                .sum()
        }
        fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
            crate::label::wrap_with(text, max, |s| self.width(s, size))
        }
    }

    fn label(street: &str) -> Label {
        let a: sealpost::Address = serde_json::from_value(serde_json::json!({
            "name": "张三", "phone": "13812345678", "country": "CN",
            "addressLevel1": "浙江省", "addressLevel2": "杭州市", "addressLevel3": "西湖区",
            "streetLines": [street], "postalCode": "310012"
        }))
        .unwrap();
        let mut l = Label::new(&a, "ORD-1", "杭州仓", true).unwrap();
        l.fields.insert("waybill".into(), "SF1234567890".into());
        l.fields.insert("weight".into(), "1.2".into());
        l
    }

    #[test]
    fn every_built_in_lays_out_inside_its_page() {
        for (name, text) in BUILT_IN {
            let t = Template::parse(text, name).unwrap();
            let ops = layout(&t, &label("文三路 90 号"), &Mono).unwrap();
            assert!(
                ops.iter()
                    .any(|o| matches!(o, Op::Barcode { data, .. } if data == "SF1234567890")),
                "{name}"
            );
            assert!(
                ops.iter()
                    .any(|o| matches!(o, Op::Qr { data, .. } if data == "ORD-1")),
                "{name}"
            );
            for o in &ops {
                if let Op::Text { x, top, size, text } = o {
                    assert!(
                        *x >= 0.0 && x + mm(Mono.width(text, *size)) <= t.width + 0.5,
                        "{name} {text}"
                    );
                    assert!(
                        *top >= 0.0 && top + mm(*size) <= t.height + 0.5,
                        "{name} {text}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_address_too_long_is_refused_not_cut() {
        let t = Template::parse(BUILT_IN[0].1, "cn-76x130").unwrap();
        let e = layout(&t, &label(&"很长的路".repeat(60)), &Mono).unwrap_err();
        assert_eq!(e.code(), "address_does_not_fit");
    }

    #[test]
    fn an_empty_field_leaves_its_box_blank() {
        let t = Template::parse(
            "width = 50\nheight = 50\n[[text]]\nbox = [0, 0, 50, 10]\ntext = \"W {weight} kg\"\nfont = 8\n\
             [[text]]\nbox = [0, 10, 50, 10]\ntext = \"P {pieces}\"\nfont = 8\n",
            "t",
        )
        .unwrap();
        let ops = layout(&t, &label("x"), &Mono).unwrap();
        let texts: Vec<_> = ops
            .iter()
            .filter_map(|o| match o {
                Op::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(texts, ["W 1.2 kg"]);
    }

    /// Mutated built-in templates that still parse lay out or refuse the label: never panic.
    #[test]
    fn mutated_templates_lay_out_or_refuse() {
        let l = label("文三路 90 号");
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize
        };
        let mut parsed = 0;
        for (_, text) in BUILT_IN {
            for _ in 0..300 {
                let mut m = text.as_bytes().to_vec();
                let at = next() % m.len();
                m[at] = b"0123456789.-"[next() % 12];
                if let Ok(t) = Template::parse(&String::from_utf8_lossy(&m), "m") {
                    parsed += 1;
                    let _ = layout(&t, &l, &Mono);
                }
            }
        }
        assert!(parsed > 100, "{parsed}");
    }
}
