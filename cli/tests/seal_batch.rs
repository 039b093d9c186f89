//! `sealpost seal --batch` as a platform or a hub runs it: real `sealpost` processes on real
//! files, its output opened by `open --batch`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::{json, Value};

struct Hub {
    dir: PathBuf,
}

#[derive(Debug)]
struct Out {
    code: i32,
    stderr: String,
}

impl Hub {
    fn new(name: &str) -> Hub {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("seal-batch")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub { dir };
        assert_eq!(hub.run(&["audit", "init"]).code, 0);
        hub
    }

    fn run(&self, args: &[&str]) -> Out {
        let out = Command::new(env!("CARGO_BIN_EXE_sealpost"))
            .current_dir(&self.dir)
            .args(args)
            .env("SEALPOST_AUDIT_LOG", "audit.log")
            .env("SEALPOST_OPERATOR", "alice")
            .env_remove("SEALPOST_PASSPHRASE")
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A plain identity (`key.key`); its public key.
    fn keygen(&self) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_sealpost"))
            .current_dir(&self.dir)
            .args(["keygen", "-o", "key.key", "--unencrypted"])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap()
    }

    fn ndjson(&self, name: &str) -> Vec<Value> {
        self.read(name)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// `open --batch` of `input` into `output`; asserts it opened everything.
    fn open_all(&self, input: &str, output: &str) {
        let out = self.run(&[
            "open", "--batch", "-q", "-i", "key.key", "-o", output, input,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
}

/// Address `n` as typed (short names, lower case), and what it is sealed as.
fn address(n: usize) -> (Value, Value) {
    let street = format!("Street {n}");
    match n % 4 {
        0 => (
            json!({"name": format!("张三{n}"), "phone": "13812345678", "country": "CN",
                "addressLevel1": "浙江", "addressLevel2": "杭州", "addressLevel3": "西湖区",
                "streetLines": [street], "postalCode": "310012"}),
            json!({"addressLevel1": "浙江省", "addressLevel2": "杭州市",
                "addressLevel3": "西湖区", "divisionCode": "330106", "postalCode": "310012"}),
        ),
        1 => (
            json!({"name": format!("Jane Roe {n}"), "phone": "+1 650 253 0000", "country": "US",
                "addressLevel1": "california", "addressLevel2": "Mountain View",
                "streetLines": [street], "postalCode": "94043"}),
            json!({"addressLevel1": "CA", "addressLevel2": "Mountain View",
                "addressLevel3": "", "divisionCode": "US-CA", "postalCode": "94043"}),
        ),
        2 => (
            json!({"name": format!("A B {n}"), "phone": "+44 20 7946 0000", "country": "GB",
                "addressLevel2": "London", "streetLines": [street], "postalCode": "sw1a 2aa"}),
            json!({"addressLevel1": "", "addressLevel2": "London", "addressLevel3": "",
                "divisionCode": "", "postalCode": "SW1A 2AA"}),
        ),
        _ => (
            json!({"name": format!("Max Muster {n}"), "phone": "+49 30 1234567",
                "country": "DE", "addressLevel2": "Berlin", "streetLines": [street],
                "postalCode": "10117", "company": "  Acme  "}),
            json!({"addressLevel1": "", "addressLevel2": "Berlin", "addressLevel3": "",
                "divisionCode": "", "postalCode": "10117", "company": "Acme"}),
        ),
    }
}

/// The opened `address` of record `n` is the canonical form of `address(n)`.
fn assert_canonical(n: usize, opened: &Value) {
    let (typed, canonical) = address(n);
    assert_eq!(opened["name"], typed["name"], "record {n}");
    assert_eq!(opened["phone"], typed["phone"], "record {n}");
    assert_eq!(opened["streetLines"], typed["streetLines"], "record {n}");
    for (k, v) in canonical.as_object().unwrap() {
        assert_eq!(&opened[k], v, "record {n}: {k}");
    }
}

fn manifest(records: usize) -> String {
    (0..records)
        .map(|n| {
            let mut object = address(n).0;
            object["orderRef"] = json!(format!("ORD-{n:05}"));
            format!("{object}\n")
        })
        .collect()
}

#[test]
fn a_thousand_addresses_seal_and_open_back_canonical_in_order() {
    let hub = Hub::new("round-trip");
    let pk = hub.keygen();
    hub.write("addresses.ndjson", &manifest(1000));
    let out = hub.run(&[
        "seal",
        "--batch",
        "--to",
        &pk,
        "--disclose",
        "country",
        "-o",
        "envelopes.ndjson",
        "addresses.ndjson",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("read 1000 records from addresses.ndjson: 1000 sealed, 0 rejected"),
        "{}",
        out.stderr
    );
    assert_eq!(hub.read("envelopes.ndjson.rejects.ndjson"), "");
    let sealed = hub.ndjson("envelopes.ndjson");
    assert_eq!(sealed.len(), 1000);
    for (n, record) in sealed.iter().enumerate() {
        // exactly what open --batch reads: the order and the envelope, no address in clear
        let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["envelope", "orderRef"], "record {n}");
        assert_eq!(record["orderRef"], format!("ORD-{n:05}"));
        assert!(!record.to_string().contains("Street"), "record {n}");
    }
    hub.open_all("envelopes.ndjson", "opened.ndjson");
    let opened = hub.ndjson("opened.ndjson");
    assert_eq!(opened.len(), 1000);
    for (n, record) in opened.iter().enumerate() {
        assert_eq!(record["orderRef"], format!("ORD-{n:05}"));
        assert_canonical(n, &record["address"]);
    }
}

#[test]
fn bad_lines_are_rejected_with_their_line_and_field_code() {
    let hub = Hub::new("rejects");
    let pk = hub.keygen();
    let good = |n: usize| {
        let mut o = address(n).0;
        o["orderRef"] = json!(format!("ORD-{n}"));
        o
    };
    let mut bad_province = good(0);
    bad_province["addressLevel1"] = json!("火星");
    let mut bad_zip = good(1);
    bad_zip["postalCode"] = json!("9404");
    let mut no_order = good(2);
    no_order.as_object_mut().unwrap().remove("orderRef");
    let mut bad_order = good(3);
    bad_order["orderRef"] = json!("ORD 7");
    let mut misspelt = good(2);
    misspelt["postcode"] = json!("SW1A 2AA");
    let mut no_phone = good(3);
    no_phone["phone"] = json!("");
    let lines = [
        good(0).to_string(),                                                // 1
        bad_province.to_string(),                                           // 2
        String::new(),                                                      // 3
        good(1).to_string(),                                                // 4
        bad_zip.to_string(),                                                // 5
        "{not json".to_owned(),                                             // 6
        no_order.to_string(),                                               // 7
        bad_order.to_string(),                                              // 8
        misspelt.to_string(),                                               // 9
        no_phone.to_string(),                                               // 10
        json!({"orderRef": "ORD-11", "address": address(3).0}).to_string(), // 11
    ];
    hub.write("mixed.ndjson", &(lines.join("\n") + "\n"));
    let out = hub.run(&[
        "seal",
        "--batch",
        "--to",
        &pk,
        "-o",
        "out.ndjson",
        "mixed.ndjson",
    ]);
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("read 11 records from mixed.ndjson: 3 sealed, 8 rejected"),
        "{}",
        out.stderr
    );
    assert!(out
        .stderr
        .contains("error: records_rejected: 8 of 11 records could not be sealed"));
    let rejects: Vec<(u64, String)> = hub
        .ndjson("out.ndjson.rejects.ndjson")
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        (2, "address_level1_invalid"),
        (3, "malformed_record"),
        (5, "postal_code_invalid"),
        (6, "malformed_record"),
        (7, "missing_order"),
        (8, "invalid_order_ref"),
        (9, "invalid_address"),
        (10, "phone_missing"),
    ];
    assert_eq!(rejects, expected.map(|(l, c)| (l, c.to_owned())).to_vec());
    // messages name fields and the data's terms, never what was typed
    let text = hub.read("out.ndjson.rejects.ndjson");
    for personal in ["张三", "火星", "Jane", "Street", "9404", "SW1A"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    assert!(text.contains("postcode"), "{text}");
    let sealed = hub.ndjson("out.ndjson");
    let orders: Vec<&str> = sealed
        .iter()
        .map(|r| r["orderRef"].as_str().unwrap())
        .collect();
    assert_eq!(orders, ["ORD-0", "ORD-1", "ORD-11"]);
    hub.open_all("out.ndjson", "opened.ndjson");
    let opened = hub.ndjson("opened.ndjson");
    assert_canonical(0, &opened[0]["address"]);
    assert_canonical(1, &opened[1]["address"]);
    assert_canonical(3, &opened[2]["address"]);
    // open --batch's output is a manifest seal --batch reads (re-sealing to new keys)
    let out = hub.run(&[
        "seal",
        "--batch",
        "--to",
        &pk,
        "-o",
        "again.ndjson",
        "opened.ndjson",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    hub.open_all("again.ndjson", "again-opened.ndjson");
    assert_eq!(hub.read("again-opened.ndjson"), hub.read("opened.ndjson"));
}

#[test]
fn csv_in_csv_out_passes_columns_through_and_feeds_open_batch() {
    let hub = Hub::new("csv");
    let pk = hub.keygen();
    let mut csv = String::from(
        "sku,orderRef,name,phone,country,addressLevel1,addressLevel2,addressLevel3,streetLine1,streetLine2,postalCode\n",
    );
    for n in 0..20 {
        let (a, _) = address(n);
        let cell = |k: &str| a[k].as_str().unwrap_or("").to_owned();
        let zip = if n == 7 {
            "ABC".to_owned()
        } else {
            cell("postalCode")
        };
        csv.push_str(&format!(
            "A-{n},ORD-{n},\"{}\",{},{},{},{},{},\"{}\",\"=cmd\",{zip}\n",
            cell("name"),
            cell("phone"),
            cell("country"),
            cell("addressLevel1"),
            cell("addressLevel2"),
            cell("addressLevel3"),
            a["streetLines"][0].as_str().unwrap(),
        ));
        if n == 12 {
            csv.push_str("A-x,ORD-x,too,few\n");
        }
    }
    hub.write("addresses.csv", &csv);
    let out = hub.run(&[
        "seal",
        "--batch",
        "--to",
        &pk,
        "-o",
        "envelopes.csv",
        "addresses.csv",
    ]);
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("columns copied to the output in clear: sku"),
        "{}",
        out.stderr
    );
    let rejects = hub.read("envelopes.csv.rejects.ndjson");
    let rejects: Vec<Value> = rejects
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(
        (rejects[0]["line"].as_u64(), rejects[0]["code"].as_str()),
        (Some(9), Some("postal_code_invalid"))
    );
    assert_eq!(
        (rejects[1]["line"].as_u64(), rejects[1]["code"].as_str()),
        (Some(15), Some("malformed_record"))
    );
    let text = hub.read("envelopes.csv");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(r#""sku","orderRef","envelope""#));
    assert!(
        !text.contains("Street") && !text.contains("=cmd"),
        "address in clear"
    );
    assert_eq!(lines.count(), 19);
    hub.open_all("envelopes.csv", "opened.csv");
    let opened = hub.read("opened.csv");
    let mut reader = csv_rows(&opened);
    let header = reader.remove(0);
    assert_eq!(&header[..3], ["sku", "orderRef", "name"]);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let numbers: Vec<usize> = (0..20).filter(|n| *n != 7).collect();
    assert_eq!(reader.len(), numbers.len());
    for (row, n) in reader.iter().zip(numbers) {
        assert_eq!(row[at("sku")], format!("A-{n}"));
        assert_eq!(row[at("orderRef")], format!("ORD-{n}"));
        // the street's second line was a formula cell: sealed as typed, guarded when written
        assert_eq!(row[at("streetLine2")], "'=cmd");
        let canonical = address(n).1;
        assert_eq!(
            row[at("postalCode")],
            canonical["postalCode"].as_str().unwrap()
        );
        assert_eq!(
            row[at("divisionCode")],
            canonical["divisionCode"].as_str().unwrap()
        );
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    // every cell of sealpost's CSV output is quoted, and these hold no quotes or commas
    text.lines()
        .map(|l| {
            l.strip_prefix('"')
                .and_then(|l| l.strip_suffix('"'))
                .unwrap()
                .split("\",\"")
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn one_and_two_threads_give_the_same_manifest_but_for_the_randomness() {
    let hub = Hub::new("threads");
    let pk = hub.keygen();
    // over two chunks of 1024, with a reject in each
    let mut text = manifest(2100);
    text = text.replacen("\"ORD-00500\"", "\"ORD 500\"", 1);
    text = text.replacen("\"ORD-01700\"", "\"\"", 1);
    hub.write("m.ndjson", &text);
    for j in ["1", "2"] {
        let out = hub.run(&[
            "seal",
            "--batch",
            "-q",
            "--to",
            &pk,
            "-j",
            j,
            "-o",
            &format!("j{j}.ndjson"),
            "m.ndjson",
        ]);
        assert_eq!(out.code, 7, "{}", out.stderr);
    }
    assert_eq!(
        hub.read("j1.ndjson.rejects.ndjson"),
        hub.read("j2.ndjson.rejects.ndjson")
    );
    assert!(hub
        .read("j1.ndjson.rejects.ndjson")
        .contains("\"line\":501,"));
    let (one, two) = (hub.ndjson("j1.ndjson"), hub.ndjson("j2.ndjson"));
    assert_eq!(one.len(), 2098);
    assert_eq!(one.len(), two.len());
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a["orderRef"], b["orderRef"]);
        assert_ne!(a["envelope"], b["envelope"], "fresh ephemeral keys");
    }
    hub.open_all("j1.ndjson", "o1.ndjson");
    hub.open_all("j2.ndjson", "o2.ndjson");
    assert_eq!(hub.read("o1.ndjson"), hub.read("o2.ndjson"));
    let opened = hub.ndjson("o1.ndjson");
    assert_canonical(2099, &opened[2097]["address"]);
}

#[test]
fn manifest_problems_are_one_error_before_anything_is_sealed() {
    let hub = Hub::new("errors");
    let pk = hub.keygen();
    hub.write(
        "no-name.csv",
        "orderRef,phone,country\nORD-1,13812345678,CN\n",
    );
    let out = hub.run(&["seal", "--batch", "--to", &pk, "-o", "o.csv", "no-name.csv"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("missing_column: no-name.csv: the header has no \"name\" column"),
        "{}",
        out.stderr
    );
    hub.write("no-order.csv", "name,phone,country\nx,13812345678,CN\n");
    let out = hub.run(&[
        "seal",
        "--batch",
        "--to",
        &pk,
        "-o",
        "o.csv",
        "no-order.csv",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the header has no \"orderRef\" column"),
        "{}",
        out.stderr
    );
    hub.write("m.ndjson", "{\"order\":\"A\"}\n{\"order\":\"B\"}\n");
    let out = hub.run(&["seal", "--batch", "--to", &pk, "-o", "o.ndjson", "m.ndjson"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("missing_field"), "{}", out.stderr);
    let out = hub.run(&[
        "seal", "--batch", "--to", &pk, "--to", &pk, "-o", "o.ndjson", "m.ndjson",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the same courier key is given twice"),
        "{}",
        out.stderr
    );
    let out = hub.run(&["seal", "--batch", "--to", &pk, "m.ndjson"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = hub.run(&["seal", "--to", &pk, "m.ndjson"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    hub.write("o.ndjson", "");
    let out = hub.run(&["seal", "--batch", "--to", &pk, "-o", "o.ndjson", "m.ndjson"]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.contains("output_exists"), "{}", out.stderr);
    for name in ["o.csv", "o.csv.rejects.ndjson", "o.ndjson.rejects.ndjson"] {
        assert!(!hub.dir.join(name).exists(), "{name}");
    }
}
