//! `cargo xtask bench cli`: the CLI benchmarks, in one run. Figures only (the machine is shared):
//!
//! - `open`: criterion, per envelope: seal, raw X25519 DH (the floor), parse + open, open alone,
//!   parse; xtask reads criterion's medians from `target/criterion/<case>/new/estimates.json`.
//! - `batch`: `sealpost open --batch` (release binary) over a generated manifest of 100,000
//!   envelopes, `-j 1` and all cores, next to the raw DH measured in the same run, with CPU time,
//!   peak RSS and the load average. `SEALPOST_BENCH_RECORDS=N` changes the size.
//!   Then `sealpost seal --batch` over 100,000 addresses, `-j 1` and all cores, next to the
//!   one-core cost of (ephemeral key pair + one DH) measured in the same run, and its peak RSS.
//!   Then `sealpost label --batch --opened` of 1,000 and 10,000 labels to one PDF: wall time,
//!   peak RSS, bytes per label.
//! - the envelope's size, one and two couriers, sealed here.
//! - `scripts`: `sealpost label --batch --opened` over 1,000 addresses in many scripts: labels
//!   rejected (goal 0), time per label, peak RSS, beside the same number of Chinese-only ones.
//!
//! All of it goes to `target/bench/cli.json`, then into the README's `cli` region.

use std::{process::Command, time::SystemTime};

use serde_json::{json, Value};

use crate::{figures, root, Result};

/// Criterion's case names in `cli/benches/open.rs`, and their keys in cli.json.
const CRITERION: [(&str, &str); 5] = [
    ("seal (one courier)", "seal"),
    ("x25519 DH (floor)", "dh"),
    ("open (parse + open)", "open"),
    ("open (already parsed)", "openParsed"),
    ("parse only", "parse"),
];

/// The address the benches seal (as in cli/benches).
const ADDRESS: &str = r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
    "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],"postalCode":"310012"}"#;

pub fn run() -> Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = SystemTime::now();
    let host = figures::host_start();
    crate::run(Command::new(&cargo).args(["bench", "-p", "sealpost-cli", "--bench", "open"]))?;
    let batch_json = root().join("target/bench/batch.json");
    let _ = std::fs::remove_file(&batch_json);
    crate::run(
        Command::new(&cargo)
            .env("SEALPOST_BENCH_JSON", &batch_json)
            .args(["bench", "-p", "sealpost-cli", "--bench", "batch"]),
    )?;
    let scripts = scripts(&cargo)?;
    let cli = json!({
        "host": host.finish(),
        "criterion": criterion(started)?,
        "batch": crate::read_json(&batch_json)?,
        "envelope": envelope_sizes()?,
        "scripts": scripts,
    });
    figures::write_json("cli", &cli)?;
    figures::publish("README.md", &[("cli", region(&cli)?)])
}

/// The README's `cli` region from cli.json (also for `cargo xtask bench readme`).
pub fn region(cli: &Value) -> Result<String> {
    let mut region = figures::cli_region(cli)?;
    region.push_str(&seal_rows(cli)?);
    region.push_str(&scripts_row(cli)?);
    region.push_str(&label_row(cli)?);
    Ok(region)
}

/// `seal --batch` ÷ (ephemeral key pair + one DH), one core, same run (issue #19).
const SEAL_SHARE_OF_FLOOR: figures::Goal = figures::Goal {
    bound: figures::Bound::AtLeast,
    limit: 0.80,
    text: "≥ 0.80 of the key pair + DH floor",
};
/// `seal --batch -j N` ÷ `-j 1`, per core.
const SEAL_SPEEDUP_PER_CORE: figures::Goal = figures::Goal {
    bound: figures::Bound::AtLeast,
    limit: 0.90,
    text: "≥ 0.9× per core",
};

/// The `seal --batch` rows of the `cli` region's table, with the load average of their runs
/// (`batch.seal` of cli.json; its `opensPerS` are seals per second).
fn seal_rows(c: &Value) -> Result<String> {
    let n = |p: &str| figures::num(c, &format!("/batch/seal/{p}"));
    let records = figures::num(c, "/batch/records")?;
    let cores = figures::num(c, "/batch/cores")?;
    let pair = n("pairUs")?;
    let one = n("one/opensPerS")?;
    let all = n("all/opensPerS")?;
    let share = one * pair / 1e6;
    let speedup = all / one;
    let load = |p: &str| {
        c.pointer(&format!("/batch/seal/{p}"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (small, big) = (n("smallPeakMiB")?, n("all/peakMiB")?);
    Ok(format!(
        "\n| `seal --batch`, {} addresses, `-j 1` (load average {} before → {} after the seal runs) | \
         {:.0} seals/s; {:.1} µs CPU per seal; = {:.2} of the one-core rate of ephemeral key pair + one DH \
         ({pair:.1} µs, same run) | {} |\
         \n| `seal --batch`, `-j {cores}` | {:.0} seals/s, {speedup:.2}× over `-j 1` | {} (i.e. ≥ {:.2}× on {cores} cores) |\
         \n| `seal --batch` peak RSS, {} → {} addresses | {small:.1} → {big:.1} MiB | {}; {} |",
        records,
        load("loadAverageStart"),
        load("loadAverageEnd"),
        one,
        n("one/cpuUsPerOpen")?,
        share,
        SEAL_SHARE_OF_FLOOR.status(share),
        all,
        SEAL_SPEEDUP_PER_CORE.status(speedup / cores),
        SEAL_SPEEDUP_PER_CORE.limit * cores,
        figures::num(c, "/batch/seal/smallRecords")?,
        records,
        figures::BATCH_PEAK_MIB.status(small.max(big)),
        figures::BATCH_RSS_GROWTH.status(big / small),
    ))
}

/// `cli/benches/scripts.rs`: `label --batch --opened` over 1,000 addresses in the scripts a
/// Chinese seller's buyers write, with the fonts installed here (issue #19).
fn scripts(cargo: &str) -> Result<Value> {
    let json = root().join("target/bench/scripts.json");
    let _ = std::fs::remove_file(&json);
    crate::run(Command::new(cargo).env("SEALPOST_BENCH_JSON", &json).args([
        "bench",
        "-p",
        "sealpost-cli",
        "--bench",
        "scripts",
    ]))?;
    crate::read_json(&json)
}

/// Labels rejected for missing glyphs among the 1,000 mixed-script addresses (35 with one font).
const SCRIPTS_REJECTED: figures::Goal = figures::Goal {
    bound: figures::Bound::AtMost,
    limit: 0.0,
    text: "0 rejected (35 with the CJK font alone)",
};

/// The `label --batch` row of the `cli` region (`scripts` of cli.json).
fn scripts_row(c: &Value) -> Result<String> {
    let n = |p: &str| figures::num(c, &format!("/scripts/{p}"));
    let records = n("records")?;
    let glyphs: f64 = c
        .pointer("/scripts/mixed/rejectedByCode")
        .and_then(Value::as_object)
        .map(|codes| {
            codes
                .iter()
                .filter(|(code, _)| code.starts_with("missing_glyph"))
                .filter_map(|(_, count)| count.as_f64())
                .sum::<f64>()
                + 0.0 // an empty sum is -0.0
        })
        .unwrap_or(0.0);
    // distinct fonts (each 256-page part of the PDF embeds its own subsets)
    let fonts = c
        .pointer("/scripts/mixed/fonts")
        .and_then(Value::as_array)
        .map_or(0, |names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        });
    Ok(format!(
        "\n| `label --batch --opened`, {records} addresses in Chinese (some names with \
         Extension B characters), Japanese, Korean, Latin, Vietnamese, Cyrillic, Arabic, Hebrew, Thai, \
         Devanagari and Greek, emoji in some notes (`cli/benches/scripts.rs`) | {glyphs} rejected for missing glyphs, {} in all; \
         {:.1} ms per label; {fonts} fonts embedded; peak RSS {:.1} MiB (Chinese only: {:.1} MiB, {:.1} ms per label) | {} |",
        n("mixed/rejected")?,
        n("mixed/msPerLabel")?,
        n("mixed/peakMiB")?,
        n("chineseOnly/peakMiB")?,
        n("chineseOnly/msPerLabel")?,
        SCRIPTS_REJECTED.status(glyphs),
    ))
}

/// The `label --batch` row of the `cli` region's table (`batch.label` of cli.json): one PDF
/// of 1,000 and of 10,000 labels, peak RSS against the goal of issue #19.
fn label_row(c: &Value) -> Result<String> {
    let n = |p: &str| figures::num(c, &format!("/batch/label/{p}"));
    let load = |p: &str| {
        c.pointer(&format!("/batch/label/{p}"))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (small, big) = (n("small/peakMiB")?, n("big/peakMiB")?);
    Ok(format!(
        "\n| `label --batch --opened` → one PDF, {} → {} labels, Chinese and Latin in turn \
         (load average {} before → {} after) | {:.1} s → {:.1} s; peak RSS {small:.1} → {big:.1} MiB \
         (20 MB of it the CJK font); {:.0} → {:.0} bytes per label | {}; {} |",
        n("small/records")?,
        n("big/records")?,
        load("loadAverageStart"),
        load("loadAverageEnd"),
        n("small/wallS")?,
        n("big/wallS")?,
        n("small/bytesPerLabel")?,
        n("big/bytesPerLabel")?,
        figures::BATCH_PEAK_MIB.status(small.max(big)),
        figures::LABEL_RSS_GROWTH.status(big / small),
    ))
}

/// Criterion's median (ns) of each case, from estimates written by this run.
fn criterion(started: SystemTime) -> Result<Value> {
    let mut out = serde_json::Map::new();
    for (case, key) in CRITERION {
        let path = root()
            .join("target/criterion")
            .join(case)
            .join("new/estimates.json");
        let fresh = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= started);
        if !fresh {
            return Err(format!("{} was not written by this run", path.display()));
        }
        let estimates = crate::read_json(&path)?;
        out.insert(
            key.to_owned(),
            figures::num(&estimates, "/median/point_estimate")?.into(),
        );
    }
    Ok(out.into())
}

/// The bench address sealed to one and to two couriers: binary bytes and text characters.
fn envelope_sizes() -> Result<Value> {
    use sealpost::{Address, Disclosure, Envelope, Identity};
    let address: Address = serde_json::from_str(ADDRESS).map_err(|e| e.to_string())?;
    let key = |seed: u8| {
        Identity::derive(&[seed; 32])
            .map(|i| i.public_key().clone())
            .map_err(|e| e.to_string())
    };
    let keys = [key(0x11)?, key(0x22)?];
    let seal = |n: usize| {
        Envelope::seal(
            &address,
            keys.get(..n).unwrap_or(&keys),
            "ORD-1",
            Disclosure::Country,
        )
        .map_err(|e| e.to_string())
    };
    let (one, two) = (seal(1)?, seal(2)?);
    Ok(json!({
        "bytes": one.to_bytes().len(),
        "textChars": one.to_string().chars().count(),
        "bytesPerFurtherCourier": two.to_bytes().len() - one.to_bytes().len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(small: f64, big: f64) -> Value {
        let run = |records: u32, peak: f64| json!({"records": records, "wallS": 1.5, "peakMiB": peak, "bytesPerLabel": 3771.8});
        json!({"batch": {"label": {
            "small": run(1000, small),
            "big": run(10000, big),
            "loadAverageStart": "1.00 2.00 3.00 1/100 42",
            "loadAverageEnd": "4.00 5.00 6.00 1/100 43",
        }}})
    }

    #[test]
    fn label_row_states_the_goal_from_the_figures() {
        let row = label_row(&label(33.1, 33.2)).unwrap();
        assert!(row.contains("1000 → 10000 labels"), "{row}");
        assert!(
            row.contains("load average 1.00 2.00 3.00 before → 4.00 5.00 6.00 after"),
            "{row}"
        );
        assert!(row.contains("peak RSS 33.1 → 33.2 MiB"), "{row}");
        assert!(row.contains("3772 → 3772 bytes per label"), "{row}");
        assert!(
            row.ends_with("≤ 64 MiB: met; flat (≤ +10 % for 10× the labels): met |"),
            "{row}"
        );
        let row = label_row(&label(33.1, 70.0)).unwrap();
        assert!(
            row.ends_with(
                "≤ 64 MiB: **not met**; flat (≤ +10 % for 10× the labels): **not met** |"
            ),
            "{row}"
        );
        assert!(label_row(&json!({"batch": {}})).is_err());
    }
}
