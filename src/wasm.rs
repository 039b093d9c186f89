//! The JavaScript binding: converts JS values, calls the core, and turns every failure into a JS
//! `Error` with a stable `code` property. Nothing here may panic: a panic would kill the module
//! for the rest of the page.

// Three modules are built from this binding (xtask `build_pkg`): the whole of it (default
// features, `sealpost_full_bg.wasm`), the form's (`form-only`: without the wasm-path seal,
// `inspect`, `openTestEnvelope` and the platform path's two functions) and the seal-only one
// (`seal-only`: the platform path's seal, validation, key ids and the version). Helpers of the
// exports a module leaves out are unused there.
#![cfg_attr(
    any(feature = "seal-only", feature = "form-only"),
    allow(dead_code, unused_imports)
)]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{prelude::*, JsCast};

use zeroize::Zeroizing;

use crate::{
    envelope::{Encapsulation, Inspection},
    Address, Disclosure, Envelope, Error, PublicKey,
};

/// The one shape of every error sealpost throws to JS (the binding and the form alike): an
/// `Error` named `SealpostError` with `code`, `message` and, for address errors, `field`.
pub(crate) fn js_error(code: &str, message: &str, field: Option<&str>) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("SealpostError");
    let obj: &JsValue = err.as_ref();
    // Reflect::set only fails on frozen or proxied objects, which a fresh Error is not.
    let _ = Reflect::set(obj, &"code".into(), &code.into());
    if let Some(field) = field {
        let _ = Reflect::set(obj, &"field".into(), &field.into());
    }
    err.into()
}

/// `e` as a JS error whose message is `message` (the form's localized text) instead of its own.
pub(crate) fn error_with_message(e: &Error, message: &str) -> JsValue {
    let field = match e {
        Error::InvalidAddress(a) => Some(a.field.json_name()),
        _ => None,
    };
    js_error(e.code(), message, field)
}

impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        error_with_message(&e, &e.to_string())
    }
}

/// Sets `key` on an object this module just made: `Reflect::set` only fails on frozen or
/// proxied objects, which a fresh `Object` is not.
fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &key.into(), &value.into());
}

/// Output objects are built by hand, not with serde-wasm-bindgen: its serializer cost ~2.7 KB
/// gzip of the module for two plain objects. Their JSON is the same as `serde_json`'s of the
/// core types (tests/wasm/web.rs checks it), so JS sees the shape the derives document.
fn strings_to_js(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

/// The address as `{ name, phone, …, streetLines: [...], … }`, in field-table order.
fn address_to_js(address: &Address) -> JsValue {
    let o = Object::new();
    for f in crate::address::FIELDS {
        let values = address.values(f.field);
        if f.is_lines() {
            set(&o, f.json, strings_to_js(values));
        } else {
            set(&o, f.json, values.first().map_or("", String::as_str));
        }
    }
    o.into()
}

/// What `inspect` returns: [`Inspection`] with camelCase keys, absent disclosures left out.
fn inspection_to_js(view: &Inspection) -> JsValue {
    let disclosed = Object::new();
    if let Some(country) = &view.disclosed.country {
        set(&disclosed, "country", country.as_str());
    }
    if let Some(level1) = &view.disclosed.address_level1 {
        set(&disclosed, "addressLevel1", level1.as_str());
    }
    let recipients: Array = view
        .recipients
        .iter()
        .map(|r| {
            let o = Object::new();
            for (k, v) in [
                ("keyId", &r.key_id),
                ("info", &r.info),
                ("enc", &r.enc),
                ("bindingAad", &r.binding_aad),
                ("binding", &r.binding),
                ("aad", &r.aad),
                ("ct", &r.ct),
            ] {
                set(&o, k, v.as_str());
            }
            JsValue::from(o)
        })
        .collect();
    let o = Object::new();
    set(&o, "format", view.format);
    set(&o, "version", view.version);
    set(&o, "orderRef", view.order_ref.as_str());
    set(&o, "disclosed", disclosed);
    set(&o, "suite", view.suite);
    // an envelope is far below 2^53 bytes: exact as a JS number
    set(&o, "sizeBytes", view.size_bytes as f64);
    set(&o, "recipients", recipients);
    o.into()
}

/// `allowedCouriers`: an array of courier ids, or `undefined`/`null` for every courier.
pub(crate) fn allowed_couriers_from_js(value: &JsValue) -> Result<Option<Vec<String>>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let bad = Error::InvalidRecipients("allowedCouriers must be an array of courier ids");
    if !Array::is_array(value) {
        return Err(bad);
    }
    Array::from(value)
        .iter()
        .map(|id| id.as_string().ok_or(bad.clone()))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Reads the address from a plain JS object field by field (no serde: its deserializer pulls
/// float formatting and hash tables into the module, ~20 KB, for error messages we replace
/// anyway). Unknown fields are refused so a typo cannot silently drop part of the address;
/// messages name fields and expected types, never values.
fn address_from_js(value: JsValue) -> Result<Address, JsValue> {
    let shape = |msg: String| {
        js_error(
            "invalid_address",
            &format!("address has the wrong shape: {msg}"),
            None,
        )
    };
    // a plain object: `{…}` or `Object.create(null)`, not an array, Date, Map, …
    let plain = value.is_object() && !Array::is_array(&value) && {
        let proto: JsValue = js_sys::Object::get_prototype_of(&value).into();
        proto.is_null()
            || proto == JsValue::from(js_sys::Object::get_prototype_of(&js_sys::Object::new()))
    };
    if !plain {
        return Err(js_error(
            "invalid_address",
            "address must be a plain object",
            None,
        ));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !Address::field_names().any(|name| name == key) {
            let shown: String = key.chars().take(40).collect();
            return Err(shape(format!("unknown field `{shown}`")));
        }
    }
    use crate::address::{Field, Problem, FIELDS};
    let invalid = |field: Field, problem: Problem| -> JsValue {
        Error::from(crate::AddressError { field, problem }).into()
    };
    // A lone UTF-16 surrogate would silently become U+FFFD: refuse it as an invalid value.
    let string = |v: &JsValue, field: Field, what: &str| -> Result<String, JsValue> {
        let s: &js_sys::JsString = v
            .dyn_ref()
            .ok_or_else(|| shape(format!("`{what}` must be a string")))?;
        if !s.is_valid_utf16() {
            return Err(invalid(field, Problem::Invalid));
        }
        Ok(String::from(s))
    };
    // Every field is read as the table says; a missing one is empty (validation then says
    // whether it was required).
    let mut a = Address::default();
    for f in FIELDS {
        let v = Reflect::get(&value, &f.json.into()).unwrap_or(JsValue::UNDEFINED);
        if v.is_undefined() || v.is_null() {
            continue;
        }
        if let Some(lines) = a.lines_mut(f.field) {
            if !Array::is_array(&v) {
                return Err(shape(format!("`{}` must be an array of strings", f.json)));
            }
            let items = Array::from(&v);
            if items.length() as usize > f.max_lines {
                return Err(invalid(f.field, Problem::TooLong));
            }
            for item in items.iter() {
                lines.push(string(&item, f.field, &format!("{}[]", f.json))?);
            }
        } else if let Some(text) = a.text_mut(f.field) {
            *text = string(&v, f.field, f.json)?;
        }
    }
    Ok(a)
}

fn recipients_from_js(value: &JsValue) -> Result<Vec<PublicKey>, JsValue> {
    let bad = || {
        js_error(
            "invalid_recipients",
            "recipients must be a public key string or an array of them",
            None,
        )
    };
    let items: Vec<JsValue> = if value.is_string() {
        vec![value.clone()]
    } else if Array::is_array(value) {
        let array = Array::from(value);
        if array.length() as usize > crate::envelope::MAX_RECIPIENTS {
            return Err(Error::InvalidRecipients("at most 16 courier keys").into());
        }
        array.iter().collect()
    } else {
        return Err(bad());
    };
    items
        .iter()
        .map(|item| {
            let text = item.as_string().ok_or_else(bad)?;
            text.parse::<PublicKey>().map_err(JsValue::from)
        })
        .collect()
}

fn string_arg(value: &JsValue, code: &str, what: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| js_error(code, &format!("{what} must be a string"), None))
}

/// `seal`'s arguments, converted.
fn seal_args(
    address: JsValue,
    recipients: &JsValue,
    order_ref: &JsValue,
    disclose: &JsValue,
) -> Result<(Address, Vec<PublicKey>, String, Disclosure), JsValue> {
    let address = address_from_js(address)?;
    let recipients = recipients_from_js(recipients)?;
    let order_ref = string_arg(order_ref, "invalid_order_ref", "orderRef")?;
    let disclosure = if disclose.is_undefined() || disclose.is_null() {
        Disclosure::None
    } else {
        string_arg(disclose, "invalid_disclosure", "disclose")?.parse::<Disclosure>()?
    };
    Ok((address, recipients, order_ref, disclosure))
}

/// Seals `address` for order `orderRef` to one courier public key (`"sp1…"`) or an array of
/// them, and returns the envelope text (`"spe1.…"`).
///
/// `disclose` is `"none"` (default), `"country"` or `"region"` (country + province/state).
/// Throws an `Error` whose `code` says what was wrong (`invalid_address`, `phone_invalid`,
/// `invalid_public_key`, `invalid_order_ref`, …); address errors also carry `field`.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = seal)]
pub fn seal_js(
    address: JsValue,
    recipients: JsValue,
    order_ref: JsValue,
    disclose: JsValue,
) -> Result<String, JsValue> {
    let (address, recipients, order_ref, disclosure) =
        seal_args(address, &recipients, &order_ref, &disclose)?;
    let envelope = Envelope::seal(&address, &recipients, &order_ref, disclosure)?;
    Ok(envelope.to_string())
}

/// The platform X25519 path, its checks alone (index.js, when the couriers do not parse or the
/// platform fails, so that the input's error comes first): runs every check of `seal` on the same
/// arguments and returns the couriers' raw X25519 public keys (32 bytes each, in order), for
/// the platform to encapsulate to. Throws what `seal` would throw.
#[cfg(not(feature = "form-only"))]
#[wasm_bindgen(js_name = sealKeys)]
pub fn seal_keys_js(
    address: JsValue,
    recipients: JsValue,
    order_ref: JsValue,
    disclose: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let (address, recipients, order_ref, disclosure) =
        seal_args(address, &recipients, &order_ref, &disclose)?;
    Envelope::check_seal(&address, &recipients, &order_ref, disclosure)?;
    Ok(recipients.iter().flat_map(|k| *k.as_bytes()).collect())
}

/// The platform X25519 path (index.js): the couriers' raw X25519 public keys (32 bytes each, in
/// order) from `seal`'s `recipients` argument, parsed and nothing else checked (index.js keeps
/// them per value; `sealEncapsulated` runs every check).
#[cfg(not(feature = "form-only"))]
#[wasm_bindgen(js_name = courierKeys)]
pub fn courier_keys_js(recipients: JsValue) -> Result<Vec<u8>, JsValue> {
    let recipients = recipients_from_js(&recipients)?;
    Ok(recipients.iter().flat_map(|k| *k.as_bytes()).collect())
}

/// The platform X25519 path, step 2: seals as `seal` does, with each courier's ephemeral key
/// pair and DH made by the platform. `encapsulations` is, per courier in order, `enc` (the
/// ephemeral public key, 32 bytes) then `DH(skE, pkR)` (32 bytes). The caller zeroes it after.
#[cfg(not(feature = "form-only"))]
#[wasm_bindgen(js_name = sealEncapsulated)]
pub fn seal_encapsulated_js(
    address: JsValue,
    recipients: JsValue,
    order_ref: JsValue,
    disclose: JsValue,
    encapsulations: &[u8],
) -> Result<String, JsValue> {
    let (address, recipients, order_ref, disclosure) =
        seal_args(address, &recipients, &order_ref, &disclose)?;
    let encapsulations: Vec<Encapsulation> = encapsulations
        .chunks(64)
        .filter_map(|c| {
            let (enc, dh) = c.split_at_checked(32)?;
            Some(Encapsulation {
                enc: enc.try_into().ok()?,
                dh: Zeroizing::new(dh.try_into().ok()?),
            })
        })
        .collect();
    let envelope = Envelope::seal_encapsulated(
        &address,
        &recipients,
        &order_ref,
        disclosure,
        &encapsulations,
    )?;
    Ok(envelope.to_string())
}

// The address data for `seal()` (SPEC.md §4.2), when the page asks for it (index.js: a
// `dataUrl` or `loadData` option): one atlas per module instance, filled by index.js with the
// assets `addressDataNeeded` names, each checked against the pin compiled into this module.
// Only in the whole module: the data's code (~20 KB gzip) stays out of the seal-only module,
// which a page that seals without the data loads.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
thread_local! {
    static SEAL_DATA: core::cell::RefCell<crate::addrdata::Atlas> =
        core::cell::RefCell::new(crate::addrdata::Atlas::new());
}

/// The next address-data asset (`intl/DE.json`, `cn/index.json`, `cn/33.json`) needed to check
/// `address` by SPEC.md §4.2, or undefined when this module has them all. Throws what `seal`
/// would for an address of the wrong shape.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = addressDataNeeded)]
pub fn address_data_needed_js(address: JsValue) -> Result<Option<String>, JsValue> {
    let address = address_from_js(address)?;
    Ok(SEAL_DATA.with(|d| d.borrow().missing(&address)))
}

/// Adds an asset's text (fetched by index.js); throws `invalid_address_data` when it is not the
/// asset this module pins.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = addAddressData)]
pub fn add_address_data_js(path: JsValue, text: JsValue) -> Result<(), JsValue> {
    let bad = || {
        JsValue::from(Error::InvalidAddressData(
            "the path and text must be strings",
        ))
    };
    let (path, text) = (
        path.as_string().ok_or_else(bad)?,
        text.as_string().ok_or_else(bad)?,
    );
    SEAL_DATA
        .with(|d| d.borrow_mut().add_pinned(&path, &text))
        .map_err(JsValue::from)
}

/// `address` as it is sealed with the address data added so far (SPEC.md §4.2: canonical
/// names, `divisionCode` filled in), or the first problem as `seal` would throw it.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = canonicalAddress)]
pub fn canonical_address_js(address: JsValue) -> Result<JsValue, JsValue> {
    let address = address_from_js(address)?;
    let canonical = SEAL_DATA
        .with(|d| d.borrow().canonical(&address))
        .map_err(|e| JsValue::from(Error::from(e)))?;
    Ok(address_to_js(&canonical))
}

/// Checks an address without sealing it. Returns nothing when it is valid; throws the same
/// `Error` (`code`, `field`) that `seal` would.
#[wasm_bindgen(js_name = validateAddress)]
pub fn validate_address_js(address: JsValue) -> Result<(), JsValue> {
    let address = address_from_js(address)?;
    address
        .validate()
        .map_err(|e| JsValue::from(Error::from(e)))
}

/// The key id (16 hex digits) of a courier public key, as the envelope and the CLI show it.
#[wasm_bindgen(js_name = keyId)]
pub fn key_id_js(public_key: JsValue) -> Result<String, JsValue> {
    let text = string_arg(&public_key, "invalid_public_key", "publicKey")?;
    Ok(text.parse::<PublicKey>()?.key_id().to_hex())
}

/// The public part of an envelope text (order reference, disclosed region, recipients' key
/// ids), as a plain object; what a seller or platform can see without any key.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = inspect)]
pub fn inspect_js(envelope: JsValue) -> Result<JsValue, JsValue> {
    let text = string_arg(&envelope, "unknown_format", "envelope")?;
    let envelope: Envelope = text.parse()?;
    Ok(inspection_to_js(&envelope.inspect()))
}

/// Verifies a signed courier directory (`spdir1.…`) with the pinned platform key (`spp1…`)
/// exactly as the form does before sealing (SPEC.md §9.3, rollback included) and returns the
/// couriers it would seal to now: `[{ id, nameZh, nameEn, keyId }]`. `allowedCouriers`: an
/// array of courier ids, or `undefined` for all. Throws with the directory's error code.
#[cfg(not(feature = "seal-only"))]
#[wasm_bindgen(js_name = verifyDirectory)]
pub fn verify_directory_js(
    directory: JsValue,
    platform_key: JsValue,
    allowed_couriers: JsValue,
) -> Result<JsValue, JsValue> {
    let text = string_arg(&directory, "invalid_directory", "directory")?;
    let pinned: crate::directory::PlatformPublicKey =
        string_arg(&platform_key, "invalid_platform_key", "platformKey")?.parse()?;
    let allowed = allowed_couriers_from_js(&allowed_couriers)?;
    let out = js_sys::Array::new();
    for c in crate::widget::verified_couriers(&text, &pinned, allowed.as_deref())?.couriers {
        let o = js_sys::Object::new();
        for (k, v) in [
            ("id", c.id),
            ("nameZh", c.name_zh),
            ("nameEn", c.name_en),
            ("keyId", c.public_key.key_id().to_hex()),
        ] {
            js_sys::Reflect::set(&o, &k.into(), &v.into())?;
        }
        out.push(&o);
    }
    Ok(out.into())
}

/// The sealpost version.
#[wasm_bindgen(js_name = version)]
pub fn version_js() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Opens an envelope sealed to the public **test** courier key (test mode), for a shop's own
/// tests; returns the address. Refuses anything else: it holds no other key.
#[cfg(not(any(feature = "seal-only", feature = "form-only")))]
#[wasm_bindgen(js_name = openTestEnvelope)]
pub fn open_test_envelope_js(envelope: JsValue, order_ref: JsValue) -> Result<JsValue, JsValue> {
    let text = string_arg(&envelope, "unknown_format", "envelope")?;
    let order = if order_ref.is_undefined() || order_ref.is_null() {
        None
    } else {
        Some(string_arg(&order_ref, "invalid_order_ref", "orderRef")?)
    };
    let identity = crate::Identity::from_secret_str(crate::recipients::TEST_COURIER_IDENTITY)?;
    let address = text
        .parse::<Envelope>()?
        .open(&[identity], order.as_deref())?;
    Ok(address_to_js(&address))
}
