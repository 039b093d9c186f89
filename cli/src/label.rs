//! `sealpost label -i FILE… [--batch] -o LABELS [FILE]`: shipping labels from envelopes (opened
//! and audited as `open` does) or from already-opened address records (`--opened`).
//!
//! - Each label is rendered in memory first (font coverage and fit checked), then the opening
//!   is appended to the audit log with `"label":"masked"` or `"full"`, and only then written.
//! - The output goes to a 0600 temporary file next to OUTPUT, renamed when complete, like
//!   `open --batch`; records without a label go to the reject file with their manifest line.
//! - Batch: the manifest is read and opened in chunks (`batch.rs`), labels are laid out in
//!   manifest order.

mod codes;
mod content;
mod fields;
mod font;
mod join;
mod layout;
mod mask;
mod pdf;
mod template;
mod text;
mod zpl;

use std::{
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
};

use sealpost::{Address, KeyId};
use serde_json::{Map, Value};

use crate::{
    cli::{Format, LabelArgs, LabelFormat, LabelSize},
    error::{CliError, Code, Result},
    input,
    manifest::{self, Item, Manifest, Outcome, Rest, Source, TempOut},
    open,
};

pub use content::Label;
use fields::Waybill;

/// The label of `address`, with the waybill template's fields filled from its record
/// (`column` looks a manifest column up).
fn make_label(
    address: &Address,
    order: &str,
    sender: &str,
    masked: bool,
    waybill: Option<&Waybill>,
    column: impl Fn(&str) -> Option<String>,
    key: Option<KeyId>,
) -> Result<Label> {
    let mut label = Label::new(address, order, sender, masked)?;
    if let Some(w) = waybill {
        w.fill(&mut label, column, key);
    }
    Ok(label)
}

fn no_column(_: &str) -> Option<String> {
    None
}

/// A label size.
#[derive(Debug, Clone, Copy)]
pub struct Dimensions {
    pub name: &'static str,
    pub width_mm: f32,
    pub height_mm: f32,
}

impl From<LabelSize> for Dimensions {
    fn from(size: LabelSize) -> Self {
        match size {
            LabelSize::L100x150 => Dimensions {
                name: "100x150",
                width_mm: 100.0,
                height_mm: 150.0,
            },
            LabelSize::L76x130 => Dimensions {
                name: "76x130",
                width_mm: 76.0,
                height_mm: 130.0,
            },
        }
    }
}

#[cfg(test)]
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFD)
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFD)
}

/// Titles that follow a Chinese name; a name of one to three Han characters before one of
/// these is kept with it on one line (「王先生」, not 「王 / 先生」) when the line allows.
const TITLES: [&str; 9] = [
    "先生", "女士", "小姐", "太太", "夫人", "老师", "师傅", "同学", "经理",
];

/// Byte offsets where `text` may break (a line may end there), by UAX #14: after spaces,
/// between ideographs, never before closing punctuation (「）」「。」「，」) or after opening
/// punctuation; minus the inside of a short Chinese name with its title.
fn break_points(text: &str) -> Vec<usize> {
    let mut keep: Vec<std::ops::Range<usize>> = Vec::new();
    for title in TITLES {
        for (at, _) in text.match_indices(title) {
            let before = text.get(..at).unwrap_or_default();
            let name: Vec<char> = before
                .chars()
                .rev()
                .take_while(|c| is_han(*c))
                .take(4)
                .collect();
            // a name is 1-3 characters; more Han before it is a longer run of text
            if (1..=3).contains(&name.len()) {
                let bytes: usize = name.iter().map(|c| c.len_utf8()).sum();
                keep.push(at - bytes..at + title.len());
            }
        }
    }
    unicode_linebreak::linebreaks(text)
        .map(|(at, _)| at)
        .filter(|at| !keep.iter().any(|k| k.start < *at && *at < k.end))
        .collect()
}

/// Greedy line breaking of `text` into lines no wider than `max` as `measure` sees them, at
/// the break points of [`break_points`]; inside a word (between grapheme clusters) only if
/// it alone is too wide.
pub fn wrap_with(text: &str, max: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let text = text.trim();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut from = 0;
    for at in break_points(text) {
        let Some(piece) = text.get(from..at) else {
            continue;
        };
        from = at;
        let joined = format!("{line}{piece}");
        if measure(joined.trim_end()) <= max {
            line = joined;
            continue;
        }
        if !line.trim().is_empty() {
            lines.push(line.trim_end().to_owned());
        }
        line = piece.trim_start().to_owned();
        if measure(line.trim_end()) > max {
            // a word too wide for a line on its own: split between grapheme clusters
            let word = std::mem::take(&mut line);
            for g in unicode_segmentation::UnicodeSegmentation::graphemes(word.as_str(), true) {
                let joined = format!("{line}{g}");
                if measure(joined.trim_end()) > max && !line.trim().is_empty() {
                    lines.push(line.trim_end().to_owned());
                    line = g.trim_start().to_owned();
                } else {
                    line = joined;
                }
            }
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// [`wrap_with`] measured in a font at a size.
pub fn wrap(font: &font::LabelFont, text: &str, size: f32, max: f32) -> Vec<String> {
    wrap_with(text, max, |s| font.width(s, size))
}

/// Where labels go.
enum Sink {
    Pdf(Box<pdf::Pdf>),
    Zpl { zpl: zpl::Zpl, out: TempOut },
}

/// A label rendered in memory, not yet written.
enum Rendered {
    /// On a page of the PDF's part in memory; the part goes to the file once all its labels
    /// are written.
    Pdf,
    Zpl(String),
}

impl Sink {
    fn create(args: &LabelArgs, format: LabelFormat, waybill: Option<&Waybill>) -> Result<Sink> {
        let template = waybill.map(|w| w.template.clone());
        let size = Dimensions::from(args.size);
        match format {
            LabelFormat::Pdf => {
                let font = font::LabelFont::find(
                    args.font.as_deref(),
                    args.font_index,
                    &args.fallback_font,
                )?;
                Ok(Sink::Pdf(Box::new(
                    pdf::Pdf::new(font, size, &args.output)?.with_template(template),
                )))
            }
            LabelFormat::Zpl => {
                let dpmm = match args.zpl_dpi {
                    203 => 8,
                    300 => 12,
                    other => {
                        return Err(manifest::usage(format!(
                            "--zpl-dpi {other}: use 203 or 300"
                        )))
                    }
                };
                if args.zpl_font.is_empty()
                    || args
                        .zpl_font
                        .chars()
                        .any(|c| c.is_control() || "^~,".contains(c))
                {
                    return Err(manifest::usage(
                        "--zpl-font must name a printer font, such as E:ANMDS.TTF or 0",
                    ));
                }
                Ok(Sink::Zpl {
                    zpl: zpl::Zpl {
                        size,
                        dpmm,
                        font: args.zpl_font.clone(),
                        template: template.map(Box::new),
                    },
                    out: TempOut::create(&args.output)?,
                })
            }
        }
    }

    /// Checks and lays out one label in memory.
    fn render(&mut self, label: &Label) -> Result<Rendered> {
        match self {
            Sink::Pdf(pdf) => {
                pdf.add(label)?;
                Ok(Rendered::Pdf)
            }
            Sink::Zpl { zpl, .. } => Ok(Rendered::Zpl(zpl.label(label)?)),
        }
    }

    fn write(&mut self, rendered: Rendered) -> Result<()> {
        match (self, rendered) {
            (Sink::Zpl { out, .. }, Rendered::Zpl(text)) => out
                .writer
                .write_all(text.as_bytes())
                .map_err(|e| CliError::new(Code::CannotWriteOutput, format!("output: {e}"))),
            (Sink::Pdf(pdf), Rendered::Pdf) => pdf.written(),
            _ => Ok(()),
        }
    }

    fn finish(self, path: &Path, force: bool) -> Result<()> {
        match self {
            Sink::Pdf(pdf) => pdf.finish(force),
            Sink::Zpl { out, .. } => out.finish(path, force),
        }
    }
}

fn mask_name(masked: bool) -> &'static str {
    if masked {
        "masked"
    } else {
        "full"
    }
}

pub fn run(args: LabelArgs) -> Result<()> {
    let format = args.format.unwrap_or_else(|| {
        let zpl = args
            .output
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zpl"));
        if zpl {
            LabelFormat::Zpl
        } else {
            LabelFormat::Pdf
        }
    });
    if let Some(bad) = args
        .sender
        .as_deref()
        .filter(|s| s.chars().count() > 120 || s.chars().any(|c| c.is_control() || c == '\u{2028}'))
    {
        return Err(CliError::new(
            Code::InvalidSender,
            format!(
                "--sender must be at most 120 characters without control characters ({} given)",
                bad.chars().count()
            ),
        ));
    }
    if !args.force && args.output.exists() {
        return Err(CliError::new(
            Code::OutputExists,
            format!("{} exists", args.output.display()),
        )
        .hint("choose another name, or pass --force to replace it"));
    }
    let masked = !args.no_mask;
    let sender = args.sender.clone().unwrap_or_default();
    // a bad template or --field is refused before anything is opened
    let waybill = Waybill::new(&args)?;
    let w = waybill.as_ref();
    match (args.opened, args.batch) {
        (false, false) => single(&args, format, masked, &sender, w),
        (false, true) => from_manifest(&args, format, masked, &sender, w),
        (true, _) => from_opened(&args, format, masked, &sender, w),
    }
}

/// One envelope: opened, audited and labelled like `sealpost open`.
fn single(
    args: &LabelArgs,
    format: LabelFormat,
    masked: bool,
    sender: &str,
    waybill: Option<&Waybill>,
) -> Result<()> {
    let mut attempt = open::Attempt::start(
        &args.identity,
        &args.audit,
        &args.passphrase,
        args.input.as_deref(),
        args.order.as_deref(),
        "label",
    )?;
    let mut sink = Sink::create(args, format, waybill)?;
    // laid out before the audit record, which says whether a label was made
    let rendered = match &attempt.result {
        Ok((address, _)) => {
            let order = attempt.envelope.order_ref();
            let key = attempt.event.key_id;
            let label = make_label(address, order, sender, masked, waybill, no_column, key);
            Some(label.and_then(|l| sink.render(&l)))
        }
        Err(_) => None,
    };
    if matches!(rendered, Some(Ok(_))) {
        attempt.event.label = Some(mask_name(masked));
    }
    attempt.log_event()?;
    attempt.take_result()?;
    if let Some(rendered) = rendered {
        sink.write(rendered?)?;
    }
    sink.finish(&args.output, args.force)?;
    eprintln!(
        "sealpost: wrote 1 {} label for order {} to {}; audit record in {}",
        mask_name(masked),
        attempt.envelope.order_ref(),
        args.output.display(),
        attempt.log.path().display()
    );
    Ok(())
}

/// Counts and the reject file of a batch.
struct Tally {
    read: u64,
    labelled: u64,
    rejected: u64,
    rejects: TempOut,
    path: PathBuf,
}

impl Tally {
    fn new(args: &LabelArgs) -> Result<Tally> {
        let path = manifest::rejects_path(&args.output, args.rejects.as_deref())?;
        manifest::refuse_existing(
            &path,
            args.force,
            "choose another name, or pass --force to replace it",
        )?;
        Ok(Tally {
            read: 0,
            labelled: 0,
            rejected: 0,
            rejects: TempOut::create(&path)?,
            path,
        })
    }

    fn reject(&mut self, item: &Item, e: &CliError) -> Result<()> {
        self.rejected += 1;
        self.rejects.write_reject(item, e.code(), e.message())
    }

    /// Makes the outputs visible (rejects first) and reports; exit 7 if anything was rejected.
    fn finish(
        self,
        sink: Sink,
        args: &LabelArgs,
        masked: bool,
        input_name: &str,
        audit: Option<&Path>,
    ) -> Result<()> {
        // labels first; if the rejects file then cannot be written, the labels are taken
        // back: both or neither (a rerun must not meet `output_exists`)
        manifest::publish(
            &args.output,
            || sink.finish(&args.output, args.force),
            self.rejects,
            &self.path,
            args.force,
        )?;
        eprintln!(
            "sealpost: read {} records from {input_name}: {} labelled, {} rejected",
            self.read, self.labelled, self.rejected
        );
        eprintln!(
            "sealpost: wrote {} {} labels to {}, rejects to {}{}",
            self.labelled,
            mask_name(masked),
            args.output.display(),
            self.path.display(),
            audit.map_or_else(
                || "; nothing opened, nothing audited".to_owned(),
                |p| format!("; {} audit records in {}", self.read, p.display())
            )
        );
        if self.rejected > 0 {
            return Err(manifest::rejected(
                format!("{} of {} records have no label", self.rejected, self.read),
                &self.path,
            ));
        }
        Ok(())
    }
}

/// A manifest of envelopes: opened in parallel per chunk by `manifest.rs`, audited per chunk,
/// labelled in manifest order.
fn from_manifest(
    args: &LabelArgs,
    format: LabelFormat,
    masked: bool,
    sender: &str,
    waybill: Option<&Waybill>,
) -> Result<()> {
    let mut tally = Tally::new(args)?;
    let (mut log, identities, expired) = manifest::unlock(
        &args.identity,
        &args.audit,
        &args.passphrase,
        "label --batch",
    )?;
    let mut sink = Sink::create(args, format, waybill)?;
    let source = Source {
        input: args.input.as_deref(),
        format: args.manifest_format,
        order_column: &args.order_column,
        envelope_column: Some(&args.envelope_column),
        allow_expired: args.allow_expired,
        jobs: args.jobs,
    };
    let mut manifest = Manifest::open(&source, &identities, expired)?;
    // the manifest's own columns, as `Rest::Csv` holds them (the envelope column left out)
    let columns: Vec<String> = match &manifest.header {
        Some(header) => {
            if let Some(w) = waybill {
                w.check_header(header, &manifest.input_name)?;
            }
            let envelope_at = header.iter().position(|h| *h == args.envelope_column);
            header
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != envelope_at)
                .map(|(_, h)| h.clone())
                .collect()
        }
        None => Vec::new(),
    };
    let progress = manifest::progress_bar(args.quiet, None);
    while let Some(done) = manifest.next_chunk() {
        let done = done?;
        // lay out every opened record in memory, then audit the chunk, then write
        let mut rendered = Vec::with_capacity(done.len());
        let mut events = Vec::with_capacity(done.len());
        for d in &done {
            let mut event = manifest::event(d, &identities);
            let r = match &d.outcome {
                Outcome::Opened { address, .. } => {
                    let order = d.item.order.as_deref().unwrap_or_default();
                    let column = fields::lookup(&d.item.rest, &columns);
                    let key = event.key_id;
                    let r = make_label(address, order, sender, masked, waybill, column, key)
                        .and_then(|l| sink.render(&l));
                    if r.is_ok() {
                        event.label = Some(mask_name(masked));
                    }
                    Some(r)
                }
                Outcome::Rejected { .. } => None,
            };
            events.push(event);
            rendered.push(r);
        }
        log.append(&events)?;
        for (d, r) in done.iter().zip(rendered) {
            tally.read += 1;
            match (r, &d.outcome) {
                (Some(Ok(r)), _) => {
                    sink.write(r)?;
                    tally.labelled += 1;
                }
                (Some(Err(e)), _) => tally.reject(&d.item, &e)?,
                (None, Outcome::Rejected { code, message }) => {
                    tally.rejected += 1;
                    tally.rejects.write_reject(&d.item, code, message)?;
                }
                (None, Outcome::Opened { .. }) => {}
            }
        }
        if let Some(bar) = &progress {
            bar.set_message(format!(
                "{} records, {} labelled, {} rejected",
                tally.read, tally.labelled, tally.rejected
            ));
        }
    }
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let audit = log.path().to_path_buf();
    tally.finish(sink, args, masked, &manifest.input_name, Some(&audit))
}

fn plain_item(line: u64, order: Option<String>, rest: Rest) -> Item {
    Item {
        line,
        order,
        envelope: None,
        rest,
        bad: None,
    }
}

fn bad_record(code: Code, message: impl std::fmt::Display) -> CliError {
    CliError::new(code, message)
}

/// A record that does not parse as an address: where, or which field, never the value
/// (serde's messages quote it: a street, a name).
fn not_an_address(e: &serde_json::Error) -> CliError {
    let why = if e.is_syntax() || e.is_eof() {
        format!("not valid JSON (line {}, column {})", e.line(), e.column())
    } else {
        sealpost::address::shape_error_message(&e.to_string())
    };
    bad_record(
        Code::InvalidAddress,
        format!("not an address record: {why}"),
    )
}

/// An opened address record: validated as a sealed one would have been.
fn checked(address: Address, order: &str) -> Result<Address> {
    sealpost::envelope::validate_order_ref(order).map_err(CliError::from)?;
    address
        .validate()
        .map_err(|e| bad_record(Code::InvalidAddress, format!("{}: {e}", e.code())))?;
    Ok(address)
}

/// Addresses already opened: `open` output (one JSON object, with --order), or `open --batch`
/// output (NDJSON with an `address` object, or CSV with the address columns).
fn from_opened(
    args: &LabelArgs,
    format: LabelFormat,
    masked: bool,
    sender: &str,
    waybill: Option<&Waybill>,
) -> Result<()> {
    if !args.batch {
        let order = args.order.clone().ok_or_else(|| {
            manifest::usage("label --opened without --batch needs --order REF for the label")
        })?;
        let text = input::read_text(args.input.as_deref(), "address")?;
        let address: Address = serde_json::from_str(&text).map_err(|e| not_an_address(&e))?;
        let address = checked(address, &order)?;
        let mut sink = Sink::create(args, format, waybill)?;
        let label = make_label(&address, &order, sender, masked, waybill, no_column, None)?;
        let rendered = sink.render(&label)?;
        sink.write(rendered)?;
        sink.finish(&args.output, args.force)?;
        eprintln!(
            "sealpost: wrote 1 {} label for order {order} to {}",
            mask_name(masked),
            args.output.display()
        );
        return Ok(());
    }
    let mut tally = Tally::new(args)?;
    let mut sink = Sink::create(args, format, waybill)?;
    let (reader, input_name, _) = manifest::open_input(args.input.as_deref())?;
    let in_format = manifest::input_format(args.manifest_format, args.input.as_deref());
    let mut label_one = |tally: &mut Tally,
                         item: Item,
                         columns: &[String],
                         parsed: Result<Address>|
     -> Result<()> {
        tally.read += 1;
        let order = item.order.clone().unwrap_or_default();
        let column = fields::lookup(&item.rest, columns);
        let result = parsed
            .and_then(|a| checked(a, &order))
            .and_then(|a| make_label(&a, &order, sender, masked, waybill, column, None))
            .and_then(|l| sink.render(&l));
        match result {
            Ok(r) => {
                sink.write(r)?;
                tally.labelled += 1;
                Ok(())
            }
            Err(e) => tally.reject(&item, &e),
        }
    };
    match in_format {
        Format::Ndjson => {
            let mut reader = BufReader::new(reader);
            let mut buf = String::new();
            let mut line = 0u64;
            loop {
                buf.clear();
                let n = reader
                    .read_line(&mut buf)
                    .map_err(|e| CliError::new(Code::UnreadableInput, e))?;
                if n == 0 {
                    break;
                }
                line += 1;
                let mut object = match serde_json::from_str::<Value>(&buf) {
                    Ok(Value::Object(o)) => o,
                    _ => Map::new(),
                };
                let order = match object.get(&args.order_column) {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                let parsed = match object.remove("address") {
                    Some(a) => serde_json::from_value::<Address>(a).map_err(|e| not_an_address(&e)),
                    None => Err(bad_record(
                        Code::MalformedRecord,
                        "not a JSON object with an \"address\" field",
                    )),
                };
                label_one(
                    &mut tally,
                    plain_item(line, order, Rest::Json(object)),
                    &[],
                    parsed,
                )?;
            }
        }
        Format::Csv => {
            let mut csv = csv::ReaderBuilder::new().from_reader(reader);
            let header = csv
                .headers()
                .map_err(|e| CliError::new(Code::UnreadableInput, e))?
                .clone();
            let at = |name: &str| {
                header
                    .iter()
                    .position(|h| h.trim_start_matches('\u{feff}') == name)
            };
            let Some(order_at) = at(&args.order_column) else {
                return Err(CliError::new(
                    Code::MissingColumn,
                    format!("{input_name}: no {:?} column", args.order_column),
                ));
            };
            let columns: Vec<String> = header.iter().map(str::to_owned).collect();
            if let Some(w) = waybill {
                w.check_header(&columns, &input_name)?;
            }
            for record in csv.records() {
                let record = record.map_err(|e| CliError::new(Code::UnreadableInput, e))?;
                let line = record.position().map_or(0, csv::Position::line);
                let address = sealpost::Address::from_csv_cells(|column| {
                    at(column)
                        .and_then(|i| record.get(i))
                        .map_or("", manifest::unguard)
                });
                let order = record.get(order_at).map(str::to_owned);
                let rest = Rest::Csv(record.iter().map(str::to_owned).collect());
                label_one(
                    &mut tally,
                    plain_item(line, order, rest),
                    &columns,
                    Ok(address),
                )?;
            }
        }
    }
    tally.finish(sink, args, masked, &input_name, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mono(s: &str) -> f32 {
        s.chars().map(|c| if is_cjk(c) { 2.0 } else { 1.0 }).sum()
    }

    #[test]
    fn wraps_latin_at_spaces() {
        assert_eq!(
            wrap_with("Unter den Linden 5", 10.0, mono),
            ["Unter den", "Linden 5"]
        );
    }

    #[test]
    fn wraps_chinese_between_characters() {
        assert_eq!(
            wrap_with("浙江省杭州市西湖区文三路", 10.0, mono),
            ["浙江省杭州", "市西湖区文", "三路"]
        );
    }

    #[test]
    fn breaks_a_word_only_when_it_alone_is_too_wide() {
        assert_eq!(
            wrap_with("ABCDEFGHIJKL", 5.0, mono),
            ["ABCDE", "FGHIJ", "KL"]
        );
        assert_eq!(wrap_with("", 5.0, mono), [""]);
    }

    #[test]
    fn no_closing_punctuation_starts_a_line() {
        // 「文三路九十号」 fills the line; 「）」 alone may not start the next one
        assert_eq!(
            wrap_with("文三路九十号）东部", 12.0, mono),
            ["文三路九十", "号）东部"]
        );
        assert_eq!(wrap_with("杭州市西湖。", 10.0, mono), ["杭州市西", "湖。"]);
        assert_eq!(wrap_with("浙江，杭州", 4.0, mono), ["浙", "江，", "杭州"]);
        // nor does an opening bracket end one
        assert_eq!(wrap_with("西湖区（文三", 8.0, mono), ["西湖区", "（文三"]);
    }

    #[test]
    fn a_chinese_name_stays_with_its_title() {
        // 「收件：王」 fits the first line, but 「王 / 先生」 is not split
        assert_eq!(
            wrap_with("收件：王先生转交", 10.0, mono),
            ["收件：", "王先生转交"]
        );
        assert_eq!(wrap_with("张伟女士", 6.0, mono), ["张伟女", "士"]);
        assert_eq!(wrap_with("张伟女士", 8.0, mono), ["张伟女士"]);
    }

    #[test]
    fn latin_words_stay_whole_unless_one_alone_is_too_wide() {
        assert_eq!(
            wrap_with("Schönhauser Allee 36", 12.0, mono),
            ["Schönhauser", "Allee 36"]
        );
        assert_eq!(
            wrap_with("Donaudampfschifffahrt 1", 10.0, mono),
            ["Donaudampf", "schifffahr", "t 1"]
        );
        // a Latin word next to Chinese is not cut in two
        assert_eq!(
            wrap_with("上海 Pudong 大道", 9.0, mono),
            ["上海", "Pudong 大", "道"]
        );
    }
}
