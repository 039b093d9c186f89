//! Signed audit checkpoints (SPEC.md §8.3): a hub signs `(log id, record count, head hash,
//! time)` with its audit key and sends the line to the platform or another witness; later
//! `audit verify --checkpoint` proves the log still *extends* every witnessed checkpoint, even
//! if the log and its head were rewritten consistently, and `audit witness` checks a hub's
//! sequence of checkpoints on the platform's side.
//!
//! One line of text:
//! `sealpost-checkpoint-1 log=<32 hex> seq=<N> head=<64 hex> time=<YYYY-MM-DDTHH:MM:SSZ>
//! key=<spp1…> sig=<base64url>`; the signature covers the line before ` sig=`.

use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use sealpost::directory::PlatformPublicKey;

use crate::{
    auditlog,
    cli::{AuditCheckpointArgs, AuditKeygenArgs, AuditVerifyArgs, AuditWitnessArgs},
    error::{CliError, Code, Result},
};

const TAG: &str = "sealpost-checkpoint-1";

/// A parsed (not yet verified) checkpoint.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub log: String,
    pub seq: u64,
    pub head: String,
    pub time: String,
    pub key: PlatformPublicKey,
    sig: [u8; 64],
    statement: String,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Checkpoint {
    /// Parses one line strictly (fields in this order, nothing else).
    pub fn parse(line: &str) -> Option<Checkpoint> {
        let (statement, sig) = line.trim_end().rsplit_once(" sig=")?;
        let mut f = statement.split(' ');
        (f.next()? == TAG).then_some(())?;
        let mut field = |name: &str| f.next()?.strip_prefix(name).map(str::to_owned);
        let log = field("log=")?;
        let seq = field("seq=")?;
        let head = field("head=")?;
        let time = field("time=")?;
        let key = field("key=")?;
        if f.next().is_some() || !is_hex(&log, 32) || !is_hex(&head, 64) {
            return None;
        }
        let seq: u64 = seq.parse().ok().filter(|s| *s >= 1)?;
        humantime::parse_rfc3339(&time).ok()?;
        let sig: [u8; 64] = URL_SAFE_NO_PAD.decode(sig).ok()?.try_into().ok()?;
        Some(Checkpoint {
            log,
            seq,
            head,
            time,
            key: key.parse().ok()?,
            sig,
            statement: statement.to_owned(),
        })
    }

    fn signature_valid(&self) -> bool {
        self.key
            .verify_checkpoint(self.statement.as_bytes(), &self.sig)
    }
}

/// The log id: the first 16 bytes (32 hex digits) of record 1's hash.
fn log_id(record_1: &str) -> String {
    record_1.get(..32).unwrap_or_default().to_owned()
}

fn invalid(path: &Path, line: usize, why: &str) -> CliError {
    CliError::new(
        Code::CheckpointInvalid,
        format!("{} line {line}: {why}", path.display()),
    )
}

/// Every checkpoint of the files, signature checked, all by one key (`pinned` if given).
fn read_checkpoints(files: &[PathBuf], pinned: Option<&str>) -> Result<Vec<Checkpoint>> {
    let pinned: Option<PlatformPublicKey> = pinned
        .map(|k| {
            k.parse()
                .map_err(|e| CliError::new(Code::InvalidAuditKey, e))
        })
        .transpose()?;
    let mut out: Vec<Checkpoint> = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::io(Code::UnreadableInput, path, &e))?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let c = Checkpoint::parse(line)
                .ok_or_else(|| invalid(path, i + 1, "not a sealpost checkpoint line"))?;
            let key = pinned.as_ref().or(out.first().map(|f| &f.key));
            if key.is_some_and(|k| *k != c.key) {
                return Err(invalid(
                    path,
                    i + 1,
                    "signed with another audit key than the hub's",
                ));
            }
            if !c.signature_valid() {
                return Err(invalid(
                    path,
                    i + 1,
                    "the signature does not verify (forged or altered)",
                ));
            }
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(CliError::new(
            Code::CheckpointInvalid,
            "no checkpoint in the files given",
        ));
    }
    Ok(out)
}

/// `sealpost audit keygen -o FILE`: the hub's audit key (Ed25519, passphrase-protected).
pub fn keygen(args: AuditKeygenArgs) -> Result<()> {
    let kdf = args.kdf.params()?;
    let public = crate::directory::new_signing_key_file(
        &args.key,
        kdf,
        &args.passphrase,
        Some("sealpost hub audit key: signs audit checkpoints (sealpost audit checkpoint)."),
    )?;
    println!("{public}");
    Ok(())
}

/// `sealpost audit checkpoint -k FILE`: checks the log, prints a signed checkpoint of it.
pub fn checkpoint(args: AuditCheckpointArgs) -> Result<()> {
    let path = auditlog::resolve_path(args.file.audit_log)?;
    let chain = auditlog::check(&path, &[1])?;
    let Some((_, first)) = chain.hashes.first() else {
        return Err(CliError::new(
            Code::AuditLogEmpty,
            format!("{} has no record yet: nothing to witness", path.display()),
        ));
    };
    let key = crate::directory::unlock_signing_key(&args.key, &args.passphrase, "audit key")?;
    let time = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let statement = format!(
        "{TAG} log={} seq={} head={} time={time} key={}",
        log_id(first),
        chain.seq,
        chain.hash,
        key.public_key()
    );
    let sig = key.sign_checkpoint(statement.as_bytes());
    println!("{statement} sig={}", URL_SAFE_NO_PAD.encode(sig));
    Ok(())
}

/// Environment variable naming a file of witnessed checkpoints that every opening checks the
/// log against (SPEC.md §8.3), so a log rolled back or rewritten below them stops all openings.
pub const ENV_CHECKPOINTS: &str = "SEALPOST_AUDIT_CHECKPOINTS";

/// `audit verify --checkpoint FILE…`: the log extends every checkpoint. Returns how many.
pub fn verify_against(args: &AuditVerifyArgs, log: &Path) -> Result<usize> {
    verify_log(log, &args.checkpoint, args.audit_key.as_deref())
}

/// The log extends every checkpoint of `files` (signed by `pinned`, else by one key).
pub fn verify_log(log: &Path, files: &[PathBuf], pinned: Option<&str>) -> Result<usize> {
    let checkpoints = read_checkpoints(files, pinned)?;
    let mut want: Vec<u64> = checkpoints.iter().map(|c| c.seq).collect();
    want.push(1);
    let chain = auditlog::check(log, &want)?;
    let hash_at = |seq: u64| chain.hashes.iter().find(|(s, _)| *s == seq).map(|(_, h)| h);
    let rewritten = |why: String| {
        CliError::new(Code::AuditLogTampered, format!("{}: {why}", log.display()))
            .hint("the log and its head agree, but not with what a witness saw: history was rewritten; keep every file as evidence")
    };
    for c in &checkpoints {
        if chain.seq < c.seq {
            return Err(rewritten(format!(
                "the log ends at record {} but a checkpoint of {} witnessed {} records: records were removed",
                chain.seq, c.time, c.seq
            )));
        }
        if hash_at(1).map(|h| log_id(h)) != Some(c.log.clone()) {
            return Err(rewritten(format!(
                "the checkpoint of {} is for log {}, this log is {}: replaced",
                c.time,
                c.log,
                hash_at(1).map_or_else(String::new, |h| log_id(h))
            )));
        }
        if hash_at(c.seq) != Some(&c.head) {
            return Err(rewritten(format!(
                "record {} differs from the one the checkpoint of {} witnessed: records up to it were edited, removed or replaced",
                c.seq, c.time
            )));
        }
    }
    Ok(checkpoints.len())
}

/// `sealpost audit witness --audit-key spp1… FILE…`: a hub's checkpoints, as the platform
/// receives them: valid signatures by that key, one log, counts never going down, times in
/// order, one head per count.
pub fn witness(args: AuditWitnessArgs) -> Result<()> {
    let checkpoints = read_checkpoints(&args.checkpoints, Some(&args.audit_key))?;
    let broken = |why: String| {
        CliError::new(Code::CheckpointSequenceInvalid, why)
            .hint("the hub's log went backwards or forked: ask for the log and run `sealpost audit verify --checkpoint`")
    };
    for pair in checkpoints.windows(2) {
        let [a, b] = pair else { continue };
        if a.log != b.log {
            return Err(broken(format!("checkpoint of {} is for log {}, the one before for log {}: a new log replaced the old one", b.time, b.log, a.log)));
        }
        if b.seq < a.seq {
            return Err(broken(format!(
                "checkpoint of {} has {} records, fewer than the {} of {}: records were removed",
                b.time, b.seq, a.seq, a.time
            )));
        }
        if b.seq == a.seq && b.head != a.head {
            return Err(broken(format!(
                "two checkpoints of {} records name different heads: the log was rewritten",
                a.seq
            )));
        }
        if humantime::parse_rfc3339(&b.time).ok() < humantime::parse_rfc3339(&a.time).ok() {
            return Err(broken(format!(
                "checkpoint of {} comes after the one of {}",
                b.time, a.time
            )));
        }
    }
    let (Some(first), Some(last)) = (checkpoints.first(), checkpoints.last()) else {
        return Ok(());
    };
    println!(
        "{} checkpoints of log {} signed by {}: {} → {} records ({} → {}), consistent",
        checkpoints.len(),
        first.log,
        first.key,
        first.seq,
        last.seq,
        first.time,
        last.time
    );
    Ok(())
}
