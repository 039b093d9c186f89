//! The page's language and `Intl`: localized country names and their order.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlElement;

use super::dom::get;
use crate::form::Locale;

/// The page's language: the host's closest `lang`, else the document's.
pub(super) fn page_locale(host: &HtmlElement) -> Locale {
    let lang = host
        .closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_default();
    Locale::from_tag(&lang)
}

/// Localized country names through `Intl.DisplayNames`, when the engine has it.
fn country_namer(locale: Locale) -> Option<(JsValue, Function)> {
    let intl = get(&js_sys::global(), "Intl");
    let ctor: Function = get(&intl, "DisplayNames").dyn_into().ok()?;
    let opts = Object::new();
    Reflect::set(&opts, &"type".into(), &"region".into()).ok()?;
    let args = Array::of2(&Array::of1(&locale.tag().into()), &opts);
    let namer = Reflect::construct(&ctor, &args).ok()?;
    let of: Function = get(&namer, "of").dyn_into().ok()?;
    Some((namer, of))
}

/// A function naming a country code in `locale` (the code itself without `Intl.DisplayNames`).
pub(super) fn country_names(locale: Locale) -> impl Fn(&str) -> String {
    let namer = country_namer(locale);
    move |code: &str| -> String {
        namer
            .as_ref()
            .and_then(|(n, of)| of.call1(n, &code.into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| code.to_owned())
    }
}

/// Sorts `(name, code)` pairs by name, as `locale` orders them.
pub(super) fn sort_by_name(locale: Locale, names: &mut Vec<(String, &str)>) {
    // One Intl.Collator for the whole sort: localeCompare with a locale argument builds a
    // new collator on every call (hundreds of milliseconds for ~240 names). The engine's own
    // Array.prototype.sort does the sorting: it is stable (ES2019), so it gives the order a
    // stable Rust sort with the collator gave, and the module carries no sort of its own.
    let locales = Array::of1(&locale.tag().into());
    let collator = js_sys::Intl::Collator::new(&locales, &Object::new());
    let sorted: Array = names.iter().map(|(n, _)| JsValue::from_str(n)).collect();
    let Ok(sort) = get(&sorted, "sort").dyn_into::<Function>() else {
        return;
    };
    if sort.call1(&sorted, &collator.compare()).is_err() {
        return;
    }
    // Back to pairs: equal names stay in input order, as the stable sort left them.
    let mut rest = core::mem::take(names);
    for name in sorted.iter() {
        let name = name.as_string().unwrap_or_default();
        if let Some(i) = rest.iter().position(|(n, _)| *n == name) {
            names.push(rest.remove(i));
        }
    }
    // Nothing is lost even if the engine's sort misbehaved.
    names.append(&mut rest);
}
