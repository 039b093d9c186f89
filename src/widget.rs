//! The address form, rendered by the wasm module through web-sys into a (closed by default)
//! shadow root: `mount(element, options)` here, the `<sealpost-address>` custom element in the
//! package's `index.js` on top of it.
//!
//! What the form shows comes from `form.rs`; what it checks from `address.rs`; sealing from
//! `envelope.rs`. The typed address never leaves the widget: events carry validity, the
//! envelope, the order reference and the disclosed region only, and no value is ever written to
//! an attribute.
//!
//! Re-entrancy: listeners of the events we dispatch may call back into the widget (a `sealed`
//! handler calling `setOptions`, …), so state is never borrowed while an event is dispatched.

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{prelude::*, JsCast};
use web_sys::{
    CssStyleSheet, CustomEvent, CustomEventInit, Document, Element, Event, HtmlElement, ShadowRoot,
};

use crate::{
    address::{check_text, Address, AddressError, Field},
    directory::{check_rollback, PlatformPublicKey, SignedDirectory},
    envelope::{Disclosed, Disclosure},
    form::{layout, Control, FieldSpec, Locale, Strings, COMMON_COUNTRIES},
    keys::UtcSeconds,
    Envelope, Error, PublicKey,
};

/// The public test courier key (identity in README): for shops' own test suites.
pub const TEST_COURIER_PUBLIC_KEY: &str =
    "sp1sju5n8ppesylh285cqe6clzwm3gu0p3nhye2hekfqm9mhta509asa09mlw";
/// Its identity (private key). Public on purpose: anything sealed to it is readable by anyone.
pub const TEST_COURIER_IDENTITY: &str =
    "SEALPOST-SECRET-KEY-14QLMYPQVXAFSAK242PYSM6M8WE49Q3N2JE32R27TQ72ZRHXHUDEQPJSNJW";

const CSS: &str = include_str!("widget.css");

/// What the shop configured.
#[derive(Clone, Debug, Default)]
struct Options {
    couriers: Vec<String>,
    order_ref: Option<String>,
    disclosure: Disclosure,
    locale: Option<Locale>,
    overrides: Vec<(String, String)>,
    country: Option<String>,
    test_mode: bool,
    button: bool,
    /// A signed courier directory (`spdir1.…`, SPEC.md §9), used instead of `couriers`.
    directory: Option<String>,
    /// The platform key (`spp1…`) the directory must be signed with, pinned by the shop.
    platform_key: Option<PlatformPublicKey>,
    /// Ids of the certified couriers the shop works with (`None`: every one).
    allowed_couriers: Option<Vec<String>>,
}

/// One rendered input with its error line.
struct Rendered {
    spec: FieldSpec,
    input: Element,
    error: Element,
    touched: bool,
}

struct State {
    host: HtmlElement,
    root: ShadowRoot,
    fields: Element,
    status: Element,
    badge: Element,
    /// Who can read the address (the directory's courier names); not overridable.
    notice: Element,
    button: Element,
    options: Options,
    strings: Strings,
    country: String,
    controls: Vec<Rendered>,
    /// Values kept across a re-layout (country change): (field, line) → value.
    kept: Vec<(Field, usize, String)>,
    /// Fields whose errors are shown, kept across a re-layout.
    touched: Vec<(Field, usize)>,
    /// The status line's string key and `{count}`, re-translated when the locale changes.
    status_key: Option<(&'static str, usize)>,
    /// True while our own events are being dispatched: calls from their listeners are refused.
    dispatching: bool,
    /// Listeners of the current fields (rebuilt with the layout) and of the form itself.
    listeners: Vec<Listener>,
    form_listeners: Vec<Listener>,
    me: Weak<RefCell<State>>,
}

type Listener = (Element, &'static str, Closure<dyn FnMut(Event)>);
type Handler = fn(&mut State, &Event) -> Vec<Emit>;

/// An event to dispatch once the state is no longer borrowed.
enum Emit {
    Change(JsValue),
    Sealed(JsValue),
    Error(&'static str, String),
    Ready,
}

/// A mounted address form. `seal()` checks and seals what the buyer typed.
#[wasm_bindgen]
pub struct AddressForm {
    state: Rc<RefCell<State>>,
}

fn doc() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("sealpost: no document"))
}

fn el(d: &Document, tag: &str, attrs: &[(&str, &str)]) -> Result<Element, JsValue> {
    let e = d.create_element(tag)?;
    for (k, v) in attrs {
        e.set_attribute(k, v)?;
    }
    Ok(e)
}

fn js_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    let _ = Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn value_of(e: &Element) -> String {
    get(e, "value").as_string().unwrap_or_default()
}

fn set_value(e: &Element, v: &str) {
    let _ = Reflect::set(e, &"value".into(), &v.into());
}

fn show(e: &Element, visible: bool) -> Result<(), JsValue> {
    if visible {
        e.remove_attribute("hidden")
    } else {
        e.set_attribute("hidden", "")
    }
}

impl Options {
    fn parse(js: &JsValue) -> Result<Options, Error> {
        let bad = |what: &'static str| Error::InvalidRecipients(what);
        let mut o = Options {
            button: true,
            ..Options::default()
        };
        if js.is_undefined() || js.is_null() {
            return Ok(o);
        }
        if !js.is_object() {
            return Err(bad("options must be an object"));
        }
        let couriers = get(js, "couriers");
        if let Some(one) = couriers.as_string() {
            o.couriers = one.split_whitespace().map(str::to_owned).collect();
        } else if Array::is_array(&couriers) {
            let list = Array::from(&couriers);
            if list.length() as usize > crate::envelope::MAX_RECIPIENTS {
                return Err(bad("at most 16 courier keys"));
            }
            for k in list.iter() {
                o.couriers
                    .push(k.as_string().ok_or(bad("couriers must be strings"))?);
            }
        } else if !couriers.is_undefined() && !couriers.is_null() {
            return Err(bad("couriers must be a key string or an array of them"));
        }
        let order = get(js, "orderRef");
        if !order.is_undefined() && !order.is_null() {
            o.order_ref = Some(
                order
                    .as_string()
                    .ok_or(Error::InvalidOrderRef("must be a string"))?,
            );
        }
        if let Some(d) = get(js, "disclose").as_string() {
            o.disclosure = if d == "province" {
                Disclosure::Region
            } else {
                d.parse()?
            };
        }
        o.locale = get(js, "locale").as_string().map(|t| Locale::from_tag(&t));
        o.country = get(js, "country")
            .as_string()
            .filter(|c| crate::is_iso_alpha2(c));
        o.test_mode = get(js, "testMode").as_bool().unwrap_or(false);
        o.parse_directory(js)?;
        o.button = get(js, "button").as_bool().unwrap_or(true);
        let strings = get(js, "strings");
        if strings.is_object() {
            for entry in Object::entries(strings.unchecked_ref()).iter() {
                let pair = Array::from(&entry);
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    if Strings::is_key(&k) || k.starts_with("error.") {
                        o.overrides.push((k, v));
                    }
                }
            }
        }
        Ok(o)
    }

    /// `directory`, `platformKey` and `allowedCouriers`: shapes only; the directory itself is
    /// checked when sealing (`recipients`), against the clock and the serial last seen.
    fn parse_directory(&mut self, js: &JsValue) -> Result<(), Error> {
        let directory = get(js, "directory");
        if !directory.is_undefined() && !directory.is_null() {
            let text = directory.as_string().ok_or(Error::InvalidDirectory(
                "directory must be the signed text \"spdir1.…\"",
            ))?;
            if !self.couriers.is_empty() {
                return Err(Error::InvalidRecipients(
                    "give either couriers or a directory, not both",
                ));
            }
            self.directory = Some(text);
        }
        let pinned = get(js, "platformKey");
        if let Some(text) = pinned.as_string() {
            self.platform_key = Some(text.parse()?);
        } else if !pinned.is_undefined() && !pinned.is_null() {
            return Err(Error::InvalidPlatformKey("platformKey must be a string"));
        }
        if self.platform_key.is_some() && !self.couriers.is_empty() {
            return Err(Error::InvalidRecipients(
                "with a pinned platformKey the form seals only to its directory's couriers: remove couriers",
            ));
        }
        if self.directory.is_some() && self.platform_key.is_none() {
            return Err(Error::InvalidPlatformKey(
                "a directory needs the platform key (platformKey: \"spp1…\") pinned in the page",
            ));
        }
        let allowed = get(js, "allowedCouriers");
        if Array::is_array(&allowed) {
            let list = Array::from(&allowed);
            let mut ids = Vec::new();
            for id in list.iter() {
                ids.push(id.as_string().ok_or(Error::InvalidRecipients(
                    "allowedCouriers must be an array of courier ids",
                ))?);
            }
            self.allowed_couriers = Some(ids);
        } else if !allowed.is_undefined() && !allowed.is_null() {
            return Err(Error::InvalidRecipients(
                "allowedCouriers must be an array of courier ids",
            ));
        }
        Ok(())
    }

    /// The certified couriers to seal to (test mode: none), from the verified directory.
    fn chosen_couriers(&self) -> Result<Vec<ChosenCourier>, Error> {
        let text = self
            .directory
            .as_deref()
            .ok_or(Error::InvalidRecipients("no courier directory configured"))?;
        let pinned = self.platform_key.as_ref().ok_or(Error::InvalidPlatformKey(
            "a directory needs the platform key pinned in the page",
        ))?;
        verified_couriers(text, pinned, self.allowed_couriers.as_deref())
    }

    /// The keys to seal to: the test key in test mode, else the signed directory's, else the
    /// shop's couriers.
    fn recipients(&self) -> Result<Vec<PublicKey>, Error> {
        if self.test_mode {
            return Ok(vec![TEST_COURIER_PUBLIC_KEY.parse()?]);
        }
        if self.directory.is_some() {
            let chosen = self.chosen_couriers()?;
            return Ok(chosen.into_iter().map(|c| c.public_key).collect());
        }
        if self.couriers.is_empty() {
            return Err(Error::InvalidRecipients("no courier key configured"));
        }
        self.couriers.iter().map(|k| k.parse()).collect()
    }
}

/// A certified courier chosen to seal to, with the names the buyer is shown.
pub(crate) struct ChosenCourier {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub public_key: PublicKey,
}

/// The couriers of a signed directory to seal to: verified with the pinned platform key, not
/// older than the last issue this browser saw, valid now, allowed by the shop (SPEC.md §9.3).
pub(crate) fn verified_couriers(
    text: &str,
    pinned: &PlatformPublicKey,
    allowed: Option<&[String]>,
) -> Result<Vec<ChosenCourier>, Error> {
    let signed: SignedDirectory = text.parse()?;
    let directory = signed.verify(pinned)?;
    let seen = seen_serial(pinned);
    check_rollback(directory.serial, seen)?;
    let now = UtcSeconds((js_sys::Date::now() / 1000.0) as u64);
    let chosen = directory.recipients(now, allowed)?;
    if seen.is_none_or(|s| directory.serial > s) {
        remember_serial(pinned, directory.serial);
    }
    Ok(chosen
        .into_iter()
        .map(|r| {
            let courier = directory.courier(&r.courier);
            ChosenCourier {
                name_zh: courier.map_or_else(|| r.courier.clone(), |c| c.name_zh.clone()),
                name_en: courier.map_or_else(|| r.courier.clone(), |c| c.name_en.clone()),
                id: r.courier,
                public_key: r.public_key,
            }
        })
        .collect())
}

/// Where the highest directory serial seen is kept: one `localStorage` entry per platform key.
pub const SEEN_SERIAL_PREFIX: &str = "sealpost.directory.serial.";

/// The page's `localStorage`, if it has one it may use: reading the property throws in opaque
/// origins and when storage is blocked, so it goes through `Reflect` (an `Err`, not a trap).
fn local_storage() -> Option<JsValue> {
    let storage = Reflect::get(&js_sys::global(), &"localStorage".into()).ok()?;
    (storage.is_object()).then_some(storage)
}

fn storage_call(name: &str, args: &Array) -> Option<JsValue> {
    let storage = local_storage()?;
    let f: Function = get(&storage, name).dyn_into().ok()?;
    Reflect::apply(&f, &storage, args).ok()
}

/// The highest serial this browser saw for `pinned`. Without storage (blocked, private mode),
/// `None`: the signature and validity checks still apply, only rollback goes unnoticed.
fn seen_serial(pinned: &PlatformPublicKey) -> Option<u64> {
    let key = format!("{SEEN_SERIAL_PREFIX}{pinned}");
    storage_call("getItem", &Array::of1(&key.into()))?
        .as_string()?
        .parse()
        .ok()
}

/// Records `serial` as seen; a full or blocked storage is ignored.
fn remember_serial(pinned: &PlatformPublicKey, serial: u64) {
    let key = format!("{SEEN_SERIAL_PREFIX}{pinned}");
    let _ = storage_call(
        "setItem",
        &Array::of2(&key.into(), &serial.to_string().into()),
    );
}

/// The page's language: the host's closest `lang`, else the document's.
fn page_locale(host: &HtmlElement) -> Locale {
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

impl State {
    fn strings_for(options: &Options, host: &HtmlElement) -> Strings {
        let locale = options.locale.unwrap_or_else(|| page_locale(host));
        Strings::new(locale, options.overrides.clone())
    }

    /// (Re)builds the fields for the current country, keeping what was typed.
    fn render_fields(&mut self) -> Result<(), JsValue> {
        let d = doc()?;
        self.remember_values();
        unbind(&mut self.listeners);
        self.fields.set_text_content(None);
        self.controls.clear();
        let required_word = self.strings.get("required");
        for spec in layout(&self.country) {
            let id = format!("sp-{}", spec.name);
            let error_id = format!("{id}-error");
            let wrap = el(
                &d,
                "div",
                &[
                    ("class", &format!("field field-{}", spec.name)),
                    ("part", &format!("field field-{}", spec.name)),
                ],
            )?;
            let label = el(&d, "label", &[("for", &id), ("part", "label")])?;
            label.set_text_content(Some(&self.strings.label(spec)));
            if spec.required {
                let mark = el(
                    &d,
                    "span",
                    &[("class", "required"), ("aria-hidden", "true")],
                )?;
                mark.set_text_content(Some(" *"));
                let word = el(&d, "span", &[("class", "visually-hidden")])?;
                word.set_text_content(Some(&format!(" ({required_word})")));
                label.append_child(&mark)?;
                label.append_child(&word)?;
            }
            let input = match spec.control {
                Control::CountrySelect => self.country_select(&d)?,
                Control::TextArea => el(&d, "textarea", &[("rows", "2")])?,
                Control::Tel => el(&d, "input", &[("type", "tel")])?,
                Control::Text => el(&d, "input", &[("type", "text")])?,
            };
            for (k, v) in [
                ("id", id.as_str()),
                ("name", spec.name),
                ("autocomplete", spec.autocomplete),
                ("aria-describedby", error_id.as_str()),
                ("aria-invalid", "false"),
                ("part", "input"),
            ] {
                input.set_attribute(k, v)?;
            }
            if spec.required {
                input.set_attribute("aria-required", "true")?;
            }
            if let Some(mode) = spec.inputmode {
                input.set_attribute("inputmode", mode)?;
            }
            if spec.control != Control::CountrySelect {
                input.set_attribute("spellcheck", "false")?;
                if let Some((_, _, v)) = self
                    .kept
                    .iter()
                    .find(|(f, l, _)| *f == spec.field && *l == spec.line)
                {
                    set_value(&input, v);
                }
            }
            let error = el(
                &d,
                "div",
                &[
                    ("id", &error_id),
                    ("class", "error"),
                    ("part", "error"),
                    ("aria-live", "polite"),
                ],
            )?;
            error.set_attribute("hidden", "")?;
            wrap.append_child(&label)?;
            wrap.append_child(&input)?;
            wrap.append_child(&error)?;
            self.fields.append_child(&wrap)?;
            let touched = self.touched.contains(&(spec.field, spec.line));
            self.controls.push(Rendered {
                spec: *spec,
                input,
                error,
                touched,
            });
        }
        Ok(())
    }

    fn country_select(&self, d: &Document) -> Result<Element, JsValue> {
        let select = el(d, "select", &[])?;
        let namer = country_namer(self.strings.locale());
        let name = |code: &str| -> String {
            namer
                .as_ref()
                .and_then(|(n, of)| of.call1(n, &code.into()).ok())
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| code.to_owned())
        };
        let mut rest: Vec<(String, &str)> = crate::countries::all()
            .filter(|c| !COMMON_COUNTRIES.contains(c))
            .map(|c| (name(c), c))
            .collect();
        // One Intl.Collator for the whole sort: localeCompare with a locale argument builds a
        // new collator on every call (hundreds of milliseconds for ~240 names).
        let locales = Array::of1(&self.strings.locale().tag().into());
        let collator = js_sys::Intl::Collator::new(&locales, &Object::new());
        let compare = collator.compare();
        rest.sort_by(|a, b| {
            let order = compare
                .call2(&collator, &a.0.as_str().into(), &b.0.as_str().into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0);
            order
                .partial_cmp(&0.0)
                .unwrap_or(core::cmp::Ordering::Equal)
        });
        let common = COMMON_COUNTRIES.iter().map(|c| (name(c), *c));
        for (i, (label, code)) in common.chain(rest).enumerate() {
            let option = el(d, "option", &[("value", code)])?;
            option.set_text_content(Some(&label));
            if code == self.country {
                option.set_attribute("selected", "")?;
            }
            select.append_child(&option)?;
            if i + 1 == COMMON_COUNTRIES.len() {
                let sep = el(d, "option", &[("disabled", "")])?;
                sep.set_text_content(Some("──────────"));
                select.append_child(&sep)?;
            }
        }
        Ok(select)
    }

    fn remember_values(&mut self) {
        for c in &self.controls {
            if c.touched {
                self.touched
                    .retain(|(f, l)| !(*f == c.spec.field && *l == c.spec.line));
                self.touched.push((c.spec.field, c.spec.line));
            }
            if c.spec.control == Control::CountrySelect {
                continue;
            }
            let v = value_of(&c.input);
            self.kept
                .retain(|(f, l, _)| !(*f == c.spec.field && *l == c.spec.line));
            self.kept.push((c.spec.field, c.spec.line, v));
        }
    }

    fn address(&self) -> Address {
        let mut a = Address::default();
        let mut lines = [String::new(), String::new(), String::new()];
        for c in &self.controls {
            let v = value_of(&c.input);
            match c.spec.field {
                Field::Name => a.name = v,
                Field::Phone => a.phone = v,
                Field::Country => a.country = v,
                Field::AddressLevel1 => a.address_level1 = v,
                Field::AddressLevel2 => a.address_level2 = v,
                Field::AddressLevel3 => a.address_level3 = v,
                Field::PostalCode => a.postal_code = v,
                Field::Company => a.company = v,
                Field::DeliveryNote => a.delivery_note = v,
                Field::StreetLines => {
                    if let Some(slot) = lines.get_mut(c.spec.line) {
                        *slot = v;
                    }
                }
            }
        }
        a.street_lines = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
        a
    }

    /// The problem of each control, if any (street lines are checked line by line).
    fn problems(&self) -> Vec<Option<AddressError>> {
        let address = self.address();
        let all = address.problems();
        self.controls
            .iter()
            .map(|c| match c.spec.field {
                Field::StreetLines => {
                    check_text(Field::StreetLines, &value_of(&c.input), c.spec.required).err()
                }
                f => all.iter().find(|e| e.field == f).copied(),
            })
            .collect()
    }

    /// Shows or clears each touched control's error; returns the change event detail.
    fn refresh(&self) -> Result<JsValue, JsValue> {
        let problems = self.problems();
        let fields = Object::new();
        for (c, p) in self.controls.iter().zip(&problems) {
            let state = match p {
                Some(_) => "invalid",
                None if value_of(&c.input).trim().is_empty() => "empty",
                None => "valid",
            };
            Reflect::set(&fields, &c.spec.name.into(), &state.into())?;
            match p.filter(|_| c.touched) {
                Some(e) => {
                    c.error
                        .set_text_content(Some(&self.strings.error(&c.spec, &e, &self.country)));
                    c.error.remove_attribute("hidden")?;
                    c.input.set_attribute("aria-invalid", "true")?;
                }
                None => {
                    c.error.set_text_content(None);
                    c.error.set_attribute("hidden", "")?;
                    c.input.set_attribute("aria-invalid", "false")?;
                }
            }
        }
        let detail = Object::new();
        let valid = problems.iter().all(Option::is_none);
        Reflect::set(&detail, &"valid".into(), &valid.into())?;
        Reflect::set(&detail, &"fields".into(), &fields)?;
        Ok(detail.into())
    }

    fn set_status(&mut self, key: &'static str, count: usize, kind: &str) -> Result<(), JsValue> {
        self.status_key = Some((key, count));
        self.status.set_attribute("data-kind", kind)?;
        self.show_status();
        Ok(())
    }

    fn show_status(&self) {
        let text = self.status_key.map(|(key, n)| {
            self.strings
                .get(key)
                .replace("{count}", &n.to_string())
                .replace("{button}", &self.strings.get("submit"))
        });
        self.status.set_text_content(text.as_deref());
    }

    fn apply_chrome(&self) -> Result<(), JsValue> {
        self.button
            .set_text_content(Some(&self.strings.get("submit")));
        show(&self.button, self.options.button)?;
        // The test badge and the recipients notice are built-in text only (`Strings::get`
        // ignores overrides of these keys): the page cannot relabel who can read the address.
        self.badge
            .set_text_content(Some(&self.strings.get("test_mode")));
        show(&self.badge, self.options.test_mode)?;
        let names = match (&self.options.directory, self.options.test_mode) {
            (Some(_), false) => self.options.chosen_couriers().ok(),
            _ => None,
        };
        let names: Vec<String> = names
            .unwrap_or_default()
            .into_iter()
            .map(|c| match self.strings.locale() {
                Locale::ZhCn => c.name_zh,
                Locale::En => c.name_en,
            })
            .collect();
        self.notice
            .set_text_content(Some(&self.strings.recipients_notice(&names)));
        show(&self.notice, !names.is_empty())?;
        self.fields
            .set_attribute("lang", self.strings.locale().tag())
    }

    /// Validates everything; if valid, seals. Returns the events to send and the result.
    fn seal(&mut self) -> (Vec<Emit>, Result<JsValue, JsValue>) {
        let mut emits = Vec::new();
        for c in &mut self.controls {
            c.touched = true;
        }
        let detail = self.refresh();
        if let Ok(d) = &detail {
            emits.push(Emit::Change(d.clone()));
        }
        let problems = self.problems();
        let invalid = problems.iter().filter(|p| p.is_some()).count();
        if invalid > 0 {
            let first = self
                .controls
                .iter()
                .zip(&problems)
                .find(|(_, p)| p.is_some());
            let first = first.and_then(|(c, p)| p.map(|e| (c.input.clone(), c.spec, e)));
            if let Some((input, spec, e)) = first {
                if let Some(h) = input.dyn_ref::<HtmlElement>() {
                    let _ = h.focus();
                }
                let _ = self.set_status("status.invalid", invalid, "invalid");
                let err = Error::InvalidAddress(e);
                return (
                    emits,
                    Err(js_error(
                        err.code(),
                        &self.strings.error(&spec, &e, &self.country),
                    )),
                );
            }
        }
        let address = self.address();
        let result = self.options.recipients().and_then(|keys| {
            let order = self
                .options
                .order_ref
                .clone()
                .ok_or(Error::InvalidOrderRef("no order reference configured"))?;
            Envelope::seal(&address, &keys, &order, self.options.disclosure)
        });
        match result {
            Ok(envelope) => {
                let _ = self.set_status("status.sealed", 0, "sealed");
                let detail = sealed_detail(&envelope);
                emits.push(Emit::Sealed(detail.clone()));
                (emits, Ok(detail))
            }
            Err(e) => {
                let key = match e {
                    Error::AddressTooLong => "error.address_too_long",
                    _ => "error.config",
                };
                let _ = self.set_status(key, 0, "error");
                emits.push(Emit::Error(e.code(), e.to_string()));
                (emits, Err(js_error(e.code(), &e.to_string())))
            }
        }
    }
}

fn sealed_detail(envelope: &Envelope) -> JsValue {
    let detail = Object::new();
    let disclosed = Object::new();
    let Disclosed {
        country,
        address_level1,
    } = envelope.disclosed();
    if let Some(c) = country {
        let _ = Reflect::set(&disclosed, &"country".into(), &c.into());
    }
    if let Some(l) = address_level1 {
        let _ = Reflect::set(&disclosed, &"addressLevel1".into(), &l.into());
    }
    let _ = Reflect::set(&detail, &"envelope".into(), &envelope.to_string().into());
    let _ = Reflect::set(&detail, &"orderRef".into(), &envelope.order_ref().into());
    let _ = Reflect::set(&detail, &"disclosed".into(), &disclosed);
    detail.into()
}

fn dispatch(host: &HtmlElement, emits: Vec<Emit>) {
    for emit in emits {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        let name = match &emit {
            Emit::Change(d) => {
                init.set_detail(d);
                "change"
            }
            Emit::Sealed(d) => {
                init.set_detail(d);
                "sealed"
            }
            Emit::Error(code, message) => {
                let d = Object::new();
                let _ = Reflect::set(&d, &"code".into(), &(*code).into());
                let _ = Reflect::set(&d, &"message".into(), &message.as_str().into());
                init.set_detail(&d);
                "error"
            }
            Emit::Ready => "ready",
        };
        if let Ok(ev) = CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = host.dispatch_event(&ev);
        }
    }
}

/// Runs `f` on the state if it is not already borrowed (a re-entrant call from an event
/// listener gets `None` instead of a panic).
fn with_state<R>(state: &Rc<RefCell<State>>, f: impl FnOnce(&mut State) -> R) -> Option<R> {
    state.try_borrow_mut().ok().map(|mut s| f(&mut s))
}

/// Runs `f` on the state, then sends the events it produced with the state released. Refused
/// (`None`) while the state is borrowed or while our own events are being dispatched, so a
/// listener that calls back in (`seal()` from a `change` handler) cannot recurse.
fn act<R>(state: &Rc<RefCell<State>>, f: impl FnOnce(&mut State) -> (Vec<Emit>, R)) -> Option<R> {
    let (host, emits, r) = {
        let mut s = state.try_borrow_mut().ok()?;
        if s.dispatching {
            return None;
        }
        let (emits, r) = f(&mut s);
        s.dispatching = !emits.is_empty();
        (s.host.clone(), emits, r)
    };
    if !emits.is_empty() {
        dispatch(&host, emits);
        if let Ok(mut s) = state.try_borrow_mut() {
            s.dispatching = false;
        }
    }
    Some(r)
}

/// A listener that finds the state through a weak reference and dispatches what the handler
/// returns after the state is released.
fn listener(
    me: &Weak<RefCell<State>>,
    target: &Element,
    kind: &'static str,
    handler: Handler,
) -> Result<Listener, JsValue> {
    let weak = me.clone();
    let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
        if let Some(state) = weak.upgrade() {
            act(&state, |s| (handler(s, &e), ()));
        }
    });
    target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())?;
    Ok((target.clone(), kind, closure))
}

fn on_input(s: &mut State, e: &Event) -> Vec<Emit> {
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    if let Some(c) = s
        .controls
        .iter_mut()
        .find(|c| Some(&c.input) == target.as_ref())
    {
        if c.spec.control == Control::CountrySelect {
            c.touched = true;
        }
    }
    s.refresh().map(Emit::Change).into_iter().collect()
}

fn on_blur(s: &mut State, e: &Event) -> Vec<Emit> {
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    if let Some(c) = s
        .controls
        .iter_mut()
        .find(|c| Some(&c.input) == target.as_ref())
    {
        if !value_of(&c.input).is_empty() || c.touched {
            c.touched = true;
        }
    }
    s.refresh().map(Emit::Change).into_iter().collect()
}

fn on_country(s: &mut State, e: &Event) -> Vec<Emit> {
    let select = e.target().and_then(|t| t.dyn_into::<Element>().ok());
    let Some(code) = select
        .map(|t| value_of(&t))
        .filter(|c| crate::is_iso_alpha2(c))
    else {
        return Vec::new();
    };
    if code == s.country {
        return Vec::new();
    }
    s.country = code;
    let _ = s.render_fields().and_then(|()| bind_fields(s));
    if let Some(h) = s
        .controls
        .iter()
        .find(|c| c.spec.control == Control::CountrySelect)
        .and_then(|c| c.input.dyn_ref::<HtmlElement>())
    {
        let _ = h.focus();
    }
    s.refresh().map(Emit::Change).into_iter().collect()
}

fn on_submit(s: &mut State, e: &Event) -> Vec<Emit> {
    e.prevent_default();
    s.seal().0
}

/// Attaches the listeners of the current fields (after every layout).
fn bind_fields(s: &mut State) -> Result<(), JsValue> {
    let mut added = Vec::new();
    for c in &s.controls {
        let change: Handler = if c.spec.control == Control::CountrySelect {
            on_country
        } else {
            on_input
        };
        added.push(listener(&s.me, &c.input, "input", on_input)?);
        added.push(listener(&s.me, &c.input, "focusout", on_blur)?);
        added.push(listener(&s.me, &c.input, "change", change)?);
    }
    s.listeners.extend(added);
    Ok(())
}

fn unbind(listeners: &mut Vec<Listener>) {
    for (target, kind, closure) in listeners.drain(..) {
        let _ = target.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    }
}

impl core::fmt::Debug for AddressForm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AddressForm").finish_non_exhaustive()
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
            )),
        }
    }

    /// Replaces the options (same shape as `mount`'s); the typed values are kept.
    #[wasm_bindgen(js_name = setOptions)]
    pub fn set_options(&self, options: JsValue) -> Result<(), JsValue> {
        let options = Options::parse(&options).map_err(JsValue::from)?;
        let out = with_state(&self.state, |s| -> Result<(), JsValue> {
            let relayout = options.country.as_ref().is_some_and(|c| *c != s.country)
                || options.locale != s.options.locale
                || options.overrides != s.options.overrides;
            if let Some(c) = &options.country {
                s.country = c.clone();
            }
            s.strings = State::strings_for(&options, &s.host);
            s.options = options;
            s.apply_chrome()?;
            if relayout {
                s.render_fields()?;
                bind_fields(s)?;
                s.refresh()?;
            }
            Ok(())
        });
        out.unwrap_or_else(|| {
            Err(js_error(
                "busy",
                "setOptions() called from inside a sealpost event handler",
            ))
        })
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
/// allowedCouriers: string[] }`. Fires `ready` on `element` when rendered.
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
            kept: Vec::new(),
            touched: Vec::new(),
            status_key: None,
            dispatching: false,
            listeners: Vec::new(),
            form_listeners: Vec::new(),
            me: me.clone(),
        })
    });
    {
        let mut s = state
            .try_borrow_mut()
            .map_err(|_| js_error("busy", "re-entrant mount"))?;
        s.apply_chrome()?;
        s.render_fields()?;
        bind_fields(&mut s)?;
        let submit = listener(&s.me, &form, "submit", on_submit)?;
        s.form_listeners.push(submit);
    }
    dispatch(&element, vec![Emit::Ready]);
    Ok(AddressForm { state })
}
