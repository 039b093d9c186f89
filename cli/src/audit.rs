//! `sealpost audit verify` and `sealpost audit show [--order REF] [--operator NAME]
//! [--since DATE] [--until DATE] [--json]`

use std::{
    io::{BufRead, BufReader, Write},
    time::SystemTime,
};

use serde::Deserialize;

use crate::{
    auditlog,
    cli::{AuditFileArgs, AuditShowArgs, AuditVerifyArgs},
    error::{CliError, Code, Result},
};

fn open_log(args: AuditFileArgs) -> Result<(std::path::PathBuf, BufReader<std::fs::File>)> {
    let path = auditlog::resolve_path(args.audit_log)?;
    let file = std::fs::File::open(&path)
        .map_err(|e| CliError::io(Code::UnreadableAuditLog, &path, &e))?;
    Ok((path, BufReader::new(file)))
}

pub fn verify(args: AuditVerifyArgs) -> Result<()> {
    let path = auditlog::resolve_path(args.file.audit_log.clone())?;
    let chain = auditlog::check(&path, &[])?;
    let witnessed = if args.checkpoint.is_empty() {
        0
    } else {
        crate::checkpoint::verify_against(&args, &path)?
    };
    let (head_seq, _) = chain.head;
    if head_seq < chain.seq {
        eprintln!(
            "sealpost: warning: the head file records {head_seq} but the log holds {} records \
             (a crash between the two writes leaves this; the next opening updates the head)",
            chain.seq
        );
    }
    println!(
        "{}: {} records, hash chain intact; head {} {}{}",
        path.display(),
        chain.seq,
        chain.seq,
        chain.hash,
        match witnessed {
            0 => String::new(),
            n => format!("; extends all {n} checkpoints"),
        }
    );
    Ok(())
}

/// `sealpost audit init`: starts a new, empty log with its head.
pub fn init(args: AuditFileArgs) -> Result<()> {
    let path = auditlog::resolve_path(args.audit_log)?;
    auditlog::init(&path)?;
    println!(
        "{}: new audit log (head {}); every opening is recorded here",
        path.display(),
        auditlog::head_path(&path).display()
    );
    Ok(())
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
        CliError::new(Code::InvalidDate, format!("{text:?} is not a date"))
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
        |e: std::io::Error| CliError::new(Code::CannotWriteOutput, format!("stdout: {e}"));
    if !args.json && !args.summary {
        writeln!(
            out,
            "{:>7}  {:<24}  {:<12}  {:<12}  {:<16}  {:<24}  {:>6}  OUTCOME",
            "SEQ", "TIME", "OPERATOR", "HOST", "KEY ID", "ORDER", "LINE"
        )
        .map_err(write_err)?;
    }
    let mut summary: std::collections::BTreeMap<(String, String), (u64, u64)> =
        std::collections::BTreeMap::new();
    let mut buf = String::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_line(&mut buf)
            .map_err(|e| CliError::io(Code::UnreadableAuditLog, &path, &e))?;
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
            || args.outcome.as_ref().is_some_and(|o| *o != rec.outcome)
            || args
                .key_id
                .as_ref()
                .is_some_and(|k| Some(k.to_ascii_lowercase()) != rec.key_id)
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
        if args.summary {
            let day = rec.time.get(..10).unwrap_or_default().to_owned();
            let counts = summary
                .entry((rec.operator.clone(), day))
                .or_insert((0u64, 0u64));
            if rec.outcome.starts_with("opened") {
                counts.0 += 1;
            } else {
                counts.1 += 1;
            }
        } else if args.json {
            out.write_all(buf.as_bytes()).map_err(write_err)?;
        } else {
            let line = rec.line.map_or_else(|| "-".to_owned(), |n| n.to_string());
            writeln!(
                out,
                "{:>7}  {:<24}  {:<12}  {:<12}  {:<16}  {:<24}  {:>6}  {}{}",
                rec.seq,
                escape(&rec.time),
                escape(&rec.operator),
                escape(&rec.host),
                escape(rec.key_id.as_deref().unwrap_or("-")),
                escape(&rec.order),
                line,
                escape(&rec.outcome),
                match (rec.command.as_str(), &rec.label) {
                    ("open", _) => String::new(),
                    ("open --batch", _) => " (batch)".to_owned(),
                    (command, Some(label)) => format!(" ({}: {})", escape(command), escape(label)),
                    (command, None) => format!(" ({})", escape(command)),
                },
            )
            .map_err(write_err)?;
        }
    }
    if args.summary {
        writeln!(
            out,
            "{:<24}  {:<10}  {:>8}  {:>8}",
            "OPERATOR", "DAY", "OPENED", "REJECTED"
        )
        .map_err(write_err)?;
        let mut per_operator: std::collections::BTreeMap<&str, (u64, u64)> =
            std::collections::BTreeMap::new();
        for ((operator, day), (opened, rejected)) in &summary {
            writeln!(
                out,
                "{:<24}  {day:<10}  {opened:>8}  {rejected:>8}",
                escape(operator)
            )
            .map_err(write_err)?;
            let total = per_operator.entry(operator).or_default();
            total.0 += opened;
            total.1 += rejected;
        }
        for (operator, (opened, rejected)) in per_operator {
            writeln!(
                out,
                "{:<24}  {:<10}  {opened:>8}  {rejected:>8}",
                escape(operator),
                "total"
            )
            .map_err(write_err)?;
        }
    }
    out.flush().map_err(write_err)
}

/// A value from the log as it may be shown on a terminal: C0 and C1 controls, DEL, line and
/// paragraph separators and bidi controls (which can erase or reorder what a reviewer sees)
/// become `\u{…}` escapes, as does the backslash itself.
pub fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || c == '\\'
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
