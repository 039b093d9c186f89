//! Waybill templates: a page size and boxes in millimetres, read from a TOML file (the format is
//! documented in cli/README.md, "Waybill templates"; the built-ins in `cli/templates/` are
//! examples of every key). A template is data: a carrier's layout is added without Rust.
//!
//! Every template is checked when it is loaded (geometry on the page, sizes in range, field
//! names, `{placeholders}`), so that laying out a label can only fail on the label's own text
//! (`address_does_not_fit`), never on the template.

use std::path::Path;

use serde::Deserialize;

use crate::error::{CliError, Code, Result};

/// The templates built into the binary: (name, TOML).
pub const BUILT_IN: [(&str, &str); 3] = [
    ("cn-76x130", include_str!("../../templates/cn-76x130.toml")),
    (
        "cn-100x180",
        include_str!("../../templates/cn-100x180.toml"),
    ),
    ("intl-4x6", include_str!("../../templates/intl-4x6.toml")),
];

/// Fields whose value sealpost knows itself; `--field` cannot map them to a column.
pub const OWN_FIELDS: [&str; 4] = ["order", "country", "printed", "privacy"];

/// Largest template file read.
const MAX_TEMPLATE: u64 = 256 * 1024;
/// Most elements of one template.
const MAX_ELEMENTS: usize = 200;

/// A template, checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Shown in messages (the built-in name, or the file's `name`).
    #[serde(default)]
    pub name: String,
    /// Page width and height, mm.
    pub width: f32,
    pub height: f32,
    /// Carrier name printed by a `{carrier}` field when `--carrier` is not given.
    #[serde(default)]
    pub carrier: String,
    /// Default manifest column of a field (`weight = "weight_kg"`), used when the manifest has it.
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub text: Vec<Text>,
    #[serde(default)]
    pub recipient: Vec<Recipient>,
    #[serde(default)]
    pub barcode: Vec<Barcode>,
    #[serde(default)]
    pub qr: Vec<Qr>,
    #[serde(default)]
    pub frame: Vec<Frame>,
    #[serde(default)]
    pub rule: Vec<Rule>,
}

/// `[x, y, width, height]` in mm from the top left corner of the page.
pub type Boxed = [f32; 4];

/// A font size in points, or `[smallest, largest]`: the largest that fits.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
pub enum FontSize {
    Fixed(f32),
    Range([f32; 2]),
}

impl FontSize {
    /// Sizes to try, largest first, in half points.
    pub fn candidates(self) -> Vec<f32> {
        let (lo, hi) = match self {
            FontSize::Fixed(s) => (s, s),
            FontSize::Range([a, b]) => (a.min(b), a.max(b)),
        };
        let mut out = Vec::new();
        let mut s = hi;
        while s >= lo - 0.01 && out.len() < 400 {
            out.push(s);
            s -= 0.5;
        }
        out
    }

    fn check(self) -> std::result::Result<(), String> {
        let (lo, hi) = match self {
            FontSize::Fixed(s) => (s, s),
            FontSize::Range([a, b]) => (a, b),
        };
        if !(4.0..=120.0).contains(&lo) || !(4.0..=120.0).contains(&hi) || lo > hi {
            return Err(format!(
                "font must be 4-120 pt, or [smallest, largest] with smallest <= largest ({lo}, {hi} given)"
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Valign {
    #[default]
    Top,
    Middle,
    Bottom,
}

/// Text in a box: a literal with `{field}` placeholders, or one field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(rename = "box")]
    pub area: Boxed,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
    pub font: FontSize,
    #[serde(default)]
    pub align: Align,
    #[serde(default)]
    pub valign: Valign,
    /// Printed small at the top left; the text goes right of it (`收`, `重量 kg`).
    #[serde(default)]
    pub caption: String,
    #[serde(default = "default_caption_font")]
    pub caption_font: f32,
}

/// The recipient: name and phone (masked unless `--no-mask`), company, the address in its
/// country's layout, the delivery note; shrunk until it fits, refused if it cannot.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    #[serde(rename = "box")]
    pub area: Boxed,
    pub font: FontSize,
    #[serde(default)]
    pub caption: String,
    #[serde(default = "default_caption_font")]
    pub caption_font: f32,
    /// Print the delivery note (default true).
    #[serde(default = "yes")]
    pub note: bool,
}

/// A Code128 barcode of a field (default `waybill`), centred in its box.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Barcode {
    #[serde(rename = "box")]
    pub area: Boxed,
    #[serde(default = "default_barcode_field")]
    pub field: String,
}

/// A QR code of a field (default `order`), as large as the box's shorter side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qr {
    #[serde(rename = "box")]
    pub area: Boxed,
    #[serde(default = "default_qr_field")]
    pub field: String,
}

/// A rectangle's outline.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    #[serde(rename = "box")]
    pub area: Boxed,
    /// Line thickness, mm.
    #[serde(default = "default_line")]
    pub line: f32,
}

/// A horizontal (`box` height 0) or vertical (width 0) line; `dashed` for a perforation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(rename = "box")]
    pub area: Boxed,
    #[serde(default = "default_line")]
    pub line: f32,
    #[serde(default)]
    pub dashed: bool,
}

fn default_caption_font() -> f32 {
    6.5
}
fn yes() -> bool {
    true
}
fn default_barcode_field() -> String {
    "waybill".to_owned()
}
fn default_qr_field() -> String {
    "order".to_owned()
}
fn default_line() -> f32 {
    0.3
}

fn invalid(source: &str, why: impl std::fmt::Display) -> CliError {
    CliError::new(Code::InvalidTemplate, format!("template {source}: {why}")).hint(
        "see \"Waybill templates\" in cli/README.md; the built-in templates (--template cn-76x130, \
         cn-100x180, intl-4x6) show every key",
    )
}

/// Whether `name` is a field name: lowercase ASCII letters, digits and `_`, 1-40 long.
pub fn is_field_name(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The pieces of a text: literal text and `{field}` placeholders (`{{` and `}}` for braces).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    Field(String),
}

pub fn pieces(text: &str) -> std::result::Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("unclosed {{ in {text:?}")),
                    }
                }
                if !is_field_name(&name) {
                    return Err(format!(
                        "{{{name}}} in {text:?}: a field name is lowercase letters, digits and _"
                    ));
                }
                if !lit.is_empty() {
                    out.push(Piece::Lit(std::mem::take(&mut lit)));
                }
                out.push(Piece::Field(name));
            }
            '}' => return Err(format!("a lone }} in {text:?} (write }}}} for a brace)")),
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    Ok(out)
}

impl Text {
    /// The text's pieces (`field = "x"` is `text = "{x}"`); checked at load.
    pub fn pieces(&self) -> Vec<Piece> {
        match (&self.field, &self.text) {
            (Some(f), _) => vec![Piece::Field(f.clone())],
            (None, Some(t)) => pieces(t).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }
}

/// `why` about `[[kind]] number N` with the line of that table's header in `text` in front
/// (`line 12: [[barcode]] number 2: …`), when the template writes it as a `[[kind]]` header.
fn with_line(text: &str, why: &str) -> String {
    let line = why
        .strip_prefix("[[")
        .and_then(|r| r.split_once("]] number "))
        .and_then(|(kind, rest)| {
            let n: usize = rest.split(':').next()?.parse().ok()?;
            text.lines()
                .enumerate()
                .filter(|(_, l)| {
                    l.trim()
                        .strip_prefix("[[")
                        .and_then(|r| r.split_once("]]"))
                        .is_some_and(|(k, _)| k.trim() == kind)
                })
                .nth(n.checked_sub(1)?)
                .map(|(i, _)| i + 1)
        });
    match line {
        Some(l) => format!("line {l}: {why}"),
        None => why.to_owned(),
    }
}

impl Template {
    /// A built-in template by name, or a template file.
    pub fn load(name_or_file: &str) -> Result<Template> {
        if let Some((name, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_file) {
            return Template::parse(text, name);
        }
        let path = Path::new(name_or_file);
        if !path.is_file() {
            return Err(CliError::new(
                Code::Usage,
                format!("--template {name_or_file}: neither a built-in template nor a file"),
            )
            .hint(format!(
                "built-in templates: {}",
                BUILT_IN.map(|(n, _)| n).join(", ")
            )));
        }
        let size = std::fs::metadata(path)
            .map_err(|e| CliError::io(Code::UnreadableInput, path, &e))?
            .len();
        if size > MAX_TEMPLATE {
            return Err(invalid(
                &path.display().to_string(),
                format!("larger than {MAX_TEMPLATE} bytes"),
            ));
        }
        let text =
            std::fs::read_to_string(path).map_err(|e| invalid(&path.display().to_string(), e))?;
        Template::parse(&text, &path.display().to_string())
    }

    /// Parses and checks a template; `source` names it in errors.
    pub fn parse(text: &str, source: &str) -> Result<Template> {
        let mut t: Template = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| {
                let before = text.get(..s.start).unwrap_or_default();
                let line = before.matches('\n').count() + 1;
                format!("line {line}: ")
            });
            invalid(
                source,
                format!("{}{}", at.unwrap_or_default(), e.message().trim_end()),
            )
        })?;
        if t.name.is_empty() {
            t.name = source.to_owned();
        }
        t.check()
            .map_err(|why| invalid(source, with_line(text, &why)))?;
        Ok(t)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if !(20.0..=400.0).contains(&self.width) || !(20.0..=400.0).contains(&self.height) {
            return Err(format!(
                "width and height must be 20-400 mm ({} x {} given)",
                self.width, self.height
            ));
        }
        let count = self.text.len()
            + self.recipient.len()
            + self.barcode.len()
            + self.qr.len()
            + self.frame.len()
            + self.rule.len();
        if count > MAX_ELEMENTS {
            return Err(format!("more than {MAX_ELEMENTS} elements"));
        }
        if self.carrier.chars().count() > 60 || self.carrier.chars().any(char::is_control) {
            return Err("carrier: at most 60 characters, no control characters".to_owned());
        }
        for (field, column) in &self.columns {
            if !is_field_name(field) || OWN_FIELDS.contains(&field.as_str()) {
                return Err(format!(
                    "[columns] {field}: not a field a manifest column can fill"
                ));
            }
            if column.is_empty() {
                return Err(format!("[columns] {field}: empty column name"));
            }
        }
        let page =
            |what: &str, i: usize, b: &Boxed, flat: bool| -> std::result::Result<(), String> {
                let [x, y, w, h] = *b;
                let ok = b.iter().all(|v| v.is_finite())
                    && x >= 0.0
                    && y >= 0.0
                    && w >= 0.0
                    && h >= 0.0
                    && (flat || (w > 0.0 && h > 0.0))
                    && x + w <= self.width + 0.01
                    && y + h <= self.height + 0.01;
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                    "[[{what}]] number {}: box [{x}, {y}, {w}, {h}] is not [x, y, width, height] \
                     inside the {} x {} mm page",
                    i + 1,
                    self.width,
                    self.height
                ))
                }
            };
        let caption =
            |what: &str, i: usize, c: &str, size: f32| -> std::result::Result<(), String> {
                if c.chars().count() > 40 || c.chars().any(char::is_control) {
                    return Err(format!(
                    "[[{what}]] number {}: caption: at most 40 characters, no control characters",
                    i + 1
                ));
                }
                FontSize::Fixed(size)
                    .check()
                    .map_err(|e| format!("[[{what}]] number {}: caption_font: {e}", i + 1))
            };
        for (i, t) in self.text.iter().enumerate() {
            page("text", i, &t.area, false)?;
            caption("text", i, &t.caption, t.caption_font)?;
            t.font
                .check()
                .map_err(|e| format!("[[text]] number {}: {e}", i + 1))?;
            match (&t.text, &t.field) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(format!(
                        "[[text]] number {}: give either text = \"…\" or field = \"name\"",
                        i + 1
                    ))
                }
                (Some(text), None) => {
                    if text.chars().count() > 400
                        || text.chars().any(|c| c.is_control() && c != '\n')
                    {
                        return Err(format!(
                            "[[text]] number {}: text: at most 400 characters, no control characters but newlines",
                            i + 1
                        ));
                    }
                    pieces(text).map_err(|e| format!("[[text]] number {}: {e}", i + 1))?;
                }
                (None, Some(f)) => {
                    if !is_field_name(f) {
                        return Err(format!(
                            "[[text]] number {}: field {f:?}: a field name is lowercase letters, digits and _",
                            i + 1
                        ));
                    }
                }
            }
        }
        for (i, r) in self.recipient.iter().enumerate() {
            page("recipient", i, &r.area, false)?;
            caption("recipient", i, &r.caption, r.caption_font)?;
            r.font
                .check()
                .map_err(|e| format!("[[recipient]] number {}: {e}", i + 1))?;
        }
        for (i, b) in self.barcode.iter().enumerate() {
            page("barcode", i, &b.area, false)?;
            if !is_field_name(&b.field) {
                return Err(format!("[[barcode]] number {}: field {:?}", i + 1, b.field));
            }
        }
        for (i, q) in self.qr.iter().enumerate() {
            page("qr", i, &q.area, false)?;
            if !is_field_name(&q.field) {
                return Err(format!("[[qr]] number {}: field {:?}", i + 1, q.field));
            }
        }
        for (i, f) in self.frame.iter().enumerate() {
            page("frame", i, &f.area, false)?;
            if !(0.1..=5.0).contains(&f.line) {
                return Err(format!("[[frame]] number {}: line must be 0.1-5 mm", i + 1));
            }
        }
        for (i, r) in self.rule.iter().enumerate() {
            page("rule", i, &r.area, true)?;
            let [_, _, w, h] = r.area;
            if (w == 0.0) == (h == 0.0) {
                return Err(format!(
                    "[[rule]] number {}: a rule is horizontal (height 0) or vertical (width 0)",
                    i + 1
                ));
            }
            if !(0.1..=5.0).contains(&r.line) {
                return Err(format!("[[rule]] number {}: line must be 0.1-5 mm", i + 1));
            }
        }
        Ok(())
    }

    /// Every field name the template prints.
    #[cfg(test)]
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .text
            .iter()
            .flat_map(Text::pieces)
            .filter_map(|p| match p {
                Piece::Field(f) => Some(f),
                Piece::Lit(_) => None,
            })
            .chain(self.barcode.iter().map(|b| b.field.clone()))
            .chain(self.qr.iter().map(|q| q.field.clone()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn built_ins_parse() {
        for (name, text) in BUILT_IN {
            let t = Template::parse(text, name).unwrap();
            assert!(t.fields().contains(&"waybill".to_owned()), "{name}");
        }
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            pieces("重量 {weight} kg {{x}}").unwrap(),
            [
                Piece::Lit("重量 ".into()),
                Piece::Field("weight".into()),
                Piece::Lit(" kg {x}".into())
            ]
        );
        assert!(pieces("{Weight}").is_err());
        assert!(pieces("{weight").is_err());
        assert!(pieces("a } b").is_err());
    }

    #[test]
    fn errors_name_the_line() {
        let e = Template::parse("width = 76\nheight = \"x\"\n", "t.toml").unwrap_err();
        assert_eq!(e.code(), "invalid_template");
        assert!(e.message().contains("t.toml: line 2"), "{}", e.message());
        let e = Template::parse(
            "width = 76\nheight = 130\n[[text]]\nbox = [70, 0, 10, 5]\ntext = \"x\"\nfont = 8\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(
            e.message()
                .contains("t.toml: line 3: [[text]] number 1: box"),
            "{}",
            e.message()
        );
    }

    /// Every template made by cutting, duplicating or changing bytes of a built-in one parses
    /// or is refused: no panic.
    #[test]
    fn mutated_templates_never_panic() {
        let (_, text) = BUILT_IN[1];
        let bytes = text.as_bytes();
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as usize
        };
        for _ in 0..400 {
            let mut m = bytes.to_vec();
            for _ in 0..1 + next() % 4 {
                let at = next() % m.len();
                match next() % 4 {
                    0 => {
                        m.remove(at);
                    }
                    1 => m.insert(at, b"0-9[]{}=\".,\n"[next() % 12]),
                    2 => m[at] = b"0123456789"[next() % 10],
                    _ => {
                        let end = (at + next() % 40).min(m.len());
                        m.drain(at..end);
                    }
                }
            }
            let s = String::from_utf8_lossy(&m);
            let _ = Template::parse(&s, "mutated");
        }
    }
}
