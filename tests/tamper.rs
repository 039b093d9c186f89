//! Exhaustive tamper test: every single-bit flip of a committed sample envelope
//! (`tests/vectors/tamper/sample.json`, one courier, country and province disclosed) is
//! rejected, and with the code documented for the field the bit is in
//! (`tests/vectors/tamper/README.md`, SECURITY.md). Both the binary form and the text form.
//!
//! The sample is reproducible from fixed keys and randomness;
//! `SEALPOST_WRITE_VECTORS=1 cargo test --test tamper` rewrites it after a format change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
// Natively only: about 12 000 opens, too slow for a debug build of the wasm module.
#![cfg(not(target_arch = "wasm32"))]

use std::{collections::BTreeMap, ops::Range, path::Path};

use sealpost::{
    keys::{identity_file_text, parse_identity_file},
    Address, Disclosure, Envelope, Identity,
};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("vectors/tamper/sample.json");
const ORDER: &str = "ORD-TAMPER-0001";

fn address() -> Address {
    let mut a = Address::default();
    a.name = "张三".into();
    a.phone = "13812345678".into();
    a.country = "CN".into();
    a.address_level1 = "浙江省".into();
    a.address_level2 = "杭州市".into();
    a.address_level3 = "西湖区".into();
    a.street_lines = vec!["文三路 90 号 1 幢 101 室".into()];
    a.postal_code = "310012".into();
    a
}

fn generate() -> String {
    let courier = Identity::derive(&[0x44; 32]).unwrap();
    let envelope = Envelope::seal_with_randomness(
        &address(),
        &[courier.public_key().clone()],
        ORDER,
        Disclosure::Region,
        &[0x55; 32],
    )
    .unwrap();
    let v = json!({
        "description": "Tamper sample: a Chinese address sealed to one courier for ORD-TAMPER-0001, \
                        country and province disclosed. tests/tamper.rs flips every bit of it.",
        "identity": identity_file_text(&courier, "2026-01-01T00:00:00Z").as_str(),
        "orderRef": ORDER,
        "envelope": envelope.to_string(),
    });
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

struct Sample {
    courier: Vec<Identity>,
    text: String,
    bytes: Vec<u8>,
}

fn sample() -> Sample {
    let v: Value = serde_json::from_str(SAMPLE).unwrap();
    let courier = parse_identity_file(v["identity"].as_str().unwrap()).unwrap();
    let text = v["envelope"].as_str().unwrap().to_owned();
    let bytes = text.parse::<Envelope>().unwrap().to_bytes();
    Sample {
        courier,
        text,
        bytes,
    }
}

/// Opens like a courier who does not yet know the order: the code then comes from the
/// envelope itself (with `--order`, a changed order is refused even earlier, same code).
fn outcome(courier: &[Identity], bytes: &[u8]) -> Result<Address, &'static str> {
    Envelope::from_bytes(bytes)
        .and_then(|e| e.open(courier, None))
        .map_err(|e| e.code())
}

#[test]
fn committed_sample_is_reproducible_and_opens() {
    let generated = generate();
    if std::env::var_os("SEALPOST_WRITE_VECTORS").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/tamper/sample.json");
        std::fs::write(path, &generated).unwrap();
    }
    assert_eq!(
        SAMPLE, generated,
        "tests/vectors/tamper/sample.json differs from what the generator writes now"
    );
    let s = sample();
    let envelope: Envelope = s.text.parse().unwrap();
    assert_eq!(envelope.to_string(), s.text);
    assert_eq!(
        envelope.open(&s.courier, Some(ORDER)).unwrap(),
        address(),
        "the untouched sample must open, or the flips below prove nothing"
    );
}

/// The fields of the sample's binary form, in order, as byte ranges.
fn layout(bytes: &[u8]) -> Vec<(&'static str, Range<usize>)> {
    let order_len = usize::from(bytes[4]);
    let l1_len_at = 5 + order_len + 1 + 2;
    let l1_len = usize::from(bytes[l1_len_at]);
    let header_end = l1_len_at + 1 + l1_len;
    let enc_at = header_end + 1 + 8;
    let binding_len_at = enc_at + 32;
    let binding_len = usize::from(u16::from_be_bytes([
        bytes[binding_len_at],
        bytes[binding_len_at + 1],
    ]));
    let ct_len_at = binding_len_at + 2 + binding_len;
    let ct_len = usize::from(u16::from_be_bytes([bytes[ct_len_at], bytes[ct_len_at + 1]]));
    let end = ct_len_at + 2 + ct_len;
    assert_eq!(end, bytes.len(), "one recipient, nothing after it");
    vec![
        ("magic", 0..3),
        ("version", 3..4),
        ("order_len", 4..5),
        ("order", 5..5 + order_len),
        ("disclosure_kind", 5 + order_len..6 + order_len),
        ("country", 6 + order_len..l1_len_at),
        ("level1_len", l1_len_at..l1_len_at + 1),
        ("level1", l1_len_at + 1..header_end),
        ("count", header_end..header_end + 1),
        ("key_id", header_end + 1..enc_at),
        ("enc", enc_at..binding_len_at),
        ("binding_len", binding_len_at..binding_len_at + 2),
        ("binding", binding_len_at + 2..ct_len_at),
        ("ct_len", ct_len_at..ct_len_at + 2),
        ("ct", ct_len_at + 2..end),
    ]
}

/// The documented code for a flip in `field` that turned the field's bytes into `changed`
/// (tests/vectors/tamper/README.md).
fn documented(field: &str, changed: &[u8]) -> &'static [&'static str] {
    match field {
        "magic" => &["unknown_format"],
        "version" => &["unsupported_version"],
        // a clear field rewritten to another well-formed value: the sealed copy of the header
        // names which one
        "order" if changed.iter().all(u8::is_ascii_graphic) => &["order_mismatch"],
        "country" if core::str::from_utf8(changed).is_ok_and(sealpost::is_iso_alpha2) => {
            &["disclosure_mismatch"]
        }
        "level1"
            if core::str::from_utf8(changed).is_ok_and(|s| !s.chars().any(char::is_control)) =>
        {
            &["disclosure_mismatch"]
        }
        // otherwise a clear field that is no longer well formed
        "order" | "country" | "level1" | "disclosure_kind" => &["malformed_envelope"],
        // a length or count that no longer matches the bytes that follow
        "order_len" | "level1_len" | "count" | "binding_len" | "ct_len" => {
            &["malformed_envelope", "truncated", "trailing_data"]
        }
        // another key id: this courier has no entry any more
        "key_id" => &["not_a_recipient"],
        // authenticated decryption fails
        "enc" | "binding" | "ct" => &["open_failed"],
        _ => &[],
    }
}

#[test]
fn every_bit_flip_of_the_binary_form_is_rejected_with_its_documented_code() {
    let s = sample();
    let fields = layout(&s.bytes);
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut flips = 0;
    for (field, range) in &fields {
        for at in range.clone() {
            for bit in 0..8 {
                let mut bytes = s.bytes.clone();
                bytes[at] ^= 1 << bit;
                flips += 1;
                let allowed = documented(field, &bytes[range.clone()]);
                match outcome(&s.courier, &bytes) {
                    Ok(_) => wrong.push(format!("byte {at} bit {bit} ({field}): opened")),
                    Err(code) if allowed.contains(&code) => {
                        *seen.entry((field, code)).or_default() += 1;
                    }
                    Err(code) => wrong.push(format!(
                        "byte {at} bit {bit} ({field}): {code}, documented {allowed:?}"
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {flips} flips: {wrong:#?}",
        wrong.len()
    );
    assert_eq!(flips, s.bytes.len() * 8);
    // the interesting codes really occur (the rules above are not vacuous)
    for must in [
        ("order", "order_mismatch"),
        ("country", "disclosure_mismatch"),
        ("level1", "disclosure_mismatch"),
        ("key_id", "not_a_recipient"),
        ("ct", "open_failed"),
    ] {
        assert!(seen.contains_key(&must), "{must:?} never seen: {seen:?}");
    }
    eprintln!("{flips} flips, codes by field: {seen:#?}");
}

#[test]
fn every_bit_flip_of_the_text_form_is_rejected() {
    let s = sample();
    let documented = [
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
    let mut wrong = Vec::new();
    let (mut texts, mut not_utf8) = (0, 0);
    for at in 0..s.text.len() {
        for bit in 0..8 {
            let mut raw = s.text.clone().into_bytes();
            raw[at] ^= 1 << bit;
            // a flip of the top bit of an ASCII character is not UTF-8: no text to parse (the
            // CLI refuses such input before parsing, the browser API only takes strings)
            let Ok(text) = String::from_utf8(raw) else {
                not_utf8 += 1;
                continue;
            };
            texts += 1;
            match text
                .parse::<Envelope>()
                .and_then(|e| e.open(&s.courier, Some(ORDER)))
            {
                Ok(_) => wrong.push(format!("char {at} bit {bit}: opened")),
                Err(e) if documented.contains(&e.code()) => {}
                Err(e) => wrong.push(format!("char {at} bit {bit}: {}", e.code())),
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(texts + not_utf8, s.text.len() * 8);
    assert_eq!(
        not_utf8,
        s.text.len(),
        "the text is ASCII: only bit 7 leaves UTF-8"
    );
}
