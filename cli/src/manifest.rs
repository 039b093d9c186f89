//! The manifest pipeline shared by `open --batch` (`batch.rs`) and `label --batch` (`label.rs`):
//! reading NDJSON or CSV manifests on a thread in chunks, opening each chunk in parallel (input
//! order kept), the reject file, the 0600 `.partial` outputs renamed only when complete (removed
//! on SIGINT/SIGTERM/SIGHUP). The CSV address columns come from the core's field table
//! (`Address::csv_columns`, `to_csv_cells`, `from_csv_cells`; SPEC.md §3.4).
//!
//! [`Manifest::open`] starts reading; [`Manifest::next_chunk`] gives each chunk opened.

use std::{
    borrow::Cow,
    fs::File,
    io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write},
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc,
    },
};

use rayon::prelude::*;
use sealpost::{Address, Envelope};
use serde_json::{Map, Value};
use tempfile::NamedTempFile;
use zeroize::Zeroizing;

use crate::{
    auditlog::{self, AuditLog, Event},
    cli::{AuditArgs, Format, PassphraseArgs},
    error::{CliError, Code, Result},
    input::{self, Usable},
    open, passphrase,
};

/// Records per chunk: opened in parallel, audited and synced together.
pub const CHUNK: usize = 1024;
/// Longest manifest line (NDJSON) or field accepted.
pub const MAX_LINE: usize = 256 * 1024;
/// One manifest record, as read.
pub struct Item {
    pub line: u64,
    pub order: Option<String>,
    pub envelope: Option<String>,
    pub rest: Rest,
    /// Set when the record itself is unreadable.
    pub bad: Option<(&'static str, String)>,
}

/// The fields passed through to the output.
pub enum Rest {
    Json(Map<String, Value>),
    Csv(Vec<String>),
}

pub enum Outcome {
    Opened {
        address: Box<Address>,
        by: usize,
        expired: bool,
    },
    Rejected {
        code: &'static str,
        message: String,
    },
}

pub struct Done {
    pub item: Item,
    pub hash: [u8; 32],
    pub outcome: Outcome,
}

pub struct Settings<'a> {
    pub identities: &'a [Usable],
    pub expired: Vec<bool>,
    pub allow_expired: bool,
    pub order_column: &'a str,
    /// The envelope's column or field; `None` for a manifest of addresses (`seal --batch`),
    /// whose records pass through whole.
    pub envelope_column: Option<&'a str>,
    /// Physical lines of the manifest read so far (after a CSV header), for the summary.
    pub lines: Arc<AtomicU64>,
}

pub fn usage(message: impl std::fmt::Display) -> CliError {
    CliError::new(Code::Usage, message)
}

/// The manifest's format: `--format`, else from its extension, else NDJSON.
pub fn input_format(format: Option<Format>, input: Option<&Path>) -> Format {
    format
        .or_else(|| detect(input.filter(|p| p.as_os_str() != "-")))
        .unwrap_or(Format::Ndjson)
}

pub fn detect(path: Option<&Path>) -> Option<Format> {
    let ext = path?.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "ndjson" | "jsonl" | "json" => Some(Format::Ndjson),
        _ => None,
    }
}

pub fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "CSV",
        Format::Ndjson => "NDJSON",
    }
}

/// Only what is not address data: the line, the order, whether an envelope is there, the
/// reject code, how many fields pass through (their values can be anything the seller put in).
impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Item")
            .field("line", &self.line)
            .field("order", &self.order)
            .field("envelope", &self.envelope.is_some())
            .field("rest", &self.rest)
            .field("bad", &self.bad.as_ref().map(|(code, _)| code))
            .finish()
    }
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rest::Json(o) => write!(f, "Json({} fields)", o.len()),
            Rest::Csv(cells) => write!(f, "Csv({} fields)", cells.len()),
        }
    }
}

/// The outcome without the address.
impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Opened { by, expired, .. } => f
                .debug_struct("Opened")
                .field("by", by)
                .field("expired", expired)
                .finish_non_exhaustive(),
            Outcome::Rejected { code, .. } => f
                .debug_struct("Rejected")
                .field("code", code)
                .finish_non_exhaustive(),
        }
    }
}

impl std::fmt::Debug for Done {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Done")
            .field("item", &self.item)
            .field("outcome", &self.outcome)
            .finish_non_exhaustive()
    }
}

/// What both batch commands take to read a manifest.
pub struct Source<'a> {
    /// The manifest; stdin for `None` or `-`.
    pub input: Option<&'a Path>,
    /// The manifest's format; else from its extension, else NDJSON.
    pub format: Option<Format>,
    pub order_column: &'a str,
    /// `None` for a manifest of addresses (`seal --batch`).
    pub envelope_column: Option<&'a str>,
    pub allow_expired: bool,
    /// Threads (all cores for `None`).
    pub jobs: Option<usize>,
}

/// The audit log opened for `command` and the identities unlocked (a failed unlock audited),
/// each with whether it is past its not-after date now.
pub fn unlock(
    identity: &[PathBuf],
    audit: &AuditArgs,
    passphrase: &PassphraseArgs,
    command: &'static str,
) -> Result<(AuditLog, Vec<Usable>, Vec<bool>)> {
    let found = input::find_identities(identity)?;
    let mut log = AuditLog::for_command(audit, command)?;
    let source = passphrase::Source::new(passphrase.passphrase_file.clone(), passphrase::ENV);
    let identities = open::unlock_audited(&mut log, found, |_| true, &source)?;
    let now = input::now();
    let expired = identities.iter().map(|u| u.expired_at(now)).collect();
    Ok((log, identities, expired))
}

/// A manifest being read on a thread and opened chunk by chunk.
pub struct Manifest<'a> {
    pub settings: Settings<'a>,
    /// The CSV header as read (`None` for NDJSON).
    pub header: Option<Vec<String>>,
    /// The file name, or `stdin`.
    pub input_name: String,
    /// Bytes of the manifest read so far, and its size if it is a file (the progress bar).
    pub consumed: Arc<AtomicU64>,
    pub total: Option<u64>,
    pool: rayon::ThreadPool,
    chunks: Chunks,
    first: bool,
}

impl<'a> Manifest<'a> {
    /// Starts reading (a CSV header is read and checked here).
    pub fn open(
        source: &Source<'a>,
        identities: &'a [Usable],
        expired: Vec<bool>,
    ) -> Result<Manifest<'a>> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(source.jobs.unwrap_or(0))
            .build()
            .map_err(|e| CliError::new(Code::InternalError, e))?;
        let (reader, input_name, total) = open_input(source.input)?;
        let consumed = Arc::new(AtomicU64::new(0));
        let reader = BufReader::with_capacity(
            256 * 1024,
            Counting {
                inner: reader,
                count: Arc::clone(&consumed),
            },
        );
        let settings = Settings {
            identities,
            expired,
            allow_expired: source.allow_expired,
            order_column: source.order_column,
            envelope_column: source.envelope_column,
            lines: Arc::new(AtomicU64::new(0)),
        };
        let (header, chunks) = match input_format(source.format, source.input) {
            Format::Ndjson => (None, spawn_ndjson(reader, &settings)),
            Format::Csv => {
                let (header, rx) = spawn_csv(reader, &settings, &input_name)?;
                (Some(header), rx)
            }
        };
        Ok(Manifest {
            settings,
            header,
            input_name,
            consumed,
            total,
            pool,
            chunks,
            first: true,
        })
    }

    /// The next chunk, every record opened (in parallel, in manifest order); `None` at the end.
    pub fn next_chunk(&mut self) -> Option<Result<Vec<Done>>> {
        let settings = &self.settings;
        let pool = &self.pool;
        let chunks = &self.chunks;
        let first = &mut self.first;
        next_items(chunks, first, settings, &self.input_name)
            .map(|chunk| chunk.map(|c| map_in(pool, c, |item| process(item, settings))))
    }

    /// Every chunk passed through `f` on the pool's threads (in manifest order), each given to
    /// `consume` on this thread **while the next chunk is processed**: the audit log's sync and
    /// the output of chunk N overlap the opening (or sealing) of chunk N + 1, so the pool never
    /// waits for the disk. At most three chunks are in memory: the one read ahead, the one being
    /// processed, the one being consumed. Stops at the first error, of reading or of `consume`.
    pub fn pipeline<T: Send>(
        &mut self,
        f: impl Fn(Item, &Settings<'a>) -> T + Sync + Send,
        mut consume: impl FnMut(Vec<T>, &Self) -> Result<()>,
    ) -> Result<()> {
        let mut pending: Option<Vec<T>> = None;
        loop {
            // A chunk not read yet (a slow stdin): the pending one is consumed first, so that
            // what was processed is audited and written without waiting for more input.
            let received = match self.chunks.try_recv() {
                Ok(chunk) => Some(chunk),
                Err(mpsc::TryRecvError::Disconnected) => None,
                Err(mpsc::TryRecvError::Empty) => {
                    if let Some(done) = pending.take() {
                        consume(done, self)?;
                    }
                    self.chunks.recv().ok()
                }
            };
            let next = match received {
                Some(chunk) => Some(checked(
                    chunk,
                    &mut self.first,
                    &self.settings,
                    &self.input_name,
                )?),
                None => None,
            };
            if next.is_none() && pending.is_none() {
                return Ok(());
            }
            let mut slot: Option<Vec<T>> = None;
            let f = &f;
            let this = &*self;
            let consumed = this.pool.in_place_scope(|scope| {
                if let Some(chunk) = next {
                    let slot = &mut slot;
                    let settings = &this.settings;
                    scope.spawn(move |_| {
                        *slot = Some(chunk.into_par_iter().map(|i| f(i, settings)).collect());
                    });
                }
                pending.take().map_or(Ok(()), |done| consume(done, this))
            });
            consumed?;
            pending = slot;
        }
    }

    /// `N records`, with the manifest's line count when records span several lines.
    pub fn records_read(&self, read: u64) -> String {
        let lines = self.settings.lines.load(Ordering::Relaxed);
        if lines == read {
            format!("{read} records")
        } else {
            format!("{read} records ({lines} lines)")
        }
    }
}

/// The next chunk as read; the first one checked by [`check_first_chunk`].
fn next_items(
    chunks: &Chunks,
    first: &mut bool,
    settings: &Settings<'_>,
    input_name: &str,
) -> Option<Result<Vec<Item>>> {
    chunks
        .recv()
        .ok()
        .map(|chunk| checked(chunk, first, settings, input_name))
}

/// A chunk as received; the first one checked by [`check_first_chunk`].
fn checked(
    chunk: Result<Vec<Item>>,
    first: &mut bool,
    settings: &Settings<'_>,
    input_name: &str,
) -> Result<Vec<Item>> {
    let chunk = chunk?;
    if std::mem::take(first) {
        check_first_chunk(&chunk, settings, input_name)?;
    }
    Ok(chunk)
}

/// `f` over a chunk on the pool's threads, results in the chunk's order.
fn map_in<T: Send>(
    pool: &rayon::ThreadPool,
    chunk: Vec<Item>,
    f: impl Fn(Item) -> T + Sync + Send,
) -> Vec<T> {
    pool.install(|| chunk.into_par_iter().map(f).collect())
}

/// The manifest (stdin for `None` or `-`), its name for messages, and its size if a file.
pub fn open_input(path: Option<&Path>) -> Result<(Box<dyn Read + Send>, String, Option<u64>)> {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let file = File::open(p).map_err(|e| CliError::io(Code::UnreadableInput, p, &e))?;
            let len = file.metadata().ok().map(|m| m.len());
            Ok((Box::new(file), p.display().to_string(), len))
        }
        None => Ok((Box::new(std::io::stdin()), "stdin".to_owned(), None)),
    }
}

/// The reject file: `--rejects`, else `OUTPUT.rejects.ndjson`; never the output itself.
pub fn rejects_path(output: &Path, rejects: Option<&Path>) -> Result<PathBuf> {
    let path = rejects.map_or_else(
        || {
            let mut name = output.as_os_str().to_owned();
            name.push(".rejects.ndjson");
            PathBuf::from(name)
        },
        Path::to_path_buf,
    );
    if path == output {
        return Err(usage("--rejects must differ from --output"));
    }
    Ok(path)
}

/// `output_exists` for an existing file, unless `force`.
pub fn refuse_existing(path: &Path, force: bool, hint: &str) -> Result<()> {
    if !force && path.exists() {
        return Err(
            CliError::new(Code::OutputExists, format!("{} exists", path.display())).hint(hint),
        );
    }
    Ok(())
}

/// Makes the outputs visible once every record was audited: the output first (the large one,
/// most likely to meet a full disk), then the reject file; if that fails the output is taken
/// back: both or neither.
pub fn publish(
    output: &Path,
    finish_output: impl FnOnce() -> Result<()>,
    rejects: TempOut,
    rejects_path: &Path,
    force: bool,
) -> Result<()> {
    finish_output()?;
    rejects.finish(rejects_path, force).inspect_err(|_| {
        let _ = std::fs::remove_file(output);
    })?;
    sync_dir(output);
    Ok(())
}

/// `records_rejected` (exit 7), pointing at the reject file.
pub fn rejected(message: String, rejects_path: &Path) -> CliError {
    CliError::new(Code::RecordsRejected, message).hint(format!(
        "{} lists each with its manifest line and error code",
        rejects_path.display()
    ))
}

pub fn event(d: &Done, identities: &[Usable]) -> Event {
    let (key_id, outcome) = match &d.outcome {
        Outcome::Opened { by, expired, .. } => (
            identities.get(*by).map(Usable::key_id),
            if *expired {
                "opened_expired_key"
            } else {
                "opened"
            },
        ),
        Outcome::Rejected { code, .. } => (None, *code),
    };
    Event {
        line: Some(d.item.line),
        order: d.item.order.clone().unwrap_or_default(),
        key_id,
        envelope: d.hash,
        outcome,
        label: None,
    }
}

pub fn process(item: Item, s: &Settings<'_>) -> Done {
    let hash = auditlog::envelope_hash(item.envelope.as_deref().unwrap_or(""));
    let outcome = open_item(&item, s);
    Done {
        item,
        hash,
        outcome,
    }
}

fn reject(code: &'static str, message: impl Into<String>) -> Outcome {
    Outcome::Rejected {
        code,
        message: message.into(),
    }
}

/// A field missing from every record of the first chunk is the manifest's problem, not each
/// record's: one error before anything is opened or audited (NDJSON; a CSV header names its
/// columns, checked when it is read).
pub fn check_first_chunk(chunk: &[Item], s: &Settings<'_>, input_name: &str) -> Result<()> {
    let objects: Vec<&Item> = chunk
        .iter()
        .filter(|i| i.bad.is_none() && matches!(i.rest, Rest::Json(_)))
        .collect();
    if objects.len() < 2 {
        return Ok(());
    }
    let missing = [
        (
            s.envelope_column,
            objects.iter().all(|i| i.envelope.is_none()),
        ),
        (
            Some(s.order_column),
            objects.iter().all(|i| i.order.is_none()),
        ),
    ];
    match missing.iter().find(|(f, m)| f.is_some() && *m) {
        Some((field, _)) => Err(CliError::new(
            Code::MissingField,
            format!(
                "{input_name}: none of the first {} records has a {:?} field; nothing was {}",
                objects.len(),
                field.unwrap_or_default(),
                if s.envelope_column.is_some() {
                    "opened"
                } else {
                    "sealed"
                },
            ),
        )
        .hint(if s.envelope_column.is_some() {
            "name the fields with --envelope-column and --order-column"
        } else {
            "name the field with --order-column"
        })),
        None => Ok(()),
    }
}

fn open_item(item: &Item, s: &Settings<'_>) -> Outcome {
    if let Some((code, message)) = &item.bad {
        return reject(code, message.clone());
    }
    let Some(text) = item.envelope.as_deref().filter(|t| !t.trim().is_empty()) else {
        return reject(
            Code::MissingEnvelope.as_str(),
            format!("no envelope in {:?}", s.envelope_column.unwrap_or_default()),
        );
    };
    let Some(order) = item.order.as_deref().filter(|o| !o.is_empty()) else {
        return reject(
            Code::MissingOrder.as_str(),
            format!("no order reference in {:?}", s.order_column),
        );
    };
    let envelope: Envelope = match text.parse() {
        Ok(e) => e,
        Err(e) => return reject(e.code(), e.to_string()),
    };
    if envelope.order_ref() != order {
        let e = sealpost::Error::OrderMismatch {
            sealed: envelope.order_ref().to_owned(),
            presented: order.to_owned(),
        };
        return reject(e.code(), e.to_string());
    }
    let allowed = |i: usize| s.allow_expired || !s.expired.get(i).copied().unwrap_or(false);
    match open::open_first(&envelope, s.identities, Some(order), allowed) {
        Ok((address, by)) => Outcome::Opened {
            address: Box::new(address),
            by,
            expired: s.expired.get(by).copied().unwrap_or(false),
        },
        Err(open::Refused { error: Some(e), .. }) => reject(e.code(), e.to_string()),
        Err(open::Refused {
            error: None,
            skipped: Some(usable),
        }) => reject(
            Code::KeyExpired.as_str(),
            format!(
                "only key id {} can open it, and it is past its not-after date {}; \
                 rerun with --allow-expired to open it anyway",
                usable.key_id(),
                usable.not_after.map(|t| t.to_string()).unwrap_or_default()
            ),
        ),
        Err(open::Refused { error: None, .. }) => {
            let e = sealpost::Error::NotARecipient;
            reject(e.code(), e.to_string())
        }
    }
}

/// Counts the bytes read, for the progress bar.
pub struct Counting<R> {
    pub inner: R,
    pub count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub type Chunks = mpsc::Receiver<Result<Vec<Item>>>;

fn read_failed(e: &std::io::Error) -> CliError {
    CliError::new(Code::UnreadableInput, format!("manifest: {e}"))
}

/// Reads NDJSON on a thread, in chunks; at most two chunks wait in the channel.
pub fn spawn_ndjson<R: BufRead + Send + 'static>(mut reader: R, s: &Settings<'_>) -> Chunks {
    let (tx, rx) = mpsc::sync_channel(2);
    let order_field = s.order_column.to_owned();
    let envelope_field = s.envelope_column.map(str::to_owned);
    let lines = Arc::clone(&s.lines);
    std::thread::spawn(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut buf = Vec::new();
        let mut line = 0u64;
        loop {
            buf.clear();
            let n = match (&mut reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)
            {
                Ok(n) => n,
                Err(e) => {
                    let _ = tx.send(Err(read_failed(&e)));
                    return;
                }
            };
            if n == 0 {
                break;
            }
            line += 1;
            lines.store(line, Ordering::Relaxed);
            let item = if buf.len() > MAX_LINE && !buf.ends_with(b"\n") {
                // skip the rest of the over-long line without keeping it
                if let Err(e) = read_physical_line(&mut reader, 0) {
                    let _ = tx.send(Err(read_failed(&e)));
                    return;
                }
                bad_item(
                    line,
                    Code::RecordTooLarge,
                    format!("line is longer than {MAX_LINE} bytes"),
                )
            } else if buf.iter().all(u8::is_ascii_whitespace) {
                bad_item(
                    line,
                    Code::MalformedRecord,
                    "blank line (not a JSON object)",
                )
            } else {
                ndjson_item(line, &buf, &order_field, envelope_field.as_deref())
            };
            chunk.push(item);
            if chunk.len() == CHUNK {
                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                if tx.send(Ok(full)).is_err() {
                    return;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send(Ok(chunk));
        }
    });
    rx
}

fn bad_item(line: u64, code: Code, message: impl Into<String>) -> Item {
    Item {
        line,
        order: None,
        envelope: None,
        rest: Rest::Json(Map::new()),
        bad: Some((code.as_str(), message.into())),
    }
}

fn ndjson_item(line: u64, bytes: &[u8], order_field: &str, envelope_field: Option<&str>) -> Item {
    let mut object = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return bad_item(line, Code::MalformedRecord, "not a JSON object"),
        Err(e) => {
            return bad_item(
                line,
                Code::MalformedRecord,
                format!("not valid JSON (column {})", e.column()),
            )
        }
    };
    let envelope = envelope_field.and_then(|f| object.remove(f));
    let order = match object.get(order_field) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let bad = match &envelope {
        None | Some(Value::String(_)) => None,
        Some(_) => Some((
            Code::MalformedRecord.as_str(),
            format!("{:?} is not a string", envelope_field.unwrap_or_default()),
        )),
    };
    Item {
        line,
        order,
        envelope: match envelope {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        rest: Rest::Json(object),
        bad,
    }
}

/// One physical line of a manifest, read with bounded memory: at most `limit` bytes are kept,
/// the rest of an over-long line is skipped (its quotes still counted).
struct PhysicalLine {
    bytes: Vec<u8>,
    too_long: bool,
    quotes: usize,
}

/// The next physical line without its `\n` (and `\r`), or `None` at the end.
fn read_physical_line<R: BufRead>(
    reader: &mut R,
    limit: usize,
) -> std::io::Result<Option<PhysicalLine>> {
    let mut line = PhysicalLine {
        bytes: Vec::new(),
        too_long: false,
        quotes: 0,
    };
    let mut any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(at) => (buf.get(..at).unwrap_or_default(), Some(at + 1)),
            None => (buf, None),
        };
        line.quotes += part.iter().filter(|b| **b == b'"').count();
        let room = limit.saturating_sub(line.bytes.len());
        line.bytes
            .extend_from_slice(part.get(..part.len().min(room)).unwrap_or_default());
        line.too_long |= part.len() > room;
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            break;
        }
    }
    if line.bytes.last() == Some(&b'\r') {
        line.bytes.pop();
    }
    Ok(any.then_some(line))
}

/// One CSV record as physical lines: `first` is the line it starts on; `lines` holds the lines
/// while the record stays within [`MAX_LINE`] bytes.
struct RawRecord {
    first: u64,
    last: u64,
    lines: Vec<Vec<u8>>,
    size: usize,
    too_large: bool,
    quotes: usize,
}

/// The fields of one CSV text (`None` unless it is exactly one well-formed record).
fn parse_csv_record(bytes: &[u8]) -> Option<csv::ByteRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        _ => return None,
    }
    let mut extra = csv::ByteRecord::new();
    matches!(reader.read_byte_record(&mut extra), Ok(false)).then_some(record)
}

/// Splits a CSV manifest into records by its physical lines, tracking quotes (a record ends at
/// a line break after an even number of `"`), with memory bounded by [`MAX_LINE`]. Every line
/// is accounted for: a blank line, a line of a record a stray quote made unreadable, and each
/// line of a record too large are rejected under their own line number.
struct CsvSplitter<R> {
    reader: R,
    line: u64,
}

enum Piece {
    Record(RawRecord),
    Blank(u64),
}

impl<R: BufRead> CsvSplitter<R> {
    fn next(&mut self) -> std::io::Result<Option<Piece>> {
        let mut record: Option<RawRecord> = None;
        loop {
            let Some(physical) = read_physical_line(&mut self.reader, MAX_LINE)? else {
                return Ok(record.map(Piece::Record));
            };
            self.line += 1;
            let r = match record.as_mut() {
                None if physical.bytes.is_empty() && !physical.too_long => {
                    return Ok(Some(Piece::Blank(self.line)))
                }
                None => record.insert(RawRecord {
                    first: self.line,
                    last: self.line,
                    lines: Vec::new(),
                    size: 0,
                    too_large: false,
                    quotes: 0,
                }),
                Some(r) => r,
            };
            r.last = self.line;
            r.quotes += physical.quotes;
            r.size += physical.bytes.len() + 1;
            r.too_large |= physical.too_long || r.size > MAX_LINE;
            // a too-large record keeps its lines only while they fit (for the per-line rejects)
            if r.size <= 2 * MAX_LINE {
                r.lines.push(physical.bytes);
            } else {
                r.lines.push(Vec::new());
            }
            // A record ends at a line break after an even number of quotes; a record grown
            // past the limit ends at once (a stray quote must not swallow the rest of the file).
            if r.quotes % 2 == 0 || r.too_large {
                return Ok(record.map(Piece::Record));
            }
        }
    }
}

/// Reads the CSV header here (to fail early on a missing column), the records on a thread.
pub fn spawn_csv<R: Read + Send + 'static>(
    reader: R,
    s: &Settings<'_>,
    input_name: &str,
) -> Result<(Vec<String>, Chunks)> {
    let mut splitter = CsvSplitter {
        reader: BufReader::with_capacity(64 * 1024, reader),
        line: 0,
    };
    let unreadable =
        |why: String| CliError::new(Code::UnreadableInput, format!("{input_name}: {why}"));
    let mut blank_before = Vec::new();
    let header_record = loop {
        match splitter.next().map_err(|e| unreadable(e.to_string()))? {
            Some(Piece::Blank(line)) => blank_before.push(line),
            Some(Piece::Record(r)) if !r.too_large => break r,
            Some(Piece::Record(_)) => return Err(unreadable("the header is too large".into())),
            None => return Err(unreadable("no header line".into())),
        }
    };
    let header: Vec<String> = parse_csv_record(&header_record.lines.join(&b'\n'))
        .ok_or_else(|| {
            unreadable(format!(
                "the header (line {}) is not valid CSV",
                header_record.first
            ))
        })?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.to_owned()
        })
        .collect();
    let position = |name: &str| header.iter().position(|h| h == name);
    let missing: Vec<&str> = [s.envelope_column, Some(s.order_column)]
        .into_iter()
        .flatten()
        .filter(|c| position(c).is_none())
        .collect();
    let envelope_at = s.envelope_column.and_then(position);
    let (true, Some(order_at)) = (
        s.envelope_column.is_none() || envelope_at.is_some(),
        position(s.order_column),
    ) else {
        return Err(CliError::new(
            Code::MissingColumn,
            format!(
                "{input_name}: the header has no {} column",
                missing
                    .iter()
                    .map(|c| format!("{c:?}"))
                    .collect::<Vec<_>>()
                    .join(" and no ")
            ),
        )
        .hint(format!(
            "the header is: {}; name the columns with {}--order-column",
            header.join(","),
            if s.envelope_column.is_some() {
                "--envelope-column and "
            } else {
                ""
            }
        )));
    };
    let width = header.len();
    let (tx, rx) = mpsc::sync_channel(2);
    let lines = Arc::clone(&s.lines);
    let header_lines = header_record.last;
    std::thread::spawn(move || {
        let mut chunk: Vec<Item> = blank_before
            .into_iter()
            .map(|line| bad_item(line, Code::MalformedRecord, "blank line"))
            .collect();
        // the order a line holds on its own, for the rejects of lines no record could be read from
        let order_of = |bytes: &[u8]| {
            parse_csv_record(bytes)
                .filter(|r| r.len() == width)
                .and_then(|r| {
                    r.get(order_at)
                        .map(|o| String::from_utf8_lossy(o).into_owned())
                })
        };
        loop {
            let items: Vec<Item> = match splitter.next() {
                Err(e) => {
                    let _ = tx.send(Err(read_failed(&e)));
                    return;
                }
                Ok(None) => break,
                Ok(Some(Piece::Blank(line))) => {
                    vec![bad_item(line, Code::MalformedRecord, "blank line")]
                }
                Ok(Some(Piece::Record(r))) => {
                    // A quoted field over several lines is valid CSV, but a line inside it that
                    // is itself a record with an envelope (a manifest of addresses: with an
                    // order reference) means a stray quote swallowed records.
                    let swallows = r.first != r.last
                        && r.lines.iter().skip(1).any(|l| {
                            parse_csv_record(l).is_some_and(|x| {
                                x.len() == width
                                    && match envelope_at {
                                        Some(at) => {
                                            x.get(at).is_some_and(|e| e.starts_with(b"spe1."))
                                        }
                                        None => x.get(order_at).is_some_and(|o| !o.is_empty()),
                                    }
                            })
                        });
                    let parsed = (!r.too_large && r.quotes % 2 == 0 && !swallows)
                        .then(|| parse_csv_record(&r.lines.join(&b'\n')))
                        .flatten();
                    match parsed {
                        Some(record) if record.len() == width || r.first == r.last => {
                            vec![csv_item(r.first, &record, width, envelope_at, order_at)]
                        }
                        _ if r.first == r.last => vec![bad_item(
                            r.first,
                            if r.too_large {
                                Code::RecordTooLarge
                            } else {
                                Code::MalformedRecord
                            },
                            if r.too_large {
                                format!("line is longer than {MAX_LINE} bytes")
                            } else {
                                "not valid CSV".to_owned()
                            },
                        )],
                        // a record over several lines that does not read: every line rejected
                        // under its own number, with its order where the line alone holds one
                        _ => {
                            let (code, why) = if r.quotes % 2 == 1 {
                                (Code::MalformedRecord, format!("a quote opened on line {} is not closed within {MAX_LINE} bytes or before the end: lines {}-{} are not records (reading goes on after them)", r.first, r.first, r.last))
                            } else if r.too_large {
                                (
                                    Code::RecordTooLarge,
                                    format!(
                                        "the record on lines {}-{} is larger than {MAX_LINE} bytes",
                                        r.first, r.last
                                    ),
                                )
                            } else if swallows {
                                (Code::MalformedRecord, format!("a quote opened on line {} is closed only on line {}: lines {}-{} hold records of their own (a stray quote?)", r.first, r.last, r.first, r.last))
                            } else {
                                (Code::MalformedRecord, format!("a quote opened on line {} is closed only on line {}: lines {}-{} do not form a record", r.first, r.last, r.first, r.last))
                            };
                            (r.first..=r.last)
                                .zip(r.lines.iter())
                                .map(|(line, bytes)| Item {
                                    order: order_of(bytes),
                                    ..bad_item(line, code, why.clone())
                                })
                                .collect()
                        }
                    }
                }
            };
            lines.store(splitter.line - header_lines, Ordering::Relaxed);
            for item in items {
                chunk.push(item);
                if chunk.len() >= CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if tx.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
        }
        if !chunk.is_empty() {
            let _ = tx.send(Ok(chunk));
        }
    });
    Ok((header, rx))
}

fn csv_item(
    line: u64,
    record: &csv::ByteRecord,
    width: usize,
    envelope_at: Option<usize>,
    order_at: usize,
) -> Item {
    if record.len() != width {
        return bad_item(
            line,
            Code::MalformedRecord,
            format!("expected {width} fields, found {}", record.len()),
        );
    }
    let mut fields = Vec::with_capacity(width);
    for (i, field) in record.iter().enumerate() {
        if field.len() > MAX_LINE {
            return bad_item(
                line,
                Code::RecordTooLarge,
                format!("field {} is too long", i + 1),
            );
        }
        match std::str::from_utf8(field) {
            Ok(f) => fields.push(f.to_owned()),
            Err(_) => {
                return bad_item(
                    line,
                    Code::MalformedRecord,
                    format!("field {} is not UTF-8", i + 1),
                )
            }
        }
    }
    let envelope = envelope_at.and_then(|at| fields.get(at).cloned());
    let order = fields.get(order_at).cloned();
    let rest = fields
        .into_iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != envelope_at)
        .map(|(_, f)| f)
        .collect();
    Item {
        line,
        order,
        envelope,
        rest: Rest::Csv(rest),
        bad: None,
    }
}

/// A 0600 temporary file next to its final path, deleted if dropped before `finish`.
pub struct TempOut {
    pub writer: BufWriter<NamedTempFile>,
}

/// The `.partial` files of this process (they hold decrypted addresses until renamed).
static PARTIALS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// On SIGINT, SIGTERM or SIGHUP: removes this process's `.partial` files, then exits with
/// 130. (SIGKILL cannot be caught: a killed batch leaves its `.partial` files; see cli/README.)
fn remove_partials_on_signal() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let paths = PARTIALS.lock().map(|p| p.clone()).unwrap_or_default();
            let removed = paths
                .iter()
                .filter(|p| std::fs::remove_file(p).is_ok())
                .count();
            eprintln!(
                "sealpost: interrupted: nothing written; {removed} partial output file(s) removed"
            );
            std::process::exit(130);
        });
    });
}

pub fn temp_next_to(path: &Path) -> Result<NamedTempFile> {
    remove_partials_on_signal();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir) // mode 0600 on unix
        .map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e))
        .inspect(|f| {
            if let Ok(mut p) = PARTIALS.lock() {
                p.push(f.path().to_path_buf());
            }
        })
}

/// Syncs the temporary file and renames it to `path` (refusing to replace a file that
/// appeared meanwhile, unless `force`).
pub fn persist(file: NamedTempFile, path: &Path, force: bool) -> Result<()> {
    file.as_file()
        .sync_all()
        .map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e))?;
    let result = if force {
        file.persist(path).map(|_| ())
    } else {
        file.persist_noclobber(path).map(|_| ())
    };
    result.map_err(|e| CliError::io(Code::CannotWriteOutput, path, &e.error))
}

pub fn sync_dir(path: &Path) {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // makes the renames durable; a failure here loses nothing already written
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

pub fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::io(Code::CannotWriteOutput, path, &e)
}

impl TempOut {
    pub fn create(path: &Path) -> Result<TempOut> {
        Ok(TempOut {
            writer: BufWriter::with_capacity(64 * 1024, temp_next_to(path)?),
        })
    }

    /// `{"line":N,"order":"…"|null,"code":"…","message":"…"}`, fields in this order.
    pub fn write_reject(&mut self, item: &Item, code: &str, message: &str) -> Result<()> {
        let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned());
        let order = item
            .order
            .as_deref()
            .map_or_else(|| "null".to_owned(), json);
        let line = format!(
            "{{\"line\":{},\"order\":{order},\"code\":{},\"message\":{}}}\n",
            item.line,
            json(code),
            json(message)
        );
        self.writer
            .write_all(line.as_bytes())
            .map_err(|e| CliError::new(Code::CannotWriteOutput, format!("rejects: {e}")))
    }

    pub fn finish(self, path: &Path, force: bool) -> Result<()> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| io_err(path)(e.into_error()))?;
        persist(file, path, force)
    }
}

/// What a batch writes after a record's pass-through fields.
pub enum Tail<'a> {
    /// `open --batch`: the address (NDJSON: an object; CSV: the address columns).
    Address(&'a Address),
    /// `seal --batch`: the envelope's text.
    Envelope(&'a str),
}

/// A batch's output, NDJSON or CSV: each record's pass-through fields (`Item::rest`), then its
/// [`Tail`] under `key` (NDJSON; a manifest field of that name is replaced) or in the tail
/// columns (CSV). Written to a 0600 `.partial` file, renamed by [`Output::finish`].
pub enum Output {
    Ndjson {
        out: TempOut,
        key: String,
        /// A CSV manifest's pass-through columns: their cells become string fields.
        columns: Vec<String>,
    },
    Csv {
        writer: Box<csv::Writer<NamedTempFile>>,
        /// NDJSON manifest → CSV output: only the order column is passed through.
        from_json: bool,
    },
}

impl Output {
    /// `passthrough`: the CSV manifest's columns that pass through (`None` for an NDJSON
    /// manifest: then a CSV output keeps only `order_column`); `tail`: the columns after them.
    pub fn create(
        path: &Path,
        format: Format,
        passthrough: Option<Vec<String>>,
        order_column: &str,
        tail: Vec<String>,
        key: &str,
    ) -> Result<Output> {
        match format {
            Format::Ndjson => Ok(Output::Ndjson {
                out: TempOut::create(path)?,
                key: key.to_owned(),
                columns: passthrough.unwrap_or_default(),
            }),
            Format::Csv => {
                // Every cell quoted and guarded, the manifest's own columns and header too:
                // the seller chooses those (an order reference can be a formula).
                let mut writer = csv::WriterBuilder::new()
                    .buffer_capacity(64 * 1024)
                    .quote_style(csv::QuoteStyle::Always)
                    .from_writer(temp_next_to(path)?);
                let from_json = passthrough.is_none();
                let passthrough = passthrough.unwrap_or_else(|| vec![order_column.to_owned()]);
                let row = passthrough
                    .iter()
                    .map(|c| formula_guard(c))
                    .chain(tail.into_iter().map(Cow::Owned));
                writer
                    .write_record(row.map(|c| c.into_owned().into_bytes()))
                    .map_err(|e| CliError::new(Code::CannotWriteOutput, e))?;
                Ok(Output::Csv {
                    writer: Box::new(writer),
                    from_json,
                })
            }
        }
    }

    pub fn write(&mut self, item: &Item, tail: Tail<'_>) -> Result<()> {
        let failed =
            |e: std::io::Error| CliError::new(Code::CannotWriteOutput, format!("output: {e}"));
        match self {
            Output::Ndjson { out, key, columns } => {
                // the manifest's fields (a CSV manifest's columns as strings), then the tail
                // under its key
                let mut line = Zeroizing::new(Vec::with_capacity(1024));
                let mut object = match &item.rest {
                    Rest::Json(o) => o.clone(),
                    Rest::Csv(fields) => columns
                        .iter()
                        .zip(fields)
                        .map(|(c, f)| (c.clone(), Value::String(f.clone())))
                        .collect(),
                };
                object.remove(key.as_str());
                serde_json::to_writer(&mut *line, &object)
                    .map_err(std::io::Error::from)
                    .map_err(failed)?;
                line.pop();
                if !object.is_empty() {
                    line.push(b',');
                }
                serde_json::to_writer(&mut *line, key.as_str())
                    .map_err(std::io::Error::from)
                    .map_err(failed)?;
                line.push(b':');
                match tail {
                    Tail::Address(address) => serde_json::to_writer(&mut *line, address),
                    Tail::Envelope(text) => serde_json::to_writer(&mut *line, text),
                }
                .map_err(std::io::Error::from)
                .map_err(failed)?;
                line.extend_from_slice(b"}\n");
                out.writer.write_all(&line).map_err(failed)
            }
            Output::Csv { writer, from_json } => {
                let passthrough: Vec<&str> = match (&item.rest, *from_json) {
                    (Rest::Csv(fields), false) => fields.iter().map(String::as_str).collect(),
                    _ => vec![item.order.as_deref().unwrap_or("")],
                };
                let cells = match tail {
                    Tail::Address(address) => address.to_csv_cells(),
                    Tail::Envelope(text) => vec![text],
                };
                let row = passthrough
                    .iter()
                    .chain(cells.iter())
                    .map(|c| formula_guard(c));
                writer
                    .write_record(row.map(|c| c.into_owned().into_bytes()))
                    .map_err(|e| CliError::new(Code::CannotWriteOutput, e))
            }
        }
    }

    pub fn finish(self, path: &Path, force: bool) -> Result<()> {
        match self {
            Output::Ndjson { out, .. } => out.finish(path, force),
            Output::Csv { writer, .. } => {
                let file = writer
                    .into_inner()
                    .map_err(|e| io_err(path)(std::io::Error::other(e.to_string())))?;
                persist(file, path, force)
            }
        }
    }
}

/// A spreadsheet runs a cell starting with `=`, `+`, `-`, `@`, a tab or a CR as a formula, also
/// after leading spaces or quotes: such cells get a leading `'` (OWASP "CSV injection").
/// Phone-like values (`+86 138…`, `-`-separated digits) are left alone.
pub fn formula_guard(cell: &str) -> Cow<'_, str> {
    let significant = cell.trim_start_matches([' ', '"', '\'']);
    let risky = cell.starts_with(['\t', '\r'])
        || match significant.chars().next() {
            Some('=' | '@' | '\t' | '\r') => true,
            Some('+' | '-') => !significant
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c)),
            _ => false,
        };
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

pub fn progress_bar(quiet: bool, total: Option<u64>) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(len) => indicatif::ProgressBar::new(len).with_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {percent:>3}% ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// Undoes [`formula_guard`] (a `'` before a cell starting `=`, `+`, `-`, `@`).
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_guard(rest).starts_with('\'') => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Address {
        let mut a = Address::default();
        a.name = "Zhang Sanfeng".into();
        a.phone = "13812345678".into();
        a.country = "CN".into();
        a.address_level1 = "Zhejiang".into();
        a.address_level2 = "Hangzhou".into();
        a.address_level3 = "Xihu".into();
        a.street_lines = vec!["Wensan Road 90".into(), "Building 7".into()];
        a.postal_code = "310012".into();
        a.company = "Acme Logistics".into();
        a.delivery_note = "leave at the gate".into();
        a
    }

    /// `label --opened` reads `open --batch`'s CSV by column name, not by position.
    #[test]
    fn address_cells_read_back_by_name() {
        let address = sample();
        let columns = Address::csv_columns();
        let cells = address.to_csv_cells();
        assert_eq!(cells[0], "Zhang Sanfeng");
        assert_eq!(cells[8], "");
        let mut shuffled: Vec<(&String, &str)> = columns.iter().zip(cells).collect();
        shuffled.reverse();
        let get = |column: &str| {
            shuffled
                .iter()
                .find(|(c, _)| *c == column)
                .map_or("", |(_, v)| v)
        };
        assert_eq!(Address::from_csv_cells(get), address);
    }

    #[test]
    fn debug_shows_no_address_data() {
        let address = sample();
        let item = Item {
            line: 7,
            order: Some("ORD-7".into()),
            envelope: Some("spe1.secret".into()),
            rest: Rest::Csv(vec!["Zhang Sanfeng".into(), "13812345678".into()]),
            bad: None,
        };
        let done = Done {
            item,
            hash: [0; 32],
            outcome: Outcome::Opened {
                address: Box::new(address.clone()),
                by: 0,
                expired: false,
            },
        };
        let text = format!("{done:?} {:?}", done.outcome);
        assert!(text.contains("ORD-7") && text.contains("line: 7"), "{text}");
        for secret in [
            "Zhang",
            "13812345678",
            "Wensan",
            "310012",
            "Acme",
            "gate",
            "spe1.secret",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn unguards_formula_cells_only() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'-x"), "-x");
        assert_eq!(unguard("O'Brien"), "O'Brien");
        assert_eq!(unguard("'Quoted"), "'Quoted");
    }
}
