//! Arguments of `sealpost directory …` (the platform's certified courier directory).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::{KdfArgs, PassphraseArgs};

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Platform: create the directory signing key (Ed25519, passphrase-protected) and an empty
    /// draft directory; print the platform public key (spp1…) that shops pin.
    Init(InitArgs),
    /// Platform: certify a courier (add it to the draft).
    AddCourier(AddCourierArgs),
    /// Platform: list a courier key with its validity period in the draft.
    AddKey(AddKeyArgs),
    /// Platform: remove a key from the draft (the next signed directory no longer lists it).
    RevokeKey(RevokeKeyArgs),
    /// Platform: sign the draft with the next serial number; print or write `spdir1.…`.
    Sign(SignArgs),
    /// Check a signed directory against the pinned platform key, the clock and the last serial
    /// seen; print the keys a widget would seal to.
    Verify(VerifyArgs),
    /// Print a signed directory as JSON (verified when --platform-key is given).
    Show(ShowArgs),
    /// Courier: report the keys an envelope was sealed to that the current directory no
    /// longer lists.
    CheckEnvelope(CheckEnvelopeArgs),
}

#[derive(Debug, Args)]
pub struct DraftArg {
    /// The draft directory (JSON, unsigned) that `sign` signs.
    #[arg(short, long, value_name = "FILE")]
    pub draft: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Write the platform signing key to FILE (mode 0600; never overwritten).
    #[arg(short, long, value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub draft: DraftArg,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

#[derive(Debug, Args)]
pub struct AddCourierArgs {
    #[command(flatten)]
    pub draft: DraftArg,
    /// Courier id shops name in `allowedCouriers`: 1-32 of a-z, 0-9, '-'.
    #[arg(long, value_name = "ID")]
    pub id: String,
    /// Display name in Simplified Chinese.
    #[arg(long, value_name = "TEXT")]
    pub name_zh: String,
    /// Display name in English.
    #[arg(long, value_name = "TEXT")]
    pub name_en: String,
    /// Logo URL (https://…).
    #[arg(long, value_name = "URL")]
    pub logo: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddKeyArgs {
    #[command(flatten)]
    pub draft: DraftArg,
    /// The courier's id.
    #[arg(long, value_name = "ID")]
    pub courier: String,
    /// The courier's public key (sp1…, from `sealpost keygen`).
    #[arg(long, value_name = "PUBKEY")]
    pub key: String,
    /// First day (YYYY-MM-DD, from 00:00:00 UTC) or instant (YYYY-MM-DDTHH:MM:SSZ) shops may
    /// seal to the key [default: now].
    #[arg(long, value_name = "DATE")]
    pub valid_from: Option<String>,
    /// Last day (YYYY-MM-DD, through 23:59:59 UTC) or instant the key may be sealed to.
    #[arg(long, value_name = "DATE")]
    pub valid_until: String,
}

#[derive(Debug, Args)]
pub struct RevokeKeyArgs {
    #[command(flatten)]
    pub draft: DraftArg,
    /// The key to remove: its public key (sp1…) or key id (16 hex digits).
    #[arg(value_name = "KEY")]
    pub key: String,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub draft: DraftArg,
    /// The platform signing key file (from `directory init`).
    #[arg(short, long, value_name = "FILE")]
    pub key: PathBuf,
    /// Last day (YYYY-MM-DD, through 23:59:59 UTC) or instant widgets use this issue; sign a
    /// new one before then [default: 90 days from now].
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Write the signed directory to FILE (replaced) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct PinnedKeyArg {
    /// The platform public key (spp1…) the directory must be signed with [env:
    /// SEALPOST_PLATFORM_KEY].
    #[arg(long, value_name = "SPP1")]
    pub platform_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub pinned: PinnedKeyArg,
    /// Only these couriers (repeatable), as a shop's `allowedCouriers` [default: all].
    #[arg(long, value_name = "ID")]
    pub courier: Vec<String>,
    /// Check key validity at this instant (YYYY-MM-DDTHH:MM:SSZ) instead of now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Remember the highest serial seen in FILE and refuse older directories (rollback), as
    /// the widget does in the browser's storage.
    #[arg(long, value_name = "FILE")]
    pub seen: Option<PathBuf>,
    /// Signed directory file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub pinned: PinnedKeyArg,
    /// Signed directory file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckEnvelopeArgs {
    #[command(flatten)]
    pub pinned: PinnedKeyArg,
    /// The current signed directory.
    #[arg(long, value_name = "FILE")]
    pub directory: PathBuf,
    /// Fail (exit 1, key_not_listed) if a key is no longer listed, instead of warning.
    #[arg(long)]
    pub strict: bool,
    /// Envelope file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}
