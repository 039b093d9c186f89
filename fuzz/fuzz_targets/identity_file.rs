#![no_main]
//! Identity (secret key) text and identity-file parsing: accepted identities round-trip through
//! their text form; everything else is `invalid_identity`, and no error message repeats a line
//! of the input (it may be a secret key with a typo).

use libfuzzer_sys::fuzz_target;
use sealpost::{keys::parse_identity_file, Identity};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match parse_identity_file(text) {
        Ok(ids) => {
            assert!(!ids.is_empty());
            for id in &ids {
                let again = Identity::from_secret_str(&id.to_secret_string()).expect("own text");
                assert_eq!(again.public_key(), id.public_key());
            }
        }
        Err(e) => {
            assert_eq!(e.code(), "invalid_identity");
            let msg = e.to_string();
            let secret_like = |l: &&str| {
                l.len() >= 30 && l.to_ascii_uppercase().starts_with("SEALPOST-SECRET-KEY-1")
            };
            for line in text.lines().map(str::trim).filter(secret_like) {
                assert!(!msg.contains(line), "error message repeats input");
            }
        }
    }
    if let Ok(id) = Identity::from_bytes(data) {
        assert_eq!(
            Identity::from_bytes(id.to_raw().as_ref())
                .expect("raw")
                .key_id(),
            id.key_id()
        );
    }
});
