//! `sealpost identity export-raw -i FILE` and `sealpost identity protect -i FILE -o NEW`

use std::io::Write;

use zeroize::Zeroizing;

use crate::{
    cli::{ExportRawArgs, ProtectArgs},
    error::{CliError, Code, Result},
    input, keygen, passphrase, protect,
};

pub fn export_raw(args: ExportRawArgs) -> Result<()> {
    let source = passphrase::Source::new(args.passphrase.passphrase_file, passphrase::ENV);
    let identities = input::read_identities(&[args.identity], &source)?;
    eprintln!(
        "sealpost: warning: printing raw private keys: whoever sees them can open every envelope \
         sealed to these keys. Move them straight into an HSM or another RFC 9180 implementation \
         (DeserializePrivateKey of DHKEM(X25519, HKDF-SHA256))."
    );
    let mut out = Zeroizing::new(String::new());
    for usable in &identities {
        out.push_str(&usable.identity.to_raw_hex());
        out.push('\n');
    }
    let mut stdout = std::io::stdout();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::new(Code::CannotWriteOutput, format!("stdout: {e}")))
}

/// Writes every identity of the input file, each sealed under the new passphrase, with its
/// not-after date, into a new file.
pub fn protect(args: ProtectArgs) -> Result<()> {
    let kdf = args.kdf.params()?;
    let current = passphrase::Source::new(args.passphrase_file, passphrase::ENV);
    let identities = input::read_identities(&[args.identity], &current)?;
    let first_id = identities
        .first()
        .map(|u| u.key_id().to_hex())
        .unwrap_or_default();
    let new = passphrase::Source::new(args.new_passphrase_file, passphrase::ENV_NEW);
    let pass = new.read_new(&first_id)?;
    for usable in &identities {
        passphrase::check_strength(&pass, &usable.key_id().to_hex())?;
    }
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let mut text = Zeroizing::new(String::new());
    for usable in &identities {
        let part = protect::seal(&usable.identity, &pass, kdf, usable.not_after, &created)?;
        text.push_str(&part);
    }
    if text.is_empty() {
        return Err(CliError::new(
            Code::InvalidIdentity,
            "no identity to protect",
        ));
    }
    keygen::write_new_secret_file(&args.output, &text)?;
    for usable in &identities {
        println!("{}", usable.identity.public_key());
    }
    Ok(())
}
