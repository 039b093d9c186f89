//! `sealpost open -i FILE [-i FILE…] [--order REF] [FILE]`

use std::io::Write;

use sealpost::Envelope;
use zeroize::Zeroizing;

use crate::{
    cli::OpenArgs,
    error::{CliError, Result, EXIT_IO},
    input,
};

pub fn run(args: OpenArgs) -> Result<()> {
    let identities = input::read_identities(&args.identity)?;
    let text = input::read_text(args.input.as_deref(), "envelope")?;
    let envelope: Envelope = text.parse()?;
    let address = envelope
        .open(&identities, args.order.as_deref())
        .map_err(|e| {
            let not_recipient = matches!(e, sealpost::Error::NotARecipient);
            let err = CliError::from(e);
            if not_recipient {
                let ids: Vec<String> = envelope
                    .recipients()
                    .iter()
                    .map(|r| r.key_id.to_hex())
                    .collect();
                let mine: Vec<String> = identities.iter().map(|i| i.key_id().to_hex()).collect();
                err.hint(format!(
                    "envelope key ids: {}; your key ids: {}",
                    ids.join(", "),
                    mine.join(", ")
                ))
            } else {
                err
            }
        })?;
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
