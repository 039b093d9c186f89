#![no_main]
//! Public-key parsing: the `sp1…` Bech32m text, 64 hex digits and raw bytes. Whatever is
//! accepted is not a low-order point and round-trips; everything else is `invalid_public_key`.

use libfuzzer_sys::fuzz_target;
use sealpost::PublicKey;

fn check(result: Result<PublicKey, sealpost::Error>) -> Option<PublicKey> {
    match result {
        Ok(pk) => {
            let text = pk.to_string();
            assert!(text.starts_with("sp1") && text.len() == 61, "{text}");
            assert_eq!(text.parse::<PublicKey>().expect("own text parses"), pk);
            assert_ne!(x25519(pk.as_bytes()), [0u8; 32], "low-order key accepted");
            Some(pk)
        }
        Err(e) => {
            assert_eq!(e.code(), "invalid_public_key");
            None
        }
    }
}

/// A clamped scalar times the point, with another scalar than the parser's probe: an
/// independent check that no point of small order gets through.
fn x25519(point: &[u8; 32]) -> [u8; 32] {
    x25519_dalek::x25519([0x42; 32], *point)
}

fuzz_target!(|data: &[u8]| {
    check(PublicKey::from_bytes(data));
    if let Ok(text) = core::str::from_utf8(data) {
        if let Some(pk) = check(text.parse::<PublicKey>()) {
            assert_eq!(pk.to_string(), text.trim().to_ascii_lowercase());
        }
        check(PublicKey::from_hex(text));
    }
});
