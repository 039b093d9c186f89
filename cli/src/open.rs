//! `sealpost open -i FILE [-i FILE…] [--order REF] [FILE]`; with `--batch`, see `batch.rs`.
//!
//! The attempt is recorded in the audit log (and synced) before the address is printed: if the
//! record cannot be written, nothing is shown.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use sealpost::{Envelope, KeyId};
use zeroize::Zeroizing;

use crate::{
    auditlog::{self, AuditLog, Event},
    batch,
    cli::{AuditArgs, OpenArgs, PassphraseArgs},
    error::{CliError, Code, Result},
    input::{self, Usable},
    passphrase,
};

pub fn run(args: OpenArgs) -> Result<()> {
    if args.batch {
        return batch::run(args);
    }
    let mut attempt = Attempt::start(
        &args.identity,
        &args.audit,
        &args.passphrase,
        args.input.as_deref(),
        args.order.as_deref(),
        "open",
    )?;
    attempt.log_event()?;
    let (address, by) = attempt.take_result()?;
    if let Some(usable) = attempt
        .identities
        .get(by)
        .filter(|u| u.expired_at(input::now()))
    {
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
            .map_err(|e| CliError::new(Code::CannotWriteOutput, e))?,
    );
    let mut stdout = std::io::stdout();
    stdout
        .write_all(json.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(Code::CannotWriteOutput, format!("stdout: {e}")))
}

/// One envelope opened the way `open` and `label` do: read, parsed (a parse failure is audited
/// and returned), only the identities it names unlocked (no passphrase asked otherwise), opened.
/// The caller appends the audit record with [`Attempt::log_event`] (after adding what it
/// produced, e.g. a label) before showing anything, then takes the result.
pub struct Attempt {
    pub log: AuditLog,
    pub event: Event,
    pub envelope: Envelope,
    pub identities: Vec<Usable>,
    pub result: std::result::Result<(sealpost::Address, usize), sealpost::Error>,
    named: Vec<KeyId>,
    mine: Vec<String>,
}

impl Attempt {
    pub fn start(
        identity: &[PathBuf],
        audit: &AuditArgs,
        passphrase: &PassphraseArgs,
        input_path: Option<&Path>,
        order: Option<&str>,
        command: &'static str,
    ) -> Result<Attempt> {
        let found = input::find_identities(identity)?;
        let mut log = AuditLog::for_command(audit, command)?;
        let text = input::read_text(input_path, "envelope")?;
        let mut event = Event {
            line: None,
            order: order.map(str::to_owned).unwrap_or_default(),
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
        if order.is_none() {
            event.order = envelope.order_ref().to_owned();
        }
        let named: Vec<KeyId> = envelope.recipients().iter().map(|r| r.key_id).collect();
        let mine: Vec<String> = found.iter().map(|f| f.entry.key_id().to_hex()).collect();
        let source = passphrase::Source::new(passphrase.passphrase_file.clone(), passphrase::ENV);
        let identities = unlock_audited(&mut log, found, |id| named.contains(id), &source)?;
        let result = open_with(&envelope, &identities, order);
        let by = result.as_ref().ok().and_then(|(_, by)| identities.get(*by));
        event.key_id = by.map(Usable::key_id);
        event.outcome = match (&result, by) {
            (Ok(_), Some(u)) if u.expired_at(input::now()) => "opened_expired_key",
            (Ok(_), _) => "opened",
            (Err(e), _) => e.code(),
        };
        Ok(Attempt {
            log,
            event,
            envelope,
            identities,
            result,
            named,
            mine,
        })
    }

    /// Appends (and syncs) the audit record of this attempt.
    pub fn log_event(&mut self) -> Result<()> {
        let event = self.event.clone();
        self.log.append(&[event])
    }

    /// The address and the index of the identity that opened it, or the error, with the key
    /// ids of both sides as a hint when this identity is not a recipient.
    pub fn take_result(&mut self) -> Result<(sealpost::Address, usize)> {
        let result = std::mem::replace(&mut self.result, Err(sealpost::Error::NotARecipient));
        result.map_err(|e| {
            let not_recipient = matches!(e, sealpost::Error::NotARecipient);
            let err = CliError::from(e);
            if not_recipient {
                let ids: Vec<String> = self.named.iter().map(KeyId::to_hex).collect();
                err.hint(format!(
                    "envelope key ids: {}; your key ids: {}",
                    ids.join(", "),
                    self.mine.join(", ")
                ))
            } else {
                err
            }
        })
    }
}

/// [`input::unlock`], with a failed unlock (wrong or missing passphrase, a file others can
/// read) recorded in the audit log before the error is returned: every attempt leaves a trace.
pub fn unlock_audited(
    log: &mut AuditLog,
    found: Vec<input::Found>,
    wanted: impl Fn(&KeyId) -> bool,
    source: &passphrase::Source,
) -> Result<Vec<Usable>> {
    input::unlock(found, wanted, source).or_else(|e| {
        log.append(&[Event {
            line: None,
            order: String::new(),
            key_id: None,
            envelope: [0; 32],
            outcome: e.code(),
            label: None,
        }])?;
        Err(e)
    })
}

/// Why no identity opened an envelope: the core's error (SPEC.md §3.3), or, when none of the
/// identities tried has an entry, the first identity that was not tried because `allowed` said
/// no (past its not-after date) but has one.
pub struct Refused<'u> {
    pub error: Option<sealpost::Error>,
    pub skipped: Option<&'u Usable>,
}

/// Opens with the identities `allowed` accepts, in file order (`Envelope::open_with`); returns
/// the address and the index of the identity that opened it. The one place the CLI opens an
/// envelope (for `open`, `label` and both batches).
pub fn open_first<'u>(
    envelope: &Envelope,
    identities: &'u [Usable],
    expected_order: Option<&str>,
    allowed: impl Fn(usize) -> bool,
) -> std::result::Result<(sealpost::Address, usize), Refused<'u>> {
    let tried: Vec<usize> = (0..identities.len()).filter(|&i| allowed(i)).collect();
    let opened = envelope.open_with(
        tried
            .iter()
            .filter_map(|&i| identities.get(i))
            .map(|u| &u.identity),
        expected_order,
    );
    match opened {
        Ok(o) => Ok((o.address, tried.get(o.identity).copied().unwrap_or(0))),
        Err(sealpost::Error::NotARecipient) => {
            let names = |u: &Usable| envelope.recipients().iter().any(|r| r.key_id == u.key_id());
            let skipped = identities
                .iter()
                .enumerate()
                .find(|(i, u)| !allowed(*i) && names(u))
                .map(|(_, u)| u);
            Err(Refused {
                error: skipped.is_none().then_some(sealpost::Error::NotARecipient),
                skipped,
            })
        }
        Err(e) => Err(Refused {
            error: Some(e),
            skipped: None,
        }),
    }
}

/// Opens with the first identity that can; returns the address and that identity's index.
pub fn open_with(
    envelope: &Envelope,
    identities: &[Usable],
    expected_order: Option<&str>,
) -> std::result::Result<(sealpost::Address, usize), sealpost::Error> {
    open_first(envelope, identities, expected_order, |_| true)
        .map_err(|r| r.error.unwrap_or(sealpost::Error::NotARecipient))
}
