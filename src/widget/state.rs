//! The mounted form's state: its elements, options and strings, what the buyer typed (read from
//! the inputs, kept across a re-layout), validation, and sealing.
//!
//! No `Debug` here prints a typed value: only counts, field names and flags.

use std::{cell::RefCell, fmt, rc::Weak};

use js_sys::Object;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, ShadowRoot};

use super::{
    data,
    dom::value_of,
    events::{Emit, Listener},
    options::Options,
};
use crate::{
    address::{check_text, Address, AddressError, Field},
    envelope::Disclosed,
    form::{Choice, Control, FieldSpec, Locale, Strings},
    wasm::error_with_message,
    Envelope, Error,
};

/// One rendered field: its wrapper, control and error line, and for a list of the address
/// data its entries and filter.
pub(super) struct Rendered {
    pub(super) spec: FieldSpec,
    pub(super) wrap: Element,
    pub(super) label: Element,
    pub(super) input: Element,
    pub(super) error: Element,
    /// The entries when `input` is a `<select>` of the address data.
    pub(super) choices: Option<Vec<Choice>>,
    /// The filter of a long list, and the line that says how many entries match.
    pub(super) filter: Option<(Element, Element)>,
    /// The value the form last put in the control: another one now means the buyer (or the
    /// browser's autofill) changed it since.
    pub(super) shown: String,
    pub(super) touched: bool,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("field", &self.spec.name)
            .field("choices", &self.choices.as_ref().map(Vec::len))
            .field("touched", &self.touched)
            .finish_non_exhaustive()
    }
}

/// What the buyer typed, kept across a re-layout (country change): (field, line) → value.
/// `Debug` shows how many values, never one.
#[derive(Default)]
pub(super) struct Kept(Vec<(Field, usize, String)>);

impl Kept {
    pub(super) fn get(&self, field: Field, line: usize) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, l, _)| *f == field && *l == line)
            .map(|(_, _, v)| v.as_str())
    }

    pub(super) fn set(&mut self, field: Field, line: usize, value: String) {
        self.0.retain(|(f, l, _)| !(*f == field && *l == line));
        self.0.push((field, line, value));
    }

    pub(super) fn clear(&mut self) {
        self.0.clear();
    }
}

impl fmt::Debug for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kept")
            .field("values", &self.0.len())
            .finish_non_exhaustive()
    }
}

pub(super) struct State {
    pub(super) host: HtmlElement,
    pub(super) root: ShadowRoot,
    pub(super) fields: Element,
    pub(super) status: Element,
    pub(super) badge: Element,
    /// Who can read the address (the directory's courier names); not overridable.
    pub(super) notice: Element,
    pub(super) button: Element,
    pub(super) options: Options,
    pub(super) strings: Strings,
    pub(super) country: String,
    pub(super) controls: Vec<Rendered>,
    /// Values kept across a re-layout.
    pub(super) kept: Kept,
    /// Fields whose errors are shown, kept across a re-layout.
    pub(super) touched: Vec<(Field, usize)>,
    /// The status line's string key and `{count}`, re-translated when the locale changes.
    pub(super) status_key: Option<(&'static str, usize)>,
    /// True while our own events are being dispatched: calls from their listeners are refused.
    pub(super) dispatching: bool,
    /// The overall validity last reported (`change` fires only when it flips).
    pub(super) valid: bool,
    /// Why the configuration cannot seal, as last checked (at mount and `setOptions`); `None`
    /// once the form is ready.
    pub(super) config_error: Option<Error>,
    /// Listeners of the current fields (rebuilt with the layout) and of the form itself.
    pub(super) listeners: Vec<Listener>,
    pub(super) form_listeners: Vec<Listener>,
    pub(super) me: Weak<RefCell<State>>,
    /// Whether the fields come from the country's address data (then it checks and
    /// canonicalizes what is sealed, SPEC §4.2), not the built-in layout.
    pub(super) from_data: bool,
    /// The country's example postal code, for the postal-code message.
    pub(super) example: Option<String>,
    /// A re-layout is queued for the next microtask (`retry`: failed fetches asked again).
    pub(super) relayout_queued: Option<bool>,
    /// Assets this form reported refused (`invalid_address_data`), once each.
    pub(super) reported: Vec<String>,
    /// The locale the country menu was built in.
    pub(super) menu_locale: Option<Locale>,
    /// `destroy()` was called: arriving data changes nothing.
    pub(super) destroyed: bool,
}

/// Counts, flags and the configuration only: the elements hold what the buyer typed.
impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("options", &self.options)
            .field("country", &self.country)
            .field("controls", &self.controls)
            .field("kept", &self.kept)
            .field("touched", &self.touched.len())
            .field("status_key", &self.status_key)
            .field("dispatching", &self.dispatching)
            .field("valid", &self.valid)
            .field("config_error", &self.config_error)
            .field("from_data", &self.from_data)
            .finish_non_exhaustive()
    }
}

impl State {
    /// Keeps what every control holds (and which were touched) for the next layout; returns
    /// the fields changed since the form last set them.
    pub(super) fn remember_values(&mut self) -> Vec<Field> {
        let mut edited = Vec::new();
        for c in &self.controls {
            if c.touched {
                self.touched
                    .retain(|(f, l)| !(*f == c.spec.field && *l == c.spec.line));
                self.touched.push((c.spec.field, c.spec.line));
            }
            if c.spec.control == Control::CountrySelect {
                continue;
            }
            let value = value_of(&c.input);
            if value != c.shown {
                edited.push(c.spec.field);
            }
            self.kept.set(c.spec.field, c.spec.line, value);
        }
        edited
    }

    fn address(&self) -> Address {
        let mut a = Address::default();
        for c in &self.controls {
            let v = value_of(&c.input);
            if let Some(text) = a.text_mut(c.spec.field) {
                *text = v;
            } else if let Some(lines) = a.lines_mut(c.spec.field) {
                if lines.len() <= c.spec.line {
                    lines.resize(c.spec.line + 1, String::new());
                }
                if let Some(slot) = lines.get_mut(c.spec.line) {
                    *slot = v;
                }
            }
        }
        // a blank line between filled ones is dropped: the buyer sees no gap in the label
        for f in crate::address::FIELDS {
            if let Some(lines) = a.lines_mut(f.field) {
                lines.retain(|l| !l.trim().is_empty());
            }
        }
        a
    }

    /// Every problem of the address, with the rules of the country's data when the fields come
    /// from it (SPEC §4.2), else of §4.1.
    fn all_problems(&self, address: &Address) -> Vec<AddressError> {
        match self.from_data {
            true => data::with_atlas(|a| a.problems(address)),
            false => None,
        }
        .unwrap_or_else(|| address.problems())
    }

    /// The problem of each control, if any (street lines are checked line by line).
    pub(super) fn problems(&self) -> Vec<Option<AddressError>> {
        let address = self.address();
        let all = self.all_problems(&address);
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

    /// Shows the touched fields' errors; a `change` event when the overall validity flipped.
    pub(super) fn changed(&mut self) -> Vec<Emit> {
        match self.refresh() {
            Ok(valid) if valid != self.valid => {
                self.valid = valid;
                vec![Emit::Change(valid)]
            }
            _ => Vec::new(),
        }
    }

    /// Checks the configuration now (as sealing will) and records the outcome: `ready` when it
    /// can seal and could not before (or at mount: `initial`), else an `error` event with the
    /// code. Every bad configuration is reported, so the shop hears of it when it sets it.
    pub(super) fn check_config(&mut self, initial: bool) -> Vec<Emit> {
        let was_ready = !initial && self.config_error.is_none();
        self.config_error = self.options.sealing().err();
        match &self.config_error {
            Some(e) => vec![Emit::Error(e.code(), e.to_string())],
            None if !was_ready => vec![Emit::Ready],
            None => Vec::new(),
        }
    }

    /// Validates everything; if valid, seals. Returns the events to send and the result.
    pub(super) fn seal(&mut self) -> (Vec<Emit>, Result<JsValue, JsValue>) {
        let mut emits = Vec::new();
        for c in &mut self.controls {
            c.touched = true;
        }
        emits.extend(self.changed());
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
                let message = self.message(&spec, &e);
                return (
                    emits,
                    Err(error_with_message(&Error::InvalidAddress(e), &message)),
                );
            }
        }
        // with the data: the canonical names and the division code (SPEC §4.2)
        let typed = self.address();
        let address = match self.from_data {
            true => data::with_atlas(|a| a.canonical(&typed)),
            false => None,
        }
        .unwrap_or(Ok(typed))
        .map_err(Error::InvalidAddress);
        let result = address.and_then(|address| {
            let (chosen, order) = self.options.sealing()?;
            Envelope::seal(&address, &chosen.keys, order, self.options.disclosure)
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
                (emits, Err(e.into()))
            }
        }
    }
}

impl State {
    /// The message of a field's problem, in the form's language.
    pub(super) fn message(&self, spec: &FieldSpec, e: &AddressError) -> String {
        self.strings
            .error(spec, e, &self.country, self.example.as_deref())
    }
}

fn sealed_detail(envelope: &Envelope) -> JsValue {
    let detail = Object::new();
    let disclosed = Object::new();
    let Disclosed {
        country,
        address_level1,
    } = envelope.disclosed();
    let set = |o: &Object, k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(o, &k.into(), &v);
    };
    if let Some(c) = country {
        set(&disclosed, "country", c.into());
    }
    if let Some(l) = address_level1 {
        set(&disclosed, "addressLevel1", l.into());
    }
    set(&detail, "envelope", envelope.to_string().into());
    set(&detail, "orderRef", envelope.order_ref().into());
    set(&detail, "disclosed", disclosed.into());
    detail.into()
}
