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

use sealpost::KeyId;
use sha2::{Digest, Sha256};

use crate::error::{CliError, Result, EXIT_INPUT, EXIT_IO};

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
            CliError::new("audit_unavailable", "no place for the audit log", EXIT_IO)
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
            "invalid_operator",
            "the operator name must be 1 to 64 characters without control characters",
            EXIT_INPUT,
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    /// Opens (creating with mode 0600, in a 0700 directory) the log for appending.
    pub fn open(path: PathBuf, operator: String, command: &'static str) -> Result<AuditLog> {
        let unavailable = |e: &std::io::Error| {
            CliError::io("audit_unavailable", &path, e).hint(format!(
                "nothing is opened without an audit record: fix the file, or set ${ENV_LOG} / \
                 --audit-log to a writable place"
            ))
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                let mut builder = std::fs::DirBuilder::new();
                builder.recursive(true);
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
                builder.create(dir).map_err(|e| unavailable(&e))?;
            }
        }
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|e| unavailable(&e))?;
        let is_file = file.metadata().map(|m| m.is_file()).unwrap_or(false);
        if !is_file {
            return Err(CliError::new(
                "audit_unavailable",
                format!("{} is not a regular file", path.display()),
                EXIT_IO,
            ));
        }
        let log = AuditLog {
            file,
            path,
            operator,
            host: host(),
            command,
        };
        // A new log gets its head file at once, so that a crash between a later append and its
        // head update leaves a head that is behind (a warning), never a missing one.
        if !head_path(&log.path).exists() {
            fs4::fs_std::FileExt::lock_exclusive(&log.file)
                .map_err(|e| CliError::io("audit_unavailable", &log.path, &e))?;
            let result = match log.tail() {
                Ok((0, genesis)) => log.write_head(0, &genesis),
                _ => Ok(()), // records but no head: left for `audit verify` to report
            };
            let _ = fs4::fs_std::FileExt::unlock(&log.file);
            result?;
        }
        Ok(log)
    }

    fn write_head(&self, seq: u64, hash: &str) -> Result<()> {
        let head = head_path(&self.path);
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&head)
            .and_then(|mut f| {
                f.write_all(format!("{seq} {hash}\n").as_bytes())?;
                f.sync_data()
            })
            .map_err(|e| CliError::io("audit_unavailable", &head, &e))
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
        let fail = |e: std::io::Error| CliError::io("audit_unavailable", &self.path, &e);
        fs4::fs_std::FileExt::lock_exclusive(&self.file).map_err(fail)?;
        let result = self.append_locked(events);
        // closing the file would release the lock too; a failed unlock changes nothing written
        let _ = fs4::fs_std::FileExt::unlock(&self.file);
        result
    }

    fn append_locked(&mut self, events: &[Event]) -> Result<()> {
        let fail = |e: std::io::Error| CliError::io("audit_unavailable", &self.path, &e);
        let (mut seq, mut prev) = self.tail()?;
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
        self.file.write_all(out.as_bytes()).map_err(fail)?;
        self.file.sync_data().map_err(fail)?;
        self.write_head(seq, &prev)
    }

    /// `(seq, hash)` of the last record, checked, or `(0, GENESIS)` for an empty log.
    fn tail(&self) -> Result<(u64, String)> {
        let damaged = |why: &str| {
            CliError::new(
                "audit_log_damaged",
                format!("{}: {why}", self.path.display()),
                EXIT_IO,
            )
            .hint(
                "run `sealpost audit verify`; keep the damaged log for review and start a new one",
            )
        };
        let fail = |e: std::io::Error| CliError::io("audit_unavailable", &self.path, &e);
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
