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
    /// The SPEC.md section (and step) the vector tests.
    pub spec: String,
    pub description: String,
    /// Identity file text (one or more SEALPOST-SECRET-KEY-1 lines).
    pub identity: String,
    /// The same private key(s), raw, hex (RFC 9180 SerializePrivateKey), for other implementations.
    pub identity_raw_hex: Vec<String>,
    /// The public keys the envelope was sealed to.
    pub sealed_to: Vec<String>,
    /// The `ikmE` of each recipient's ephemeral key (`DeriveKeyPair`), hex, in `sealedTo`
    /// order; empty when the envelope comes from no seal.
    #[serde(rename = "ikmE")]
    pub ikm_e: Vec<String>,
    /// The ephemeral private key `DeriveKeyPair(ikmE)` gives, hex, one per `ikmE`: for
    /// implementations whose X25519 has no `DeriveKeyPair` (WebCrypto).
    #[serde(rename = "skE")]
    pub sk_e: Vec<String>,
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
    "16-s3.1-surrounding-white-space.json",
    "17-s3.1-inner-white-space.json",
    "18-s3.1-padding.json",
    "19-s3.1-cut-at-group-boundary.json",
    "20-s3.1-cut-leaving-one-character.json",
    "21-s3.1-empty-body.json",
    "22-s3.1-upper-case-prefix.json",
    "23-s3.2-version-byte-not-1.json",
    "24-s3.2-wrong-magic.json",
    "25-s3.2-empty-order.json",
    "26-s3.2-order-with-space.json",
    "27-s3.2-disclosure-kind-3.json",
    "28-s3.2-country-not-assigned.json",
    "29-s3.2-country-lower-case.json",
    "30-s3.2-region-empty.json",
    "31-s3.2-region-bidi-control.json",
    "32-s3.2-region-c1-control.json",
    "33-s3.2-region-not-utf8.json",
    "34-s3.2-count-0.json",
    "35-s3.2-count-17.json",
    "36-s3.2-duplicate-key-id.json",
    "37-s3.2-binding-len-22.json",
    "38-s3.2-binding-len-too-large-in-cut-text.json",
    "39-s3.2-ct-len-not-a-bucket.json",
    "40-s3.3-order-swapped-other-length.json",
    "41-s3.3-expected-order-before-recipient.json",
    "42-s3.3-structure-before-expected-order.json",
    "43-s3.3-sealed-header-not-a-header.json",
    "44-s3.3-record-disagrees-with-disclosure.json",
    "45-s2.3-second-identity-opens.json",
    "46-s3.3-first-success-wins.json",
    "47-s3.4-record-version-3.json",
    "48-s3.4-record-not-utf8.json",
    "49-s3.4-street-count-0.json",
    "50-s3.4-street-count-4.json",
    "51-s3.4-field-past-record.json",
    "52-s3.4-non-zero-padding.json",
    "53-s3.4-larger-bucket-than-needed.json",
    "54-s3.4-empty-middle-street-line.json",
    "55-s2.3-lower-case-identity.json",
    "56-s2.3-mixed-case-identity.json",
    "57-s3.4-record-version-1.json",
);

/// `SerializePrivateKey(DeriveKeyPair(ikm).sk)` as hex (RFC 9180 §7.1.3 and §7.1.2: clamped).
pub fn ephemeral_secret_hex(ikm: &[u8]) -> String {
    use hpke::{Kem as _, Serializable};
    let (sk, _) = sealpost::suite::Kem::derive_keypair(ikm);
    sk.to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// For a vector whose envelope comes from an unmodified seal with its `skE` (and `ikmE`): that
/// seal's address, the envelope (its order and disclosed region) and the disclosure kind.
pub fn seal_inputs(v: &Vector) -> Option<(&Address, Envelope, sealpost::Disclosure)> {
    use sealpost::Disclosure;
    let (Some(address), Ok(envelope)) = (&v.expect.address, v.envelope.parse::<Envelope>()) else {
        return None;
    };
    if v.sk_e.is_empty() {
        return None;
    }
    let disclosed = envelope.disclosed();
    let disclosure = match (&disclosed.country, &disclosed.address_level1) {
        (None, _) => Disclosure::None,
        (Some(_), None) => Disclosure::Country,
        (Some(_), Some(_)) => Disclosure::Region,
    };
    Some((address, envelope, disclosure))
}

pub fn parse(text: &str) -> Vector {
    serde_json::from_str(text).expect("vector parses")
}

/// Opens the vector's envelope as the vector says and compares with the expected outcome.
pub fn check(name: &str, text: &str) -> Result<(), String> {
    let v = parse(text);
    let identities = match (parse_identity_file(&v.identity), &v.expect.error) {
        (Ok(ids), _) => ids,
        (Err(e), Some(code)) if e.code() == code => return Ok(()),
        (Err(e), _) => return Err(format!("{name}: identity: {e}")),
    };
    for (id, raw) in identities.iter().zip(&v.identity_raw_hex) {
        if sealpost::keys::unhex(raw).as_deref() != Some(&id.to_raw()[..]) {
            return Err(format!("{name}: identityRawHex does not match identity"));
        }
    }
    let derived: Vec<String> = v
        .ikm_e
        .iter()
        .map(|ikm| ephemeral_secret_hex(&sealpost::keys::unhex(ikm).unwrap_or_default()))
        .collect();
    if derived != v.sk_e {
        return Err(format!("{name}: skE is not DeriveKeyPair(ikmE)"));
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
