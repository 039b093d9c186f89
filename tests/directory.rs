//! The certified courier directory (SPEC.md §9), natively: canonical encoding, signature,
//! validity, rollback, key rotation, and strict parsing of hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use sealpost::{
    directory::{
        check_rollback, parse_platform_key_file, platform_key_file_text, platform_key_line_prefix,
        Courier, CourierKey, Directory, KeyStatus, PlatformPublicKey, PlatformSigningKey,
        SignedDirectory,
    },
    keys::{KdfParams, UtcSeconds},
    Address, Disclosure, Envelope, Error, Identity,
};

const DAY: u64 = 86_400;
/// 2026-11-26T00:00:00Z
const NOW: UtcSeconds = UtcSeconds(1_795_651_200);

fn platform() -> PlatformSigningKey {
    PlatformSigningKey::from_seed(&[0x44; 32])
}

fn identity(b: u8) -> Identity {
    Identity::derive(&[b; 32]).unwrap()
}

fn key(id: &Identity, from: i64, until: i64) -> CourierKey {
    let at = |d: i64| UtcSeconds(NOW.0.checked_add_signed(d * DAY as i64).unwrap());
    CourierKey {
        public_key: id.public_key().clone(),
        valid_from: at(from),
        valid_until: at(until),
    }
}

fn courier(id: &str, keys: Vec<CourierKey>) -> Courier {
    Courier {
        id: id.into(),
        name_zh: format!("快递{id}"),
        name_en: format!("Courier {id}"),
        logo: None,
        keys,
    }
}

fn directory(serial: u64, couriers: Vec<Courier>) -> Directory {
    Directory {
        serial,
        issued: NOW,
        expires: UtcSeconds(NOW.0 + 365 * DAY),
        couriers,
    }
}

fn sample() -> Directory {
    directory(
        7,
        vec![
            courier("zto", vec![key(&identity(0x22), -10, 400)]),
            Courier {
                logo: Some("https://example.com/sf.png".into()),
                ..courier("sf", vec![key(&identity(0x11), -10, 400)])
            },
        ],
    )
}

fn signed_text(d: &Directory) -> String {
    d.sign(&platform()).unwrap().to_string()
}

fn verify_text(text: &str) -> Result<Directory, Error> {
    let signed: SignedDirectory = text.parse()?;
    signed.verify(&platform().public_key()).cloned()
}

fn address() -> Address {
    serde_json::from_str(
        r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
        "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
        "postalCode":"310012"}"#,
    )
    .unwrap()
}

#[test]
fn signed_directory_round_trips_in_canonical_order() {
    let text = signed_text(&sample());
    assert!(text.starts_with("spdir1."), "{text}");
    let got = verify_text(&text).unwrap();
    // couriers come back sorted by id, whatever order they were added in
    let ids: Vec<&str> = got.couriers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["sf", "zto"]);
    assert_eq!(got.serial, 7);
    assert_eq!(got.issued, NOW);
    assert_eq!(got.expires, UtcSeconds(NOW.0 + 365 * DAY));
    assert_eq!(
        got.courier("sf").unwrap().logo.as_deref(),
        Some("https://example.com/sf.png")
    );
    // insertion order does not change the signed bytes (Ed25519 is deterministic)
    let mut reversed = sample();
    reversed.couriers.reverse();
    assert_eq!(signed_text(&reversed), text);
}

#[test]
fn tampered_payload_or_signature_is_refused() {
    let text = signed_text(&sample());
    let (_, rest) = text.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut payload = URL_SAFE_NO_PAD.decode(payload).unwrap();
    // the serial's last byte: 7 -> 9 (still a valid document, now with a bad signature)
    let serial_at = 6 + 8 + 7;
    assert_eq!(payload[serial_at], 7);
    payload[serial_at] = 9;
    let forged = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&payload));
    assert_eq!(
        verify_text(&forged).unwrap_err(),
        Error::DirectorySignatureInvalid
    );
    let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
    sig[10] ^= 1;
    let forged = format!(
        "spdir1.{}.{}",
        rest.split_once('.').unwrap().0,
        URL_SAFE_NO_PAD.encode(&sig)
    );
    assert_eq!(
        verify_text(&forged).unwrap_err().code(),
        "directory_signature_invalid"
    );
}

#[test]
fn directory_signed_by_another_platform_key_is_refused() {
    let other = PlatformSigningKey::from_seed(&[0x55; 32]);
    let text = sample().sign(&other).unwrap().to_string();
    let err = verify_text(&text).unwrap_err();
    assert_eq!(err.code(), "directory_wrong_key");
    assert!(
        err.to_string()
            .contains(&other.public_key().key_id().to_string()),
        "{err}"
    );
    // a payload that claims the pinned key id but carries another key's signature
    let (_, rest) = text.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut payload = URL_SAFE_NO_PAD.decode(payload).unwrap();
    payload[6..14].copy_from_slice(&platform().public_key().key_id().0);
    let forged = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&payload));
    assert_eq!(
        verify_text(&forged).unwrap_err(),
        Error::DirectorySignatureInvalid
    );
}

#[test]
fn expired_and_not_yet_valid_keys_are_refused() {
    let a = identity(0x11);
    let expired = directory(1, vec![courier("sf", vec![key(&a, -30, -1)])]);
    let err = expired.recipients(NOW, None).unwrap_err();
    assert_eq!(err.code(), "directory_key_expired");
    assert!(err.to_string().contains("2026-11-25"), "{err}");
    let future = directory(1, vec![courier("sf", vec![key(&a, 1, 30)])]);
    assert_eq!(
        future.recipients(NOW, None).unwrap_err().code(),
        "directory_key_not_yet_valid"
    );
    // both ends of the period are included
    let k = key(&a, 0, 1);
    assert_eq!(k.status(NOW), KeyStatus::Valid);
    assert_eq!(k.status(k.valid_until), KeyStatus::Valid);
    assert_eq!(
        k.status(UtcSeconds(k.valid_until.0 + 1)),
        KeyStatus::Expired
    );
    assert_eq!(k.status(UtcSeconds(NOW.0 - 1)), KeyStatus::NotYetValid);
    // an expired courier next to a valid one: only the valid one is sealed to
    let mixed = directory(
        1,
        vec![
            courier("sf", vec![key(&a, -30, -1)]),
            courier("zto", vec![key(&identity(0x22), -1, 30)]),
        ],
    );
    let r = mixed.recipients(NOW, None).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].courier, "zto");
}

#[test]
fn expired_directory_is_refused() {
    let d = sample();
    assert!(d.recipients(d.expires, None).is_ok());
    let err = d.recipients(UtcSeconds(d.expires.0 + 1), None).unwrap_err();
    assert_eq!(err.code(), "directory_expired");
    assert!(err.to_string().contains("2027-11-26"), "{err}");
    // expiry is signed: moving it breaks the signature
    let text = signed_text(&d);
    let (_, rest) = text.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut payload = URL_SAFE_NO_PAD.decode(payload).unwrap();
    payload[6 + 8 + 8 + 8 + 5] ^= 1;
    let forged = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&payload));
    assert_eq!(
        verify_text(&forged).unwrap_err(),
        Error::DirectorySignatureInvalid
    );
    let mut backwards = sample();
    backwards.expires = backwards.issued;
    assert!(backwards
        .sign(&platform())
        .unwrap_err()
        .to_string()
        .contains("before it expires"));
}

#[test]
fn no_usable_courier_is_refused() {
    let empty = directory(1, vec![]);
    assert_eq!(
        empty.recipients(NOW, None).unwrap_err(),
        Error::NoUsableCourier
    );
    let revoked = directory(1, vec![courier("sf", vec![])]);
    assert_eq!(
        revoked.recipients(NOW, None).unwrap_err().code(),
        "no_usable_courier"
    );
    // the shop allows only couriers the directory does not certify
    let d = sample();
    let allowed = ["ems".to_owned()];
    assert_eq!(
        d.recipients(NOW, Some(&allowed)).unwrap_err().code(),
        "no_usable_courier"
    );
    let allowed = ["zto".to_owned(), "ems".to_owned()];
    let r = d.recipients(NOW, Some(&allowed)).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].public_key, *identity(0x22).public_key());
}

#[test]
fn rollback_to_an_older_serial_is_refused() {
    assert_eq!(
        check_rollback(6, Some(7)).unwrap_err(),
        Error::DirectoryRollback { seen: 7, got: 6 }
    );
    assert_eq!(
        check_rollback(6, Some(7)).unwrap_err().code(),
        "directory_rollback"
    );
    assert!(check_rollback(7, Some(7)).is_ok());
    assert!(check_rollback(8, Some(7)).is_ok());
    assert!(check_rollback(1, None).is_ok());
}

#[test]
fn key_rotation_end_to_end() {
    let old = identity(0x11);
    let new = identity(0x12);
    // serial 1: the old key only
    let v1 = directory(1, vec![courier("sf", vec![key(&old, -100, 10)])]);
    let v1 = verify_text(&signed_text(&v1)).unwrap();
    let keys: Vec<_> = v1
        .recipients(NOW, None)
        .unwrap()
        .into_iter()
        .map(|r| r.public_key)
        .collect();
    let before = Envelope::seal(&address(), &keys, "ORD-1", Disclosure::None).unwrap();
    // serial 2: the new key, overlapping the old one: new envelopes go to the new key
    let v2 = directory(
        2,
        vec![courier("sf", vec![key(&old, -100, 10), key(&new, -1, 400)])],
    );
    let v2 = verify_text(&signed_text(&v2)).unwrap();
    let r = v2.recipients(NOW, None).unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].public_key, *new.public_key());
    let after = Envelope::seal(
        &address(),
        &[r[0].public_key.clone()],
        "ORD-2",
        Disclosure::None,
    )
    .unwrap();
    // serial 3: the old key revoked (no longer listed)
    let v3 = directory(3, vec![courier("sf", vec![key(&new, -1, 400)])]);
    let v3 = verify_text(&signed_text(&v3)).unwrap();
    assert!(v3.find_key(old.key_id()).is_none());
    assert!(v3.find_key(new.key_id()).is_some());
    // old envelopes still open with the old identity, new ones only with the new one
    assert_eq!(
        before
            .open(std::slice::from_ref(&old), Some("ORD-1"))
            .unwrap(),
        address()
    );
    assert_eq!(
        after
            .open(std::slice::from_ref(&new), Some("ORD-2"))
            .unwrap(),
        address()
    );
    assert_eq!(
        after.open(&[old], Some("ORD-2")).unwrap_err(),
        Error::NotARecipient
    );
    // and an older issue is a rollback once serial 3 was seen
    assert!(check_rollback(v1.serial, Some(v3.serial)).is_err());
}

#[test]
fn invalid_documents_are_refused_before_signing() {
    let cases: Vec<(Directory, &str)> = vec![
        (directory(0, vec![]), "serial"),
        (directory(1, vec![courier("SF", vec![])]), "courier id"),
        (
            directory(1, vec![courier("sf", vec![]), courier("sf", vec![])]),
            "same id",
        ),
        (
            directory(
                1,
                vec![
                    courier("sf", vec![key(&identity(1), 0, 1)]),
                    courier("zto", vec![key(&identity(1), 0, 1)]),
                ],
            ),
            "listed twice",
        ),
        (
            directory(1, vec![courier("sf", vec![key(&identity(1), 1, 1)])]),
            "valid-from",
        ),
        (
            directory(
                1,
                vec![Courier {
                    name_en: "SF\u{202E}sserpxE".into(),
                    ..courier("sf", vec![])
                }],
            ),
            "bidi",
        ),
        (
            directory(
                1,
                vec![Courier {
                    logo: Some("http://example.com/a.png".into()),
                    ..courier("sf", vec![])
                }],
            ),
            "https://",
        ),
    ];
    for (d, why) in cases {
        let err = d.sign(&platform()).unwrap_err();
        assert_eq!(err.code(), "invalid_directory", "{why}");
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
}

#[test]
fn hostile_text_is_refused_without_panicking() {
    let text = signed_text(&sample());
    let (_, rest) = text.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let payload = URL_SAFE_NO_PAD.decode(payload).unwrap();
    // every truncation and every trailing byte
    for n in 0..payload.len() {
        let cut = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&payload[..n]));
        assert_eq!(
            cut.parse::<SignedDirectory>().unwrap_err().code(),
            "invalid_directory",
            "cut at {n}"
        );
    }
    let mut longer = payload.clone();
    longer.push(0);
    let long = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&longer));
    assert!(long
        .parse::<SignedDirectory>()
        .unwrap_err()
        .to_string()
        .contains("after the last courier"));
    // every single-bit flip of the payload: refused either as malformed or as forged
    for i in 0..payload.len() {
        for bit in 0..8 {
            let mut p = payload.clone();
            p[i] ^= 1 << bit;
            let t = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&p));
            let code = verify_text(&t).unwrap_err().code();
            assert!(
                [
                    "invalid_directory",
                    "invalid_public_key",
                    "directory_signature_invalid",
                    "directory_wrong_key"
                ]
                .contains(&code),
                "byte {i} bit {bit}: {code}"
            );
        }
    }
    for bad in [
        "",
        "spdir1.",
        "spdir1..",
        "spdir2.AAAA.AAAA",
        "spe1.AAAA",
        "spdir1.c3BkaXIB.AAAA",
        "spdir1.c3BkaXIB=.AAAA",
    ] {
        assert_eq!(
            bad.parse::<SignedDirectory>().unwrap_err().code(),
            "invalid_directory",
            "{bad:?}"
        );
    }
    // keys out of canonical order are refused (one encoding per directory)
    let d = directory(
        1,
        vec![courier(
            "sf",
            vec![key(&identity(1), 0, 10), key(&identity(2), 1, 10)],
        )],
    );
    let good = d.payload(platform().public_key().key_id()).unwrap();
    let k = 6 + 8 + 8 + 8 + 8 + 1 + 1 + 2 + 1 + "快递sf".len() + 1 + "Courier sf".len() + 2 + 1;
    let mut swapped = good.clone();
    swapped[k..k + 48].copy_from_slice(&good[k + 48..k + 96]);
    swapped[k + 48..k + 96].copy_from_slice(&good[k..k + 48]);
    let t = format!("spdir1.{}.{sig}", URL_SAFE_NO_PAD.encode(&swapped));
    let err = t.parse::<SignedDirectory>().unwrap_err();
    assert!(err.to_string().contains("sorted"), "{err}");
}

#[test]
fn platform_public_key_text() {
    let pk = platform().public_key();
    let text = pk.to_string();
    assert!(text.starts_with("spp1"), "{text}");
    assert_eq!(text.parse::<PlatformPublicKey>().unwrap(), pk);
    assert_eq!(
        text.to_uppercase().parse::<PlatformPublicKey>().unwrap(),
        pk
    );
    // a mistyped character fails the checksum
    let mut typo: Vec<char> = text.chars().collect();
    typo[10] = if typo[10] == 'q' { 'p' } else { 'q' };
    let typo: String = typo.into_iter().collect();
    assert_eq!(
        typo.parse::<PlatformPublicKey>().unwrap_err().code(),
        "invalid_platform_key"
    );
    // a courier key is not a platform key
    let courier = identity(1).public_key().to_string();
    assert!(courier
        .parse::<PlatformPublicKey>()
        .unwrap_err()
        .to_string()
        .contains("spp1"));
    // the identity point (small order) is refused
    let mut ident = [0u8; 32];
    ident[0] = 1;
    assert_eq!(
        PlatformPublicKey::from_bytes(&ident).unwrap_err().code(),
        "invalid_platform_key"
    );
}

#[test]
fn platform_key_file_round_trips() {
    let pk = platform().public_key();
    let kdf = KdfParams {
        memory_kib: 8192,
        iterations: 1,
        parallelism: 1,
    };
    let prefix = platform_key_line_prefix(&pk, kdf, &[1; 16], &[2; 12]);
    let text = platform_key_file_text(&pk, "2026-11-26T00:00:00Z", &prefix, &[3; 48]);
    let parsed = parse_platform_key_file(&text).unwrap();
    assert_eq!(parsed.public_key, pk);
    assert_eq!(parsed.kdf, kdf);
    assert_eq!(parsed.aad(), prefix.as_bytes());
    assert_eq!(parsed.sealed_key, [3; 48]);
    for bad in [
        text.replace("m=8192", "m=1024"),
        text.replace("kdf=argon2id", "kdf=scrypt"),
        format!("{text}{}\n", text.lines().last().unwrap()),
        text.replace(
            "SEALPOST-PROTECTED-PLATFORM-KEY-1",
            "SEALPOST-PROTECTED-KEY-1",
        ),
    ] {
        assert_eq!(
            parse_platform_key_file(&bad).unwrap_err().code(),
            "invalid_platform_key"
        );
    }
}

/// A fixed directory for other implementations (SPEC.md §9): platform seed 32 × 0x44, courier
/// key `DeriveKeyPair(32 × 0x11)`, fixed times. Ed25519 is deterministic, so the text is too.
#[test]
fn known_answer() {
    let d = Directory {
        serial: 1,
        issued: UtcSeconds::parse("2026-11-26T00:00:00Z").unwrap(),
        expires: UtcSeconds::parse("2027-02-24T00:00:00Z").unwrap(),
        couriers: vec![Courier {
            id: "sf".into(),
            name_zh: "顺丰速运".into(),
            name_en: "SF Express".into(),
            logo: Some("https://example.com/sf.png".into()),
            keys: vec![CourierKey {
                public_key: identity(0x11).public_key().clone(),
                valid_from: UtcSeconds::parse("2026-01-01T00:00:00Z").unwrap(),
                valid_until: UtcSeconds::parse("2027-12-31T23:59:59Z").unwrap(),
            }],
        }],
    };
    let text = signed_text(&d);
    assert_eq!(text, KNOWN_TEXT);
    assert_eq!(platform().public_key().to_string(), KNOWN_PLATFORM_KEY);
    assert_eq!(verify_text(KNOWN_TEXT).unwrap(), d);
}

const KNOWN_PLATFORM_KEY: &str = "spp16avhjwauzw3grx5z03m2mdhm4zjf4msq0ayl95ye9kvmsfdd93yqk68r8h";
const KNOWN_TEXT: &str = "spdir1.c3BkaXIBsDNd2aGj1YIAAAAAAAAAAQAAAABrB3aAAAAAAGt-HYABAnNmDOmhuuS4sOmAn-i_kApTRiBFeHByZXNzABpodHRwczovL2V4YW1wbGUuY29tL3NmLnBuZwEaI5JJ6nRAO6vAHzLfmTGhb3GsiXLEYdaf7RVkDjEGOQAAAABpVbkAAAAAAG0YH_8.rrZjYBop6KQ1DXoxtdJb-Dol-j_615OIJjGPbVE3Ily3AZIUihq3FfsAACGMApQFjDcHYcm_4kobQ4KhQ1qACg";
