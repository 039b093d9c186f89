//! Embeds the address data (`src/data/`, SPEC.md §4.2) in the binary: every `intl/` and `cn/`
//! asset that `src/data/manifest.json` lists becomes an entry of `$OUT_DIR/address_data.rs`,
//! `ASSETS: &[(path, include_str!(file))]` sorted by path, and the data's provenance
//! (retrieval date, source packages and versions) becomes `SEALPOST_DATA_VERSION` for
//! `sealpost --version`. A listed asset that
//! is missing, or whose size differs from the manifest's, stops the build: the manifest pins
//! what is shipped (`cargo test --test data` checks the hashes).

use std::{error::Error, fmt::Write as _, path::Path};

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/data");
    let manifest_path = data.join("manifest.json");
    println!("cargo::rerun-if-changed={}", manifest_path.display());
    // and the directory (scanned recursively): an edited asset reruns the size check
    println!("cargo::rerun-if-changed={}", data.display());
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path)
            .map_err(|e| format!("{}: {e}", manifest_path.display()))?,
    )?;
    let assets = manifest
        .get("assets")
        .and_then(serde_json::Value::as_object)
        .ok_or("manifest.json has no \"assets\" object")?;

    let mut out = String::from(
        "/// The address-data assets, by their path in `src/data/`, sorted by path.\n\
         pub static ASSETS: &[(&str, &str)] = &[\n",
    );
    // serde_json's map is sorted by key, so the table is too (the lookup relies on it)
    for (path, entry) in assets {
        if !(path.starts_with("intl/") || path.starts_with("cn/")) || !path.ends_with(".json") {
            continue; // the licence texts
        }
        let file = data
            .join(path)
            .canonicalize()
            .map_err(|e| format!("{path}: {e}"))?;
        let size = std::fs::metadata(&file)?.len();
        let listed = entry.get("bytes").and_then(serde_json::Value::as_u64);
        if listed != Some(size) {
            return Err(format!(
                "src/data/{path} has {size} bytes, manifest.json lists {listed:?}: run `cargo xtask data`"
            )
            .into());
        }
        let file = file.to_str().ok_or("a data path that is not UTF-8")?;
        writeln!(out, "    ({path:?}, include_str!({file:?})),")?;
    }
    out.push_str("];\n");

    let retrieved = manifest
        .get("retrieved")
        .and_then(serde_json::Value::as_str)
        .ok_or("manifest.json has no \"retrieved\" date")?;
    let mut sources = Vec::new();
    for s in manifest
        .get("sources")
        .and_then(serde_json::Value::as_array)
        .ok_or("manifest.json has no \"sources\" list")?
    {
        let field = |k: &str| s.get(k).and_then(serde_json::Value::as_str).unwrap_or("?");
        sources.push(format!("{} {}", field("package"), field("version")));
    }
    // for `sealpost --version` (clap's `version`, which needs a literal: `env!`)
    println!(
        "cargo::rustc-env=SEALPOST_DATA_VERSION=retrieved {retrieved}: {}",
        sources.join(", ")
    );

    let dest = Path::new(&std::env::var("OUT_DIR")?).join("address_data.rs");
    std::fs::write(&dest, out)?;
    Ok(())
}
