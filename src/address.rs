//! The shipping address record and its validation rules.
//!
//! Field names follow the WHATWG autofill tokens (`address-level1` = province/state,
//! `address-level2` = city, `address-level3` = district). Validation is per country: China has
//! its own rule set, every other country the international one.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::countries;

/// A buyer's shipping address.
///
/// `Debug` is redacted: an address is personal data and must not reach logs by accident.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// Recipient name.
    pub name: String,
    /// Recipient phone number.
    pub phone: String,
    /// ISO 3166-1 alpha-2 country code, upper case (`CN`, `DE`, …).
    pub country: String,
    /// Province / state (WHATWG `address-level1`).
    #[serde(default)]
    pub address_level1: String,
    /// City (WHATWG `address-level2`).
    #[serde(default)]
    pub address_level2: String,
    /// District (WHATWG `address-level3`).
    #[serde(default)]
    pub address_level3: String,
    /// Street address, one to three lines.
    pub street_lines: Vec<String>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: String,
    /// Company, optional (empty when absent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub company: String,
    /// Delivery note for the courier, optional (empty when absent).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub delivery_note: String,
}

impl Address {
    /// The JSON / JS field names, in form order.
    pub const FIELD_NAMES: [&'static str; 10] = [
        "name",
        "phone",
        "country",
        "addressLevel1",
        "addressLevel2",
        "addressLevel3",
        "streetLines",
        "postalCode",
        "company",
        "deliveryNote",
    ];
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Address")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

impl Drop for Address {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.name.zeroize();
        self.phone.zeroize();
        self.address_level1.zeroize();
        self.address_level2.zeroize();
        self.address_level3.zeroize();
        self.street_lines.zeroize();
        self.postal_code.zeroize();
        self.company.zeroize();
        self.delivery_note.zeroize();
    }
}

/// A field of the address, for error reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// [`Address::name`]
    Name,
    /// [`Address::phone`]
    Phone,
    /// [`Address::country`]
    Country,
    /// [`Address::address_level1`]
    AddressLevel1,
    /// [`Address::address_level2`]
    AddressLevel2,
    /// [`Address::address_level3`]
    AddressLevel3,
    /// [`Address::street_lines`]
    StreetLines,
    /// [`Address::postal_code`]
    PostalCode,
    /// [`Address::company`]
    Company,
    /// [`Address::delivery_note`]
    DeliveryNote,
}

impl Field {
    /// The field's name as it appears in JSON and JS objects (`postalCode`).
    pub fn json_name(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Phone => "phone",
            Field::Country => "country",
            Field::AddressLevel1 => "addressLevel1",
            Field::AddressLevel2 => "addressLevel2",
            Field::AddressLevel3 => "addressLevel3",
            Field::StreetLines => "streetLines",
            Field::PostalCode => "postalCode",
            Field::Company => "company",
            Field::DeliveryNote => "deliveryNote",
        }
    }

    /// Longest accepted value, in Unicode scalar values (per line for street lines).
    ///
    /// Chosen so that any valid address written in scripts of up to 3 UTF-8 bytes per character
    /// (Latin, Cyrillic, CJK, …) fits in the largest padding bucket of the envelope; only input
    /// heavy in 4-byte characters (emoji, rare CJK) can still be refused as too long when sealed.
    /// `address-level1` may be disclosed in the envelope header, where its length is one byte.
    pub fn max_chars(self) -> usize {
        match self {
            Field::Name => 50,
            Field::Phone => 24,
            Field::Country => 2,
            Field::AddressLevel1 | Field::AddressLevel2 | Field::AddressLevel3 => 40,
            Field::StreetLines => 80,
            Field::PostalCode => 12,
            Field::Company => 60,
            Field::DeliveryNote => 120,
        }
    }
}

/// Why a field was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A required field is empty.
    Missing,
    /// The field is longer than [`Field::max_chars`] (or has too many street lines).
    TooLong,
    /// The field contains a control character (including NUL, tab and line breaks).
    ControlCharacter,
    /// The field does not have the form its country requires.
    Invalid,
}

/// An address validation failure: which field, and what is wrong with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressError {
    /// The offending field.
    pub field: Field,
    /// What is wrong with it.
    pub problem: Problem,
}

impl AddressError {
    fn new(field: Field, problem: Problem) -> Self {
        AddressError { field, problem }
    }

    /// Stable code, `<field>_<problem>`: `phone_invalid`, `postal_code_missing`, `name_too_long`,
    /// `street_control_character`, …
    pub fn code(&self) -> &'static str {
        use Field::*;
        use Problem::*;
        macro_rules! codes {
            ($($f:ident => $stem:literal),* $(,)?) => {
                match (self.field, self.problem) {
                    $(
                        ($f, Missing) => concat!($stem, "_missing"),
                        ($f, TooLong) => concat!($stem, "_too_long"),
                        ($f, ControlCharacter) => concat!($stem, "_control_character"),
                        ($f, Invalid) => concat!($stem, "_invalid"),
                    )*
                }
            };
        }
        codes!(
            Name => "name", Phone => "phone", Country => "country",
            AddressLevel1 => "address_level1", AddressLevel2 => "address_level2",
            AddressLevel3 => "address_level3", StreetLines => "street",
            PostalCode => "postal_code", Company => "company", DeliveryNote => "delivery_note",
        )
    }
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field.json_name();
        match self.problem {
            Problem::Missing => write!(f, "{field} is required"),
            Problem::TooLong => write!(f, "{field} is too long"),
            Problem::ControlCharacter => write!(f, "{field} contains a control character"),
            Problem::Invalid => match self.field {
                Field::Phone => f.write_str(
                    "phone is not a valid number (China: 11-digit mobile starting with 1; \
                     elsewhere: 6 to 15 digits, optionally with + and separators)",
                ),
                Field::Country => f.write_str("country is not an ISO 3166-1 alpha-2 code"),
                Field::PostalCode => f.write_str(
                    "postalCode is not valid (China: 6 digits; elsewhere: letters, digits, spaces, hyphens)",
                ),
                _ => write!(f, "{field} is not valid"),
            },
        }
    }
}

impl std::error::Error for AddressError {}

/// Upper bound on street lines.
pub const MAX_STREET_LINES: usize = 3;

/// Checks one text value of `field`: empty (if required), too long, forbidden characters.
pub fn check_text(field: Field, value: &str, required: bool) -> Result<(), AddressError> {
    if value.trim().is_empty() {
        // white space only counts as empty: the sealed form is trimmed
        return if required {
            Err(AddressError::new(field, Problem::Missing))
        } else {
            Ok(())
        };
    }
    if value.chars().count() > field.max_chars() {
        return Err(AddressError::new(field, Problem::TooLong));
    }
    if value.chars().any(is_forbidden_char) {
        return Err(AddressError::new(field, Problem::ControlCharacter));
    }
    Ok(())
}

/// Control characters (C0, DEL, C1), line and paragraph separators and bidi overrides, which
/// could reorder what a label shows.
fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn digits_of(phone: &str) -> Option<String> {
    let trimmed = phone.trim();
    let (plus, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let mut out = String::new();
    if plus {
        out.push('+');
    }
    for c in rest.chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    Some(out)
}

fn check_phone(country: &str, phone: &str) -> Result<(), AddressError> {
    check_text(Field::Phone, phone, true)?;
    let invalid = AddressError::new(Field::Phone, Problem::Invalid);
    let digits = digits_of(phone).ok_or(invalid)?;
    if country == "CN" {
        let national = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let ok = national.len() == 11
            && national.starts_with('1')
            && national.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(())
        } else {
            Err(invalid)
        }
    } else {
        let n = digits.trim_start_matches('+').len();
        if (6..=15).contains(&n) {
            Ok(())
        } else {
            Err(invalid)
        }
    }
}

fn check_postal_code(country: &str, code: &str) -> Result<(), AddressError> {
    let field = Field::PostalCode;
    if country == "CN" {
        check_text(field, code, true)?;
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err(AddressError::new(field, Problem::Invalid))
        }
    } else {
        check_text(field, code, false)?;
        if code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            Ok(())
        } else {
            Err(AddressError::new(field, Problem::Invalid))
        }
    }
}

impl Address {
    /// Checks every field; returns the first problem found, in form order.
    pub fn validate(&self) -> Result<(), AddressError> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The first problem of each field that has one, in form order (for a form that marks every
    /// invalid field at once). Empty when the address is valid.
    pub fn problems(&self) -> Vec<AddressError> {
        let country = self.country.as_str();
        let cn = country == "CN";
        let country_check = if country.is_empty() {
            Err(AddressError::new(Field::Country, Problem::Missing))
        } else if !countries::is_iso_alpha2(country) {
            Err(AddressError::new(Field::Country, Problem::Invalid))
        } else {
            Ok(())
        };
        let street_check = if self.street_lines.is_empty() {
            Err(AddressError::new(Field::StreetLines, Problem::Missing))
        } else if self.street_lines.len() > MAX_STREET_LINES {
            Err(AddressError::new(Field::StreetLines, Problem::TooLong))
        } else {
            self.street_lines
                .iter()
                .enumerate()
                .try_for_each(|(i, line)| check_text(Field::StreetLines, line, i == 0))
        };
        [
            check_text(Field::Name, &self.name, true),
            country_check,
            check_phone(country, &self.phone),
            check_text(Field::AddressLevel1, &self.address_level1, cn),
            check_text(Field::AddressLevel2, &self.address_level2, true),
            check_text(Field::AddressLevel3, &self.address_level3, cn),
            street_check,
            check_postal_code(country, &self.postal_code),
            check_text(Field::Company, &self.company, false),
            check_text(Field::DeliveryNote, &self.delivery_note, false),
        ]
        .into_iter()
        .filter_map(Result::err)
        .collect()
    }
}

/// Turns a serde error about the shape of an address (from JSON or a JS object) into a message
/// that names fields and types but never echoes a value: serde's "invalid type" and "invalid
/// value" messages quote the offending input, which may be personal data.
pub fn shape_error_message(serde_message: &str) -> String {
    let keep = ["unknown field", "missing field", "duplicate field"];
    if keep.iter().any(|k| serde_message.starts_with(k)) {
        // these quote only field names
        let end = serde_message
            .find(" at line ")
            .unwrap_or(serde_message.len());
        format!(
            "address has the wrong shape: {}",
            serde_message.get(..end).unwrap_or("")
        )
    } else {
        "address has the wrong shape: every field is a string, streetLines an array of strings"
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cn() -> Address {
        let mut a = Address::default();
        a.name = "张三".into();
        a.phone = "138 1234 5678".into();
        a.country = "CN".into();
        a.address_level1 = "浙江省".into();
        a.address_level2 = "杭州市".into();
        a.address_level3 = "西湖区".into();
        a.street_lines = vec!["文三路 90 号 1 幢 101 室".into()];
        a.postal_code = "310012".into();
        a
    }

    fn err(a: &Address) -> &'static str {
        a.validate().map(|_| "ok").unwrap_or_else(|e| e.code())
    }

    #[test]
    fn chinese_rules() {
        assert_eq!(err(&cn()), "ok");
        let mut a = cn();
        a.postal_code = "31001".into();
        assert_eq!(err(&a), "postal_code_invalid");
        let mut a = cn();
        a.phone = "+86 13812345678".into();
        assert_eq!(err(&a), "ok");
        a.phone = "23812345678".into();
        assert_eq!(err(&a), "phone_invalid");
        a.phone = "1381234567".into();
        assert_eq!(err(&a), "phone_invalid");
        let mut a = cn();
        a.address_level3.clear();
        assert_eq!(err(&a), "address_level3_missing");
    }

    #[test]
    fn international_rules() {
        let mut a = Address::default();
        a.name = "Erika Mustermann".into();
        a.phone = "+49 30 1234567".into();
        a.country = "DE".into();
        a.address_level2 = "Berlin".into();
        a.street_lines = vec!["Heidestraße 17".into()];
        a.postal_code = "10557".into();
        assert_eq!(err(&a), "ok");
        let mut b = a.clone();
        b.country = "XX".into();
        assert_eq!(err(&b), "country_invalid");
        let mut b = a.clone();
        b.name = "Erika\u{0}".into();
        assert_eq!(err(&b), "name_control_character");
        let mut b = a.clone();
        b.name = "E".repeat(51);
        assert_eq!(err(&b), "name_too_long");
        let mut b = a.clone();
        b.street_lines = vec!["a".into(); 4];
        assert_eq!(err(&b), "street_too_long");
        let mut b = a;
        b.delivery_note = "\u{202E}evil".into();
        assert_eq!(err(&b), "delivery_note_control_character");
    }

    #[test]
    fn shape_errors_never_echo_values() {
        let msg = shape_error_message("invalid type: string \"13812345678\", expected a sequence");
        assert!(!msg.contains("138"), "{msg}");
        let msg = shape_error_message(
            "unknown field `fax`, expected one of `name`, `phone` at line 1 column 7",
        );
        assert!(
            msg.contains("unknown field `fax`") && !msg.contains("line 1"),
            "{msg}"
        );
    }

    #[test]
    fn problems_lists_every_invalid_field_once_in_form_order() {
        let mut a = cn();
        a.name.clear();
        a.phone = "12".into();
        a.postal_code = "abc".into();
        let codes: Vec<_> = a.problems().iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            ["name_missing", "phone_invalid", "postal_code_invalid"]
        );
        assert_eq!(a.validate().unwrap_err().code(), "name_missing");
        assert!(cn().problems().is_empty());
    }

    #[test]
    fn debug_is_redacted() {
        let s = format!("{:?}", cn());
        assert!(!s.contains("张三") && !s.contains("138"), "{s}");
    }
}
