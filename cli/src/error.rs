//! How failures are shown: `sealpost: error: CODE: message`, then `sealpost: hint: …` lines,
//! and a documented exit code (see `cli.rs`).

use std::{fmt::Display, path::Path, process::ExitCode};

/// Exit code for bad input (malformed envelope, key, address, order reference).
pub const EXIT_INPUT: u8 = 1;
/// Exit code when this identity cannot open the envelope.
pub const EXIT_CANNOT_OPEN: u8 = 3;
/// Exit code when the envelope's order or disclosed region was changed.
pub const EXIT_MISMATCH: u8 = 4;
/// Exit code for a file that cannot be read or written (including the audit log).
pub const EXIT_IO: u8 = 5;
/// Exit code when an identity cannot be used: wrong or missing passphrase, or a file that
/// other users can read.
pub const EXIT_IDENTITY: u8 = 6;
/// Exit code of `open --batch` when it completed but some records were rejected.
pub const EXIT_REJECTED: u8 = 7;
/// Exit code of `audit verify` when the audit log was altered.
pub const EXIT_TAMPERED: u8 = 8;

#[derive(Debug)]
pub struct CliError {
    code: &'static str,
    message: String,
    hints: Vec<String>,
    exit: u8,
}

impl CliError {
    pub fn new(code: &'static str, message: impl Display, exit: u8) -> Self {
        CliError {
            code,
            message: message.to_string(),
            hints: Vec::new(),
            exit,
        }
    }

    pub fn io(code: &'static str, path: &Path, err: &std::io::Error) -> Self {
        let e = CliError::new(code, format!("{}: {err}", path.display()), EXIT_IO);
        // ENOSPC (28), EFBIG (27, also a `ulimit -f` limit), EDQUOT (122)
        if matches!(err.raw_os_error(), Some(27 | 28 | 122))
            || matches!(
                err.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::FileTooLarge
            )
        {
            e.hint("the disk is full (or a file size limit was reached): nothing was left half-written; free space and run again")
        } else {
            e
        }
    }

    /// The stable machine code.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message, without code and hints.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether a hint is attached already.
    pub fn has_hint(&self) -> bool {
        !self.hints.is_empty()
    }

    pub fn hint(mut self, hint: impl Display) -> Self {
        self.hints.push(hint.to_string());
        self
    }

    pub fn report(&self) -> ExitCode {
        eprintln!("sealpost: error: {}: {}", self.code, self.message);
        for hint in &self.hints {
            eprintln!("sealpost: hint: {hint}");
        }
        ExitCode::from(self.exit)
    }
}

impl From<sealpost::Error> for CliError {
    fn from(e: sealpost::Error) -> Self {
        use sealpost::Error as E;
        let exit = match e {
            E::NotARecipient | E::OpenFailed => EXIT_CANNOT_OPEN,
            E::OrderMismatch { .. } | E::DisclosureMismatch => EXIT_MISMATCH,
            _ => EXIT_INPUT,
        };
        let err = CliError::new(e.code(), &e, exit);
        match e {
            E::NotARecipient => {
                err.hint("run `sealpost inspect` to see which key ids the envelope was sealed to")
            }
            E::OpenFailed => err
                .hint("the envelope was altered after sealing; ask the platform for the original"),
            E::OrderMismatch { .. } => err.hint(
                "an envelope is valid only for the order it was sealed for; check the manifest row",
            ),
            E::DisclosureMismatch => {
                err.hint("the region shown to the seller was edited after sealing")
            }
            E::UnknownFormat | E::Truncated | E::MalformedEnvelope(_) => {
                err.hint("pass the whole envelope text, starting with \"spe1.\"")
            }
            _ => err,
        }
    }
}

pub type Result<T> = std::result::Result<T, CliError>;
