//! The JavaScript API in a real JS engine: headless Chromium (`wasm-pack test --headless
//! --chrome`) and Node (`wasm-pack test --node -- --features node-test`).
//!
//! Seals with the exported functions exactly as a page calls them, then opens the result with
//! the core compiled to the same wasm module, using the vector keys; and checks that every bad
//! input becomes a JS `Error` with a stable `code` while the module keeps working.

use crate::common;

use js_sys::{Array, Reflect, JSON};
use sealpost::{
    keys::parse_identity_file,
    recipients::{TEST_COURIER_IDENTITY, TEST_COURIER_PUBLIC_KEY},
    wasm::{inspect_js, key_id_js, open_test_envelope_js, seal_js, validate_address_js},
    Envelope, Identity,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// Vector 02: a German address, two couriers.
fn vector() -> common::Vector {
    let (_, text) = common::FILES
        .iter()
        .find(|(n, _)| n.starts_with("02-"))
        .unwrap();
    common::parse(text)
}

fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn address_js(v: &common::Vector) -> JsValue {
    js(&serde_json::to_string(v.expect.address.as_ref().unwrap()).unwrap())
}

fn keys_js(v: &common::Vector) -> JsValue {
    v.sealed_to
        .iter()
        .map(|k| JsValue::from_str(k))
        .collect::<Array>()
        .into()
}

/// The `code` of a thrown error, after checking it is a real `Error` whose message does not
/// echo anything from the address.
fn code_of(result: Result<impl core::fmt::Debug, JsValue>) -> String {
    let err = match result {
        Ok(_) => return "<no error>".to_owned(),
        Err(err) => err,
    };
    let e: &js_sys::Error = err.dyn_ref().expect("thrown value is an Error");
    let message: String = e.message().into();
    for secret in ["Mustermann", "1234567", "Heidestra"] {
        assert!(!message.contains(secret), "message leaks input: {message}");
    }
    Reflect::get(&err, &"code".into())
        .unwrap()
        .as_string()
        .expect("error.code is a string")
}

#[wasm_bindgen_test]
fn seal_in_js_then_open_with_the_core() {
    let v = vector();
    let text = seal_js(
        address_js(&v),
        keys_js(&v),
        "WEB-0001".into(),
        "region".into(),
    )
    .unwrap();
    assert!(text.starts_with("spe1."));
    let envelope: Envelope = text.parse().unwrap();
    assert_eq!(envelope.order_ref(), "WEB-0001");
    assert_eq!(
        envelope.disclosed().address_level1.as_deref(),
        Some("Berlin")
    );
    let ids = parse_identity_file(&v.identity).unwrap();
    let opened = envelope.open(&ids, Some("WEB-0001")).unwrap();
    assert_eq!(Some(&opened), v.expect.address.as_ref());
    // two seals of the same address differ: fresh randomness from crypto.getRandomValues
    let again = seal_js(
        address_js(&v),
        keys_js(&v),
        "WEB-0001".into(),
        "region".into(),
    )
    .unwrap();
    assert_ne!(text, again);
}

#[wasm_bindgen_test]
fn one_key_as_a_plain_string_and_inspect() {
    let v = vector();
    let key = JsValue::from_str(&v.sealed_to[0]);
    let text = seal_js(
        address_js(&v),
        key.clone(),
        "WEB-0002".into(),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let view = inspect_js(text.into()).unwrap();
    assert_eq!(
        Reflect::get(&view, &"orderRef".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "WEB-0002"
    );
    let recipients: Array = Reflect::get(&view, &"recipients".into()).unwrap().into();
    assert_eq!(recipients.length(), 1);
    let kid = Reflect::get(&recipients.get(0), &"keyId".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(kid, key_id_js(key).unwrap());
}

/// `inspect` and `openTestEnvelope` build their objects by hand: they must be exactly what the
/// core types' serde derives describe, key order included.
#[wasm_bindgen_test]
fn inspect_and_open_test_envelope_return_the_documented_json_shape() {
    let v = vector();
    for disclose in ["none", "country", "region"] {
        let text = seal_js(
            address_js(&v),
            JsValue::from_str(TEST_COURIER_PUBLIC_KEY),
            "WEB-0003".into(),
            disclose.into(),
        )
        .unwrap();
        let envelope: Envelope = text.parse().unwrap();
        let stringify = |value: &JsValue| String::from(JSON::stringify(value).unwrap());
        assert_eq!(
            stringify(&inspect_js(text.clone().into()).unwrap()),
            serde_json::to_string(&envelope.inspect()).unwrap(),
            "inspect, disclose {disclose}"
        );
        let identity = Identity::from_secret_str(TEST_COURIER_IDENTITY).unwrap();
        let address = envelope.open(&[identity], None).unwrap();
        assert_eq!(
            stringify(&open_test_envelope_js(text.into(), "WEB-0003".into()).unwrap()),
            serde_json::to_string(&address).unwrap(),
            "openTestEnvelope, disclose {disclose}"
        );
    }
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_with_stable_codes_and_the_module_survives() {
    let v = vector();
    let addr = || address_js(&v);
    let keys = || keys_js(&v);
    let with = |field: &str, value: JsValue| {
        let a = addr();
        Reflect::set(&a, &field.into(), &value).unwrap();
        a
    };
    let without = |field: &str| {
        let a = addr();
        Reflect::delete_property(a.unchecked_ref::<js_sys::Object>(), &field.into()).unwrap();
        a
    };
    let huge = JsValue::from_str(&"x".repeat(1 << 20));
    let lone_surrogate = js(r#""\ud800abc""#);
    let cases: Vec<(&str, Result<String, JsValue>)> = vec![
        (
            "invalid_address",
            seal_js(JsValue::NULL, keys(), "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_address",
            seal_js(42.into(), keys(), "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_address",
            seal_js(
                Array::new().into(),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_address",
            seal_js(
                with("phone", 1234567.into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_address",
            seal_js(
                with("fax", "1".into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "name_missing",
            seal_js(without("name"), keys(), "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_address",
            seal_js(
                with("streetLines", "Heidestraße 17".into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "name_too_long",
            seal_js(
                with("name", huge.clone()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "name_control_character",
            seal_js(
                with("name", "Erika\0".into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "phone_invalid",
            seal_js(
                with("phone", "12".into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "country_invalid",
            seal_js(
                with("country", "XX".into()),
                keys(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_order_ref",
            seal_js(addr(), keys(), 17.into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_order_ref",
            seal_js(addr(), keys(), "".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_order_ref",
            seal_js(addr(), keys(), huge.clone(), JsValue::UNDEFINED),
        ),
        (
            "invalid_order_ref",
            seal_js(addr(), keys(), "订单 1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_disclosure",
            seal_js(addr(), keys(), "O-1".into(), "everything".into()),
        ),
        (
            "invalid_recipients",
            seal_js(
                addr(),
                Array::new().into(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_recipients",
            seal_js(addr(), JsValue::NULL, "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_recipients",
            seal_js(
                addr(),
                [JsValue::from(5)].iter().collect::<Array>().into(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_public_key",
            seal_js(addr(), "sp1qqqq".into(), "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_public_key",
            seal_js(
                addr(),
                "0".repeat(64).into(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_public_key",
            seal_js(addr(), huge.clone(), "O-1".into(), JsValue::UNDEFINED),
        ),
        (
            "invalid_public_key",
            seal_js(
                addr(),
                lone_surrogate.clone(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "invalid_recipients",
            seal_js(
                addr(),
                [v.sealed_to[0].clone(), v.sealed_to[0].clone()]
                    .iter()
                    .map(|s| JsValue::from_str(s))
                    .collect::<Array>()
                    .into(),
                "O-1".into(),
                JsValue::UNDEFINED,
            ),
        ),
        (
            "unknown_format",
            inspect_js("hello".into()).map(|_| String::new()),
        ),
        (
            "truncated",
            inspect_js("spe1.c3BlAQ".into()).map(|_| String::new()),
        ),
        ("invalid_public_key", key_id_js(JsValue::UNDEFINED)),
    ];
    let mut wrong = Vec::new();
    for (i, (want, result)) in cases.into_iter().enumerate() {
        let got = code_of(result);
        if got != want {
            wrong.push(format!("case {i}: expected {want}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // the field of an address error is reported for the form to point at
    let err = validate_address_js(with("postalCode", "1!".into())).unwrap_err();
    assert_eq!(
        Reflect::get(&err, &"field".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "postalCode"
    );
    // and after all that the module still works
    assert!(seal_js(addr(), keys(), "O-2".into(), "country".into())
        .unwrap()
        .starts_with("spe1."));
}

#[wasm_bindgen_test]
fn a_lone_surrogate_in_a_field_is_an_error_not_a_trap() {
    let v = vector();
    let a = address_js(&v);
    Reflect::set(&a, &"name".into(), &js(r#""Erika \udc00""#)).unwrap();
    // serde-wasm-bindgen may replace the surrogate or refuse it; either way it must not trap
    let r = seal_js(a, keys_js(&v), "O-3".into(), JsValue::UNDEFINED);
    if let Err(e) = r {
        assert!(Reflect::get(&e, &"code".into()).unwrap().is_string());
    }
}
