//! The address form in headless Chromium (`wasm-pack test --headless --chrome`): layout per
//! country, validation messages in both languages, string overrides, events that carry no
//! plaintext, test mode, and misuse that must fail cleanly instead of trapping.

use std::{cell::RefCell, rc::Rc};

use js_sys::{Object, Reflect, JSON};
use sealpost::{
    wasm::open_test_envelope_js,
    widget::{mount, AddressForm},
};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, Event, HtmlElement};

fn options(json: &str) -> JsValue {
    let o = JSON::parse(json).unwrap();
    Reflect::set(&o, &"shadow".into(), &"open".into()).unwrap();
    o
}

/// The events the form sends, and their deprecated aliases.
const EVENTS: [&str; 8] = [
    "sealpost-ready",
    "sealpost-change",
    "sealpost-sealed",
    "sealpost-error",
    "ready",
    "change",
    "sealed",
    "error",
];

/// A mounted form in the document that records every event it sends (shared with the
/// `directory` tests).
pub(crate) struct Fixture {
    pub(crate) host: HtmlElement,
    pub(crate) form: Rc<AddressForm>,
    pub(crate) events: Rc<RefCell<Vec<(String, String)>>>,
    _listeners: Vec<Closure<dyn FnMut(Event)>>,
}

fn fixture(opts: &str) -> Fixture {
    Fixture::mount(options(opts))
}

impl Fixture {
    pub(crate) fn mount(opts: JsValue) -> Fixture {
        let doc = web_sys::window().unwrap().document().unwrap();
        let host: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
        doc.body().unwrap().append_child(&host).unwrap();
        let events = Rc::new(RefCell::new(Vec::new()));
        let mut listeners = Vec::new();
        for kind in EVENTS {
            let events = events.clone();
            let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
                let detail = Reflect::get(&e, &"detail".into()).unwrap();
                let text = JSON::stringify(&detail)
                    .map(String::from)
                    .unwrap_or_default();
                events.borrow_mut().push((e.type_(), text));
            });
            host.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())
                .unwrap();
            listeners.push(closure);
        }
        let form = Rc::new(mount(host.clone(), opts).unwrap());
        Fixture {
            host,
            form,
            events,
            _listeners: listeners,
        }
    }
    fn q(&self, selector: &str) -> Option<Element> {
        self.host
            .shadow_root()
            .unwrap()
            .query_selector(selector)
            .unwrap()
    }

    fn names(&self) -> Vec<String> {
        let list = self
            .host
            .shadow_root()
            .unwrap()
            .query_selector_all("input, select, textarea")
            .unwrap();
        (0..list.length())
            .map(|i| {
                list.item(i)
                    .unwrap()
                    .dyn_into::<Element>()
                    .unwrap()
                    .get_attribute("name")
                    .unwrap()
            })
            .collect()
    }

    fn attr(&self, name: &str, attr: &str) -> Option<String> {
        self.q(&format!("[name='{name}']"))
            .unwrap()
            .get_attribute(attr)
    }

    /// Types `value` into a field the way the browser reports it: value, then input and
    /// focusout events.
    fn type_into(&self, name: &str, value: &str) {
        let input = self.q(&format!("[name='{name}']")).unwrap();
        Reflect::set(&input, &"value".into(), &value.into()).unwrap();
        input.dispatch_event(&Event::new("input").unwrap()).unwrap();
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        input
            .dispatch_event(&Event::new_with_event_init_dict("focusout", &init).unwrap())
            .unwrap();
    }

    /// Chooses a country; the form lays itself out again in a microtask (after whatever else
    /// the browser does in the same task, such as autofill), which this awaits.
    async fn select_country(&self, code: &str) {
        let select = self.q("[name='country']").unwrap();
        Reflect::set(&select, &"value".into(), &code.into()).unwrap();
        select
            .dispatch_event(&Event::new("change").unwrap())
            .unwrap();
        tick().await;
    }

    fn error_text(&self, name: &str) -> String {
        let id = self.attr(name, "aria-describedby").unwrap();
        let e = self.q(&format!("#{id}")).unwrap();
        if e.has_attribute("hidden") {
            String::new()
        } else {
            e.text_content().unwrap_or_default()
        }
    }

    fn label(&self, name: &str) -> String {
        let id = self.attr(name, "id").unwrap();
        self.q(&format!("label[for='{id}']"))
            .unwrap()
            .text_content()
            .unwrap()
    }

    pub(crate) fn fill_cn(&self) {
        for (n, v) in [
            ("name", "张三"),
            ("phone", "13812345678"),
            ("province", "浙江省"),
            ("city", "杭州市"),
            ("district", "西湖区"),
            ("street", "文三路 90 号"),
            ("postal-code", "310012"),
        ] {
            self.type_into(n, v);
        }
    }

    pub(crate) fn events(&self, kind: &str) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, d)| d.clone())
            .collect()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.form.destroy();
        self.host.remove();
    }
}

/// Lets the microtasks queued so far run (the form's re-layout).
async fn tick() {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&JsValue::UNDEFINED))
        .await
        .unwrap();
}

#[wasm_bindgen_test]
async fn china_layout_then_international_with_autofill_tokens() {
    let f = fixture(r#"{"locale":"en","testMode":true,"orderRef":"L-1"}"#);
    assert_eq!(f.events("sealpost-ready").len(), 1);
    assert_eq!(f.events("ready").len(), 1);
    assert_eq!(
        f.names(),
        [
            "name",
            "phone",
            "country",
            "province",
            "city",
            "district",
            "street",
            "postal-code",
            "company",
            "delivery-note"
        ]
    );
    assert_eq!(
        f.attr("street", "autocomplete").unwrap(),
        "shipping street-address"
    );
    assert_eq!(
        f.attr("district", "autocomplete").unwrap(),
        "shipping address-level3"
    );
    assert_eq!(f.attr("postal-code", "inputmode").unwrap(), "numeric");
    // what was typed survives the change of layout
    f.type_into("name", "Jane Roe");
    f.select_country("US").await;
    assert_eq!(
        f.names(),
        [
            "name",
            "phone",
            "country",
            "address-line1",
            "address-line2",
            "city",
            "state",
            "postal-code",
            "company",
            "delivery-note"
        ]
    );
    assert_eq!(
        f.attr("address-line2", "autocomplete").unwrap(),
        "shipping address-line2"
    );
    let name = f.q("[name='name']").unwrap();
    assert_eq!(
        Reflect::get(&name, &"value".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "Jane Roe"
    );
    // labels on every control, each error tied by aria-describedby
    for n in f.names() {
        assert!(!f.label(&n).is_empty(), "{n} has no label");
        assert!(f.attr(&n, "aria-describedby").is_some());
    }
}

/// After the common countries and the separator, the menu lists the rest by name as the
/// locale's collator orders them, names it finds equal in code order: what a stable sort of
/// the codes' names gives.
#[wasm_bindgen_test]
fn the_country_menu_is_ordered_by_the_locales_collator() {
    for lang in ["en", "zh", "de"] {
        let f = fixture(&format!(
            r#"{{"locale":"{lang}","testMode":true,"orderRef":"M-1"}}"#
        ));
        let list = f
            .host
            .shadow_root()
            .unwrap()
            .query_selector_all("select option")
            .unwrap();
        let menu: Vec<(String, String)> = (0..list.length())
            .map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap())
            .skip_while(|o| !o.has_attribute("disabled"))
            .skip(1)
            .map(|o| {
                let code = o.get_attribute("value").unwrap();
                (o.text_content().unwrap(), code)
            })
            .collect();
        assert!(menu.len() > 200, "{lang}: {} countries", menu.len());
        let tag = sealpost::form::Locale::from_tag(lang).tag();
        let collator =
            js_sys::Intl::Collator::new(&js_sys::Array::of1(&tag.into()), &Object::new());
        let compare = collator.compare();
        let mut expected = menu.clone();
        expected.sort_by(|a, b| a.1.cmp(&b.1));
        expected.sort_by(|a, b| {
            let order = compare
                .call2(&collator, &a.0.as_str().into(), &b.0.as_str().into())
                .unwrap()
                .as_f64()
                .unwrap();
            order.partial_cmp(&0.0).unwrap()
        });
        assert_eq!(menu, expected, "{lang}");
    }
}

#[wasm_bindgen_test]
fn messages_in_both_languages_and_shop_overrides() {
    let zh = fixture(r#"{"locale":"zh-CN"}"#);
    zh.type_into("phone", "12345");
    assert_eq!(zh.error_text("phone"), "请输入以 1 开头的 11 位手机号码。");
    assert_eq!(zh.attr("phone", "aria-invalid").unwrap(), "true");
    zh.type_into("phone", "13812345678");
    assert_eq!(zh.error_text("phone"), "");
    assert_eq!(zh.attr("phone", "aria-invalid").unwrap(), "false");

    let en = fixture(
        r#"{"locale":"en","strings":{"label.name":"Recipient","error.missing":"Please fill in the {label}!"}}"#,
    );
    assert!(en.label("name").starts_with("Recipient"));
    en.type_into("postal-code", "31");
    assert_eq!(
        en.error_text("postal-code"),
        "Enter the 6-digit postal code."
    );
    // submitting marks every invalid field and focuses the first
    let err = en.form.seal().unwrap_err();
    assert_eq!(
        Reflect::get(&err, &"code".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "name_missing"
    );
    assert_eq!(en.error_text("name"), "Please fill in the recipient!");
    let focused = en.host.shadow_root().unwrap().active_element().unwrap();
    assert_eq!(focused.get_attribute("name").unwrap(), "name");
    // switching the locale re-translates labels and shown errors
    en.form
        .set_options(options(r#"{"locale":"zh-CN"}"#))
        .unwrap();
    assert!(en.label("name").starts_with("收件人"));
    assert_eq!(en.error_text("name"), "请填写收件人。");
}

#[wasm_bindgen_test]
fn events_carry_validity_and_the_envelope_never_the_address() {
    let f = fixture(
        r#"{"locale":"en","testMode":true,"orderRef":"WIDGET-1","disclose":"province",
            "strings":{"test_mode":"Secure checkout","submit":"Save"}}"#,
    );
    let badge = f.q(".test-badge").unwrap();
    assert!(!badge.has_attribute("hidden"), "test mode must be visible");
    // the page can relabel the button, never the test badge, nor hide it with ::part
    assert!(badge
        .text_content()
        .unwrap()
        .starts_with("TEST MODE: this address is sealed to a public test key"));
    assert!(badge.get_attribute("part").is_none());
    assert_eq!(f.q("button").unwrap().text_content().unwrap(), "Save");
    // a form that cannot navigate, whatever happens to its submit listener
    assert_eq!(
        f.q("form").unwrap().get_attribute("method").as_deref(),
        Some("dialog")
    );
    f.fill_cn();
    assert!(f.form.valid());
    let detail = f.form.seal().unwrap();
    let envelope = Reflect::get(&detail, &"envelope".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(envelope.starts_with("spe1."));
    let sealed = f.events("sealed");
    assert_eq!(sealed.len(), 1);
    // typing seven fields flips validity once: one change event, not one per keystroke
    let changes = f.events("sealpost-change");
    assert_eq!(changes, [r#"{"valid":true}"#]);
    assert_eq!(f.events("change"), changes);
    for (kind, detail) in f.events.borrow().iter() {
        for secret in [
            "张三",
            "13812345678",
            "文三路",
            "西湖区",
            "310012",
            "杭州市",
        ] {
            assert!(
                !detail.contains(secret),
                "{kind} event carries {secret}: {detail}"
            );
        }
    }
    // nothing typed is reflected into an attribute of the host or the form
    let html = f.host.shadow_root().unwrap().inner_html();
    for secret in ["张三", "13812345678", "文三路"] {
        assert!(!html.contains(secret), "an attribute holds {secret}");
    }
    // disclosed region in clear, as configured
    assert!(sealed[0].contains(r#""country":"CN""#) && sealed[0].contains("浙江省"));
    // the shop's own tests can open test-mode envelopes
    let opened = open_test_envelope_js(envelope.into(), "WIDGET-1".into()).unwrap();
    assert_eq!(
        Reflect::get(&opened, &"name".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "张三"
    );
    assert_eq!(
        Reflect::get(&opened, &"postalCode".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "310012"
    );
}

#[wasm_bindgen_test]
fn misconfiguration_and_misuse_fail_with_codes_not_traps() {
    // no courier key: the shop gets an error event at mount, the buyer a message at seal
    let f = fixture(r#"{"locale":"en","orderRef":"O-1"}"#);
    assert_eq!(f.events("sealpost-error").len(), 1);
    assert!(f.events("sealpost-ready").is_empty());
    f.fill_cn();
    let err = f.form.seal().unwrap_err();
    assert_eq!(
        Reflect::get(&err, &"code".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "invalid_recipients"
    );
    assert_eq!(f.events("error").len(), 2);
    assert!(f
        .q(".status")
        .unwrap()
        .text_content()
        .unwrap()
        .contains("not set up correctly"));
    // a bad key, and no order reference
    f.form
        .set_options(options(r#"{"couriers":"sp1qqqq","orderRef":"O-1"}"#))
        .unwrap();
    let code = |r: Result<JsValue, JsValue>| {
        Reflect::get(&r.unwrap_err(), &"code".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    assert_eq!(code(f.form.seal()), "invalid_public_key");
    f.form
        .set_options(options(&format!(
            r#"{{"couriers":["{}"]}}"#,
            sealpost::widget::TEST_COURIER_PUBLIC_KEY
        )))
        .unwrap();
    assert_eq!(code(f.form.seal()), "invalid_order_ref");
    // options of the wrong shape are refused
    assert!(f.form.set_options(42.into()).is_err());
    assert!(f
        .form
        .set_options(options(r#"{"couriers":[1,2]}"#))
        .is_err());
    // mounting twice on the same element
    let again = mount(f.host.clone(), Object::new().into());
    assert_eq!(
        Reflect::get(&again.unwrap_err(), &"code".into())
            .unwrap()
            .as_string()
            .unwrap(),
        "already_mounted"
    );
    // calling seal() from inside a `sealed` handler is refused, not a panic
    f.form
        .set_options(options(r#"{"testMode":true,"orderRef":"O-2"}"#))
        .unwrap();
    let inner = Rc::new(RefCell::new(String::new()));
    let (seen, form) = (inner.clone(), f.form.clone());
    let reenter = Closure::<dyn FnMut(Event)>::new(move |_e: Event| {
        let r = form.seal();
        *seen.borrow_mut() = r
            .err()
            .and_then(|e| Reflect::get(&e, &"code".into()).ok())
            .and_then(|c| c.as_string())
            .unwrap_or_default();
    });
    f.host
        .add_event_listener_with_callback("sealed", reenter.as_ref().unchecked_ref())
        .unwrap();
    assert!(f.form.seal().is_ok());
    assert_eq!(inner.borrow().as_str(), "busy");
    f.host
        .remove_event_listener_with_callback("sealed", reenter.as_ref().unchecked_ref())
        .unwrap();
    // the module still works afterwards
    assert!(f.form.seal().is_ok());
}

#[wasm_bindgen_test]
async fn debug_output_names_no_typed_value() {
    let f = fixture(r#"{"locale":"en","testMode":true,"orderRef":"A-1"}"#);
    f.fill_cn();
    // a re-layout keeps the typed values in the state
    f.select_country("HK").await;
    let shown = format!("{:?}", f.form);
    assert!(shown.contains("Kept { values: "), "{shown}");
    assert!(!shown.contains("Kept { values: 0"), "{shown}");
    assert!(shown.contains("country: \"HK\""), "{shown}");
    for typed in [
        "张三",
        "13812345678",
        "浙江省",
        "杭州市",
        "西湖区",
        "文三路",
        "310012",
    ] {
        assert!(!shown.contains(typed), "Debug shows {typed}: {shown}");
    }
}

#[wasm_bindgen_test]
fn the_form_throws_the_same_error_shape_as_the_binding() {
    let f = fixture(r#"{"locale":"en","testMode":true,"orderRef":"A-1"}"#);
    let err = f.form.seal().unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    let prop = |k: &str| Reflect::get(&err, &k.into()).unwrap().as_string();
    assert_eq!(prop("name").as_deref(), Some("SealpostError"));
    assert_eq!(prop("code").as_deref(), Some("name_missing"));
    assert_eq!(prop("field").as_deref(), Some("name"));
    assert!(prop("message").is_some_and(|m| !m.is_empty()));
}

#[wasm_bindgen_test]
fn configuration_is_checked_when_set_not_at_the_buyers_seal() {
    let code = |v: &JsValue| {
        Reflect::get(v, &"code".into())
            .unwrap()
            .as_string()
            .unwrap_or_default()
    };
    // a bad courier key: an error event at mount, with the code, and no ready
    let f = fixture(r#"{"locale":"en","couriers":"sp1qqqq","orderRef":"C-1"}"#);
    assert!(f.events("sealpost-ready").is_empty());
    let errors = f.events("sealpost-error");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains(r#""code":"invalid_public_key""#),
        "{errors:?}"
    );
    assert_eq!(code(&f.form.config_error()), "invalid_public_key");
    assert_eq!(
        Reflect::get(&f.form.config_error(), &"name".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("SealpostError")
    );
    // a missing order reference, then an invalid one
    let key = sealpost::widget::TEST_COURIER_PUBLIC_KEY;
    f.form
        .set_options(options(&format!(r#"{{"couriers":"{key}"}}"#)))
        .unwrap();
    assert_eq!(code(&f.form.config_error()), "invalid_order_ref");
    f.form
        .set_options(options(&format!(
            r#"{{"couriers":"{key}","orderRef":"has space"}}"#
        )))
        .unwrap();
    assert_eq!(code(&f.form.config_error()), "invalid_order_ref");
    assert_eq!(f.events("sealpost-error").len(), 3);
    assert!(f.events("sealpost-ready").is_empty());
    // fixed: ready once; the same good options again send nothing more
    let good = format!(r#"{{"couriers":"{key}","orderRef":"C-1"}}"#);
    f.form.set_options(options(&good)).unwrap();
    assert!(f.form.config_error().is_undefined());
    assert_eq!(f.events("sealpost-ready").len(), 1);
    f.form.set_options(options(&good)).unwrap();
    assert_eq!(f.events("sealpost-ready").len(), 1);
    assert_eq!(f.events("sealpost-error").len(), 3);
    // a directory without its platform key is refused as options (it throws)
    let err = f
        .form
        .set_options(options(r#"{"directory":"spdir1.x","orderRef":"C-1"}"#))
        .unwrap_err();
    assert_eq!(code(&err), "invalid_platform_key");
    // nothing was sealed on the way
    assert!(f.events("sealpost-sealed").is_empty());
}

#[wasm_bindgen_test]
fn events_have_sealpost_names_and_the_old_ones_stay_on_the_element() {
    let doc = web_sys::window().unwrap().document().unwrap();
    let parent = doc.create_element("form").unwrap();
    doc.body().unwrap().append_child(&parent).unwrap();
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let mut listeners = Vec::new();
    let window = web_sys::window().unwrap();
    for kind in EVENTS {
        let heard = heard.clone();
        let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            heard.borrow_mut().push(e.type_());
        });
        listeners.push((kind, closure));
    }
    // on the shop's form (an `onChange`) and on window (an error monitor)
    let targets: [&web_sys::EventTarget; 2] = [&parent, &window];
    let listen = |add: bool| {
        for (kind, closure) in &listeners {
            for t in targets {
                let f = closure.as_ref().unchecked_ref();
                if add {
                    t.add_event_listener_with_callback(kind, f).unwrap();
                } else {
                    t.remove_event_listener_with_callback(kind, f).unwrap();
                }
            }
        }
    };
    listen(true);
    let f = fixture(r#"{"locale":"en","testMode":true,"orderRef":"E-1"}"#);
    parent.append_child(&f.host).unwrap();
    f.fill_cn();
    f.form.seal().unwrap();
    f.form
        .set_options(options(r#"{"couriers":"sp1qqqq","orderRef":"E-1"}"#))
        .unwrap();
    listen(false);
    parent.remove();
    // only the sealpost- names bubble (each reached the form, then window; `ready` was sent
    // before the element moved into the form); the aliases stay on the element
    let heard = heard.borrow().clone();
    assert_eq!(
        heard,
        [
            "sealpost-ready",
            "sealpost-change",
            "sealpost-change",
            "sealpost-sealed",
            "sealpost-sealed",
            "sealpost-error",
            "sealpost-error"
        ]
    );
    // on the element: both names, the same details
    assert_eq!(f.events("change"), f.events("sealpost-change"));
    assert_eq!(f.events("sealed"), f.events("sealpost-sealed"));
    assert_eq!(f.events("error"), f.events("sealpost-error"));
}
