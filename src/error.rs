//! The one error type of the core, with a stable machine code for each case.
//!
//! The codes are part of the public contract (JS sees them as `error.code`, the CLI prints them,
//! the envelope vectors name them): never rename one; add new ones instead.

use core::fmt;

/// Everything that can go wrong in sealpost's core.
///
/// Messages name public input only (lengths, positions, the order reference), never key
/// material or address contents. Opening failures say only that this key could not open the
/// envelope, never why the AEAD rejected it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The text does not start with a known envelope prefix (`spe1.`).
    UnknownFormat,
    /// The envelope names a format version this build does not read.
    UnsupportedVersion(u8),
    /// The envelope ends before its last field.
    Truncated,
    /// Bytes follow the last field of the envelope.
    TrailingData,
    /// The envelope is structurally invalid (bad base64url, a bad length or count, …).
    MalformedEnvelope(&'static str),
    /// An entry opened (it is authentic), but the sealed header or the address record in it
    /// does not follow the format: the sender is broken.
    MalformedPlaintext(&'static str),
    /// None of the envelope's recipients has this identity's key id.
    NotARecipient,
    /// A recipient entry with this key id exists, but authenticated decryption failed: the
    /// envelope was altered, or it was sealed to another key with the same id.
    OpenFailed,
    /// The envelope was sealed for another order than the one it is presented as.
    OrderMismatch {
        /// The order reference the buyer sealed the address for.
        sealed: String,
        /// The order reference the envelope now carries, or the one the opener expected.
        presented: String,
    },
    /// The disclosed region in clear differs from the one the buyer sealed.
    DisclosureMismatch,
    /// A public key is not a valid sealpost public key.
    InvalidPublicKey(&'static str),
    /// An identity (secret key) or identity file is not valid.
    InvalidIdentity(&'static str),
    /// The order reference is empty, too long or has characters outside printable ASCII.
    InvalidOrderRef(&'static str),
    /// The disclosure choice is not `none`, `country` or `region`.
    InvalidDisclosure,
    /// The recipient list is empty, too long, or names a key twice.
    InvalidRecipients(&'static str),
    /// The address fails validation; the inner error names the field.
    InvalidAddress(crate::address::AddressError),
    /// The address does not fit in the largest padding bucket.
    AddressTooLong,
    /// An address-data asset (`src/data/`) does not parse, or is added under a wrong path.
    InvalidAddressData(&'static str),
    /// The platform's random number generator failed.
    RandomnessUnavailable,
    /// A courier directory (or a directory entry being added) breaks the format of SPEC.md §9.
    InvalidDirectory(&'static str),
    /// A platform signing key (`spp1…`) or platform key file is not valid, or none is given.
    InvalidPlatformKey(&'static str),
    /// The directory names another platform key than the pinned one.
    DirectoryWrongKey {
        /// Key id of the platform key the directory says signed it.
        signer: String,
        /// Key id of the pinned platform key.
        pinned: String,
    },
    /// The directory's signature does not verify with the pinned platform key: it was altered.
    DirectorySignatureInvalid,
    /// The directory is older (lower serial) than one already seen: a rollback.
    DirectoryRollback {
        /// The highest serial seen before.
        seen: u64,
        /// The serial of the directory presented.
        got: u64,
    },
    /// The directory is past its expiry time: the platform has published a newer one.
    DirectoryExpired {
        /// The directory's expiry time.
        expired: crate::keys::UtcSeconds,
    },
    /// Every key of the allowed couriers has expired.
    DirectoryKeyExpired {
        /// The latest valid-until among those keys.
        last: crate::keys::UtcSeconds,
    },
    /// No key of the allowed couriers is valid yet.
    DirectoryKeyNotYetValid {
        /// The earliest valid-from among those keys.
        first: crate::keys::UtcSeconds,
    },
    /// The directory lists no courier the shop allows with a key valid now.
    NoUsableCourier,
}

impl Error {
    /// The stable machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnknownFormat => "unknown_format",
            Error::UnsupportedVersion(_) => "unsupported_version",
            Error::Truncated => "truncated",
            Error::TrailingData => "trailing_data",
            Error::MalformedEnvelope(_) => "malformed_envelope",
            Error::MalformedPlaintext(_) => "malformed_plaintext",
            Error::NotARecipient => "not_a_recipient",
            Error::OpenFailed => "open_failed",
            Error::OrderMismatch { .. } => "order_mismatch",
            Error::DisclosureMismatch => "disclosure_mismatch",
            Error::InvalidPublicKey(_) => "invalid_public_key",
            Error::InvalidIdentity(_) => "invalid_identity",
            Error::InvalidOrderRef(_) => "invalid_order_ref",
            Error::InvalidDisclosure => "invalid_disclosure",
            Error::InvalidRecipients(_) => "invalid_recipients",
            Error::InvalidAddress(e) => e.code(),
            Error::AddressTooLong => "address_too_long",
            Error::InvalidAddressData(_) => "invalid_address_data",
            Error::RandomnessUnavailable => "randomness_unavailable",
            Error::InvalidDirectory(_) => "invalid_directory",
            Error::InvalidPlatformKey(_) => "invalid_platform_key",
            Error::DirectoryWrongKey { .. } => "directory_wrong_key",
            Error::DirectorySignatureInvalid => "directory_signature_invalid",
            Error::DirectoryRollback { .. } => "directory_rollback",
            Error::DirectoryExpired { .. } => "directory_expired",
            Error::DirectoryKeyExpired { .. } => "directory_key_expired",
            Error::DirectoryKeyNotYetValid { .. } => "directory_key_not_yet_valid",
            Error::NoUsableCourier => "no_usable_courier",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownFormat => f.write_str("not a sealpost envelope (expected the prefix \"spe1.\")"),
            Error::UnsupportedVersion(v) => write!(f, "unsupported envelope version {v} (this build reads version 1)"),
            Error::Truncated => f.write_str("envelope is truncated"),
            Error::TrailingData => f.write_str("unexpected bytes after the end of the envelope"),
            Error::MalformedEnvelope(why) => write!(f, "malformed envelope: {why}"),
            Error::MalformedPlaintext(why) => write!(
                f,
                "the envelope opened, but what the sender sealed is malformed: {why}"
            ),
            Error::NotARecipient => f.write_str("this envelope was not sealed to this identity's key"),
            Error::OpenFailed => f.write_str("envelope could not be opened with this key: it was altered or is corrupt"),
            Error::OrderMismatch { sealed, presented } => write!(
                f,
                "envelope was sealed for order \"{sealed}\" but is presented as order \"{presented}\""
            ),
            Error::DisclosureMismatch => {
                f.write_str("the region shown in clear differs from the one the buyer sealed")
            }
            Error::InvalidPublicKey(why) => write!(f, "invalid public key: {why}"),
            Error::InvalidIdentity(why) => write!(f, "invalid identity: {why}"),
            Error::InvalidOrderRef(why) => write!(f, "invalid order reference: {why}"),
            Error::InvalidDisclosure => {
                f.write_str("invalid disclosure choice (expected \"none\", \"country\" or \"region\")")
            }
            Error::InvalidRecipients(why) => write!(f, "invalid recipients: {why}"),
            Error::InvalidAddress(e) => write!(f, "invalid address: {e}"),
            Error::AddressTooLong => f.write_str("address is too long to seal"),
            Error::InvalidAddressData(why) => write!(f, "invalid address data: {why}"),
            Error::RandomnessUnavailable => f.write_str("the system random number generator failed"),
            Error::InvalidDirectory(why) => write!(f, "invalid courier directory: {why}"),
            Error::InvalidPlatformKey(why) => write!(f, "invalid platform key: {why}"),
            Error::DirectoryWrongKey { signer, pinned } => write!(
                f,
                "courier directory signed by platform key {signer}, not by the pinned key {pinned}"
            ),
            Error::DirectorySignatureInvalid => f.write_str(
                "courier directory signature does not verify: the directory was altered",
            ),
            Error::DirectoryRollback { seen, got } => write!(
                f,
                "courier directory serial {got} is older than serial {seen} already seen (rollback)"
            ),
            Error::DirectoryExpired { expired } => write!(
                f,
                "courier directory expired on {expired}: fetch the current one from the platform"
            ),
            Error::DirectoryKeyExpired { last } => write!(
                f,
                "every key of the allowed couriers has expired (the last on {last})"
            ),
            Error::DirectoryKeyNotYetValid { first } => write!(
                f,
                "no key of the allowed couriers is valid yet (the first from {first})"
            ),
            Error::NoUsableCourier => f.write_str(
                "the courier directory lists no allowed courier with a key valid now",
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::address::AddressError> for Error {
    fn from(e: crate::address::AddressError) -> Self {
        Error::InvalidAddress(e)
    }
}

/// Every code [`Error::code`] returns, except the address field codes `<field>_<problem>`
/// (generated from the field and the problem, SPEC.md §4). Checked against SPEC.md §5 and §9.5
/// and `src/js/index.d.ts` by `cli/tests/error_codes.rs`.
#[cfg_attr(not(test), allow(dead_code))]
pub const CODES: &[&str] = &[
    "unknown_format",
    "unsupported_version",
    "truncated",
    "trailing_data",
    "malformed_envelope",
    "malformed_plaintext",
    "not_a_recipient",
    "open_failed",
    "order_mismatch",
    "disclosure_mismatch",
    "invalid_public_key",
    "invalid_identity",
    "invalid_order_ref",
    "invalid_disclosure",
    "invalid_recipients",
    "address_too_long",
    "invalid_address_data",
    "randomness_unavailable",
    "invalid_directory",
    "invalid_platform_key",
    "directory_wrong_key",
    "directory_signature_invalid",
    "directory_rollback",
    "directory_expired",
    "directory_key_expired",
    "directory_key_not_yet_valid",
    "no_usable_courier",
];

#[cfg(test)]
mod codes_tests {
    use super::{Error, CODES};
    use crate::keys::UtcSeconds;

    /// One value of every variant but `InvalidAddress` (its codes are the field codes). The
    /// match makes a new variant a compile error here until it is listed.
    fn every_variant() -> Vec<Error> {
        let all = vec![
            Error::UnknownFormat,
            Error::UnsupportedVersion(2),
            Error::Truncated,
            Error::TrailingData,
            Error::MalformedEnvelope("x"),
            Error::MalformedPlaintext("x"),
            Error::NotARecipient,
            Error::OpenFailed,
            Error::OrderMismatch {
                sealed: "A".into(),
                presented: "B".into(),
            },
            Error::DisclosureMismatch,
            Error::InvalidPublicKey("x"),
            Error::InvalidIdentity("x"),
            Error::InvalidOrderRef("x"),
            Error::InvalidDisclosure,
            Error::InvalidRecipients("x"),
            Error::AddressTooLong,
            Error::InvalidAddressData("x"),
            Error::RandomnessUnavailable,
            Error::InvalidDirectory("x"),
            Error::InvalidPlatformKey("x"),
            Error::DirectoryWrongKey {
                signer: "a".into(),
                pinned: "b".into(),
            },
            Error::DirectorySignatureInvalid,
            Error::DirectoryRollback { seen: 2, got: 1 },
            Error::DirectoryExpired {
                expired: UtcSeconds(0),
            },
            Error::DirectoryKeyExpired {
                last: UtcSeconds(0),
            },
            Error::DirectoryKeyNotYetValid {
                first: UtcSeconds(0),
            },
            Error::NoUsableCourier,
        ];
        for e in &all {
            match e {
                Error::UnknownFormat
                | Error::UnsupportedVersion(_)
                | Error::Truncated
                | Error::TrailingData
                | Error::MalformedEnvelope(_)
                | Error::MalformedPlaintext(_)
                | Error::NotARecipient
                | Error::OpenFailed
                | Error::OrderMismatch { .. }
                | Error::DisclosureMismatch
                | Error::InvalidPublicKey(_)
                | Error::InvalidIdentity(_)
                | Error::InvalidOrderRef(_)
                | Error::InvalidDisclosure
                | Error::InvalidRecipients(_)
                | Error::InvalidAddress(_)
                | Error::AddressTooLong
                | Error::InvalidAddressData(_)
                | Error::RandomnessUnavailable
                | Error::InvalidDirectory(_)
                | Error::InvalidPlatformKey(_)
                | Error::DirectoryWrongKey { .. }
                | Error::DirectorySignatureInvalid
                | Error::DirectoryRollback { .. }
                | Error::DirectoryExpired { .. }
                | Error::DirectoryKeyExpired { .. }
                | Error::DirectoryKeyNotYetValid { .. }
                | Error::NoUsableCourier => {}
            }
        }
        all
    }

    #[test]
    fn every_error_code_is_listed_once() {
        let all = every_variant();
        for e in &all {
            assert!(
                CODES.contains(&e.code()),
                "{} is missing from CODES",
                e.code()
            );
        }
        let mut codes: Vec<&str> = all.iter().map(Error::code).collect();
        codes.sort_unstable();
        let mut listed = CODES.to_vec();
        listed.sort_unstable();
        assert_eq!(
            codes, listed,
            "CODES lists a code no variant has, or one twice"
        );
    }
}
