//! The committed envelope vectors and the checker that native and wasm tests share.
//! The CLI tests read the same files from disk.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sealpost::{keys::parse_identity_file, Address, Envelope};
use serde::Deserialize;

/// One vector: an envelope, the identity that tries to open it, and the expected outcome.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Vector {
    pub description: String,
    /// Identity file text (one or more SEALPOST-SECRET-KEY-1 lines).
    pub identity: String,
    /// The same private key(s), raw, hex (RFC 9180 SerializePrivateKey), for other implementations.
    pub identity_raw_hex: Vec<String>,
    /// The public keys the envelope was sealed to.
    pub sealed_to: Vec<String>,
    /// If set, the opener insists the envelope belongs to this order.
    pub expected_order: Option<String>,
    pub envelope: String,
    pub expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Expect {
    /// The address the envelope opens to, or
    pub address: Option<Address>,
    /// the error code opening must fail with.
    pub error: Option<String>,
}

macro_rules! vector_files {
    ($($name:literal),* $(,)?) => {
        /// Every file in tests/vectors/envelope (a native test checks the list is complete).
        pub const FILES: &[(&str, &str)] = &[$(($name, include_str!(concat!("../vectors/envelope/", $name)))),*];
    };
}

vector_files!(
    "01-cn-one-recipient.json",
    "02-intl-two-recipients-region.json",
    "03-expected-order-differs.json",
    "04-order-swapped.json",
    "05-disclosure-changed.json",
    "06-flipped-ciphertext-byte.json",
    "07-flipped-enc-byte.json",
    "08-flipped-binding-byte.json",
    "09-wrong-key.json",
    "10-truncated.json",
    "11-trailing-data.json",
    "12-unsupported-version.json",
    "13-not-an-envelope.json",
    "14-bad-base64.json",
    "15-long-note-second-bucket.json",
);

pub fn parse(text: &str) -> Vector {
    serde_json::from_str(text).expect("vector parses")
}

/// Opens the vector's envelope as the vector says and compares with the expected outcome.
pub fn check(name: &str, text: &str) -> Result<(), String> {
    let v = parse(text);
    let identities =
        parse_identity_file(&v.identity).map_err(|e| format!("{name}: identity: {e}"))?;
    for (id, raw) in identities.iter().zip(&v.identity_raw_hex) {
        if sealpost::keys::unhex(raw).as_deref() != Some(&id.to_raw()[..]) {
            return Err(format!("{name}: identityRawHex does not match identity"));
        }
    }
    let outcome = v
        .envelope
        .parse::<Envelope>()
        .and_then(|e| e.open(&identities, v.expected_order.as_deref()));
    match (outcome, &v.expect.address, &v.expect.error) {
        (Ok(got), Some(want), None) if got == *want => Ok(()),
        (Ok(got), Some(_), None) => Err(format!(
            "{name}: opened to a different address (country {})",
            got.country
        )),
        (Err(e), None, Some(code)) if e.code() == code => Ok(()),
        (Err(e), None, Some(code)) => {
            Err(format!("{name}: expected {code}, got {} ({e})", e.code()))
        }
        (Ok(_), None, Some(code)) => Err(format!("{name}: expected {code}, but it opened")),
        (Err(e), Some(_), None) => Err(format!("{name}: expected to open, got {} ({e})", e.code())),
        _ => Err(format!(
            "{name}: expect must have exactly one of address and error"
        )),
    }
}
