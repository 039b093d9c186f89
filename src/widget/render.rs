//! Rendering: the fields of the current country's layout (built in, or from its address data,
//! with the lists of the data as `<select>`s and a filter on long ones), the country select,
//! error lines, the status line and the chrome (button, test badge, recipients notice).
//!
//! A new layout reuses the elements of the fields it keeps (a list that becomes known replaces
//! only the text field it was, in place), so what the buyer is typing elsewhere is not
//! disturbed; an element that had the focus and is replaced hands it to its successor.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, HtmlOptionElement};

use super::{
    data::{self, Asset, Failure},
    dom::{doc, el, get, set_value, show, value_of},
    events::{bind_fields, unbind, Emit},
    intl,
    options::{DataSource, Options},
    state::{Rendered, State},
    storage,
};
use crate::{
    address::Field,
    form::{
        cn_city_choices, cn_district_choices, cn_province_choices, data_layout, layout,
        pick_choice, sub_choices, Choice, Control, FieldSpec, Locale, Strings, COMMON_COUNTRIES,
    },
};

/// Lists longer than this get a filter.
const FILTER_FROM: usize = 10;

/// What a field's control is in the DOM (a kept element must be of the same kind).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Text,
    Tel,
    TextArea,
    Country,
    List,
}

fn kind(spec: &FieldSpec, list: &Option<Vec<Choice>>) -> Kind {
    match spec.control {
        Control::Tel => Kind::Tel,
        Control::TextArea => Kind::TextArea,
        Control::CountrySelect => Kind::Country,
        Control::Select if list.is_some() => Kind::List,
        Control::Select | Control::Text => Kind::Text,
    }
}

/// The layout to show and what it needs from the address data.
#[derive(Default)]
struct Plan {
    specs: Vec<FieldSpec>,
    lists: Vec<Option<Vec<Choice>>>,
    from_data: bool,
    example: Option<String>,
    loading: bool,
    failed: Vec<(String, Failure)>,
}

/// The element that has the focus, as (field name, line, in its filter), with its selection.
struct Focus {
    name: &'static str,
    line: usize,
    filter: bool,
    selection: (JsValue, JsValue),
}

impl State {
    pub(super) fn strings_for(options: &Options, host: &HtmlElement) -> Strings {
        let locale = options.locale.unwrap_or_else(|| intl::page_locale(host));
        Strings::new(locale, options.overrides.clone())
    }

    /// Lays the fields out for the current country and what its address data allows now,
    /// asking for the assets it still needs (`retry`: also those whose fetch failed before),
    /// keeping what was typed. Returns the events to send: validity, a refused asset.
    pub(super) fn relayout(&mut self, retry: bool) -> Result<Vec<Emit>, JsValue> {
        let edited = self.remember_values();
        self.forget_stale_levels(&edited);
        let plan = self.plan(retry);
        self.from_data = plan.from_data;
        self.example = plan.example;
        self.render(plan.specs, plan.lists)?;
        unbind(&mut self.listeners);
        bind_fields(self)?;
        let mut emits = Vec::new();
        for (path, failure) in &plan.failed {
            if *failure == Failure::Invalid && !self.reported.contains(path) {
                self.reported.push(path.clone());
                emits.push(Emit::Error(
                    "invalid_address_data",
                    "an address-data file differs from the one this version of sealpost pins: \
                     it was not used (the form shows its built-in fields)"
                        .to_owned(),
                ));
            }
        }
        let data_status = matches!(
            self.status_key,
            Some(("status.loading" | "status.nodata", _))
        );
        if plan.loading {
            self.set_status("status.loading", 0, "loading")?;
        } else if !plan.failed.is_empty() {
            self.set_status("status.nodata", 0, "nodata")?;
        } else if data_status {
            self.status_key = None;
            self.status.remove_attribute("data-kind")?;
            self.status.set_text_content(None);
        }
        emits.extend(self.changed());
        Ok(emits)
    }

    /// An asset this form waited for arrived or failed.
    pub(super) fn data_arrived(&mut self, _asset: Asset) -> Vec<Emit> {
        if self.destroyed {
            return Vec::new();
        }
        self.relayout(false).unwrap_or_default()
    }

    /// China: a province chosen anew makes the city and district the buyer had not just chosen
    /// too stale to keep (a new city, the district). What autofill put in every level at once
    /// is kept: each of them was edited.
    fn forget_stale_levels(&mut self, edited: &[Field]) {
        if self.country != "CN" {
            return;
        }
        let changed = |f| edited.contains(&f);
        if changed(Field::AddressLevel1) && !changed(Field::AddressLevel2) {
            self.kept.set(Field::AddressLevel2, 0, String::new());
        }
        if (changed(Field::AddressLevel1) || changed(Field::AddressLevel2))
            && !changed(Field::AddressLevel3)
        {
            self.kept.set(Field::AddressLevel3, 0, String::new());
        }
    }

    fn kept_text(&self, field: Field) -> String {
        self.kept.get(field, 0).unwrap_or_default().to_owned()
    }

    /// Asks for the asset at `path` (with a loader): whether it is there now.
    fn ask(&self, path: &str, retry: bool, plan: &mut Plan) -> bool {
        let DataSource::Loader(loader) = &self.options.data else {
            return false;
        };
        match data::request(path, loader, &self.me, retry) {
            Asset::Ready => true,
            Asset::Loading => {
                plan.loading = true;
                false
            }
            Asset::Failed(f) => {
                plan.failed.push((path.to_owned(), f));
                false
            }
        }
    }

    fn plan(&self, retry: bool) -> Plan {
        let mut plan = Plan::default();
        let cc = self.country.clone();
        let locale = self.strings.locale();
        let intl = self.ask(&format!("intl/{cc}.json"), retry, &mut plan);
        let index = cc == "CN" && self.ask("cn/index.json", retry, &mut plan);
        let format = (intl && (cc != "CN" || index))
            .then(|| data::with_atlas(|a| a.format(&cc).cloned()).flatten())
            .flatten();
        let Some(format) = format else {
            plan.specs = layout(&cc).to_vec();
            plan.lists = vec![None; plan.specs.len()];
            return plan;
        };
        plan.from_data = true;
        plan.example = Some(format.zipex.clone()).filter(|z| !z.is_empty());
        plan.specs = data_layout(&format, locale);
        // China's levels: a list once the level above is known, a text field until then
        let provinces = if cc == "CN" {
            data::with_atlas(|a| cn_province_choices(a, locale))
        } else {
            None
        };
        let province = provinces
            .as_deref()
            .and_then(|l| pick_choice(l, &self.kept_text(Field::AddressLevel1)))
            .map(|c| c.code.clone());
        let province_ready = province
            .as_ref()
            .and_then(|code| code.get(..2))
            .is_some_and(|pp| self.ask(&format!("cn/{pp}.json"), retry, &mut plan));
        let cities = match (&province, province_ready) {
            (Some(code), true) => {
                data::with_atlas(|a| a.cn_province(code).map(|p| cn_city_choices(p, locale)))
                    .flatten()
            }
            _ => None,
        };
        let city = cities.as_deref().and_then(|l| {
            pick_choice(l, &self.kept_text(Field::AddressLevel2))
                .or(if l.len() == 1 { l.first() } else { None })
                .map(|c| c.code.clone())
        });
        let districts = match (&province, &city) {
            (Some(p), Some(c)) => data::with_atlas(|a| {
                a.cn_province(p)
                    .and_then(|p| p.cities.iter().find(|x| x.city.code == *c))
                    .map(|c| cn_district_choices(c, locale))
            })
            .flatten(),
            _ => None,
        };
        plan.lists = plan
            .specs
            .iter()
            .map(|s| match (s.control, s.field) {
                (Control::Select, Field::AddressLevel1) if cc == "CN" => provinces.clone(),
                (Control::Select, Field::AddressLevel1) => Some(sub_choices(&format, locale)),
                (Control::Select, Field::AddressLevel2) => cities.clone(),
                (Control::Select, Field::AddressLevel3) => districts.clone(),
                _ => None,
            })
            .collect();
        plan
    }

    /// Which control has the focus now.
    fn focused(&self) -> Option<Focus> {
        let active = self.root.active_element()?;
        self.controls.iter().find_map(|c| {
            let filter = c.filter.as_ref().is_some_and(|(f, _)| *f == active);
            (c.input == active || filter).then(|| Focus {
                name: c.spec.name,
                line: c.spec.line,
                filter,
                selection: (get(&active, "selectionStart"), get(&active, "selectionEnd")),
            })
        })
    }

    /// Gives the focus back to the successor of the element that had it, if that was replaced.
    fn refocus(&self, focus: Option<Focus>) {
        let Some(f) = focus else { return };
        let Some(c) = self
            .controls
            .iter()
            .find(|c| c.spec.name == f.name && c.spec.line == f.line)
        else {
            return;
        };
        let target = match (&c.filter, f.filter) {
            (Some((filter, _)), true) => filter,
            _ => &c.input,
        };
        if self.root.active_element().as_ref() == Some(target) {
            return;
        }
        if let Some(h) = target.dyn_ref::<HtmlElement>() {
            let _ = h.focus();
        }
        if !f.selection.0.is_null() && !f.selection.0.is_undefined() {
            let _ = js_sys::Reflect::set(target, &"selectionStart".into(), &f.selection.0);
            let _ = js_sys::Reflect::set(target, &"selectionEnd".into(), &f.selection.1);
        }
    }

    /// Shows `specs` with their lists: a field of the same name and kind as before keeps its
    /// elements (updated in place), any other is built anew at its place.
    fn render(
        &mut self,
        specs: Vec<FieldSpec>,
        lists: Vec<Option<Vec<Choice>>>,
    ) -> Result<(), JsValue> {
        let d = doc()?;
        let focus = self.focused();
        let same_fields = self.controls.len() == specs.len()
            && self
                .controls
                .iter()
                .zip(&specs)
                .all(|(c, s)| c.spec.name == s.name && c.spec.line == s.line);
        let mut old = std::mem::take(&mut self.controls).into_iter();
        if !same_fields {
            self.fields.set_text_content(None);
        }
        for (spec, list) in specs.into_iter().zip(lists) {
            let prev = if same_fields { old.next() } else { None };
            let rendered = match prev {
                Some(p) if p_kind(&p) == kind(&spec, &list) => self.update(&d, p, spec, list)?,
                Some(p) => {
                    let n = self.build(&d, spec, list)?;
                    self.fields.replace_child(&n.wrap, &p.wrap)?;
                    n
                }
                None => {
                    let n = self.build(&d, spec, list)?;
                    self.fields.append_child(&n.wrap)?;
                    n
                }
            };
            self.controls.push(rendered);
        }
        self.menu_locale = Some(self.strings.locale());
        self.refocus(focus);
        Ok(())
    }

    /// A new field: wrapper, label, control (with its filter for a long list), error line.
    fn build(
        &self,
        d: &Document,
        spec: FieldSpec,
        list: Option<Vec<Choice>>,
    ) -> Result<Rendered, JsValue> {
        let id = format!("sp-{}", spec.name);
        let error_id = format!("{id}-error");
        let wrap = el(
            d,
            "div",
            &[
                ("class", &format!("field field-{}", spec.name)),
                ("part", &format!("field field-{}", spec.name)),
            ],
        )?;
        let label = el(d, "label", &[("for", &id), ("part", "label")])?;
        let input = match kind(&spec, &list) {
            Kind::Country => el(d, "select", &[])?,
            Kind::List => el(d, "select", &[])?,
            Kind::TextArea => el(d, "textarea", &[("rows", "2")])?,
            Kind::Tel => el(d, "input", &[("type", "tel")])?,
            Kind::Text => el(d, "input", &[("type", "text")])?,
        };
        for (k, v) in [
            ("id", id.as_str()),
            ("name", spec.name),
            ("aria-describedby", error_id.as_str()),
            ("aria-invalid", "false"),
            ("part", "input"),
        ] {
            input.set_attribute(k, v)?;
        }
        if !matches!(kind(&spec, &list), Kind::Country | Kind::List) {
            input.set_attribute("spellcheck", "false")?;
        }
        let error = el(
            d,
            "div",
            &[
                ("id", &error_id),
                ("class", "error"),
                ("part", "error"),
                ("aria-live", "polite"),
                ("hidden", ""),
            ],
        )?;
        wrap.append_child(&label)?;
        if list.is_some() {
            let picker = el(d, "div", &[("class", "picker")])?;
            picker.append_child(&input)?;
            wrap.append_child(&picker)?;
        } else {
            wrap.append_child(&input)?;
        }
        wrap.append_child(&error)?;
        let r = Rendered {
            spec,
            wrap,
            label,
            input,
            error,
            choices: None,
            filter: None,
            shown: String::new(),
            touched: false,
        };
        self.update(d, r, spec, list)
    }

    /// Brings a field's elements up to date: label, attributes, the list's entries and filter,
    /// and the value (what was kept, or for a list the entry it names).
    fn update(
        &self,
        d: &Document,
        mut r: Rendered,
        spec: FieldSpec,
        list: Option<Vec<Choice>>,
    ) -> Result<Rendered, JsValue> {
        r.spec = spec;
        r.touched = self.touched.contains(&(spec.field, spec.line));
        self.fill_label(d, &r.label, &spec)?;
        let input = &r.input;
        input.set_attribute("autocomplete", spec.autocomplete)?;
        if spec.required {
            input.set_attribute("aria-required", "true")?;
        } else {
            input.remove_attribute("aria-required")?;
        }
        match spec.inputmode {
            Some(mode) => input.set_attribute("inputmode", mode)?,
            None => input.remove_attribute("inputmode")?,
        }
        match kind(&spec, &list) {
            Kind::Country => {
                if input.child_element_count() == 0
                    || self.menu_locale != Some(self.strings.locale())
                {
                    input.set_text_content(None);
                    self.country_options(d, input)?;
                }
                set_value(input, &self.country);
            }
            Kind::List => {
                let list = list.unwrap_or_default();
                let kept = self.kept.get(spec.field, spec.line).unwrap_or_default();
                let value = pick_choice(&list, kept)
                    .or(if list.len() == 1 { list.first() } else { None })
                    .map_or("", |c| c.value.as_str())
                    .to_owned();
                if r.choices.as_ref() != Some(&list)
                    || self.menu_locale != Some(self.strings.locale())
                {
                    self.fill_options(input, &list, &list, "")?;
                    if let Some((filter, count)) = &r.filter {
                        set_value(filter, "");
                        count.set_text_content(None);
                    }
                }
                if value_of(input) != value {
                    set_value(input, &value);
                }
                self.filter_for(d, &mut r, &spec, list.len() > FILTER_FROM)?;
                r.choices = Some(list);
            }
            Kind::Text | Kind::Tel | Kind::TextArea => {
                let kept = self.kept.get(spec.field, spec.line).unwrap_or_default();
                if value_of(input) != kept {
                    set_value(input, kept);
                }
                // China's city or district before the level above is chosen (or its file is
                // there): a text field that says where its list comes from
                let above = match (spec.control, spec.field) {
                    (Control::Select, Field::AddressLevel2) => Some("label.province"),
                    (Control::Select, Field::AddressLevel3) => Some("label.city"),
                    _ => None,
                };
                match above {
                    Some(key) => {
                        input.set_attribute("placeholder", &self.strings.choose_first(key))?
                    }
                    None => input.remove_attribute("placeholder")?,
                }
            }
        }
        r.shown = value_of(&r.input);
        Ok(r)
    }

    /// The label's text, required mark and the hidden word screen readers read for it.
    fn fill_label(&self, d: &Document, label: &Element, spec: &FieldSpec) -> Result<(), JsValue> {
        label.set_text_content(Some(&self.strings.shown_label(spec)));
        if spec.required {
            let mark = el(d, "span", &[("class", "required"), ("aria-hidden", "true")])?;
            mark.set_text_content(Some(" *"));
            let word = el(d, "span", &[("class", "visually-hidden")])?;
            word.set_text_content(Some(&format!(" ({})", self.strings.get("required"))));
            label.append_child(&mark)?;
            label.append_child(&word)?;
        }
        Ok(())
    }

    /// Adds or removes the filter of a list: a search field before the `<select>` it controls
    /// (`aria-controls`), labelled, with a line that says how many entries match.
    fn filter_for(
        &self,
        d: &Document,
        r: &mut Rendered,
        spec: &FieldSpec,
        wanted: bool,
    ) -> Result<(), JsValue> {
        if !wanted {
            if let Some((filter, count)) = r.filter.take() {
                filter.remove();
                count.remove();
            }
            return Ok(());
        }
        let id = format!("sp-{}", spec.name);
        if r.filter.is_none() {
            let filter = el(
                d,
                "input",
                &[
                    ("type", "search"),
                    ("class", "filter"),
                    ("part", "input filter"),
                    ("id", &format!("{id}-filter")),
                    ("aria-controls", &id),
                    ("aria-describedby", &format!("{id}-count")),
                    ("autocomplete", "off"),
                    ("spellcheck", "false"),
                    ("enterkeyhint", "go"),
                ],
            )?;
            let count = el(
                d,
                "span",
                &[
                    ("id", &format!("{id}-count")),
                    ("class", "visually-hidden"),
                    ("aria-live", "polite"),
                ],
            )?;
            if let Some(picker) = r.input.parent_element() {
                picker.insert_before(&filter, Some(&r.input))?;
                picker.append_child(&count)?;
            }
            r.filter = Some((filter, count));
        }
        if let Some((filter, _)) = &r.filter {
            filter.set_attribute("aria-label", &self.strings.filter_label(spec))?;
            filter.set_attribute("placeholder", &self.strings.get("label.filter-placeholder"))?;
        }
        Ok(())
    }

    /// The `<select>`'s entries: the prompt, `shown`, and the entry of `keep` that is chosen
    /// now if the filter left it out.
    fn fill_options(
        &self,
        select: &Element,
        shown: &[Choice],
        all: &[Choice],
        keep: &str,
    ) -> Result<(), JsValue> {
        select.set_text_content(None);
        let prompt =
            HtmlOptionElement::new_with_text_and_value(&self.strings.get("label.choose"), "")?;
        select.append_child(&prompt)?;
        let kept = all.iter().find(|c| {
            !keep.is_empty() && c.value == keep && !shown.iter().any(|s| s.value == keep)
        });
        for c in kept.into_iter().chain(shown) {
            let option = HtmlOptionElement::new_with_text_and_value(&c.text, &c.value)?;
            if let Some(lang) = &c.lang {
                option.set_attribute("lang", lang)?;
            }
            select.append_child(&option)?;
        }
        Ok(())
    }

    /// Narrows control `i`'s list to the entries its filter matches; when exactly one does (and
    /// `choose`), chooses it. Returns whether the choice changed.
    pub(super) fn apply_filter(&mut self, i: usize, choose: bool) -> Result<bool, JsValue> {
        let Some(c) = self.controls.get(i) else {
            return Ok(false);
        };
        let (Some(all), Some((filter, count))) = (&c.choices, &c.filter) else {
            return Ok(false);
        };
        let query = value_of(filter);
        let current = value_of(&c.input);
        let shown: Vec<Choice> = all
            .iter()
            .filter(|x| crate::form::filter_matches(x, &query))
            .cloned()
            .collect();
        self.fill_options(&c.input, &shown, all, &current)?;
        set_value(&c.input, &current);
        let text = (!query.trim().is_empty()).then(|| {
            self.strings
                .get("status.matches")
                .replace("{count}", &shown.len().to_string())
        });
        count.set_text_content(text.as_deref());
        match shown.as_slice() {
            [only] if choose && !query.trim().is_empty() && only.value != current => {
                set_value(&c.input, &only.value);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The first entry the filter of control `i` leaves, chosen (Enter in the filter); returns
    /// whether the choice changed.
    pub(super) fn choose_first(&mut self, i: usize) -> bool {
        let Some(c) = self.controls.get(i) else {
            return false;
        };
        let Some(all) = &c.choices else { return false };
        let query = c
            .filter
            .as_ref()
            .map(|(f, _)| value_of(f))
            .unwrap_or_default();
        let current = value_of(&c.input);
        match all.iter().find(|x| crate::form::filter_matches(x, &query)) {
            Some(first) if first.value != current => {
                set_value(&c.input, &first.value);
                true
            }
            _ => false,
        }
    }

    fn country_options(&self, d: &Document, select: &Element) -> Result<(), JsValue> {
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
        Ok(())
    }

    /// Shows or clears each touched control's error; returns whether everything is valid.
    pub(super) fn refresh(&self) -> Result<bool, JsValue> {
        let problems = self.problems();
        for (c, p) in self.controls.iter().zip(&problems) {
            match p.filter(|_| c.touched) {
                Some(e) => {
                    c.error.set_text_content(Some(&self.message(&c.spec, &e)));
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

fn p_kind(r: &Rendered) -> Kind {
    match r.spec.control {
        Control::Tel => Kind::Tel,
        Control::TextArea => Kind::TextArea,
        Control::CountrySelect => Kind::Country,
        _ if r.choices.is_some() => Kind::List,
        _ => Kind::Text,
    }
}
