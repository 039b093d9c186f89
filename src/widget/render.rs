//! Rendering: the fields of the current country's layout, the country select, error lines,
//! the status line and the chrome (button, test badge, recipients notice).

use wasm_bindgen::JsValue;
use web_sys::{Document, Element, HtmlElement, HtmlOptionElement};

use super::{
    dom::{doc, el, set_value, show},
    events::unbind,
    intl,
    options::Options,
    state::{Rendered, State},
    storage,
};
use crate::form::{layout, Control, Locale, Strings, COMMON_COUNTRIES};

impl State {
    pub(super) fn strings_for(options: &Options, host: &HtmlElement) -> Strings {
        let locale = options.locale.unwrap_or_else(|| intl::page_locale(host));
        Strings::new(locale, options.overrides.clone())
    }

    /// (Re)builds the fields for the current country, keeping what was typed.
    pub(super) fn render_fields(&mut self) -> Result<(), JsValue> {
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
                if let Some(v) = self.kept.get(spec.field, spec.line) {
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
        let locale = self.strings.locale();
        let common = COMMON_COUNTRIES
            .iter()
            .map(|c| (*c, intl::country_name(locale, c)));
        let mut rest: Vec<(&str, &str)> = intl::countries_by_name(locale)
            .filter(|(c, _)| !COMMON_COUNTRIES.contains(c))
            .collect();
        // every code exactly once, even if the built-in table missed one
        if rest.len() + COMMON_COUNTRIES.len() != crate::countries::all().count() {
            for code in crate::countries::all() {
                if !COMMON_COUNTRIES.contains(&code) && !rest.iter().any(|(c, _)| *c == code) {
                    rest.push((code, code));
                }
            }
        }
        for (i, (code, label)) in common.chain(rest).enumerate() {
            // `new Option(text, value, defaultSelected, selected)`: the same element as
            // createElement + value + text + the `selected` attribute, in one call
            let selected = code == self.country;
            let option =
                HtmlOptionElement::new_with_text_and_value_and_default_selected_and_selected(
                    label, code, selected, selected,
                )?;
            select.append_child(&option)?;
            if i + 1 == COMMON_COUNTRIES.len() {
                let sep = el(d, "option", &[("disabled", "")])?;
                sep.set_text_content(Some("──────────"));
                select.append_child(&sep)?;
            }
        }
        Ok(select)
    }

    /// Shows or clears each touched control's error; returns whether everything is valid.
    pub(super) fn refresh(&self) -> Result<bool, JsValue> {
        let problems = self.problems();
        for (c, p) in self.controls.iter().zip(&problems) {
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
        Ok(problems.iter().all(Option::is_none))
    }

    pub(super) fn set_status(
        &mut self,
        key: &'static str,
        count: usize,
        kind: &str,
    ) -> Result<(), JsValue> {
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

    pub(super) fn apply_chrome(&self) -> Result<(), JsValue> {
        self.button
            .set_text_content(Some(&self.strings.get("submit")));
        show(&self.button, self.options.button)?;
        // The test badge and the recipients notice are built-in text only (`Strings::get`
        // ignores overrides of these keys): the page cannot relabel who can read the address.
        let policy = &self.options.recipients;
        self.badge
            .set_text_content(Some(&self.strings.get("test_mode")));
        show(&self.badge, policy.test_mode())?;
        let names = match policy.directory_pin() {
            Some(_) => storage::directory_couriers(policy).ok(),
            None => None,
        };
        let names: Vec<String> = names
            .map(|v| v.couriers)
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
        // the status line in the (possibly new) locale
        self.show_status();
        self.fields
            .set_attribute("lang", self.strings.locale().tag())
    }
}
