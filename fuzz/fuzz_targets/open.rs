#![no_main]
//! Opening attacker-supplied envelope bytes with a fixed identity (the courier of the committed
//! vectors 01 and 03-15, so the seeds reach the decryption path): never a panic, only documented
//! codes, and an expected order that differs is refused before any decryption.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sealpost::{Envelope, Identity};

const CODES: [&str; 9] = [
    "unknown_format",
    "unsupported_version",
    "truncated",
    "trailing_data",
    "malformed_envelope",
    "not_a_recipient",
    "open_failed",
    "order_mismatch",
    "disclosure_mismatch",
];

fn courier() -> &'static [Identity] {
    static ID: OnceLock<Vec<Identity>> = OnceLock::new();
    ID.get_or_init(|| vec![Identity::derive(&[0x11; 32]).expect("fixed identity")])
}

fuzz_target!(|data: &[u8]| {
    let envelope = match Envelope::from_bytes(data) {
        Ok(e) => e,
        Err(e) => return assert!(CODES.contains(&e.code()), "undocumented code {}", e.code()),
    };
    match envelope.open(courier(), None) {
        Ok(address) => {
            // only a real seal opens; it must carry what the clear part claims
            if let Some(c) = &envelope.disclosed().country {
                assert_eq!(*c, address.country);
            }
        }
        Err(e) => assert!(CODES.contains(&e.code()), "undocumented code {}", e.code()),
    }
    let other = format!("{}x", envelope.order_ref());
    let e = envelope
        .open(courier(), Some(&other))
        .expect_err("another order opened");
    assert_eq!(e.code(), "order_mismatch");
});
