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

/// The platform path (the ephemeral key pair and DH outside the crate, as WebCrypto does them)
/// seals every vector that comes from an unmodified seal to the committed bytes, and equals the
/// `hpke` crate's seal from the same `ikmE` for all the others.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn platform_encapsulation_seals_the_vectors_byte_for_byte() {
    use sealpost::{envelope::Encapsulation, keys::unhex, Envelope, PublicKey};
    let mut committed = Vec::new();
    for (name, text) in common::FILES {
        let v = common::parse(text);
        let Some((address, envelope, disclosure)) = common::seal_inputs(&v) else {
            continue;
        };
        let keys: Vec<PublicKey> = v.sealed_to.iter().map(|k| k.parse().unwrap()).collect();
        let encapsulations: Vec<Encapsulation> = v
            .sk_e
            .iter()
            .zip(&keys)
            .map(|(sk, pk)| {
                let sk: [u8; 32] = unhex(sk).unwrap().try_into().unwrap();
                Encapsulation {
                    enc: x25519_dalek::x25519(sk, x25519_dalek::X25519_BASEPOINT_BYTES),
                    dh: x25519_dalek::x25519(sk, *pk.as_bytes()).into(),
                }
            })
            .collect();
        for e in &encapsulations {
            let shown = format!("{e:?}");
            assert!(shown.contains("enc") && !shown.contains(&format!("{:?}", *e.dh)));
        }
        let order = envelope.order_ref();
        let platform =
            Envelope::seal_encapsulated(address, &keys, order, disclosure, &encapsulations)
                .unwrap();
        let ikm: Vec<u8> = v.ikm_e.iter().flat_map(|i| unhex(i).unwrap()).collect();
        let crate_path =
            Envelope::seal_with_randomness(address, &keys, order, disclosure, &ikm).unwrap();
        assert_eq!(platform, crate_path, "{name}: the two senders differ");
        if platform.to_string() == v.envelope {
            committed.push(*name);
        }
    }
    // 01, 02, 15, 45 and 46 are unmodified seals (one and two recipients, both buckets)
    assert!(committed.len() >= 5, "{committed:?}");
    assert!(committed.contains(&"02-intl-two-recipients-region.json"));
    assert!(committed.contains(&"15-long-note-second-bucket.json"));
}

#[cfg(not(target_arch = "wasm32"))]
mod generate {
    use super::common;
    use sealpost::{
        envelope::Recipient, keys::identity_file_text, Address, Disclosure, Envelope, Identity,
    };
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
        a.division_code = "330106".into();
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

    /// One vector file. `ikm` is the `ikmE` byte of each recipient of the seal the envelope
    /// comes from (32 equal bytes each), empty when it comes from no seal.
    #[allow(clippy::too_many_arguments)]
    fn vector(
        spec: &str,
        description: &str,
        openers: &[&Identity],
        sealed_to: &[&Identity],
        ikm: &[u8],
        expected_order: Option<&str>,
        envelope: String,
        expect: serde_json::Value,
    ) -> String {
        let id_text: String = openers
            .iter()
            .map(|o| identity_file_text(o, "2026-01-01T00:00:00Z").to_string())
            .collect();
        vector_with_identity(
            spec,
            description,
            &id_text,
            openers,
            sealed_to,
            ikm,
            expected_order,
            envelope,
            expect,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn vector_with_identity(
        spec: &str,
        description: &str,
        identity_text: &str,
        openers: &[&Identity],
        sealed_to: &[&Identity],
        ikm: &[u8],
        expected_order: Option<&str>,
        envelope: String,
        expect: serde_json::Value,
    ) -> String {
        let v = json!({
            "spec": spec,
            "description": description,
            "identity": identity_text,
            "identityRawHex": openers.iter().map(|o| o.to_raw_hex().to_string()).collect::<Vec<_>>(),
            "sealedTo": sealed_to.iter().map(|i| i.public_key().to_string()).collect::<Vec<_>>(),
            "ikmE": ikm.iter().map(|b| format!("{b:02x}").repeat(32)).collect::<Vec<_>>(),
            "skE": ikm.iter().map(|b| common::ephemeral_secret_hex(&[*b; 32])).collect::<Vec<_>>(),
            "expectedOrder": expected_order,
            "envelope": envelope,
            "expect": expect,
        });
        serde_json::to_string_pretty(&v).unwrap() + "\n"
    }

    /// `"spe" || 0x01 || order_len || order || disclosure`
    fn header(order: &[u8], disclosure: &[u8]) -> Vec<u8> {
        let mut h = b"spe\x01".to_vec();
        h.push(order.len() as u8);
        h.extend_from_slice(order);
        h.extend_from_slice(disclosure);
        h
    }

    fn put_text(out: &mut Vec<u8>, text: &[u8]) {
        out.extend_from_slice(&(text.len() as u16).to_be_bytes());
        out.extend_from_slice(text);
    }

    /// The version-1 record (no `divisionCode`) of `cn()` with `name`, `country` and the street
    /// lines given raw and the record version and street count as given, zero-padded to `pad_to`
    /// bytes.
    fn cn_record(
        version: u8,
        name: &[u8],
        country: &[u8],
        count: u8,
        streets: &[&[u8]],
        pad_to: usize,
    ) -> Vec<u8> {
        let a = cn();
        let mut r = vec![version];
        put_text(&mut r, name);
        put_text(&mut r, a.phone.as_bytes());
        put_text(&mut r, country);
        for t in [&a.address_level1, &a.address_level2, &a.address_level3] {
            put_text(&mut r, t.as_bytes());
        }
        r.push(count);
        for s in streets {
            put_text(&mut r, s);
        }
        for t in [&a.postal_code, &a.company, &a.delivery_note] {
            put_text(&mut r, t.as_bytes());
        }
        assert!(r.len() <= pad_to);
        r.resize(pad_to, 0);
        r
    }

    fn cn_street() -> Vec<u8> {
        cn().street_lines[0].as_bytes().to_vec()
    }

    /// One recipient entry: `key_id || enc || binding_len || binding || ct_len || ct`, with the
    /// sealed header and the record given raw.
    fn entry(to: &Identity, ikm: u8, binding_pt: &[u8], aad: &[u8], record: &[u8]) -> Vec<u8> {
        let r = Recipient::seal(to.public_key(), &[ikm; 32], binding_pt, aad, record).unwrap();
        let mut out = r.key_id.0.to_vec();
        out.extend_from_slice(&r.enc);
        put_text(&mut out, &r.binding);
        put_text(&mut out, &r.ct);
        out
    }

    fn envelope(header: &[u8], count: u8, entries: &[&[u8]]) -> Vec<u8> {
        let mut out = header.to_vec();
        out.push(count);
        entries.iter().for_each(|e| out.extend_from_slice(e));
        out
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
        let count_at = header_len;
        let enc_at = header_len + 1 + 8;
        let binding_len_at = enc_at + 32;
        let binding_at = binding_len_at + 2;
        let ct_len_at = binding_at + header_len + 16;
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
        let with = |bytes: &[u8], at: usize, new: &[u8]| {
            let mut out = bytes.to_vec();
            out[at..at + new.len()].copy_from_slice(new);
            out
        };
        let body = e1_text.strip_prefix("spe1.").unwrap();
        let cut = |n: usize| format!("spe1.{}", &body[..n]);
        // e1's header and recipient entry
        let (h1, r1) = e1_bytes.split_at(count_at);
        let r1 = &r1[1..];
        let order1 = b"ORD-20261126-0001";
        let country_cn = [&[1u8][..], b"CN"].concat();
        let h_sealed = header(order1, &country_cn);
        assert_eq!(h_sealed, h1);
        let crafted = |binding_pt: &[u8], record: &[u8], ikm: u8| {
            b64(&envelope(
                &h_sealed,
                1,
                &[&entry(&a, ikm, binding_pt, &h_sealed, record)],
            ))
        };
        let street = cn_street();
        let good_record =
            |pad_to: usize| cn_record(1, "张三".as_bytes(), b"CN", 1, &[&street], pad_to);
        let mut middle_empty = cn();
        middle_empty.street_lines = vec!["文三路 90 号".into(), "".into(), "1 幢 101 室".into()];
        let e_middle = seal(
            &middle_empty,
            &[&a],
            "ORD-20261126-0059",
            Disclosure::None,
            0xe0,
        );

        let mut m = BTreeMap::new();
        let mut add = |name: &'static str, text: String| {
            assert!(m.insert(name, text).is_none(), "{name} twice");
        };
        add("01-cn-one-recipient.json", vector("§3.3", "Chinese address sealed to one courier, country disclosed; opened by that courier, who also checks the order reference.", &[&a], &[&a], &[0xa0], Some("ORD-20261126-0001"), e1_text.clone(), ok(&cn())));
        add("02-intl-two-recipients-region.json", vector("§3.3", "German address sealed to two couriers with country and state disclosed; opened by the second courier.", &[&b], &[&a, &b], &[0xb0, 0xb1], None, e2.to_string(), ok(&de())));
        add("03-expected-order-differs.json", vector("§3.3 step 2", "A valid envelope presented for another order: the opener expects ORD-20261126-9999.", &[&a], &[&a], &[0xa0], Some("ORD-20261126-9999"), e1_text.clone(), err("order_mismatch")));
        add("04-order-swapped.json", vector("§3.3 step 7", "The order reference in clear was rewritten (0001 -> 0009) to move the envelope to another order.", &[&a], &[&a], &[0xa0], None, b64(&replace(&e1_bytes, b"ORD-20261126-0001", b"ORD-20261126-0009")), err("order_mismatch")));
        add(
            "05-disclosure-changed.json",
            vector(
                "§3.3 step 7",
                "The disclosed province in clear was rewritten (浙江省 -> 江苏省).",
                &[&a],
                &[&a],
                &[0xc0],
                None,
                b64(&replace(
                    &cn_region.to_bytes(),
                    "浙江省".as_bytes(),
                    "江苏省".as_bytes(),
                )),
                err("disclosure_mismatch"),
            ),
        );
        add(
            "06-flipped-ciphertext-byte.json",
            vector(
                "§3.3 step 8",
                "One bit of the address ciphertext flipped.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&flipped_ct),
                err("open_failed"),
            ),
        );
        add(
            "07-flipped-enc-byte.json",
            vector(
                "§3.3 step 5",
                "One bit of the encapsulated key (enc) flipped.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&flipped_enc),
                err("open_failed"),
            ),
        );
        add(
            "08-flipped-binding-byte.json",
            vector(
                "§3.3 step 5",
                "One bit of the sealed-header ciphertext flipped.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&flipped_binding),
                err("open_failed"),
            ),
        );
        add(
            "09-wrong-key.json",
            vector(
                "§3.3 step 3",
                "Opened by a courier the envelope was not sealed to.",
                &[&c],
                &[&a],
                &[0xa0],
                None,
                e1_text.clone(),
                err("not_a_recipient"),
            ),
        );
        add("10-truncated.json", vector("§3.1", "The envelope text cut off in the middle of the ciphertext (the last group is incomplete).", &[&a], &[&a], &[0xa0], None, e1_text[..e1_text.len() - 101].to_owned(), err("truncated")));
        add(
            "11-trailing-data.json",
            vector(
                "§3.2",
                "One zero byte appended after the last recipient.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&trailing),
                err("trailing_data"),
            ),
        );
        add("12-unsupported-version.json", vector("§3.1", "Version byte 2 (text prefix spe2.), which this version of the format does not know.", &[&a], &[&a], &[0xa0], None, b64(&v2).replacen("spe1.", "spe2.", 1), err("unsupported_version")));
        add(
            "13-not-an-envelope.json",
            vector(
                "§3.1",
                "Something that is not an envelope at all.",
                &[&a],
                &[&a],
                &[],
                None,
                "age-encryption.org/v1".into(),
                err("unknown_format"),
            ),
        );
        add(
            "14-bad-base64.json",
            vector(
                "§3.1",
                "A character outside the base64url alphabet inside the envelope text.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                format!("{}+{}", &e1_text[..40], &e1_text[41..]),
                err("malformed_envelope"),
            ),
        );
        add("15-long-note-second-bucket.json", vector("§3.4", "A long address (three street lines, company, long note) padded to the 1024-byte bucket.", &[&a], &[&a], &[0xd0], None, e15.to_string(), ok(&long)));

        // §3.1 text form
        add("16-s3.1-surrounding-white-space.json", vector("§3.1", "Surrounding white space (U+3000, space, CR LF before; U+00A0, LF after) is ignored.", &[&a], &[&a], &[0xa0], None, format!("\u{3000} \r\n{e1_text}\u{a0}\n"), ok(&cn())));
        add(
            "17-s3.1-inner-white-space.json",
            vector(
                "§3.1",
                "A space inside the base64url text is not ignored.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                format!("{} {}", &e1_text[..60], &e1_text[60..]),
                err("malformed_envelope"),
            ),
        );
        add(
            "18-s3.1-padding.json",
            vector(
                "§3.1",
                "A base64 padding character '=' after the text.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                format!("{e1_text}="),
                err("malformed_envelope"),
            ),
        );
        add("19-s3.1-cut-at-group-boundary.json", vector("§3.1", "The text cut after a whole number of 4-character groups: valid base64url whose bytes end early.", &[&a], &[&a], &[0xa0], None, cut(body.len() / 4 * 4 - 40), err("truncated")));
        add("20-s3.1-cut-leaving-one-character.json", vector("§3.1", "The text cut one character after a group boundary (length 1 mod 4, never valid base64url).", &[&a], &[&a], &[0xa0], None, cut(body.len() / 4 * 4 - 39), err("truncated")));
        add(
            "21-s3.1-empty-body.json",
            vector(
                "§3.1",
                "The prefix spe1. and nothing after it.",
                &[&a],
                &[&a],
                &[],
                None,
                "spe1.".into(),
                err("truncated"),
            ),
        );
        add(
            "22-s3.1-upper-case-prefix.json",
            vector(
                "§3.1",
                "The prefix in upper case (SPE1.): prefixes are case-sensitive.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                e1_text.replacen("spe1.", "SPE1.", 1),
                err("unknown_format"),
            ),
        );
        // §3.2 binary form: each rule checked when its field is read
        add(
            "23-s3.2-version-byte-not-1.json",
            vector(
                "§3.2",
                "Text prefix spe1. but version byte 2 in the binary header.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&v2),
                err("unsupported_version"),
            ),
        );
        add(
            "24-s3.2-wrong-magic.json",
            vector(
                "§3.2",
                "Text prefix spe1. but the binary form starts with \"spf\".",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, 0, b"spf")),
                err("unknown_format"),
            ),
        );
        add(
            "25-s3.2-empty-order.json",
            vector(
                "§3.2",
                "order_len 0 (the order bytes removed, the rest intact).",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&[&header(b"", &country_cn)[..], &e1_bytes[count_at..]].concat()),
                err("malformed_envelope"),
            ),
        );
        add(
            "26-s3.2-order-with-space.json",
            vector(
                "§3.2",
                "The order reference in clear contains a space (0x20).",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&replace(&e1_bytes, b"ORD-2026", b"ORD 2026")),
                err("malformed_envelope"),
            ),
        );
        add(
            "27-s3.2-disclosure-kind-3.json",
            vector(
                "§3.2",
                "Disclosure kind 3, which does not exist.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, 5 + order1.len(), &[3])),
                err("malformed_envelope"),
            ),
        );
        add(
            "28-s3.2-country-not-assigned.json",
            vector(
                "§3.2",
                "Disclosed country XX, not in Appendix A.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, 6 + order1.len(), b"XX")),
                err("malformed_envelope"),
            ),
        );
        add(
            "29-s3.2-country-lower-case.json",
            vector(
                "§3.2",
                "Disclosed country in lower case (cn).",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, 6 + order1.len(), b"cn")),
                err("malformed_envelope"),
            ),
        );
        let region = cn_region.to_bytes();
        let l1_len_at = 5 + b"ORD-20261126-0003".len() + 3;
        add(
            "30-s3.2-region-empty.json",
            vector(
                "§3.2",
                "Disclosure kind 2 with level1_len 0.",
                &[&a],
                &[&a],
                &[0xc0],
                None,
                b64(&[&region[..l1_len_at], &[0], &region[l1_len_at + 1 + 9..]].concat()),
                err("malformed_envelope"),
            ),
        );
        add("31-s3.2-region-bidi-control.json", vector("§3.2", "The disclosed province contains U+2066 (a bidi isolate), one of the forbidden characters of §4.1.", &[&a], &[&a], &[0xc0], None, b64(&replace(&region, "浙江省".as_bytes(), "浙江\u{2066}".as_bytes())), err("malformed_envelope")));
        add(
            "32-s3.2-region-c1-control.json",
            vector(
                "§3.2",
                "The disclosed province contains U+0085 (a C1 control character).",
                &[&a],
                &[&a],
                &[0xc0],
                None,
                b64(&replace(
                    &region,
                    "浙江省".as_bytes(),
                    "浙江\u{85}x".as_bytes(),
                )),
                err("malformed_envelope"),
            ),
        );
        add(
            "33-s3.2-region-not-utf8.json",
            vector(
                "§3.2",
                "The disclosed province is not UTF-8.",
                &[&a],
                &[&a],
                &[0xc0],
                None,
                b64(&replace(&region, "浙江省".as_bytes(), &[0xff; 9])),
                err("malformed_envelope"),
            ),
        );
        add(
            "34-s3.2-count-0.json",
            vector(
                "§3.2",
                "Recipient count 0 (the entry left in place).",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, count_at, &[0])),
                err("malformed_envelope"),
            ),
        );
        add("35-s3.2-count-17.json", vector("§3.2", "Recipient count 17 with one entry present: refused when the count is read, not as truncated.", &[&a], &[&a], &[0xa0], None, b64(&with(&e1_bytes, count_at, &[17])), err("malformed_envelope")));
        add(
            "36-s3.2-duplicate-key-id.json",
            vector(
                "§3.2",
                "The same recipient entry twice (count 2).",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&envelope(h1, 2, &[r1, r1])),
                err("malformed_envelope"),
            ),
        );
        add(
            "37-s3.2-binding-len-22.json",
            vector(
                "§3.2",
                "binding_len 22, below the 23 of the shortest header.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, binding_len_at, &22u16.to_be_bytes())),
                err("malformed_envelope"),
            ),
        );
        add("38-s3.2-binding-len-too-large-in-cut-text.json", vector("§3.2", "binding_len 60000 in a text cut right after it: the length is refused when read, before the missing bytes.", &[&a], &[&a], &[0xa0], None, b64(&with(&e1_bytes[..binding_at], binding_len_at, &60000u16.to_be_bytes())), err("malformed_envelope")));
        add(
            "39-s3.2-ct-len-not-a-bucket.json",
            vector(
                "§3.2",
                "ct_len 600, not 528, 1040 or 2064.",
                &[&a],
                &[&a],
                &[0xa0],
                None,
                b64(&with(&e1_bytes, ct_len_at, &600u16.to_be_bytes())),
                err("malformed_envelope"),
            ),
        );
        // §3.3 opening: order of checks
        add("40-s3.3-order-swapped-other-length.json", vector("§3.3 step 7", "The order in clear replaced by a shorter one (ORD-1): binding_len no longer equals the header length + 16, which a reader must accept, so the swap is reported as order_mismatch.", &[&a], &[&a], &[0xa0], None, b64(&[&header(b"ORD-1", &country_cn)[..], &e1_bytes[count_at..]].concat()), err("order_mismatch")));
        add("41-s3.3-expected-order-before-recipient.json", vector("§3.3 step 2", "Opened by a non-recipient who expects another order: the expected order is compared first.", &[&c], &[&a], &[0xa0], Some("ORD-20261126-9999"), e1_text.clone(), err("order_mismatch")));
        add(
            "42-s3.3-structure-before-expected-order.json",
            vector(
                "§3.3 step 1",
                "Trailing data and an expected order that differs: the text is parsed first.",
                &[&a],
                &[&a],
                &[0xa0],
                Some("ORD-20261126-9999"),
                b64(&trailing),
                err("trailing_data"),
            ),
        );
        add(
            "43-s3.3-sealed-header-not-a-header.json",
            vector(
                "§3.3 step 6",
                "The sealed header (binding plaintext) is authentic but is not a header.",
                &[&a],
                &[&a],
                &[0xe1],
                None,
                crafted(b"not a header at all", &good_record(512), 0xe1),
                err("malformed_plaintext"),
            ),
        );
        add(
            "44-s3.3-record-disagrees-with-disclosure.json",
            vector(
                "§3.3 step 9",
                "Header and sealed header disclose country CN, but the sealed record says JP.",
                &[&a],
                &[&a],
                &[0xe2],
                None,
                crafted(
                    &h_sealed,
                    &cn_record(1, "张三".as_bytes(), b"JP", 1, &[&street], 512),
                    0xe2,
                ),
                err("disclosure_mismatch"),
            ),
        );
        add("45-s2.3-second-identity-opens.json", vector("§2.3", "An identity file with two identities (key rotation): the first has no entry, the second opens.", &[&c, &a], &[&a], &[0xa0], None, e1_text.clone(), ok(&cn())));
        add("46-s3.3-first-success-wins.json", vector("§3.3 step 3", "Sealed to a and b, a's entry altered: an identity file holding a then b opens with b.", &[&a, &b], &[&a, &b], &[0xb0, 0xb1], None, b64(&with(&e2.to_bytes(), e2.aad().len() + 1 + 8 + 3, &[e2.to_bytes()[e2.aad().len() + 1 + 8 + 3] ^ 1])), ok(&de())));
        // §3.4 record
        add(
            "47-s3.4-record-version-3.json",
            vector(
                "§3.4",
                "The record starts with 0x03.",
                &[&a],
                &[&a],
                &[0xe3],
                None,
                crafted(
                    &h_sealed,
                    &cn_record(3, "张三".as_bytes(), b"CN", 1, &[&street], 512),
                    0xe3,
                ),
                err("malformed_plaintext"),
            ),
        );
        let mut v1_opened = cn();
        v1_opened.division_code.clear();
        add(
            "57-s3.4-record-version-1.json",
            vector(
                "§3.4",
                "A version-1 record (sealed before divisionCode existed): it opens, with divisionCode empty.",
                &[&a],
                &[&a],
                &[0xea],
                None,
                crafted(&h_sealed, &good_record(512), 0xea),
                ok(&v1_opened),
            ),
        );
        add(
            "48-s3.4-record-not-utf8.json",
            vector(
                "§3.4",
                "The name in the record is not UTF-8.",
                &[&a],
                &[&a],
                &[0xe4],
                None,
                crafted(
                    &h_sealed,
                    &cn_record(1, &[0xe5, 0xbc], b"CN", 1, &[&street], 512),
                    0xe4,
                ),
                err("malformed_plaintext"),
            ),
        );
        add(
            "49-s3.4-street-count-0.json",
            vector(
                "§3.4",
                "street_count 0.",
                &[&a],
                &[&a],
                &[0xe5],
                None,
                crafted(
                    &h_sealed,
                    &cn_record(1, "张三".as_bytes(), b"CN", 0, &[], 512),
                    0xe5,
                ),
                err("malformed_plaintext"),
            ),
        );
        add(
            "50-s3.4-street-count-4.json",
            vector(
                "§3.4",
                "street_count 4.",
                &[&a],
                &[&a],
                &[0xe6],
                None,
                crafted(
                    &h_sealed,
                    &cn_record(
                        1,
                        "张三".as_bytes(),
                        b"CN",
                        4,
                        &[&street, b"a", b"b", b"c"],
                        512,
                    ),
                    0xe6,
                ),
                err("malformed_plaintext"),
            ),
        );
        let mut past = good_record(512);
        past[1..3].copy_from_slice(&600u16.to_be_bytes());
        add(
            "51-s3.4-field-past-record.json",
            vector(
                "§3.4",
                "The name's length (600) runs past the 512-byte record.",
                &[&a],
                &[&a],
                &[0xe7],
                None,
                crafted(&h_sealed, &past, 0xe7),
                err("malformed_plaintext"),
            ),
        );
        let mut dirty = good_record(512);
        dirty[511] = 1;
        add(
            "52-s3.4-non-zero-padding.json",
            vector(
                "§3.4",
                "The last padding byte is 0x01.",
                &[&a],
                &[&a],
                &[0xe8],
                None,
                crafted(&h_sealed, &dirty, 0xe8),
                err("malformed_plaintext"),
            ),
        );
        add(
            "53-s3.4-larger-bucket-than-needed.json",
            vector(
                "§3.4",
                "A record that fits in 512 bytes padded to 1024.",
                &[&a],
                &[&a],
                &[0xe9],
                None,
                crafted(&h_sealed, &good_record(1024), 0xe9),
                err("malformed_plaintext"),
            ),
        );
        add("54-s3.4-empty-middle-street-line.json", vector("§3.4", "Street lines [\"文三路 90 号\", \"\", \"1 幢 101 室\"]: only empty trailing lines are dropped, so the empty middle line is sealed and opened.", &[&a], &[&a], &[0xe0], None, e_middle.to_string(), ok(&middle_empty)));
        // §2.3 identity text
        let lower = identity_file_text(&a, "2026-01-01T00:00:00Z").replace("SEALPOST-SECRET-KEY-1", "sealpost-secret-key-1").lines().map(|l| if l.starts_with("sealpost-secret-key-1") { l.to_lowercase() } else { l.to_owned() } + "\n").collect::<String>();
        add("55-s2.3-lower-case-identity.json", vector_with_identity("§2.3", "The identity written in lower case: readers accept all-lower-case as well as all-upper-case.", &lower, &[&a], &[&a], &[0xa0], None, e1_text.clone(), ok(&cn())));
        let mixed = identity_file_text(&a, "2026-01-01T00:00:00Z")
            .replace("SEALPOST-SECRET-KEY-1", "sealpost-secret-key-1");
        add(
            "56-s2.3-mixed-case-identity.json",
            vector_with_identity(
                "§2.3",
                "The identity in mixed case (lower-case prefix, upper-case data): refused.",
                &mixed,
                &[&a],
                &[&a],
                &[0xa0],
                None,
                e1_text.clone(),
                err("invalid_identity"),
            ),
        );
        let _ = (unb64, Recipient::seal);
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
