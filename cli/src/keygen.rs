//! `sealpost keygen [-o FILE] [--unencrypted | --passphrase-file FILE] [--not-after DATE]`

use std::{
    fs::OpenOptions,
    io::{IsTerminal, Write},
    path::Path,
};

use sealpost::{keys::UtcSeconds, Identity};
use zeroize::Zeroizing;

use crate::{
    cli::KeygenArgs,
    error::{CliError, Code, Result},
    passphrase, protect,
};

pub fn run(args: KeygenArgs) -> Result<()> {
    let not_after = args.not_after.as_deref().map(parse_not_after).transpose()?;
    let kdf = args.kdf.params()?;
    let mut stdout = std::io::stdout();
    if args.output.is_none() && stdout.is_terminal() {
        return Err(CliError::new(
            Code::SecretToTerminal,
            "refusing to print a new private key to the terminal",
        )
        .hint("use `sealpost keygen -o FILE`, or redirect stdout to a file"));
    }
    let identity = Identity::generate()?;
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let text = if args.unencrypted {
        sealpost::keys::identity_file_text_with(&identity, &created, not_after)
    } else {
        let source = passphrase::Source::new(args.passphrase.passphrase_file, passphrase::ENV);
        let pass = source.read_new(&identity.key_id().to_hex())?;
        protect::seal(&identity, &pass, kdf, not_after, &created)?
    };
    match args.output {
        Some(path) => {
            write_new_secret_file(&path, &text)?;
            println!("{}", identity.public_key());
        }
        None => {
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| CliError::new(Code::CannotWriteIdentity, format!("stdout: {e}")))?;
            eprintln!("public key: {}", identity.public_key());
        }
    }
    Ok(())
}

/// `YYYY-MM-DD` (the key may be used through the end of that day, UTC) or
/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_not_after(text: &str) -> Result<UtcSeconds> {
    let full = if text.len() == 10 {
        format!("{text}T23:59:59Z")
    } else {
        text.to_owned()
    };
    UtcSeconds::parse(&full).ok_or_else(|| {
        CliError::new(
            Code::InvalidDate,
            format!("--not-after {text:?} is not a date"),
        )
        .hint("write YYYY-MM-DD (UTC, through the end of that day) or YYYY-MM-DDTHH:MM:SSZ")
    })
}

/// Creates `path` with mode 0600, refusing to replace an existing file, and syncs it.
pub fn write_new_secret_file(path: &Path, text: &Zeroizing<String>) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        let err = CliError::io(Code::CannotWriteIdentity, path, &e);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            err.hint("sealpost never overwrites an identity; choose another file name")
        } else {
            err
        }
    })?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::io(Code::CannotWriteIdentity, path, &e))
}
