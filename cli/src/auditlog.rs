//! The audit log of openings (SPEC.md §8): one JSON line per attempt, hash-chained, appended
//! under an exclusive file lock and synced before any address is shown.
//!
//! A record never holds an address: only who, where, when, which key, which order, a SHA-256
//! of the envelope text and the outcome.

use std::{
    fs::{File, OpenOptions},
    io::{Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
};

use sealpost::{keys::hex, KeyId};
use sha2::{Digest, Sha256};

use crate::error::{CliError, Code, Result};

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// What separates a record's hashed part from its hash.
pub const HASH_MARK: &str = ",\"hash\":\"";
/// Environment variable naming the audit log.
pub const ENV_LOG: &str = "SEALPOST_AUDIT_LOG";
/// Environment variable naming the operator.
pub const ENV_OPERATOR: &str = "SEALPOST_OPERATOR";
/// Longest record the tail reader accepts (records are ~450 bytes).
const MAX_RECORD: u64 = 16 * 1024;
/// Longest order reference recorded as given (longer ones are cut, with `…`).
const MAX_ORDER_CHARS: usize = 128;

/// One attempt to open an envelope.
#[derive(Debug, Clone)]
pub struct Event {
    /// Manifest line (batch) or `None` (single open).
    pub line: Option<u64>,
    /// The order reference the envelope was presented for (or carries).
    pub order: String,
    /// The identity that opened it (`None` if none did).
    pub key_id: Option<KeyId>,
    /// SHA-256 of the envelope text, surrounding white space removed.
    pub envelope: [u8; 32],
    /// `opened`, `opened_expired_key`, or the error code.
    pub outcome: &'static str,
    /// `sealpost label`: the label printed for this opening, `"masked"` or `"full"` (`None`:
    /// no label, and no `label` key in the record).
    pub label: Option<&'static str>,
}

/// SHA-256 of an envelope's text as recorded in the log.
pub fn envelope_hash(text: &str) -> [u8; 32] {
    Sha256::digest(text.trim().as_bytes()).into()
}

/// The log file: `--audit-log`, else $SEALPOST_AUDIT_LOG, else
/// $XDG_STATE_HOME/sealpost/audit.log, else ~/.local/state/sealpost/audit.log.
pub fn resolve_path(arg: Option<PathBuf>) -> Result<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(path) = arg.or_else(|| non_empty(ENV_LOG).map(PathBuf::from)) {
        return Ok(path);
    }
    let state = non_empty("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|h| Path::new(&h).join(".local/state")));
    state
        .map(|dir| dir.join("sealpost").join("audit.log"))
        .ok_or_else(|| {
            CliError::new(Code::AuditUnavailable, "no place for the audit log")
                .hint(format!("set ${ENV_LOG} or pass --audit-log FILE"))
        })
}

/// The head file next to the log: `seq hash` of the last record written.
pub fn head_path(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".head");
    PathBuf::from(name)
}

/// Who opens: `--operator`, else $SEALPOST_OPERATOR, $USER, $LOGNAME, else `uid:N`.
pub fn operator(arg: Option<String>) -> Result<String> {
    let from_env = || {
        [ENV_OPERATOR, "USER", "LOGNAME"]
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    };
    let name = match arg.or_else(from_env) {
        Some(name) => name,
        None => process_uid(),
    };
    if name.trim().is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(CliError::new(
            Code::InvalidOperator,
            "the operator name must be 1 to 64 characters without control characters",
        ));
    }
    Ok(name)
}

fn process_uid() -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata("/proc/self") {
            return format!("uid:{}", meta.uid());
        }
    }
    "unknown".to_owned()
}

fn host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned())
}

fn cut(order: &str) -> String {
    if order.chars().count() <= MAX_ORDER_CHARS {
        order.to_owned()
    } else {
        let mut s: String = order.chars().take(MAX_ORDER_CHARS).collect();
        s.push('…');
        s
    }
}

/// The part of a record that is hashed (everything before `,"hash":"`) and its hash.
fn record(
    seq: u64,
    time: &str,
    operator: &str,
    host: &str,
    command: &str,
    event: &Event,
    prev: &str,
) -> (String, String) {
    let line = event
        .line
        .map_or_else(|| "null".to_owned(), |n| n.to_string());
    let key_id = event
        .key_id
        .map_or_else(|| "null".to_owned(), |k| format!("\"{k}\""));
    let body = format!(
        "{{\"v\":1,\"seq\":{seq},\"time\":{},\"operator\":{},\"host\":{},\"command\":{},\
         \"line\":{line},\"order\":{},\"keyId\":{key_id},\"envelope\":\"{}\",\"outcome\":{},\
         {}\"prev\":\"{prev}\"",
        json(time),
        json(operator),
        json(host),
        json(command),
        json(&cut(&event.order)),
        hex(&event.envelope),
        json(event.outcome),
        event
            .label
            .map_or_else(String::new, |l| format!("\"label\":{},", json(l))),
    );
    let hash = hex(&Sha256::digest(body.as_bytes()));
    (body, hash)
}

/// Splits a stored line (without its newline) into the hashed part and the hash, if it has
/// the shape `…,"hash":"<64 hex>"}`.
pub fn split_record(line: &str) -> Option<(&str, &str)> {
    let at = line.rfind(HASH_MARK)?;
    let (body, rest) = line.split_at(at);
    let hash = rest.get(HASH_MARK.len()..)?.strip_suffix("\"}")?;
    let is_hex = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    is_hex.then_some((body, hash))
}

/// Whether the hashed part of a record hashes to `hash`.
pub fn hash_matches(body: &str, hash: &str) -> bool {
    hex(&Sha256::digest(body.as_bytes())) == hash
}

/// An open audit log, for appending.
#[derive(Debug)]
pub struct AuditLog {
    file: File,
    path: PathBuf,
    operator: String,
    host: String,
    command: &'static str,
}

impl AuditLog {
    /// The log named by a command's `--audit-log` / `--operator` options (else the environment
    /// and defaults), for records of `command`.
    pub fn for_command(audit: &crate::cli::AuditArgs, command: &'static str) -> Result<AuditLog> {
        let operator = operator(audit.operator.clone())?;
        AuditLog::open(resolve_path(audit.audit_log.clone())?, operator, command)
    }

    /// Opens an existing log for appending, after checking all of it and its head (SPEC.md
    /// §8): a log that is missing, damaged, edited, shorter than its head or disagreeing with
    /// it is refused, so nothing is opened until an operator acts. A new log is started only by
    /// [`init`] (`sealpost audit init`).
    pub fn open(path: PathBuf, operator: String, command: &'static str) -> Result<AuditLog> {
        let unavailable = |e: &std::io::Error| {
            CliError::io(Code::AuditUnavailable, &path, e).hint(format!(
                "nothing is opened without an audit record: fix the file, or set ${ENV_LOG} / \
                 --audit-log to a writable place"
            ))
        };
        let file = match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(&path)),
            Err(e) => return Err(unavailable(&e)),
        };
        let is_file = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        if !is_file {
            return Err(CliError::new(
                Code::AuditUnavailable,
                format!("{} is not a regular file", path.display()),
            ));
        }
        fs4::fs_std::FileExt::lock_shared(&file)
            .map_err(|e| CliError::io(Code::AuditUnavailable, &path, &e))?;
        let checked = check(&path, &[]).and_then(|_| {
            // witnessed checkpoints, where the hub keeps them: the log must extend each
            match std::env::var_os(crate::checkpoint::ENV_CHECKPOINTS).filter(|v| !v.is_empty()) {
                Some(file) => {
                    crate::checkpoint::verify_log(&path, &[PathBuf::from(file)], None).map(|_| ())
                }
                None => Ok(()),
            }
        });
        let _ = fs4::fs_std::FileExt::unlock(&file);
        checked.map_err(refuse_to_open)?;
        Ok(AuditLog {
            file,
            path,
            operator,
            host: host(),
            command,
        })
    }

    /// Replaces the head file atomically: a temporary file, synced, renamed over the head, then
    /// the directory synced, so a crash leaves the old head or the new one, never an empty one.
    fn write_head(&self, seq: u64, hash: &str) -> Result<()> {
        write_head(&self.path, seq, hash)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record per event, chained to the last record in the file, then syncs the
    /// file and the head file. Holds an exclusive lock meanwhile, so concurrent openers chain
    /// their records one after the other.
    pub fn append(&mut self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let fail = |e: std::io::Error| CliError::io(Code::AuditUnavailable, &self.path, &e);
        fs4::fs_std::FileExt::lock_exclusive(&self.file).map_err(fail)?;
        let result = self.append_locked(events);
        // closing the file would release the lock too; a failed unlock changes nothing written
        let _ = fs4::fs_std::FileExt::unlock(&self.file);
        result
    }

    fn append_locked(&mut self, events: &[Event]) -> Result<()> {
        let fail = |e: std::io::Error| write_failed(&self.path, &e);
        let (mut seq, mut prev) = self.tail()?;
        // The head must be where this log ends (or behind it, after a crash between the two
        // writes): a head ahead of the log or naming another record means records were removed.
        match read_head(&self.path).map_err(refuse_to_open)? {
            Some((head_seq, _)) if head_seq > seq => {
                return Err(refuse_to_open(tampered(
                    &self.path,
                    seq + 1,
                    format!("the log ends at record {seq} but its head file records {head_seq}: records were removed from the end (truncated)"),
                )))
            }
            Some((head_seq, head_hash)) if head_seq == seq && head_hash != prev => {
                return Err(refuse_to_open(tampered(
                    &head_path(&self.path),
                    1,
                    format!("record {seq} differs from the one the head file recorded (rewritten)"),
                )))
            }
            None => {
                return Err(refuse_to_open(tampered(
                    &head_path(&self.path),
                    1,
                    "the head file is missing",
                )))
            }
            _ => {}
        }
        let time = humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string();
        let mut out = String::with_capacity(events.len() * 480);
        for event in events {
            seq += 1;
            let (body, hash) = record(
                seq,
                &time,
                &self.operator,
                &self.host,
                self.command,
                event,
                &prev,
            );
            out.push_str(&body);
            out.push_str(HASH_MARK);
            out.push_str(&hash);
            out.push_str("\"}\n");
            prev = hash;
        }
        // Whole records only: on a failed write (disk full, file size limit) the log is cut
        // back to where it was, so it still verifies.
        let before = (&self.file).seek(SeekFrom::End(0)).map_err(fail)?;
        if let Err(e) = self
            .file
            .write_all(out.as_bytes())
            .and_then(|()| self.file.sync_data())
        {
            let _ = self.file.set_len(before);
            let _ = self.file.sync_data();
            return Err(fail(e));
        }
        self.write_head(seq, &prev)
    }

    /// `(seq, hash)` of the last record, checked, or `(0, GENESIS)` for an empty log.
    fn tail(&self) -> Result<(u64, String)> {
        let damaged =
            |why: &str| {
                CliError::new(Code::AuditLogDamaged, format!("{}: {why}", self.path.display()))
            .hint(
                "run `sealpost audit verify`; keep the damaged log for review and start a new one",
            )
            };
        let fail = |e: std::io::Error| CliError::io(Code::AuditUnavailable, &self.path, &e);
        let len = (&self.file).seek(SeekFrom::End(0)).map_err(fail)?;
        if len == 0 {
            return Ok((0, GENESIS.to_owned()));
        }
        let start = len.saturating_sub(MAX_RECORD + 1);
        (&self.file).seek(SeekFrom::Start(start)).map_err(fail)?;
        let mut buf = Vec::new();
        (&self.file)
            .take(len - start)
            .read_to_end(&mut buf)
            .map_err(fail)?;
        let Some(body) = buf.strip_suffix(b"\n") else {
            return Err(damaged("the last record is incomplete"));
        };
        let last = match body.iter().rposition(|b| *b == b'\n') {
            Some(at) => body.get(at + 1..).unwrap_or_default(),
            None if start == 0 => body,
            None => return Err(damaged("the last record is too long")),
        };
        let last = std::str::from_utf8(last).map_err(|_| damaged("the last record is not text"))?;
        let (hashed, hash) = split_record(last)
            .filter(|(b, h)| hash_matches(b, h))
            .ok_or_else(|| damaged("the last record does not match its hash"))?;
        let seq = serde_json::from_str::<serde_json::Value>(&format!("{hashed}}}"))
            .ok()
            .and_then(|v| v.get("seq").and_then(serde_json::Value::as_u64))
            .ok_or_else(|| damaged("the last record has no sequence number"))?;
        Ok((seq, hash.to_owned()))
    }
}

fn missing(path: &Path) -> CliError {
    let head = head_path(path);
    if head.exists() {
        CliError::new(
            Code::AuditLogMissing,
            format!(
                "{} is missing but its head file {} is there: the log was deleted or moved",
                path.display(),
                head.display()
            ),
        )
        .hint("nothing is opened until the log is restored; keep the head file as evidence")
    } else {
        CliError::new(Code::NoAuditLog, format!("there is no audit log at {}", path.display()))
        .hint(format!(
            "start one with `sealpost audit init` (or point ${ENV_LOG} / --audit-log at the hub's log)"
        ))
    }
}

/// A tampered log: `audit verify`'s error.
pub fn tampered(path: &Path, line: u64, why: impl std::fmt::Display) -> CliError {
    CliError::new(
        Code::AuditLogTampered,
        format!("{} line {line}: {why}", path.display()),
    )
    .hint("keep this file unchanged as evidence and report it; records before this line are intact")
}

/// The same error, when it stops an opening.
fn refuse_to_open(e: CliError) -> CliError {
    e.hint("nothing is opened while the audit log does not verify: keep the log and its head for review, then start a new log with `sealpost audit init --audit-log NEW`")
}

fn write_failed(path: &Path, e: &std::io::Error) -> CliError {
    let err = CliError::io(Code::AuditUnavailable, path, e);
    if err.has_hint() {
        err // disk full: the log was cut back to whole records
    } else {
        err.hint("nothing is opened without an audit record")
    }
}

/// `(seq, hash)` of the head file, `None` if it does not exist.
pub fn read_head(log: &Path) -> Result<Option<(u64, String)>> {
    let head = head_path(log);
    match std::fs::read_to_string(&head) {
        Ok(text) => parse_head(&text)
            .map(Some)
            .ok_or_else(|| tampered(&head, 1, "not a head record (`SEQ HASH`)")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CliError::io(Code::UnreadableAuditLog, &head, &e)),
    }
}

fn parse_head(text: &str) -> Option<(u64, String)> {
    let (seq, hash) = text.strip_suffix('\n')?.split_once(' ')?;
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then_some(())?;
    Some((seq.parse().ok()?, hash.to_owned()))
}

fn private_file(path: &Path, create_new: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => File::open(dir)?.sync_all(),
        None => File::open(".")?.sync_all(),
    }
}

fn write_head(log: &Path, seq: u64, hash: &str) -> Result<()> {
    let head = head_path(log);
    let mut tmp = head.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let written = private_file(&tmp, false)
        .and_then(|mut f| {
            f.write_all(format!("{seq} {hash}\n").as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, &head))
        .and_then(|()| sync_dir(&head));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        write_failed(&head, &e)
    })
}

/// `sealpost audit init`: a new, empty log (0600, in a 0700 directory) and its head `0
/// GENESIS`. Refuses if the log or a head file is already there.
pub fn init(path: &Path) -> Result<()> {
    let head = head_path(path);
    if path.exists() || head.exists() {
        return Err(CliError::new(Code::AuditLogExists, format!(
                "{} or its head file already exists",
                path.display()
            ))
        .hint("a log is never replaced: move the old log and its head away (keep them for review) or choose another --audit-log"));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder
                .create(dir)
                .map_err(|e| CliError::io(Code::AuditUnavailable, dir, &e))?;
        }
    }
    private_file(path, true)
        .and_then(|f| f.sync_all())
        .and_then(|()| sync_dir(path))
        .map_err(|e| CliError::io(Code::AuditUnavailable, path, &e))?;
    write_head(path, 0, GENESIS)
}

/// What a full check of a log found.
#[derive(Debug)]
pub struct Chain {
    /// Records in the log.
    pub seq: u64,
    /// Hash of the last record (`GENESIS` for an empty log).
    pub hash: String,
    /// The head file's `(seq, hash)`.
    pub head: (u64, String),
    /// The hashes of the records asked for, by sequence number.
    pub hashes: Vec<(u64, String)>,
}

#[derive(serde::Deserialize)]
struct Chained {
    v: u32,
    seq: u64,
    prev: String,
}

/// Reads and checks every record of the log and its head file (SPEC.md §8): each record's hash,
/// its sequence number, its link to the one before, and the head (present, not ahead of the
/// log, naming a record of it). Keeps the hashes of the records in `want`. Any problem is an
/// `audit_log_tampered` (or `audit_log_missing`) error.
pub fn check(path: &Path, want: &[u64]) -> Result<Chain> {
    use std::io::BufRead;
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(path)),
        Err(e) => return Err(CliError::io(Code::UnreadableAuditLog, path, &e)),
    };
    let mut reader = std::io::BufReader::new(file);
    let head_file = head_path(path);
    let head = read_head(path)?;
    let mut prev = GENESIS.to_owned();
    let mut seq = 0u64;
    let mut line_no = 0u64;
    let mut head_seen = false;
    let mut hashes = Vec::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_RECORD + 2)
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::io(Code::UnreadableAuditLog, path, &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Some(line) = buf.strip_suffix(b"\n") else {
            return Err(tampered(
                path,
                line_no,
                if n as u64 > MAX_RECORD {
                    "not a record (too long)"
                } else {
                    "the last record is cut off (truncated)"
                },
            ));
        };
        let line = std::str::from_utf8(line)
            .map_err(|_| tampered(path, line_no, "not a record (edited)"))?;
        let (body, hash) = split_record(line)
            .ok_or_else(|| tampered(path, line_no, "not a record (edited or truncated)"))?;
        if !hash_matches(body, hash) {
            return Err(tampered(
                path,
                line_no,
                "the record does not match its hash (edited)",
            ));
        }
        let record: Chained = serde_json::from_str(&format!("{body}}}"))
            .map_err(|_| tampered(path, line_no, "not a record (edited)"))?;
        if record.v != 1 {
            return Err(tampered(path, line_no, "unknown record version"));
        }
        if record.seq > seq + 1 {
            return Err(tampered(
                path,
                line_no,
                format!(
                    "records {} to {} are missing (deleted)",
                    seq + 1,
                    record.seq - 1
                ),
            ));
        }
        if record.seq <= seq {
            return Err(tampered(
                path,
                line_no,
                format!(
                    "record {} comes after record {seq} (reordered or duplicated)",
                    record.seq
                ),
            ));
        }
        if record.prev != prev {
            return Err(tampered(
                path,
                line_no,
                "the record does not chain to the one before it (deleted, reordered or replaced)",
            ));
        }
        if let Some((head_seq, head_hash)) = &head {
            if record.seq == *head_seq {
                if hash != head_hash {
                    return Err(tampered(
                        &head_file,
                        1,
                        format!("record {head_seq} differs from the one the head file recorded (rewritten)"),
                    ));
                }
                head_seen = true;
            }
        }
        if want.contains(&record.seq) {
            hashes.push((record.seq, hash.to_owned()));
        }
        seq = record.seq;
        prev = hash.to_owned();
    }
    let head = match head {
        None => {
            return Err(tampered(
                &head_file,
                1,
                "the head file is missing, so records removed from the end would go unseen",
            )
            .hint("when checking a copy, copy the .head file with the log"))
        }
        Some((head_seq, _)) if head_seq > seq => {
            return Err(tampered(
                path,
                line_no + 1,
                format!(
                    "the log ends at record {seq} but its head file records {head_seq}: records were removed from the end (truncated)"
                ),
            ))
        }
        Some((0, h)) if h != GENESIS => {
            return Err(tampered(&head_file, 1, "the head file names no record of the log"))
        }
        Some((head_seq, _)) if head_seq != 0 && !head_seen => {
            return Err(tampered(&head_file, 1, "the head file names no record of the log"))
        }
        Some(h) => h,
    };
    Ok(Chain {
        seq,
        hash: prev,
        head,
        hashes,
    })
}
