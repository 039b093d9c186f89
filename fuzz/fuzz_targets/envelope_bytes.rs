#![no_main]
//! The envelope binary form: any bytes either parse or fail with one of the documented parse
//! codes, and whatever parses re-encodes to exactly the input (one encoding per envelope).

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
    match Envelope::from_bytes(data) {
        Ok(envelope) => {
            assert_eq!(envelope.to_bytes(), data, "two encodings for one envelope");
            assert_eq!(envelope.inspect().size_bytes, data.len());
        }
        Err(e) => assert!(
            PARSE_CODES.contains(&e.code()),
            "undocumented code {}",
            e.code()
        ),
    }
});
