#![no_main]
//! The envelope text form (`spe1.` + base64url): any string either parses or fails with one of
//! the documented parse codes, and whatever parses re-encodes to exactly the (trimmed) input.

use libfuzzer_sys::fuzz_target;
use sealpost::Envelope;

const PARSE_CODES: [&str; 5] = [
    "unknown_format",
    "unsupported_version",
    "truncated",
    "trailing_data",
    "malformed_envelope",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match text.parse::<Envelope>() {
        Ok(envelope) => {
            assert_eq!(
                envelope.to_string(),
                text.trim(),
                "two texts for one envelope"
            );
            let view = envelope.inspect();
            assert_eq!(view.size_bytes, envelope.to_bytes().len());
        }
        Err(e) => assert!(
            PARSE_CODES.contains(&e.code()),
            "undocumented code {}",
            e.code()
        ),
    }
});
