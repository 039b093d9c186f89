//! Courier keys: X25519 public keys, identities (private keys), key ids, and their text forms.
//!
//! - Public key text: Bech32m (BIP 350) with human-readable part `sp`, data = the 32-byte X25519
//!   public key: `sp1…`. The checksum catches mistyped keys.
//! - Identity text: Bech32m with HRP `sealpost-secret-key-`, upper case:
//!   `SEALPOST-SECRET-KEY-1…`, data = the 32-byte serialized (clamped) X25519 private key.
//! - Key id: the first 8 bytes of SHA-256(`"sealpost-v1 key id"` || public key).

use core::fmt;

use bech32::{Bech32m, Hrp};
use hpke::{Deserializable, Kem as _, Serializable};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::{suite::Kem, Error};

const PUBLIC_HRP: Hrp = Hrp::parse_unchecked("sp");
const SECRET_HRP: Hrp = Hrp::parse_unchecked("sealpost-secret-key-");
const KEY_ID_LABEL: &[u8] = b"sealpost-v1 key id";

/// Length of a key id in bytes.
pub const KEY_ID_LEN: usize = 8;

/// Identifies a courier key inside an envelope. Derived from the public key, so ids cannot be
/// chosen, guessed or enumerated.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub [u8; KEY_ID_LEN]);

impl KeyId {
    /// The key id of a raw X25519 public key.
    pub fn of(public_key: &[u8; 32]) -> KeyId {
        let digest = Sha256::new()
            .chain_update(KEY_ID_LABEL)
            .chain_update(public_key)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.iter_mut().zip(digest.iter()).for_each(|(d, s)| *d = *s);
        KeyId(id)
    }

    /// Lower-case hex, 16 characters.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// The u-coordinates X25519 maps to zero under every clamped scalar (a multiple of the
/// cofactor 8): 0 and ±1, the two of order 8 on the curve, and the non-canonical encodings
/// p and p + 1 of 0 and 1 (libsodium's `has_small_order` list). X25519 ignores bit 255, so it
/// is cleared before comparing. A table instead of one probe multiplication (which cost 0.12
/// ms per key parsed in Chromium, twice per seal on the platform path); a test checks the
/// table against the probe.
const LOW_ORDER: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    p_plus(-1),
    p_plus(0),
    p_plus(1),
];

/// p + `d` = 2^255 - 19 + `d`, little-endian (for `d` in -1..=1).
const fn p_plus(d: i8) -> [u8; 32] {
    let mut b = [0xff; 32];
    b[0] = (0xed_i16 + d as i16) as u8;
    b[31] = 0x7f;
    b
}

/// Whether X25519 with this public key gives the all-zero output for every private key.
fn is_low_order(bytes: &[u8; 32]) -> bool {
    let mut u = *bytes;
    u[31] &= 0x7f;
    LOW_ORDER.contains(&u)
}

/// A courier's X25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 32],
}

impl PublicKey {
    /// Accepts a raw 32-byte X25519 public key, refusing the all-zero key and the other
    /// low-order points (with them the Diffie-Hellman result would be all zeros).
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, Error> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::InvalidPublicKey("expected 32 bytes"))?;
        if is_low_order(&bytes) {
            return Err(Error::InvalidPublicKey("low-order point"));
        }
        Ok(PublicKey { bytes })
    }

    /// Accepts 64 hex digits (a raw X25519 public key from another tool).
    pub fn from_hex(text: &str) -> Result<PublicKey, Error> {
        let bytes = unhex(text.trim()).ok_or(Error::InvalidPublicKey("expected 64 hex digits"))?;
        PublicKey::from_bytes(&bytes)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// This key's id.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.bytes)
    }
}

impl core::str::FromStr for PublicKey {
    type Err = Error;

    /// Parses the `sp1…` text form.
    fn from_str(text: &str) -> Result<PublicKey, Error> {
        let text = text.trim();
        let checked =
            bech32::primitives::decode::CheckedHrpstring::new::<Bech32m>(text).map_err(|_| {
                Error::InvalidPublicKey("not a Bech32m string or bad checksum (mistyped?)")
            })?;
        if checked.hrp() != PUBLIC_HRP {
            return Err(Error::InvalidPublicKey(
                "expected a key starting with \"sp1\"",
            ));
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        PublicKey::from_bytes(&bytes)
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bech32::encode_lower_to_fmt::<Bech32m, _>(f, PUBLIC_HRP, &self.bytes)
            .map_err(|_| fmt::Error)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

/// A courier's X25519 private key. Zeroized on drop; `Debug` shows only the key id.
#[derive(Clone)]
pub struct Identity {
    secret: <Kem as hpke::Kem>::PrivateKey,
    public: PublicKey,
}

impl Identity {
    /// A new random identity.
    pub fn generate() -> Result<Identity, Error> {
        let mut ikm = Zeroizing::new([0u8; 32]);
        crate::random::fill(ikm.as_mut())?;
        Identity::derive(ikm.as_ref())
    }

    /// RFC 9180 `DeriveKeyPair(ikm)` for DHKEM(X25519, HKDF-SHA256): deterministic, for tests
    /// and vectors.
    pub fn derive(ikm: &[u8]) -> Result<Identity, Error> {
        let (secret, public) = Kem::derive_keypair(ikm);
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(&public.to_bytes());
        let public = PublicKey::from_bytes(&bytes)?;
        Ok(Identity { secret, public })
    }

    /// Accepts a raw 32-byte X25519 private key (RFC 9180 `DeserializePrivateKey`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Identity, Error> {
        if bytes.len() != 32 {
            return Err(Error::InvalidIdentity("expected 32 bytes"));
        }
        let secret = <Kem as hpke::Kem>::PrivateKey::from_bytes(bytes)
            .map_err(|_| Error::InvalidIdentity("expected 32 bytes"))?;
        let public = Kem::sk_to_pk(&secret);
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&public.to_bytes());
        let public = PublicKey::from_bytes(&pk)
            .map_err(|_| Error::InvalidIdentity("not a usable X25519 key"))?;
        Ok(Identity { secret, public })
    }

    /// The public key that goes with this identity.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key id of the public key.
    pub fn key_id(&self) -> KeyId {
        self.public.key_id()
    }

    /// The raw private key (RFC 9180 `SerializePrivateKey`), for export to another
    /// implementation. Zeroized when dropped.
    pub fn to_raw(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        let mut bytes = self.secret.to_bytes();
        out.copy_from_slice(&bytes);
        bytes.as_mut_slice().zeroize();
        out
    }

    /// [`Identity::to_raw`] as 64 lower-case hex digits. Zeroized when dropped.
    pub fn to_raw_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex(self.to_raw().as_ref()))
    }

    /// The `SEALPOST-SECRET-KEY-1…` text form. Zeroized when dropped.
    pub fn to_secret_string(&self) -> Zeroizing<String> {
        let raw = self.to_raw();
        // encoding into a String cannot fail for 32 bytes under this HRP
        Zeroizing::new(
            bech32::encode_upper::<Bech32m>(SECRET_HRP, raw.as_ref()).unwrap_or_default(),
        )
    }

    /// Parses the `SEALPOST-SECRET-KEY-1…` text form.
    pub fn from_secret_str(text: &str) -> Result<Identity, Error> {
        let text = text.trim();
        let checked = bech32::primitives::decode::CheckedHrpstring::new::<Bech32m>(text)
            .map_err(|_| Error::InvalidIdentity("not a Bech32m string or bad checksum"))?;
        if checked.hrp() != SECRET_HRP {
            return Err(Error::InvalidIdentity(
                "expected a key starting with \"SEALPOST-SECRET-KEY-1\"",
            ));
        }
        let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(checked.byte_iter().collect());
        Identity::from_bytes(&bytes)
    }

    /// The private key's bytes (as stored: RFC 7748 clamping happens in the multiplication).
    pub(crate) fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        let mut bytes = self.secret.to_bytes();
        for (o, b) in out.iter_mut().zip(bytes.iter()) {
            *o = *b;
        }
        zeroize::Zeroize::zeroize(bytes.as_mut_slice());
        out
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Tag that starts a passphrase-protected identity line (SPEC.md §7).
pub const PROTECTED_TAG: &str = "SEALPOST-PROTECTED-KEY-1";
/// Length of the Argon2id salt of a protected identity.
pub const SALT_LEN: usize = 16;
/// Length of the ChaCha20-Poly1305 nonce of a protected identity.
pub const NONCE_LEN: usize = 12;
/// Length of a sealed private key: 32 bytes of key and a 16-byte tag.
pub const SEALED_KEY_LEN: usize = 48;

/// Argon2id cost parameters (RFC 9106) of a protected identity, stored in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes over the memory (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

impl KdfParams {
    /// Least memory a file may ask for: 8 MiB (weaker files are refused).
    pub const MIN_MEMORY_KIB: u32 = 8 * 1024;
    /// Most memory a file may ask for: 1 GiB (so a crafted file cannot exhaust the host).
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// Most passes or lanes a file may ask for.
    pub const MAX_ITERATIONS_OR_LANES: u32 = 16;

    /// Whether the parameters are within the bounds above.
    pub fn check(&self) -> Result<(), Error> {
        let ok = (Self::MIN_MEMORY_KIB..=Self::MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=Self::MAX_ITERATIONS_OR_LANES).contains(&self.iterations)
            && (1..=Self::MAX_ITERATIONS_OR_LANES).contains(&self.parallelism);
        if ok {
            Ok(())
        } else {
            Err(Error::InvalidIdentity(
                "Argon2id parameters out of range (m 8192-1048576 KiB, t and p 1-16)",
            ))
        }
    }
}

/// A UTC instant with one-second resolution, written `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcSeconds(pub u64);

impl UtcSeconds {
    /// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (years 1970-9999).
    pub fn parse(text: &str) -> Option<UtcSeconds> {
        let b = text.as_bytes();
        if b.len() != 20
            || b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || b.get(10) != Some(&b'T')
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
            || b.get(19) != Some(&b'Z')
        {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u64> {
            let digits = text.get(from..to)?;
            if !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hh, mm, ss) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let month_days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if y < 1970 || d == 0 || d > month_days || hh > 23 || mm > 59 || ss > 59 {
            return None;
        }
        Some(UtcSeconds(
            days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss,
        ))
    }
}

impl fmt::Display for UtcSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0 / 86_400;
        let secs = self.0 % 86_400;
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), for
/// years >= 1970.
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// A private key sealed under a passphrase (SPEC.md §7): the KDF and AEAD run in the CLI, this
/// type only carries the fields and the exact associated data.
#[derive(Clone)]
pub struct ProtectedIdentity {
    /// Argon2id cost.
    pub kdf: KdfParams,
    /// Argon2id salt.
    pub salt: [u8; SALT_LEN],
    /// ChaCha20-Poly1305 nonce.
    pub nonce: [u8; NONCE_LEN],
    /// ChaCha20-Poly1305 ciphertext of the 32-byte private key, with its tag.
    pub sealed_key: [u8; SEALED_KEY_LEN],
    aad: String,
}

impl ProtectedIdentity {
    /// The associated data of the sealed key: the line's text before ` ct=`, which binds the
    /// public key, the not-after date and the KDF parameters.
    pub fn aad(&self) -> &[u8] {
        self.aad.as_bytes()
    }
}

impl fmt::Debug for ProtectedIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProtectedIdentity")
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

/// The private half of an identity-file entry.
#[derive(Clone, Debug)]
pub enum EntrySecret {
    /// `SEALPOST-SECRET-KEY-1…`: usable as is.
    Plain(Identity),
    /// `SEALPOST-PROTECTED-KEY-1 …`: needs the passphrase.
    Protected(ProtectedIdentity),
}

/// One identity of an identity file, with what can be known without a passphrase.
#[derive(Clone, Debug)]
pub struct IdentityEntry {
    /// The public key (in clear even for a protected identity).
    pub public_key: PublicKey,
    /// After this instant the identity should be retired (`open` warns).
    pub not_after: Option<UtcSeconds>,
    /// The private key, plain or protected.
    pub secret: EntrySecret,
}

impl IdentityEntry {
    /// The key id of the entry's public key.
    pub fn key_id(&self) -> KeyId {
        self.public_key.key_id()
    }
}

/// Parses an identity file into its entries (SPEC.md §2.3 and §7). Lines are trimmed; blank
/// lines and lines starting with `#` are comments; every other line is one identity:
/// `SEALPOST-SECRET-KEY-1… [not-after=…]` or `SEALPOST-PROTECTED-KEY-1 …`.
pub fn parse_identity_entries(text: &str) -> Result<Vec<IdentityEntry>, Error> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(if line.starts_with(PROTECTED_TAG) {
            parse_protected_line(line)?
        } else {
            parse_plain_line(line)?
        });
    }
    if out.is_empty() {
        return Err(Error::InvalidIdentity(
            "the file holds no SEALPOST-SECRET-KEY-1 or SEALPOST-PROTECTED-KEY-1 line",
        ));
    }
    Ok(out)
}

fn parse_not_after(field: &str) -> Result<UtcSeconds, Error> {
    field
        .strip_prefix("not-after=")
        .and_then(UtcSeconds::parse)
        .ok_or(Error::InvalidIdentity(
            "expected not-after=YYYY-MM-DDTHH:MM:SSZ after the key",
        ))
}

fn parse_plain_line(line: &str) -> Result<IdentityEntry, Error> {
    let mut fields = line.split(' ');
    let identity = Identity::from_secret_str(fields.next().unwrap_or(""))?;
    let not_after = fields.next().map(parse_not_after).transpose()?;
    if fields.next().is_some() {
        return Err(Error::InvalidIdentity("unexpected text after the key"));
    }
    Ok(IdentityEntry {
        public_key: identity.public_key().clone(),
        not_after,
        secret: EntrySecret::Plain(identity),
    })
}

fn parse_protected_line(line: &str) -> Result<IdentityEntry, Error> {
    const BAD: Error = Error::InvalidIdentity(
        "a SEALPOST-PROTECTED-KEY-1 line must read: pk=… [not-after=…] kdf=argon2id m=… t=… p=… salt=… nonce=… ct=…",
    );
    let (aad, ct) = line.rsplit_once(" ct=").ok_or(BAD)?;
    let mut fields = aad.split(' ').peekable();
    if fields.next() != Some(PROTECTED_TAG) {
        return Err(BAD);
    }
    let public_key: PublicKey = fields
        .next()
        .and_then(|f| f.strip_prefix("pk="))
        .ok_or(BAD)?
        .parse()?;
    let not_after = match fields.peek() {
        Some(f) if f.starts_with("not-after=") => {
            Some(parse_not_after(fields.next().unwrap_or(""))?)
        }
        _ => None,
    };
    let sealed = SealedFields::parse(fields, ct).map_err(|e| match e {
        SealedFieldsError::UnknownKdf => {
            Error::InvalidIdentity("unknown key derivation (expected kdf=argon2id)")
        }
        SealedFieldsError::KdfOutOfRange(e) => e,
        SealedFieldsError::Malformed => BAD,
    })?;
    Ok(IdentityEntry {
        public_key,
        not_after,
        secret: EntrySecret::Protected(ProtectedIdentity {
            kdf: sealed.kdf,
            salt: sealed.salt,
            nonce: sealed.nonce,
            sealed_key: sealed.sealed_key,
            aad: aad.to_owned(),
        }),
    })
}

/// The fields every passphrase-protected key line (identity, §7; platform key, §9.4) has after
/// its tag and public key: `kdf=argon2id m=… t=… p=… salt=… nonce=…`, then ` ct=…`.
pub(crate) struct SealedFields {
    pub(crate) kdf: KdfParams,
    pub(crate) salt: [u8; SALT_LEN],
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) sealed_key: [u8; SEALED_KEY_LEN],
}

/// Why [`SealedFields::parse`] refused a line (each key kind words it its own way).
pub(crate) enum SealedFieldsError {
    UnknownKdf,
    KdfOutOfRange(Error),
    Malformed,
}

impl SealedFields {
    /// Parses the remaining space-separated fields of a line (nothing may follow `nonce=`) and
    /// its base64url ciphertext.
    pub(crate) fn parse<'a>(
        mut fields: impl Iterator<Item = &'a str>,
        ct: &str,
    ) -> Result<SealedFields, SealedFieldsError> {
        use SealedFieldsError::Malformed;
        let mut field = |name: &str| {
            fields
                .next()
                .and_then(|f| f.strip_prefix(name))
                .ok_or(Malformed)
        };
        if field("kdf=")? != "argon2id" {
            return Err(SealedFieldsError::UnknownKdf);
        }
        let number = |text: &str| -> Result<u32, SealedFieldsError> {
            if text.is_empty() || !text.bytes().all(|c| c.is_ascii_digit()) || text.starts_with('0')
            {
                return Err(Malformed);
            }
            text.parse().map_err(|_| Malformed)
        };
        let kdf = KdfParams {
            memory_kib: number(field("m=")?)?,
            iterations: number(field("t=")?)?,
            parallelism: number(field("p=")?)?,
        };
        kdf.check().map_err(SealedFieldsError::KdfOutOfRange)?;
        let salt = b64_array::<SALT_LEN>(field("salt=")?).ok_or(Malformed)?;
        let nonce = b64_array::<NONCE_LEN>(field("nonce=")?).ok_or(Malformed)?;
        if fields.next().is_some() {
            return Err(Malformed);
        }
        let sealed_key = b64_array::<SEALED_KEY_LEN>(ct).ok_or(Malformed)?;
        Ok(SealedFields {
            kdf,
            salt,
            nonce,
            sealed_key,
        })
    }

    /// `kdf=argon2id m=… t=… p=… salt=… nonce=…`, the text [`SealedFields::parse`] reads.
    pub(crate) fn text(kdf: KdfParams, salt: &[u8; SALT_LEN], nonce: &[u8; NONCE_LEN]) -> String {
        use crate::b64::URL_SAFE_NO_PAD;
        format!(
            "kdf=argon2id m={} t={} p={} salt={} nonce={}",
            kdf.memory_kib,
            kdf.iterations,
            kdf.parallelism,
            URL_SAFE_NO_PAD.encode(salt),
            URL_SAFE_NO_PAD.encode(nonce),
        )
    }
}

fn b64_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    use crate::b64::URL_SAFE_NO_PAD;
    let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(text).ok()?);
    bytes.as_slice().try_into().ok()
}

/// Parses an identity file into usable identities: one `SEALPOST-SECRET-KEY-1…` per line
/// (optionally followed by ` not-after=…`); blank lines and lines starting with `#` are
/// comments. At least one identity is required. A passphrase-protected identity is refused here:
/// unlock it with the CLI.
pub fn parse_identity_file(text: &str) -> Result<Vec<Identity>, Error> {
    parse_identity_entries(text)?
        .into_iter()
        .map(|entry| match entry.secret {
            EntrySecret::Plain(identity) => Ok(identity),
            EntrySecret::Protected(_) => Err(Error::InvalidIdentity(
                "the identity is protected with a passphrase",
            )),
        })
        .collect()
}

/// Writes the identity file text for one identity. `created` is a timestamp shown as a comment.
pub fn identity_file_text(identity: &Identity, created: &str) -> Zeroizing<String> {
    identity_file_text_with(identity, created, None)
}

/// [`identity_file_text`] with an optional not-after date.
pub fn identity_file_text_with(
    identity: &Identity,
    created: &str,
    not_after: Option<UtcSeconds>,
) -> Zeroizing<String> {
    let secret = identity.to_secret_string();
    let (comment, attribute) = match not_after {
        Some(t) => (format!("# not after: {t}\n"), format!(" not-after={t}")),
        None => (String::new(), String::new()),
    };
    Zeroizing::new(format!(
        "# sealpost identity (X25519 courier key). Keep this file secret.\n\
         # created: {created}\n\
         # key id: {}\n\
         # public key: {}\n\
         {comment}{}{attribute}\n",
        identity.key_id(),
        identity.public_key(),
        secret.as_str()
    ))
}

/// The associated data (and first part) of a protected identity line: everything before
/// ` ct=` (SPEC.md §7).
pub fn protected_line_prefix(
    public_key: &PublicKey,
    not_after: Option<UtcSeconds>,
    kdf: KdfParams,
    salt: &[u8; SALT_LEN],
    nonce: &[u8; NONCE_LEN],
) -> String {
    let not_after = not_after
        .map(|t| format!(" not-after={t}"))
        .unwrap_or_default();
    format!(
        "{PROTECTED_TAG} pk={public_key}{not_after} {}",
        SealedFields::text(kdf, salt, nonce)
    )
}

/// The text of an identity file holding one protected identity: comments, then
/// `prefix || " ct=" || base64url(sealed_key)`.
pub fn protected_identity_file_text(
    public_key: &PublicKey,
    created: &str,
    not_after: Option<UtcSeconds>,
    prefix: &str,
    sealed_key: &[u8; SEALED_KEY_LEN],
) -> String {
    use crate::b64::URL_SAFE_NO_PAD;
    let not_after = not_after
        .map(|t| format!("# not after: {t}\n"))
        .unwrap_or_default();
    format!(
        "# sealpost identity (X25519 courier key), protected with a passphrase.\n\
         # created: {created}\n\
         # key id: {}\n\
         # public key: {public_key}\n\
         {not_after}{prefix} ct={}\n",
        public_key.key_id(),
        URL_SAFE_NO_PAD.encode(sealed_key)
    )
}

/// `bytes` as lowercase hex (the form of key ids, raw keys and the audit log's hashes).
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        s.push(char::from_digit(u32::from(b & 15), 16).unwrap_or('0'));
    }
    s
}

/// Decodes hex (either case). `None` on odd length or a non-hex digit.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_catch_typos() {
        let id = Identity::derive(&[7u8; 32]).unwrap();
        let pk_text = id.public_key().to_string();
        assert!(pk_text.starts_with("sp1"), "{pk_text}");
        assert_eq!(pk_text.parse::<PublicKey>().unwrap(), *id.public_key());
        // one changed character is caught by the checksum
        let mut typo = pk_text.clone().into_bytes();
        typo[10] = if typo[10] == b'q' { b'p' } else { b'q' };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(
            typo.parse::<PublicKey>().unwrap_err().code(),
            "invalid_public_key"
        );

        let sk_text = id.to_secret_string();
        assert!(sk_text.starts_with("SEALPOST-SECRET-KEY-1"));
        let back = Identity::from_secret_str(&sk_text).unwrap();
        assert_eq!(back.public_key(), id.public_key());
        // a public key is not an identity and vice versa
        assert!(Identity::from_secret_str(&pk_text).is_err());
        assert!(sk_text.parse::<PublicKey>().is_err());
    }

    /// The low-order table is exactly what the probe multiplication refuses: each entry (with
    /// and without bit 255) gives the all-zero output, and 20 000 other keys do not.
    #[test]
    fn low_order_table_agrees_with_a_probe_multiplication() {
        let probe = |k: [u8; 32]| x25519_dalek::x25519([9u8; 32], k) == [0u8; 32];
        for l in LOW_ORDER {
            let mut high = l;
            high[31] |= 0x80;
            for k in [l, high] {
                assert!(probe(k) && is_low_order(&k), "{k:02x?}");
            }
        }
        let mut k = [0u8; 32];
        for i in 0..20_000u32 {
            k = sha2::Sha256::digest([&k[..], &i.to_le_bytes()].concat()).into();
            assert_eq!(probe(k), is_low_order(&k), "{k:02x?}");
            assert!(!is_low_order(&k));
        }
    }

    #[test]
    fn low_order_and_wrong_length_keys_are_refused() {
        assert_eq!(
            PublicKey::from_bytes(&[0u8; 32]).unwrap_err(),
            Error::InvalidPublicKey("low-order point")
        );
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(PublicKey::from_bytes(&one).is_err());
        assert!(PublicKey::from_bytes(&[1u8; 31]).is_err());
        assert!(PublicKey::from_hex("zz").is_err());
    }

    #[test]
    fn debug_hides_the_secret() {
        let id = Identity::derive(&[7u8; 32]).unwrap();
        let dbg = format!("{id:?}");
        let raw_hex = hex(id.to_raw().as_ref());
        assert!(!dbg.contains(&raw_hex) && !dbg.contains("SECRET"), "{dbg}");
    }

    #[test]
    fn utc_seconds_parse_and_format() {
        let t = UtcSeconds::parse("2027-02-28T23:59:59Z").unwrap();
        assert_eq!(t.to_string(), "2027-02-28T23:59:59Z");
        assert_eq!(
            UtcSeconds::parse("1970-01-01T00:00:00Z"),
            Some(UtcSeconds(0))
        );
        assert_eq!(
            UtcSeconds::parse("2000-03-01T00:00:00Z"),
            Some(UtcSeconds(951_868_800))
        );
        assert_eq!(
            UtcSeconds::parse("2024-02-29T12:00:00Z")
                .unwrap()
                .to_string(),
            "2024-02-29T12:00:00Z"
        );
        for bad in [
            "2027-02-29T00:00:00Z",
            "2027-13-01T00:00:00Z",
            "2027-01-01T24:00:00Z",
            "2027-01-01 00:00:00Z",
            "2027-01-01T00:00:00",
            "1969-12-31T23:59:59Z",
            "+027-01-01T00:00:00Z",
        ] {
            assert_eq!(UtcSeconds::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn identity_file_entries_plain_not_after_and_protected() {
        let id = Identity::derive(&[7u8; 32]).unwrap();
        let not_after = UtcSeconds::parse("2027-06-30T00:00:00Z");
        let plain = identity_file_text_with(&id, "2026-01-01T00:00:00Z", not_after);
        let entries = parse_identity_entries(&plain).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].not_after, not_after);
        assert_eq!(entries[0].key_id(), id.key_id());
        assert_eq!(parse_identity_file(&plain).unwrap().len(), 1);

        let kdf = KdfParams {
            memory_kib: 8192,
            iterations: 2,
            parallelism: 1,
        };
        let prefix = protected_line_prefix(id.public_key(), not_after, kdf, &[1; 16], &[2; 12]);
        let text = protected_identity_file_text(
            id.public_key(),
            "2026-01-01T00:00:00Z",
            not_after,
            &prefix,
            &[3; 48],
        );
        let both = format!("{text}{}", plain.as_str());
        let entries = parse_identity_entries(&both).unwrap();
        assert_eq!(entries.len(), 2);
        match &entries[0].secret {
            EntrySecret::Protected(p) => {
                assert_eq!(p.kdf, kdf);
                assert_eq!(p.salt, [1; 16]);
                assert_eq!(p.nonce, [2; 12]);
                assert_eq!(p.sealed_key, [3; 48]);
                assert_eq!(p.aad(), prefix.as_bytes());
            }
            EntrySecret::Plain(_) => panic!("expected a protected entry"),
        }
        assert_eq!(entries[0].not_after, not_after);
        assert_eq!(
            parse_identity_file(&text).unwrap_err().code(),
            "invalid_identity"
        );
        // out-of-range cost, a stray field, a bad tag: refused
        for bad in [
            text.replace("m=8192", "m=1024"),
            text.replace("m=8192", "m=08192"),
            text.replace(" kdf=", " x=1 kdf="),
            text.replace("SEALPOST-PROTECTED-KEY-1 ", "SEALPOST-PROTECTED-KEY-1X "),
            text.replace("not-after=2027-06-30", "not-after=2027-06-31"),
            plain.replace(" not-after=", " not_after="),
        ] {
            assert!(parse_identity_entries(&bad).is_err(), "{bad}");
        }
    }
}
