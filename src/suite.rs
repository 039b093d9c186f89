//! The one HPKE suite sealpost uses (RFC 9180 §7): DHKEM(X25519, HKDF-SHA256) = 0x0020,
//! HKDF-SHA256 = 0x0001, ChaCha20Poly1305 = 0x0003, mode_base.

/// KEM: DHKEM(X25519, HKDF-SHA256), `kem_id` 0x0020.
pub type Kem = hpke::kem::X25519HkdfSha256;
/// KDF: HKDF-SHA256, `kdf_id` 0x0001.
pub type Kdf = hpke::kdf::HkdfSha256;
/// AEAD: ChaCha20Poly1305, `aead_id` 0x0003.
pub type Aead = hpke::aead::ChaCha20Poly1305;

// ---------------------------------------------------------------------------------------------
// The sender's side for an encapsulation made elsewhere.
//
// Where the platform offers X25519 (WebCrypto in the browser), the ephemeral key pair and the
// Diffie-Hellman come from it: the private key never leaves the platform, and only the
// encapsulated key `enc` and the DH output reach this module. The `hpke` crate takes no DH
// output from outside (its `setup_sender` draws and multiplies the ephemeral key itself), so
// the rest of RFC 9180's sender setup is written out below: DHKEM's ExtractAndExpand (§4.1),
// KeySchedule for mode_base (§5.1) and Seal with the nonce sequence (§5.2). It is checked
// byte for byte against RFC 9180's vectors (tests/rfc9180.rs) and the `hpke` crate's sender
// (every envelope vector is sealed both ways, natively, in wasm and in each browser).

use chacha20poly1305::{
    aead::{AeadInOut, KeyInit},
    ChaCha20Poly1305,
};
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;

/// `suite_id` of the KEM: `"KEM" || I2OSP(kem_id, 2)`.
const KEM_SUITE_ID: &[u8] = b"KEM\x00\x20";
/// `suite_id` of the key schedule: `"HPKE" || kem_id || kdf_id || aead_id`.
const HPKE_SUITE_ID: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";

/// `LabeledExtract(salt, label, ikm)` (RFC 9180 §4), as an HKDF ready to expand.
fn labeled_extract(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Hkdf<Sha256> {
    let mut extract = HkdfExtract::<Sha256>::new(Some(salt));
    for part in [b"HPKE-v1".as_slice(), suite_id, label, ikm] {
        extract.input_ikm(part);
    }
    extract.finalize().1
}

/// `LabeledExtract` returning the PRK bytes (the key schedule hashes `psk_id` and `info`).
fn labeled_extract_bytes(suite_id: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
    let mut extract = HkdfExtract::<Sha256>::new(Some(&[]));
    for part in [b"HPKE-v1".as_slice(), suite_id, label, ikm] {
        extract.input_ikm(part);
    }
    extract.finalize().0.into()
}

/// `LabeledExpand(prk, label, info, L)` (RFC 9180 §4) into `out` (`L = out.len()` ≤ 32 here).
fn labeled_expand(
    prk: &Hkdf<Sha256>,
    suite_id: &[u8],
    label: &[u8],
    info: &[&[u8]],
    out: &mut [u8],
) {
    let len = (out.len() as u16).to_be_bytes();
    let mut parts: [&[u8]; 7] = [&len, b"HPKE-v1", suite_id, label, &[], &[], &[]];
    for (slot, part) in parts.iter_mut().skip(4).zip(info) {
        *slot = part;
    }
    // Expand only fails for L > 255 * 32; every L here is 32 or 12.
    let _ = prk.expand_multi_info(&parts, out);
}

/// The HPKE context both sides share after the key schedule: the AEAD key, `base_nonce` and
/// the sequence number.
struct Context {
    aead: ChaCha20Poly1305,
    base_nonce: Zeroizing<[u8; 12]>,
    seq: u64,
}

impl Context {
    /// `shared_secret = ExtractAndExpand(dh, enc || pkR)` (DHKEM, RFC 9180 §4.1), then
    /// `KeySchedule` for mode_base (§5.1). An all-zero `dh` (a low-order point) is refused,
    /// as RFC 9180 §7.1.4 requires.
    fn new(enc: &[u8; 32], dh: &[u8; 32], pk_r: &[u8; 32], info: &[u8]) -> Option<Self> {
        if dh.iter().fold(0u8, |acc, b| acc | b) == 0 {
            return None;
        }
        // DHKEM ExtractAndExpand(dh, kem_context = enc || pkRm)
        let mut shared_secret = Zeroizing::new([0u8; 32]);
        let eae = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh);
        labeled_expand(
            &eae,
            KEM_SUITE_ID,
            b"shared_secret",
            &[enc, pk_r],
            &mut shared_secret[..],
        );
        // KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = "")
        let psk_id_hash = labeled_extract_bytes(HPKE_SUITE_ID, b"psk_id_hash", b"");
        let info_hash = labeled_extract_bytes(HPKE_SUITE_ID, b"info_hash", info);
        let context: [&[u8]; 3] = [&[0x00], &psk_id_hash, &info_hash];
        let secret = labeled_extract(HPKE_SUITE_ID, &shared_secret[..], b"secret", b"");
        let mut key = Zeroizing::new([0u8; 32]);
        let mut base_nonce = Zeroizing::new([0u8; 12]);
        labeled_expand(&secret, HPKE_SUITE_ID, b"key", &context, &mut key[..]);
        labeled_expand(
            &secret,
            HPKE_SUITE_ID,
            b"base_nonce",
            &context,
            &mut base_nonce[..],
        );
        Some(Context {
            aead: ChaCha20Poly1305::new(&(*key).into()),
            base_nonce,
            seq: 0,
        })
    }

    /// The nonce of the current sequence number: `base_nonce XOR I2OSP(seq, 12)` (§5.2).
    fn nonce(&self) -> [u8; 12] {
        let mut nonce = *self.base_nonce;
        for (n, s) in nonce.iter_mut().skip(4).zip(self.seq.to_be_bytes()) {
            *n ^= s;
        }
        nonce
    }
}

/// A sender's HPKE context (mode_base, this suite) set up from an encapsulation: the
/// ephemeral public key `enc` and `dh = X25519(skE, pkR)`.
pub struct SenderContext(Context);

impl core::fmt::Debug for SenderContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SenderContext { .. }")
    }
}

impl SenderContext {
    /// `SetupBaseS` after `Encap` (RFC 9180 §5.1.1), with `Encap`'s key pair and DH done by the
    /// caller: `shared_secret = ExtractAndExpand(dh, enc || pkR)`, then `KeySchedule`. An
    /// all-zero `dh` (a low-order `pkR`) is refused, as RFC 9180 §7.1.4 requires.
    pub fn new(enc: &[u8; 32], dh: &[u8; 32], pk_r: &[u8; 32], info: &[u8]) -> Result<Self, Error> {
        Context::new(enc, dh, pk_r, info)
            .map(SenderContext)
            .ok_or(Error::InvalidPublicKey("low-order point"))
    }

    /// `ContextS.Seal(aad, pt)` (RFC 9180 §5.2): ciphertext || tag, nonce `base_nonce XOR seq`.
    pub fn seal(&mut self, pt: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error> {
        let nonce = self.0.nonce();
        self.0.seq += 1;
        let mut out = Vec::with_capacity(pt.len() + 16);
        out.extend_from_slice(pt);
        // ChaCha20-Poly1305 refuses only plaintexts over 256 GiB: unreachable, mapped as the
        // `hpke` path maps its own unreachable seal error.
        let tag = self
            .0
            .aead
            .encrypt_inout_detached(&nonce.into(), aad, out.as_mut_slice().into())
            .map_err(|_| Error::RandomnessUnavailable)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }
}

/// A recipient's HPKE context (mode_base, this suite): RFC 9180's `SetupBaseR` with the
/// recipient's public key given instead of recomputed.
///
/// Why not the `hpke` crate here too: its `setup_receiver` derives `pkR` from `skR` on every
/// call (a second X25519 scalar multiplication, as expensive as the DH itself), because its
/// API takes no public key. A courier opening a batch has its public key already (it is in the
/// identity, and its key id chose the entry), so this does `Decap` with one multiplication
/// and the same key schedule the sender above uses, checked against RFC 9180's vectors.
pub struct ReceiverContext(Context);

impl core::fmt::Debug for ReceiverContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ReceiverContext { .. }")
    }
}

impl ReceiverContext {
    /// `Decap(enc, skR)` with `pkR` given, then `KeySchedule` (RFC 9180 §4.1, §5.1.1):
    /// `dh = X25519(skR, enc)` (refused when all zero: a low-order `enc`). `pk_r` must be
    /// `skR`'s public key; a wrong one gives a context that opens nothing.
    pub fn new(
        enc: &[u8; 32],
        sk_r: &Zeroizing<[u8; 32]>,
        pk_r: &[u8; 32],
        info: &[u8],
    ) -> Result<Self, Error> {
        let dh = Zeroizing::new(x25519_dalek::x25519(**sk_r, *enc));
        Context::new(enc, &dh, pk_r, info)
            .map(ReceiverContext)
            .ok_or(Error::OpenFailed)
    }

    /// `ContextR.Open(aad, ct)` (RFC 9180 §5.2): the plaintext, or `open_failed`. The sequence
    /// number moves on only when a message opens, as in RFC 9180.
    pub fn open(&mut self, ct: &[u8], aad: &[u8]) -> Result<Vec<u8>, Error> {
        let split = ct.len().checked_sub(16).ok_or(Error::OpenFailed)?;
        let (body, tag) = ct.split_at(split);
        let tag = tag.try_into().map_err(|_| Error::OpenFailed)?;
        let mut out = body.to_vec();
        self.0
            .aead
            .decrypt_inout_detached(&self.0.nonce().into(), aad, out.as_mut_slice().into(), tag)
            .map_err(|_| Error::OpenFailed)?;
        self.0.seq += 1;
        Ok(out)
    }
}
