//! What the address form shows, independent of any DOM: the fields per country (order, WHATWG
//! autocomplete tokens, requiredness) and every user-visible string in en and zh-CN, each
//! overridable by the shop. The browser widget (`widget.rs`) only renders this.

use crate::address::{AddressError, Field, Problem};

/// The form's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    /// English.
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Locale {
    /// From a BCP 47 tag such as the page's `lang`: any `zh…` is zh-CN, anything else English.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Locale::ZhCn
        } else {
            Locale::En
        }
    }

    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhCn => "zh-CN",
        }
    }
}

/// Which control renders a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// `<input type=text>`
    Text,
    /// `<input type=tel>`
    Tel,
    /// `<select>` of countries
    CountrySelect,
    /// `<textarea>`
    TextArea,
}

/// One input of the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// Input name and id suffix; also the key of its label string (`label.<name>`).
    pub name: &'static str,
    /// The address field it fills.
    pub field: Field,
    /// For street lines: which line (0-based).
    pub line: usize,
    /// The WHATWG autofill token.
    pub autocomplete: &'static str,
    /// Whether the buyer must fill it.
    pub required: bool,
    /// The control.
    pub control: Control,
    /// The `inputmode` hint for virtual keyboards, if any.
    pub inputmode: Option<&'static str>,
}

const fn spec(
    name: &'static str,
    field: Field,
    autocomplete: &'static str,
    required: bool,
    control: Control,
) -> FieldSpec {
    FieldSpec {
        name,
        field,
        line: 0,
        autocomplete,
        required,
        control,
        inputmode: None,
    }
}

/// China: province → city → district → street, 6-digit postal code, 11-digit mobile.
const CHINA: &[FieldSpec] = &[
    spec("name", Field::Name, "shipping name", true, Control::Text),
    FieldSpec {
        inputmode: Some("tel"),
        ..spec("phone", Field::Phone, "shipping tel", true, Control::Tel)
    },
    spec(
        "country",
        Field::Country,
        "shipping country",
        true,
        Control::CountrySelect,
    ),
    spec(
        "province",
        Field::AddressLevel1,
        "shipping address-level1",
        true,
        Control::Text,
    ),
    spec(
        "city",
        Field::AddressLevel2,
        "shipping address-level2",
        true,
        Control::Text,
    ),
    spec(
        "district",
        Field::AddressLevel3,
        "shipping address-level3",
        true,
        Control::Text,
    ),
    spec(
        "street",
        Field::StreetLines,
        "shipping street-address",
        true,
        Control::Text,
    ),
    FieldSpec {
        inputmode: Some("numeric"),
        ..spec(
            "postal-code",
            Field::PostalCode,
            "shipping postal-code",
            true,
            Control::Text,
        )
    },
    spec(
        "company",
        Field::Company,
        "shipping organization",
        false,
        Control::Text,
    ),
    spec(
        "delivery-note",
        Field::DeliveryNote,
        "off",
        false,
        Control::TextArea,
    ),
];

/// Everywhere else: two street lines, city, state/province, optional postal code.
const INTERNATIONAL: &[FieldSpec] = &[
    spec("name", Field::Name, "shipping name", true, Control::Text),
    FieldSpec {
        inputmode: Some("tel"),
        ..spec("phone", Field::Phone, "shipping tel", true, Control::Tel)
    },
    spec(
        "country",
        Field::Country,
        "shipping country",
        true,
        Control::CountrySelect,
    ),
    spec(
        "address-line1",
        Field::StreetLines,
        "shipping address-line1",
        true,
        Control::Text,
    ),
    FieldSpec {
        line: 1,
        ..spec(
            "address-line2",
            Field::StreetLines,
            "shipping address-line2",
            false,
            Control::Text,
        )
    },
    spec(
        "city",
        Field::AddressLevel2,
        "shipping address-level2",
        false,
        Control::Text,
    ),
    spec(
        "state",
        Field::AddressLevel1,
        "shipping address-level1",
        false,
        Control::Text,
    ),
    spec(
        "postal-code",
        Field::PostalCode,
        "shipping postal-code",
        false,
        Control::Text,
    ),
    spec(
        "company",
        Field::Company,
        "shipping organization",
        false,
        Control::Text,
    ),
    spec(
        "delivery-note",
        Field::DeliveryNote,
        "off",
        false,
        Control::TextArea,
    ),
];

/// The fields for a country, in the order they are shown.
pub fn layout(country: &str) -> &'static [FieldSpec] {
    if country == "CN" {
        CHINA
    } else {
        INTERNATIONAL
    }
}

/// Countries listed first in the country menu (the rest follow alphabetically by code).
pub const COMMON_COUNTRIES: &[&str] = &[
    "CN", "HK", "MO", "TW", "US", "GB", "DE", "FR", "JP", "KR", "SG", "AU", "CA",
];

/// `(key, en, zh-CN)`. `{label}` and `{count}` are filled in.
const STRINGS: &[(&str, &str, &str)] = &[
    ("label.name", "Full name", "收件人"),
    ("label.phone", "Phone", "手机号码"),
    ("label.country", "Country or region", "国家或地区"),
    ("label.province", "Province", "省份"),
    ("label.city", "City", "城市"),
    ("label.district", "District", "区县"),
    ("label.street", "Street address", "详细地址"),
    ("label.address-line1", "Address line 1", "地址第一行"),
    (
        "label.address-line2",
        "Address line 2 (optional)",
        "地址第二行（选填）",
    ),
    (
        "label.state",
        "State / province (optional)",
        "州 / 省（选填）",
    ),
    ("label.postal-code", "Postal code", "邮政编码"),
    ("label.company", "Company (optional)", "公司（选填）"),
    (
        "label.delivery-note",
        "Note for the courier (optional)",
        "给快递员的留言（选填）",
    ),
    ("required", "required", "必填"),
    ("error.missing", "Enter the {label}.", "请填写{label}。"),
    (
        "error.too_long",
        "The {label} is too long.",
        "{label}过长。",
    ),
    (
        "error.control_character",
        "The {label} contains characters that cannot be printed.",
        "{label}包含无法打印的字符。",
    ),
    (
        "error.invalid",
        "The {label} is not valid.",
        "{label}格式不正确。",
    ),
    (
        "error.phone_invalid.CN",
        "Enter an 11-digit mobile number starting with 1.",
        "请输入以 1 开头的 11 位手机号码。",
    ),
    (
        "error.phone_invalid",
        "Enter a phone number of 6 to 15 digits.",
        "请输入 6 到 15 位数字的电话号码。",
    ),
    (
        "error.postal_code_invalid.CN",
        "Enter the 6-digit postal code.",
        "请输入 6 位数字的邮政编码。",
    ),
    (
        "error.postal_code_invalid",
        "Use only letters, digits, spaces and hyphens.",
        "邮政编码只能包含字母、数字、空格和连字符。",
    ),
    (
        "error.country_invalid",
        "Choose a country or region.",
        "请选择国家或地区。",
    ),
    (
        "error.address_too_long",
        "The address is too long: shorten the street or the note.",
        "地址过长，请缩短详细地址或留言。",
    ),
    (
        "error.config",
        "This address form is not set up correctly. Please contact the shop.",
        "地址表单配置有误，请联系商家。",
    ),
    ("submit", "Confirm address", "确认地址"),
    (
        "status.invalid",
        "Please correct the highlighted fields ({count}).",
        "请修改标出的字段（{count} 处）。",
    ),
    (
        "status.sealed",
        "Address sealed: only the courier can read it.",
        "地址已加密，只有快递员能看到。",
    ),
    (
        "status.confirm",
        "Press “{button}” to seal the address for the courier.",
        "请点击「{button}」，地址加密后交给快递。",
    ),
    (
        "test_mode",
        "TEST MODE: this address is sealed to a public test key that anyone can open. Do not enter a real address.",
        "测试模式：地址使用任何人都能解密的公开测试密钥加密，请勿填写真实地址。",
    ),
    (
        "recipients",
        "Only {couriers} can read this address.",
        "仅 {couriers} 可解密此地址。",
    ),
];

/// Keys the shop cannot override: what the buyer is told about who can read the address.
const PROTECTED: &[&str] = &["test_mode", "recipients"];

/// The form's strings: the built-in table for one locale, with the shop's overrides on top.
#[derive(Clone, Debug)]
pub struct Strings {
    locale: Locale,
    overrides: Vec<(String, String)>,
}

impl Strings {
    /// The built-in strings of `locale` with `overrides` (key → text) applied.
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Strings {
        Strings { locale, overrides }
    }

    /// The locale.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`: the shop's override, else the built-in text, else the key itself.
    /// The [`PROTECTED`] keys (test badge, recipients notice) always give the built-in text.
    pub fn get(&self, key: &str) -> String {
        if let Some((_, text)) = self
            .overrides
            .iter()
            .find(|(k, _)| k == key && !PROTECTED.contains(&key))
        {
            return text.clone();
        }
        STRINGS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, en, zh)| match self.locale {
                Locale::En => *en,
                Locale::ZhCn => *zh,
            })
            .unwrap_or(key)
            .to_owned()
    }

    /// Whether `key` is one of the built-in keys (overrides for unknown keys are ignored).
    pub fn is_key(key: &str) -> bool {
        STRINGS.iter().any(|(k, _, _)| *k == key)
    }

    /// Who can read the address: "Only SF Express and ZTO Express can read this address." /
    /// 「仅 顺丰速运、中通快递 可解密此地址。」 (built-in text only).
    pub fn recipients_notice(&self, names: &[String]) -> String {
        let list = match (self.locale, names) {
            (Locale::ZhCn, _) => names.join("、"),
            (Locale::En, [.., last]) if names.len() > 1 => {
                let head = names.get(..names.len() - 1).unwrap_or_default();
                format!("{} and {last}", head.join(", "))
            }
            (Locale::En, _) => names.join(""),
        };
        self.get("recipients").replace("{couriers}", &list)
    }

    /// The label of a field.
    pub fn label(&self, spec: &FieldSpec) -> String {
        self.get(&format!("label.{}", spec.name))
    }

    /// The message for a validation problem of `spec`'s field in `country`.
    pub fn error(&self, spec: &FieldSpec, error: &AddressError, country: &str) -> String {
        let specific = match error.problem {
            Problem::Invalid => Some(error.code()),
            _ => None,
        };
        let key = specific
            .map(|code| {
                let for_country = format!("error.{code}.{country}");
                if STRINGS.iter().any(|(k, _, _)| *k == for_country)
                    || self.overrides.iter().any(|(k, _)| *k == for_country)
                {
                    for_country
                } else {
                    format!("error.{code}")
                }
            })
            .filter(|k| Strings::is_key(k) || self.overrides.iter().any(|(o, _)| o == k));
        let template = match key {
            Some(key) => self.get(&key),
            None => self.get(match error.problem {
                Problem::Missing => "error.missing",
                Problem::TooLong => "error.too_long",
                Problem::ControlCharacter => "error.control_character",
                _ => "error.invalid",
            }),
        };
        let label = self.label(spec);
        // "(optional)" is part of some labels; messages read better without it
        let label = label
            .split(['(', '（'])
            .next()
            .unwrap_or(&label)
            .trim()
            .to_owned();
        let label = match self.locale {
            // ASCII only: Unicode case tables would add ~10 KB to the browser module
            Locale::En => label.to_ascii_lowercase(),
            Locale::ZhCn => label,
        };
        template.replace("{label}", &label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_have_the_autofill_tokens_and_cover_the_required_fields() {
        let cn: Vec<_> = layout("CN").iter().map(|s| s.autocomplete).collect();
        assert_eq!(
            &cn[3..7],
            [
                "shipping address-level1",
                "shipping address-level2",
                "shipping address-level3",
                "shipping street-address"
            ]
        );
        let intl: Vec<_> = layout("DE").iter().map(|s| s.autocomplete).collect();
        assert!(
            intl.contains(&"shipping address-line1") && intl.contains(&"shipping address-line2")
        );
        assert!(!intl.contains(&"shipping address-level3"));
        for l in [layout("CN"), layout("US")] {
            for s in l {
                assert!(
                    Strings::is_key(&format!("label.{}", s.name)),
                    "no label for {}",
                    s.name
                );
                assert!(s.autocomplete == "off" || s.autocomplete.starts_with("shipping "));
            }
        }
    }

    /// The layouts follow the field table: every required field shown, requiredness and autofill
    /// token as the table says (street lines: the table's token or `address-lineN`).
    #[test]
    fn layouts_follow_the_field_table() {
        use crate::address::FIELDS;
        for country in ["CN", "DE"] {
            let l = layout(country);
            for f in FIELDS {
                let shown: Vec<_> = l.iter().filter(|s| s.field == f.field).collect();
                assert!(
                    !shown.is_empty() || !f.required(country),
                    "{country}: required {} not shown",
                    f.json
                );
                for s in shown {
                    let first = s.line == 0;
                    assert_eq!(
                        s.required,
                        f.required(country) && first,
                        "{country}: {}",
                        s.name
                    );
                    let token = s.autocomplete.trim_start_matches("shipping ");
                    let line_token = format!("address-line{}", s.line + 1);
                    assert!(
                        token == f.autocomplete || (f.is_lines() && token == line_token),
                        "{country}: {} has {token}, the table says {}",
                        s.name,
                        f.autocomplete
                    );
                    assert!(s.line < f.max_lines);
                }
            }
        }
    }

    #[test]
    fn messages_in_both_languages_with_overrides() {
        let en = Strings::new(Locale::En, vec![]);
        let zh = Strings::new(Locale::from_tag("zh-Hans-CN"), vec![]);
        let phone = &layout("CN")[1];
        let e = AddressError {
            field: Field::Phone,
            problem: Problem::Invalid,
        };
        assert_eq!(
            en.error(phone, &e, "CN"),
            "Enter an 11-digit mobile number starting with 1."
        );
        assert_eq!(
            zh.error(phone, &e, "CN"),
            "请输入以 1 开头的 11 位手机号码。"
        );
        assert_eq!(
            en.error(phone, &e, "US"),
            "Enter a phone number of 6 to 15 digits."
        );
        let note = &layout("CN")[9];
        let e = AddressError {
            field: Field::DeliveryNote,
            problem: Problem::TooLong,
        };
        assert_eq!(
            en.error(note, &e, "CN"),
            "The note for the courier is too long."
        );
        assert_eq!(zh.error(note, &e, "CN"), "给快递员的留言过长。");
        let shop = Strings::new(Locale::En, vec![("label.name".into(), "Recipient".into())]);
        let name = &layout("CN")[0];
        let e = AddressError {
            field: Field::Name,
            problem: Problem::Missing,
        };
        assert_eq!(shop.error(name, &e, "CN"), "Enter the recipient.");
        assert_eq!(shop.get("submit"), "Confirm address");
    }

    #[test]
    fn the_recipients_notice_and_test_badge_cannot_be_overridden() {
        let overrides = vec![
            (
                "recipients".into(),
                "Only the seller can read {couriers}".into(),
            ),
            ("test_mode".into(), "Secure checkout".into()),
            ("submit".into(), "Save".into()),
        ];
        let en = Strings::new(Locale::En, overrides.clone());
        let zh = Strings::new(Locale::ZhCn, overrides);
        let names = |n: &[&str]| n.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            en.recipients_notice(&names(&["SF Express", "ZTO Express", "EMS"])),
            "Only SF Express, ZTO Express and EMS can read this address."
        );
        assert_eq!(
            en.recipients_notice(&names(&["SF Express"])),
            "Only SF Express can read this address."
        );
        assert_eq!(
            zh.recipients_notice(&names(&["顺丰速运", "中通快递"])),
            "仅 顺丰速运、中通快递 可解密此地址。"
        );
        assert!(en.get("test_mode").starts_with("TEST MODE"));
        assert!(zh.get("test_mode").starts_with("测试模式"));
        // other keys stay overridable
        assert_eq!(en.get("submit"), "Save");
    }
}
