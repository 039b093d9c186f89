//! The shop's options, from the JS object `mount` and `setOptions` take: conversion and shape
//! checks only; who the form seals to is decided by the core's [`RecipientPolicy`].

use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::{dom::get, storage};
use crate::{
    envelope::{validate_order_ref, Disclosure},
    form::{Locale, Strings},
    recipients::{RecipientPolicy, Recipients},
    Error,
};

/// Where the form gets the address data (`loadData`, which the package's `index.js` makes from
/// `dataUrl`): a function `path → Promise<string>` giving the text of `src/data/<path>`.
#[derive(Clone, Debug, Default)]
pub(super) enum DataSource {
    /// Not given: at mount, no data; in `setOptions`, the form keeps what it had.
    #[default]
    Keep,
    /// `null` or `false`: no address data, the built-in layouts and the rules of SPEC §4.1.
    Off,
    Loader(Function),
}

/// What the shop configured.
#[derive(Clone, Debug, Default)]
pub(super) struct Options {
    pub(super) recipients: RecipientPolicy,
    pub(super) order_ref: Option<String>,
    pub(super) disclosure: Disclosure,
    pub(super) locale: Option<Locale>,
    pub(super) overrides: Vec<(String, String)>,
    pub(super) country: Option<String>,
    pub(super) button: bool,
    pub(super) data: DataSource,
}

impl Options {
    pub(super) fn parse(js: &JsValue) -> Result<Options, Error> {
        let mut o = Options {
            button: true,
            ..Options::default()
        };
        if js.is_undefined() || js.is_null() {
            return Ok(o);
        }
        if !js.is_object() {
            return Err(Error::InvalidRecipients("options must be an object"));
        }
        let couriers = couriers(js)?;
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
        let test_mode = get(js, "testMode").as_bool().unwrap_or(false);
        o.recipients = recipient_policy(js, couriers, test_mode)?;
        o.button = get(js, "button").as_bool().unwrap_or(true);
        let data = get(js, "loadData");
        o.data = if data.is_function() {
            DataSource::Loader(data.unchecked_into())
        } else if data.is_null() || data == JsValue::FALSE {
            DataSource::Off
        } else {
            DataSource::Keep
        };
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
}

impl Options {
    /// What sealing needs from the configuration, checked now with the core's rules: the keys
    /// to seal to (the recipient policy, against the clock and the directory serial last seen)
    /// and a valid order reference. The form checks this when options are set and again when
    /// it seals, so a bad courier key or a missing order is reported to the shop at mount.
    pub(super) fn sealing(&self) -> Result<(Recipients, &str), Error> {
        let chosen = storage::recipients(&self.recipients)?;
        let order = self
            .order_ref
            .as_deref()
            .ok_or(Error::InvalidOrderRef("no order reference configured"))?;
        validate_order_ref(order)?;
        Ok((chosen, order))
    }
}

/// `couriers`: one key string (space-separated keys) or an array of at most 16 strings.
fn couriers(js: &JsValue) -> Result<Vec<String>, Error> {
    let bad = Error::InvalidRecipients;
    let couriers = get(js, "couriers");
    if let Some(one) = couriers.as_string() {
        return Ok(one.split_whitespace().map(str::to_owned).collect());
    }
    if Array::is_array(&couriers) {
        let list = Array::from(&couriers);
        if list.length() as usize > crate::envelope::MAX_RECIPIENTS {
            return Err(bad("at most 16 courier keys"));
        }
        return list
            .iter()
            .map(|k| k.as_string().ok_or(bad("couriers must be strings")))
            .collect();
    }
    if !couriers.is_undefined() && !couriers.is_null() {
        return Err(bad("couriers must be a key string or an array of them"));
    }
    Ok(Vec::new())
}

/// `directory`, `platformKey` and `allowedCouriers`: shapes here, the rules in the core; the
/// directory itself is checked when sealing, against the clock and the serial last seen.
fn recipient_policy(
    js: &JsValue,
    couriers: Vec<String>,
    test_mode: bool,
) -> Result<RecipientPolicy, Error> {
    let directory = get(js, "directory");
    let directory = if directory.is_undefined() || directory.is_null() {
        None
    } else {
        Some(directory.as_string().ok_or(Error::InvalidDirectory(
            "directory must be the signed text \"spdir1.…\"",
        ))?)
    };
    let pinned = get(js, "platformKey");
    let pinned = if pinned.is_undefined() || pinned.is_null() {
        None
    } else {
        Some(
            pinned
                .as_string()
                .ok_or(Error::InvalidPlatformKey("platformKey must be a string"))?,
        )
    };
    let allowed = crate::wasm::allowed_couriers_from_js(&get(js, "allowedCouriers"))?;
    RecipientPolicy::new(couriers, directory, pinned.as_deref(), allowed, test_mode)
}
