//! The widget with a signed courier directory, in headless Chromium: it seals only to keys the
//! pinned platform key certified, valid now, allowed by the shop, from a directory no older than
//! one this browser saw; every refusal is an `error` event with its code and no `sealed` event.

use js_sys::{Object, Reflect, JSON};

use crate::widget::Fixture;
use sealpost::{
    directory::{Courier, CourierKey, Directory, PlatformSigningKey},
    keys::UtcSeconds,
    widget::mount,
    Envelope, Identity,
};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

const DAY: i64 = 86_400;

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn identity(b: u8) -> Identity {
    Identity::derive(&[b; 32]).unwrap()
}

/// Each test its own platform key, so the serials remembered in localStorage do not mix.
fn platform(seed: u8) -> PlatformSigningKey {
    PlatformSigningKey::from_seed(&[seed; 32])
}

fn key(id: &Identity, from_days: i64, until_days: i64) -> CourierKey {
    CourierKey {
        public_key: id.public_key().clone(),
        valid_from: UtcSeconds((now() + from_days * DAY) as u64),
        valid_until: UtcSeconds((now() + until_days * DAY) as u64),
    }
}

fn courier(id: &str, keys: Vec<CourierKey>) -> Courier {
    Courier {
        id: id.into(),
        name_zh: "顺丰速运".into(),
        name_en: "SF Express".into(),
        logo: None,
        keys,
    }
}

fn signed(platform: &PlatformSigningKey, serial: u64, couriers: Vec<Courier>) -> String {
    Directory {
        serial,
        issued: UtcSeconds(now() as u64),
        expires: UtcSeconds((now() + 60 * DAY) as u64),
        couriers,
    }
    .sign(platform)
    .unwrap()
    .to_string()
}

fn options(directory: &str, platform_key: &str, allowed: Option<&[&str]>) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"directory".into(), &directory.into()).unwrap();
    Reflect::set(&o, &"platformKey".into(), &platform_key.into()).unwrap();
    Reflect::set(&o, &"orderRef".into(), &"DIR-1".into()).unwrap();
    Reflect::set(&o, &"locale".into(), &"en".into()).unwrap();
    Reflect::set(&o, &"shadow".into(), &"open".into()).unwrap();
    if let Some(ids) = allowed {
        let list = js_sys::Array::new();
        for id in ids {
            list.push(&(*id).into());
        }
        Reflect::set(&o, &"allowedCouriers".into(), &list).unwrap();
    }
    o.into()
}

/// The widget tests' fixture, filled in with a Chinese address.
fn fixture(opts: JsValue) -> Fixture {
    let f = Fixture::mount(opts);
    f.fill_cn();
    f
}

trait Sealing {
    /// Seals; returns the envelope, or the code of the thrown error after checking that an
    /// `error` event with the same code was sent and no `sealed` event.
    fn seal(&self) -> Result<Envelope, String>;
    /// The `sealed` and `error` events sent, in order.
    fn kinds(&self) -> Vec<String>;
}

impl Sealing for Fixture {
    fn seal(&self) -> Result<Envelope, String> {
        self.events.borrow_mut().clear();
        match self.form.seal() {
            Ok(detail) => {
                let text = Reflect::get(&detail, &"envelope".into())
                    .unwrap()
                    .as_string()
                    .unwrap();
                assert_eq!(self.kinds(), ["sealed"]);
                Ok(text.parse().unwrap())
            }
            Err(e) => {
                let code = Reflect::get(&e, &"code".into())
                    .unwrap()
                    .as_string()
                    .unwrap();
                assert_eq!(self.kinds(), ["error"], "{code}");
                let detail = self.events("error")[0].clone();
                assert!(detail.contains(&format!("\"code\":\"{code}\"")), "{detail}");
                Err(code)
            }
        }
    }

    fn kinds(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| k == "sealed" || k == "error")
            .collect()
    }
}

fn address_opens(envelope: &Envelope, who: &Identity) -> bool {
    envelope
        .open(std::slice::from_ref(who), Some("DIR-1"))
        .is_ok_and(|a| a.name == "张三")
}

#[wasm_bindgen_test]
fn seals_to_every_allowed_certified_courier() {
    let p = platform(1);
    let (sf, zto, ems) = (identity(0x11), identity(0x22), identity(0x33));
    let dir = signed(
        &p,
        1,
        vec![
            courier("sf", vec![key(&sf, -1, 30)]),
            courier("zto", vec![key(&zto, -1, 30)]),
            courier("ems", vec![key(&ems, -1, 30)]),
        ],
    );
    let pk = p.public_key().to_string();
    let f = fixture(options(&dir, &pk, Some(&["sf", "zto", "dhl"])));
    let envelope = f.seal().unwrap();
    let ids: Vec<_> = envelope.recipients().iter().map(|r| r.key_id).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&sf.key_id()) && ids.contains(&zto.key_id()));
    assert!(address_opens(&envelope, &sf));
    assert!(address_opens(&envelope, &zto));
    assert!(!address_opens(&envelope, &ems));
    // without allowedCouriers: every certified courier (the seller chooses later)
    let f = fixture(options(&dir, &pk, None));
    assert_eq!(f.seal().unwrap().recipients().len(), 3);
}

#[wasm_bindgen_test]
fn tampered_directory_is_refused() {
    let p = platform(2);
    let dir = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -1, 30)])]);
    // one character of the signature changed
    let mut chars: Vec<char> = dir.chars().collect();
    let i = chars.len() - 3;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let forged: String = chars.into_iter().collect();
    let f = fixture(options(&forged, &p.public_key().to_string(), None));
    assert_eq!(f.seal().unwrap_err(), "directory_signature_invalid");
}

#[wasm_bindgen_test]
fn directory_signed_by_another_key_is_refused() {
    let dir = signed(
        &platform(3),
        1,
        vec![courier("sf", vec![key(&identity(1), -1, 30)])],
    );
    let pinned = platform(4).public_key().to_string();
    let f = fixture(options(&dir, &pinned, None));
    assert_eq!(f.seal().unwrap_err(), "directory_wrong_key");
}

#[wasm_bindgen_test]
fn expired_and_not_yet_valid_keys_are_refused() {
    let p = platform(5);
    let pk = p.public_key().to_string();
    let expired = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -30, -1)])]);
    assert_eq!(
        fixture(options(&expired, &pk, None)).seal().unwrap_err(),
        "directory_key_expired"
    );
    let stale = Directory {
        serial: 1,
        issued: UtcSeconds((now() - 30 * DAY) as u64),
        expires: UtcSeconds((now() - DAY) as u64),
        couriers: vec![courier("sf", vec![key(&identity(1), -40, 300)])],
    }
    .sign(&p)
    .unwrap()
    .to_string();
    assert_eq!(
        fixture(options(&stale, &pk, None)).seal().unwrap_err(),
        "directory_expired"
    );
    let future = signed(&p, 2, vec![courier("sf", vec![key(&identity(1), 1, 30)])]);
    assert_eq!(
        fixture(options(&future, &pk, None)).seal().unwrap_err(),
        "directory_key_not_yet_valid"
    );
}

#[wasm_bindgen_test]
fn directory_without_usable_courier_is_refused() {
    let p = platform(6);
    let pk = p.public_key().to_string();
    let dir = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -1, 30)])]);
    assert_eq!(
        fixture(options(&dir, &pk, Some(&["zto"])))
            .seal()
            .unwrap_err(),
        "no_usable_courier"
    );
    let revoked = signed(&p, 2, vec![courier("sf", vec![])]);
    assert_eq!(
        fixture(options(&revoked, &pk, None)).seal().unwrap_err(),
        "no_usable_courier"
    );
}

#[wasm_bindgen_test]
fn rollback_to_an_older_serial_is_refused() {
    let p = platform(7);
    let pk = p.public_key().to_string();
    let storage_key = format!("{}{pk}", sealpost::widget::SEEN_SERIAL_PREFIX);
    let storage = web_sys::window().unwrap();
    let storage = Reflect::get(&storage, &"localStorage".into()).unwrap();
    let remove: js_sys::Function = Reflect::get(&storage, &"removeItem".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    remove
        .call1(&storage, &storage_key.as_str().into())
        .unwrap();
    let a = identity(1);
    let v5 = signed(&p, 5, vec![courier("sf", vec![key(&a, -1, 30)])]);
    let v4 = signed(&p, 4, vec![courier("sf", vec![key(&a, -1, 30)])]);
    // v4 is fine while nothing newer was seen
    let f = fixture(options(&v4, &pk, None));
    assert!(f.seal().is_ok());
    f.form.set_options(options(&v5, &pk, None)).unwrap();
    assert!(f.seal().is_ok());
    let get: js_sys::Function = Reflect::get(&storage, &"getItem".into())
        .unwrap()
        .dyn_into()
        .unwrap();
    let stored = get.call1(&storage, &storage_key.as_str().into()).unwrap();
    assert_eq!(stored.as_string().as_deref(), Some("5"));
    // the same page, then a fresh page load, handed the older issue
    f.form.set_options(options(&v4, &pk, None)).unwrap();
    assert_eq!(f.seal().unwrap_err(), "directory_rollback");
    assert_eq!(
        fixture(options(&v4, &pk, None)).seal().unwrap_err(),
        "directory_rollback"
    );
}

#[wasm_bindgen_test]
fn storage_unavailable_still_verifies_without_trapping() {
    let p = platform(8);
    let pk = p.public_key().to_string();
    let good = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -1, 30)])]);
    // localStorage that throws, as in a sandboxed frame or with storage blocked
    let block = js_sys::Function::new_no_args(
        "const d = Object.getOwnPropertyDescriptor(window, 'localStorage');
         Object.defineProperty(window, 'localStorage', { configurable: true,
           get() { throw new DOMException('blocked', 'SecurityError'); } });
         return d;",
    );
    let saved = block.call0(&JsValue::NULL).unwrap();
    let blocked = Reflect::get(&js_sys::global(), &"localStorage".into()).is_err();
    let sealed = fixture(options(&good, &pk, None)).seal();
    let other = signed(
        &platform(9),
        1,
        vec![courier("sf", vec![key(&identity(1), -1, 30)])],
    );
    let wrong = fixture(options(&other, &pk, None)).seal();
    let restore = js_sys::Function::new_with_args(
        "d",
        "if (d) { Object.defineProperty(window, 'localStorage', d); }
         else { delete window.localStorage; }",
    );
    restore.call1(&JsValue::NULL, &saved).unwrap();
    assert!(
        blocked,
        "localStorage was not blocked: the test tests nothing"
    );
    assert!(Reflect::get(&js_sys::global(), &"localStorage".into())
        .unwrap()
        .is_object());
    assert!(sealed.is_ok(), "{sealed:?}");
    assert_eq!(wrong.unwrap_err(), "directory_wrong_key");
}

#[wasm_bindgen_test]
fn misconfigured_directory_options_throw_with_codes() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let p = platform(10);
    let dir = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -1, 30)])]);
    let code = |opts: JsValue| -> String {
        let host: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
        let err = mount(host, opts).unwrap_err();
        Reflect::get(&err, &"code".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    // no pinned key
    let o = options(&dir, "", None);
    Reflect::delete_property(o.unchecked_ref::<Object>(), &"platformKey".into()).unwrap();
    assert_eq!(code(o), "invalid_platform_key");
    // a courier key where the platform key belongs
    let o = options(&dir, &identity(1).public_key().to_string(), None);
    assert_eq!(code(o), "invalid_platform_key");
    // raw keys and a directory together
    let o = options(&dir, &p.public_key().to_string(), None);
    Reflect::set(
        &o,
        &"couriers".into(),
        &identity(2).public_key().to_string().into(),
    )
    .unwrap();
    assert_eq!(code(o), "invalid_recipients");
    // allowedCouriers of the wrong shape
    let o = options(&dir, &p.public_key().to_string(), None);
    Reflect::set(&o, &"allowedCouriers".into(), &"sf".into()).unwrap();
    assert_eq!(code(o), "invalid_recipients");
    // garbage directory: refused when sealing, never sealed to anything
    let f = fixture(options("spdir1.garbage", &p.public_key().to_string(), None));
    assert_eq!(f.seal().unwrap_err(), "invalid_directory");
}

#[wasm_bindgen_test]
fn the_buyer_is_told_which_couriers_can_read_it_and_the_page_cannot_relabel_it() {
    let p = platform(11);
    let zto = Courier {
        id: "zto".into(),
        name_zh: "中通快递".into(),
        name_en: "ZTO Express".into(),
        logo: None,
        keys: vec![key(&identity(2), -1, 30)],
    };
    let dir = signed(
        &p,
        1,
        vec![courier("sf", vec![key(&identity(1), -1, 30)]), zto],
    );
    let pk = p.public_key().to_string();
    let o = options(&dir, &pk, None);
    let strings = JSON::parse(
        r#"{"recipients":"Only the seller can read {couriers}","test_mode":"Secure checkout"}"#,
    )
    .unwrap();
    Reflect::set(&o, &"strings".into(), &strings).unwrap();
    let f = fixture(o);
    let notice = || {
        let n = f
            .host
            .shadow_root()
            .unwrap()
            .query_selector(".recipients")
            .unwrap()
            .unwrap();
        assert!(n.get_attribute("part").is_none(), "::part could hide it");
        (
            n.has_attribute("hidden"),
            n.text_content().unwrap_or_default(),
        )
    };
    assert_eq!(
        notice(),
        (
            false,
            "Only SF Express and ZTO Express can read this address.".into()
        )
    );
    // the shop narrows its couriers, the buyer reads Chinese: the notice follows
    let o = options(&dir, &pk, Some(&["zto"]));
    Reflect::set(&o, &"locale".into(), &"zh-CN".into()).unwrap();
    f.form.set_options(o).unwrap();
    assert_eq!(notice(), (false, "仅 中通快递 可解密此地址。".into()));
    // the envelope goes to exactly the couriers named
    let ids: Vec<_> = f
        .seal()
        .unwrap()
        .recipients()
        .iter()
        .map(|r| r.key_id)
        .collect();
    assert_eq!(ids, vec![identity(2).key_id()]);
    // test mode: no courier named, the built-in badge instead
    let o = options(&dir, &pk, None);
    Reflect::set(&o, &"testMode".into(), &true.into()).unwrap();
    f.form.set_options(o).unwrap();
    assert!(notice().0, "test mode must not name certified couriers");

    // raw keys beside a pinned platform key (no directory): refused, not sealed to
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    let o = Object::new();
    Reflect::set(&o, &"platformKey".into(), &pk.as_str().into()).unwrap();
    Reflect::set(
        &o,
        &"couriers".into(),
        &identity(3).public_key().to_string().into(),
    )
    .unwrap();
    let err = mount(host, o.into()).unwrap_err();
    assert_eq!(
        Reflect::get(&err, &"code".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "invalid_recipients"
    );
}

#[wasm_bindgen_test]
fn verify_directory_names_the_couriers_it_would_seal_to() {
    let p = platform(12);
    let dir = signed(&p, 1, vec![courier("sf", vec![key(&identity(1), -1, 30)])]);
    let pk = p.public_key().to_string();
    let list = sealpost::wasm::verify_directory_js(
        dir.as_str().into(),
        pk.as_str().into(),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let text = JSON::stringify(&list).map(String::from).unwrap();
    assert_eq!(
        text,
        format!(
            r#"[{{"id":"sf","nameZh":"顺丰速运","nameEn":"SF Express","keyId":"{}"}}]"#,
            identity(1).key_id().to_hex()
        )
    );
    let code = |r: Result<JsValue, JsValue>| {
        Reflect::get(&r.unwrap_err(), &"code".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    let other = platform(13).public_key().to_string();
    assert_eq!(
        code(sealpost::wasm::verify_directory_js(
            dir.as_str().into(),
            other.as_str().into(),
            JsValue::UNDEFINED
        )),
        "directory_wrong_key"
    );
    let none = js_sys::Array::of1(&"zto".into());
    assert_eq!(
        code(sealpost::wasm::verify_directory_js(
            dir.as_str().into(),
            pk.as_str().into(),
            none.into()
        )),
        "no_usable_courier"
    );
}
