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

/// Lists of strings cross between wasm and JS as one string joined with NUL (which no code or
/// country name contains; a list where one does goes item by item), not one call per item:
/// each call across the boundary costs more than the work it does here.
const SEP: char = '\0';

/// `items` as a JS array, through one string; `None` if an item holds the separator.
fn to_js_array(items: &[&str]) -> Option<Array> {
    if items.iter().any(|s| s.contains(SEP)) {
        return None;
    }
    if items.is_empty() {
        return Some(Array::new());
    }
    let joined = js_sys::JsString::from(items.join("\0").as_str());
    Some(joined.split("\0"))
}

/// A JS array of strings back as Rust strings, through one string; `None` unless it holds
/// exactly `len` strings without the separator.
fn from_js_array(array: &Array, len: usize) -> Option<Vec<String>> {
    if array.length() as usize != len {
        return None;
    }
    if len == 0 {
        return Some(Vec::new());
    }
    let joined = array.join("\0").as_string()?;
    let items: Vec<String> = joined.split(SEP).map(str::to_owned).collect();
    (items.len() == len).then_some(items)
}

/// The names of `codes` in `locale` (a code itself without `Intl.DisplayNames`), in order.
pub(super) fn country_names(locale: Locale, codes: &[&str]) -> Vec<String> {
    let namer = country_namer(locale);
    // All names in one `codes.map(namer.of, namer)` (`of` ignores map's extra arguments).
    let batch = || -> Option<Vec<String>> {
        let (n, of) = namer.as_ref()?;
        let codes = to_js_array(codes)?;
        let map: Function = get(&codes, "map").dyn_into().ok()?;
        let names: Array = map.call2(&codes, of, n).ok()?.dyn_into().ok()?;
        // `of` returns a string, or `undefined` for no name: then the one-by-one path below
        if names.includes(&JsValue::UNDEFINED, 0) {
            return None;
        }
        from_js_array(&names, codes.length() as usize)
    };
    batch().unwrap_or_else(|| {
        codes
            .iter()
            .map(|code| {
                namer
                    .as_ref()
                    .and_then(|(n, of)| of.call1(n, &(*code).into()).ok())
                    .and_then(|v| v.as_string())
                    .unwrap_or_else(|| (*code).to_owned())
            })
            .collect()
    })
}

/// Sorts `(name, code)` pairs by name, as `locale` orders them.
pub(super) fn sort_by_name(locale: Locale, names: &mut Vec<(String, &str)>) {
    // One Intl.Collator for the whole sort: localeCompare with a locale argument builds a
    // new collator on every call (hundreds of milliseconds for ~240 names). The engine's own
    // Array.prototype.sort does the sorting: it is stable (ES2019), so it gives the order a
    // stable Rust sort with the collator gave, and the module carries no sort of its own.
    let locales = Array::of1(&locale.tag().into());
    let collator = js_sys::Intl::Collator::new(&locales, &Object::new());
    let plain: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
    // The names cross to JS and back as one string each way (not one call per name).
    let sorted = to_js_array(&plain)
        .unwrap_or_else(|| names.iter().map(|(n, _)| JsValue::from_str(n)).collect());
    let Ok(sort) = get(&sorted, "sort").dyn_into::<Function>() else {
        return;
    };
    if sort.call1(&sorted, &collator.compare()).is_err() {
        return;
    }
    let sorted = from_js_array(&sorted, names.len()).unwrap_or_else(|| {
        sorted
            .iter()
            .map(|n| n.as_string().unwrap_or_default())
            .collect()
    });
    // Back to pairs: equal names stay in input order, as the stable sort left them.
    let mut rest: Vec<Option<(String, &str)>> =
        core::mem::take(names).into_iter().map(Some).collect();
    for name in sorted {
        let slot = rest
            .iter_mut()
            .find(|p| p.as_ref().is_some_and(|(n, _)| *n == name));
        if let Some(pair) = slot.and_then(Option::take) {
            names.push(pair);
        }
    }
    // Nothing is lost even if the engine's sort misbehaved.
    names.extend(rest.into_iter().flatten());
}
