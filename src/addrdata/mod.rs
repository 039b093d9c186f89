//! Address data: each country's format (libaddressinput's metadata) and China's administrative
//! divisions (GB/T 2260 codes), as the assets of `src/data/` (README there). Pure: the caller
//! fetches or embeds the asset texts and [`Atlas::add`]s them; the browser module carries no
//! data of its own.
//!
//! With the data an address is checked further than by [`Address::validate`] (SPEC.md §4.2):
//! the country's required fields, its postal-code pattern, its list of states/provinces, and
//! for China province ⊃ city ⊃ district; and [`Atlas::canonical`] gives what is sealed: the
//! canonical names and the division code (`divisionCode`: the district's 6-digit code in China,
//! the ISO 3166-2 code of the state/province elsewhere).

mod json;
pub mod pattern;

use crate::address::{Address, AddressError, Field, FieldInfo, Problem, FIELDS};
use crate::Error;
use json::Json;

/// A state / province / prefecture… of a country's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubRegion {
    /// libaddressinput's key: what is sealed and printed (`CA`, `東京都`, `Kowloon`).
    pub key: String,
    /// The name in the local language (empty: the key is the name).
    pub name: String,
    /// The name in Latin script, where the data has one (`Tokyo`).
    pub latin: String,
    /// The ISO 3166-2 suffix (`CA` of `US-CA`), where the data has one.
    pub iso: String,
}

impl SubRegion {
    /// The name to show: the local name, or the key.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.key
        } else {
            &self.name
        }
    }
}

/// One country's address format (`intl/<CC>.json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountryFormat {
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
    /// Line format: `%N` name, `%O` company, `%A` street, `%D` district, `%C` city, `%S`
    /// state/province, `%Z` postal code, `%n` new line; other text is printed as is.
    pub fmt: String,
    /// The format for addresses written in Latin script, where it differs (else empty).
    pub lfmt: String,
    /// Letters of the required fields.
    pub require: String,
    /// Letters of the fields written in capitals on a label.
    pub upper: String,
    /// Postal-code pattern (whole-code match), empty when the data has none.
    pub zip: String,
    /// An example postal code.
    pub zipex: String,
    /// Language of the local names.
    pub lang: String,
    /// Field letter → the kind of name the country gives it (`state`, `prefecture`, `zip`, …).
    pub labels: Vec<(char, String)>,
    /// The states / provinces, where the data lists them.
    pub sub: Vec<SubRegion>,
}

/// The format letter of an address field, if it has one.
pub fn letter(field: Field) -> Option<char> {
    Some(match field {
        Field::Name => 'N',
        Field::Company => 'O',
        Field::StreetLines => 'A',
        Field::AddressLevel3 => 'D',
        Field::AddressLevel2 => 'C',
        Field::AddressLevel1 => 'S',
        Field::PostalCode => 'Z',
        _ => return None,
    })
}

fn field_of(letter: char) -> Option<Field> {
    FIELDS
        .iter()
        .map(|f| f.field)
        .find(|f| self::letter(*f) == Some(letter))
}

impl CountryFormat {
    /// Parses `intl/<country>.json`.
    pub fn parse(country: &str, text: &str) -> Result<CountryFormat, Error> {
        let bad = Error::InvalidAddressData;
        let v = json::parse(text).ok_or(bad("an intl asset is not JSON of strings"))?;
        let s = |k: &str| {
            v.get(k)
                .map(|x| {
                    x.as_str()
                        .map(str::to_owned)
                        .ok_or(bad("a format value is not a string"))
                })
                .unwrap_or(Ok(String::new()))
        };
        let labels = v
            .get("labels")
            .map(Json::members)
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| Some((k.chars().next()?, v.as_str()?.to_owned())))
            .collect();
        let mut sub = Vec::new();
        for row in v.get("sub").and_then(Json::as_arr).unwrap_or_default() {
            let cell = |i: usize| {
                row.as_arr()
                    .and_then(|r| r.get(i))
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            if cell(0).is_empty() {
                return Err(bad("a sub-region has no key"));
            }
            sub.push(SubRegion {
                key: cell(0),
                name: cell(1),
                latin: cell(2),
                iso: cell(3),
            });
        }
        let f = CountryFormat {
            country: country.to_owned(),
            fmt: s("fmt")?,
            lfmt: s("lfmt")?,
            require: s("require")?,
            upper: s("upper")?,
            zip: s("zip")?,
            zipex: s("zipex")?,
            lang: s("lang")?,
            labels,
            sub,
        };
        if f.fmt.is_empty() {
            return Err(bad("an intl asset has no fmt"));
        }
        if !f.zip.is_empty() && pattern::matches_whole(&f.zip, "").is_none() {
            return Err(bad("a postal-code pattern is outside the supported subset"));
        }
        Ok(f)
    }

    /// The address fields the format prints, in its order (name first for most countries,
    /// the postal code first for China); phone, country and note are not part of it.
    pub fn fields(&self) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::new();
        let mut chars = self.fmt.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                if let Some(f) = chars.next().and_then(field_of) {
                    if !out.contains(&f) {
                        out.push(f);
                    }
                }
            }
        }
        out
    }

    /// Whether the country's addresses use `field` (name, phone, country and note: always).
    pub fn uses(&self, field: Field) -> bool {
        match letter(field) {
            Some(l) => l == 'N' || self.fmt.contains(&format!("%{l}")),
            None => true,
        }
    }

    /// Whether `field` must be filled (name, phone, country: always).
    pub fn requires(&self, field: Field) -> bool {
        match field {
            Field::Name | Field::Phone | Field::Country => true,
            // the picker's levels, as before the data (SPEC.md §3.4 "CN")
            _ if self.country == "CN" => field.info().required_cn,
            f => letter(f).is_some_and(|l| self.require.contains(l)),
        }
    }

    /// The kind of name the country gives `field` (`state`, `prefecture`, `zip`, …).
    pub fn label(&self, field: Field) -> Option<&str> {
        let l = letter(field)?;
        self.labels
            .iter()
            .find(|(k, _)| *k == l)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `field` is written in capitals on a label.
    pub fn upper(&self, field: Field) -> bool {
        letter(field).is_some_and(|l| self.upper.contains(l))
    }

    /// The state / province named by `text`: its key, local name, Latin name or ISO code
    /// (`CA`, `US-CA`, `California`, `california`), ignoring case and spaces.
    pub fn sub_region(&self, text: &str) -> Option<&SubRegion> {
        let t = fold(text);
        if t.is_empty() {
            return None;
        }
        let iso = |s: &SubRegion| {
            !s.iso.is_empty()
                && (fold(&s.iso) == t || fold(&format!("{}-{}", self.country, s.iso)) == t)
        };
        let exact = self.sub.iter().find(|s| {
            [&s.key, &s.name, &s.latin]
                .iter()
                .any(|n| !n.is_empty() && fold(n) == t)
                || iso(s)
        });
        // else the name without its suffix, if that is unambiguous (東京 for 東京都)
        exact.or_else(|| by_name(&self.sub, |s| s.display_name(), text))
    }

    /// Whether `code` (trimmed, upper-cased) has the country's postal-code form.
    pub fn postal_ok(&self, code: &str) -> bool {
        self.zip.is_empty()
            || pattern::matches_whole(&self.zip, &code.trim().to_ascii_uppercase()) == Some(true)
    }
}

/// Lower-cased (ASCII), without white space: the form names are compared in.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A Chinese division: its 6-digit code and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Division {
    /// GB/T 2260 code, 6 digits (`330106`).
    pub code: String,
    /// Name (`西湖区`).
    pub name: String,
}

/// A Chinese city (prefecture level) and its districts / counties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct City {
    /// The city's code and name.
    pub city: Division,
    /// Its districts and counties.
    pub districts: Vec<Division>,
}

/// One province's cities (`cn/<pp>.json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province {
    /// The province's code and name.
    pub province: Division,
    /// Its cities.
    pub cities: Vec<City>,
}

/// Provinces of China that have their own ISO 3166-1 code, listed by the division data but
/// addressed as countries (HK, MO, TW): the picker leaves them out.
pub const CN_OWN_COUNTRY: &[(&str, &str)] = &[("71", "TW"), ("81", "HK"), ("82", "MO")];

fn pairs(v: &Json) -> Option<Vec<(String, String, Option<&Json>)>> {
    v.as_arr()?
        .iter()
        .map(|row| {
            let r = row.as_arr()?;
            let code = r.first()?.as_str()?;
            let name = r.get(1)?.as_str()?;
            let ok =
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty();
            ok.then(|| (code.to_owned(), name.to_owned(), r.get(2)))
        })
        .collect()
}

/// The municipalities (北京, 天津, 上海, 重庆): one city level, named as the province.
pub const MUNICIPALITIES: &[&str] = &["11", "12", "31", "50"];

/// Suffixes a buyer (or the browser's autofill) may leave out: `浙江` for 浙江省.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "自治州",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "盟",
    // Japan's prefectures
    "都",
    "府",
    "県",
];

/// The name without the suffix a buyer or the browser's autofill may leave out (`浙江` for
/// 浙江省, `东京` for 東京都 — only when at least two characters remain). SPEC.md §4.2.
pub fn short_name(name: &str) -> &str {
    short(name)
}

fn short(name: &str) -> &str {
    let f = name.trim();
    SUFFIXES
        .iter()
        .find_map(|s| f.strip_suffix(s).filter(|r| r.chars().count() >= 2))
        .unwrap_or(f)
}

/// The entry of `list` named `text`: exactly, else by the short form (suffix left out on
/// either side) if that is unambiguous.
pub fn by_name<'a, T>(list: &'a [T], name: impl Fn(&T) -> &str, text: &str) -> Option<&'a T> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(x) = list.iter().find(|x| name(x) == t) {
        return Some(x);
    }
    let mut found = list.iter().filter(|x| short(name(x)) == short(t));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Length of a pin: the first 16 bytes of the asset's SHA-256.
pub const PIN_LEN: usize = 16;

/// The pins of every asset (`src/data/pins.bin`, written by [`pin_table`]), compiled into
/// every module that reads the data, so a fetched asset is checked before it is used.
const PINS: &[u8] = include_bytes!("../data/pins.bin");

/// The assets in pin order: `cn/index.json`, then `intl/<CC>.json` for every country code of
/// Appendix A in its order, then `cn/<pp>.json` in the order of `cn/index.json`.
fn pin_index(path: &str, cn_index: &[Division]) -> Option<usize> {
    if path == "cn/index.json" {
        return Some(0);
    }
    let countries = crate::countries::all().count();
    if let Some(cc) = path
        .strip_prefix("intl/")
        .and_then(|p| p.strip_suffix(".json"))
    {
        return crate::countries::all().position(|c| c == cc).map(|i| 1 + i);
    }
    let pp = path
        .strip_prefix("cn/")
        .and_then(|p| p.strip_suffix(".json"))?;
    cn_index
        .iter()
        .position(|d| d.code.get(..2) == Some(pp))
        .map(|i| 1 + countries + i)
}

fn pin_of(text: &str) -> [u8; PIN_LEN] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    let mut pin = [0u8; PIN_LEN];
    pin.copy_from_slice(digest.get(..PIN_LEN).unwrap_or(&[0; PIN_LEN]));
    pin
}

/// The pin table of the assets `read(path)` returns, in pin order (for `cargo xtask data`
/// and the test that keeps `src/data/pins.bin` current).
pub fn pin_table(read: impl Fn(&str) -> Option<String>) -> Result<Vec<u8>, Error> {
    let missing = Error::InvalidAddressData("an asset of the pin order is missing");
    let index_text = read("cn/index.json").ok_or(missing.clone())?;
    let mut atlas = Atlas::new();
    atlas.add("cn/index.json", &index_text)?;
    let mut paths = vec!["cn/index.json".to_owned()];
    paths.extend(crate::countries::all().map(|cc| format!("intl/{cc}.json")));
    paths.extend(
        atlas
            .cn_index
            .iter()
            .filter_map(|d| d.code.get(..2))
            .map(|pp| format!("cn/{pp}.json")),
    );
    let mut out = Vec::new();
    for p in paths {
        out.extend_from_slice(&pin_of(&read(&p).ok_or(missing.clone())?));
    }
    Ok(out)
}

/// The parsed assets, added one by one as they are fetched (the browser) or all at once (the
/// CLI embeds them).
#[derive(Clone, Debug, Default)]
pub struct Atlas {
    formats: Vec<CountryFormat>,
    cn_index: Vec<Division>,
    provinces: Vec<Province>,
}

/// What a Chinese address resolves to.
struct Resolved<'a> {
    province: &'a Division,
    city: Option<&'a City>,
    district: Option<&'a Division>,
}

impl Atlas {
    /// An empty atlas.
    pub fn new() -> Atlas {
        Atlas::default()
    }

    /// Adds one asset by its path in `src/data/` (`intl/DE.json`, `cn/index.json`,
    /// `cn/33.json`).
    pub fn add(&mut self, path: &str, text: &str) -> Result<(), Error> {
        let bad = Error::InvalidAddressData;
        if let Some(cc) = path
            .strip_prefix("intl/")
            .and_then(|p| p.strip_suffix(".json"))
        {
            if !crate::is_iso_alpha2(cc) {
                return Err(bad("an intl asset is not named by a country code"));
            }
            let f = CountryFormat::parse(cc, text)?;
            self.formats.retain(|x| x.country != cc);
            self.formats.push(f);
            return Ok(());
        }
        let v = json::parse(text).ok_or(bad("a cn asset is not JSON of strings"))?;
        if path == "cn/index.json" {
            let rows = pairs(&v).ok_or(bad("cn/index.json is not [code, name] rows"))?;
            self.cn_index = rows
                .into_iter()
                .map(|(code, name, _)| Division {
                    code: format!("{code}0000"),
                    name,
                })
                .collect();
            return Ok(());
        }
        let pp = path
            .strip_prefix("cn/")
            .and_then(|p| p.strip_suffix(".json"))
            .filter(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(bad("not the path of an address-data asset"))?;
        let province = self
            .cn_index
            .iter()
            .find(|d| d.code.starts_with(pp))
            .cloned()
            .ok_or(bad(
                "a province asset before cn/index.json, or one it does not list",
            ))?;
        let mut cities = Vec::new();
        for (cc, name, districts) in
            pairs(&v).ok_or(bad("a province asset is not [code, name, [...]] rows"))?
        {
            let districts = districts
                .and_then(pairs)
                .ok_or(bad("a city has no district list"))?
                .into_iter()
                .map(|(dd, name, _)| Division {
                    code: format!("{pp}{cc}{dd}"),
                    name,
                })
                .collect();
            cities.push(City {
                city: Division {
                    code: format!("{pp}{cc}00"),
                    name,
                },
                districts,
            });
        }
        if MUNICIPALITIES.contains(&pp) {
            // one city level named as the province (北京市 北京市 朝阳区), whatever the data
            // calls its parts (重庆's 市辖区 and 县)
            let districts = cities.drain(..).flat_map(|c: City| c.districts).collect();
            cities.push(City {
                city: Division {
                    code: format!("{pp}0100"),
                    name: province.name.clone(),
                },
                districts,
            });
        }
        self.provinces.retain(|p| p.province.code != province.code);
        self.provinces.push(Province { province, cities });
        Ok(())
    }

    /// [`Atlas::add`] after checking `text` against the asset's pin (a fetched asset: a
    /// changed or substituted file is `invalid_address_data`, never used).
    pub fn add_pinned(&mut self, path: &str, text: &str) -> Result<(), Error> {
        let pinned = pin_index(path, &self.cn_index)
            .and_then(|i| PINS.get(i * PIN_LEN..(i + 1) * PIN_LEN))
            .ok_or(Error::InvalidAddressData(
                "not a pinned asset (a province before cn/index.json, or an unknown path)",
            ))?;
        if pin_of(text) != pinned {
            return Err(Error::InvalidAddressData(
                "the asset differs from the one this version pins",
            ));
        }
        self.add(path, text)
    }

    /// The format of `country`, if its asset was added.
    pub fn format(&self, country: &str) -> Option<&CountryFormat> {
        self.formats.iter().find(|f| f.country == country)
    }

    /// China's provinces (from `cn/index.json`), without those that are countries of their own
    /// (HK, MO, TW).
    pub fn cn_provinces(&self) -> impl Iterator<Item = &Division> {
        self.cn_index
            .iter()
            .filter(|d| !CN_OWN_COUNTRY.iter().any(|(pp, _)| d.code.starts_with(pp)))
    }

    /// A province's cities, if its asset was added.
    pub fn cn_province(&self, code: &str) -> Option<&Province> {
        let pp = code.get(..2)?;
        self.provinces
            .iter()
            .find(|p| p.province.code.starts_with(pp))
    }

    /// The Chinese province named by `text`: its name, short name (`浙江`), Google's key,
    /// short and Latin names (`Zhejiang Sheng`, `Zhejiang`) or code (`33`, `330000`).
    pub fn cn_province_named(&self, text: &str) -> Option<&Division> {
        let provinces: Vec<&Division> = self.cn_provinces().collect();
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        if let Some(d) = provinces
            .iter()
            .find(|d| d.code == t || d.code.get(..2) == Some(t))
        {
            return Some(d);
        }
        if let Some(d) = by_name(&provinces, |d| &d.name, t) {
            return Some(d);
        }
        // Google's names for the same provinces, matched by ISO 3166-2 suffix = code
        let f = self.format("CN")?;
        let s = f.sub_region(t).or_else(|| {
            let ft = fold(t);
            f.sub.iter().find(|s| {
                s.latin
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| fold(w) == ft)
            })
        })?;
        provinces
            .into_iter()
            .find(|d| d.code.get(..2) == Some(s.iso.as_str()))
    }

    fn resolve(&self, a: &Address) -> Result<Resolved<'_>, AddressError> {
        let err = |field| AddressError {
            field,
            problem: Problem::Invalid,
        };
        let province = self
            .cn_province_named(&a.address_level1)
            .ok_or(err(Field::AddressLevel1))?;
        let Some(p) = self.cn_province(&province.code) else {
            return Ok(Resolved {
                province,
                city: None,
                district: None,
            });
        };
        let city_text = a.address_level2.trim();
        let mut city = by_name(&p.cities, |c| &c.city.name, city_text);
        if city.is_none() && (city_text.is_empty() || short(city_text) == short(&province.name)) {
            // a municipality (北京市 北京市 朝阳区) or a one-city province: the city level may
            // repeat the province or be left out; find the district in all its cities
            let all: Vec<(&City, &Division)> = p
                .cities
                .iter()
                .flat_map(|c| c.districts.iter().map(move |d| (c, d)))
                .collect();
            if let Some((c, _)) = by_name(&all, |(_, d)| &d.name, &a.address_level3) {
                city = Some(c);
            } else if p.cities.len() == 1 {
                city = p.cities.first();
            }
        }
        let city = city.ok_or(err(Field::AddressLevel2))?;
        let district = by_name(&city.districts, |d| &d.name, &a.address_level3);
        if district.is_none() && !a.address_level3.trim().is_empty() {
            return Err(err(Field::AddressLevel3));
        }
        Ok(Resolved {
            province,
            city: Some(city),
            district,
        })
    }

    /// The Chinese province and city `a`'s `addressLevel1` and `addressLevel2` resolve to, as
    /// far as they do (the city needs the province's asset): the data's own names, so that a
    /// message can say which level does not match without repeating the buyer's text
    /// ("addressLevel3 is not a district of 杭州市").
    pub fn cn_parents(&self, a: &Address) -> (Option<&Division>, Option<&Division>) {
        let province = self.cn_province_named(&a.address_level1);
        let mut probe = a.clone();
        probe.address_level3 = String::new();
        let city = self
            .resolve(&probe)
            .ok()
            .and_then(|r| r.city)
            .map(|c| &c.city);
        (province, city)
    }

    /// The asset still needed to check `a` beyond [`Address::validate`], if any:
    /// `intl/<CC>.json`, then for China `cn/index.json` and the province's `cn/<pp>.json`.
    pub fn missing(&self, a: &Address) -> Option<String> {
        let cc = a.country.as_str();
        if !crate::is_iso_alpha2(cc) {
            return None;
        }
        if self.format(cc).is_none() {
            return Some(format!("intl/{cc}.json"));
        }
        if cc != "CN" {
            return None;
        }
        if self.cn_index.is_empty() {
            return Some("cn/index.json".to_owned());
        }
        let p = self.cn_province_named(&a.address_level1)?;
        let pp = p.code.get(..2)?;
        self.cn_province(&p.code)
            .is_none()
            .then(|| format!("cn/{pp}.json"))
    }

    /// The first problem of each field, like [`Address::problems`], with the rules of the
    /// country's data (SPEC.md §4.2) where its assets were added; without them, the rules of
    /// §4.1 only.
    pub fn problems(&self, a: &Address) -> Vec<AddressError> {
        let Some(format) = self.format(&a.country) else {
            return a.problems();
        };
        // China's divisions, once the province list is there; without it (a failed fetch) the
        // format's rules only (SPEC §4.2)
        let resolved = (a.country == "CN" && !self.cn_index.is_empty()).then(|| self.resolve(a));
        let mut out = Vec::new();
        for f in FIELDS {
            let base = a.check_field_required(f, format.requires(f.field));
            let e = base
                .err()
                .or_else(|| self.data_rule(a, format, f, &resolved).err());
            out.extend(e);
        }
        out
    }

    fn data_rule(
        &self,
        a: &Address,
        format: &CountryFormat,
        f: &FieldInfo,
        resolved: &Option<Result<Resolved<'_>, AddressError>>,
    ) -> Result<(), AddressError> {
        let invalid = Err(AddressError {
            field: f.field,
            problem: Problem::Invalid,
        });
        let value = a.values(f.field).first().map_or("", |v| v.trim());
        match (f.field, resolved) {
            (Field::PostalCode, _) if !value.is_empty() && !format.postal_ok(value) => invalid,
            (Field::AddressLevel1 | Field::AddressLevel2 | Field::AddressLevel3, Some(Err(e)))
                if e.field == f.field =>
            {
                Err(*e)
            }
            (Field::AddressLevel1, None)
                if !value.is_empty()
                    && !format.sub.is_empty()
                    && format.sub_region(value).is_none() =>
            {
                invalid
            }
            // China without its province list: the code cannot be checked
            (Field::DivisionCode, None) if a.country == "CN" => Ok(()),
            (Field::DivisionCode, _) if !value.is_empty() => {
                match self.division_code(a, resolved) {
                    Some(code) if code == value => Ok(()),
                    _ => invalid,
                }
            }
            _ => Ok(()),
        }
    }

    fn division_code(
        &self,
        a: &Address,
        resolved: &Option<Result<Resolved<'_>, AddressError>>,
    ) -> Option<String> {
        match resolved {
            Some(Ok(r)) => Some(
                r.district
                    .map(|d| &d.code)
                    .or(r.city.map(|c| &c.city.code))
                    .unwrap_or(&r.province.code)
                    .clone(),
            ),
            Some(Err(_)) => None,
            None => {
                let f = self.format(&a.country)?;
                let s = f.sub_region(&a.address_level1)?;
                (!s.iso.is_empty()).then(|| format!("{}-{}", a.country, s.iso))
            }
        }
    }

    /// What is sealed for `a`: the address checked by [`Atlas::problems`] (first problem as
    /// the error), with the canonical names (province, city, district of the data; the
    /// state's key elsewhere), the postal code in capitals and `divisionCode` filled in.
    /// Without the country's assets: `a` checked by §4.1 only, unchanged.
    pub fn canonical(&self, a: &Address) -> Result<Address, AddressError> {
        if let Some(e) = self.problems(a).into_iter().next() {
            return Err(e);
        }
        let mut out = a.clone();
        let Some(format) = self.format(&a.country) else {
            return Ok(out);
        };
        if a.country == "CN" {
            if let Ok(r) = self.resolve(a) {
                out.address_level1 = r.province.name.clone();
                if let Some(c) = r.city {
                    out.address_level2 = c.city.name.clone();
                }
                if let Some(d) = r.district {
                    out.address_level3 = d.name.clone();
                }
                out.division_code = self.division_code(a, &Some(Ok(r))).unwrap_or_default();
            }
        } else if let Some(s) = format.sub_region(&a.address_level1) {
            out.address_level1 = s.key.clone();
            out.division_code = self.division_code(a, &None).unwrap_or_default();
        }
        if !format.zip.is_empty() {
            out.postal_code = out.postal_code.trim().to_ascii_uppercase();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atlas() -> Atlas {
        let mut a = Atlas::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data/");
        for p in [
            "intl/CN.json",
            "intl/US.json",
            "intl/DE.json",
            "intl/JP.json",
            "cn/index.json",
            "cn/33.json",
            "cn/11.json",
            "cn/50.json",
        ] {
            let text = std::fs::read_to_string(format!("{dir}{p}")).unwrap_or_default();
            assert_eq!(a.add(p, &text), Ok(()), "{p}");
        }
        a
    }

    fn cn() -> Address {
        let mut a = Address::default();
        a.name = "张三".into();
        a.phone = "13812345678".into();
        a.country = "CN".into();
        a.address_level1 = "浙江".into();
        a.address_level2 = "杭州".into();
        a.address_level3 = "西湖区".into();
        a.street_lines = vec!["文三路 90 号".into()];
        a.postal_code = "310012".into();
        a
    }

    fn code(atlas: &Atlas, a: &Address) -> String {
        match atlas.canonical(a) {
            Ok(c) => format!(
                "{} {} {} {}",
                c.address_level1, c.address_level2, c.address_level3, c.division_code
            ),
            Err(e) => e.code().to_owned(),
        }
    }

    #[test]
    fn china_resolves_names_to_canonical_names_and_the_district_code() {
        let t = atlas();
        assert_eq!(code(&t, &cn()), "浙江省 杭州市 西湖区 330106");
        let mut a = cn();
        a.address_level1 = "Zhejiang".into();
        assert_eq!(code(&t, &a), "浙江省 杭州市 西湖区 330106");
        a.address_level3 = "朝阳区".into();
        assert_eq!(code(&t, &a), "address_level3_invalid");
        a.address_level3 = "西湖区".into();
        a.address_level2 = "宁波市".into();
        assert_eq!(code(&t, &a), "address_level3_invalid");
        a.address_level2 = "北京市".into();
        assert_eq!(code(&t, &a), "address_level2_invalid");
        a.address_level1 = "火星".into();
        assert_eq!(code(&t, &a), "address_level1_invalid");
        a.address_level1 = "香港特别行政区".into();
        assert_eq!(code(&t, &a), "address_level1_invalid");
        // municipalities: the city level repeats the province, or is the data's own name
        let mut b = cn();
        b.address_level1 = "北京市".into();
        b.address_level2 = "北京市".into();
        b.address_level3 = "朝阳区".into();
        assert_eq!(code(&t, &b), "北京市 北京市 朝阳区 110105");
        b.address_level1 = "重庆".into();
        b.address_level2 = "重庆市".into();
        b.address_level3 = "巫山县".into();
        assert_eq!(code(&t, &b), "重庆市 重庆市 巫山县 500237");
        // a given code must be the one the names resolve to
        let mut c = cn();
        c.division_code = "330106".into();
        assert_eq!(code(&t, &c), "浙江省 杭州市 西湖区 330106");
        c.division_code = "330105".into();
        assert_eq!(code(&t, &c), "division_code_invalid");
    }

    #[test]
    fn cn_parents_names_the_levels_that_resolve() {
        let t = atlas();
        let names = |a: &Address| {
            let (p, c) = t.cn_parents(a);
            (p.map(|d| d.name.clone()), c.map(|d| d.name.clone()))
        };
        let mut a = cn();
        a.address_level3 = "朝阳区".into();
        assert_eq!(names(&a), (Some("浙江省".into()), Some("杭州市".into())));
        a.address_level2 = "火星市".into();
        assert_eq!(names(&a), (Some("浙江省".into()), None));
        a.address_level1 = "火星".into();
        assert_eq!(names(&a), (None, None));
        // a municipality: the one city, also with the city level left out
        let mut b = cn();
        b.address_level1 = "北京".into();
        b.address_level2 = String::new();
        b.address_level3 = "西湖区".into();
        assert_eq!(names(&b), (Some("北京市".into()), Some("北京市".into())));
    }

    #[test]
    fn other_countries_follow_their_format() {
        let t = atlas();
        let mut us = Address::default();
        us.name = "Jane Roe".into();
        us.phone = "+1 650 253 0000".into();
        us.country = "US".into();
        us.street_lines = vec!["1600 Amphitheatre Pkwy".into()];
        us.address_level2 = "Mountain View".into();
        us.address_level1 = "california".into();
        us.postal_code = "94043-1351".into();
        assert_eq!(code(&t, &us), "CA Mountain View  US-CA");
        us.postal_code = "9404".into();
        assert_eq!(code(&t, &us), "postal_code_invalid");
        us.postal_code = "94043".into();
        us.address_level1 = "Ontario".into();
        assert_eq!(code(&t, &us), "address_level1_invalid");
        us.address_level1 = String::new();
        assert_eq!(code(&t, &us), "address_level1_missing");
        // Japan: no city field, the prefecture is required
        let mut jp = us.clone();
        jp.country = "JP".into();
        jp.address_level2 = String::new();
        jp.address_level1 = "Tokyo".into();
        jp.postal_code = "150-0002".into();
        assert_eq!(code(&t, &jp), "東京都   JP-13");
        // Germany: postal code required, city upper-case on labels
        let mut de = us;
        de.country = "DE".into();
        de.address_level1 = String::new();
        de.postal_code = String::new();
        assert_eq!(code(&t, &de), "postal_code_missing");
        let f = t.format("DE");
        assert!(f.is_some_and(|f| f.upper(Field::AddressLevel2) && !f.uses(Field::AddressLevel1)));
        assert_eq!(
            t.format("CN").map(CountryFormat::fields),
            Some(vec![
                Field::PostalCode,
                Field::AddressLevel1,
                Field::AddressLevel2,
                Field::AddressLevel3,
                Field::StreetLines,
                Field::Company,
                Field::Name
            ])
        );
    }

    #[test]
    fn missing_names_the_next_asset() {
        let mut t = Atlas::new();
        let a = cn();
        assert_eq!(t.missing(&a).as_deref(), Some("intl/CN.json"));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/data/");
        for p in ["intl/CN.json", "cn/index.json"] {
            let _ = t.add(
                p,
                &std::fs::read_to_string(format!("{dir}{p}")).unwrap_or_default(),
            );
        }
        assert_eq!(t.missing(&a).as_deref(), Some("cn/33.json"));
        assert!(t.add("cn/33.json", "[").is_err());
        // pinned: the committed asset passes, a changed one (same shape) does not
        let text = std::fs::read_to_string(format!("{dir}cn/33.json")).unwrap_or_default();
        assert_eq!(t.add_pinned("cn/33.json", &text), Ok(()));
        let changed = text.replacen("西湖区", "东湖区", 1);
        assert_eq!(
            t.add_pinned("cn/33.json", &changed).map_err(|e| e.code()),
            Err("invalid_address_data")
        );
        assert!(
            t.add("cn/33.json", &changed).is_ok(),
            "unpinned add: the embedding caller's"
        );
        assert!(t.add_pinned("intl/XX.json", "{}").is_err());
        // the format without China's province list (its fetch failed): no false refusal of
        // a valid province or code, and nothing made up
        let mut only_format = Atlas::new();
        let text = std::fs::read_to_string(format!("{dir}intl/CN.json")).unwrap_or_default();
        assert_eq!(only_format.add("intl/CN.json", &text), Ok(()));
        let mut b = cn();
        b.division_code = "330106".into();
        assert_eq!(only_format.problems(&b), vec![]);
        assert_eq!(
            only_format.canonical(&b).map(|c| c.division_code.clone()),
            Ok("330106".into())
        );
        b.address_level1 = "火星".into();
        assert_eq!(
            only_format.problems(&b).first().map(|e| e.code()),
            Some("address_level1_invalid")
        );
        assert!(t.add("../x.json", "[]").is_err());
    }
}
