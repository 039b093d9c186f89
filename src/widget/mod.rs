//! The address form, rendered by the wasm module through web-sys into a (closed by default)
//! shadow root: `mount(element, options)` here, the `<sealpost-address>` custom element in the
//! package's `index.js` on top of it.
//!
//! What the form shows comes from `form.rs`; what it checks from `address.rs`; who it seals to
//! from `recipients.rs`; sealing from `envelope.rs`. The typed address never leaves the widget:
//! events carry validity, the envelope, the order reference and the disclosed region only, and
//! no value is ever written to an attribute.
//!
//! - `options`: the JS options object, converted and shape-checked;
//! - `storage`: the clock and the directory serial last seen (`localStorage`), around the core's
//!   recipient policy;
//! - `state`: the form's state, what the buyer typed, validation and sealing;
//! - `render`: the DOM of the fields, status line and chrome; `intl`: the page's language and
//!   the country names and their order (built in: `names`);
//! - `data`: the address data of the page (SPEC §4.2), fetched per country and province
//!   through the loader `index.js` gives (`dataUrl`), checked against the pins built in;
//! - `events`: listeners, dispatch and re-entrancy; `dom`: small DOM helpers.

mod data;
mod dom;
mod events;
mod intl;
mod names;
mod options;
mod render;
mod state;
mod storage;

use std::{cell::RefCell, rc::Rc};

use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, HtmlElement};

pub use crate::recipients::{TEST_COURIER_IDENTITY, TEST_COURIER_PUBLIC_KEY};
pub(crate) use storage::verified_couriers;
pub use storage::SEEN_SERIAL_PREFIX;

use self::{
    dom::{doc, el, get},
    events::{act, bind_form, dispatch, unbind, with_state, Emit},
    options::{DataSource, Options},
    state::{Kept, State},
};
use crate::wasm::js_error;

const CSS: &str = include_str!("widget.css");

/// A mounted address form. `seal()` checks and seals what the buyer typed.
#[wasm_bindgen]
pub struct AddressForm {
    state: Rc<RefCell<State>>,
}

/// The form's state with every typed value redacted (see `State`'s `Debug`).
impl core::fmt::Debug for AddressForm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.state.try_borrow() {
            Ok(s) => f.debug_tuple("AddressForm").field(&*s).finish(),
            Err(_) => f.debug_struct("AddressForm").finish_non_exhaustive(),
        }
    }
}

#[wasm_bindgen]
impl AddressForm {
    /// Checks what the buyer typed and, if it is valid, seals it. Returns
    /// `{ envelope, orderRef, disclosed }` (also sent as the `sealed` event); throws an `Error`
    /// with `code` otherwise (and focuses the first invalid field).
    pub fn seal(&self) -> Result<JsValue, JsValue> {
        match act(&self.state, State::seal) {
            Some(result) => result,
            None => Err(js_error(
                "busy",
                "seal() called from inside a sealpost event handler",
                None,
            )),
        }
    }

    /// Replaces the options (same shape as `mount`'s); the typed values are kept. Then checks
    /// the configuration: an `error` event if it cannot seal, `ready` if it now can and could
    /// not before. Options of the wrong shape throw.
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&self, options: JsValue) -> Result<(), JsValue> {
        let mut options = Options::parse(&options).map_err(JsValue::from)?;
        let out = with_state(
            &self.state,
            |s| -> Result<(HtmlElement, Vec<Emit>), JsValue> {
                // no `loadData`: the form keeps its source of the address data
                let data_changed = match (&options.data, &s.options.data) {
                    (DataSource::Keep, _) => false,
                    (DataSource::Loader(new), DataSource::Loader(old)) => {
                        AsRef::<JsValue>::as_ref(new) != AsRef::<JsValue>::as_ref(old)
                    }
                    (DataSource::Off, DataSource::Off | DataSource::Keep) => false,
                    _ => true,
                };
                if let DataSource::Keep = options.data {
                    options.data = s.options.data.clone();
                }
                let relayout = options.country.as_ref().is_some_and(|c| *c != s.country)
                    || options.locale != s.options.locale
                    || options.overrides != s.options.overrides
                    || data_changed;
                if let Some(c) = &options.country {
                    s.country = c.clone();
                }
                s.strings = State::strings_for(&options, &s.host);
                s.options = options;
                s.apply_chrome()?;
                let mut emits = Vec::new();
                if relayout {
                    emits.extend(s.relayout(true)?);
                }
                emits.extend(s.check_config(false));
                Ok((s.host.clone(), emits))
            },
        );
        match out {
            Some(result) => {
                let (host, emits) = result?;
                dispatch(&host, emits);
                Ok(())
            }
            None => Err(js_error(
                "busy",
                "setOptions() called from inside a sealpost event handler",
                None,
            )),
        }
    }

    /// Why the current configuration cannot seal (the error `seal()` would throw for it), or
    /// `undefined` when the form is ready.
    #[wasm_bindgen(getter = configError)]
    pub fn config_error(&self) -> JsValue {
        with_state(&self.state, |s| s.config_error.clone().map(JsValue::from))
            .flatten()
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Asks the buyer to press the form's own button (isolation mode seals only on the buyer's
    /// action): a status line naming the button. Focus is not moved: a keystroke the buyer
    /// meant for something else must not press it.
    #[wasm_bindgen(js_name = askToConfirm)]
    pub fn ask_to_confirm(&self) {
        let _ = with_state(&self.state, |s| {
            s.set_status("status.confirm", 0, "confirm")
        });
    }

    /// Whether everything the buyer typed is valid (nothing is shown or focused).
    #[wasm_bindgen(getter)]
    pub fn valid(&self) -> bool {
        with_state(&self.state, |s| s.problems().iter().all(Option::is_none)).unwrap_or(false)
    }

    /// Removes the listeners and empties the form (the shadow root stays attached).
    pub fn destroy(&self) {
        let _ = with_state(&self.state, |s| {
            s.destroyed = true;
            unbind(&mut s.listeners);
            unbind(&mut s.form_listeners);
            s.controls.clear();
            s.kept.clear();
            s.touched.clear();
            s.root.set_text_content(None);
        });
    }
}

/// Renders the address form into a new shadow root of `element` and returns its controller.
///
/// `options`: `{ couriers: string | string[], orderRef: string, disclose: 'none' | 'country' |
/// 'province', locale: 'zh-CN' | 'en', strings: { key: text }, country: 'CN', testMode: bool,
/// button: bool, shadow: 'closed' | 'open', directory: 'spdir1.…', platformKey: 'spp1…',
/// allowedCouriers: string[] }`. Once rendered, checks the configuration as sealing will and
/// fires `sealpost-ready` on `element`, or `sealpost-error` with the code if it cannot seal
/// (`configError` then holds that error; `setOptions` can fix it). Options of the wrong shape
/// throw.
#[wasm_bindgen]
pub fn mount(element: HtmlElement, options: JsValue) -> Result<AddressForm, JsValue> {
    let parsed = Options::parse(&options).map_err(JsValue::from)?;
    let mode = match get(&options, "shadow").as_string().as_deref() {
        Some("open") => web_sys::ShadowRootMode::Open,
        _ => web_sys::ShadowRootMode::Closed,
    };
    let root = element
        .attach_shadow(&web_sys::ShadowRootInit::new(mode))
        .map_err(|_| {
            js_error(
                "already_mounted",
                "this element already has a shadow root (mounted twice?)",
                None,
            )
        })?;
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(CSS)?;
    root.set_adopted_style_sheets(&Array::of1(&sheet));

    let d = doc()?;
    let form = el(
        &d,
        "form",
        // `method="dialog"` outside a dialog never navigates: even if the submit listener is
        // gone (the page dropped the controller), Enter cannot send the fields in a URL.
        &[
            ("part", "form"),
            ("method", "dialog"),
            ("novalidate", ""),
            ("autocomplete", "on"),
        ],
    )?;
    // No `part` on the badge and the notice: the page cannot restyle or hide them by `::part`.
    let badge = el(
        &d,
        "p",
        &[("class", "test-badge"), ("role", "note"), ("hidden", "")],
    )?;
    let notice = el(&d, "p", &[("class", "recipients"), ("hidden", "")])?;
    let fields = el(&d, "div", &[("class", "fields")])?;
    let footer = el(&d, "div", &[("class", "footer")])?;
    let button = el(&d, "button", &[("type", "submit"), ("part", "button")])?;
    let status = el(
        &d,
        "p",
        &[
            ("class", "status"),
            ("part", "status"),
            ("role", "status"),
            ("aria-live", "polite"),
        ],
    )?;
    footer.append_child(&button)?;
    footer.append_child(&status)?;
    form.append_child(&badge)?;
    form.append_child(&notice)?;
    form.append_child(&fields)?;
    form.append_child(&footer)?;
    root.append_child(&form)?;

    let strings = State::strings_for(&parsed, &element);
    let country = parsed.country.clone().unwrap_or_else(|| "CN".to_owned());
    let state = Rc::new_cyclic(|me| {
        RefCell::new(State {
            host: element.clone(),
            root,
            fields,
            status,
            badge,
            notice,
            button,
            options: parsed,
            strings,
            country,
            controls: Vec::new(),
            kept: Kept::default(),
            touched: Vec::new(),
            status_key: None,
            dispatching: false,
            valid: false,
            config_error: None,
            listeners: Vec::new(),
            form_listeners: Vec::new(),
            me: me.clone(),
            from_data: false,
            example: None,
            relayout_queued: None,
            reported: Vec::new(),
            menu_locale: None,
            destroyed: false,
        })
    });
    let emits = {
        let mut s = state
            .try_borrow_mut()
            .map_err(|_| js_error("busy", "re-entrant mount", None))?;
        s.apply_chrome()?;
        let mut emits = s.relayout(true)?;
        bind_form(&mut s, &form)?;
        s.valid = s.problems().iter().all(Option::is_none);
        emits.extend(s.check_config(true));
        emits
    };
    dispatch(&element, emits);
    Ok(AddressForm { state })
}
