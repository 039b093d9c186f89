//! The address-data rules (SPEC.md §4.2, `sealpost::addrdata`) over the committed data: every
//! Chinese district reachable by its names, real-format addresses of many countries accepted
//! and wrong ones refused with the right field code, and the postal-code matcher equal to the
//! `regex` crate on every pattern.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use sealpost::{
    addrdata::{pattern, Atlas},
    Address,
};

fn read(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/data")
            .join(path),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Everything an address needs, added as the browser does (pinned), asset by asset.
fn atlas_for(atlas: &mut Atlas, a: &Address) {
    while let Some(path) = atlas.missing(a) {
        atlas.add_pinned(&path, &read(&path)).unwrap();
    }
}

/// Every province of the data, loaded.
fn china() -> Atlas {
    let mut atlas = Atlas::new();
    for p in ["intl/CN.json", "cn/index.json"] {
        atlas.add_pinned(p, &read(p)).unwrap();
    }
    let codes: Vec<String> = atlas
        .cn_provinces()
        .map(|d| d.code[..2].to_owned())
        .collect();
    assert_eq!(
        codes.len(),
        31,
        "31 mainland provinces (TW, HK, MO are countries)"
    );
    for pp in codes {
        let p = format!("cn/{pp}.json");
        atlas.add_pinned(&p, &read(&p)).unwrap();
    }
    atlas
}

fn cn(l1: &str, l2: &str, l3: &str) -> Address {
    let mut a = Address::default();
    a.name = "张三".into();
    a.phone = "13812345678".into();
    a.country = "CN".into();
    a.address_level1 = l1.into();
    a.address_level2 = l2.into();
    a.address_level3 = l3.into();
    a.street_lines = vec!["某路 1 号".into()];
    a.postal_code = "100000".into();
    a
}

/// The picker offers exactly the data's tree; each district it offers, sealed by its names,
/// gets its own code (or, where two districts of one city share a name, by its code).
#[test]
fn every_chinese_district_is_reachable_through_the_picker() {
    let atlas = china();
    let (mut districts, mut by_code_only) = (0, Vec::new());
    for province in atlas.cn_provinces() {
        let p = atlas.cn_province(&province.code).unwrap();
        assert!(!p.cities.is_empty(), "{}", province.name);
        for city in &p.cities {
            assert!(
                !city.districts.is_empty(),
                "{} {}",
                province.name,
                city.city.name
            );
            for d in &city.districts {
                districts += 1;
                let a = cn(&province.name, &city.city.name, &d.name);
                let sealed = atlas.canonical(&a);
                match sealed {
                    Ok(s) if s.division_code == d.code => {
                        assert_eq!(
                            (&*s.address_level1, &*s.address_level2, &*s.address_level3),
                            (&*province.name, &*city.city.name, &*d.name)
                        );
                    }
                    _ => {
                        // a name shared within one city: the code picks the district
                        let mut with_code = a.clone();
                        with_code.division_code = d.code.clone();
                        assert!(
                            city.districts.iter().filter(|x| x.name == d.name).count() > 1,
                            "{} {} {} ({}) unreachable: {:?}",
                            province.name,
                            city.city.name,
                            d.name,
                            d.code,
                            sealed.map(|s| s.division_code.clone())
                        );
                        by_code_only.push(d.code.clone());
                    }
                }
            }
        }
    }
    println!(
        "{districts} districts reachable by name; {} only by code: {by_code_only:?}",
        by_code_only.len()
    );
    assert!(districts > 3000, "{districts}");
}

/// What the browser's autofill or a buyer types for a province: every form finds the entry.
#[test]
fn province_and_state_names_match_as_buyers_write_them() {
    let atlas = china();
    for text in [
        "浙江",
        "浙江省",
        "Zhejiang",
        "zhejiang sheng",
        "33",
        "330000",
        " 浙江省 ",
    ] {
        assert_eq!(
            atlas.cn_province_named(text).map(|d| d.code.as_str()),
            Some("330000"),
            "{text}"
        );
    }
    for (text, code) in [
        ("广西", "450000"),
        ("广西壮族自治区", "450000"),
        ("内蒙古", "150000"),
        ("新疆", "650000"),
        ("宁夏", "640000"),
        ("北京", "110000"),
        ("Beijing", "110000"),
    ] {
        assert_eq!(
            atlas.cn_province_named(text).map(|d| d.code.as_str()),
            Some(code),
            "{text}"
        );
    }
    assert_eq!(atlas.cn_province_named("香港特别行政区"), None);
    assert_eq!(atlas.cn_province_named("江"), None);

    let mut us = Atlas::new();
    us.add_pinned("intl/US.json", &read("intl/US.json"))
        .unwrap();
    let f = us.format("US").unwrap();
    for text in ["California", "california", "CA", "ca", "US-CA", " us-ca "] {
        assert_eq!(
            f.sub_region(text).map(|s| s.key.as_str()),
            Some("CA"),
            "{text}"
        );
    }
    assert_eq!(f.sub_region("Calif"), None);
    let mut jp = Atlas::new();
    jp.add_pinned("intl/JP.json", &read("intl/JP.json"))
        .unwrap();
    let f = jp.format("JP").unwrap();
    for (text, key) in [
        ("東京", "東京都"),
        ("大阪", "大阪府"),
        ("神奈川", "神奈川県"),
        ("北海道", "北海道"),
        ("Kyoto", "京都府"),
    ] {
        assert_eq!(
            f.sub_region(text).map(|s| s.key.as_str()),
            Some(key),
            "{text}"
        );
    }
}

/// `(country, level1, level2, level3, street, postal code)`: real-format addresses (public
/// landmarks and post offices).
const VALID: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "US",
        "CA",
        "Mountain View",
        "",
        "1600 Amphitheatre Pkwy",
        "94043",
    ),
    (
        "US",
        "New York",
        "New York",
        "",
        "350 Fifth Avenue",
        "10118-0110",
    ),
    ("CA", "ON", "Ottawa", "", "111 Wellington St", "K1A 0A9"),
    ("GB", "", "London", "", "10 Downing Street", "SW1A 2AA"),
    ("IE", "Co. Dublin", "Dublin", "", "Phoenix Park", "D08 E1W3"),
    ("DE", "", "Berlin", "", "Platz der Republik 1", "11011"),
    ("FR", "", "Paris", "", "5 Avenue Anatole France", "75007"),
    ("NL", "", "Amsterdam", "", "Dam 1", "1012 JS"),
    ("ES", "Madrid", "Madrid", "", "Plaza de Oriente", "28013"),
    ("IT", "RM", "Roma", "", "Piazza del Colosseo 1", "00184"),
    ("PL", "", "Warszawa", "", "plac Zamkowy 4", "00-277"),
    ("SE", "", "Stockholm", "", "Slottsbacken 1", "111 30"),
    ("CH", "", "Bern", "", "Bundesplatz 3", "3005"),
    ("JP", "東京都", "", "", "千代田区千代田1-1", "100-8111"),
    ("JP", "Osaka", "", "", "Osaka-jo 1-1, Chuo-ku", "5400002"),
    ("KR", "서울특별시", "종로구", "", "세종대로 209", "03154"),
    (
        "IN",
        "Delhi",
        "New Delhi",
        "",
        "Rashtrapati Bhavan",
        "110004",
    ),
    ("AU", "NSW", "Sydney", "", "Bennelong Point", "2000"),
    (
        "BR",
        "DF",
        "Brasília",
        "",
        "Praça dos Três Poderes",
        "70150-900",
    ),
    (
        "MX",
        "CDMX",
        "Ciudad de México",
        "",
        "Plaza de la Constitución s/n",
        "06000",
    ),
    ("RU", "Москва", "Москва", "", "Красная площадь, 1", "109012"),
    ("SG", "", "", "", "1 Fullerton Square", "049178"),
    (
        "HK",
        "Kowloon",
        "Tsim Sha Tsui",
        "",
        "10 Salisbury Road",
        "",
    ),
    (
        "AE",
        "Dubai",
        "",
        "",
        "1 Sheikh Mohammed bin Rashid Blvd",
        "",
    ),
    ("TW", "台北市", "中正區", "", "重慶南路一段122號", "100"),
    ("CN", "浙江省", "杭州市", "西湖区", "文三路 90 号", "310012"),
];

fn address(row: &(&str, &str, &str, &str, &str, &str)) -> Address {
    let (country, l1, l2, l3, street, zip) = *row;
    let mut a = Address::default();
    a.name = "Test Recipient".into();
    a.phone = "+1 650 253 0000".into();
    if country == "CN" {
        a.phone = "13812345678".into();
    }
    a.country = country.into();
    a.address_level1 = l1.into();
    a.address_level2 = l2.into();
    a.address_level3 = l3.into();
    a.street_lines = vec![street.into()];
    a.postal_code = zip.into();
    a
}

#[test]
fn real_format_addresses_of_twenty_six_countries_are_accepted() {
    let mut atlas = Atlas::new();
    let mut countries = std::collections::BTreeSet::new();
    for row in VALID {
        let a = address(row);
        atlas_for(&mut atlas, &a);
        let sealed = atlas
            .canonical(&a)
            .unwrap_or_else(|e| panic!("{}: {}", row.0, e.code()));
        assert_eq!(sealed.validate(), Ok(()), "{}", row.0);
        countries.insert(row.0);
    }
    assert!(countries.len() >= 20, "{countries:?}");
    // canonical forms
    let canon = |row| {
        let s = atlas.canonical(&address(row)).unwrap();
        (
            s.address_level1.clone(),
            s.division_code.clone(),
            s.postal_code.clone(),
        )
    };
    assert_eq!(
        canon(&VALID[1]),
        ("NY".into(), "US-NY".into(), "10118-0110".into())
    );
    assert_eq!(
        canon(&VALID[14]),
        ("大阪府".into(), "JP-27".into(), "5400002".into())
    );
    let mut gb = address(&VALID[3]);
    gb.postal_code = "sw1a 2aa".into();
    assert_eq!(atlas.canonical(&gb).unwrap().postal_code, "SW1A 2AA");
}

/// `(base row, field to change, new value, expected code)`.
const INVALID: &[(usize, &str, &str, &str)] = &[
    (0, "postal", "9404", "postal_code_invalid"),
    (0, "postal", "", "postal_code_missing"),
    (0, "l1", "Ontario", "address_level1_invalid"),
    (0, "l1", "", "address_level1_missing"),
    (0, "l2", "", "address_level2_missing"),
    (2, "postal", "K1A0A", "postal_code_invalid"),
    (3, "postal", "SW1A", "postal_code_invalid"),
    (5, "postal", "", "postal_code_missing"),
    (5, "postal", "1101", "postal_code_invalid"),
    (6, "postal", "7500", "postal_code_invalid"),
    (7, "postal", "1012", "postal_code_invalid"),
    (13, "l1", "", "address_level1_missing"),
    (13, "l1", "Tokio", "address_level1_invalid"),
    (13, "postal", "100-81111", "postal_code_invalid"),
    (16, "postal", "11000", "postal_code_invalid"),
    (18, "postal", "7015", "postal_code_invalid"),
    (20, "postal", "10901", "postal_code_invalid"),
    (22, "l1", "Macau", "address_level1_invalid"),
    (25, "l1", "浙江西", "address_level1_invalid"),
    (25, "l2", "宁波市", "address_level3_invalid"),
    (25, "l2", "南京市", "address_level2_invalid"),
    (25, "l3", "朝阳区", "address_level3_invalid"),
    (25, "l3", "", "address_level3_missing"),
    (25, "postal", "31001", "postal_code_invalid"),
    (25, "code", "330105", "division_code_invalid"),
    (25, "code", "33010", "division_code_invalid"),
    (0, "code", "US-NY", "division_code_invalid"),
    (0, "code", "CA", "division_code_invalid"),
];

#[test]
fn wrong_addresses_are_refused_with_the_field_code() {
    let mut atlas = Atlas::new();
    for (row, field, value, code) in INVALID {
        let mut a = address(&VALID[*row]);
        let slot = match *field {
            "postal" => &mut a.postal_code,
            "l1" => &mut a.address_level1,
            "l2" => &mut a.address_level2,
            "l3" => &mut a.address_level3,
            "code" => &mut a.division_code,
            _ => unreachable!(),
        };
        *slot = (*value).into();
        atlas_for(&mut atlas, &a);
        let got = atlas
            .canonical(&a)
            .map(|_| "ok")
            .unwrap_or_else(|e| e.code());
        assert_eq!(got, *code, "{} {field}={value:?}", VALID[*row].0);
        // the same first problem as the per-field list the form shows
        assert_eq!(atlas.problems(&a).first().map(|e| e.code()), Some(*code));
    }
}

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn the_postal_matcher_agrees_with_the_regex_crate_on_every_pattern() {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -abc";
    let mut rng = Rng(0x5ea1_9057);
    let mut patterns = 0;
    let mut compared = 0;
    for cc in sealpost::countries::all() {
        let mut atlas = Atlas::new();
        let path = format!("intl/{cc}.json");
        atlas.add_pinned(&path, &read(&path)).unwrap();
        let f = atlas.format(cc).unwrap();
        if f.zip.is_empty() {
            continue;
        }
        patterns += 1;
        let re = regex::Regex::new(&format!("^(?:{})$", f.zip)).unwrap();
        let mut samples: Vec<String> = vec![f.zipex.clone(), String::new()];
        // the example with each character changed, dropped, doubled
        let ex: Vec<char> = f.zipex.chars().collect();
        for i in 0..ex.len() {
            for c in ['0', '9', 'A', 'Z', ' ', '-'] {
                let mut v = ex.clone();
                v[i] = c;
                samples.push(v.iter().collect());
            }
            let mut v = ex.clone();
            v.remove(i);
            samples.push(v.iter().collect());
            let mut v = ex.clone();
            v.insert(i, ex[i]);
            samples.push(v.iter().collect());
        }
        for _ in 0..300 {
            let len = (rng.next() % 13) as usize;
            samples.push(
                (0..len)
                    .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize] as char)
                    .collect(),
            );
        }
        for s in samples {
            assert_eq!(
                pattern::matches_whole(&f.zip, &s),
                Some(re.is_match(&s)),
                "{cc}: {:?} on {s:?}",
                f.zip
            );
            compared += 1;
        }
    }
    println!("{patterns} patterns, {compared} comparisons");
    assert!(patterns > 150, "{patterns}");
}

mod hostile {
    use super::*;
    use proptest::prelude::*;

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("intl/US.json".to_owned()),
            Just("cn/index.json".to_owned()),
            Just("cn/33.json".to_owned()),
            "[a-z/0-9.]{0,14}",
        ]
    }

    /// JSON-ish text: the asset alphabet, so the parser goes deep before it fails.
    fn jsonish() -> impl Strategy<Value = String> {
        prop_oneof![
            r#"[\[\]{}",:a-zA-Z0-9\\%u 浙江省]{0,80}"#,
            Just(read("intl/US.json")),
            Just(read("cn/11.json")),
        ]
        .prop_map(|s| s)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Any text under any path: `add` returns (an error or Ok), never panics; a parsed
        /// asset then checks any address without panicking.
        #[test]
        fn any_asset_text_is_parsed_or_refused(
            p in path(),
            text in jsonish(),
            l1 in "[a-zA-Z浙江北京省市 ]{0,8}",
            l2 in "[a-zA-Z杭州北京市 ]{0,8}",
            zip in "[0-9A-Z -]{0,12}",
        ) {
            let mut atlas = Atlas::new();
            let _ = atlas.add("cn/index.json", &read("cn/index.json"));
            if atlas.add(&p, &text).is_ok() {
                for cc in ["US", "CN", "DE"] {
                    let mut a = address(&VALID[0]);
                    a.country = cc.into();
                    a.address_level1 = l1.clone();
                    a.address_level2 = l2.clone();
                    a.postal_code = zip.clone();
                    let _ = atlas.problems(&a);
                    if let Ok(c) = atlas.canonical(&a) {
                        prop_assert!(atlas.problems(&c).is_empty());
                    }
                }
            }
        }

        /// Any pattern and value: a verdict or `None` (outside the subset), never a panic.
        #[test]
        fn any_pattern_is_matched_or_refused(
            p in r"[\\()\[\]{}|?*+^$dbA-Z0-9,:-]{0,24}",
            v in "[A-Z0-9 -]{0,12}",
        ) {
            let _ = pattern::matches_whole(&p, &v);
        }
    }
}
