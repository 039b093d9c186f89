//! The highest directory serial this browser saw, per pinned platform key, in `localStorage`
//! (rollback protection, SPEC.md §9.3), and the clock: what the core's recipient policy needs
//! from the browser.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::dom::get;
use crate::{
    directory::PlatformPublicKey,
    keys::UtcSeconds,
    recipients::{self, RecipientPolicy, Recipients, VerifiedCouriers},
    Error,
};

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
fn remember_serial(pinned: &PlatformPublicKey, serial: Option<u64>) {
    let Some(serial) = serial else {
        return;
    };
    let key = format!("{SEEN_SERIAL_PREFIX}{pinned}");
    let _ = storage_call(
        "setItem",
        &Array::of2(&key.into(), &serial.to_string().into()),
    );
}

fn now() -> UtcSeconds {
    UtcSeconds((js_sys::Date::now() / 1000.0) as u64)
}

/// Runs a step of the recipient policy now, against the serial this browser saw for `pinned`
/// (none: no directory involved), and stores the serial the step says to remember.
fn against_seen<T>(
    pinned: Option<&PlatformPublicKey>,
    step: impl FnOnce(UtcSeconds, Option<u64>) -> Result<T, Error>,
    remember: fn(&T) -> Option<u64>,
) -> Result<T, Error> {
    let out = step(now(), pinned.and_then(seen_serial))?;
    if let Some(pinned) = pinned {
        remember_serial(pinned, remember(&out));
    }
    Ok(out)
}

/// [`recipients::verified_couriers`] now, against (and updating) the serial this browser saw.
pub(crate) fn verified_couriers(
    text: &str,
    pinned: &PlatformPublicKey,
    allowed: Option<&[String]>,
) -> Result<VerifiedCouriers, Error> {
    against_seen(
        Some(pinned),
        |now, seen| recipients::verified_couriers(text, pinned, allowed, now, seen),
        |v| v.remember_serial,
    )
}

/// The configured directory's couriers now ([`RecipientPolicy::directory_couriers`]).
pub(super) fn directory_couriers(policy: &RecipientPolicy) -> Result<VerifiedCouriers, Error> {
    against_seen(
        policy.directory_pin(),
        |now, seen| policy.directory_couriers(now, seen),
        |v| v.remember_serial,
    )
}

/// The keys to seal to now ([`RecipientPolicy::recipients`]).
pub(super) fn recipients(policy: &RecipientPolicy) -> Result<Recipients, Error> {
    against_seen(
        policy.directory_pin(),
        |now, seen| policy.recipients(now, seen),
        |r| r.remember_serial,
    )
}
