//! The address data built into the binary (`src/data/`, embedded by `build.rs`) and what the CLI
//! does with it: `seal` seals [`Atlas::canonical`] of the address (SPEC.md §4.2), and labels
//! follow each country's format.
//!
//! One atlas per process, filled lazily: an address adds exactly the assets
//! [`Atlas::missing`] names for it (its country's format; for China the province list and its
//! province), each parsed once. Error messages name fields, country codes and the data's own
//! names (provinces, cities, example postal codes), never the buyer's text.

use std::sync::{LazyLock, PoisonError, RwLock};

use sealpost::{
    addrdata::{Atlas, CountryFormat},
    address::{AddressError, Field, Problem},
    Address,
};

use crate::error::{CliError, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/address_data.rs"));
}

/// The embedded text of the asset at `path` (`intl/DE.json`, `cn/33.json`).
pub fn asset(path: &str) -> Option<&'static str> {
    let table = embedded::ASSETS;
    let i = table.binary_search_by(|(p, _)| (*p).cmp(path)).ok()?;
    table.get(i).map(|(_, text)| *text)
}

static ATLAS: LazyLock<RwLock<Atlas>> = LazyLock::new(|| RwLock::new(Atlas::new()));

/// A broken or absent built-in asset: a bug of this build, never the buyer's.
fn data_error(path: &str, why: impl std::fmt::Display) -> CliError {
    let e = sealpost::Error::InvalidAddressData("a built-in asset");
    CliError::core(&e, format!("built-in address data {path}: {why}"))
        .hint("this build of sealpost is broken: report it with `sealpost --version`")
}

/// Adds the asset at `path` to the atlas, unless it is there already.
fn add(path: &str, has: impl Fn(&Atlas) -> bool) -> Result<()> {
    let mut atlas = ATLAS.write().unwrap_or_else(PoisonError::into_inner);
    if has(&atlas) {
        return Ok(());
    }
    let text = asset(path).ok_or_else(|| data_error(path, "not built in"))?;
    atlas.add(path, text).map_err(|e| data_error(path, e))
}

/// Runs `f` on an atlas holding every asset `address` needs.
pub fn with_atlas<T>(address: &Address, f: impl FnOnce(&Atlas) -> T) -> Result<T> {
    // at most three assets: intl/CN.json, cn/index.json, cn/<pp>.json
    for _ in 0..4 {
        let atlas = ATLAS.read().unwrap_or_else(PoisonError::into_inner);
        let Some(path) = atlas.missing(address) else {
            return Ok(f(&atlas));
        };
        drop(atlas);
        add(&path, |a| {
            a.missing(address).as_deref() != Some(path.as_str())
        })?;
    }
    Err(data_error(
        "atlas",
        "an asset is still missing after it was added",
    ))
}

/// Runs `f` with `country`'s format, `None` when the binary has no data for that code.
pub fn with_format<T>(country: &str, f: impl FnOnce(Option<&CountryFormat>) -> T) -> Result<T> {
    let path = format!("intl/{country}.json");
    let known = sealpost::is_iso_alpha2(country) && asset(&path).is_some();
    if known
        && ATLAS
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .format(country)
            .is_none()
    {
        add(&path, |a| a.format(country).is_some())?;
    }
    let atlas = ATLAS.read().unwrap_or_else(PoisonError::into_inner);
    Ok(f(atlas.format(country)))
}

/// What `seal` seals for `address`: the canonical form of SPEC.md §4.2 (the data's names, the
/// postal code in capitals, `divisionCode` filled in), or the first problem as an error with
/// its field code and a message in the data's terms.
pub fn canonical(address: &Address) -> Result<Address> {
    with_atlas(address, |atlas| {
        atlas
            .canonical(address)
            .map_err(|e| address_error(atlas, address, e))
    })?
}

/// `e` as the CLI shows it: its code, and a message that says what the data expects (in the
/// data's terms: the country's example postal code, the province or city a level is not part
/// of), never the buyer's text.
fn address_error(atlas: &Atlas, a: &Address, e: AddressError) -> CliError {
    let core = sealpost::Error::InvalidAddress(e);
    let cc = a.country.as_str();
    let format = atlas.format(cc);
    let message = match (e.field, e.problem) {
        (Field::PostalCode, Problem::Invalid | Problem::Missing) => {
            match format.filter(|f| !f.zipex.is_empty()) {
                Some(f) if e.problem == Problem::Invalid => format!(
                    "postalCode does not have the form of {cc} postal codes (example: {})",
                    f.zipex
                ),
                Some(f) => format!("postalCode is required in {cc} (example: {})", f.zipex),
                None => e.to_string(),
            }
        }
        (Field::AddressLevel1, Problem::Invalid) if cc == "CN" => {
            "addressLevel1 is not a province, autonomous region or municipality of China \
             (Hong Kong, Macau and Taiwan have their own country codes: HK, MO, TW)"
                .to_owned()
        }
        (Field::AddressLevel2, Problem::Invalid) if cc == "CN" => match atlas.cn_parents(a).0 {
            Some(p) => format!("addressLevel2 is not a city of {}", p.name),
            None => e.to_string(),
        },
        (Field::AddressLevel3, Problem::Invalid) if cc == "CN" => match atlas.cn_parents(a).1 {
            Some(c) => format!("addressLevel3 is not a district or county of {}", c.name),
            None => e.to_string(),
        },
        (Field::AddressLevel1, Problem::Invalid) => match format {
            Some(f) => {
                let kind = f.label(Field::AddressLevel1).unwrap_or("state");
                // the data's first entry, by a key a keyboard types or its ISO code
                let example = f.sub.first().map_or(String::new(), |s| {
                    if s.key.is_ascii() || s.iso.is_empty() {
                        format!(", such as {}", s.key)
                    } else {
                        format!(", such as {cc}-{}", s.iso)
                    }
                });
                format!(
                    "addressLevel1 is not a {} of {cc} (give its name or code{example})",
                    kind.replace('_', "/")
                )
            }
            None => e.to_string(),
        },
        (Field::DivisionCode, Problem::Invalid) => {
            "divisionCode does not match the address (China: the district's 6-digit code; \
             elsewhere: the ISO 3166-2 code of the state, such as US-CA)"
                .to_owned()
        }
        (Field::AddressLevel1 | Field::AddressLevel2 | Field::AddressLevel3, Problem::Missing)
            if cc != "CN" =>
        {
            format!("{} is required in {cc}", e.field.json_name())
        }
        _ => e.to_string(),
    };
    // as the core words every address error: "invalid address: …"
    let err = CliError::core(&core, format!("invalid address: {message}"));
    match e.field {
        Field::DivisionCode => {
            err.hint("leave divisionCode empty: seal fills it in from the names")
        }
        _ => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(json: &str) -> Address {
        serde_json::from_str(json).unwrap()
    }

    fn failure(a: &Address) -> (String, String) {
        let e = canonical(a).unwrap_err();
        (e.code().to_owned(), e.message().to_owned())
    }

    #[test]
    fn every_manifest_asset_is_built_in_and_parses() {
        let manifest: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../src/data/manifest.json"
        )))
        .unwrap();
        let mut atlas = Atlas::new();
        // the province files need the index first (it sorts after them)
        atlas
            .add("cn/index.json", asset("cn/index.json").unwrap())
            .unwrap();
        let mut count = 0;
        for path in manifest["assets"].as_object().unwrap().keys() {
            if path.starts_with("licenses/") {
                assert!(asset(path).is_none(), "{path}");
                continue;
            }
            let text = asset(path).unwrap_or_else(|| panic!("{path} not built in"));
            assert_eq!(atlas.add(path, text), Ok(()), "{path}");
            count += 1;
        }
        assert_eq!(count, embedded::ASSETS.len());
        assert!(count > 249, "{count}");
        let version = env!("SEALPOST_DATA_VERSION");
        assert!(version.starts_with("retrieved 20"), "{version}");
        assert!(asset("intl/ZZ.json").is_none() && asset("../manifest.json").is_none());
    }

    #[test]
    fn canonical_fills_the_data_names_and_codes() {
        let cn = address(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江",
            "addressLevel2":"杭州","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
            "postalCode":"310012"}"#,
        );
        let c = canonical(&cn).unwrap();
        assert_eq!(
            [
                c.address_level1.as_str(),
                &c.address_level2,
                &c.address_level3,
                &c.division_code
            ],
            ["浙江省", "杭州市", "西湖区", "330106"]
        );
        let us = address(
            r#"{"name":"Jane Roe","phone":"+1 650 253 0000","country":"US","addressLevel1":"california",
            "addressLevel2":"Mountain View","streetLines":["1600 Amphitheatre Pkwy"],"postalCode":"94043"}"#,
        );
        let c = canonical(&us).unwrap();
        assert_eq!(
            (c.address_level1.as_str(), c.division_code.as_str()),
            ("CA", "US-CA")
        );
        let gb = address(
            r#"{"name":"A B","phone":"+44 20 7946 0000","country":"GB","addressLevel2":"London",
            "streetLines":["10 Downing St"],"postalCode":"sw1a 2aa"}"#,
        );
        assert_eq!(canonical(&gb).unwrap().postal_code, "SW1A 2AA");
    }

    #[test]
    fn failures_say_what_the_data_expects_without_the_buyers_text() {
        let cn = address(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
            "addressLevel2":"杭州市","addressLevel3":"朝阳区","streetLines":["文三路 90 号"],
            "postalCode":"310012"}"#,
        );
        assert_eq!(
            failure(&cn),
            (
                "address_level3_invalid".into(),
                "invalid address: addressLevel3 is not a district or county of 杭州市".into()
            )
        );
        let mut bad_city = cn.clone();
        bad_city.address_level2 = "火星市".into();
        assert_eq!(
            failure(&bad_city),
            (
                "address_level2_invalid".into(),
                "invalid address: addressLevel2 is not a city of 浙江省".into()
            )
        );
        let mut bad_province = cn.clone();
        bad_province.address_level1 = "火星".into();
        let (code, message) = failure(&bad_province);
        assert_eq!(code, "address_level1_invalid");
        assert!(!message.contains("火星"), "{message}");

        let us = address(
            r#"{"name":"Jane Roe","phone":"+1 650 253 0000","country":"US","addressLevel1":"Ontario",
            "addressLevel2":"Mountain View","streetLines":["1600 Amphitheatre Pkwy"],"postalCode":"9404"}"#,
        );
        assert_eq!(
            failure(&us),
            (
                "address_level1_invalid".into(),
                "invalid address: addressLevel1 is not a state of US (give its name or code, such as AL)".into()
            )
        );
        let mut zip = us.clone();
        zip.address_level1 = "CA".into();
        assert_eq!(
            failure(&zip),
            (
                "postal_code_invalid".into(),
                "invalid address: postalCode does not have the form of US postal codes (example: 95014)".into()
            )
        );
        let mut de = zip.clone();
        de.country = "DE".into();
        de.address_level1 = String::new();
        de.postal_code = String::new();
        assert_eq!(
            failure(&de),
            (
                "postal_code_missing".into(),
                "invalid address: postalCode is required in DE (example: 26133)".into()
            )
        );
        let mut code = zip;
        code.postal_code = "94043".into();
        code.division_code = "US-NY".into();
        assert_eq!(failure(&code).0, "division_code_invalid");
        for a in [&cn, &bad_city, &us, &de, &code] {
            let (_, m) = failure(a);
            for personal in [
                "张三",
                "朝阳",
                "火星",
                "Mountain",
                "Amphitheatre",
                "Ontario",
            ] {
                assert!(!m.contains(personal), "{m}");
            }
        }
    }

    #[test]
    fn formats_come_from_the_data_and_unknown_codes_have_none() {
        let fmt = with_format("US", |f| f.map(|f| f.fmt.clone())).unwrap();
        assert_eq!(fmt.as_deref(), Some("%N%n%O%n%A%n%C, %S %Z"));
        assert!(!with_format("XX", |f| f.is_some()).unwrap());
        assert!(!with_format("../x", |f| f.is_some()).unwrap());
    }
}
