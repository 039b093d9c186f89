//! The form with the address data (SPEC §4.2), in a browser: the layout from a country's data,
//! China's lists filled level by level (what autofill put in the fields before a list was
//! known is picked when it arrives), the canonical names and division code sealed, and a
//! changed or missing asset leaving the built-in layout. The loader here serves the committed
//! assets (or a changed one) from memory; `tests/e2e/address-data.mjs` does the same through
//! the package's `dataUrl` in Chromium.
//!
//! The atlas is the module's, shared by every form of the page, so each test uses countries
//! of its own where a failure is involved.

use std::{cell::RefCell, rc::Rc};

use js_sys::{Function, Promise, Reflect, JSON};
use sealpost::wasm::open_test_envelope_js;
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{Element, Event};

use crate::widget::Fixture;

/// The committed asset at `path`, if this test serves it.
fn asset(path: &str) -> Option<&'static str> {
    Some(match path {
        "intl/CN.json" => include_str!("../../src/data/intl/CN.json"),
        "intl/US.json" => include_str!("../../src/data/intl/US.json"),
        "intl/FR.json" => include_str!("../../src/data/intl/FR.json"),
        "cn/index.json" => include_str!("../../src/data/cn/index.json"),
        "cn/33.json" => include_str!("../../src/data/cn/33.json"),
        "cn/31.json" => include_str!("../../src/data/cn/31.json"),
        _ => return None,
    })
}

/// A loader (`loadData`) answering from [`asset`], with `change` applied to the text, and the
/// paths it was asked for. An asset it does not serve is a rejected promise.
fn loader(change: fn(&str, String) -> String) -> (JsValue, Rc<RefCell<Vec<String>>>) {
    let asked = Rc::new(RefCell::new(Vec::new()));
    let log = asked.clone();
    let f = Closure::<dyn FnMut(String) -> Promise>::new(move |path: String| {
        log.borrow_mut().push(path.clone());
        match asset(&path) {
            Some(text) => Promise::resolve(&JsValue::from(change(&path, text.to_owned()))),
            None => Promise::reject(&"HTTP 404".into()),
        }
    });
    (f.into_js_value(), asked)
}

fn mount(json: &str, load: &JsValue) -> Fixture {
    let o = JSON::parse(json).unwrap();
    Reflect::set(&o, &"shadow".into(), &"open".into()).unwrap();
    Reflect::set(&o, &"loadData".into(), load).unwrap();
    Fixture::mount(o)
}

/// Waits for a macrotask: the loader's promises and the form's microtasks have all run.
async fn settle() {
    let p = Promise::new(&mut |resolve: Function, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn q(f: &Fixture, selector: &str) -> Option<Element> {
    f.host
        .shadow_root()
        .unwrap()
        .query_selector(selector)
        .unwrap()
}

fn value(f: &Fixture, name: &str) -> String {
    let e = q(f, &format!("[name='{name}']")).unwrap();
    Reflect::get(&e, &"value".into())
        .unwrap()
        .as_string()
        .unwrap()
}

fn tag(f: &Fixture, name: &str) -> String {
    q(f, &format!("[name='{name}']")).unwrap().local_name()
}

/// Sets a control's value and fires `input` then `change`, as the browser's autofill does.
fn fill(f: &Fixture, name: &str, v: &str) {
    let e = q(f, &format!("[name='{name}']")).unwrap();
    Reflect::set(&e, &"value".into(), &v.into()).unwrap();
    for kind in ["input", "change"] {
        e.dispatch_event(&Event::new(kind).unwrap()).unwrap();
    }
}

fn opened(f: &Fixture, order: &str) -> JsValue {
    let detail = f.form.seal().unwrap();
    let envelope = Reflect::get(&detail, &"envelope".into()).unwrap();
    open_test_envelope_js(envelope, order.into()).unwrap()
}

fn field(o: &JsValue, key: &str) -> String {
    Reflect::get(o, &key.into()).unwrap().as_string().unwrap()
}

fn error_text(f: &Fixture, name: &str) -> String {
    q(f, &format!("#sp-{name}-error"))
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn a_country_is_laid_out_from_its_data_and_sealed_canonical() {
    let (load, asked) = loader(|_, t| t);
    let f = mount(
        r#"{"locale":"en","testMode":true,"orderRef":"D-1","country":"US"}"#,
        &load,
    );
    // the built-in layout until the data is there, which the status line says
    assert_eq!(tag(&f, "state"), "input");
    let status = q(&f, ".status").unwrap();
    assert_eq!(
        status.get_attribute("data-kind").as_deref(),
        Some("loading")
    );
    settle().await;
    assert_eq!(tag(&f, "state"), "select");
    assert_eq!(status.get_attribute("data-kind"), None);
    assert_eq!(*asked.borrow(), ["intl/US.json"]);
    let label = q(&f, "label[for='sp-postal-code']").unwrap().text_content();
    assert!(label.unwrap().starts_with("ZIP code"));
    // the buyer's text is checked with the country's pattern and told its example
    fill(&f, "postal-code", "9501");
    let blur = web_sys::EventInit::new();
    blur.set_bubbles(true);
    q(&f, "[name='postal-code']")
        .unwrap()
        .dispatch_event(&Event::new_with_event_init_dict("focusout", &blur).unwrap())
        .unwrap();
    assert_eq!(
        error_text(&f, "postal-code"),
        "Enter a ZIP code like 95014."
    );
    for (n, v) in [
        ("name", "Jane Roe"),
        ("phone", "+1 650 253 0000"),
        ("address-line1", "1 Infinite Loop"),
        ("city", "Cupertino"),
        ("postal-code", "95014"),
    ] {
        fill(&f, n, v);
    }
    fill(&f, "state", "CA");
    settle().await;
    assert_eq!(value(&f, "state"), "CA");
    let a = opened(&f, "D-1");
    assert_eq!(field(&a, "addressLevel1"), "CA");
    assert_eq!(field(&a, "divisionCode"), "US-CA");
}

#[wasm_bindgen_test]
async fn chinas_lists_pick_what_autofill_filled_before_they_were_known() {
    let (load, asked) = loader(|_, t| t);
    let f = mount(
        r#"{"locale":"zh-CN","testMode":true,"orderRef":"D-2"}"#,
        &load,
    );
    settle().await;
    assert_eq!(
        (tag(&f, "province"), tag(&f, "city"), tag(&f, "district")),
        ("select".into(), "input".into(), "input".into())
    );
    // TW, HK and MO are countries of their own, not provinces
    let provinces = f
        .host
        .shadow_root()
        .unwrap()
        .query_selector_all("[name='province'] option")
        .unwrap();
    assert_eq!(provinces.length(), 32, "31 provinces and the prompt");
    // autofill: every field in one go, the province's cities not loaded yet
    fill(&f, "province", "浙江省");
    fill(&f, "city", "杭州");
    fill(&f, "district", "西湖");
    settle().await;
    assert_eq!(value(&f, "province"), "浙江省");
    assert_eq!(value(&f, "city"), "杭州市");
    assert_eq!(value(&f, "district"), "西湖区");
    for (n, v) in [
        ("name", "张三"),
        ("phone", "13812345678"),
        ("street", "文三路 90 号"),
        ("postal-code", "310012"),
    ] {
        fill(&f, n, v);
    }
    let a = opened(&f, "D-2");
    assert_eq!(field(&a, "addressLevel2"), "杭州市");
    assert_eq!(field(&a, "divisionCode"), "330106");
    // a municipality: one city, chosen for the buyer
    fill(&f, "province", "上海市");
    settle().await;
    assert_eq!(value(&f, "city"), "上海市");
    assert_eq!(
        value(&f, "district"),
        "",
        "the old district went with the old city"
    );
    fill(&f, "district", "浦东新区");
    settle().await;
    assert_eq!(field(&opened(&f, "D-2"), "divisionCode"), "310115");
    // a second form of the page asks for nothing again
    let before = asked.borrow().len();
    let g = mount(
        r#"{"locale":"zh-CN","testMode":true,"orderRef":"D-3"}"#,
        &load,
    );
    fill(&g, "province", "浙江省");
    settle().await;
    assert_eq!(tag(&g, "city"), "select");
    assert_eq!(asked.borrow().len(), before);
    assert_eq!(
        asked.borrow().iter().filter(|p| *p == "cn/33.json").count(),
        1
    );
}

#[wasm_bindgen_test]
async fn a_changed_or_missing_asset_leaves_the_built_in_fields() {
    // France's format with another postal-code pattern: refused by its pin
    let (load, _) = loader(|path, t| {
        if path == "intl/FR.json" {
            t.replace("\\\\d{2}", "\\\\d{3}")
        } else {
            t
        }
    });
    let f = mount(
        r#"{"locale":"en","testMode":true,"orderRef":"D-4","country":"FR"}"#,
        &load,
    );
    settle().await;
    assert_eq!(
        f.events("sealpost-error"),
        [
            r#"{"code":"invalid_address_data","message":"an address-data file differs from the one this version of sealpost pins: it was not used (the form shows its built-in fields)"}"#
        ]
    );
    assert_eq!(tag(&f, "state"), "input");
    let status = q(&f, ".status").unwrap();
    assert_eq!(status.get_attribute("data-kind").as_deref(), Some("nodata"));
    // the form still seals, with the rules every sender applies (SPEC §4.1)
    for (n, v) in [
        ("name", "Marie Curie"),
        ("phone", "+33 1 23 45 67 89"),
        ("address-line1", "1 rue de la Paix"),
        ("city", "Paris"),
        ("postal-code", "75002"),
    ] {
        fill(&f, n, v);
    }
    assert_eq!(field(&opened(&f, "D-4"), "addressLevel2"), "Paris");
    // a loader that fails (Germany is not served): no error event, the same fallback
    let g = mount(
        r#"{"locale":"en","testMode":true,"orderRef":"D-5","country":"DE"}"#,
        &load,
    );
    settle().await;
    assert!(g.events("sealpost-error").is_empty());
    assert_eq!(
        q(&g, ".status")
            .unwrap()
            .get_attribute("data-kind")
            .as_deref(),
        Some("nodata")
    );
    // a form destroyed while its data loads is left alone when it arrives
    let h = mount(
        r#"{"locale":"en","testMode":true,"orderRef":"D-6","country":"CN"}"#,
        &load,
    );
    h.form.destroy();
    settle().await;
    assert!(q(&h, "[name='province']").is_none());
}

/// Sends `kind` (an `InputEvent`, `isComposing` as given) to the element `selector`.
fn input_event(f: &Fixture, selector: &str, kind: &str, composing: bool) {
    let target = q(f, selector).unwrap();
    let ctor: Function = Reflect::get(&js_sys::global(), &"InputEvent".into())
        .unwrap()
        .into();
    let init = js_sys::Object::new();
    Reflect::set(&init, &"isComposing".into(), &composing.into()).unwrap();
    let event = Reflect::construct(&ctor, &js_sys::Array::of2(&kind.into(), &init)).unwrap();
    target.dispatch_event(event.unchecked_ref()).unwrap();
}

#[wasm_bindgen_test]
async fn a_filter_chooses_the_one_entry_left_once_the_input_method_is_done() {
    let (load, _) = loader(|_, t| t);
    let f = mount(
        r#"{"locale":"zh-CN","testMode":true,"orderRef":"D-7"}"#,
        &load,
    );
    settle().await;
    let filter = q(&f, "#sp-province-filter").unwrap();
    assert_eq!(
        filter.get_attribute("aria-controls").as_deref(),
        Some("sp-province")
    );
    assert_eq!(
        filter.get_attribute("aria-label").as_deref(),
        Some("筛选省份")
    );
    // pinyin on the way: the list narrows, nothing is chosen yet
    Reflect::set(&filter, &"value".into(), &"zhe".into()).unwrap();
    input_event(&f, "#sp-province-filter", "input", true);
    let options = f
        .host
        .shadow_root()
        .unwrap()
        .query_selector_all("[name='province'] option")
        .unwrap();
    assert_eq!(options.length(), 2, "the prompt and 浙江省 (Zhejiang)");
    assert_eq!(value(&f, "province"), "");
    // the input method commits 浙江: the one entry left is chosen, its cities follow
    Reflect::set(&filter, &"value".into(), &"浙江".into()).unwrap();
    input_event(&f, "#sp-province-filter", "compositionend", false);
    assert_eq!(value(&f, "province"), "浙江省");
    settle().await;
    assert_eq!(tag(&f, "city"), "select");
    let count = q(&f, "#sp-province-count").unwrap().text_content().unwrap();
    assert_eq!(count, "1 项匹配");
    // an emptied filter brings the whole list back, the choice stays
    Reflect::set(&filter, &"value".into(), &"".into()).unwrap();
    input_event(&f, "#sp-province-filter", "input", false);
    let options = f
        .host
        .shadow_root()
        .unwrap()
        .query_selector_all("[name='province'] option")
        .unwrap();
    assert_eq!(options.length(), 32);
    assert_eq!(value(&f, "province"), "浙江省");
}
