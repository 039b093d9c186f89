//! RFC 9180 known-answer tests for the one suite sealpost uses, run natively and in wasm.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use hpke::{
    aead::{ChaCha20Poly1305, ExportOnlyAead},
    rand_core::{TryCryptoRng, TryRng},
    Deserializable, Kem as _, OpModeR, OpModeS, PskBundle, Serializable,
};
use sealpost::suite::{Kdf, Kem};
use serde::Deserialize;

#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const VECTORS: &str = include_str!("vectors/rfc9180/rfc9180-x25519-sha256-chacha20poly1305.json");

#[derive(Deserialize)]
struct Entry {
    mode: u8,
    aead_id: u16,
    info: String,
    #[serde(rename = "ikmR")]
    ikm_r: String,
    #[serde(rename = "ikmE")]
    ikm_e: String,
    #[serde(rename = "skEm")]
    sk_em: String,
    #[serde(rename = "skRm")]
    sk_rm: String,
    #[serde(rename = "pkRm")]
    pk_rm: String,
    #[serde(rename = "skSm", default)]
    sk_sm: Option<String>,
    #[serde(rename = "pkSm", default)]
    pk_sm: Option<String>,
    psk: Option<String>,
    psk_id: Option<String>,
    enc: String,
    encryptions: Vec<Encryption>,
    exports: Vec<Export>,
}

#[derive(Deserialize)]
struct Encryption {
    aad: String,
    pt: String,
    ct: String,
}

#[derive(Deserialize)]
struct Export {
    exporter_context: String,
    #[serde(rename = "L")]
    len: usize,
    exported_value: String,
}

fn h(s: &str) -> Vec<u8> {
    sealpost::keys::unhex(s).expect("hex in vector file")
}

type Sk = <Kem as hpke::Kem>::PrivateKey;
type Pk = <Kem as hpke::Kem>::PublicKey;

/// Hands out `ikmE` as the sender's randomness.
struct FixedRng(Vec<u8>);

impl TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        unimplemented!("DeriveKeyPair only asks for bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        unimplemented!("DeriveKeyPair only asks for bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let rest = self.0.split_off(dst.len());
        dst.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}
impl TryCryptoRng for FixedRng {}

fn entries() -> Vec<Entry> {
    serde_json::from_str(VECTORS).expect("vector file parses")
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn vector_file_is_the_reviewed_one() {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(VECTORS.as_bytes());
    assert_eq!(
        sealpost::keys::unhex("e70a682f4f2c07c5c36e256d2d2d92f29e8bd7b665bd869d42fb3326324f0d54")
            .unwrap(),
        digest.to_vec()
    );
    let e = entries();
    assert_eq!(e.len(), 8);
    assert_eq!(e.iter().filter(|e| e.aead_id == 3).count(), 4);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn all_modes_open_export_and_seal_byte_for_byte() {
    let mut checked_opens = 0;
    for e in entries() {
        let (sk, pk) = Kem::derive_keypair(&h(&e.ikm_r));
        // the vectors list skRm unclamped; this library serializes private keys clamped
        let mut sk_rm = h(&e.sk_rm);
        sk_rm[0] &= 248;
        sk_rm[31] = (sk_rm[31] & 127) | 64;
        assert_eq!(sk.to_bytes().to_vec(), sk_rm, "mode {} skRm", e.mode);
        assert_eq!(
            Sk::from_bytes(&h(&e.sk_rm)).unwrap().to_bytes().to_vec(),
            sk_rm
        );
        assert_eq!(pk.to_bytes().to_vec(), h(&e.pk_rm), "mode {} pkRm", e.mode);

        let psk = e.psk.as_deref().map(h).unwrap_or_default();
        let psk_id = e.psk_id.as_deref().map(h).unwrap_or_default();
        let bundle = PskBundle::new(&psk, &psk_id).unwrap();
        let pk_s = e.pk_sm.as_deref().map(|p| Pk::from_bytes(&h(p)).unwrap());
        let sk_s = e.sk_sm.as_deref().map(|s| Sk::from_bytes(&h(s)).unwrap());
        let mode_r = match e.mode {
            0 => OpModeR::Base,
            1 => OpModeR::Psk(bundle),
            2 => OpModeR::Auth(pk_s.clone().unwrap()),
            3 => OpModeR::AuthPsk(pk_s.clone().unwrap(), bundle),
            m => panic!("unknown mode {m}"),
        };
        let sender_keys = || (sk_s.clone().unwrap(), pk_s.clone().unwrap());
        let mode_s = match e.mode {
            0 => OpModeS::Base,
            1 => OpModeS::Psk(bundle),
            2 => OpModeS::Auth(sender_keys()),
            _ => OpModeS::AuthPsk(sender_keys(), bundle),
        };
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&h(&e.enc)).unwrap();
        let info = h(&e.info);

        match e.aead_id {
            3 => {
                let mut ctx =
                    hpke::setup_receiver::<ChaCha20Poly1305, Kdf, Kem>(&mode_r, &sk, &enc, &info)
                        .unwrap();
                assert_eq!(e.encryptions.len(), 257);
                for (i, enc_case) in e.encryptions.iter().enumerate() {
                    let pt = ctx
                        .open(&h(&enc_case.ct), &h(&enc_case.aad))
                        .unwrap_or_else(|_| panic!("mode {} seq {i}", e.mode));
                    assert_eq!(pt, h(&enc_case.pt));
                    checked_opens += 1;
                }
                for x in &e.exports {
                    let mut out = vec![0u8; x.len];
                    ctx.export(&h(&x.exporter_context), &mut out).unwrap();
                    assert_eq!(out, h(&x.exported_value));
                }
                let mut rng = FixedRng(h(&e.ikm_e));
                let (enc_s, mut ctx_s) = hpke::setup_sender_with_rng::<ChaCha20Poly1305, Kdf, Kem>(
                    &mode_s, &pk, &info, &mut rng,
                )
                .unwrap();
                assert_eq!(enc_s.to_bytes().to_vec(), h(&e.enc), "mode {} enc", e.mode);
                let first = &e.encryptions[0];
                assert_eq!(
                    ctx_s.seal(&h(&first.pt), &h(&first.aad)).unwrap(),
                    h(&first.ct),
                    "mode {} ct[0]",
                    e.mode
                );
            }
            0xffff => {
                let ctx =
                    hpke::setup_receiver::<ExportOnlyAead, Kdf, Kem>(&mode_r, &sk, &enc, &info)
                        .unwrap();
                assert!(e.encryptions.is_empty());
                for x in &e.exports {
                    let mut out = vec![0u8; x.len];
                    ctx.export(&h(&x.exporter_context), &mut out).unwrap();
                    assert_eq!(out, h(&x.exported_value));
                }
            }
            other => panic!("unexpected aead_id {other}"),
        }
    }
    assert_eq!(checked_opens, 4 * 257);
}

/// The sender written out for platform encapsulations (`sealpost::suite::SenderContext`): from
/// the vector's `enc` and `DH(skEm, pkRm)`, every base-mode encryption, byte for byte.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sender_context_from_an_encapsulation_seals_byte_for_byte() {
    use sealpost::suite::SenderContext;
    let mut checked = 0;
    for e in entries().iter().filter(|e| e.mode == 0 && e.aead_id == 3) {
        let sk_e: [u8; 32] = h(&e.sk_em).try_into().unwrap();
        let pk_r: [u8; 32] = h(&e.pk_rm).try_into().unwrap();
        let enc: [u8; 32] = h(&e.enc).try_into().unwrap();
        let dh = x25519_dalek::x25519(sk_e, pk_r);
        let mut ctx = SenderContext::new(&enc, &dh, &pk_r, &h(&e.info)).unwrap();
        for (i, enc) in e.encryptions.iter().enumerate() {
            let ct = ctx.seal(&h(&enc.pt), &h(&enc.aad)).unwrap();
            assert_eq!(ct, h(&enc.ct), "base-mode encryption {i}");
            checked += 1;
        }
    }
    assert_eq!(checked, 257);
    // a low-order recipient key makes an all-zero DH: refused, as RFC 9180 §7.1.4 says
    let zero = SenderContext::new(&[9; 32], &[0; 32], &[0; 32], b"");
    assert_eq!(zero.unwrap_err().code(), "invalid_public_key");
}

/// The recipient written out for batch opens (`sealpost::suite::ReceiverContext`): from the
/// vector's `skRm`, `pkRm` and `enc`, every base-mode encryption opens to its plaintext; a
/// changed ciphertext, AAD or public key opens nothing, and a failed open does not move the
/// sequence on.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn receiver_context_with_a_given_public_key_opens_byte_for_byte() {
    use sealpost::suite::ReceiverContext;
    use zeroize::Zeroizing;
    let mut checked = 0;
    for e in entries().iter().filter(|e| e.mode == 0 && e.aead_id == 3) {
        let sk_r = Zeroizing::new(<[u8; 32]>::try_from(h(&e.sk_rm)).unwrap());
        let pk_r: [u8; 32] = h(&e.pk_rm).try_into().unwrap();
        let enc: [u8; 32] = h(&e.enc).try_into().unwrap();
        let info = h(&e.info);
        let mut ctx = ReceiverContext::new(&enc, &sk_r, &pk_r, &info).unwrap();
        let mut wrong_pk = pk_r;
        wrong_pk[0] ^= 1;
        let mut wrong = ReceiverContext::new(&enc, &sk_r, &wrong_pk, &info).unwrap();
        for (i, x) in e.encryptions.iter().enumerate() {
            let (ct, aad) = (h(&x.ct), h(&x.aad));
            assert!(wrong.open(&ct, &aad).is_err());
            let mut flipped = ct.clone();
            flipped[0] ^= 1;
            assert_eq!(ctx.open(&flipped, &aad).unwrap_err().code(), "open_failed");
            assert!(ctx.open(&ct, &[aad.as_slice(), b"x"].concat()).is_err());
            assert!(ctx.open(&ct[..15.min(ct.len())], &aad).is_err());
            assert_eq!(
                ctx.open(&ct, &aad).unwrap(),
                h(&x.pt),
                "base-mode encryption {i}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 257);
    // a low-order enc makes an all-zero DH: refused
    let sk = Zeroizing::new([7u8; 32]);
    assert!(ReceiverContext::new(&[0; 32], &sk, &[1; 32], b"").is_err());
}
