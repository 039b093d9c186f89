//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The courier's companion CLI for sealpost envelopes.
///
/// Exit codes: 0 success; 1 bad input (malformed envelope, key or address); 2 usage error;
/// 3 this identity cannot open the envelope; 4 the envelope was moved to another order or its
/// disclosed region was changed; 5 a file could not be read or written.
#[derive(Debug, Parser)]
#[command(name = "sealpost", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a courier identity (X25519 key pair); print its public key.
    Keygen(KeygenArgs),
    /// Print the public key of an identity file, or convert a raw hex public key.
    Pubkey(PubkeyArgs),
    /// Manage identity files.
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// Seal an address (JSON on stdin) to courier public keys; print the envelope.
    Seal(SealArgs),
    /// Open an envelope (stdin or FILE) with an identity; print the address as JSON.
    Open(OpenArgs),
    /// Print what anyone can see in an envelope (stdin or FILE), as JSON. Needs no key.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the identity to FILE (created with mode 0600; never overwritten).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
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
}

#[derive(Debug, Args)]
pub struct ExportRawArgs {
    /// Identity file.
    #[arg(short, long, value_name = "FILE")]
    pub identity: PathBuf,
}

#[derive(Debug, Args)]
pub struct SealArgs {
    /// A courier public key (sp1…); repeat for several couriers.
    #[arg(long = "to", value_name = "PUBKEY", required = true)]
    pub to: Vec<String>,
    /// The order reference the envelope is bound to.
    #[arg(long, value_name = "REF")]
    pub order: String,
    /// What to show in clear for shipping quotes: none, country, or region (country + province).
    #[arg(long, value_name = "WHAT", default_value = "none")]
    pub disclose: String,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// Identity file; repeat to try several (key rotation).
    #[arg(short, long, value_name = "FILE", required = true)]
    pub identity: Vec<PathBuf>,
    /// Refuse the envelope unless it is bound to this order reference.
    #[arg(long, value_name = "REF")]
    pub order: Option<String>,
    /// Envelope file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Envelope file (default: stdin).
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}
