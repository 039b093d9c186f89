//! Property tests (proptest, natively):
//!
//! - any valid address seals and opens to exactly its canonical (trimmed) form, in the padding
//!   bucket its record length calls for, or is refused as `address_too_long` only when the
//!   record really does not fit in 2048 bytes;
//! - any single-byte change of an envelope, binary or text, is rejected;
//! - any change of the order reference or of the disclosed fields is rejected as
//!   `order_mismatch` / `disclosure_mismatch`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sealpost::{address::FIELDS, Address, Disclosure, Envelope, Identity};

fn courier() -> Identity {
    Identity::derive(&[0x66; 32]).unwrap()
}

/// Every officially assigned ISO 3166-1 alpha-2 code the validator knows.
fn countries() -> Vec<String> {
    let mut out = Vec::new();
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let code = String::from_utf8(vec![a, b]).unwrap();
            if sealpost::is_iso_alpha2(&code) {
                out.push(code);
            }
        }
    }
    out
}

/// Text of 1..=max characters: anything but the characters validation refuses, with at least
/// one that is not white space; may start or end with spaces (sealing trims them).
fn text(max: usize) -> impl Strategy<Value = String> {
    let allowed = "[^\\p{Cc}\u{2028}\u{2029}\u{202A}-\u{202E}\u{2066}-\u{2069}]";
    proptest::string::string_regex(&format!("{allowed}{{1,{max}}}"))
        .unwrap()
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn optional_text(max: usize) -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), text(max)]
}

fn separators(digits: String) -> impl Strategy<Value = String> {
    // a separator (or none) after each digit, never two in a row
    proptest::collection::vec(
        prop_oneof![Just(""), Just(" "), Just("-"), Just(".")],
        digits.len(),
    )
    .prop_map(move |seps| {
        digits
            .chars()
            .zip(seps)
            .map(|(d, s)| format!("{d}{s}"))
            .collect::<String>()
            .trim_end_matches([' ', '-', '.'])
            .to_owned()
    })
}

fn chinese_address() -> impl Strategy<Value = Address> {
    let phone = (
        "1[0-9]{10}",
        prop_oneof![Just(""), Just("+86 "), Just("0086")],
    )
        .prop_flat_map(|(n, prefix)| separators(n).prop_map(move |p| format!("{prefix}{p}")))
        .prop_filter("at most 24 characters", |p| p.len() <= 24);
    (
        (text(50), phone, text(40), text(40), text(40)),
        (
            proptest::collection::vec(text(80), 1..=3),
            "[0-9]{6}",
            optional_text(60),
            optional_text(120),
        ),
    )
        .prop_map(
            |((name, phone, l1, l2, l3), (streets, postal, company, note))| {
                let mut a = Address::default();
                a.name = name;
                a.phone = phone;
                a.country = "CN".into();
                a.address_level1 = l1;
                a.address_level2 = l2;
                a.address_level3 = l3;
                a.street_lines = streets;
                a.postal_code = postal;
                a.company = company;
                a.delivery_note = note;
                a
            },
        )
}

fn international_address() -> impl Strategy<Value = Address> {
    let country = proptest::sample::select(countries()).prop_filter("not CN", |c| c != "CN");
    let phone = ("[0-9]{6,15}", any::<bool>())
        .prop_flat_map(|(n, plus)| {
            separators(n).prop_map(move |p| format!("{}{p}", if plus { "+" } else { "" }))
        })
        .prop_filter("at most 24 characters", |p| p.len() <= 24);
    (
        (
            text(50),
            phone,
            country,
            optional_text(40),
            text(40),
            optional_text(40),
        ),
        (
            // line 1 required, later lines may be empty (dropped when trailing)
            (
                text(80),
                proptest::collection::vec(optional_text(80), 0..=2),
            ),
            "[A-Za-z0-9 -]{0,12}",
            optional_text(60),
            optional_text(120),
        ),
    )
        .prop_map(
            |((name, phone, country, l1, l2, l3), ((first, more), postal, company, note))| {
                let mut a = Address::default();
                a.name = name;
                a.phone = phone;
                a.country = country;
                a.address_level1 = l1;
                a.address_level2 = l2;
                a.address_level3 = l3;
                a.street_lines = std::iter::once(first).chain(more).collect();
                a.postal_code = postal;
                a.company = company;
                a.delivery_note = note;
                a
            },
        )
}

fn valid_address() -> impl Strategy<Value = Address> {
    prop_oneof![chinese_address(), international_address()]
}

/// What sealing stores: every field trimmed, empty trailing street lines dropped (SPEC §3.4).
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

/// The record length of SPEC §3.4 before padding, computed from the field table independently
/// of the encoder: the version byte, 2 length bytes per text, 1 count byte per field of lines.
fn record_len(a: &Address) -> usize {
    1 + FIELDS
        .iter()
        .map(|f| {
            let texts: usize = a.values(f.field).iter().map(|t| 2 + t.len()).sum();
            texts + usize::from(f.is_lines())
        })
        .sum::<usize>()
}

fn disclosure() -> impl Strategy<Value = Disclosure> {
    prop_oneof![
        Just(Disclosure::None),
        Just(Disclosure::Country),
        Just(Disclosure::Region)
    ]
}

fn order_ref() -> impl Strategy<Value = String> {
    "[!-~]{1,64}"
}

/// A sealed envelope of a valid address that fits (most do).
fn sealed() -> impl Strategy<Value = (Address, String, Envelope)> {
    (
        valid_address(),
        order_ref(),
        disclosure(),
        any::<[u8; 32]>(),
    )
        .prop_filter_map("address too long", |(a, order, d, rnd)| {
            let key = courier().public_key().clone();
            let e = Envelope::seal_with_randomness(&a, &[key], &order, d, &rnd).ok()?;
            Some((a, order, e))
        })
}

/// The clear header of SPEC §3.2, built by hand for the rewrite tests.
fn header(order: &str, country: Option<&str>, level1: Option<&str>) -> Vec<u8> {
    let mut h = b"spe\x01".to_vec();
    h.push(order.len() as u8);
    h.extend_from_slice(order.as_bytes());
    match (country, level1) {
        (None, _) => h.push(0),
        (Some(c), None) => {
            h.push(1);
            h.extend_from_slice(c.as_bytes());
        }
        (Some(c), Some(l1)) => {
            h.push(2);
            h.extend_from_slice(c.as_bytes());
            h.push(l1.len() as u8);
            h.extend_from_slice(l1.as_bytes());
        }
    }
    h
}

/// The envelope with its clear header replaced.
fn with_header(e: &Envelope, new_header: &[u8]) -> Vec<u8> {
    let bytes = e.to_bytes();
    let mut out = new_header.to_vec();
    out.extend_from_slice(&bytes[e.aad().len()..]);
    out
}

fn open(bytes: &[u8]) -> Result<Address, String> {
    Envelope::from_bytes(bytes)
        .and_then(|e| e.open(&[courier()], None))
        .map_err(|e| e.code().to_owned())
}

proptest! {
    #[test]
    fn valid_addresses_seal_and_open_to_their_canonical_form(
        a in valid_address(),
        order in order_ref(),
        d in disclosure(),
        rnd in any::<[u8; 32]>(),
    ) {
        let valid = a.validate().map_err(|e| e.code());
        prop_assert_eq!(valid, Ok(()));
        let key = courier().public_key().clone();
        let want = canonical(&a);
        let len = record_len(&want);
        match Envelope::seal_with_randomness(&a, &[key], &order, d, &rnd) {
            Ok(e) => {
                let text = e.to_string();
                let back: Envelope = text.parse().unwrap();
                prop_assert_eq!(&back, &e);
                prop_assert_eq!(back.order_ref(), order.as_str());
                let opened = back.open(&[courier()], Some(&order)).unwrap();
                prop_assert!(opened == want, "opened address differs from the canonical form");
                let bucket = [512, 1024, 2048].into_iter().find(|b| *b >= len).unwrap();
                prop_assert_eq!(back.recipients()[0].ct.len(), bucket + 16);
                let disclosed = back.disclosed();
                match d {
                    Disclosure::None => prop_assert_eq!(disclosed.country.as_deref(), None),
                    _ => prop_assert_eq!(disclosed.country.as_deref(), Some(want.country.as_str())),
                }
            }
            Err(e) => {
                prop_assert_eq!(e.code(), "address_too_long");
                prop_assert!(len > 2048, "refused a record of {} bytes", len);
            }
        }
    }

    #[test]
    fn any_single_byte_change_is_rejected(
        (_, _, e) in sealed(),
        at in any::<prop::sample::Index>(),
        delta in 1u8..=255,
    ) {
        let mut bytes = e.to_bytes();
        let i = at.index(bytes.len());
        bytes[i] ^= delta;
        let code = open(&bytes);
        prop_assert!(code.is_err(), "byte {} ^ {:#04x} still opens", i, delta);
    }

    #[test]
    fn any_single_character_change_of_the_text_is_rejected(
        (_, order, e) in sealed(),
        at in any::<prop::sample::Index>(),
        c in any::<char>(),
    ) {
        let text = e.to_string();
        let i = at.index(text.len());
        prop_assume!(c != char::from(text.as_bytes()[i]));
        let changed: String = text
            .chars()
            .enumerate()
            .map(|(j, x)| if j == i { c } else { x })
            .collect();
        let outcome = changed
            .parse::<Envelope>()
            .and_then(|e| e.open(&[courier()], Some(&order)));
        prop_assert!(outcome.is_err(), "character {} -> {:?} still opens", i, c);
    }

    #[test]
    fn any_other_order_reference_is_rejected(
        (_, order, e) in sealed(),
        other in order_ref(),
    ) {
        prop_assume!(other != order);
        let d = e.disclosed().clone();
        let moved = with_header(
            &e,
            &header(&other, d.country.as_deref(), d.address_level1.as_deref()),
        );
        prop_assert_eq!(open(&moved), Err("order_mismatch".to_owned()));
        // and a courier told the order refuses an envelope shown under another one
        let err = e.open(&[courier()], Some(&other)).unwrap_err();
        prop_assert_eq!(err.code(), "order_mismatch");
    }

    #[test]
    fn any_other_disclosed_region_is_rejected(
        (_, order, e) in sealed(),
        country in proptest::option::of(proptest::sample::select(countries())),
        level1 in proptest::option::of(text(40)),
    ) {
        let d = e.disclosed().clone();
        let country = country.as_deref();
        // level1 only goes with a country; the header parser refuses blank or control text
        let level1 = level1.as_deref().filter(|_| country.is_some());
        prop_assume!((country, level1) != (d.country.as_deref(), d.address_level1.as_deref()));
        let edited = with_header(&e, &header(&order, country, level1));
        prop_assert_eq!(open(&edited), Err("disclosure_mismatch".to_owned()));
    }
}
