//! The bad-input matrix of the JavaScript API, in headless Chromium (`wasm-pack test --headless
//! --chrome`) and Node (`wasm-pack test --node -- --features node-test`).
//!
//! Every case calls an exported function (`seal`, `validateAddress`, `keyId`, `inspect`) with
//! one hostile argument and checks that it throws a real JS `Error` named `SealpostError` with
//! the expected stable `code`; that the message is short, names no address value, no secret
//! key and no part of a huge input; and that the module still seals afterwards (no trap, no
//! poisoned state). Cases: wrong types, missing and extra fields, 1 MB strings, NUL and control
//! characters, lone UTF-16 surrogates, non-string order references, malformed and wrong-length
//! keys, the zero key and every low-order X25519 point.

use bech32::{Bech32, Bech32m, Hrp};
use js_sys::{Array, Object, Reflect, JSON};
use sealpost::{
    wasm::{inspect_js, key_id_js, seal_js, validate_address_js, version_js},
    Envelope, Identity,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Values of the test address: none may ever appear in an error message.
const PERSONAL: [&str; 8] = [
    "Quintessa",
    "Sentinel",
    "9876543",
    "Kleinmachnow",
    "Brandenburg",
    "14532",
    "Geheimfirma",
    "Blumentopf",
];

const ADDRESS: &str = r#"{"name":"Quintessa Sentinel","phone":"+49 30 9876543","country":"DE",
  "addressLevel1":"Brandenburg","addressLevel2":"Kleinmachnow","addressLevel3":"",
  "streetLines":["Sentinelweg 42"],"postalCode":"14532","company":"Geheimfirma GmbH",
  "deliveryNote":"Schlüssel im Blumentopf"}"#;

/// The text fields of the field table (every field but the street lines).
fn string_fields() -> impl Iterator<Item = &'static str> {
    sealpost::address::FIELDS
        .iter()
        .filter(|f| !f.is_lines())
        .map(|f| f.json)
}

fn courier() -> Identity {
    Identity::derive(&[0x77; 32]).unwrap()
}

fn key() -> JsValue {
    courier().public_key().to_string().into()
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn address() -> JsValue {
    js(ADDRESS)
}

/// The error code stem of a field (SPEC.md §3.4).
fn stem(json: &str) -> &'static str {
    sealpost::address::FIELDS
        .iter()
        .find(|f| f.json == json)
        .map(|f| f.code)
        .unwrap()
}

fn with(field: &str, value: &JsValue) -> JsValue {
    let a = address();
    Reflect::set(&a, &field.into(), value).unwrap();
    a
}

fn without(field: &str) -> JsValue {
    let a = address();
    Reflect::delete_property(a.unchecked_ref::<Object>(), &field.into()).unwrap();
    a
}

fn seal_address(a: JsValue) -> Result<String, JsValue> {
    seal_js(a, key(), "ORD-1".into(), JsValue::UNDEFINED)
}

fn seal_to(recipients: JsValue) -> Result<String, JsValue> {
    seal_js(address(), recipients, "ORD-1".into(), JsValue::UNDEFINED)
}

fn seal_order(order: JsValue) -> Result<String, JsValue> {
    seal_js(address(), key(), order, JsValue::UNDEFINED)
}

fn seal_disclose(disclose: JsValue) -> Result<String, JsValue> {
    seal_js(address(), key(), "ORD-1".into(), disclose)
}

fn huge() -> String {
    "x".repeat(1 << 20)
}

/// `sp1…` text of arbitrary bytes, with the Bech32m checksum (or another HRP / checksum).
fn bech32m(hrp: &str, data: &[u8]) -> String {
    bech32::encode::<Bech32m>(Hrp::parse(hrp).unwrap(), data).unwrap()
}

fn hex32(hex: &str) -> [u8; 32] {
    let bytes = sealpost::keys::unhex(hex).unwrap();
    bytes.try_into().unwrap()
}

/// The points of small order on Curve25519 (u-coordinates, little-endian), canonical and
/// non-canonical: 0, 1, the two points of order 8, p-1, p, p+1, and the same with the
/// (ignored) top bit set.
fn low_order_points() -> Vec<[u8; 32]> {
    let canonical = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let mut out: Vec<[u8; 32]> = canonical.iter().map(|h| hex32(h)).collect();
    for h in canonical {
        let mut p = hex32(h);
        p[31] |= 0x80;
        out.push(p);
    }
    out
}

struct Matrix {
    cases: usize,
    failures: Vec<String>,
}

impl Matrix {
    fn new() -> Self {
        Matrix {
            cases: 0,
            failures: Vec::new(),
        }
    }

    /// One case: `result` must be a thrown `SealpostError` with `code`, a clean message, and
    /// the module must still work afterwards.
    fn expect<T: core::fmt::Debug>(&mut self, case: &str, code: &str, result: Result<T, JsValue>) {
        self.cases += 1;
        if let Err(problem) = check_error(code, result) {
            self.failures.push(format!("{case}: {problem}"));
        }
        if let Err(problem) = still_works() {
            self.failures
                .push(format!("{case}: module broken afterwards: {problem}"));
        }
    }

    /// One case that must succeed (a value at the edge that is valid).
    fn ok<T: core::fmt::Debug>(&mut self, case: &str, result: Result<T, JsValue>) {
        self.cases += 1;
        if let Err(e) = result {
            self.failures.push(format!("{case}: threw {e:?}"));
        }
    }

    fn finish(self, at_least: usize) {
        assert!(
            self.failures.is_empty(),
            "{} of {} cases failed: {:#?}",
            self.failures.len(),
            self.cases,
            self.failures
        );
        assert!(self.cases >= at_least, "only {} cases ran", self.cases);
    }
}

fn check_error<T: core::fmt::Debug>(code: &str, result: Result<T, JsValue>) -> Result<(), String> {
    let thrown = match result {
        Ok(v) => return Err(format!("expected {code}, returned {v:?}")),
        Err(e) => e,
    };
    let error: &js_sys::Error = thrown
        .dyn_ref()
        .ok_or_else(|| format!("thrown value is not an Error: {thrown:?}"))?;
    let got = Reflect::get(&thrown, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .ok_or("error has no string code")?;
    let name: String = error.name().into();
    let message: String = error.message().into();
    if got != code {
        return Err(format!("expected {code}, got {got} ({message})"));
    }
    if name != "SealpostError" {
        return Err(format!("error name {name}"));
    }
    if message.is_empty() || message.chars().count() > 200 {
        return Err(format!("message of {} characters", message.chars().count()));
    }
    if message.chars().any(char::is_control) {
        return Err(format!("control character in message {message:?}"));
    }
    let secret = courier().to_secret_string();
    let leaks: Vec<&str> = PERSONAL
        .iter()
        .copied()
        .chain([secret.as_str(), &secret[21..40], "xxxxxxxxxx"])
        .filter(|s| message.contains(s))
        .collect();
    if !leaks.is_empty() {
        return Err(format!("message {message:?} repeats {leaks:?}"));
    }
    Ok(())
}

fn still_works() -> Result<(), String> {
    let text = seal_js(address(), key(), "ORD-OK".into(), "region".into())
        .map_err(|e| format!("seal threw {e:?}"))?;
    let envelope: Envelope = text.parse().map_err(|e| format!("{e}"))?;
    envelope
        .open(&[courier()], Some("ORD-OK"))
        .map_err(|e| format!("open: {e}"))?;
    Ok(())
}

#[wasm_bindgen_test]
fn the_test_address_and_key_are_valid() {
    // the matrix below changes one thing at a time from these
    validate_address_js(address()).unwrap();
    assert!(seal_address(address()).unwrap().starts_with("spe1."));
    assert_eq!(
        key_id_js(key()).unwrap(),
        courier().key_id().to_hex(),
        "keyId of the test key"
    );
    assert!(still_works().is_ok());
    assert!(!version_js().is_empty());
}

#[wasm_bindgen_test]
fn address_argument_of_the_wrong_type() {
    let mut m = Matrix::new();
    let not_objects: Vec<(&str, JsValue)> = vec![
        ("undefined", JsValue::UNDEFINED),
        ("null", JsValue::NULL),
        ("true", JsValue::TRUE),
        ("0", 0.into()),
        ("NaN", f64::NAN.into()),
        ("string", "Quintessa Sentinel".into()),
        ("JSON string", ADDRESS.into()),
        ("BigInt", js_sys::BigInt::from(5u32).into()),
        ("Symbol", js_sys::Symbol::for_("address").into()),
        ("array", Array::of1(&address()).into()),
        ("function", js_sys::Function::new_no_args("return 1").into()),
        ("Date", js_sys::Date::new_0().into()),
        ("Map", js_sys::Map::new().into()),
    ];
    for (what, value) in not_objects {
        m.expect(
            &format!("seal(address = {what})"),
            "invalid_address",
            seal_address(value.clone()),
        );
        m.expect(
            &format!("validateAddress({what})"),
            "invalid_address",
            validate_address_js(value),
        );
    }
    // a plain object without keys is an address with every field empty
    m.expect(
        "seal(address = {})",
        "name_missing",
        seal_address(Object::new().into()),
    );
    m.finish(27);
}

#[wasm_bindgen_test]
fn fields_of_the_wrong_type_missing_or_extra() {
    let mut m = Matrix::new();
    let wrong: Vec<(&str, JsValue)> = vec![
        ("number", 1234567.into()),
        ("boolean", JsValue::TRUE),
        ("null", JsValue::NULL),
        ("object", Object::new().into()),
        ("array", Array::of1(&"x".into()).into()),
        ("BigInt", js_sys::BigInt::from(5u32).into()),
    ];
    for field in string_fields() {
        for (what, value) in &wrong {
            // `null` means "not given", as `undefined` does: the field is empty, which only a
            // required field refuses (SPEC.md §3.4: a missing key means empty).
            if *what == "null" {
                // (the city is not required without the country's address data, SPEC §3.4)
                let code = ["name", "phone", "country"]
                    .contains(&field)
                    .then(|| format!("{}_missing", stem(field)));
                match code {
                    Some(code) => m.expect(
                        &format!("{field} = null"),
                        &code,
                        seal_address(with(field, value)),
                    ),
                    None => m.ok(&format!("{field} = null"), seal_address(with(field, value))),
                }
                continue;
            }
            m.expect(
                &format!("{field} = {what}"),
                "invalid_address",
                seal_address(with(field, value)),
            );
        }
    }
    let street_wrong: Vec<(&str, JsValue)> = vec![
        ("a string", "Sentinelweg 42".into()),
        ("[1]", js("[1]")),
        ("[null]", js("[null]")),
        ("[[line]]", js(r#"[["Sentinelweg 42"]]"#)),
        ("an object", js(r#"{"0":"Sentinelweg 42"}"#)),
    ];
    for (what, value) in &street_wrong {
        m.expect(
            &format!("streetLines = {what}"),
            "invalid_address",
            seal_address(with("streetLines", value)),
        );
    }
    m.expect(
        "streetLines = []",
        "street_missing",
        seal_address(with("streetLines", &js("[]"))),
    );
    m.expect(
        "streetLines with 4 lines",
        "street_too_long",
        seal_address(with("streetLines", &js(r#"["a","b","c","d"]"#))),
    );
    m.expect(
        "streetLines with 100 000 lines",
        "street_too_long",
        seal_address(with(
            "streetLines",
            &(0..100_000).map(|_| JsValue::from("a")).collect::<Array>(),
        )),
    );

    m.expect(
        "streetLines = null",
        "street_missing",
        seal_address(with("streetLines", &JsValue::NULL)),
    );
    // a missing key is an empty field: required ones say which
    for field in ["name", "phone", "country", "streetLines"] {
        m.expect(
            &format!("without {field}"),
            &format!("{}_missing", stem(field)),
            seal_address(without(field)),
        );
    }
    // optional fields may be left out
    for field in [
        "addressLevel1",
        "addressLevel2",
        "addressLevel3",
        "postalCode",
        "company",
        "deliveryNote",
    ] {
        m.ok(
            &format!("without {field}"),
            validate_address_js(without(field)),
        );
    }

    for extra in [
        "fax",
        "Name",
        "street_lines",
        "__proto__",
        "constructor",
        "",
    ] {
        // JSON.parse makes even "__proto__" an own property, as a page's JSON would
        let a = js(&format!(r#"{{"{extra}":"1",{}"#, &ADDRESS[1..]));
        m.expect(
            &format!("extra field {extra:?}"),
            "invalid_address",
            seal_address(a),
        );
    }
    let a = address();
    // a field *name* is the shop's code, not the buyer's: the message may quote its first 40
    // characters, never more
    Reflect::set(&a, &"y".repeat(1 << 20).into(), &"1".into()).unwrap();
    m.expect(
        "extra field with a 1 MB name",
        "invalid_address",
        seal_address(a),
    );
    m.finish(80);
}

#[wasm_bindgen_test]
fn huge_strings_control_characters_and_lone_surrogates_in_fields() {
    let mut m = Matrix::new();
    let huge: JsValue = huge().into();
    for field in string_fields() {
        // the country is checked against the ISO list before its length
        let code = if field == "country" {
            "country_invalid".to_owned()
        } else {
            format!("{}_too_long", stem(field))
        };
        m.expect(
            &format!("{field} of 1 MB"),
            &code,
            seal_address(with(field, &huge)),
        );
    }
    m.expect(
        "street line of 1 MB",
        "street_too_long",
        seal_address(with("streetLines", &Array::of1(&huge))),
    );

    // short enough for every field's length limit (division code: 6)
    let controls = [
        ("NUL", "12\u{0}34"),
        ("ESC", "1\u{1b}[1m"),
        ("newline", "12\n34"),
        ("tab", "12\t34"),
        ("DEL", "1234\u{7f}"),
        ("C1 NEL", "1234\u{85}"),
        ("line separator", "1234\u{2028}"),
        ("RLO", "\u{202e}1234"),
        ("RLI", "\u{2067}1234"),
    ];
    for (what, value) in controls {
        for field in string_fields() {
            let code = match field {
                "country" => "country_invalid".to_owned(),
                // the phone's separators are checked after control characters
                _ => format!("{}_control_character", stem(field)),
            };
            m.expect(
                &format!("{what} in {field}"),
                &code,
                seal_address(with(field, &value.into())),
            );
        }
        m.expect(
            &format!("{what} in a street line"),
            "street_control_character",
            seal_address(with("streetLines", &Array::of1(&value.into()))),
        );
    }

    // Lone UTF-16 surrogates cannot be UTF-8: refused as the field's invalid value (never
    // silently replaced by U+FFFD, never a trap).
    for (where_, json) in [("high", r#""\ud800""#), ("low", r#""\udc00""#)] {
        let lone = js(json);
        m.expect(
            &format!("{where_} surrogate as phone"),
            "phone_invalid",
            seal_address(with("phone", &lone)),
        );
        m.expect(
            &format!("{where_} surrogate as country"),
            "country_invalid",
            seal_address(with("country", &lone)),
        );
        m.expect(
            &format!("{where_} surrogate as postal code"),
            "postal_code_invalid",
            seal_address(with("postalCode", &lone)),
        );
        m.expect(
            &format!("{where_} surrogate as order"),
            "invalid_order_ref",
            seal_order(lone.clone()),
        );
        m.expect(
            &format!("{where_} surrogate as key"),
            "invalid_public_key",
            seal_to(lone.clone()),
        );
        m.expect(
            &format!("{where_} surrogate as disclose"),
            "invalid_disclosure",
            seal_disclose(lone.clone()),
        );
        m.expect(
            &format!("{where_} surrogate as envelope"),
            "unknown_format",
            inspect_js(lone.clone()),
        );
        m.expect(
            &format!("{where_} surrogate as field name"),
            "invalid_address",
            seal_address({
                let a = address();
                Reflect::set(&a, &lone, &"1".into()).unwrap();
                a
            }),
        );
        // in a free-text field or a street line: refused, never sealed as U+FFFD
        let name = js(&format!(r#""Quintessa {}""#, &json[1..json.len() - 1]));
        m.expect(
            &format!("{where_} surrogate in the name"),
            "name_invalid",
            seal_address(with("name", &name)),
        );
        m.expect(
            &format!("{where_} surrogate in a street line"),
            "street_invalid",
            seal_address(with("streetLines", &Array::of1(&name))),
        );
    }
    m.finish(120);
}

#[wasm_bindgen_test]
fn order_references_disclosure_and_envelopes() {
    let mut m = Matrix::new();
    let not_strings: Vec<(&str, JsValue)> = vec![
        ("undefined", JsValue::UNDEFINED),
        ("null", JsValue::NULL),
        ("17", 17.into()),
        ("1.5", 1.5.into()),
        ("NaN", f64::NAN.into()),
        ("true", JsValue::TRUE),
        ("{}", Object::new().into()),
        ("[\"ORD-1\"]", Array::of1(&"ORD-1".into()).into()),
        ("BigInt", js_sys::BigInt::from(17u32).into()),
        ("Symbol", js_sys::Symbol::for_("ORD-1").into()),
    ];
    for (what, value) in &not_strings {
        m.expect(
            &format!("order = {what}"),
            "invalid_order_ref",
            seal_order(value.clone()),
        );
    }
    let bad_orders = [
        ("empty", String::new()),
        ("65 bytes", "A".repeat(65)),
        ("1 MB", huge()),
        ("space", "ORD 1".into()),
        ("NUL", "ORD-1\u{0}".into()),
        ("newline", "ORD-1\n".into()),
        ("non-ASCII", "订单-1".into()),
        ("DEL", "ORD-1\u{7f}".into()),
    ];
    for (what, value) in bad_orders {
        m.expect(
            &format!("order {what}"),
            "invalid_order_ref",
            seal_order(value.into()),
        );
    }
    m.ok("order of 64 bytes", seal_order("A".repeat(64).into()));

    for (what, value) in [
        ("1", JsValue::from(1)),
        ("{}", Object::new().into()),
        ("true", JsValue::TRUE),
        ("\"Country\"", "Country".into()),
        ("\"region \"", "region ".into()),
        ("\"\"", "".into()),
        ("\"all\"", "all".into()),
        ("1 MB", huge().into()),
        ("NUL", "country\u{0}".into()),
    ] {
        m.expect(
            &format!("disclose = {what}"),
            "invalid_disclosure",
            seal_disclose(value),
        );
    }
    m.ok("disclose = null", seal_disclose(JsValue::NULL));

    let good = seal_address(address()).unwrap();
    let body = good.strip_prefix("spe1.").unwrap();
    let envelopes: Vec<(&str, &str, JsValue)> = vec![
        ("undefined", "unknown_format", JsValue::UNDEFINED),
        ("null", "unknown_format", JsValue::NULL),
        ("number", "unknown_format", 5.into()),
        ("object", "unknown_format", Object::new().into()),
        ("empty", "unknown_format", "".into()),
        ("1 MB of x", "unknown_format", huge().into()),
        ("NUL first", "unknown_format", format!("\u{0}{good}").into()),
        (
            "age header",
            "unknown_format",
            "age-encryption.org/v1".into(),
        ),
        (
            "spe2.",
            "unsupported_version",
            format!("spe2.{body}").into(),
        ),
        // the prefix and nothing after it: cut (SPEC.md §3.1, vector 21)
        ("spe1. only", "truncated", "spe1.".into()),
        ("cut", "truncated", good[..good.len() / 2].to_owned().into()),
        (
            "NUL inside",
            "malformed_envelope",
            format!("{good}\u{0}x").into(),
        ),
        ("padding", "malformed_envelope", format!("{good}==").into()),
        (
            "standard base64",
            "malformed_envelope",
            good.replace(['-', '_'], "+").into(),
        ),
        (
            "zeros after a header",
            "malformed_envelope",
            format!("spe1.c3BlAQ{}", "A".repeat(1 << 20)).into(),
        ),
        ("appended", "trailing_data", format!("{good}AAAA").into()),
    ];
    for (what, code, value) in envelopes {
        m.expect(&format!("inspect({what})"), code, inspect_js(value));
    }
    m.ok(
        "inspect(valid, with spaces)",
        inspect_js(format!("  {good}\n").into()),
    );
    m.finish(45);
}

#[wasm_bindgen_test]
fn malformed_wrong_length_zero_and_low_order_keys() {
    let mut m = Matrix::new();
    let good = courier().public_key().to_string();
    let raw = *courier().public_key().as_bytes();
    let secret = courier().to_secret_string();
    let mut typo = good.clone().into_bytes();
    typo[20] = if typo[20] == b'q' { b'p' } else { b'q' };
    let letter = good
        .char_indices()
        .skip(3)
        .find(|(_, c)| c.is_ascii_lowercase())
        .unwrap()
        .0;
    let mut mixed = good.clone();
    mixed.replace_range(letter..=letter, &good[letter..=letter].to_uppercase());
    let mut keys: Vec<(String, String)> = vec![
        ("empty".into(), String::new()),
        ("sp1".into(), "sp1".into()),
        (
            "one character changed".into(),
            String::from_utf8(typo).unwrap(),
        ),
        ("mixed case".into(), mixed),
        ("truncated".into(), good[..60].to_owned()),
        ("one character appended".into(), format!("{good}q")),
        ("bech32 instead of bech32m".into(), {
            bech32::encode::<Bech32>(Hrp::parse("sp").unwrap(), &raw).unwrap()
        }),
        ("another HRP".into(), bech32m("age", &raw)),
        ("the secret key".into(), secret.to_string()),
        (
            "raw hex".into(),
            raw.iter().map(|b| format!("{b:02x}")).collect(),
        ),
        ("31 bytes".into(), bech32m("sp", &raw[..31])),
        ("33 bytes".into(), bech32m("sp", &[&raw[..], &[0]].concat())),
        ("64 bytes".into(), bech32m("sp", &[raw, raw].concat())),
        (
            "NUL inside".into(),
            format!("{}\u{0}{}", &good[..30], &good[30..]),
        ),
        ("1 MB".into(), huge()),
    ];
    for (i, point) in low_order_points().into_iter().enumerate() {
        keys.push((format!("low-order point {i}"), bech32m("sp", &point)));
    }
    for (what, text) in &keys {
        let value: JsValue = text.as_str().into();
        m.expect(
            &format!("seal to {what}"),
            "invalid_public_key",
            seal_to(value.clone()),
        );
        m.expect(
            &format!("seal to [valid, {what}]"),
            "invalid_public_key",
            seal_to(Array::of2(&key(), &value).into()),
        );
        m.expect(
            &format!("keyId({what})"),
            "invalid_public_key",
            key_id_js(value),
        );
    }
    m.ok("upper-case key", seal_to(good.to_uppercase().into()));

    let recipients: Vec<(&str, JsValue)> = vec![
        ("undefined", JsValue::UNDEFINED),
        ("null", JsValue::NULL),
        ("number", 5.into()),
        ("object", Object::new().into()),
        ("array-like object", {
            let o = Object::new();
            Reflect::set(&o, &"0".into(), &key()).unwrap();
            Reflect::set(&o, &"length".into(), &1.into()).unwrap();
            o.into()
        }),
        ("[]", Array::new().into()),
        ("[5]", Array::of1(&5.into()).into()),
        ("[null]", Array::of1(&JsValue::NULL).into()),
        ("[[key]]", Array::of1(&Array::of1(&key())).into()),
        ("the same key twice", Array::of2(&key(), &key()).into()),
        ("a sparse array", Array::new_with_length(2).into()),
        (
            "17 keys",
            (0..17u8)
                .map(|i| {
                    JsValue::from(Identity::derive(&[i; 32]).unwrap().public_key().to_string())
                })
                .collect::<Array>()
                .into(),
        ),
        ("a million holes", Array::new_with_length(1_000_000).into()),
    ];
    for (what, value) in recipients {
        m.expect(
            &format!("recipients = {what}"),
            "invalid_recipients",
            seal_to(value),
        );
    }
    for (what, value) in [
        ("undefined", JsValue::UNDEFINED),
        ("number", 5.into()),
        ("array", Array::of1(&key()).into()),
    ] {
        m.expect(
            &format!("keyId({what})"),
            "invalid_public_key",
            key_id_js(value),
        );
    }
    m.finish(100);
}
