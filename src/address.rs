//! The shipping address record, its one field table, and its validation rules.
//!
//! [`FIELDS`] is the single description of the address: the struct, the [`Field`] enum, the
//! JSON/JS names, the CSV columns, the autofill tokens, the limits and the requiredness per
//! layout are all generated from the one `fields!` invocation below. The envelope record
//! (`envelope.rs`), the wasm conversion, the form and the CLI's CSV format iterate the table,
//! so adding a field means adding one row here (plus SPEC.md and the vectors).
//!
//! Field names follow the WHATWG autofill tokens (`address-level1` = province/state,
//! `address-level2` = city, `address-level3` = district). Validation is per country: China has
//! its own rule set, every other country the international one.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::countries;

/// One row of the field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    /// The field.
    pub field: Field,
    /// Name in JSON, JS objects and TypeScript (`postalCode`).
    pub json: &'static str,
    /// Stem of its error codes (`postal_code` → `postal_code_invalid`).
    pub code: &'static str,
    /// Its error codes: stem + `_missing`, `_too_long`, `_control_character`, `_invalid`.
    pub codes: [&'static str; 4],
    /// Name of its CSV column; a field of several lines has one column per line, this name
    /// followed by 1, 2, … (`streetLine1`).
    pub csv: &'static str,
    /// The WHATWG autofill field name (without section and `shipping`).
    pub autocomplete: &'static str,
    /// 1 for a text field; the most lines for a field of lines.
    pub max_lines: usize,
    /// Longest accepted value, in Unicode scalar values (per line).
    pub max_chars: usize,
    /// Required in the Chinese layout (country `CN`; for lines: the first line).
    pub required_cn: bool,
    /// Required in the international layout.
    pub required_intl: bool,
}

impl FieldInfo {
    /// Whether the field must be filled for an address in `country`.
    pub fn required(&self, country: &str) -> bool {
        if country == "CN" {
            self.required_cn
        } else {
            self.required_intl
        }
    }

    /// Whether the field is a list of lines (street address) rather than one text.
    pub fn is_lines(&self) -> bool {
        self.max_lines > 1
    }

    /// Its CSV column names: `[csv]`, or `csv1 … csvN` for a field of lines.
    pub fn csv_columns(&self) -> impl Iterator<Item = String> + '_ {
        let many = self.is_lines();
        (1..=self.max_lines).map(move |i| {
            if many {
                format!("{}{i}", self.csv)
            } else {
                self.csv.to_owned()
            }
        })
    }
}

/// What an address field holds: one text, or lines.
trait Slot {
    fn values(&self) -> &[String];
    fn text_mut(&mut self) -> Option<&mut String>;
    fn lines_mut(&mut self) -> Option<&mut Vec<String>>;
}

impl Slot for String {
    fn values(&self) -> &[String] {
        core::slice::from_ref(self)
    }
    fn text_mut(&mut self) -> Option<&mut String> {
        Some(self)
    }
    fn lines_mut(&mut self) -> Option<&mut Vec<String>> {
        None
    }
}

impl Slot for Vec<String> {
    fn values(&self) -> &[String] {
        self
    }
    fn text_mut(&mut self) -> Option<&mut String> {
        None
    }
    fn lines_mut(&mut self) -> Option<&mut Vec<String>> {
        Some(self)
    }
}

macro_rules! fields {
    ($(
        $(#[doc = $doc:literal])*
        $member:ident: $ty:ty => $variant:ident {
            json: $json:literal, code: $code:literal, csv: $csv:literal,
            autocomplete: $ac:literal, lines: $lines:literal, chars: $chars:literal,
            cn: $cn:literal, intl: $intl:literal $(,)?
        }
    ),* $(,)?) => {
        /// A buyer's shipping address. Every field defaults to empty; which must be filled
        /// depends on the country ([`FIELDS`]).
        ///
        /// `Debug` is redacted: an address is personal data and must not reach logs by accident.
        #[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Address {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $json, default)]
                pub $member: $ty,
            )*
        }

        /// A field of the address, in record and form order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Field {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Field {
            /// Its row of the field table.
            pub const fn info(self) -> &'static FieldInfo {
                match self {$(
                    Field::$variant => &FieldInfo {
                        field: Field::$variant,
                        json: $json,
                        code: $code,
                        codes: [
                            concat!($code, "_missing"),
                            concat!($code, "_too_long"),
                            concat!($code, "_control_character"),
                            concat!($code, "_invalid"),
                        ],
                        csv: $csv,
                        autocomplete: $ac,
                        max_lines: $lines,
                        max_chars: $chars,
                        required_cn: $cn,
                        required_intl: $intl,
                    },
                )*}
            }
        }

        /// The field table, in record order (SPEC.md §3.4).
        pub const FIELDS: &[FieldInfo] = &[$( *Field::$variant.info(), )*];

        impl Address {
            /// The field's value(s): one string, or the lines.
            pub fn values(&self, field: Field) -> &[String] {
                match field { $( Field::$variant => Slot::values(&self.$member), )* }
            }

            /// The field's text, if it is a text field.
            pub fn text_mut(&mut self, field: Field) -> Option<&mut String> {
                match field { $( Field::$variant => Slot::text_mut(&mut self.$member), )* }
            }

            /// The field's lines, if it is a field of lines.
            pub fn lines_mut(&mut self, field: Field) -> Option<&mut Vec<String>> {
                match field { $( Field::$variant => Slot::lines_mut(&mut self.$member), )* }
            }
        }

        impl Drop for Address {
            fn drop(&mut self) {
                use zeroize::Zeroize;
                $( self.$member.zeroize(); )*
            }
        }
    };
}

fields! {
    /// Recipient name.
    name: String => Name {
        json: "name", code: "name", csv: "name", autocomplete: "name",
        lines: 1, chars: 50, cn: true, intl: true,
    },
    /// Recipient phone number.
    phone: String => Phone {
        json: "phone", code: "phone", csv: "phone", autocomplete: "tel",
        lines: 1, chars: 24, cn: true, intl: true,
    },
    /// ISO 3166-1 alpha-2 country code, upper case (`CN`, `DE`, …).
    country: String => Country {
        json: "country", code: "country", csv: "country", autocomplete: "country",
        lines: 1, chars: 2, cn: true, intl: true,
    },
    /// Province / state (WHATWG `address-level1`).
    address_level1: String => AddressLevel1 {
        json: "addressLevel1", code: "address_level1", csv: "addressLevel1",
        autocomplete: "address-level1", lines: 1, chars: 40, cn: true, intl: false,
    },
    /// City (WHATWG `address-level2`).
    address_level2: String => AddressLevel2 {
        json: "addressLevel2", code: "address_level2", csv: "addressLevel2",
        autocomplete: "address-level2", lines: 1, chars: 40, cn: true, intl: false,
    },
    /// District (WHATWG `address-level3`).
    address_level3: String => AddressLevel3 {
        json: "addressLevel3", code: "address_level3", csv: "addressLevel3",
        autocomplete: "address-level3", lines: 1, chars: 40, cn: true, intl: false,
    },
    /// Street address, one to three lines.
    street_lines: Vec<String> => StreetLines {
        json: "streetLines", code: "street", csv: "streetLine",
        autocomplete: "street-address", lines: 3, chars: 80, cn: true, intl: true,
    },
    /// Postal code.
    postal_code: String => PostalCode {
        json: "postalCode", code: "postal_code", csv: "postalCode",
        autocomplete: "postal-code", lines: 1, chars: 12, cn: true, intl: false,
    },
    /// Company, optional (empty when absent).
    company: String => Company {
        json: "company", code: "company", csv: "company", autocomplete: "organization",
        lines: 1, chars: 60, cn: false, intl: false,
    },
    /// Delivery note for the courier, optional (empty when absent).
    delivery_note: String => DeliveryNote {
        json: "deliveryNote", code: "delivery_note", csv: "deliveryNote", autocomplete: "off",
        lines: 1, chars: 120, cn: false, intl: false,
    },
    /// Code of the division the address is in, empty when unknown: in China the 6-digit
    /// GB/T 2260 code of the district (`330106`), elsewhere the ISO 3166-2 code of the state /
    /// province (`US-CA`). Filled in from the address data (`addrdata`); record version 2.
    division_code: String => DivisionCode {
        json: "divisionCode", code: "division_code", csv: "divisionCode", autocomplete: "off",
        lines: 1, chars: 6, cn: false, intl: false,
    },
}

impl Address {
    /// The JSON / JS field names, in record and form order.
    pub fn field_names() -> impl Iterator<Item = &'static str> {
        FIELDS.iter().map(|f| f.json)
    }

    /// The CSV columns of an address, in table order (`streetLines` as `streetLine1`…).
    pub fn csv_columns() -> Vec<String> {
        FIELDS.iter().flat_map(FieldInfo::csv_columns).collect()
    }

    /// The address as CSV cells, one per [`Address::csv_columns`] (missing lines empty).
    pub fn to_csv_cells(&self) -> Vec<&str> {
        FIELDS
            .iter()
            .flat_map(|f| {
                let values = self.values(f.field);
                (0..f.max_lines).map(move |i| values.get(i).map_or("", String::as_str))
            })
            .collect()
    }

    /// Reads an address back from CSV cells by column name (`cell(name)`); empty trailing
    /// lines are dropped. The inverse of [`Address::to_csv_cells`].
    pub fn from_csv_cells<'a>(mut cell: impl FnMut(&str) -> &'a str) -> Address {
        let mut a = Address::default();
        for f in FIELDS {
            let values: Vec<String> = f.csv_columns().map(|c| cell(&c).to_owned()).collect();
            if let Some(lines) = a.lines_mut(f.field) {
                *lines = values;
                while lines.last().is_some_and(|l| l.is_empty()) {
                    lines.pop();
                }
            } else if let (Some(text), Some(v)) = (a.text_mut(f.field), values.into_iter().next()) {
                *text = v;
            }
        }
        a
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Address")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

impl Field {
    /// The field's name as it appears in JSON and JS objects (`postalCode`).
    pub fn json_name(self) -> &'static str {
        self.info().json
    }

    /// Longest accepted value, in Unicode scalar values (per line for street lines).
    ///
    /// Chosen so that any valid address written in scripts of up to 3 UTF-8 bytes per character
    /// (Latin, Cyrillic, CJK, …) fits in the largest padding bucket of the envelope; only input
    /// heavy in 4-byte characters (emoji, rare CJK) can still be refused as too long when sealed.
    /// `address-level1` may be disclosed in the envelope header, where its length is one byte.
    pub fn max_chars(self) -> usize {
        self.info().max_chars
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
        let [missing, too_long, control_character, invalid] = self.field.info().codes;
        match self.problem {
            Problem::Missing => missing,
            Problem::TooLong => too_long,
            Problem::ControlCharacter => control_character,
            Problem::Invalid => invalid,
        }
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
                Field::DivisionCode => f.write_str(
                    "divisionCode is not valid (China: the district's 6-digit code; elsewhere: \
                     the ISO 3166-2 code of the state, such as US-CA; it must match the names)",
                ),
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
pub const MAX_STREET_LINES: usize = Field::StreetLines.info().max_lines;

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
pub fn is_forbidden_char(c: char) -> bool {
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

fn phone_ok(country: &str, phone: &str) -> bool {
    let Some(digits) = digits_of(phone) else {
        return false;
    };
    if country == "CN" {
        let national = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        national.len() == 11
            && national.starts_with('1')
            && national.bytes().all(|b| b.is_ascii_digit())
    } else {
        (6..=15).contains(&digits.trim_start_matches('+').len())
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
        FIELDS
            .iter()
            .filter_map(|f| self.check_field(f, country).err())
            .collect()
    }

    fn check_field(&self, f: &FieldInfo, country: &str) -> Result<(), AddressError> {
        self.check_field_required(f, f.required(country))
    }

    /// The checks of SPEC.md §4.1 on one field, with its requiredness given (the country's
    /// data may require other fields than the table).
    pub(crate) fn check_field_required(
        &self,
        f: &FieldInfo,
        required: bool,
    ) -> Result<(), AddressError> {
        let country = self.country.as_str();
        let values = self.values(f.field);
        if f.field == Field::Country {
            // a code, not text: empty or one of Appendix A, nothing in between
            return match format_rule(f.field, country, country) {
                _ if country.trim().is_empty() => Err(AddressError::new(f.field, Problem::Missing)),
                result => result,
            };
        }
        if f.is_lines() {
            if values.is_empty() && required {
                return Err(AddressError::new(f.field, Problem::Missing));
            }
            if values.len() > f.max_lines {
                return Err(AddressError::new(f.field, Problem::TooLong));
            }
        }
        for (i, value) in values.iter().enumerate() {
            check_text(f.field, value, required && i == 0)?;
            let canonical = value.trim();
            if !canonical.is_empty() {
                format_rule(f.field, country, canonical)?;
            }
        }
        Ok(())
    }
}

/// The rules beyond length and characters: the country code, and the phone number and postal
/// code per country.
fn format_rule(field: Field, country: &str, value: &str) -> Result<(), AddressError> {
    let ok = match field {
        Field::Country => countries::is_iso_alpha2(value),
        Field::Phone => phone_ok(country, value),
        Field::PostalCode if country == "CN" => {
            value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit())
        }
        Field::PostalCode => value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-'),
        Field::DivisionCode if country == "CN" => {
            value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit())
        }
        Field::DivisionCode => value
            .strip_prefix(country)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|sub| {
                (1..=3).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric())
            }),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(AddressError::new(field, Problem::Invalid))
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
        // format rules look at the canonical (trimmed) value that is sealed
        let mut a = cn();
        a.postal_code = " 310012\u{3000}".into();
        assert_eq!(err(&a), "ok");
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

    /// Every core type that holds an address: its `Debug` shows no address data.
    #[test]
    fn debug_is_redacted() {
        let opened = crate::Opened {
            address: cn(),
            identity: 1,
        };
        for s in [
            format!("{:?}", cn()),
            format!("{opened:?}"),
            format!("{opened:#?}"),
        ] {
            for secret in ["张三", "138", "文三路", "西湖区", "310012"] {
                assert!(!s.contains(secret), "{s}");
            }
        }
        assert!(format!("{opened:?}").contains("identity: 1"));
    }

    /// The table generates the struct: the JSON keys, the CSV columns and the record order are
    /// the table's, and the CSV cells read back to the same address.
    #[test]
    fn the_table_drives_json_and_csv() {
        let json = serde_json::to_value(cn()).unwrap_or_default();
        let keys: Vec<&str> = json
            .as_object()
            .map_or(vec![], |o| o.keys().map(String::as_str).collect());
        let mut names: Vec<&str> = Address::field_names().collect();
        names.sort_unstable();
        assert_eq!(keys, names);
        assert_eq!(
            Address::csv_columns(),
            [
                "name",
                "phone",
                "country",
                "addressLevel1",
                "addressLevel2",
                "addressLevel3",
                "streetLine1",
                "streetLine2",
                "streetLine3",
                "postalCode",
                "company",
                "deliveryNote",
                "divisionCode"
            ]
        );
        let mut a = cn();
        a.street_lines = vec!["一".into(), String::new(), "三".into()];
        let columns = Address::csv_columns();
        let cells = a.to_csv_cells();
        let back = Address::from_csv_cells(|name| {
            columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| cells.get(i).copied())
                .unwrap_or("")
        });
        assert_eq!(back, a);
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(f.field.info(), f, "row {i}");
            assert!(f.codes.iter().all(|c| c.starts_with(f.code)));
        }
    }
}
