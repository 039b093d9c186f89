//! What the address form shows, independent of any DOM: the fields per country (order, WHATWG
//! autocomplete tokens, requiredness, labels), the lists of the address data a field offers
//! (China's provinces, cities and districts, a country's states), how a typed or autofilled
//! text picks an entry of such a list, and every user-visible string in en and zh-CN, each
//! overridable by the shop. The browser widget (`widget/`) only renders this.
//!
//! Two kinds of layout: the built-in ones ([`layout`]: China's and the international one),
//! shown while a country's address data is loading or when it cannot be loaded, and the ones
//! built from the country's data ([`data_layout`]: its fields, order, requiredness and names).

use crate::{
    addrdata::{self, short_name, Atlas, City, CountryFormat, Division, Province},
    address::{AddressError, Field, Problem, FIELDS},
};

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
    /// A list of the address data (a country's states, a level of China's divisions): a
    /// `<select>` once the list is known, a text input until then (or without the data).
    Select,
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
    /// The key of its label string (`label.name`, `label.zip`, …).
    pub label: &'static str,
    /// Whether the label is followed by `label.optional` when the field is not required (the
    /// labels of the address data's name kinds; the built-in labels say it themselves).
    pub mark_optional: bool,
}

const fn spec(
    name: &'static str,
    field: Field,
    autocomplete: &'static str,
    required: bool,
    control: Control,
    label: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        field,
        line: 0,
        autocomplete,
        required,
        control,
        inputmode: None,
        label,
        mark_optional: false,
    }
}

const NAME: FieldSpec = spec(
    "name",
    Field::Name,
    "shipping name",
    true,
    Control::Text,
    "label.name",
);
const PHONE: FieldSpec = FieldSpec {
    inputmode: Some("tel"),
    ..spec(
        "phone",
        Field::Phone,
        "shipping tel",
        true,
        Control::Tel,
        "label.phone",
    )
};
const COUNTRY: FieldSpec = spec(
    "country",
    Field::Country,
    "shipping country",
    true,
    Control::CountrySelect,
    "label.country",
);
const COMPANY: FieldSpec = spec(
    "company",
    Field::Company,
    "shipping organization",
    false,
    Control::Text,
    "label.company",
);
const NOTE: FieldSpec = spec(
    "delivery-note",
    Field::DeliveryNote,
    "off",
    false,
    Control::TextArea,
    "label.delivery-note",
);
const LINE1: FieldSpec = spec(
    "address-line1",
    Field::StreetLines,
    "shipping address-line1",
    true,
    Control::Text,
    "label.address-line1",
);
const LINE2: FieldSpec = FieldSpec {
    line: 1,
    ..spec(
        "address-line2",
        Field::StreetLines,
        "shipping address-line2",
        false,
        Control::Text,
        "label.address-line2",
    )
};

/// China: province → city → district → street, 6-digit postal code, 11-digit mobile. With the
/// address data the three levels are lists ([`data_layout`]).
const CHINA: &[FieldSpec] = &[
    NAME,
    PHONE,
    COUNTRY,
    spec(
        "province",
        Field::AddressLevel1,
        "shipping address-level1",
        true,
        Control::Text,
        "label.province",
    ),
    spec(
        "city",
        Field::AddressLevel2,
        "shipping address-level2",
        true,
        Control::Text,
        "label.city",
    ),
    spec(
        "district",
        Field::AddressLevel3,
        "shipping address-level3",
        true,
        Control::Text,
        "label.district",
    ),
    spec(
        "street",
        Field::StreetLines,
        "shipping street-address",
        true,
        Control::Text,
        "label.street",
    ),
    FieldSpec {
        inputmode: Some("numeric"),
        ..spec(
            "postal-code",
            Field::PostalCode,
            "shipping postal-code",
            true,
            Control::Text,
            "label.postal-code",
        )
    },
    COMPANY,
    NOTE,
];

/// Everywhere else, without the country's data: two street lines, city, state/province,
/// optional postal code.
const INTERNATIONAL: &[FieldSpec] = &[
    NAME,
    PHONE,
    COUNTRY,
    LINE1,
    LINE2,
    spec(
        "city",
        Field::AddressLevel2,
        "shipping address-level2",
        false,
        Control::Text,
        "label.city",
    ),
    spec(
        "state",
        Field::AddressLevel1,
        "shipping address-level1",
        false,
        Control::Text,
        "label.state-province",
    ),
    spec(
        "postal-code",
        Field::PostalCode,
        "shipping postal-code",
        false,
        Control::Text,
        "label.postal-code",
    ),
    COMPANY,
    NOTE,
];

/// The built-in fields for a country, in the order they are shown: the layout while the
/// country's address data is loading, or without it.
pub fn layout(country: &str) -> &'static [FieldSpec] {
    if country == "CN" {
        CHINA
    } else {
        INTERNATIONAL
    }
}

/// The label key of each kind of name the address data gives a field (`labels` of
/// `intl/<CC>.json`: `state`, `prefecture`, `zip`, …). A kind not listed here keeps the
/// field's generic label.
const KIND_LABELS: &[(&str, &str)] = &[
    ("area", "label.area"),
    ("city", "label.city"),
    ("county", "label.county"),
    ("department", "label.department"),
    ("district", "label.district"),
    ("do_si", "label.do-si"),
    ("eircode", "label.eircode"),
    ("emirate", "label.emirate"),
    ("island", "label.island"),
    ("neighborhood", "label.neighborhood"),
    ("oblast", "label.oblast"),
    ("parish", "label.parish"),
    ("pin", "label.pin"),
    ("post_town", "label.post-town"),
    ("postal", "label.postal-code"),
    ("prefecture", "label.prefecture"),
    ("province", "label.province"),
    ("state", "label.state"),
    ("suburb", "label.suburb"),
    ("townland", "label.townland"),
    ("village_township", "label.village-township"),
    ("zip", "label.zip"),
];

/// The label key for `field` in a country whose data calls it `kind`.
pub fn kind_label(field: Field, kind: Option<&str>) -> &'static str {
    let known = kind.and_then(|k| KIND_LABELS.iter().find(|(name, _)| *name == k));
    match (known, field) {
        (Some((_, key)), _) => key,
        (None, Field::AddressLevel1) => "label.province",
        (None, Field::AddressLevel2) => "label.city",
        (None, Field::AddressLevel3) => "label.district",
        (None, _) => "label.postal-code",
    }
}

/// The address fields of a line format (`%A`, `%C`, … of `fmt`), in its order, each once.
fn format_order(fmt: &str) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let Some(l) = chars.next() else { break };
        let field = FIELDS
            .iter()
            .map(|f| f.field)
            .find(|f| addrdata::letter(*f) == Some(l));
        if let Some(f) = field.filter(|f| !out.contains(f)) {
            out.push(f);
        }
    }
    out
}

/// The fields for a country from its address data: name, phone and country first (as in the
/// built-in layouts), then the fields the country's format uses, in its order (the Latin-script
/// format in English where the data has one), then company (where the format has it) and the
/// note for the courier; requiredness and labels from the data. China keeps its own order
/// (province → city → district → street → postal code) with the three levels as lists.
pub fn data_layout(format: &CountryFormat, locale: Locale) -> Vec<FieldSpec> {
    if format.country == "CN" {
        return CHINA
            .iter()
            .map(|s| match s.field {
                Field::AddressLevel1 | Field::AddressLevel2 | Field::AddressLevel3 => FieldSpec {
                    control: Control::Select,
                    ..*s
                },
                _ => *s,
            })
            .collect();
    }
    let fmt = match locale {
        Locale::En if !format.lfmt.is_empty() => &format.lfmt,
        _ => &format.fmt,
    };
    let mut order = format_order(fmt);
    // a required field the format does not print (none in the data today) is still asked for
    for f in FIELDS {
        if format.requires(f.field)
            && addrdata::letter(f.field).is_some()
            && !order.contains(&f.field)
        {
            order.push(f.field);
        }
    }
    let mut out = vec![NAME, PHONE, COUNTRY];
    for field in order {
        let required = format.requires(field);
        let kind = kind_label(field, format.label(field));
        let data = |name, autocomplete, control| FieldSpec {
            mark_optional: true,
            ..spec(name, field, autocomplete, required, control, kind)
        };
        match field {
            Field::StreetLines => out.extend([FieldSpec { required, ..LINE1 }, LINE2]),
            Field::AddressLevel1 if !format.sub.is_empty() => {
                out.push(data("state", "shipping address-level1", Control::Select));
            }
            Field::AddressLevel1 => {
                out.push(data("state", "shipping address-level1", Control::Text))
            }
            Field::AddressLevel2 => {
                out.push(data("city", "shipping address-level2", Control::Text))
            }
            Field::AddressLevel3 => {
                out.push(data("district", "shipping address-level3", Control::Text));
            }
            Field::PostalCode => {
                let digits = !format.zipex.is_empty()
                    && format.zipex.bytes().all(|b| b.is_ascii_digit())
                    && !format.zip.contains([' ', '-']);
                out.push(FieldSpec {
                    inputmode: digits.then_some("numeric"),
                    ..data("postal-code", "shipping postal-code", Control::Text)
                });
            }
            _ => {}
        }
    }
    if format.uses(Field::Company) {
        out.push(COMPANY);
    }
    out.push(NOTE);
    out
}

/// One entry of a list the form offers (a province, a city, a district, a state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The option's value: what is sealed (a Chinese division's name, a state's key).
    pub value: String,
    /// What the buyer sees.
    pub text: String,
    /// The division code (China) or the ISO 3166-2 suffix: typing it in the filter finds it.
    pub code: String,
    /// Other names the filter matches (Latin names, keys).
    pub also: Vec<String>,
    /// The language of `text` when it differs from the form's (Chinese names in an English
    /// form): the option's `lang`, for screen readers.
    pub lang: Option<String>,
}

fn chinese(locale: Locale) -> Option<String> {
    (locale == Locale::En).then(|| "zh-CN".to_owned())
}

fn division_choice(d: &Division, also: Vec<String>, locale: Locale) -> Choice {
    Choice {
        value: d.name.clone(),
        text: d.name.clone(),
        code: d.code.clone(),
        also,
        lang: chinese(locale),
    }
}

/// China's provinces (without TW, HK, MO: countries of their own), with Google's Latin names
/// and keys for the filter (`Zhejiang`).
pub fn cn_province_choices(atlas: &Atlas, locale: Locale) -> Vec<Choice> {
    let google = atlas
        .format("CN")
        .map(|f| f.sub.as_slice())
        .unwrap_or_default();
    atlas
        .cn_provinces()
        .map(|d| {
            // Google's key, short and Latin names (`Zhejiang Sheng`, and its first word, as
            // `Atlas::cn_province_named` reads them) and the 2-digit code
            let mut also: Vec<String> = google
                .iter()
                .filter(|s| d.code.get(..2) == Some(s.iso.as_str()))
                .flat_map(|s| {
                    let first = s.latin.split_whitespace().next().unwrap_or("").to_owned();
                    [s.latin.clone(), first, s.key.clone(), s.name.clone()]
                })
                .filter(|n| !n.is_empty())
                .collect();
            also.extend(d.code.get(..2).map(str::to_owned));
            division_choice(d, also, locale)
        })
        .collect()
}

/// A province's cities (a municipality has one, named as the province).
pub fn cn_city_choices(p: &Province, locale: Locale) -> Vec<Choice> {
    p.cities
        .iter()
        .map(|c| division_choice(&c.city, Vec::new(), locale))
        .collect()
}

/// A city's districts and counties.
pub fn cn_district_choices(c: &City, locale: Locale) -> Vec<Choice> {
    c.districts
        .iter()
        .map(|d| division_choice(d, Vec::new(), locale))
        .collect()
}

/// A country's states / provinces / prefectures: the value is the data's key (`CA`, `東京都`),
/// the text the local name, or in English the Latin name where the data has one (`Tokyo`).
pub fn sub_choices(format: &CountryFormat, locale: Locale) -> Vec<Choice> {
    format
        .sub
        .iter()
        .map(|s| {
            let latin = locale == Locale::En && !s.latin.is_empty();
            let text = if latin { &s.latin } else { s.display_name() };
            let local_lang = !latin
                && !format.lang.is_empty()
                && !format.lang.starts_with(match locale {
                    Locale::En => "en",
                    Locale::ZhCn => "zh",
                });
            let mut also = vec![s.key.clone(), s.name.clone(), s.latin.clone()];
            if !s.iso.is_empty() {
                also.push(format!("{}-{}", format.country, s.iso));
            }
            also.retain(|n| !n.is_empty());
            Choice {
                value: s.key.clone(),
                text: text.to_owned(),
                code: s.iso.clone(),
                also,
                lang: local_lang.then(|| format.lang.clone()),
            }
        })
        .collect()
}

/// Lower-cased (ASCII), without white space: how the filter compares.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether `choice` stays in a list filtered by `query`: any of its names contains it (ASCII
/// case and spaces ignored), or, for digits, its code starts with them (`3301` finds 杭州市
/// 330100). An empty query keeps everything.
pub fn filter_matches(choice: &Choice, query: &str) -> bool {
    let q = fold(query);
    if q.is_empty() {
        return true;
    }
    if q.bytes().all(|b| b.is_ascii_digit()) && !choice.code.is_empty() {
        return choice.code.starts_with(&q);
    }
    [&choice.text, &choice.value]
        .into_iter()
        .chain(&choice.also)
        .any(|n| fold(n).contains(&q))
}

/// The division of `list` that `text` names: its 6-digit code, else by the address data's
/// name rules (exactly, or without the suffix if only one has that short name).
fn cn_named<'a, T>(list: &'a [T], division: impl Fn(&T) -> &Division, text: &str) -> Option<&'a T> {
    let t = text.trim();
    list.iter()
        .find(|x| !t.is_empty() && division(x).code == t)
        .or_else(|| crate::addrdata::by_name(list, |x| &division(x).name, t))
}

/// The entry of `list` that `text` names, as the address data matches names (SPEC §4.2):
/// its value, text, code or another of its names, ignoring ASCII case and white space
/// (`california`, `US-CA`, `Zhejiang`, `330106`), else, for Chinese divisions, its name without
/// the suffix (`西湖` for 西湖区) if only one entry has that short name. What autofill or the
/// buyer put in a field before its list was known is kept as text and picked with this.
pub fn pick_choice<'a>(list: &'a [Choice], text: &str) -> Option<&'a Choice> {
    let t = fold(text);
    if t.is_empty() {
        return None;
    }
    if let Some(c) = list.iter().find(|c| c.value == text.trim()) {
        return Some(c);
    }
    let same = |c: &&Choice| {
        [&c.value, &c.text, &c.code]
            .into_iter()
            .chain(&c.also)
            .any(|n| !n.is_empty() && fold(n) == t)
    };
    if let Some(c) = list.iter().find(same) {
        return Some(c);
    }
    let short = short_name(text);
    let mut found = list.iter().filter(|c| short_name(&c.value) == short);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// The city of province `p` that `text` names (`杭州`, `杭州市`, `330100`).
pub fn cn_city_named<'a>(p: &'a Province, text: &str) -> Option<&'a City> {
    cn_named(&p.cities, |c| &c.city, text)
}

/// The district of `city` that `text` names (`西湖`, `西湖区`, `330106`).
pub fn cn_district_named<'a>(city: &'a City, text: &str) -> Option<&'a Division> {
    cn_named(&city.districts, |d| d, text)
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
        "label.state-province",
        "State / province (optional)",
        "州 / 省（选填）",
    ),
    ("label.postal-code", "Postal code", "邮政编码"),
    // the address data's names of a country's fields (`labels` of intl/<CC>.json, KIND_LABELS)
    ("label.state", "State", "州"),
    ("label.prefecture", "Prefecture", "都道府县"),
    ("label.oblast", "Oblast", "州"),
    ("label.emirate", "Emirate", "酋长国"),
    ("label.county", "County", "郡"),
    ("label.parish", "Parish", "教区"),
    ("label.department", "Department", "省"),
    ("label.island", "Island", "岛屿"),
    ("label.area", "Area", "地区"),
    ("label.do-si", "Do / si", "道 / 市"),
    ("label.post-town", "Post town", "邮政城镇"),
    ("label.suburb", "Suburb", "城区"),
    ("label.neighborhood", "Neighborhood", "街区"),
    ("label.townland", "Townland", "镇区"),
    ("label.village-township", "Village / township", "村 / 乡镇"),
    ("label.zip", "ZIP code", "邮政编码"),
    ("label.eircode", "Eircode", "Eircode 邮编"),
    ("label.pin", "PIN code", "PIN 邮政编码"),
    ("label.optional", " (optional)", "（选填）"),
    // the lists of the address data
    ("label.choose", "Select…", "请选择"),
    ("label.choose-first", "Choose the {label} first", "请先选择{label}"),
    ("label.filter", "Filter the {label} list", "筛选{label}"),
    ("label.filter-placeholder", "Type to filter", "输入筛选"),
    ("label.company", "Company (optional)", "公司（选填）"),
    (
        "label.delivery-note",
        "Note for the courier (optional)",
        "给快递员的留言（选填）",
    ),
    ("required", "required", "必填"),
    ("error.missing", "Enter the {label}.", "请填写{label}。"),
    ("error.choose", "Choose the {label}.", "请选择{label}。"),
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
        "error.postal_code_example",
        "Enter {a} {label} like {example}.",
        "请输入{label}，例如 {example}。",
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
        "status.loading",
        "Loading the address lists…",
        "正在加载地址列表…",
    ),
    (
        "status.nodata",
        "The address lists could not be loaded: type the address as it is written.",
        "无法加载地址列表，请直接填写地址。",
    ),
    ("status.matches", "{count} matching", "{count} 项匹配"),
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

/// Words of a label kept as they are inside a sentence (names, not nouns).
const KEEP_CASE: &[&str] = &["Eircode"];

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

    /// The label of a field (without the "(optional)" a form adds to some).
    pub fn label(&self, spec: &FieldSpec) -> String {
        self.get(spec.label)
    }

    /// The label of a field as the form shows it: with `label.optional` after a label of the
    /// address data's kinds when the field is not required.
    pub fn shown_label(&self, spec: &FieldSpec) -> String {
        let label = self.label(spec);
        if spec.mark_optional && !spec.required {
            label + &self.get("label.optional")
        } else {
            label
        }
    }

    /// The label inside a sentence: without "(optional)"; in English lower-cased, except
    /// acronyms (`ZIP`) and names (`Eircode`).
    fn label_in_text(&self, spec: &FieldSpec) -> String {
        self.in_text(&self.label(spec))
    }

    fn in_text(&self, label: &str) -> String {
        let label = label.split(['(', '（']).next().unwrap_or(label).trim();
        match self.locale {
            Locale::En => label
                .split(' ')
                .map(|w| {
                    let rest_lower = w.chars().skip(1).all(|c| !c.is_ascii_uppercase());
                    // ASCII only: Unicode case tables would add ~10 KB to the browser module
                    if rest_lower && !KEEP_CASE.contains(&w) {
                        w.to_ascii_lowercase()
                    } else {
                        w.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join(" "),
            Locale::ZhCn => label.to_owned(),
        }
    }

    /// The hint in a level's text field while the level above is not chosen ("Choose the
    /// province first" / 「请先选择省份」); `above` is the key of that level's label.
    pub fn choose_first(&self, above: &str) -> String {
        self.get("label.choose-first")
            .replace("{label}", &self.in_text(&self.get(above)))
    }

    /// The label of a list's filter ("Filter the province list" / 「筛选省份」).
    pub fn filter_label(&self, spec: &FieldSpec) -> String {
        self.get("label.filter")
            .replace("{label}", &self.label_in_text(spec))
    }

    fn has(&self, key: &str) -> bool {
        Strings::is_key(key) || self.overrides.iter().any(|(o, _)| o == key)
    }

    /// The message for a validation problem of `spec`'s field in `country`; `example` is the
    /// country's example postal code, where its address data has one (`95014`).
    pub fn error(
        &self,
        spec: &FieldSpec,
        error: &AddressError,
        country: &str,
        example: Option<&str>,
    ) -> String {
        let code = error.code();
        let for_country = format!("error.{code}.{country}");
        let key = match error.problem {
            Problem::Invalid if self.has(&for_country) => for_country,
            Problem::Invalid if error.field == Field::PostalCode && example.is_some() => {
                "error.postal_code_example".to_owned()
            }
            Problem::Invalid if self.has(&format!("error.{code}")) => format!("error.{code}"),
            Problem::Missing if spec.control == Control::Select => "error.choose".to_owned(),
            Problem::Missing => "error.missing".to_owned(),
            Problem::TooLong => "error.too_long".to_owned(),
            Problem::ControlCharacter => "error.control_character".to_owned(),
            _ => "error.invalid".to_owned(),
        };
        let label = self.label_in_text(spec);
        let article = match label.bytes().next().map(|b| b.to_ascii_lowercase()) {
            Some(b'a' | b'e' | b'i' | b'o') => "an",
            _ => "a",
        };
        self.get(&key)
            .replace("{label}", &label)
            .replace("{a}", article)
            .replace("{example}", example.unwrap_or(""))
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
                assert!(Strings::is_key(s.label), "no label for {}", s.name);
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
            en.error(phone, &e, "CN", None),
            "Enter an 11-digit mobile number starting with 1."
        );
        assert_eq!(
            zh.error(phone, &e, "CN", None),
            "请输入以 1 开头的 11 位手机号码。"
        );
        assert_eq!(
            en.error(phone, &e, "US", None),
            "Enter a phone number of 6 to 15 digits."
        );
        let note = &layout("CN")[9];
        let e = AddressError {
            field: Field::DeliveryNote,
            problem: Problem::TooLong,
        };
        assert_eq!(
            en.error(note, &e, "CN", None),
            "The note for the courier is too long."
        );
        assert_eq!(zh.error(note, &e, "CN", None), "给快递员的留言过长。");
        let shop = Strings::new(Locale::En, vec![("label.name".into(), "Recipient".into())]);
        let name = &layout("CN")[0];
        let e = AddressError {
            field: Field::Name,
            problem: Problem::Missing,
        };
        assert_eq!(shop.error(name, &e, "CN", None), "Enter the recipient.");
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

    fn atlas(paths: &[&str]) -> Atlas {
        let mut a = Atlas::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data/");
        for p in paths {
            let text = std::fs::read_to_string(format!("{dir}{p}")).unwrap_or_default();
            assert_eq!(a.add_pinned(p, &text), Ok(()), "{p}");
        }
        a
    }

    fn names(l: &[FieldSpec]) -> Vec<&'static str> {
        l.iter().map(|s| s.name).collect()
    }

    #[test]
    fn data_layouts_follow_each_countrys_format() {
        let a = atlas(&[
            "intl/US.json",
            "intl/JP.json",
            "intl/DE.json",
            "intl/IE.json",
            "intl/CN.json",
        ]);
        let dl = |cc: &str, locale| data_layout(a.format(cc).unwrap(), locale);
        let en = Strings::new(Locale::En, vec![]);
        let zh = Strings::new(Locale::ZhCn, vec![]);
        // US: street, city, state (a list), ZIP code, all required
        let us = dl("US", Locale::En);
        assert_eq!(
            names(&us),
            [
                "name",
                "phone",
                "country",
                "address-line1",
                "address-line2",
                "city",
                "state",
                "postal-code",
                "company",
                "delivery-note"
            ]
        );
        let state = us.iter().find(|s| s.name == "state").unwrap();
        assert!(state.required && state.control == Control::Select);
        assert_eq!(en.shown_label(state), "State");
        assert_eq!(zh.shown_label(state), "州");
        let zip = us.iter().find(|s| s.name == "postal-code").unwrap();
        assert_eq!(
            (en.shown_label(zip), zh.shown_label(zip)),
            ("ZIP code".into(), "邮政编码".into())
        );
        // Japan: no city; the prefecture required; in Chinese the local order (〒 first)
        let jp = dl("JP", Locale::En);
        assert!(!names(&jp).contains(&"city"));
        let pref = jp.iter().find(|s| s.name == "state").unwrap();
        assert!(pref.required && pref.control == Control::Select);
        assert_eq!(
            (en.shown_label(pref), zh.shown_label(pref)),
            ("Prefecture".into(), "都道府县".into())
        );
        assert_eq!(
            &names(&dl("JP", Locale::ZhCn))[3..5],
            ["postal-code", "state"]
        );
        assert_eq!(
            &names(&jp)[3..7],
            ["address-line1", "address-line2", "state", "postal-code"]
        );
        // Germany: postal code (required) before the city, no state
        let de = dl("DE", Locale::En);
        assert_eq!(
            &names(&de)[3..7],
            ["address-line1", "address-line2", "postal-code", "city"]
        );
        assert!(de.iter().all(|s| s.name != "state"));
        assert!(
            de.iter()
                .find(|s| s.name == "postal-code")
                .unwrap()
                .required
        );
        assert_eq!(
            de.iter()
                .find(|s| s.name == "postal-code")
                .unwrap()
                .inputmode,
            Some("numeric")
        );
        // Ireland: townland (optional, marked so), county list, Eircode
        let ie = dl("IE", Locale::En);
        let townland = ie.iter().find(|s| s.name == "district").unwrap();
        assert_eq!(en.shown_label(townland), "Townland (optional)");
        assert_eq!(zh.shown_label(townland), "镇区（选填）");
        let county = ie.iter().find(|s| s.name == "state").unwrap();
        assert_eq!(en.shown_label(county), "County (optional)");
        // China: the built-in order, the three levels as lists
        let cn = dl("CN", Locale::En);
        assert_eq!(names(&cn), names(layout("CN")));
        assert_eq!(
            cn.iter()
                .filter(|s| s.control == Control::Select)
                .map(|s| s.name)
                .collect::<Vec<_>>(),
            ["province", "city", "district"]
        );
    }

    /// Every country's data layout shows each field its data requires, with the requiredness of
    /// the data, autofill tokens of the table, and a label in both languages for every kind of
    /// name the data uses.
    #[test]
    fn every_countrys_layout_is_complete_and_labelled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data/intl/");
        let mut countries = 0;
        for cc in crate::countries::all() {
            let text = std::fs::read_to_string(format!("{dir}{cc}.json")).unwrap_or_default();
            let f = CountryFormat::parse(cc, &text).unwrap();
            for (_, kind) in &f.labels {
                assert!(
                    KIND_LABELS.iter().any(|(k, _)| k == kind),
                    "{cc}: no label for kind {kind}"
                );
            }
            for locale in [Locale::En, Locale::ZhCn] {
                let l = data_layout(&f, locale);
                for info in FIELDS {
                    let shown: Vec<_> = l.iter().filter(|s| s.field == info.field).collect();
                    assert!(shown.is_empty() || shown.iter().all(|s| s.line < info.max_lines));
                    if f.requires(info.field) {
                        assert!(
                            shown.first().is_some_and(|s| s.required),
                            "{cc}: {} not required",
                            info.json
                        );
                    }
                    for s in shown {
                        let token = s.autocomplete.trim_start_matches("shipping ");
                        assert!(
                            token == info.autocomplete
                                || token == format!("address-line{}", s.line + 1)
                                || token == "off"
                        );
                        for strings in [
                            Strings::new(Locale::En, vec![]),
                            Strings::new(Locale::ZhCn, vec![]),
                        ] {
                            assert_ne!(strings.label(s), s.label, "{cc}: {} has no text", s.label);
                        }
                    }
                }
            }
            countries += 1;
        }
        assert_eq!(countries, 249);
        // both languages differ for every kind label (no untranslated copy)
        for (_, key) in KIND_LABELS {
            let (en, zh) = (
                Strings::new(Locale::En, vec![]).get(key),
                Strings::new(Locale::ZhCn, vec![]).get(key),
            );
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{key}");
        }
    }

    #[test]
    fn postal_code_messages_give_the_countrys_example() {
        let a = atlas(&["intl/US.json", "intl/IE.json", "intl/JP.json"]);
        let e = AddressError {
            field: Field::PostalCode,
            problem: Problem::Invalid,
        };
        let zip_of = |cc: &str| {
            let f = a.format(cc).unwrap();
            (
                data_layout(f, Locale::En)
                    .into_iter()
                    .find(|s| s.name == "postal-code")
                    .unwrap(),
                f.zipex.clone(),
            )
        };
        let (zip, ex) = zip_of("US");
        let en = Strings::new(Locale::En, vec![]);
        let zh = Strings::new(Locale::ZhCn, vec![]);
        assert_eq!(
            en.error(&zip, &e, "US", Some(&ex)),
            "Enter a ZIP code like 95014."
        );
        assert_eq!(
            zh.error(&zip, &e, "US", Some(&ex)),
            "请输入邮政编码，例如 95014。"
        );
        let (eircode, ex) = zip_of("IE");
        assert_eq!(
            en.error(&eircode, &e, "IE", Some(&ex)),
            format!("Enter an Eircode like {ex}.")
        );
        let (postal, ex) = zip_of("JP");
        assert_eq!(
            en.error(&postal, &e, "JP", Some(&ex)),
            "Enter a postal code like 154-0023."
        );
        // China keeps its own message; without an example, the generic one
        let cn_zip = &layout("CN")[7];
        assert_eq!(
            en.error(cn_zip, &e, "CN", Some("100000")),
            "Enter the 6-digit postal code."
        );
        assert_eq!(
            en.error(&zip, &e, "US", None),
            "Use only letters, digits, spaces and hyphens."
        );
        // a list that was not chosen asks to choose
        let state = data_layout(a.format("US").unwrap(), Locale::En)
            .into_iter()
            .find(|s| s.name == "state")
            .unwrap();
        let missing = AddressError {
            field: Field::AddressLevel1,
            problem: Problem::Missing,
        };
        assert_eq!(en.error(&state, &missing, "US", None), "Choose the state.");
        assert_eq!(zh.error(&state, &missing, "US", None), "请选择州。");
        assert_eq!(en.filter_label(&state), "Filter the state list");
        assert_eq!(
            en.choose_first("label.province"),
            "Choose the province first"
        );
        assert_eq!(zh.choose_first("label.city"), "请先选择城市");
    }

    #[test]
    fn lists_pick_what_autofill_or_the_buyer_typed() {
        let a = atlas(&[
            "intl/CN.json",
            "intl/US.json",
            "intl/JP.json",
            "cn/index.json",
            "cn/33.json",
            "cn/31.json",
        ]);
        let provinces = cn_province_choices(&a, Locale::En);
        assert_eq!(
            provinces.len(),
            31,
            "mainland only: TW, HK, MO are countries"
        );
        assert!(provinces
            .iter()
            .all(|p| !["台湾省", "香港特别行政区", "澳门特别行政区"].contains(&p.value.as_str())));
        let zj: Vec<_> = provinces
            .iter()
            .filter(|c| filter_matches(c, "zhe"))
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(zj, ["浙江省"]);
        assert_eq!(
            provinces.iter().filter(|c| filter_matches(c, "浙")).count(),
            1
        );
        assert_eq!(
            provinces.iter().filter(|c| filter_matches(c, "33")).count(),
            1
        );
        assert!(provinces.iter().filter(|c| filter_matches(c, "江")).count() >= 4);
        assert_eq!(provinces[0].lang.as_deref(), Some("zh-CN"));
        assert_eq!(cn_province_choices(&a, Locale::ZhCn)[0].lang, None);
        let zhejiang = a.cn_province("33").unwrap();
        let hangzhou = cn_city_named(zhejiang, "杭州").unwrap();
        assert_eq!(hangzhou.city.code, "330100");
        assert_eq!(
            cn_city_named(zhejiang, "330100").unwrap().city.name,
            "杭州市"
        );
        assert_eq!(cn_district_named(hangzhou, "西湖").unwrap().code, "330106");
        assert!(cn_district_named(hangzhou, "朝阳").is_none());
        assert!(cn_city_named(zhejiang, "").is_none());
        let cities = cn_city_choices(zhejiang, Locale::ZhCn);
        assert_eq!(
            cities.iter().filter(|c| filter_matches(c, "3301")).count(),
            1
        );
        // a municipality: one city named as the province, which holds every district
        let shanghai = a.cn_province("31").unwrap();
        assert_eq!(cn_city_choices(shanghai, Locale::ZhCn).len(), 1);
        let city = cn_city_named(shanghai, "上海").unwrap();
        assert_eq!(cn_district_named(city, "浦东新区").unwrap().code, "310115");
        // what autofill or a kept text picks: the same entries as the core's name matching
        for text in [
            "浙江",
            "浙江省",
            "Zhejiang",
            "zhejiang sheng",
            "33",
            "330000",
            " 浙江省 ",
        ] {
            let ours = pick_choice(&provinces, text).map(|c| c.value.as_str());
            assert_eq!(
                ours,
                a.cn_province_named(text).map(|d| d.name.as_str()),
                "{text}"
            );
            assert_eq!(ours, Some("浙江省"));
        }
        assert!(pick_choice(&provinces, "香港").is_none() && pick_choice(&provinces, "").is_none());
        let districts = cn_district_choices(hangzhou, Locale::ZhCn);
        assert_eq!(
            pick_choice(&districts, "西湖").map(|c| c.code.as_str()),
            Some("330106")
        );
        assert_eq!(
            pick_choice(&cities, "杭州").map(|c| c.code.as_str()),
            Some("330100")
        );
        // states: key as value, local or Latin name as text
        let us = sub_choices(a.format("US").unwrap(), Locale::ZhCn);
        let ca = us.iter().find(|c| c.value == "CA").unwrap();
        assert_eq!(
            (ca.text.as_str(), ca.lang.as_deref()),
            ("California", Some("en"))
        );
        assert!(filter_matches(ca, "calif") && filter_matches(ca, "us-ca"));
        for text in ["California", "california", "CA", "US-CA"] {
            assert_eq!(
                pick_choice(&us, text).map(|c| c.value.as_str()),
                Some("CA"),
                "{text}"
            );
        }
        assert!(pick_choice(&us, "Ontario").is_none());
        let jp = a.format("JP").unwrap();
        let tokyo_en = sub_choices(jp, Locale::En)
            .into_iter()
            .find(|c| c.value == "東京都")
            .unwrap();
        assert_eq!((tokyo_en.text.as_str(), tokyo_en.lang), ("Tokyo", None));
        let tokyo_zh = sub_choices(jp, Locale::ZhCn)
            .into_iter()
            .find(|c| c.value == "東京都")
            .unwrap();
        assert_eq!(
            (tokyo_zh.text.as_str(), tokyo_zh.lang.as_deref()),
            ("東京都", Some("ja"))
        );
    }

    /// The picker's name matching is the address data's: every city and district of two
    /// provinces, by full and by short name, resolves here to what `Atlas::canonical` seals.
    #[test]
    fn the_pickers_name_matching_agrees_with_the_core() {
        let a = atlas(&["intl/CN.json", "cn/index.json", "cn/33.json", "cn/50.json"]);
        let mut checked = 0;
        for pp in ["33", "50"] {
            let p = a.cn_province(pp).unwrap();
            for c in &p.cities {
                for d in &c.districts {
                    for (city, district) in [
                        (c.city.name.clone(), d.name.clone()),
                        (
                            short_name(&c.city.name).to_owned(),
                            short_name(&d.name).to_owned(),
                        ),
                    ] {
                        let mut addr = crate::Address::default();
                        addr.name = "张三".into();
                        addr.phone = "13812345678".into();
                        addr.country = "CN".into();
                        addr.address_level1 = p.province.name.clone();
                        addr.address_level2 = city.clone();
                        addr.address_level3 = district.clone();
                        addr.street_lines = vec!["1 号".into()];
                        addr.postal_code = "310000".into();
                        let core = a.canonical(&addr).map(|x| x.division_code.clone());
                        let ours = cn_city_named(p, &city)
                            .and_then(|c| cn_district_named(c, &district))
                            .map(|d| d.code.clone());
                        assert_eq!(core.ok(), ours, "{city} {district}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 200, "{checked}");
    }
}
