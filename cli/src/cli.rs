//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The courier's companion CLI for sealpost envelopes.
///
/// Exit codes: 0 success; 1 bad input (malformed envelope, key, address, weak passphrase);
/// 2 usage error; 3 this identity cannot open the envelope; 4 the envelope was moved to another
/// order or its disclosed region was changed; 5 a file could not be read or written (including
/// the audit log); 6 an identity cannot be used (wrong or missing passphrase, file readable by
/// others); 7 a batch completed but rejected records; 8 `audit verify` found the audit log
/// altered.
#[derive(Debug, Parser)]
#[command(
    name = "sealpost",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (address data ",
        env!("SEALPOST_DATA_VERSION"),
        ")"
    ),
    about,
    long_about = None,
    after_help = EXIT_CODES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

const EXIT_CODES: &str = "Exit codes: 0 success; 1 bad input (malformed envelope, key, address, \
weak passphrase); 2 usage error; 3 this identity cannot open the envelope; 4 the envelope was \
moved to another order or its disclosed region was changed; 5 a file could not be read or written \
(including the audit log); 6 an identity cannot be used (wrong or missing passphrase, file \
readable by others); 7 a batch completed but rejected records; 8 `audit verify` found \
the audit log altered.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a courier identity (X25519 key pair), protected with a passphrase; print its
    /// public key.
    Keygen(KeygenArgs),
    /// Print the public key(s) of an identity file (no passphrase needed), or convert a raw hex
    /// public key.
    Pubkey(PubkeyArgs),
    /// Manage identity files.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Seal an address (JSON on stdin) to courier public keys and print the envelope, or a whole
    /// manifest of addresses with --batch.
    Seal(SealArgs),
    /// Open an envelope (stdin or FILE), or a whole manifest with --batch; every opening is
    /// recorded in the audit log.
    Open(OpenArgs),
    /// Print what anyone can see in an envelope (stdin or FILE), as JSON. Needs no key.
    Inspect(InspectArgs),
    /// Check or list the audit log of openings.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Open envelopes (one, or a manifest with --batch) or read opened address records, and
    /// write shipping labels: PDF or ZPL, masked name and phone by default, QR code and Code128
    /// of the order reference. Openings are recorded in the audit log like `open`.
    Label(Box<LabelArgs>),
    /// The platform's certified courier directory: signing key, couriers, keys, signed issues;
    /// checks for shops and couriers.
    #[command(subcommand)]
    Directory(crate::directory::args::DirectoryCommand),
}

/// Where a passphrase comes from (otherwise: the terminal, or $SEALPOST_PASSPHRASE).
/// The Argon2id cost of a new passphrase-protected file (identity, platform or audit key).
#[derive(Debug, Args)]
pub struct KdfArgs {
    /// Argon2id memory in KiB (8192-1048576).
    #[arg(
        long,
        value_name = "KIB",
        default_value_t = 32768,
        hide_short_help = true
    )]
    pub kdf_memory: u32,
    /// Argon2id passes (1-16).
    #[arg(long, value_name = "N", default_value_t = 3, hide_short_help = true)]
    pub kdf_passes: u32,
}

impl KdfArgs {
    /// The parameters, checked (SPEC.md §7 ranges).
    pub fn params(&self) -> crate::error::Result<sealpost::keys::KdfParams> {
        let kdf = sealpost::keys::KdfParams {
            memory_kib: self.kdf_memory,
            iterations: self.kdf_passes,
            parallelism: 1,
        };
        kdf.check()?;
        Ok(kdf)
    }
}

#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE (mode 0600) instead of the terminal or
    /// $SEALPOST_PASSPHRASE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the identity to FILE (created with mode 0600; never overwritten).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Store the private key in clear (only for keys kept in an HSM-like place anyway).
    #[arg(long, conflicts_with = "passphrase_file")]
    pub unencrypted: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Last day (YYYY-MM-DD, UTC) or instant (YYYY-MM-DDTHH:MM:SSZ) the key is meant for;
    /// `open` warns and `open --batch` refuses after it.
    #[arg(long, value_name = "DATE")]
    pub not_after: Option<String>,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct PubkeyArgs {
    /// Identity file.
    #[arg(short, long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// A raw 32-byte X25519 public key as 64 hex digits.
    #[arg(long, value_name = "HEX")]
    pub from_hex: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Print the raw X25519 private key(s) as hex, for an HSM or another RFC 9180 implementation.
    ExportRaw(ExportRawArgs),
    /// Write a passphrase-protected copy of an identity file (to protect an old plain file, or
    /// to change the passphrase).
    Protect(ProtectArgs),
}

#[derive(Debug, Args)]
pub struct ExportRawArgs {
    /// Identity file.
    #[arg(short, long, value_name = "FILE")]
    pub identity: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct ProtectArgs {
    /// Identity file to read (plain or protected).
    #[arg(short, long, value_name = "FILE")]
    pub identity: PathBuf,
    /// The new, protected identity file (mode 0600; never overwritten).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Read the current passphrase from FILE (for a protected input).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the new passphrase from FILE (default: asked twice on the terminal, or
    /// $SEALPOST_NEW_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

#[derive(Debug, Args)]
pub struct SealArgs {
    /// A courier public key (sp1…); repeat for several couriers.
    #[arg(long = "to", value_name = "PUBKEY", required = true)]
    pub to: Vec<String>,
    /// The order reference the envelope is bound to.
    #[arg(
        long,
        value_name = "REF",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    pub order: Option<String>,
    /// What to show in clear for shipping quotes: none, country, or region (country + province).
    #[arg(long, value_name = "WHAT", default_value = "none")]
    pub disclose: String,
    /// With --batch, the manifest of addresses (default: stdin).
    #[arg(value_name = "FILE", requires = "batch")]
    pub input: Option<PathBuf>,

    /// Seal every address of a manifest (NDJSON or CSV) into a manifest of envelopes (--output)
    /// that `open --batch` reads.
    #[arg(long, help_heading = "Batch")]
    pub batch: bool,
    /// Envelopes: written to a 0600 temporary file, renamed to FILE when complete.
    #[arg(
        short,
        long,
        value_name = "FILE",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub output: Option<PathBuf>,
    /// Records that could not be sealed, with line number and error code (NDJSON) [default:
    /// OUTPUT.rejects.ndjson].
    #[arg(long, value_name = "FILE", requires = "batch", help_heading = "Batch")]
    pub rejects: Option<PathBuf>,
    /// Manifest format [default: csv for a *.csv file, else ndjson].
    #[arg(
        long,
        value_name = "FORMAT",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub format: Option<Format>,
    /// Output format [default: csv for a *.csv output, ndjson for *.ndjson/*.jsonl, else the
    /// manifest's format].
    #[arg(
        long,
        value_name = "FORMAT",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub output_format: Option<Format>,
    /// Column (CSV) or field (NDJSON) holding each address's order reference; also its name in
    /// the output.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "orderRef",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub order_column: String,
    /// Column (CSV) or field (NDJSON) of the output holding the envelope.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "envelope",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub envelope_column: String,
    /// Worker threads [default: all cores].
    #[arg(
        short,
        long,
        value_name = "N",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub jobs: Option<usize>,
    /// Replace OUTPUT and the reject file if they exist.
    #[arg(long, requires = "batch", help_heading = "Batch")]
    pub force: bool,
    /// No progress bar.
    #[arg(short, long, requires = "batch", help_heading = "Batch")]
    pub quiet: bool,
}

/// Who opens, and where the trace goes.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Audit log to append to [env: SEALPOST_AUDIT_LOG; default:
    /// $XDG_STATE_HOME/sealpost/audit.log or ~/.local/state/sealpost/audit.log].
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Who is opening, for the audit log [env: SEALPOST_OPERATOR; default: $USER].
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row (RFC 4180).
    Csv,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Identity file; repeat for several (key rotation): each envelope is opened by the identity
    /// whose key id it names. `FILE:PASSFILE` gives that identity its own passphrase file.
    #[arg(short, long, value_name = "FILE[:PASSFILE]", required = true)]
    pub identity: Vec<PathBuf>,
    /// Refuse the envelope unless it is bound to this order reference.
    #[arg(long, value_name = "REF", conflicts_with = "batch")]
    pub order: Option<String>,
    /// Envelope file, or with --batch the manifest (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub audit: AuditArgs,

    /// Open every record of a platform manifest (NDJSON or CSV) into --output.
    #[arg(long, help_heading = "Batch")]
    pub batch: bool,
    /// Opened addresses: written to a 0600 temporary file, renamed to FILE when complete.
    #[arg(
        short,
        long,
        value_name = "FILE",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub output: Option<PathBuf>,
    /// Records that could not be opened, with line number and error code (NDJSON) [default:
    /// OUTPUT.rejects.ndjson].
    #[arg(long, value_name = "FILE", requires = "batch", help_heading = "Batch")]
    pub rejects: Option<PathBuf>,
    /// Manifest format [default: csv for a *.csv file, else ndjson].
    #[arg(
        long,
        value_name = "FORMAT",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub format: Option<Format>,
    /// Output format [default: csv for a *.csv output, ndjson for *.ndjson/*.jsonl, else the
    /// manifest's format].
    #[arg(
        long,
        value_name = "FORMAT",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub output_format: Option<Format>,
    /// Column (CSV) or field (NDJSON) holding the envelope.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "envelope",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub envelope_column: String,
    /// Column (CSV) or field (NDJSON) holding the order reference each envelope must be bound to.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "orderRef",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub order_column: String,
    /// Worker threads [default: all cores].
    #[arg(
        short,
        long,
        value_name = "N",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub jobs: Option<usize>,
    /// Replace OUTPUT and the reject file if they exist.
    #[arg(long, requires = "batch", help_heading = "Batch")]
    pub force: bool,
    /// Open records whose only matching identity is past its not-after date (otherwise they are
    /// rejected with key_expired).
    #[arg(long, requires = "batch", help_heading = "Batch")]
    pub allow_expired: bool,
    /// No progress bar.
    #[arg(short, long, requires = "batch", help_heading = "Batch")]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Envelope file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Start a new, empty audit log and its head file (never replaces one).
    Init(AuditFileArgs),
    /// Check the hash chain: detects edited, deleted, reordered and truncated records; with
    /// --checkpoint, also a log rewritten consistently since a witnessed checkpoint.
    Verify(AuditVerifyArgs),
    /// Create the hub's audit key (Ed25519, passphrase-protected), which signs checkpoints.
    Keygen(AuditKeygenArgs),
    /// Print a signed checkpoint of the log (record count and head hash) for a witness.
    Checkpoint(AuditCheckpointArgs),
    /// The platform's side: check a hub's sequence of checkpoints (one log, never shrinking).
    Witness(AuditWitnessArgs),
    /// List records (never addresses), optionally filtered.
    Show(AuditShowArgs),
}

#[derive(Debug, Args)]
pub struct AuditFileArgs {
    /// Audit log [env: SEALPOST_AUDIT_LOG; default: ~/.local/state/sealpost/audit.log].
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub file: AuditFileArgs,
    /// Checkpoints the log must extend (files of `sealpost audit checkpoint` lines; repeatable).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Vec<PathBuf>,
    /// The hub's audit public key (spp1…) the checkpoints must be signed with.
    #[arg(long, value_name = "KEY")]
    pub audit_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditKeygenArgs {
    /// Write the audit key to FILE (mode 0600; never overwritten).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

#[derive(Debug, Args)]
pub struct AuditCheckpointArgs {
    #[command(flatten)]
    pub file: AuditFileArgs,
    /// The hub's audit key file (`sealpost audit keygen`).
    #[arg(short = 'k', long = "key", value_name = "FILE")]
    pub key: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Debug, Args)]
pub struct AuditWitnessArgs {
    /// The hub's audit public key (spp1…).
    #[arg(long, value_name = "KEY")]
    pub audit_key: String,
    /// Files of checkpoint lines, oldest first.
    #[arg(value_name = "FILE", required = true)]
    pub checkpoints: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditShowArgs {
    #[command(flatten)]
    pub file: AuditFileArgs,
    /// Only records for this order reference.
    #[arg(long, value_name = "REF")]
    pub order: Option<String>,
    /// Only records by this operator.
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// Only records at or after DATE (YYYY-MM-DD or RFC 3339, UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only records before the end of DATE (YYYY-MM-DD) or before an RFC 3339 instant.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only records of this key id (16 hex digits).
    #[arg(long, value_name = "HEX")]
    pub key_id: Option<String>,
    /// Only records with this outcome (`opened`, `opened_expired_key`, or an error code).
    #[arg(long, value_name = "CODE")]
    pub outcome: Option<String>,
    /// Instead of the records: per operator and day, openings and rejected attempts.
    #[arg(long, conflicts_with = "json")]
    pub summary: bool,
    /// Print the matching records as they are stored (NDJSON) instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelFormat {
    /// PDF, one label per page, the font subset embedded.
    Pdf,
    /// ZPL II for Zebra thermal printers (UTF-8, ^CI28), one ^XA…^XZ per label.
    Zpl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LabelSize {
    /// 100 × 150 mm (4 × 6 in), the common thermal label.
    #[value(name = "100x150")]
    L100x150,
    /// 76 × 130 mm, the common Chinese one-part waybill.
    #[value(name = "76x130")]
    L76x130,
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Identity file (repeatable, as for `open`); not needed with --opened.
    #[arg(short, long, value_name = "FILE", required_unless_present = "opened")]
    pub identity: Vec<PathBuf>,
    /// Refuse the envelope unless it is bound to this order reference (single envelope); with
    /// --opened and a single address record, the order reference printed on the label.
    #[arg(long, value_name = "REF", conflicts_with = "batch")]
    pub order: Option<String>,
    /// Envelope file, or with --batch the manifest, or with --opened the opened records
    /// (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Labels file: written to a 0600 temporary file, renamed to FILE when complete.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Label format [default: zpl for a *.zpl output, else pdf].
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<LabelFormat>,
    /// Label size in millimetres.
    #[arg(long, value_name = "SIZE", default_value = "100x150")]
    pub size: LabelSize,
    /// Privacy waybill: name as its first character + `*` (张*), phone as 3 + **** + 4
    /// (138****1234). On by default.
    #[arg(long, overrides_with = "no_mask")]
    pub mask: bool,
    /// Print the full name and phone number (the audit record says so).
    #[arg(long, overrides_with = "mask")]
    pub no_mask: bool,
    /// Sender / return line printed at the top of every label.
    #[arg(long, value_name = "TEXT")]
    pub sender: Option<String>,
    /// Waybill template instead of the privacy label: cn-76x130, cn-100x180 (two-part),
    /// intl-4x6, or a template file (TOML, see "Waybill templates" in the README).
    #[arg(
        long,
        value_name = "NAME|FILE",
        conflicts_with = "size",
        help_heading = "Waybill"
    )]
    pub template: Option<String>,
    /// Fill a template field from a manifest column (repeatable): --field weight=wt_kg.
    #[arg(
        long,
        value_name = "FIELD=COLUMN",
        requires = "template",
        help_heading = "Waybill"
    )]
    pub field: Vec<String>,
    /// Set a template field to the same text on every label (repeatable):
    /// --set sender_phone=0571-88886666.
    #[arg(
        long,
        value_name = "FIELD=TEXT",
        requires = "template",
        help_heading = "Waybill"
    )]
    pub set: Vec<String>,
    /// Carrier name for the template's {carrier} field [default: the template's `carrier`].
    #[arg(
        long,
        value_name = "TEXT",
        requires = "template",
        help_heading = "Waybill"
    )]
    pub carrier: Option<String>,
    /// The platform's signed courier directory (`directory sign` output), verified with
    /// --platform-key: {carrier} is then the directory's name of the courier whose key opened
    /// the envelope (after --carrier and a carrier column, before the template's `carrier`).
    #[arg(
        long,
        value_name = "FILE",
        requires = "template",
        conflicts_with = "opened",
        help_heading = "Waybill"
    )]
    pub directory: Option<PathBuf>,
    /// The platform public key (spp1…) the --directory must be signed with [env:
    /// SEALPOST_PLATFORM_KEY].
    #[arg(
        long,
        value_name = "SPP1",
        requires = "directory",
        help_heading = "Waybill"
    )]
    pub platform_key: Option<String>,
    /// Font for the PDF (TTF, OTF or a TTC collection) [env: SEALPOST_LABEL_FONT; default: the
    /// first of Noto Sans CJK SC, WenQuanYi Micro Hei / Zen Hei found in /usr/share/fonts].
    #[arg(long, value_name = "FILE")]
    pub font: Option<PathBuf>,
    /// Face of a TTC collection given with --font [default: the Simplified Chinese face if the
    /// collection names one, else the first].
    #[arg(long, value_name = "N", requires = "font")]
    pub font_index: Option<u32>,
    /// A fallback font for characters the primary font lacks (Arabic, Hebrew, Thai, …);
    /// repeatable, tried in order, `FILE#N` for face N of a collection. When given, these are
    /// the only fallbacks [env: SEALPOST_LABEL_FONTS, colon-separated; default: installed fonts
    /// found with fontconfig's fc-list].
    #[arg(long, value_name = "FILE")]
    pub fallback_font: Vec<PathBuf>,
    /// Printer font for ZPL text (^A@): a font stored on the printer that covers Chinese.
    #[arg(long, value_name = "NAME", default_value = "E:ANMDS.TTF")]
    pub zpl_font: String,
    /// Printer resolution for ZPL, in dots per inch: 203 or 300.
    #[arg(long, value_name = "DPI", default_value_t = 203)]
    pub zpl_dpi: u32,
    /// The input holds addresses already opened (`open` / `open --batch` output, NDJSON or CSV),
    /// not envelopes; nothing is opened, so nothing is audited.
    #[arg(long, conflicts_with_all = ["identity", "passphrase_file"])]
    pub opened: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub audit: AuditArgs,

    /// Label every record of a platform manifest (NDJSON or CSV), in manifest order.
    #[arg(long, help_heading = "Batch")]
    pub batch: bool,
    /// Records without a label, with line number and error code (NDJSON) [default:
    /// OUTPUT.rejects.ndjson].
    #[arg(long, value_name = "FILE", requires = "batch", help_heading = "Batch")]
    pub rejects: Option<PathBuf>,
    /// Manifest format [default: csv for a *.csv file, else ndjson].
    #[arg(long, value_name = "FORMAT", help_heading = "Batch")]
    pub manifest_format: Option<Format>,
    /// Column (CSV) or field (NDJSON) holding the envelope.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "envelope",
        help_heading = "Batch"
    )]
    pub envelope_column: String,
    /// Column (CSV) or field (NDJSON) holding the order reference.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "orderRef",
        help_heading = "Batch"
    )]
    pub order_column: String,
    /// Worker threads for opening [default: all cores].
    #[arg(
        short,
        long,
        value_name = "N",
        requires = "batch",
        help_heading = "Batch"
    )]
    pub jobs: Option<usize>,
    /// Replace OUTPUT and the reject file if they exist.
    #[arg(long, help_heading = "Batch")]
    pub force: bool,
    /// Open records whose only matching identity is past its not-after date.
    #[arg(long, requires = "batch", help_heading = "Batch")]
    pub allow_expired: bool,
    /// No progress bar.
    #[arg(short, long, requires = "batch", help_heading = "Batch")]
    pub quiet: bool,
}
