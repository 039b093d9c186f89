//! `sealpost identity export-raw -i FILE`

use std::io::Write;

use zeroize::Zeroizing;

use crate::{
    cli::ExportRawArgs,
    error::{CliError, Result, EXIT_IO},
    input,
};

pub fn export_raw(args: ExportRawArgs) -> Result<()> {
    let identities = input::read_identities(&[args.identity])?;
    eprintln!(
        "sealpost: warning: printing raw private keys: whoever sees them can open every envelope \
         sealed to these keys. Move them straight into an HSM or another RFC 9180 implementation \
         (DeserializePrivateKey of DHKEM(X25519, HKDF-SHA256))."
    );
    let mut out = Zeroizing::new(String::new());
    for identity in &identities {
        out.push_str(&identity.to_raw_hex());
        out.push('\n');
    }
    let mut stdout = std::io::stdout();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new("cannot_write_output", format!("stdout: {e}"), EXIT_IO))
}
