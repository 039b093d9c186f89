//! `sealpost open -i FILE [-i FILE…] [--order REF] [FILE]`; with `--batch`, see `batch.rs`.
//!
//! The attempt is recorded in the audit log (and synced) before the address is printed: if the
//! record cannot be written, nothing is shown.

use std::io::Write;

use sealpost::{Envelope, KeyId};
use zeroize::Zeroizing;

use crate::{
    auditlog::{self, AuditLog, Event},
    batch,
    cli::OpenArgs,
    error::{CliError, Result, EXIT_IO},
    input::{self, Usable},
    passphrase,
};

pub fn run(args: OpenArgs) -> Result<()> {
    if args.batch {
        return batch::run(args);
    }
    let found = input::find_identities(&args.identity)?;
    let operator = auditlog::operator(args.audit.operator)?;
    let mut log = AuditLog::open(
        auditlog::resolve_path(args.audit.audit_log)?,
        operator,
        "open",
    )?;
    let text = input::read_text(args.input.as_deref(), "envelope")?;
    let mut event = Event {
        line: None,
        order: args.order.clone().unwrap_or_default(),
        key_id: None,
        envelope: auditlog::envelope_hash(&text),
        outcome: "opened",
        label: None,
    };
    let envelope: Envelope = match text.parse() {
        Ok(e) => e,
        Err(e) => {
            event.outcome = e.code();
            log.append(&[event])?;
            return Err(e.into());
        }
    };
    if args.order.is_none() {
        event.order = envelope.order_ref().to_owned();
    }
    // Only the identities the envelope names are unlocked (no passphrase asked otherwise).
    let named: Vec<KeyId> = envelope.recipients().iter().map(|r| r.key_id).collect();
    let mine: Vec<String> = found.iter().map(|f| f.entry.key_id().to_hex()).collect();
    let source = passphrase::Source::new(args.passphrase.passphrase_file, passphrase::ENV);
    let identities = input::unlock(found, |id| named.contains(id), &source)?;
    let result = open_with(&envelope, &identities, args.order.as_deref());
    let opened_by = result.as_ref().ok().map(|(_, by)| *by);
    event.key_id = opened_by
        .and_then(|i| identities.get(i))
        .map(Usable::key_id);
    event.outcome = match &result {
        Ok(_) => "opened",
        Err(e) => e.code(),
    };
    log.append(&[event])?;
    let (address, by) = result.map_err(|e| {
        let not_recipient = matches!(e, sealpost::Error::NotARecipient);
        let err = CliError::from(e);
        if not_recipient {
            let ids: Vec<String> = named.iter().map(KeyId::to_hex).collect();
            err.hint(format!(
                "envelope key ids: {}; your key ids: {}",
                ids.join(", "),
                mine.join(", ")
            ))
        } else {
            err
        }
    })?;
    if let Some(usable) = identities.get(by).filter(|u| u.expired_at(input::now())) {
        eprintln!(
            "sealpost: warning: identity {} (key id {}) is past its not-after date {}; ask \
             shops to seal to your new key and retire this one",
            usable.path.display(),
            usable.key_id(),
            usable.not_after.map(|t| t.to_string()).unwrap_or_default()
        );
    }
    let json = Zeroizing::new(
        serde_json::to_string_pretty(&address)
            .map_err(|e| CliError::new("cannot_write_output", e, EXIT_IO))?,
    );
    let mut stdout = std::io::stdout();
    stdout
        .write_all(json.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new("cannot_write_output", format!("stdout: {e}"), EXIT_IO))
}

/// Opens with the first identity that can; returns the address and that identity's index.
/// Errors as `Envelope::open` reports them (the first failure of a matching entry, else
/// `not_a_recipient`).
pub fn open_with(
    envelope: &Envelope,
    identities: &[Usable],
    expected_order: Option<&str>,
) -> std::result::Result<(sealpost::Address, usize), sealpost::Error> {
    let mut first_error = None;
    for (i, usable) in identities.iter().enumerate() {
        let key_id = usable.key_id();
        if !envelope.recipients().iter().any(|r| r.key_id == key_id) {
            continue;
        }
        match envelope.open(std::slice::from_ref(&usable.identity), expected_order) {
            Ok(address) => return Ok((address, i)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    // an order mismatch is reported before any decryption, whatever the keys
    if let Some(expected) = expected_order {
        if expected != envelope.order_ref() && first_error.is_none() {
            return Err(sealpost::Error::OrderMismatch {
                sealed: envelope.order_ref().to_owned(),
                presented: expected.to_owned(),
            });
        }
    }
    Err(first_error.unwrap_or(sealpost::Error::NotARecipient))
}
