#![no_main]
//! What a hostile *sender* can do: anyone holding a courier's public key can seal any bytes to
//! it. This target seals a fuzzer-chosen header and address record with real HPKE to a fixed
//! courier key, builds the envelope around them, and opens it: the header parser, the
//! binding checks and the record decoder (zero padding, lengths, UTF-8, street count) run on
//! authenticated hostile input. Never a panic, only documented codes.
//!
//! Input: `split:u8 || header[split] || record`; the record is zero-padded to the next bucket.

use std::sync::OnceLock;

use hpke::{
    rand_core::{TryCryptoRng, TryRng},
    Deserializable, OpModeS, Serializable,
};
use libfuzzer_sys::fuzz_target;
use sealpost::{
    envelope::{info_for, BUCKETS},
    suite::{Aead, Kdf, Kem},
    Envelope, Identity,
};

const CODES: [&str; 10] = [
    "unknown_format",
    "unsupported_version",
    "truncated",
    "trailing_data",
    "malformed_envelope",
    "not_a_recipient",
    "open_failed",
    "malformed_plaintext",
    "order_mismatch",
    "disclosure_mismatch",
];

/// A constant "random" source: the ephemeral key does not matter here, reproducibility does.
struct Fixed;

impl TryRng for Fixed {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0x5eed_5eed)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0x5eed_5eed_5eed_5eed)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0x5e);
        Ok(())
    }
}

impl TryCryptoRng for Fixed {}

fn courier() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| Identity::derive(&[0x11; 32]).expect("fixed identity"))
}

fn put_u16(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(split).min(rest.len());
    let (header, record) = rest.split_at(split);
    let Some(bucket) = BUCKETS.iter().find(|b| **b >= record.len()) else {
        return;
    };
    let mut padded = record.to_vec();
    padded.resize(*bucket, 0);

    let courier = courier();
    let key_id = courier.key_id();
    let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(courier.public_key().as_bytes())
        .expect("courier key");
    let (enc, mut ctx) = hpke::setup_sender_with_rng::<Aead, Kdf, Kem>(
        &OpModeS::Base,
        &pk,
        &info_for(&key_id),
        &mut Fixed,
    )
    .expect("setup");
    let binding = ctx.seal(header, b"").expect("seal 0");
    let ct = ctx.seal(&padded, header).expect("seal 1");

    let mut bytes = header.to_vec();
    bytes.push(1);
    bytes.extend_from_slice(&key_id.0);
    bytes.extend_from_slice(&enc.to_bytes());
    put_u16(&mut bytes, &binding);
    put_u16(&mut bytes, &ct);

    let envelope = match Envelope::from_bytes(&bytes) {
        Ok(e) => e,
        Err(e) => return assert!(CODES.contains(&e.code()), "undocumented code {}", e.code()),
    };
    // The clear header may be shorter than what was sealed as "header" (the fuzzer can hide a
    // whole recipient list in it); opening must then refuse, as for any other mismatch.
    let as_sealed = envelope.aad() == header;
    match envelope.open(core::slice::from_ref(courier), Some(envelope.order_ref())) {
        Ok(address) => {
            assert!(
                as_sealed,
                "opened although the sealed header differs from the clear one"
            );
            if let Some(c) = &envelope.disclosed().country {
                assert_eq!(*c, address.country);
            }
            if let Some(l1) = &envelope.disclosed().address_level1 {
                assert_eq!(*l1, address.address_level1);
            }
        }
        Err(e) => assert!(CODES.contains(&e.code()), "undocumented code {}", e.code()),
    }
});
