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

/// A courier's X25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    bytes: [u8; 32],
    hpke: <Kem as hpke::Kem>::PublicKey,
}

impl PublicKey {
    /// Accepts a raw 32-byte X25519 public key, refusing the all-zero key and the other
    /// low-order points (with them the Diffie-Hellman result would be all zeros).
    pub fn from_bytes(bytes: &[u8]) -> Result<PublicKey, Error> {
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::InvalidPublicKey("expected 32 bytes"))?;
        // A clamped scalar is a multiple of the cofactor 8, so any point of small order maps to
        // zero: one multiplication by a fixed clamped scalar detects all of them.
        let probe = x25519_dalek::x25519([9u8; 32], bytes);
        if probe == [0u8; 32] {
            return Err(Error::InvalidPublicKey("low-order point"));
        }
        let hpke = <Kem as hpke::Kem>::PublicKey::from_bytes(&bytes)
            .map_err(|_| Error::InvalidPublicKey("expected 32 bytes"))?;
        Ok(PublicKey { bytes, hpke })
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

    pub(crate) fn hpke(&self) -> &<Kem as hpke::Kem>::PublicKey {
        &self.hpke
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

    pub(crate) fn hpke(&self) -> &<Kem as hpke::Kem>::PrivateKey {
        &self.secret
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

/// Parses an identity file: one `SEALPOST-SECRET-KEY-1…` per line; blank lines and lines
/// starting with `#` are comments. At least one identity is required.
pub fn parse_identity_file(text: &str) -> Result<Vec<Identity>, Error> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(Identity::from_secret_str(line)?);
    }
    if out.is_empty() {
        return Err(Error::InvalidIdentity(
            "the file holds no SEALPOST-SECRET-KEY-1 line",
        ));
    }
    Ok(out)
}

/// Writes the identity file text for one identity. `created` is a timestamp shown as a comment.
pub fn identity_file_text(identity: &Identity, created: &str) -> Zeroizing<String> {
    let secret = identity.to_secret_string();
    Zeroizing::new(format!(
        "# sealpost identity (X25519 courier key). Keep this file secret.\n\
         # created: {created}\n\
         # key id: {}\n\
         # public key: {}\n\
         {}\n",
        identity.key_id(),
        identity.public_key(),
        secret.as_str()
    ))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
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
}
