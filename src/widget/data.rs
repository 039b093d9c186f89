//! The address data in the page (SPEC §4.2): one [`Atlas`] for every form of this module
//! instance, filled asset by asset as forms need them, the fetches under way and the forms
//! waiting for each. The texts come from the form's loader (`loadData`: the package's
//! `index.js` fetches `<dataUrl>/<path>` once per page); each is checked against the pin
//! compiled into this module (`Atlas::add_pinned`) before it is used, so where it was fetched
//! from does not matter: a changed file is refused (`invalid_address_data`).

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use js_sys::{Function, Promise};
use wasm_bindgen::{prelude::*, JsCast};

use super::{events::act, state::State};
use crate::addrdata::Atlas;

/// Why an asset is not there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failure {
    /// The loader failed (network, HTTP status): asked again when the buyer changes the
    /// country or the province.
    Unavailable,
    /// The text is not the pinned asset: never used, never asked again by this page.
    Invalid,
}

/// Where an asset stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Asset {
    Ready,
    Loading,
    Failed(Failure),
}

type Waiting = Vec<Weak<RefCell<State>>>;

#[derive(Default)]
struct Registry {
    atlas: Atlas,
    loading: Vec<(String, Waiting)>,
    failed: Vec<(String, Failure)>,
}

thread_local! {
    static DATA: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Runs `f` on the page's atlas (`None` only if it is being changed, which never overlaps a
/// form's work: assets are added from promise callbacks).
pub(super) fn with_atlas<R>(f: impl FnOnce(&Atlas) -> R) -> Option<R> {
    DATA.with(|d| d.try_borrow().ok().map(|r| f(&r.atlas)))
}

/// Whether the atlas holds the asset at `path` (`intl/DE.json`, `cn/index.json`, `cn/33.json`).
fn has(atlas: &Atlas, path: &str) -> bool {
    let inner = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|p| p.strip_suffix(".json"))
    };
    if let Some(cc) = inner("intl/") {
        return atlas.format(cc).is_some();
    }
    if path == "cn/index.json" {
        return atlas.cn_provinces().next().is_some();
    }
    inner("cn/").is_some_and(|pp| atlas.cn_province(pp).is_some())
}

/// The asset at `path` for the form `me`: ready, or asked for (`me` is told when it arrives:
/// [`State::data_arrived`]), or failed. A failed fetch is asked again only when `retry` (the
/// buyer chose another country or province), a refused text never.
pub(super) fn request(
    path: &str,
    loader: &Function,
    me: &Weak<RefCell<State>>,
    retry: bool,
) -> Asset {
    let (asset, start) = DATA.with(|d| {
        let Ok(mut r) = d.try_borrow_mut() else {
            return (Asset::Loading, false);
        };
        if has(&r.atlas, path) {
            return (Asset::Ready, false);
        }
        if let Some(i) = r.failed.iter().position(|(p, _)| p == path) {
            match r.failed.get(i).map(|(_, f)| *f) {
                Some(Failure::Unavailable) if retry => {
                    r.failed.remove(i);
                }
                Some(f) => return (Asset::Failed(f), false),
                None => {}
            }
        }
        if let Some((_, waiting)) = r.loading.iter_mut().find(|(p, _)| p == path) {
            if !waiting.iter().any(|w| w.ptr_eq(me)) {
                waiting.push(me.clone());
            }
            return (Asset::Loading, false);
        }
        r.loading.push((path.to_owned(), vec![me.clone()]));
        (Asset::Loading, true)
    });
    if start {
        fetch(path.to_owned(), loader);
    }
    asset
}

/// Asks the loader for `path`; [`arrived`] runs when it answers (a loader that throws or
/// resolves to something other than a string has failed).
fn fetch(path: String, loader: &Function) {
    let promise = match loader.call1(&JsValue::NULL, &JsValue::from_str(&path)) {
        Ok(v) => Promise::resolve(&v),
        Err(e) => Promise::reject(&e),
    };
    let again = path.clone();
    // Each closure frees itself when called; the one the promise does not call stays (a few
    // bytes per asset, at most one per asset and page).
    let ok = Closure::once_into_js(move |v: JsValue| arrived(&path, v.as_string()));
    let failed = Closure::once_into_js(move |_: JsValue| arrived(&again, None));
    then(&promise, &ok, &failed);
}

/// `promise.then(ok, failed)` with two functions (`Closure::once_into_js`).
fn then(promise: &Promise, ok: &JsValue, failed: &JsValue) {
    let method = js_sys::Reflect::get(promise, &"then".into())
        .ok()
        .and_then(|m| m.dyn_into::<Function>().ok());
    if let Some(m) = method {
        let _ = m.call2(promise, ok, failed);
    }
}

/// The loader answered for `path` (`None`: it failed): the asset is checked and added, and
/// the forms waiting for it are told.
fn arrived(path: &str, text: Option<String>) {
    let (waiting, asset) = DATA.with(|d| {
        let Ok(mut r) = d.try_borrow_mut() else {
            return (Vec::new(), Asset::Loading);
        };
        let waiting = match r.loading.iter().position(|(p, _)| p == path) {
            Some(i) => r.loading.remove(i).1,
            None => Vec::new(),
        };
        let failure = match text {
            Some(text) => r
                .atlas
                .add_pinned(path, &text)
                .err()
                .map(|_| Failure::Invalid),
            None => Some(Failure::Unavailable),
        };
        let asset = match failure {
            Some(f) => {
                r.failed.push((path.to_owned(), f));
                Asset::Failed(f)
            }
            None => Asset::Ready,
        };
        (waiting, asset)
    });
    for form in waiting.iter().filter_map(Weak::upgrade) {
        tell(&form, asset, true);
    }
}

/// Tells a form about an asset; if the form is busy (it never is when a promise callback
/// runs, but a panic-free widget does not rely on it), once more in a microtask.
fn tell(form: &Rc<RefCell<State>>, asset: Asset, again: bool) {
    if act(form, |s| (s.data_arrived(asset), ())).is_none() && again {
        let weak = Rc::downgrade(form);
        later(move || {
            if let Some(form) = weak.upgrade() {
                tell(&form, asset, false);
            }
        });
    }
}

/// Runs `f` in a microtask: after the code that is running now (a browser's autofill filling
/// every field of the form in one go, then the events it fires) and before the page is drawn.
pub(super) fn later(f: impl FnOnce() + 'static) {
    let run = Closure::once_into_js(move |_: JsValue| f());
    then(
        &Promise::resolve(&JsValue::UNDEFINED),
        &run,
        &JsValue::UNDEFINED,
    );
}
