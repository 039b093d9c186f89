//! `sealpost audit verify` and `sealpost audit show [--order REF] [--operator NAME]
//! [--since DATE] [--until DATE] [--json]`

use std::{
    io::{BufRead, BufReader, Write},
    path::Path,
    time::SystemTime,
};

use serde::Deserialize;

use crate::{
    auditlog::{self, GENESIS},
    cli::{AuditFileArgs, AuditShowArgs},
    error::{CliError, Result, EXIT_INPUT, EXIT_IO, EXIT_TAMPERED},
};

fn open_log(args: AuditFileArgs) -> Result<(std::path::PathBuf, BufReader<std::fs::File>)> {
    let path = auditlog::resolve_path(args.audit_log)?;
    let file =
        std::fs::File::open(&path).map_err(|e| CliError::io("unreadable_audit_log", &path, &e))?;
    Ok((path, BufReader::new(file)))
}

fn tampered(path: &Path, line: u64, why: impl std::fmt::Display) -> CliError {
    CliError::new(
        "audit_log_tampered",
        format!("{} line {line}: {why}", path.display()),
        EXIT_TAMPERED,
    )
    .hint("keep this file unchanged as evidence and report it; records before this line are intact")
}

pub fn verify(args: AuditFileArgs) -> Result<()> {
    let (path, mut reader) = open_log(args)?;
    let head_file = auditlog::head_path(&path);
    let head = match std::fs::read_to_string(&head_file) {
        Ok(text) => Some(
            parse_head(&text)
                .ok_or_else(|| tampered(&head_file, 1, "not a head record (`SEQ HASH`)"))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(CliError::io("unreadable_audit_log", &head_file, &e)),
    };
    let mut prev = GENESIS.to_owned();
    let mut seq = 0u64;
    let mut line_no = 0u64;
    let mut head_seen = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::io("unreadable_audit_log", &path, &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Some(line) = buf.strip_suffix(b"\n") else {
            return Err(tampered(
                &path,
                line_no,
                "the last record is cut off (truncated)",
            ));
        };
        let line = std::str::from_utf8(line)
            .map_err(|_| tampered(&path, line_no, "not a record (edited)"))?;
        let (body, hash) = auditlog::split_record(line)
            .ok_or_else(|| tampered(&path, line_no, "not a record (edited or truncated)"))?;
        if !auditlog::hash_matches(body, hash) {
            return Err(tampered(
                &path,
                line_no,
                "the record does not match its hash (edited)",
            ));
        }
        let record: Chained = serde_json::from_str(&format!("{body}}}"))
            .map_err(|_| tampered(&path, line_no, "not a record (edited)"))?;
        if record.v != 1 {
            return Err(tampered(&path, line_no, "unknown record version"));
        }
        if record.seq > seq + 1 {
            return Err(tampered(
                &path,
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
                &path,
                line_no,
                format!(
                    "record {} comes after record {seq} (reordered or duplicated)",
                    record.seq
                ),
            ));
        }
        if record.prev != prev {
            return Err(tampered(
                &path,
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
        seq = record.seq;
        prev = hash.to_owned();
    }
    match &head {
        Some((head_seq, _)) if !head_seen && *head_seq > seq => {
            return Err(tampered(
                &path,
                line_no + 1,
                format!(
                    "the log ends at record {seq} but its head file records {head_seq}: records were removed from the end (truncated)"
                ),
            ));
        }
        Some((head_seq, _)) if !head_seen && *head_seq != 0 => {
            return Err(tampered(
                &head_file,
                1,
                "the head file names no record of the log",
            ));
        }
        None if seq > 0 => {
            return Err(tampered(
                &head_file,
                1,
                "the head file is missing, so records removed from the end would go unseen",
            )
            .hint("when checking a copy, copy the .head file with the log"));
        }
        _ => {}
    }
    if let Some((head_seq, _)) = head.as_ref().filter(|(s, _)| *s < seq) {
        eprintln!(
            "sealpost: warning: the head file records {head_seq} but the log holds {seq} records \
             (a crash between the two writes leaves this; anyone who can write the log can also \
             append records)"
        );
    }
    println!(
        "{}: {seq} records, hash chain intact; head {seq} {prev}",
        path.display()
    );
    Ok(())
}

fn parse_head(text: &str) -> Option<(u64, String)> {
    let (seq, hash) = text.strip_suffix('\n')?.split_once(' ')?;
    let ok = hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    ok.then_some(())?;
    Some((seq.parse().ok()?, hash.to_owned()))
}

#[derive(Deserialize)]
struct Chained {
    v: u32,
    seq: u64,
    prev: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Shown {
    seq: u64,
    time: String,
    operator: String,
    host: String,
    command: String,
    line: Option<u64>,
    order: String,
    key_id: Option<String>,
    outcome: String,
    /// `sealpost label` records only: `masked` or `full`.
    #[serde(default)]
    label: Option<String>,
}

/// `YYYY-MM-DD` (start of day, or with `end_of_day` the start of the next day) or RFC 3339.
fn parse_date(text: &str, end_of_day: bool) -> Result<SystemTime> {
    let bad = || {
        CliError::new(
            "invalid_date",
            format!("{text:?} is not a date"),
            EXIT_INPUT,
        )
        .hint("write YYYY-MM-DD (UTC) or YYYY-MM-DDTHH:MM:SSZ")
    };
    if text.len() == 10 {
        let t = humantime::parse_rfc3339(&format!("{text}T00:00:00Z")).map_err(|_| bad())?;
        return Ok(if end_of_day {
            t + std::time::Duration::from_secs(86_400)
        } else {
            t
        });
    }
    humantime::parse_rfc3339_weak(text).map_err(|_| bad())
}

pub fn show(args: AuditShowArgs) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|d| parse_date(d, false))
        .transpose()?;
    let until = args
        .until
        .as_deref()
        .map(|d| parse_date(d, true))
        .transpose()?;
    let (path, mut reader) = open_log(args.file)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let write_err =
        |e: std::io::Error| CliError::new("cannot_write_output", format!("stdout: {e}"), EXIT_IO);
    if !args.json {
        writeln!(
            out,
            "{:>7}  {:<24}  {:<12}  {:<12}  {:<16}  {:<24}  {:>6}  OUTCOME",
            "SEQ", "TIME", "OPERATOR", "HOST", "KEY ID", "ORDER", "LINE"
        )
        .map_err(write_err)?;
    }
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_line(&mut buf)
            .map_err(|e| CliError::io("unreadable_audit_log", &path, &e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let Ok(rec) = serde_json::from_str::<Shown>(buf.trim_end()) else {
            eprintln!(
                "sealpost: warning: {} line {line_no} is not a record; run `sealpost audit verify`",
                path.display()
            );
            continue;
        };
        if args.order.as_ref().is_some_and(|o| *o != rec.order)
            || args.operator.as_ref().is_some_and(|o| *o != rec.operator)
        {
            continue;
        }
        if since.is_some() || until.is_some() {
            let Ok(t) = humantime::parse_rfc3339(&rec.time) else {
                continue;
            };
            if since.is_some_and(|s| t < s) || until.is_some_and(|u| t >= u) {
                continue;
            }
        }
        if args.json {
            out.write_all(buf.as_bytes()).map_err(write_err)?;
        } else {
            let line = rec.line.map_or_else(|| "-".to_owned(), |n| n.to_string());
            writeln!(
                out,
                "{:>7}  {:<24}  {:<12}  {:<12}  {:<16}  {:<24}  {:>6}  {}{}",
                rec.seq,
                rec.time,
                rec.operator,
                rec.host,
                rec.key_id.as_deref().unwrap_or("-"),
                rec.order,
                line,
                rec.outcome,
                match (rec.command.as_str(), &rec.label) {
                    ("open", _) => String::new(),
                    ("open --batch", _) => " (batch)".to_owned(),
                    (command, Some(label)) => format!(" ({command}: {label})"),
                    (command, None) => format!(" ({command})"),
                },
            )
            .map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}
