#![no_main]
//! The address validator and record round trip: any JSON either fails to deserialize (with a
//! message that never echoes a value), fails validation with a `<field>_<problem>` code, or
//! seals (or is `address_too_long`) and opens to exactly its canonical (trimmed) form.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sealpost::{
    address::{shape_error_message, FIELDS},
    Address, Disclosure, Envelope, Identity,
};

fn courier() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| Identity::derive(&[0x11; 32]).expect("fixed identity"))
}

/// Every field trimmed, empty trailing lines dropped: SPEC.md §3.4, over the field table.
fn canonical(a: &Address) -> Address {
    let mut n = a.clone();
    for f in FIELDS {
        if let Some(text) = n.text_mut(f.field) {
            *text = text.trim().to_owned();
        }
        if let Some(lines) = n.lines_mut(f.field) {
            *lines = lines.iter().map(|l| l.trim().to_owned()).collect();
            while lines.last().is_some_and(String::is_empty) {
                lines.pop();
            }
        }
    }
    n
}

fuzz_target!(|data: &[u8]| {
    let address: Address = match serde_json::from_slice(data) {
        Ok(a) => a,
        Err(e) => {
            let msg = shape_error_message(&e.to_string());
            assert!(msg.starts_with("address has the wrong shape"));
            return;
        }
    };
    if let Err(e) = address.validate() {
        let code = e.code();
        assert!(
            code.ends_with("_missing")
                || code.ends_with("_too_long")
                || code.ends_with("_control_character")
                || code.ends_with("_invalid"),
            "{code}"
        );
        return;
    }
    let keys = [courier().public_key().clone()];
    for disclosure in [Disclosure::None, Disclosure::Region] {
        match Envelope::seal_with_randomness(&address, &keys, "FUZZ-1", disclosure, &[7; 32]) {
            Ok(envelope) => {
                let reparsed: Envelope = envelope.to_string().parse().expect("own text parses");
                let opened = reparsed
                    .open(core::slice::from_ref(courier()), Some("FUZZ-1"))
                    .expect("own seal opens");
                assert!(
                    opened == canonical(&address),
                    "round trip changed the address"
                );
            }
            Err(e) => assert_eq!(e.code(), "address_too_long"),
        }
    }
});
