//! Events in and out, and re-entrancy: listeners of the events we dispatch may call back into
//! the widget (a `sealed` handler calling `setOptions`, …), so the state is never borrowed while
//! an event is dispatched.

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use js_sys::{Object, Reflect};
use wasm_bindgen::{prelude::*, JsCast};
use web_sys::{CustomEvent, CustomEventInit, Element, Event, HtmlElement};

use super::{
    data,
    dom::{get, value_of},
    state::{Rendered, State},
};
use crate::form::Control;

pub(super) type Listener = (Element, &'static str, Closure<dyn FnMut(Event)>);
type Handler = fn(&mut State, &Event) -> Vec<Emit>;

/// An event to dispatch once the state is no longer borrowed. Details carry validity, the
/// envelope, an error code and message: never a typed value.
pub(super) enum Emit {
    /// Overall validity flipped (never per keystroke).
    Change(bool),
    Sealed(JsValue),
    Error(&'static str, String),
    Ready,
}

/// Sends each event twice: as `sealpost-<name>` (bubbles, composed), and as the deprecated
/// `<name>` alias (kept for one release) that stays on the element: neither bubbling nor
/// composed, so it reaches no `window.onerror` and no `onChange` of the shop's own form. The
/// package's `index.js` dispatches its own events (load failures) the same way.
pub(super) fn dispatch(host: &HtmlElement, emits: Vec<Emit>) {
    for emit in emits {
        let set = |d: &Object, k: &str, v: JsValue| {
            let _ = Reflect::set(d, &k.into(), &v);
        };
        let (name, detail) = match emit {
            Emit::Change(valid) => {
                let d = Object::new();
                set(&d, "valid", valid.into());
                ("change", d.into())
            }
            Emit::Sealed(d) => ("sealed", d),
            Emit::Error(code, message) => {
                let d = Object::new();
                set(&d, "code", code.into());
                set(&d, "message", message.into());
                ("error", d.into())
            }
            Emit::Ready => ("ready", JsValue::NULL),
        };
        for (name, public) in [(format!("sealpost-{name}"), true), (name.to_owned(), false)] {
            let init = CustomEventInit::new();
            init.set_bubbles(public);
            init.set_composed(public);
            init.set_detail(&detail);
            if let Ok(ev) = CustomEvent::new_with_event_init_dict(&name, &init) {
                let _ = host.dispatch_event(&ev);
            }
        }
    }
}

/// Runs `f` on the state if it is not already borrowed (a re-entrant call from an event
/// listener gets `None` instead of a panic).
pub(super) fn with_state<R>(
    state: &Rc<RefCell<State>>,
    f: impl FnOnce(&mut State) -> R,
) -> Option<R> {
    state.try_borrow_mut().ok().map(|mut s| f(&mut s))
}

/// Runs `f` on the state, then sends the events it produced with the state released. Refused
/// (`None`) while the state is borrowed or while our own events are being dispatched, so a
/// listener that calls back in (`seal()` from a `change` handler) cannot recurse.
pub(super) fn act<R>(
    state: &Rc<RefCell<State>>,
    f: impl FnOnce(&mut State) -> (Vec<Emit>, R),
) -> Option<R> {
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

/// The control the event happened on.
fn target_control<'a>(s: &'a mut State, e: &Event) -> Option<&'a mut Rendered> {
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok())?;
    s.controls.iter_mut().find(|c| c.input == target)
}

fn on_input(s: &mut State, e: &Event) -> Vec<Emit> {
    if let Some(c) = target_control(s, e) {
        if c.spec.control == Control::CountrySelect {
            c.touched = true;
        }
    }
    s.changed()
}

fn on_blur(s: &mut State, e: &Event) -> Vec<Emit> {
    if let Some(c) = target_control(s, e) {
        if !value_of(&c.input).is_empty() || c.touched {
            c.touched = true;
        }
    }
    s.changed()
}

/// Lays the form out again in a microtask (`retry`: asking again for data that failed): after
/// everything the browser does in this task, such as autofill filling every field and firing
/// its events, so no field it fills is replaced under it. Several calls make one re-layout.
pub(super) fn queue_relayout(s: &mut State, retry: bool) {
    let queued = s.relayout_queued.is_some();
    s.relayout_queued = Some(retry || s.relayout_queued.unwrap_or(false));
    if !queued {
        run_relayout(s.me.clone(), true);
    }
}

fn run_relayout(me: Weak<RefCell<State>>, again: bool) {
    data::later(move || {
        let Some(state) = me.upgrade() else { return };
        let done = act(&state, |s| {
            let retry = s.relayout_queued.take().unwrap_or(false);
            (
                if s.destroyed {
                    Vec::new()
                } else {
                    s.relayout(retry).unwrap_or_default()
                },
                (),
            )
        });
        if done.is_none() && again {
            run_relayout(me, false);
        }
    });
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
    if let Some(c) = s
        .controls
        .iter_mut()
        .find(|c| c.spec.control == Control::CountrySelect)
    {
        c.touched = true;
    }
    queue_relayout(s, true);
    Vec::new()
}

/// A list's choice (the buyer, autofill or a script): the levels below follow in a microtask.
fn on_pick(s: &mut State, e: &Event) -> Vec<Emit> {
    if let Some(c) = target_control(s, e) {
        c.touched = true;
    }
    queue_relayout(s, true);
    s.changed()
}

/// The index of the control whose filter the event happened on.
fn filter_of(s: &State, e: &Event) -> Option<usize> {
    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok())?;
    s.controls
        .iter()
        .position(|c| c.filter.as_ref().is_some_and(|(f, _)| *f == target))
}

/// Typing in a list's filter narrows the list; the one entry left is chosen, but not while an
/// input method is composing (the pinyin typed on the way to 杭州 is not the buyer's choice):
/// then when the composition ends (Firefox sends no `input` after it).
fn on_filter(s: &mut State, e: &Event) -> Vec<Emit> {
    let Some(i) = filter_of(s, e) else {
        return Vec::new();
    };
    let composing = get(e, "isComposing").as_bool().unwrap_or(false);
    if s.apply_filter(i, !composing).unwrap_or(false) {
        if let Some(c) = s.controls.get_mut(i) {
            c.touched = true;
        }
        queue_relayout(s, true);
        return s.changed();
    }
    Vec::new()
}

/// Enter in a filter chooses the first entry left and moves to the list (it never submits
/// the form); the down arrow moves to the list.
fn on_filter_key(s: &mut State, e: &Event) -> Vec<Emit> {
    let Some(i) = filter_of(s, e) else {
        return Vec::new();
    };
    let key = get(e, "key").as_string().unwrap_or_default();
    if key != "Enter" && key != "ArrowDown" {
        return Vec::new();
    }
    e.prevent_default();
    let chose = key == "Enter" && s.choose_first(i);
    if let Some(h) = s
        .controls
        .get(i)
        .and_then(|c| c.input.dyn_ref::<HtmlElement>())
    {
        let _ = h.focus();
    }
    if chose {
        if let Some(c) = s.controls.get_mut(i) {
            c.touched = true;
        }
        queue_relayout(s, true);
        return s.changed();
    }
    Vec::new()
}

fn on_submit(s: &mut State, e: &Event) -> Vec<Emit> {
    e.prevent_default();
    s.seal().0
}

/// Attaches the listeners of the current fields (after every layout).
pub(super) fn bind_fields(s: &mut State) -> Result<(), JsValue> {
    let mut added = Vec::new();
    for c in &s.controls {
        let (input, change): (Handler, Handler) = match c.spec.control {
            Control::CountrySelect => (on_input, on_country),
            _ if c.choices.is_some() => (on_pick, on_pick),
            _ => (on_input, on_input),
        };
        added.push(listener(&s.me, &c.input, "input", input)?);
        added.push(listener(&s.me, &c.input, "focusout", on_blur)?);
        added.push(listener(&s.me, &c.input, "change", change)?);
        if let Some((filter, _)) = &c.filter {
            added.push(listener(&s.me, filter, "input", on_filter)?);
            added.push(listener(&s.me, filter, "compositionend", on_filter)?);
            added.push(listener(&s.me, filter, "keydown", on_filter_key)?);
        }
    }
    s.listeners.extend(added);
    Ok(())
}

/// Attaches the form's submit listener (once, at mount).
pub(super) fn bind_form(s: &mut State, form: &Element) -> Result<(), JsValue> {
    let submit = listener(&s.me, form, "submit", on_submit)?;
    s.form_listeners.push(submit);
    Ok(())
}

pub(super) fn unbind(listeners: &mut Vec<Listener>) {
    for (target, kind, closure) in listeners.drain(..) {
        let _ = target.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
    }
}
