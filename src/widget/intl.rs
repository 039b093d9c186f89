//! The page's language, and the country menu's names and order in each locale.
//!
//! The names and their order are built in (`names.rs`, written from Chromium's
//! `Intl.DisplayNames` and `Intl.Collator` by `tests/e2e/country-names.mjs`): the first `Intl`
//! constructor of a page costs Chromium ~20 ms of main thread (its ICU locale data), more than
//! the rest of the form's first render, and the names are then the same in every browser.

use web_sys::HtmlElement;

use super::names;
use crate::form::Locale;

/// The page's language: the host's closest `lang`, else the document's.
pub(super) fn page_locale(host: &HtmlElement) -> Locale {
    let lang = host
        .closest("[lang]")
        .ok()
        .flatten()
        .and_then(|e| e.get_attribute("lang"))
        .unwrap_or_default();
    Locale::from_tag(&lang)
}

/// Every country as `(code, name)`, sorted by name as `locale`'s collator orders them.
pub(super) fn countries_by_name(
    locale: Locale,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    let table = match locale {
        Locale::En => names::EN,
        Locale::ZhCn => names::ZH_CN,
    };
    table
        .split('\n')
        .filter_map(|line| Some((line.get(..2)?, line.get(2..)?)))
}

/// The name of `code` in `locale` (the code itself for a code the table lacks).
pub(super) fn country_name(locale: Locale, code: &str) -> &str {
    countries_by_name(locale)
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, name)| name)
}
