//! How failures are shown: `sealpost: error: CODE: message`, then `sealpost: hint: …` lines,
//! and a documented exit code (see `cli.rs` and `cli/README.md`).
//!
//! [`Code`] is the one table of the CLI's error codes: each has exactly one exit code. Call
//! sites name a `Code`; core errors ([`sealpost::Error`]) keep their own codes and take their
//! exit code from the same table (a core code the table does not name exits [`EXIT_INPUT`]).
//! `cli/tests/error_codes.rs` checks the table against `cli/README.md`.

use std::{fmt::Display, path::Path, process::ExitCode};

/// Exit code for bad input (malformed envelope, key, address, order reference).
pub const EXIT_INPUT: u8 = 1;
/// Exit code for a command line that does not make sense (clap's own errors exit 2 too).
pub const EXIT_USAGE: u8 = 2;
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

/// Declares [`Code`]: one line a code, `Variant = "code_string" => EXIT_…`.
macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal => $exit:expr,)*) => {
        /// Every error code the CLI prints or writes to a reject file, with its exit code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable machine code, as printed.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The exit code of an error with this code.
            pub const fn exit(self) -> u8 {
                match self {
                    $(Code::$variant => $exit,)*
                }
            }
        }
    };
}

codes! {
    // bad input (1)
    AddressDoesNotFit = "address_does_not_fit" => EXIT_INPUT,
    CheckpointInvalid = "checkpoint_invalid" => EXIT_INPUT,
    CourierExists = "courier_exists" => EXIT_INPUT,
    EmptyInput = "empty_input" => EXIT_INPUT,
    FontUnusable = "font_unusable" => EXIT_INPUT,
    InputTooLarge = "input_too_large" => EXIT_INPUT,
    InvalidAuditKey = "invalid_audit_key" => EXIT_INPUT,
    InvalidDate = "invalid_date" => EXIT_INPUT,
    InvalidInput = "invalid_input" => EXIT_INPUT,
    InvalidOperator = "invalid_operator" => EXIT_INPUT,
    InvalidSender = "invalid_sender" => EXIT_INPUT,
    InvalidTemplate = "invalid_template" => EXIT_INPUT,
    KeyExists = "key_exists" => EXIT_INPUT,
    KeyNotListed = "key_not_listed" => EXIT_INPUT,
    LabelUnencodable = "label_unencodable" => EXIT_INPUT,
    MissingColumn = "missing_column" => EXIT_INPUT,
    MissingField = "missing_field" => EXIT_INPUT,
    MissingGlyph = "missing_glyph" => EXIT_INPUT,
    PassphraseMismatch = "passphrase_mismatch" => EXIT_INPUT,
    SecretToTerminal = "secret_to_terminal" => EXIT_INPUT,
    UnknownCourier = "unknown_courier" => EXIT_INPUT,
    UnknownKey = "unknown_key" => EXIT_INPUT,
    WeakPassphrase = "weak_passphrase" => EXIT_INPUT,
    // core codes (SPEC.md §5, §9.5) the CLI also raises itself
    InvalidAddress = "invalid_address" => EXIT_INPUT,
    InvalidDirectory = "invalid_directory" => EXIT_INPUT,
    InvalidIdentity = "invalid_identity" => EXIT_INPUT,
    InvalidPlatformKey = "invalid_platform_key" => EXIT_INPUT,
    InvalidPublicKey = "invalid_public_key" => EXIT_INPUT,
    DirectoryWrongKey = "directory_wrong_key" => EXIT_INPUT,
    // usage (2)
    Usage = "usage" => EXIT_USAGE,
    // core codes with their own exit (3, 4)
    NotARecipient = "not_a_recipient" => EXIT_CANNOT_OPEN,
    OpenFailed = "open_failed" => EXIT_CANNOT_OPEN,
    MalformedPlaintext = "malformed_plaintext" => EXIT_CANNOT_OPEN,
    OrderMismatch = "order_mismatch" => EXIT_MISMATCH,
    DisclosureMismatch = "disclosure_mismatch" => EXIT_MISMATCH,
    // a file cannot be read or written (5)
    AuditLogDamaged = "audit_log_damaged" => EXIT_IO,
    AuditLogEmpty = "audit_log_empty" => EXIT_IO,
    AuditLogExists = "audit_log_exists" => EXIT_IO,
    /// Neither log nor head: never started (`audit init`). A log gone with its head still
    /// there is `audit_log_missing` (8).
    NoAuditLog = "no_audit_log" => EXIT_IO,
    AuditUnavailable = "audit_unavailable" => EXIT_IO,
    CannotWriteIdentity = "cannot_write_identity" => EXIT_IO,
    CannotWriteOutput = "cannot_write_output" => EXIT_IO,
    FontUnavailable = "font_unavailable" => EXIT_IO,
    InternalError = "internal_error" => EXIT_IO,
    OutputExists = "output_exists" => EXIT_IO,
    UnreadableAuditLog = "unreadable_audit_log" => EXIT_IO,
    UnreadableIdentity = "unreadable_identity" => EXIT_IO,
    UnreadableInput = "unreadable_input" => EXIT_IO,
    UnreadablePassphraseFile = "unreadable_passphrase_file" => EXIT_IO,
    // an identity cannot be used (6)
    InsecureOwner = "insecure_owner" => EXIT_IDENTITY,
    InsecurePermissions = "insecure_permissions" => EXIT_IDENTITY,
    PassphraseRequired = "passphrase_required" => EXIT_IDENTITY,
    WrongPassphrase = "wrong_passphrase" => EXIT_IDENTITY,
    // a batch completed with rejects (7); the codes below it appear only in reject files
    RecordsRejected = "records_rejected" => EXIT_REJECTED,
    KeyExpired = "key_expired" => EXIT_REJECTED,
    MalformedRecord = "malformed_record" => EXIT_REJECTED,
    MissingEnvelope = "missing_envelope" => EXIT_REJECTED,
    MissingOrder = "missing_order" => EXIT_REJECTED,
    RecordTooLarge = "record_too_large" => EXIT_REJECTED,
    // the audit log was altered (8)
    AuditLogMissing = "audit_log_missing" => EXIT_TAMPERED,
    AuditLogTampered = "audit_log_tampered" => EXIT_TAMPERED,
    CheckpointSequenceInvalid = "checkpoint_sequence_invalid" => EXIT_TAMPERED,
}

impl Code {
    /// The entry of the table with this code string, if any.
    pub fn find(code: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

/// The exit code of a core error: the table's, else [`EXIT_INPUT`] (the address field codes
/// `<field>_<problem>` and the other codes of SPEC.md §5 and §9.5).
pub fn core_exit(code: &str) -> u8 {
    Code::find(code).map_or(EXIT_INPUT, Code::exit)
}

#[derive(Debug)]
pub struct CliError {
    code: &'static str,
    message: String,
    hints: Vec<String>,
    exit: u8,
}

impl CliError {
    pub fn new(code: Code, message: impl Display) -> Self {
        CliError::with_code(code.as_str(), message, code.exit())
    }

    fn with_code(code: &'static str, message: impl Display, exit: u8) -> Self {
        CliError {
            code,
            message: message.to_string(),
            hints: Vec::new(),
            exit,
        }
    }

    /// A core error with another message (e.g. naming the file it came from).
    pub fn core(e: &sealpost::Error, message: impl Display) -> Self {
        CliError::with_code(e.code(), message, core_exit(e.code()))
    }

    pub fn io(code: Code, path: &Path, err: &std::io::Error) -> Self {
        let e = CliError::new(code, format!("{}: {err}", path.display()));
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
        let err = CliError::core(&e, &e);
        match e {
            E::NotARecipient => {
                err.hint("run `sealpost inspect` to see which key ids the envelope was sealed to")
            }
            E::OpenFailed => err
                .hint("the envelope was altered after sealing; ask the platform for the original"),
            E::MalformedPlaintext(_) => err.hint(
                "the envelope is authentic but its sender wrote a broken record: report it to the platform with the order reference",
            ),
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
