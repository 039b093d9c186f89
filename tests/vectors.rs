//! Envelope vectors: every committed case gives its expected outcome, natively and in wasm; the
//! native generator reproduces the committed files byte for byte from fixed keys and randomness
//! (`SEALPOST_WRITE_VECTORS=1 cargo test --test vectors` rewrites them after a format change).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_vector_has_its_expected_outcome() {
    let failures: Vec<String> = common::FILES
        .iter()
        .filter_map(|(n, t)| common::check(n, t).err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(common::FILES.len() >= 15);
}

#[cfg(not(target_arch = "wasm32"))]
mod generate {
    use super::common;
    use sealpost::{keys::identity_file_text, Address, Disclosure, Envelope, Identity};
    use serde_json::json;
    use std::{collections::BTreeMap, path::Path};

    fn identity(seed: u8) -> Identity {
        Identity::derive(&[seed; 32]).unwrap()
    }

    fn cn() -> Address {
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

    fn de() -> Address {
        let mut a = Address::default();
        a.name = "Erika Mustermann".into();
        a.phone = "+49 30 1234567".into();
        a.country = "DE".into();
        a.address_level1 = "Berlin".into();
        a.address_level2 = "Berlin".into();
        a.street_lines = vec!["Heidestraße 17".into(), "3. OG".into()];
        a.postal_code = "10557".into();
        a.company = "Musterfirma GmbH".into();
        a.delivery_note = "Bitte beim Nachbarn abgeben".into();
        a
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        format!(
            "spe1.{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )
    }

    fn unb64(text: &str) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text.strip_prefix("spe1.").unwrap())
            .unwrap()
    }

    /// Replaces the first occurrence of `from` (same length as `to`) in `bytes`.
    fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        assert_eq!(from.len(), to.len());
        let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
        let mut out = bytes.to_vec();
        out[at..at + to.len()].copy_from_slice(to);
        out
    }

    fn vector(
        description: &str,
        opener: &Identity,
        sealed_to: &[&Identity],
        expected_order: Option<&str>,
        envelope: String,
        expect: serde_json::Value,
    ) -> String {
        let id_text = identity_file_text(opener, "2026-01-01T00:00:00Z");
        let v = json!({
            "description": description,
            "identity": id_text.as_str(),
            "identityRawHex": [opener.to_raw_hex().as_str()],
            "sealedTo": sealed_to.iter().map(|i| i.public_key().to_string()).collect::<Vec<_>>(),
            "expectedOrder": expected_order,
            "envelope": envelope,
            "expect": expect,
        });
        serde_json::to_string_pretty(&v).unwrap() + "\n"
    }

    fn all() -> BTreeMap<&'static str, String> {
        let (a, b, c) = (identity(0x11), identity(0x22), identity(0x33));
        let seal = |addr: &Address, to: &[&Identity], order: &str, d: Disclosure, r: u8| {
            let keys: Vec<_> = to.iter().map(|i| i.public_key().clone()).collect();
            let randomness: Vec<u8> = (0..to.len()).flat_map(|i| [r + i as u8; 32]).collect();
            Envelope::seal_with_randomness(addr, &keys, order, d, &randomness).unwrap()
        };
        let ok = |addr: &Address| json!({ "address": addr });
        let err = |code: &str| json!({ "error": code });

        let e1 = seal(&cn(), &[&a], "ORD-20261126-0001", Disclosure::Country, 0xa0);
        let e1_text = e1.to_string();
        let e1_bytes = e1.to_bytes();
        let e2 = seal(
            &de(),
            &[&a, &b],
            "ORD-20261126-0002",
            Disclosure::Region,
            0xb0,
        );
        let cn_region = seal(&cn(), &[&a], "ORD-20261126-0003", Disclosure::Region, 0xc0);
        let mut long = cn();
        long.delivery_note = "请放在快递柜，如快递柜已满请放门卫处，谢谢。".repeat(5);
        long.company = "杭州某某网络科技有限公司".into();
        long.street_lines
            .push("文三路 90 号东部软件园创新大厦 A 座 12 楼 1201 室".into());
        let e15 = seal(&long, &[&a], "ORD-20261126-0015", Disclosure::None, 0xd0);
        assert_eq!(
            e15.recipients()[0].ct.len(),
            1024 + 16,
            "the long address takes the 1024-byte bucket"
        );

        // byte positions inside e1 (one recipient): header, count, key id (8), enc (32), …
        let header_len = e1.aad().len();
        let enc_at = header_len + 1 + 8;
        let binding_at = enc_at + 32 + 2;
        let mut flipped_ct = e1_bytes.clone();
        let last = flipped_ct.len() - 1;
        flipped_ct[last - 20] ^= 0x01;
        let mut flipped_enc = e1_bytes.clone();
        flipped_enc[enc_at + 5] ^= 0x80;
        let mut flipped_binding = e1_bytes.clone();
        flipped_binding[binding_at + 3] ^= 0x04;
        let mut trailing = e1_bytes.clone();
        trailing.push(0);
        let mut v2 = e1_bytes.clone();
        v2[3] = 2;

        let mut m = BTreeMap::new();
        m.insert("01-cn-one-recipient.json", vector("Chinese address sealed to one courier, country disclosed; opened by that courier, who also checks the order reference.", &a, &[&a], Some("ORD-20261126-0001"), e1_text.clone(), ok(&cn())));
        m.insert("02-intl-two-recipients-region.json", vector("German address sealed to two couriers with country and state disclosed; opened by the second courier.", &b, &[&a, &b], None, e2.to_string(), ok(&de())));
        m.insert("03-expected-order-differs.json", vector("A valid envelope presented for another order: the opener expects ORD-20261126-9999.", &a, &[&a], Some("ORD-20261126-9999"), e1_text.clone(), err("order_mismatch")));
        m.insert("04-order-swapped.json", vector("The order reference in clear was rewritten (0001 -> 0009) to move the envelope to another order.", &a, &[&a], None, b64(&replace(&e1_bytes, b"ORD-20261126-0001", b"ORD-20261126-0009")), err("order_mismatch")));
        m.insert(
            "05-disclosure-changed.json",
            vector(
                "The disclosed province in clear was rewritten (浙江省 -> 江苏省).",
                &a,
                &[&a],
                None,
                b64(&replace(
                    &cn_region.to_bytes(),
                    "浙江省".as_bytes(),
                    "江苏省".as_bytes(),
                )),
                err("disclosure_mismatch"),
            ),
        );
        m.insert(
            "06-flipped-ciphertext-byte.json",
            vector(
                "One bit of the address ciphertext flipped.",
                &a,
                &[&a],
                None,
                b64(&flipped_ct),
                err("open_failed"),
            ),
        );
        m.insert(
            "07-flipped-enc-byte.json",
            vector(
                "One bit of the encapsulated key (enc) flipped.",
                &a,
                &[&a],
                None,
                b64(&flipped_enc),
                err("open_failed"),
            ),
        );
        m.insert(
            "08-flipped-binding-byte.json",
            vector(
                "One bit of the sealed-header ciphertext flipped.",
                &a,
                &[&a],
                None,
                b64(&flipped_binding),
                err("open_failed"),
            ),
        );
        m.insert(
            "09-wrong-key.json",
            vector(
                "Opened by a courier the envelope was not sealed to.",
                &c,
                &[&a],
                None,
                e1_text.clone(),
                err("not_a_recipient"),
            ),
        );
        m.insert(
            "10-truncated.json",
            vector(
                "The envelope text cut off in the middle of the ciphertext.",
                &a,
                &[&a],
                None,
                e1_text[..e1_text.len() - 101].to_owned(),
                err("truncated"),
            ),
        );
        m.insert(
            "11-trailing-data.json",
            vector(
                "One zero byte appended after the last recipient.",
                &a,
                &[&a],
                None,
                b64(&trailing),
                err("trailing_data"),
            ),
        );
        m.insert("12-unsupported-version.json", vector("Version byte 2 (text prefix spe2.), which this version of the format does not know.", &a, &[&a], None, b64(&v2).replacen("spe1.", "spe2.", 1), err("unsupported_version")));
        m.insert(
            "13-not-an-envelope.json",
            vector(
                "Something that is not an envelope at all.",
                &a,
                &[&a],
                None,
                "age-encryption.org/v1".into(),
                err("unknown_format"),
            ),
        );
        m.insert(
            "14-bad-base64.json",
            vector(
                "A character outside the base64url alphabet inside the envelope text.",
                &a,
                &[&a],
                None,
                format!("{}+{}", &e1_text[..40], &e1_text[41..]),
                err("malformed_envelope"),
            ),
        );
        m.insert("15-long-note-second-bucket.json", vector("A long address (three street lines, company, long note) padded to the 1024-byte bucket.", &a, &[&a], None, e15.to_string(), ok(&long)));
        let _ = unb64;
        m
    }

    #[test]
    fn committed_vectors_are_reproducible_and_listed() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/envelope");
        let generated = all();
        if std::env::var_os("SEALPOST_WRITE_VECTORS").is_some() {
            for (name, text) in &generated {
                std::fs::write(dir.join(name), text).unwrap();
            }
        }
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".json"))
            .collect();
        on_disk.sort();
        let listed: Vec<&str> = common::FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            on_disk, listed,
            "tests/common/mod.rs must list every vector file"
        );
        for (name, text) in common::FILES {
            assert_eq!(
                generated.get(name).map(String::as_str),
                Some(*text),
                "{name} differs from what the generator writes now"
            );
        }
    }
}
