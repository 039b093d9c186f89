//! The certified courier directory (SPEC.md §9): the couriers the platform certified, each with
//! its current X25519 keys and their validity, signed with the platform's Ed25519 key.
//!
//! The widget seals only to keys of a directory signed by the pinned platform key (`spp1…`).
//! Who pins it decides what this protects: in isolation mode the frame's origin pins it in its
//! policy (SPEC.md §10.6), so no script on the shop page can slip in a key of its own; inline,
//! the shop page pins it in its own configuration, which guards against mistyped or stale
//! courier lists but not against a hostile script on that page (it controls the options).
//!
//! - Signed text: `spdir1.` || base64url(payload) || `.` || base64url(signature).
//! - Signature: Ed25519 (RFC 8032, strict verification) over `"sealpost-v1 directory"` ||
//!   payload.
//! - Payload: a canonical byte encoding (one encoding per directory: couriers sorted by id, keys
//!   by validity start then key bytes), so a verifier never has to re-serialize anything.
//!
//! Pure: no clock, no storage. Callers pass `now` and the last serial they saw.

use core::fmt;

use crate::b64::URL_SAFE_NO_PAD;
use bech32::{Bech32m, Hrp};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{
    keys::{
        KdfParams, SealedFields, SealedFieldsError, UtcSeconds, NONCE_LEN, SALT_LEN, SEALED_KEY_LEN,
    },
    Error, KeyId, PublicKey,
};

/// Prefix of the signed directory text.
pub const TEXT_PREFIX: &str = "spdir1.";
/// First bytes of the payload: `"spdir"` and the format version.
const MAGIC: &[u8; 6] = b"spdir\x01";
/// Domain separation of the platform's signature.
const SIGNATURE_LABEL: &[u8] = b"sealpost-v1 directory";
/// Domain separation of the platform key id.
const PLATFORM_KEY_ID_LABEL: &[u8] = b"sealpost-v1 platform key id";
const PLATFORM_HRP: Hrp = Hrp::parse_unchecked("spp");
/// Tag that starts a passphrase-protected platform signing key line.
pub const PROTECTED_PLATFORM_TAG: &str = "SEALPOST-PROTECTED-PLATFORM-KEY-1";

/// Most couriers in one directory.
pub const MAX_COURIERS: usize = 64;
/// Most keys listed for one courier (current and next, with room for overlaps).
pub const MAX_KEYS_PER_COURIER: usize = 8;
/// Longest courier id, in bytes.
pub const MAX_ID_LEN: usize = 32;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest logo URL, in bytes.
pub const MAX_LOGO_LEN: usize = 512;
/// Latest instant a directory may name: 9999-12-31T23:59:59Z.
pub const MAX_TIME: u64 = 253_402_300_799;
/// Largest signed directory text accepted (64 couriers × 8 keys fit in about 40 KB).
pub const MAX_TEXT_LEN: usize = 128 * 1024;

fn bad(why: &'static str) -> Error {
    Error::InvalidDirectory(why)
}

/// Identifies a platform signing key: the first 8 bytes of
/// SHA-256(`"sealpost-v1 platform key id"` || Ed25519 public key).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlatformKeyId(pub [u8; 8]);

impl PlatformKeyId {
    /// The id of a raw Ed25519 public key.
    pub fn of(public_key: &[u8; 32]) -> PlatformKeyId {
        let digest = Sha256::new()
            .chain_update(PLATFORM_KEY_ID_LABEL)
            .chain_update(public_key)
            .finalize();
        let mut id = [0u8; 8];
        id.iter_mut().zip(digest.iter()).for_each(|(d, s)| *d = *s);
        PlatformKeyId(id)
    }
}

impl fmt::Display for PlatformKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::keys::hex(&self.0))
    }
}

impl fmt::Debug for PlatformKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlatformKeyId({self})")
    }
}

/// The platform's Ed25519 public key, text form `spp1…` (Bech32m, HRP `spp`).
#[derive(Clone, PartialEq, Eq)]
pub struct PlatformPublicKey {
    key: VerifyingKey,
}

impl PlatformPublicKey {
    /// Accepts a 32-byte Ed25519 public key, refusing encodings that are not a curve point and
    /// points of small order (a "weak" key would verify signatures it never made).
    pub fn from_bytes(bytes: &[u8]) -> Result<PlatformPublicKey, Error> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::InvalidPlatformKey("expected 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|_| Error::InvalidPlatformKey("not an Ed25519 public key"))?;
        if key.is_weak() {
            return Err(Error::InvalidPlatformKey("low-order point"));
        }
        Ok(PlatformPublicKey { key })
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        self.key.as_bytes()
    }

    /// This key's id, which the directory payload names.
    pub fn key_id(&self) -> PlatformKeyId {
        PlatformKeyId::of(self.key.as_bytes())
    }
}

impl core::str::FromStr for PlatformPublicKey {
    type Err = Error;

    /// Parses the `spp1…` text form (either case, checksum verified).
    fn from_str(text: &str) -> Result<PlatformPublicKey, Error> {
        let checked = bech32::primitives::decode::CheckedHrpstring::new::<Bech32m>(text.trim())
            .map_err(|_| {
                Error::InvalidPlatformKey("not a Bech32m string or bad checksum (mistyped?)")
            })?;
        if checked.hrp() != PLATFORM_HRP {
            return Err(Error::InvalidPlatformKey(
                "expected a platform key starting with \"spp1\"",
            ));
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        PlatformPublicKey::from_bytes(&bytes)
    }
}

impl fmt::Display for PlatformPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bech32::encode_lower_to_fmt::<Bech32m, _>(f, PLATFORM_HRP, self.key.as_bytes())
            .map_err(|_| fmt::Error)
    }
}

impl fmt::Debug for PlatformPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlatformPublicKey({self})")
    }
}

/// The platform's Ed25519 signing key (the 32-byte RFC 8032 seed). Zeroized on drop; `Debug`
/// shows only the key id.
pub struct PlatformSigningKey {
    key: SigningKey,
}

impl PlatformSigningKey {
    /// A new random signing key.
    pub fn generate() -> Result<PlatformSigningKey, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        crate::random::fill(seed.as_mut())?;
        Ok(PlatformSigningKey::from_seed(&seed))
    }

    /// The key with this 32-byte seed (RFC 8032 private key).
    pub fn from_seed(seed: &[u8; 32]) -> PlatformSigningKey {
        PlatformSigningKey {
            key: SigningKey::from_bytes(seed),
        }
    }

    /// The seed, for storing under a passphrase. Zeroized when dropped.
    pub fn to_seed(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.key.to_bytes())
    }

    /// The public key that verifies this key's signatures.
    pub fn public_key(&self) -> PlatformPublicKey {
        PlatformPublicKey {
            key: self.key.verifying_key(),
        }
    }
}

/// Domain separation of audit checkpoints (SPEC.md §8.3), signed with a hub's audit key (an
/// Ed25519 key of the same kind and file format as a platform key).
const CHECKPOINT_LABEL: &[u8] = b"sealpost-v1 audit checkpoint\n";

impl PlatformSigningKey {
    /// Signs an audit checkpoint statement (SPEC.md §8.3): Ed25519 over
    /// `"sealpost-v1 audit checkpoint\n" || statement`, never over a directory.
    pub fn sign_checkpoint(&self, statement: &[u8]) -> [u8; 64] {
        let mut m = CHECKPOINT_LABEL.to_vec();
        m.extend_from_slice(statement);
        self.key.sign(&m).to_bytes()
    }
}

impl PlatformPublicKey {
    /// Whether `signature` is this key's signature of an audit checkpoint statement (strict
    /// verification, as for directories).
    pub fn verify_checkpoint(&self, statement: &[u8], signature: &[u8; 64]) -> bool {
        let mut m = CHECKPOINT_LABEL.to_vec();
        m.extend_from_slice(statement);
        self.key
            .verify_strict(&m, &Signature::from_bytes(signature))
            .is_ok()
    }
}

impl fmt::Debug for PlatformSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlatformSigningKey")
            .field("key_id", &self.public_key().key_id())
            .finish_non_exhaustive()
    }
}

/// Where a key is in its validity period at some instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStatus {
    /// Before `valid_from`.
    NotYetValid,
    /// From `valid_from` through `valid_until`, both included.
    Valid,
    /// After `valid_until`.
    Expired,
}

impl KeyStatus {
    /// `not_yet_valid`, `valid` or `expired`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::NotYetValid => "not_yet_valid",
            KeyStatus::Valid => "valid",
            KeyStatus::Expired => "expired",
        }
    }
}

/// One certified courier key and its validity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourierKey {
    /// The X25519 public key envelopes are sealed to.
    pub public_key: PublicKey,
    /// First instant the key may be sealed to.
    pub valid_from: UtcSeconds,
    /// Last instant the key may be sealed to.
    pub valid_until: UtcSeconds,
}

impl CourierKey {
    /// The key's status at `now`.
    pub fn status(&self, now: UtcSeconds) -> KeyStatus {
        if now < self.valid_from {
            KeyStatus::NotYetValid
        } else if now > self.valid_until {
            KeyStatus::Expired
        } else {
            KeyStatus::Valid
        }
    }

    fn sort_key(&self) -> (UtcSeconds, [u8; 32]) {
        (self.valid_from, *self.public_key.as_bytes())
    }
}

/// A certified courier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Courier {
    /// Stable id the shop names in `allowedCouriers`: 1–32 of `a-z`, `0-9`, `-`.
    pub id: String,
    /// Display name in Simplified Chinese (zh-CN).
    pub name_zh: String,
    /// Display name in English.
    pub name_en: String,
    /// Logo URL (`https://…`), if any.
    pub logo: Option<String>,
    /// The courier's keys (none: every key was revoked; the courier is not usable).
    pub keys: Vec<CourierKey>,
}

/// The directory document: what the platform signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directory {
    /// Grows with every signed issue; a verifier refuses a serial below one it has seen.
    pub serial: u64,
    /// When the platform signed it.
    pub issued: UtcSeconds,
    /// After this instant the directory is no longer used: it bounds how long an old issue
    /// (listing a since-revoked key) can be replayed to a browser that never saw a newer one.
    pub expires: UtcSeconds,
    /// The certified couriers.
    pub couriers: Vec<Courier>,
}

/// A courier key chosen to seal to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The courier's id.
    pub courier: String,
    /// The key to seal to.
    pub public_key: PublicKey,
}

fn check_courier_id(id: &str) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(bad("a courier id is 1 to 32 of a-z, 0-9 and '-'"))
    }
}

fn check_name(name: &str) -> Result<(), Error> {
    let forbidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if name.trim().is_empty() || name.trim() != name {
        return Err(bad(
            "a courier name must not be empty or start or end with white space",
        ));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad("a courier name is at most 60 characters"));
    }
    if name.chars().any(forbidden) {
        return Err(bad(
            "a courier name must not contain control or bidi characters",
        ));
    }
    Ok(())
}

fn check_logo(logo: &str) -> Result<(), Error> {
    let ok = logo.len() > "https://".len()
        && logo.len() <= MAX_LOGO_LEN
        && logo.starts_with("https://")
        && logo.bytes().all(|c| (0x21..=0x7e).contains(&c));
    if ok {
        Ok(())
    } else {
        Err(bad(
            "a logo is an https:// URL of at most 512 printable ASCII characters",
        ))
    }
}

impl Courier {
    /// Checks the id, names, logo and keys (validity order, count).
    pub fn check(&self) -> Result<(), Error> {
        check_courier_id(&self.id)?;
        check_name(&self.name_zh)?;
        check_name(&self.name_en)?;
        if let Some(logo) = &self.logo {
            check_logo(logo)?;
        }
        if self.keys.len() > MAX_KEYS_PER_COURIER {
            return Err(bad("at most 8 keys per courier"));
        }
        for k in &self.keys {
            if k.valid_from >= k.valid_until {
                return Err(bad("a key's valid-from must be before its valid-until"));
            }
            if k.valid_until.0 > MAX_TIME {
                return Err(bad("times must be before the year 10000"));
            }
        }
        Ok(())
    }

    /// The key to seal to at `now`: of the keys valid then, the one that became valid last
    /// (after a rotation the new key, while the old one may still be listed for overlap).
    pub fn current_key(&self, now: UtcSeconds) -> Option<&CourierKey> {
        self.keys
            .iter()
            .filter(|k| k.status(now) == KeyStatus::Valid)
            .max_by_key(|k| k.sort_key())
    }
}

impl Directory {
    /// Checks every rule of SPEC.md §9.2 except the order of couriers and keys (which
    /// [`Directory::canonicalize`] establishes).
    pub fn check(&self) -> Result<(), Error> {
        if self.serial == 0 {
            return Err(bad("the serial number starts at 1"));
        }
        if self.expires.0 > MAX_TIME {
            return Err(bad("times must be before the year 10000"));
        }
        if self.issued >= self.expires {
            return Err(bad("the directory must be issued before it expires"));
        }
        if self.couriers.len() > MAX_COURIERS {
            return Err(bad("at most 64 couriers"));
        }
        let mut ids: Vec<&str> = Vec::new();
        let mut key_ids: Vec<KeyId> = Vec::new();
        for c in &self.couriers {
            c.check()?;
            if ids.contains(&c.id.as_str()) {
                return Err(bad("two couriers have the same id"));
            }
            ids.push(&c.id);
            for k in &c.keys {
                let id = k.public_key.key_id();
                if key_ids.contains(&id) {
                    return Err(bad("a key is listed twice"));
                }
                key_ids.push(id);
            }
        }
        Ok(())
    }

    /// Sorts couriers by id and each courier's keys by valid-from, then key bytes: the one
    /// order the encoding allows.
    pub fn canonicalize(&mut self) {
        self.couriers.sort_by(|a, b| a.id.cmp(&b.id));
        for c in &mut self.couriers {
            c.keys.sort_by_key(CourierKey::sort_key);
        }
    }

    /// Whether [`Directory::canonicalize`] would leave the directory as it is. Checked without
    /// sorting, so the browser module, which only reads directories, links no sort for them.
    pub fn is_canonical(&self) -> bool {
        self.couriers.is_sorted_by_key(|c| &c.id)
            && self
                .couriers
                .iter()
                .all(|c| c.keys.is_sorted_by_key(CourierKey::sort_key))
    }

    /// The courier with this id.
    pub fn courier(&self, id: &str) -> Option<&Courier> {
        self.couriers.iter().find(|c| c.id == id)
    }

    /// The courier and entry that list a key with this id, if the directory still lists it.
    pub fn find_key(&self, key_id: KeyId) -> Option<(&Courier, &CourierKey)> {
        self.couriers.iter().find_map(|c| {
            c.keys
                .iter()
                .find(|k| k.public_key.key_id() == key_id)
                .map(|k| (c, k))
        })
    }

    /// The canonical payload (SPEC.md §9.2) naming `signer`.
    pub fn payload(&self, signer: PlatformKeyId) -> Result<Vec<u8>, Error> {
        self.check()?;
        let mut d = self.clone();
        d.canonicalize();
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&signer.0);
        out.extend_from_slice(&d.serial.to_be_bytes());
        out.extend_from_slice(&d.issued.0.to_be_bytes());
        out.extend_from_slice(&d.expires.0.to_be_bytes());
        push_u8_len(&mut out, d.couriers.len())?;
        for c in &d.couriers {
            push_u8_len(&mut out, c.id.len())?;
            out.extend_from_slice(c.id.as_bytes());
            push_u8_len(&mut out, c.name_zh.len())?;
            out.extend_from_slice(c.name_zh.as_bytes());
            push_u8_len(&mut out, c.name_en.len())?;
            out.extend_from_slice(c.name_en.as_bytes());
            let logo = c.logo.as_deref().unwrap_or("");
            let logo_len = u16::try_from(logo.len()).map_err(|_| bad("logo too long"))?;
            out.extend_from_slice(&logo_len.to_be_bytes());
            out.extend_from_slice(logo.as_bytes());
            push_u8_len(&mut out, c.keys.len())?;
            for k in &c.keys {
                out.extend_from_slice(k.public_key.as_bytes());
                out.extend_from_slice(&k.valid_from.0.to_be_bytes());
                out.extend_from_slice(&k.valid_until.0.to_be_bytes());
            }
        }
        Ok(out)
    }

    /// Signs the directory with the platform key.
    pub fn sign(&self, key: &PlatformSigningKey) -> Result<SignedDirectory, Error> {
        let signer = key.public_key().key_id();
        let payload = self.payload(signer)?;
        let signature = key.key.sign(&signed_message(&payload)).to_bytes();
        let mut directory = self.clone();
        directory.canonicalize();
        Ok(SignedDirectory {
            directory,
            signer,
            payload,
            signature,
        })
    }

    /// The keys to seal to at `now`: one per certified courier the shop allows (`None`: all),
    /// its current key ([`Courier::current_key`]). Allowed ids the directory does not list are
    /// ignored (the platform no longer certifies them).
    ///
    /// A directory past its `expires` is refused first (`directory_expired`). When no allowed
    /// courier has a valid key: `directory_key_expired` if every key of the
    /// allowed couriers has expired, `directory_key_not_yet_valid` if none is valid yet,
    /// `no_usable_courier` otherwise (no allowed courier listed, no keys, or a mixture).
    pub fn recipients(
        &self,
        now: UtcSeconds,
        allowed: Option<&[String]>,
    ) -> Result<Vec<Recipient>, Error> {
        if now > self.expires {
            return Err(Error::DirectoryExpired {
                expired: self.expires,
            });
        }
        let candidates: Vec<&Courier> = self
            .couriers
            .iter()
            .filter(|c| allowed.is_none_or(|a| a.contains(&c.id)))
            .collect();
        let chosen: Vec<Recipient> = candidates
            .iter()
            .filter_map(|c| {
                c.current_key(now).map(|k| Recipient {
                    courier: c.id.clone(),
                    public_key: k.public_key.clone(),
                })
            })
            .collect();
        if chosen.len() > crate::envelope::MAX_RECIPIENTS {
            return Err(Error::InvalidRecipients(
                "more than 16 usable couriers: list the ones the shop works with in allowedCouriers",
            ));
        }
        if !chosen.is_empty() {
            return Ok(chosen);
        }
        let keys: Vec<&CourierKey> = candidates.iter().flat_map(|c| c.keys.iter()).collect();
        if !keys.is_empty() && keys.iter().all(|k| k.status(now) == KeyStatus::Expired) {
            let last = keys
                .iter()
                .map(|k| k.valid_until)
                .max()
                .unwrap_or(UtcSeconds(0));
            return Err(Error::DirectoryKeyExpired { last });
        }
        if !keys.is_empty() && keys.iter().all(|k| k.status(now) == KeyStatus::NotYetValid) {
            let first = keys
                .iter()
                .map(|k| k.valid_from)
                .min()
                .unwrap_or(UtcSeconds(0));
            return Err(Error::DirectoryKeyNotYetValid { first });
        }
        Err(Error::NoUsableCourier)
    }
}

fn push_u8_len(out: &mut Vec<u8>, len: usize) -> Result<(), Error> {
    out.push(u8::try_from(len).map_err(|_| bad("a field is too long"))?);
    Ok(())
}

fn signed_message(payload: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(SIGNATURE_LABEL.len() + payload.len());
    m.extend_from_slice(SIGNATURE_LABEL);
    m.extend_from_slice(payload);
    m
}

/// Refuses a directory older than one already seen (`last_seen`: its serial, if any). The
/// same serial is accepted: the platform never signs two directories with one serial.
pub fn check_rollback(serial: u64, last_seen: Option<u64>) -> Result<(), Error> {
    match last_seen {
        Some(seen) if serial < seen => Err(Error::DirectoryRollback { seen, got: serial }),
        _ => Ok(()),
    }
}

/// A directory with its platform signature, as parsed from `spdir1.…` (not yet verified) or
/// made by [`Directory::sign`].
#[derive(Clone, Debug)]
pub struct SignedDirectory {
    directory: Directory,
    signer: PlatformKeyId,
    payload: Vec<u8>,
    signature: [u8; 64],
}

impl SignedDirectory {
    /// The directory, **unverified**: for display only. Use [`SignedDirectory::verify`].
    pub fn unverified(&self) -> &Directory {
        &self.directory
    }

    /// The id of the platform key the payload says signed it (unverified).
    pub fn signer(&self) -> PlatformKeyId {
        self.signer
    }

    /// Checks the signature with the pinned platform key and returns the directory.
    /// `directory_wrong_key` if the payload names another platform key,
    /// `directory_signature_invalid` if the signature does not verify.
    pub fn verify(&self, platform: &PlatformPublicKey) -> Result<&Directory, Error> {
        if self.signer != platform.key_id() {
            return Err(Error::DirectoryWrongKey {
                signer: self.signer.to_string(),
                pinned: platform.key_id().to_string(),
            });
        }
        let signature = Signature::from_bytes(&self.signature);
        platform
            .key
            .verify_strict(&signed_message(&self.payload), &signature)
            .map_err(|_| Error::DirectorySignatureInvalid)?;
        Ok(&self.directory)
    }
}

impl fmt::Display for SignedDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{TEXT_PREFIX}{}.{}",
            URL_SAFE_NO_PAD.encode(&self.payload),
            URL_SAFE_NO_PAD.encode(self.signature)
        )
    }
}

impl core::str::FromStr for SignedDirectory {
    type Err = Error;

    /// Parses `spdir1.<payload>.<signature>` strictly (surrounding white space ignored); the
    /// signature is not checked here.
    fn from_str(text: &str) -> Result<SignedDirectory, Error> {
        let text = text.trim();
        if text.len() > MAX_TEXT_LEN {
            return Err(bad("larger than 128 KiB"));
        }
        let rest = text
            .strip_prefix(TEXT_PREFIX)
            .ok_or(bad("expected text starting with \"spdir1.\""))?;
        let (payload, signature) = rest
            .split_once('.')
            .ok_or(bad("expected spdir1.<payload>.<signature>"))?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| bad("bad base64url in the payload"))?;
        let signature: [u8; 64] = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|s| s.as_slice().try_into().ok())
            .ok_or(bad("the signature is not 64 bytes of base64url"))?;
        let (directory, signer) = decode_payload(&payload)?;
        Ok(SignedDirectory {
            directory,
            signer,
            payload,
            signature,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.bytes.len() {
            return Err(bad("the payload is truncated"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        self.take(N)?
            .try_into()
            .map_err(|_| bad("the payload is truncated"))
    }
    fn u8(&mut self) -> Result<usize, Error> {
        Ok(usize::from(u8::from_be_bytes(self.array()?)))
    }
    fn u16(&mut self) -> Result<usize, Error> {
        Ok(usize::from(u16::from_be_bytes(self.array()?)))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn string(&mut self, len: usize) -> Result<String, Error> {
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| bad("a text field is not UTF-8"))
    }
}

fn decode_payload(payload: &[u8]) -> Result<(Directory, PlatformKeyId), Error> {
    let mut r = Reader { bytes: payload };
    let magic: [u8; 6] = r.array()?;
    if magic.get(..5) != MAGIC.get(..5) {
        return Err(bad("the payload does not start with \"spdir\""));
    }
    if magic != *MAGIC {
        return Err(bad("unsupported directory version (this build reads 1)"));
    }
    let signer = PlatformKeyId(r.array()?);
    let serial = r.u64()?;
    let issued = UtcSeconds(r.u64()?);
    let expires = UtcSeconds(r.u64()?);
    let count = r.u8()?;
    let mut couriers = Vec::with_capacity(count.min(MAX_COURIERS));
    for _ in 0..count {
        let n = r.u8()?;
        let id = r.string(n)?;
        let n = r.u8()?;
        let name_zh = r.string(n)?;
        let n = r.u8()?;
        let name_en = r.string(n)?;
        let n = r.u16()?;
        let logo = Some(r.string(n)?).filter(|l| !l.is_empty());
        let key_count = r.u8()?;
        let mut keys = Vec::with_capacity(key_count.min(MAX_KEYS_PER_COURIER));
        for _ in 0..key_count {
            let pk: [u8; 32] = r.array()?;
            let public_key = PublicKey::from_bytes(&pk)?;
            let valid_from = UtcSeconds(r.u64()?);
            let valid_until = UtcSeconds(r.u64()?);
            keys.push(CourierKey {
                public_key,
                valid_from,
                valid_until,
            });
        }
        couriers.push(Courier {
            id,
            name_zh,
            name_en,
            logo,
            keys,
        });
    }
    if !r.bytes.is_empty() {
        return Err(bad("bytes after the last courier"));
    }
    let directory = Directory {
        serial,
        issued,
        expires,
        couriers,
    };
    directory.check()?;
    if !directory.is_canonical() {
        return Err(bad(
            "couriers must be sorted by id and keys by valid-from, then key bytes",
        ));
    }
    Ok((directory, signer))
}

/// A platform signing key sealed under a passphrase, as parsed from its file. The KDF and AEAD
/// run in the CLI (the same Argon2id + ChaCha20-Poly1305 as protected identities, SPEC.md §7);
/// this type only carries the fields and the exact associated data.
#[derive(Clone)]
pub struct ProtectedPlatformKey {
    /// The public key, readable without the passphrase.
    pub public_key: PlatformPublicKey,
    /// Argon2id cost.
    pub kdf: KdfParams,
    /// Argon2id salt.
    pub salt: [u8; SALT_LEN],
    /// ChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// ChaCha20-Poly1305 ciphertext of the 32-byte seed, with its tag.
    pub sealed_key: [u8; SEALED_KEY_LEN],
    aad: String,
}

impl ProtectedPlatformKey {
    /// The associated data: the line's text before ` ct=`.
    pub fn aad(&self) -> &[u8] {
        self.aad.as_bytes()
    }
}

impl fmt::Debug for ProtectedPlatformKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectedPlatformKey")
            .field("public_key", &self.public_key)
            .finish_non_exhaustive()
    }
}

/// The associated data (and first part) of a protected platform key line.
pub fn platform_key_line_prefix(
    public_key: &PlatformPublicKey,
    kdf: KdfParams,
    salt: &[u8; SALT_LEN],
    nonce: &[u8; NONCE_LEN],
) -> String {
    format!(
        "{PROTECTED_PLATFORM_TAG} pk={public_key} {}",
        SealedFields::text(kdf, salt, nonce)
    )
}

/// The text of a platform key file: comments, then `prefix || " ct=" || base64url(sealed)`.
pub fn platform_key_file_text(
    public_key: &PlatformPublicKey,
    created: &str,
    prefix: &str,
    sealed_key: &[u8; SEALED_KEY_LEN],
) -> String {
    format!(
        "# sealpost platform directory signing key (Ed25519), protected with a passphrase.\n\
         # created: {created}\n\
         # platform key id: {}\n\
         # public key: {public_key}\n\
         {prefix} ct={}\n",
        public_key.key_id(),
        URL_SAFE_NO_PAD.encode(sealed_key)
    )
}

/// Parses a platform key file: comment lines (`#`) and blank lines, and exactly one
/// `SEALPOST-PROTECTED-PLATFORM-KEY-1 pk=spp1… kdf=argon2id m=… t=… p=… salt=… nonce=… ct=…`.
pub fn parse_platform_key_file(text: &str) -> Result<ProtectedPlatformKey, Error> {
    const BAD: Error = Error::InvalidPlatformKey(
        "a platform key file holds one line: SEALPOST-PROTECTED-PLATFORM-KEY-1 pk=… kdf=argon2id m=… t=… p=… salt=… nonce=… ct=…",
    );
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let line = lines.next().ok_or(BAD)?;
    if lines.next().is_some() {
        return Err(BAD);
    }
    let (aad, ct) = line.rsplit_once(" ct=").ok_or(BAD)?;
    let mut fields = aad.split(' ');
    if fields.next() != Some(PROTECTED_PLATFORM_TAG) {
        return Err(BAD);
    }
    let public_key: PlatformPublicKey = fields
        .next()
        .and_then(|f| f.strip_prefix("pk="))
        .ok_or(BAD)?
        .parse()?;
    let SealedFields {
        kdf,
        salt,
        nonce,
        sealed_key,
    } = SealedFields::parse(fields, ct).map_err(|e| match e {
        SealedFieldsError::KdfOutOfRange(_) => Error::InvalidPlatformKey(
            "Argon2id parameters out of range (m 8192-1048576 KiB, t and p 1-16)",
        ),
        SealedFieldsError::UnknownKdf | SealedFieldsError::Malformed => BAD,
    })?;
    Ok(ProtectedPlatformKey {
        public_key,
        kdf,
        salt,
        nonce,
        sealed_key,
        aad: aad.to_owned(),
    })
}
