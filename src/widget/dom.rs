//! Small DOM helpers: every JS property access goes through `Reflect`, so a hostile or missing
//! value is an `Err` or a default, never a trap.

use js_sys::Reflect;
use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

pub(super) fn doc() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("sealpost: no document"))
}

pub(super) fn el(d: &Document, tag: &str, attrs: &[(&str, &str)]) -> Result<Element, JsValue> {
    let e = d.create_element(tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    Ok(e)
}

pub(super) fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn value_of(e: &Element) -> String {
    get(e, "value").as_string().unwrap_or_default()
}

pub(super) fn set_value(e: &Element, v: &str) {
    let _ = Reflect::set(e, &"value".into(), &v.into());
}

pub(super) fn show(e: &Element, visible: bool) -> Result<(), JsValue> {
    if visible {
        e.remove_attribute("hidden")
    } else {
        e.set_attribute("hidden", "")
    }
}
