//! Reading inputs: stdin or a file with a size cap, and identity files.

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use sealpost::Identity;
use zeroize::Zeroizing;

use crate::error::{CliError, Result, EXIT_INPUT, EXIT_IO};

/// Largest input accepted on stdin or from a file (an envelope is at most ~55 KB of text).
const MAX_INPUT: u64 = 1 << 20;

/// Reads all of `path` (or stdin for `None` or `-`) as UTF-8 text.
pub fn read_text(path: Option<&Path>, what: &str) -> Result<Zeroizing<String>> {
    let mut buf = Zeroizing::new(String::new());
    let (name, result) = match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => {
            let file =
                std::fs::File::open(p).map_err(|e| CliError::io("unreadable_input", p, &e))?;
            (
                p.display().to_string(),
                file.take(MAX_INPUT + 1).read_to_string(&mut buf),
            )
        }
        None => (
            "stdin".to_owned(),
            std::io::stdin()
                .take(MAX_INPUT + 1)
                .read_to_string(&mut buf),
        ),
    };
    result.map_err(|e| CliError::new("unreadable_input", format!("{name}: {e}"), EXIT_IO))?;
    if buf.len() as u64 > MAX_INPUT {
        return Err(CliError::new(
            "input_too_large",
            format!("{what} on {name} is larger than 1 MiB"),
            EXIT_INPUT,
        ));
    }
    if buf.trim().is_empty() {
        return Err(CliError::new(
            "empty_input",
            format!("no {what} on {name}"),
            EXIT_INPUT,
        ));
    }
    Ok(buf)
}

/// Reads every identity from every file, in order.
pub fn read_identities(paths: &[PathBuf]) -> Result<Vec<Identity>> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map(Zeroizing::new)
            .map_err(|e| CliError::io("unreadable_identity", path, &e))?;
        let ids = sealpost::keys::parse_identity_file(&text).map_err(|e| {
            CliError::new(e.code(), format!("{}: {e}", path.display()), EXIT_INPUT)
                .hint("an identity file is what `sealpost keygen -o FILE` wrote")
        })?;
        out.extend(ids);
    }
    Ok(out)
}
