//! SPEC.md, the JSON Schemas and the TypeScript types say what the code does: the field table
//! (§3.4), the country list (Appendix A) and the opened-address schema are checked against
//! `sealpost::address::FIELDS` and `sealpost::countries`, so none of them can drift.
//! `SEALPOST_WRITE_VECTORS=1 cargo test --test spec` rewrites the generated schema.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;

use sealpost::{address::FIELDS, countries, Address};
use serde_json::{json, Map, Value};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The JSON Schema of an opened address (SPEC.md §3.4), built from the field table.
fn address_schema() -> Value {
    let mut properties = Map::new();
    for f in FIELDS {
        let limit = format!(
            "at most {} characters{} when sealed by a conforming sender (SPEC.md §4)",
            f.max_chars,
            if f.is_lines() { " per line" } else { "" }
        );
        let text = json!({ "type": "string" });
        let schema = if f.is_lines() {
            json!({ "type": "array", "items": text, "minItems": 1, "maxItems": f.max_lines, "description": limit })
        } else {
            json!({ "type": "string", "description": limit })
        };
        properties.insert(f.json.to_owned(), schema);
    }
    let names: Vec<&str> = FIELDS.iter().map(|f| f.json).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://sealpost.invalid/schema/address.schema.json",
        "title": "sealpost opened address (SPEC.md §3.4)",
        "description": "What a reader outputs for an opened envelope: every key of the field table, empty strings for empty fields. Generated from src/address.rs by tests/spec.rs. A reader returns what was sealed and does not apply the sender's limits (§4).",
        "type": "object",
        "properties": properties,
        "required": names,
        "additionalProperties": false,
    })
}

#[test]
fn the_address_schema_is_generated_from_the_field_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema/address.schema.json");
    let generated = serde_json::to_string_pretty(&address_schema()).unwrap() + "\n";
    if std::env::var_os("SEALPOST_WRITE_VECTORS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), generated);
}

#[test]
fn an_opened_address_has_every_key_of_the_table_in_order() {
    let json = serde_json::to_value(Address::default()).unwrap();
    let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
    let mut want: Vec<&str> = FIELDS.iter().map(|f| f.json).collect();
    want.sort_unstable();
    assert_eq!(keys, want, "serde_json's map is sorted");
    // every opened vector address has exactly these keys and the schema's types
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/envelope");
    let mut opened = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        if let Some(a) = v["expect"]["address"].as_object() {
            opened += 1;
            let mut got: Vec<&String> = a.keys().collect();
            got.sort();
            assert_eq!(got, want);
            for f in FIELDS {
                let value = &a[f.json];
                if f.is_lines() {
                    let lines = value.as_array().unwrap();
                    assert!((1..=f.max_lines).contains(&lines.len()));
                    assert!(lines.iter().all(Value::is_string));
                } else {
                    assert!(value.is_string(), "{}", f.json);
                }
            }
        }
    }
    assert!(opened >= 6, "{opened}");
}

/// The §3.4 table row of each field, cell by cell.
#[test]
fn the_spec_field_table_is_the_code_field_table() {
    let spec = read("SPEC.md");
    let yes = |b: bool| if b { "yes" } else { "no" };
    let rows: Vec<&str> = spec
        .lines()
        .filter(|l| l.starts_with("| `") && l.matches('|').count() == 10)
        .collect();
    assert_eq!(rows.len(), FIELDS.len(), "{rows:#?}");
    for (row, f) in rows.iter().zip(FIELDS) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let cells = &cells[1..10];
        assert!(cells[0].starts_with(&format!("`{}`", f.json)), "{row}");
        assert_eq!(
            cells[1],
            if f.is_lines() {
                "count + texts"
            } else {
                "text"
            },
            "{row}"
        );
        assert_eq!(cells[2], format!("`{}`", f.code), "{row}");
        let csv: Vec<String> = f.csv_columns().collect();
        let csv_cell = if f.is_lines() {
            format!("`{}`–`{}`", csv[0], csv[csv.len() - 1])
        } else {
            format!("`{}`", csv[0])
        };
        assert_eq!(cells[3], csv_cell, "{row}");
        let token = if f.autocomplete == "off" {
            "—".to_owned()
        } else {
            format!("`{}`", f.autocomplete)
        };
        assert_eq!(cells[4], token, "{row}");
        assert_eq!(cells[5], f.max_chars.to_string(), "{row}");
        let lines = if f.is_lines() {
            format!("1–{}", f.max_lines)
        } else {
            "1".to_owned()
        };
        assert_eq!(cells[6], lines, "{row}");
        let req = |b: bool| if f.is_lines() && b { "line 1" } else { yes(b) };
        assert_eq!(cells[7], req(f.required_cn), "{row}");
        assert_eq!(cells[8], req(f.required_intl), "{row}");
    }
}

#[test]
fn appendix_a_is_the_country_list() {
    let spec = read("SPEC.md");
    let appendix = spec.split("## Appendix A. Country codes").nth(1).unwrap();
    let block = appendix.split("```").nth(1).unwrap();
    let listed: Vec<&str> = block.split_whitespace().collect();
    let code: Vec<&str> = countries::all().collect();
    assert_eq!(listed, code);
    assert_eq!(listed.len(), 249);
}

/// `index.d.ts`'s `Address` has the table's keys; a key is optional (`?`) exactly when some
/// layout does not require it; `streetLines` is `string[]`.
#[test]
fn the_typescript_address_is_the_field_table() {
    let dts = read("src/js/index.d.ts");
    let body = dts
        .split("export interface Address {")
        .nth(1)
        .unwrap()
        .split('}')
        .next()
        .unwrap();
    let members: Vec<(String, bool, String)> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("/*") && !l.starts_with('*'))
        .map(|l| {
            let (name, ty) = l.trim_end_matches(';').split_once(':').unwrap();
            let optional = name.ends_with('?');
            (
                name.trim_end_matches('?').to_owned(),
                optional,
                ty.trim().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, bool, String)> = FIELDS
        .iter()
        .map(|f| {
            let ty = if f.is_lines() { "string[]" } else { "string" };
            (
                f.json.to_owned(),
                !(f.required_cn && f.required_intl),
                ty.to_owned(),
            )
        })
        .collect();
    assert_eq!(members, want);
}

/// The address codes in `index.d.ts`'s `ErrorCode` are the table's stems × the four problems.
#[test]
fn the_typescript_field_codes_are_the_field_table() {
    let dts = read("src/js/index.d.ts");
    let union = dts
        .split("export type ErrorCode =")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let template = union.split("`${").nth(1).unwrap();
    let (stems, problems) = template.split_once("}_${").unwrap();
    let names = |list: &str| -> Vec<String> {
        list.split('|')
            .map(|s| s.trim().trim_matches('\'').to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let want: Vec<String> = FIELDS.iter().map(|f| f.code.to_owned()).collect();
    assert_eq!(names(stems), want);
    let problems = problems.split('}').next().unwrap();
    let want: Vec<String> = FIELDS[0]
        .codes
        .iter()
        .map(|c| {
            c.strip_prefix(&format!("{}_", FIELDS[0].code))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names(problems), want);
}
