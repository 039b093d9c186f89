//! The envelope, format version 1: the only module that builds or splits envelope bytes.
//! SPEC.md describes the same layout for implementers of other couriers.
//!
//! ```text
//! envelope   = header recipients
//! header     = "spe" version:u8(=1) order_len:u8 order disclosure
//! disclosure = 0x00                                   ; nothing in clear
//!            | 0x01 country:2                         ; country
//!            | 0x02 country:2 level1_len:u8 level1    ; country + address-level1
//! recipients = count:u8 (key_id:8 enc:32 binding_len:u16 binding ct_len:u16 ct){count}
//! ```
//!
//! Per recipient, one HPKE base-mode context (info = `"sealpost-v1 recipient" || key_id`)
//! seals two messages: `binding` = Seal(aad = "", pt = header) at sequence 0, and
//! `ct` = Seal(aad = header, pt = padded record) at sequence 1. The AAD binds the address to
//! everything in clear; the sealed copy of the header lets the courier tell *which* clear field
//! was changed (order reference or disclosed region) instead of a bare authentication failure.

use core::{fmt, str::FromStr};

use crate::b64::URL_SAFE_NO_PAD;
use hpke::Serializable;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::{
    address::{is_forbidden_char, Address, FIELDS},
    keys::{Identity, KeyId, PublicKey, KEY_ID_LEN},
    random,
    suite::{Kem, ReceiverContext, SenderContext},
    Error,
};

/// Prefix of the text form: format `spe`, version 1.
pub const TEXT_PREFIX: &str = "spe1.";
/// First bytes of the binary form.
pub const MAGIC: &[u8; 3] = b"spe";
/// The format version this module reads and writes.
pub const VERSION: u8 = 1;
/// Label that starts every recipient's HPKE `info`.
pub const INFO_LABEL: &[u8] = b"sealpost-v1 recipient";
/// Most recipients one envelope may carry.
pub const MAX_RECIPIENTS: usize = 16;
/// Longest order reference, in bytes.
pub const MAX_ORDER_LEN: usize = 64;
/// Plaintext sizes: the record is zero-padded to the smallest that fits.
pub const BUCKETS: [usize; 3] = [512, 1024, 2048];

/// Length of `enc`, an X25519 public key.
pub const ENC_LEN: usize = 32;
const TAG_LEN: usize = 16;
/// The record version a sender writes: 2 added `divisionCode` after `deliveryNote`. A reader
/// also decodes version 1 (every field but `divisionCode`, which opens empty).
const RECORD_VERSION: u8 = 2;

/// What the buyer chooses to show in clear, for shipping quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Disclosure {
    /// Nothing in clear.
    #[default]
    None,
    /// The country.
    Country,
    /// The country and the province/state (`address-level1`), if the address has one.
    Region,
}

impl FromStr for Disclosure {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "none" => Ok(Disclosure::None),
            "country" => Ok(Disclosure::Country),
            "region" | "province" => Ok(Disclosure::Region),
            _ => Err(Error::InvalidDisclosure),
        }
    }
}

/// The region fields an envelope shows in clear.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disclosed {
    /// ISO 3166-1 alpha-2 country, if disclosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Province/state, if disclosed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_level1: Option<String>,
}

/// The clear part of an envelope, authenticated by every recipient's AAD.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Header {
    order_ref: String,
    disclosed: Disclosed,
}

/// One recipient's DHKEM(X25519) `Encap` (RFC 9180 §4.1) done outside this crate, by the
/// platform's X25519: the ephemeral public key and `DH(skE, pkR)`. The ephemeral private key
/// stays with the platform.
pub struct Encapsulation {
    /// `enc`: the ephemeral public key.
    pub enc: [u8; ENC_LEN],
    /// The raw X25519 output `DH(skE, pkR)`.
    pub dh: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Encapsulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encapsulation")
            .field("enc", &self.enc)
            .finish_non_exhaustive()
    }
}

/// One courier's sealed copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// Which courier key can open it.
    pub key_id: KeyId,
    /// HPKE encapsulated key (the sender's ephemeral X25519 public key).
    pub enc: [u8; ENC_LEN],
    /// Seal(aad = "", pt = header) at sequence number 0.
    pub binding: Vec<u8>,
    /// Seal(aad = header, pt = padded address record) at sequence number 1.
    pub ct: Vec<u8>,
}

impl Recipient {
    /// One HPKE context to `pk` with ephemeral randomness `ikm`: `binding` = Seal(aad = "",
    /// `binding_pt`) then `ct` = Seal(aad = `aad`, `record`). A sender passes the header as
    /// both; the conformance vectors pass anything, which is why it is not public API.
    #[doc(hidden)]
    pub fn seal(
        pk: &PublicKey,
        ikm: &[u8],
        binding_pt: &[u8],
        aad: &[u8],
        record: &[u8],
    ) -> Result<Recipient, Error> {
        let key_id = pk.key_id();
        if ikm.len() != 32 {
            return Err(Error::RandomnessUnavailable);
        }
        // Encap (RFC 9180 §4.1) with DeriveKeyPair(ikmE) (§7.1.3): the `hpke` crate's key pair,
        // then one DH and the key schedule of `SenderContext`, the platform path's. Not
        // `hpke::setup_sender`: its Encap computes the ephemeral public key twice (a third
        // scalar multiplication per recipient). The bytes are the same (every vector).
        let (sk_e, pk_e) = <Kem as hpke::Kem>::derive_keypair(ikm);
        let mut sk = Zeroizing::new([0u8; 32]);
        let mut sk_bytes = sk_e.to_bytes();
        for (o, b) in sk.iter_mut().zip(sk_bytes.iter()) {
            *o = *b;
        }
        zeroize::Zeroize::zeroize(sk_bytes.as_mut_slice());
        let mut enc = [0u8; ENC_LEN];
        for (o, b) in enc.iter_mut().zip(pk_e.to_bytes().iter()) {
            *o = *b;
        }
        let dh = Zeroizing::new(x25519_dalek::x25519(*sk, *pk.as_bytes()));
        let mut ctx = SenderContext::new(&enc, &dh, pk.as_bytes(), &info_for(&key_id))?;
        Ok(Recipient {
            key_id,
            enc,
            binding: ctx.seal(binding_pt, b"")?,
            ct: ctx.seal(record, aad)?,
        })
    }
}

/// What [`Envelope::open_with`] returns: the address and which identity opened it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The address as sealed (redacted in `Debug`).
    pub address: Address,
    /// Index, in the identities given, of the identity that opened the envelope.
    pub identity: usize,
}

/// A sealed address: what the shop, platform and seller store and forward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    header: Header,
    recipients: Vec<Recipient>,
}

/// Checks an order reference: 1 to 64 bytes of printable ASCII without spaces.
pub fn validate_order_ref(order_ref: &str) -> Result<(), Error> {
    if order_ref.is_empty() {
        return Err(Error::InvalidOrderRef("empty"));
    }
    if order_ref.len() > MAX_ORDER_LEN {
        return Err(Error::InvalidOrderRef("longer than 64 bytes"));
    }
    if !order_ref.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::InvalidOrderRef(
            "only printable ASCII without spaces is allowed",
        ));
    }
    Ok(())
}

/// The HPKE `info` for a recipient: `"sealpost-v1 recipient" || key_id`.
pub fn info_for(key_id: &KeyId) -> Vec<u8> {
    let mut info = INFO_LABEL.to_vec();
    info.extend_from_slice(&key_id.0);
    info
}

impl Envelope {
    /// Seals `address` for `order_ref` to every key in `recipients`, with fresh randomness.
    pub fn seal(
        address: &Address,
        recipients: &[PublicKey],
        order_ref: &str,
        disclosure: Disclosure,
    ) -> Result<Envelope, Error> {
        let mut ikm = Zeroizing::new(vec![0u8; 32 * recipients.len()]);
        random::fill(&mut ikm)?;
        Envelope::seal_with_randomness(address, recipients, order_ref, disclosure, &ikm)
    }

    /// Like [`Envelope::seal`], with the randomness given: 32 bytes per recipient, used as the
    /// `ikmE` of `DeriveKeyPair` for that recipient's ephemeral key. For tests and vectors only:
    /// reusing randomness across seals breaks confidentiality.
    pub fn seal_with_randomness(
        address: &Address,
        recipients: &[PublicKey],
        order_ref: &str,
        disclosure: Disclosure,
        randomness: &[u8],
    ) -> Result<Envelope, Error> {
        let Prepared {
            header,
            header_bytes,
            record,
        } = prepare(address, recipients, order_ref, disclosure)?;
        if randomness.len() != 32 * recipients.len() {
            return Err(Error::RandomnessUnavailable);
        }
        let sealed = recipients
            .iter()
            .zip(randomness.chunks_exact(32))
            .map(|(pk, ikm)| Recipient::seal(pk, ikm, &header_bytes, &header_bytes, &record))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Envelope {
            header,
            recipients: sealed,
        })
    }

    /// Runs every check [`Envelope::seal`] runs, in the same order, without sealing: a caller
    /// that encapsulates on the platform ([`Envelope::seal_encapsulated`]) calls it first, so
    /// that both paths refuse the same input with the same error before any key is made.
    pub fn check_seal(
        address: &Address,
        recipients: &[PublicKey],
        order_ref: &str,
        disclosure: Disclosure,
    ) -> Result<(), Error> {
        prepare(address, recipients, order_ref, disclosure).map(drop)
    }

    /// Like [`Envelope::seal`], with each recipient's DHKEM `Encap` done by the caller (the
    /// browser's WebCrypto X25519): `encapsulations[i]` is for `recipients[i]`. The bytes are
    /// those [`Envelope::seal_with_randomness`] makes from the same ephemeral keys.
    pub fn seal_encapsulated(
        address: &Address,
        recipients: &[PublicKey],
        order_ref: &str,
        disclosure: Disclosure,
        encapsulations: &[Encapsulation],
    ) -> Result<Envelope, Error> {
        let Prepared {
            header,
            header_bytes,
            record,
        } = prepare(address, recipients, order_ref, disclosure)?;
        if encapsulations.len() != recipients.len() {
            // only our own JS calls this: a wrong count means its key generation failed
            return Err(Error::RandomnessUnavailable);
        }
        let sealed = recipients
            .iter()
            .zip(encapsulations)
            .map(|(pk, e)| {
                let key_id = pk.key_id();
                let mut ctx = SenderContext::new(&e.enc, &e.dh, pk.as_bytes(), &info_for(&key_id))?;
                Ok(Recipient {
                    key_id,
                    enc: e.enc,
                    binding: ctx.seal(&header_bytes, b"")?,
                    ct: ctx.seal(&record, &header_bytes)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Envelope {
            header,
            recipients: sealed,
        })
    }

    /// The order reference in clear.
    pub fn order_ref(&self) -> &str {
        &self.header.order_ref
    }

    /// The region fields in clear.
    pub fn disclosed(&self) -> &Disclosed {
        &self.header.disclosed
    }

    /// The per-courier entries.
    pub fn recipients(&self) -> &[Recipient] {
        &self.recipients
    }

    /// The AAD of every recipient's address ciphertext: the encoded header.
    pub fn aad(&self) -> Vec<u8> {
        self.header.to_bytes()
    }

    /// Opens the envelope with the first identity that is one of its recipients.
    ///
    /// With `expected_order`, an envelope that carries another order reference is refused
    /// before any decryption (`order_mismatch`). [`Envelope::open_with`] also says which
    /// identity opened it.
    pub fn open(
        &self,
        identities: &[Identity],
        expected_order: Option<&str>,
    ) -> Result<Address, Error> {
        self.open_with(identities, expected_order)
            .map(|opened| opened.address)
    }

    /// Opens the envelope as SPEC.md §3.3 says: the expected order first, then every identity
    /// in the order given whose key id has an entry, until one opens it. Otherwise the error of
    /// the first identity tried, or `not_a_recipient` when none has an entry.
    pub fn open_with<'i>(
        &self,
        identities: impl IntoIterator<Item = &'i Identity>,
        expected_order: Option<&str>,
    ) -> Result<Opened, Error> {
        if let Some(expected) = expected_order {
            if expected != self.header.order_ref {
                return Err(Error::OrderMismatch {
                    sealed: self.header.order_ref.clone(),
                    presented: expected.to_owned(),
                });
            }
        }
        let mut first_error = None;
        for (index, identity) in identities.into_iter().enumerate() {
            let key_id = identity.key_id();
            // key ids are unique within an envelope (`from_bytes` refuses duplicates)
            if let Some(entry) = self.recipients.iter().find(|r| r.key_id == key_id) {
                match self.open_entry(entry, identity) {
                    Ok(address) => {
                        return Ok(Opened {
                            address,
                            identity: index,
                        })
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
        Err(first_error.unwrap_or(Error::NotARecipient))
    }

    fn open_entry(&self, entry: &Recipient, identity: &Identity) -> Result<Address, Error> {
        // RFC 9180 SetupBaseR with the identity's public key given, not recomputed from the
        // private key as the `hpke` crate does (src/suite.rs says why)
        let mut ctx = ReceiverContext::new(
            &entry.enc,
            &identity.secret_bytes(),
            identity.public_key().as_bytes(),
            &info_for(&entry.key_id),
        )?;
        let sealed_header = ctx.open(&entry.binding, b"")?;
        let sealed_header = Header::from_bytes(&sealed_header)
            .map_err(|_| Error::MalformedPlaintext("the sealed header is not a valid header"))?;
        if sealed_header.order_ref != self.header.order_ref {
            return Err(Error::OrderMismatch {
                sealed: sealed_header.order_ref,
                presented: self.header.order_ref.clone(),
            });
        }
        if sealed_header.disclosed != self.header.disclosed {
            return Err(Error::DisclosureMismatch);
        }
        let record = Zeroizing::new(ctx.open(&entry.ct, &self.aad())?);
        let address = decode_record(&record)?;
        let d = &self.header.disclosed;
        let consistent = d.country.as_ref().is_none_or(|c| *c == address.country)
            && d.address_level1
                .as_ref()
                .is_none_or(|l| *l == address.address_level1);
        if !consistent {
            return Err(Error::DisclosureMismatch);
        }
        Ok(address)
    }

    /// The compact binary form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.header.to_bytes();
        out.push(self.recipients.len() as u8);
        for r in &self.recipients {
            out.extend_from_slice(&r.key_id.0);
            out.extend_from_slice(&r.enc);
            put_u16_bytes(&mut out, &r.binding);
            put_u16_bytes(&mut out, &r.ct);
        }
        out
    }

    /// Parses the binary form strictly: every length checked, no trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Envelope, Error> {
        let mut r = Reader::new(bytes);
        let header = Header::read(&mut r)?;
        let count = r.u8()? as usize;
        if count == 0 || count > MAX_RECIPIENTS {
            return Err(Error::MalformedEnvelope("recipient count must be 1 to 16"));
        }
        let mut recipients: Vec<Recipient> = Vec::with_capacity(count);
        // every rule is checked as soon as the field it constrains is read (SPEC.md §3.2)
        for _ in 0..count {
            let mut key_id = [0u8; KEY_ID_LEN];
            key_id.copy_from_slice(r.take(KEY_ID_LEN)?);
            let key_id = KeyId(key_id);
            if recipients.iter().any(|x| x.key_id == key_id) {
                return Err(Error::MalformedEnvelope(
                    "two recipients with the same key id",
                ));
            }
            let mut enc = [0u8; ENC_LEN];
            enc.copy_from_slice(r.take(ENC_LEN)?);
            let binding_len = r.u16()? as usize;
            if !(TAG_LEN + Header::MIN_LEN..=TAG_LEN + Header::MAX_LEN).contains(&binding_len) {
                return Err(Error::MalformedEnvelope(
                    "sealed header has an impossible length",
                ));
            }
            let binding = r.take(binding_len)?.to_vec();
            let ct_len = r.u16()? as usize;
            if !BUCKETS.iter().any(|b| b + TAG_LEN == ct_len) {
                return Err(Error::MalformedEnvelope(
                    "address ciphertext is not a padding bucket size",
                ));
            }
            let ct = r.take(ct_len)?.to_vec();
            recipients.push(Recipient {
                key_id,
                enc,
                binding,
                ct,
            });
        }
        r.finish()?;
        Ok(Envelope { header, recipients })
    }

    /// The public view of the envelope: what anyone holding it can see, with the exact HPKE
    /// inputs per recipient. No key is needed.
    pub fn inspect(&self) -> Inspection {
        let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
        let aad = self.aad();
        Inspection {
            format: "spe",
            version: VERSION,
            order_ref: self.header.order_ref.clone(),
            disclosed: self.header.disclosed.clone(),
            suite: "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305; mode_base",
            size_bytes: self.to_bytes().len(),
            recipients: self
                .recipients
                .iter()
                .map(|r| RecipientView {
                    key_id: r.key_id.to_hex(),
                    info: b64(&info_for(&r.key_id)),
                    enc: b64(&r.enc),
                    binding_aad: String::new(),
                    binding: b64(&r.binding),
                    aad: b64(&aad),
                    ct: b64(&r.ct),
                })
                .collect(),
        }
    }
}

/// What `inspect` shows: everything in an envelope that needs no key. Byte strings are
/// base64url without padding.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// Always `spe`.
    pub format: &'static str,
    /// Format version.
    pub version: u8,
    /// The order reference.
    pub order_ref: String,
    /// The region fields in clear.
    pub disclosed: Disclosed,
    /// The HPKE suite, in words.
    pub suite: &'static str,
    /// Size of the binary form.
    pub size_bytes: usize,
    /// One entry per courier.
    pub recipients: Vec<RecipientView>,
}

/// One recipient in an [`Inspection`].
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientView {
    /// Key id, hex.
    pub key_id: String,
    /// HPKE `info` for this recipient.
    pub info: String,
    /// HPKE `enc`.
    pub enc: String,
    /// AAD of the sequence-0 message (always empty).
    pub binding_aad: String,
    /// The sequence-0 ciphertext (the sealed header).
    pub binding: String,
    /// AAD of the sequence-1 message (the encoded header).
    pub aad: String,
    /// The sequence-1 ciphertext (the padded address record).
    pub ct: String,
}

impl fmt::Display for Envelope {
    /// The text form: `spe1.` followed by the binary form in base64url without padding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(TEXT_PREFIX)?;
        f.write_str(&URL_SAFE_NO_PAD.encode(self.to_bytes()))
    }
}

impl FromStr for Envelope {
    type Err = Error;

    /// Parses the text form (SPEC.md §3.1). Surrounding white space (Unicode `White_Space`)
    /// is ignored; nothing else is.
    fn from_str(text: &str) -> Result<Envelope, Error> {
        let text = text.trim();
        let Some(body) = text.strip_prefix(TEXT_PREFIX) else {
            // "spe<digit>." with another digit is a version we do not know
            let b = text.as_bytes();
            return match (b.get(..3), b.get(3), b.get(4)) {
                (Some(b"spe"), Some(v @ b'0'..=b'9'), Some(b'.')) => {
                    Err(Error::UnsupportedVersion(v - b'0'))
                }
                _ => Err(Error::UnknownFormat),
            };
        };
        let not_base64 = Error::MalformedEnvelope("not valid base64url (without padding)");
        match URL_SAFE_NO_PAD.decode(body) {
            Ok(bytes) => Envelope::from_bytes(&bytes),
            Err(_)
                if !body
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Err(not_base64)
            }
            Err(_) => {
                // Only the last group can be wrong (length 1 mod 4, or non-zero unused bits),
                // as in a text cut at any character: report it as truncated when the whole
                // 4-character groups before it parse as a truncated envelope.
                let whole = body.get(..body.len() / 4 * 4).unwrap_or("");
                match URL_SAFE_NO_PAD
                    .decode(whole)
                    .map(|b| Envelope::from_bytes(&b))
                {
                    Ok(Err(Error::Truncated)) => Err(Error::Truncated),
                    _ => Err(not_base64),
                }
            }
        }
    }
}

impl Header {
    /// magic, version, order length, 1-byte order, disclosure kind
    const MIN_LEN: usize = 3 + 1 + 1 + 1 + 1;
    /// … 64-byte order, kind, country, level1 length, 255-byte level1
    const MAX_LEN: usize = 3 + 1 + 1 + MAX_ORDER_LEN + 1 + 2 + 1 + 255;

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(Self::MIN_LEN + self.order_ref.len() + 8);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(self.order_ref.len() as u8);
        out.extend_from_slice(self.order_ref.as_bytes());
        match (&self.disclosed.country, &self.disclosed.address_level1) {
            (None, _) => out.push(0),
            (Some(c), None) => {
                out.push(1);
                out.extend_from_slice(c.as_bytes());
            }
            (Some(c), Some(l1)) => {
                out.push(2);
                out.extend_from_slice(c.as_bytes());
                out.push(l1.len() as u8);
                out.extend_from_slice(l1.as_bytes());
            }
        }
        out
    }

    fn read(r: &mut Reader<'_>) -> Result<Header, Error> {
        if r.take(3)? != MAGIC {
            return Err(Error::UnknownFormat);
        }
        let version = r.u8()?;
        if version != VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let order_len = r.u8()? as usize;
        if !(1..=MAX_ORDER_LEN).contains(&order_len) {
            return Err(Error::MalformedEnvelope(
                "order reference is not 1-64 printable ASCII bytes",
            ));
        }
        let order_ref = core::str::from_utf8(r.take(order_len)?)
            .map_err(|_| Error::MalformedEnvelope("order reference is not text"))?;
        validate_order_ref(order_ref).map_err(|_| {
            Error::MalformedEnvelope("order reference is not 1-64 printable ASCII bytes")
        })?;
        let kind = r.u8()?;
        let mut disclosed = Disclosed::default();
        if kind > 2 {
            return Err(Error::MalformedEnvelope("unknown disclosure kind"));
        }
        if kind >= 1 {
            let country = core::str::from_utf8(r.take(2)?).unwrap_or("");
            if !crate::countries::is_iso_alpha2(country) {
                return Err(Error::MalformedEnvelope(
                    "disclosed country is not an ISO 3166-1 code",
                ));
            }
            disclosed.country = Some(country.to_owned());
        }
        if kind == 2 {
            let len = r.u8()? as usize;
            if len == 0 {
                return Err(Error::MalformedEnvelope("disclosed region is empty"));
            }
            let l1 = core::str::from_utf8(r.take(len)?)
                .map_err(|_| Error::MalformedEnvelope("disclosed region is not UTF-8"))?;
            if l1.chars().any(is_forbidden_char) {
                return Err(Error::MalformedEnvelope(
                    "disclosed region has a control, line-separator or bidi character",
                ));
            }
            disclosed.address_level1 = Some(l1.to_owned());
        }
        Ok(Header {
            order_ref: order_ref.to_owned(),
            disclosed,
        })
    }

    fn from_bytes(bytes: &[u8]) -> Result<Header, Error> {
        let mut r = Reader::new(bytes);
        let header = Header::read(&mut r)?;
        r.finish()?;
        Ok(header)
    }
}

/// What every recipient's entry seals: the header (the AAD, and the sealed copy) and the
/// padded record.
struct Prepared {
    header: Header,
    header_bytes: Vec<u8>,
    record: Zeroizing<Vec<u8>>,
}

/// Every check of a seal, in the order SPEC.md §4 gives, then the header and the padded
/// record to seal.
fn prepare(
    address: &Address,
    recipients: &[PublicKey],
    order_ref: &str,
    disclosure: Disclosure,
) -> Result<Prepared, Error> {
    validate_order_ref(order_ref)?;
    address.validate()?;
    if recipients.is_empty() {
        return Err(Error::InvalidRecipients(
            "at least one courier key is required",
        ));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(Error::InvalidRecipients("at most 16 courier keys"));
    }
    for (i, a) in recipients.iter().enumerate() {
        if recipients.iter().skip(i + 1).any(|b| a == b) {
            return Err(Error::InvalidRecipients(
                "the same courier key is given twice",
            ));
        }
    }
    let address = normalized(address);
    let disclosed = match disclosure {
        Disclosure::None => Disclosed::default(),
        Disclosure::Country => Disclosed {
            country: Some(address.country.clone()),
            address_level1: None,
        },
        Disclosure::Region => Disclosed {
            country: Some(address.country.clone()),
            address_level1: Some(address.address_level1.clone()).filter(|l| !l.is_empty()),
        },
    };
    let header = Header {
        order_ref: order_ref.to_owned(),
        disclosed,
    };
    let record = encode_record(&address)?;
    Ok(Prepared {
        header_bytes: header.to_bytes(),
        header,
        record,
    })
}

/// Trims every field and drops empty trailing lines: the canonical form that is sealed.
fn normalized(a: &Address) -> Address {
    let mut n = a.clone();
    for f in FIELDS {
        if let Some(lines) = n.lines_mut(f.field) {
            lines.iter_mut().for_each(trim_in_place);
            while lines.last().is_some_and(|l| l.is_empty()) {
                lines.pop();
            }
        } else if let Some(text) = n.text_mut(f.field) {
            trim_in_place(text);
        }
    }
    n
}

fn trim_in_place(s: &mut String) {
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        let t = Zeroizing::new(trimmed.to_owned());
        s.clear();
        s.push_str(&t);
    }
}

/// `record = 0x02 || field…` in table order, each text as `len:u16 utf8` and a field of lines
/// as `count:u8 || line{count}`, then zeros up to the smallest bucket that fits (SPEC.md §3.4).
fn encode_record(a: &Address) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut out = Zeroizing::new(Vec::with_capacity(BUCKETS[0]));
    out.push(RECORD_VERSION);
    for f in FIELDS {
        let values = a.values(f.field);
        if f.is_lines() {
            out.push(values.len() as u8);
        }
        for v in values {
            put_u16_bytes(&mut out, v.as_bytes());
        }
    }
    let bucket = smallest_bucket(out.len()).ok_or(Error::AddressTooLong)?;
    out.resize(bucket, 0);
    Ok(out)
}

fn smallest_bucket(len: usize) -> Option<usize> {
    BUCKETS.iter().copied().find(|b| *b >= len)
}

/// The inverse of [`encode_record`], strict: anything a sender following SPEC.md §3.4 could not
/// have written is `malformed_plaintext`.
fn decode_record(bytes: &[u8]) -> Result<Address, Error> {
    fn bad(why: &'static str) -> impl Fn(Error) -> Error {
        move |_| Error::MalformedPlaintext(why)
    }
    let mut r = Reader::new(bytes);
    let version = r.u8().map_err(bad("the record is empty"))?;
    if !(1..=RECORD_VERSION).contains(&version) {
        return Err(Error::MalformedPlaintext(
            "the record does not start with version 1 or 2",
        ));
    }
    let mut a = Address::default();
    // version 1 ends before divisionCode, the one field version 2 added
    let fields = if version == 1 {
        FIELDS.get(..FIELDS.len() - 1).unwrap_or_default()
    } else {
        FIELDS
    };
    for f in fields {
        let count = if f.is_lines() {
            let n = r.u8().map_err(bad("a field runs past the record"))? as usize;
            if n == 0 || n > f.max_lines {
                return Err(Error::MalformedPlaintext("street line count is not 1 to 3"));
            }
            n
        } else {
            1
        };
        for _ in 0..count {
            let raw = r.u16_bytes().map_err(bad("a field runs past the record"))?;
            let text = core::str::from_utf8(raw)
                .map_err(|_| Error::MalformedPlaintext("a field is not UTF-8"))?
                .to_owned();
            if let Some(lines) = a.lines_mut(f.field) {
                lines.push(text);
            } else if let Some(slot) = a.text_mut(f.field) {
                *slot = text;
            }
        }
    }
    let padding = r.rest();
    if !padding.iter().all(|b| *b == 0) {
        return Err(Error::MalformedPlaintext("the padding is not all zero"));
    }
    if smallest_bucket(bytes.len() - padding.len()) != Some(bytes.len()) {
        return Err(Error::MalformedPlaintext(
            "the record is not padded to the smallest bucket that holds it",
        ));
    }
    Ok(a)
}

fn put_u16_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.bytes.len() {
            return Err(Error::Truncated);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?.first().copied().unwrap_or(0))
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([
            b.first().copied().unwrap_or(0),
            b.get(1).copied().unwrap_or(0),
        ]))
    }

    fn u16_bytes(&mut self) -> Result<&'a [u8], Error> {
        let len = self.u16()?;
        self.take(len as usize)
    }

    fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.bytes)
    }

    fn finish(&self) -> Result<(), Error> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(Error::TrailingData)
        }
    }
}
