//! `sealpost keygen [-o FILE]`

use std::{
    fs::OpenOptions,
    io::{IsTerminal, Write},
};

use sealpost::Identity;

use crate::{
    cli::KeygenArgs,
    error::{CliError, Result, EXIT_INPUT, EXIT_IO},
};

pub fn run(args: KeygenArgs) -> Result<()> {
    let identity = Identity::generate()?;
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let text = sealpost::keys::identity_file_text(&identity, &created);
    match args.output {
        Some(path) => {
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(|e| {
                let err = CliError::io("cannot_write_identity", &path, &e);
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    err.hint("sealpost never overwrites an identity; choose another file name")
                } else {
                    err
                }
            })?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| CliError::io("cannot_write_identity", &path, &e))?;
            println!("{}", identity.public_key());
        }
        None => {
            let mut stdout = std::io::stdout();
            if stdout.is_terminal() {
                return Err(CliError::new(
                    "secret_to_terminal",
                    "refusing to print a new private key to the terminal",
                    EXIT_INPUT,
                )
                .hint("use `sealpost keygen -o FILE`, or redirect stdout to a file"));
            }
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| {
                    CliError::new("cannot_write_identity", format!("stdout: {e}"), EXIT_IO)
                })?;
            eprintln!("public key: {}", identity.public_key());
        }
    }
    Ok(())
}
