//! The `sealpost` binary as a hub operator runs it: real processes, real files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

use serde_json::Value;

/// The binary with a test audit log and operator, and no passphrase from the caller's
/// environment.
fn bin() -> Command {
    static INIT: std::sync::Once = std::sync::Once::new();
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests-audit.log");
    INIT.call_once(|| {
        // a fresh log for this run (tests in this file share it)
        let _ = std::fs::remove_file(&log);
        let _ = std::fs::remove_file(log.with_extension("log.head"));
        let out = Command::new(env!("CARGO_BIN_EXE_sealpost"))
            .args(["audit", "init", "--audit-log"])
            .arg(&log)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
    cmd.env("SEALPOST_AUDIT_LOG", &log)
        .env("SEALPOST_OPERATOR", "cli-tests")
        .env_remove("SEALPOST_PASSPHRASE");
    cmd
}

/// Writes a vector's identity the way keygen would: mode 0600.
fn write_identity(path: &Path, text: &str) {
    let _ = std::fs::remove_file(path);
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // a process that fails early (bad identity, …) may exit before reading its stdin
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh scratch directory under the target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const ADDRESS: &str = r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
  "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],"postalCode":"310012"}"#;

fn keygen(dir: &Path, name: &str) -> (String, String) {
    let path = dir.join(name);
    let out = run(
        &["keygen", "--unencrypted", "-o", path.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    (
        path.to_str().unwrap().to_owned(),
        text(&out.stdout).trim().to_owned(),
    )
}

fn error_code(out: &Output) -> String {
    let err = text(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("sealpost: error: "))
        .unwrap_or_else(|| panic!("no error line in {err:?}"));
    line["sealpost: error: ".len()..]
        .split(':')
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn keygen_seal_open_round_trip_and_each_failure_has_its_code() {
    let dir = scratch("round_trip");
    let (key, pk) = keygen(&dir, "courier.key");
    assert!(pk.starts_with("sp1"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // pubkey -i gives the same key
    assert_eq!(text(&run(&["pubkey", "-i", &key], "").stdout).trim(), pk);
    // keygen never overwrites
    let again = run(&["keygen", "--unencrypted", "-o", &key], "");
    assert_eq!(again.status.code(), Some(5));
    assert_eq!(error_code(&again), "cannot_write_identity");

    let sealed = run(
        &[
            "seal",
            "--to",
            &pk,
            "--order",
            "ORD-7",
            "--disclose",
            "region",
        ],
        ADDRESS,
    );
    assert!(sealed.status.success(), "{}", text(&sealed.stderr));
    let envelope = text(&sealed.stdout).trim().to_owned();
    assert!(envelope.starts_with("spe1."));
    assert!(!envelope.contains("13812345678"));

    let opened = run(&["open", "-i", &key, "--order", "ORD-7"], &envelope);
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let got: Value = serde_json::from_slice(&opened.stdout).unwrap();
    // the opened address has every key of the field table (SPEC.md §3.4), with the division
    // code seal filled in from the built-in address data
    let mut want =
        serde_json::to_value(serde_json::from_str::<sealpost::Address>(ADDRESS).unwrap()).unwrap();
    want["divisionCode"] = "330106".into();
    assert_eq!(got, want);

    // a swapped order reference
    let wrong_order = run(&["open", "-i", &key, "--order", "ORD-8"], &envelope);
    assert_eq!(
        (wrong_order.status.code(), error_code(&wrong_order).as_str()),
        (Some(4), "order_mismatch")
    );
    // a wrong key
    let (other, _) = keygen(&dir, "other.key");
    let wrong_key = run(&["open", "-i", &other], &envelope);
    assert_eq!(
        (wrong_key.status.code(), error_code(&wrong_key).as_str()),
        (Some(3), "not_a_recipient")
    );
    // key rotation: the right identity among several is found
    let rotated = run(&["open", "-i", &other, "-i", &key], &envelope);
    assert!(rotated.status.success());
    // a truncated envelope
    let cut = run(&["open", "-i", &key], &envelope[..envelope.len() / 2]);
    assert_eq!(
        (cut.status.code(), error_code(&cut).as_str()),
        (Some(1), "truncated")
    );
    // a flipped byte in the last ciphertext
    let mut bytes = envelope.clone().into_bytes();
    let at = bytes.len() - 10;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    let flipped = run(&["open", "-i", &key], &String::from_utf8(bytes).unwrap());
    assert_eq!(
        (flipped.status.code(), error_code(&flipped).as_str()),
        (Some(3), "open_failed")
    );
    // no error message ever contains the address
    for out in [&wrong_order, &wrong_key, &cut, &flipped] {
        let err = text(&out.stderr);
        assert!(
            !err.contains("张三") && !err.contains("13812345678"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn inspect_shows_only_public_fields_and_exact_hpke_inputs() {
    let v = vector("02-intl-two-recipients-region.json");
    let out = run(&["inspect"], v["envelope"].as_str().unwrap());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let view: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["orderRef"], "ORD-20261126-0002");
    assert_eq!(view["disclosed"]["country"], "DE");
    assert_eq!(view["disclosed"]["addressLevel1"], "Berlin");
    assert_eq!(view["recipients"].as_array().unwrap().len(), 2);
    let info = view["recipients"][0]["info"].as_str().unwrap();
    use base64::Engine;
    let info = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(info)
        .unwrap();
    assert!(info.starts_with(b"sealpost-v1 recipient"));
    assert_eq!(info.len(), "sealpost-v1 recipient".len() + 8);
    let all = text(&out.stdout);
    assert!(!all.contains("Mustermann") && !all.contains("Heidestra"));
}

fn vector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/envelope")
}

fn vector(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(vector_dir().join(name)).unwrap()).unwrap()
}

#[test]
fn cli_opens_every_committed_vector_as_expected() {
    let dir = scratch("vectors");
    let mut names: Vec<_> = std::fs::read_dir(vector_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 15);
    for path in names {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let key = dir.join("id.key");
        write_identity(&key, v["identity"].as_str().unwrap());
        let envelope_file = dir.join("envelope.txt");
        std::fs::write(&envelope_file, v["envelope"].as_str().unwrap()).unwrap();
        let mut args = vec!["open", "-i", key.to_str().unwrap()];
        if let Some(order) = v["expectedOrder"].as_str() {
            args.extend(["--order", order]);
        }
        args.push(envelope_file.to_str().unwrap());
        let out = run(&args, "");
        let name = path.file_name().unwrap().to_string_lossy();
        match v["expect"]["error"].as_str() {
            None => {
                assert!(out.status.success(), "{name}: {}", text(&out.stderr));
                let got: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(got, v["expect"]["address"], "{name}");
            }
            Some(code) => {
                assert!(!out.status.success(), "{name} opened");
                assert_eq!(error_code(&out), code, "{name}");
            }
        }
    }
}

#[test]
fn pubkey_from_hex_export_raw_and_bad_keys() {
    let v = vector("01-cn-one-recipient.json");
    let dir = scratch("export");
    let key = dir.join("id.key");
    write_identity(&key, v["identity"].as_str().unwrap());
    let raw = run(&["identity", "export-raw", "-i", key.to_str().unwrap()], "");
    assert!(raw.status.success());
    assert_eq!(
        text(&raw.stdout).trim(),
        v["identityRawHex"][0].as_str().unwrap()
    );
    assert!(text(&raw.stderr).contains("warning"));

    // the X25519 public key of the raw private key, through --from-hex, is the vector's key
    let inspect = run(&["inspect"], v["envelope"].as_str().unwrap());
    assert!(inspect.status.success());
    let pk = v["sealedTo"][0].as_str().unwrap();
    let out = run(&["pubkey", "-i", key.to_str().unwrap()], "");
    assert_eq!(text(&out.stdout).trim(), pk);

    let zero = run(&["pubkey", "--from-hex", &"00".repeat(32)], "");
    assert_eq!(
        (zero.status.code(), error_code(&zero).as_str()),
        (Some(1), "invalid_public_key")
    );
    let typo = run(
        &["seal", "--to", &pk.replacen('q', "p", 1), "--order", "O"],
        ADDRESS,
    );
    assert_eq!(error_code(&typo), "invalid_public_key");
    let bad_address = run(
        &["seal", "--to", pk, "--order", "O"],
        r#"{"name":"x","fax":"1"}"#,
    );
    assert_eq!(error_code(&bad_address), "invalid_address");
    assert!(
        text(&bad_address.stderr).contains("deliveryNote, divisionCode (filled in when empty)"),
        "{}",
        text(&bad_address.stderr)
    );
    let no_phone = run(&["seal", "--to", pk, "--order", "O"], r#"{"name":"x"}"#);
    assert_eq!(error_code(&no_phone), "phone_missing");
    let bad_phone = run(
        &["seal", "--to", pk, "--order", "O"],
        &ADDRESS.replace("13812345678", "999"),
    );
    assert_eq!(error_code(&bad_phone), "phone_invalid");
    let garbage_identity = dir.join("garbage.key");
    write_identity(&garbage_identity, "hello\n");
    let out = run(
        &["open", "-i", garbage_identity.to_str().unwrap()],
        v["envelope"].as_str().unwrap(),
    );
    assert_eq!(
        (out.status.code(), error_code(&out).as_str()),
        (Some(1), "invalid_identity")
    );
}

const US: &str = r#"{"name":"Jane Roe","phone":"+1 650 253 0000","country":"US","addressLevel1":"california",
  "addressLevel2":"Mountain View","streetLines":["1600 Amphitheatre Pkwy"],"postalCode":"94043"}"#;

#[test]
fn seal_checks_and_canonicalises_with_the_built_in_address_data() {
    let dir = scratch("address_data");
    let (key, pk) = keygen(&dir, "courier.key");
    let seal = |address: &str| run(&["seal", "--to", &pk, "--order", "ORD-D"], address);
    let open = |out: &Output| -> Value {
        assert!(out.status.success(), "{}", text(&out.stderr));
        let opened = run(
            &["open", "-i", &key, "--order", "ORD-D"],
            &text(&out.stdout),
        );
        assert!(opened.status.success(), "{}", text(&opened.stderr));
        serde_json::from_slice(&opened.stdout).unwrap()
    };
    // short names, as a buyer or autofill types them: sealed as the data's names, with the
    // district's code
    let short = ADDRESS.replace("浙江省", "浙江").replace("杭州市", "杭州");
    let got = open(&seal(&short));
    let levels = |v: &Value| {
        [
            "addressLevel1",
            "addressLevel2",
            "addressLevel3",
            "divisionCode",
        ]
        .map(|k| v[k].as_str().unwrap().to_owned())
    };
    assert_eq!(levels(&got), ["浙江省", "杭州市", "西湖区", "330106"]);
    // a US state by name: its key and ISO 3166-2 code
    let got = open(&seal(US));
    assert_eq!(levels(&got), ["CA", "Mountain View", "", "US-CA"]);
    // a British postcode in capitals
    let gb = r#"{"name":"A B","phone":"+44 20 7946 0000","country":"GB","addressLevel2":"London",
      "streetLines":["10 Downing St"],"postalCode":"sw1a 2aa"}"#;
    assert_eq!(open(&seal(gb))["postalCode"], "SW1A 2AA");

    let de = r#"{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE",
      "addressLevel2":"Berlin","streetLines":["Unter den Linden 5"]}"#;
    let refused = [
        (
            ADDRESS.replace("西湖区", "朝阳区"),
            "address_level3_invalid: invalid address: addressLevel3 is not a district or county of 杭州市",
        ),
        (
            ADDRESS.replace("杭州市", "上海市"),
            "address_level2_invalid: invalid address: addressLevel2 is not a city of 浙江省",
        ),
        (
            de.to_owned(),
            "postal_code_missing: invalid address: postalCode is required in DE (example: 26133)",
        ),
        (
            US.replace("94043", "9404"),
            "postal_code_invalid: invalid address: postalCode does not have the form of US postal codes (example: 95014)",
        ),
        (
            US.replace("california", "Ontario"),
            "address_level1_invalid: invalid address: addressLevel1 is not a state of US (give its name or code, such as AL)",
        ),
        (
            ADDRESS.replace("\"postalCode\"", "\"divisionCode\":\"330105\",\"postalCode\""),
            "division_code_invalid: invalid address: divisionCode does not match the address",
        ),
        (
            US.replace("\"postalCode\"", "\"divisionCode\":\"US-NY\",\"postalCode\""),
            "division_code_invalid: invalid address: divisionCode does not match the address",
        ),
    ];
    for (address, want) in refused {
        let out = seal(&address);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.starts_with(&format!("sealpost: error: {want}")),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{want}: something was sealed");
        for personal in [
            "张三",
            "13812345678",
            "文三路",
            "朝阳",
            "Jane",
            "Anna",
            "Amphitheatre",
            "Unter den",
            "Ontario",
            "9404 ",
            "330105",
            "US-NY",
        ] {
            assert!(!err.contains(personal), "{err}");
        }
    }
}

#[test]
fn a_version_1_record_opens_with_an_empty_division_code() {
    let v = vector("57-s3.4-record-version-1.json");
    let dir = scratch("record_v1");
    let key = dir.join("id.key");
    write_identity(&key, v["identity"].as_str().unwrap());
    let key = key.to_str().unwrap();
    let envelope = v["envelope"].as_str().unwrap();
    let out = run(&["open", "-i", key], envelope);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(got["divisionCode"], "");
    assert_eq!(got["addressLevel3"], "西湖区");
    // and in a batch's CSV, the divisionCode column is there, empty
    let inspect: Value = serde_json::from_slice(&run(&["inspect"], envelope).stdout).unwrap();
    let order = inspect["orderRef"].as_str().unwrap();
    let manifest = dir.join("m.ndjson");
    std::fs::write(
        &manifest,
        format!("{{\"orderRef\":\"{order}\",\"envelope\":\"{envelope}\"}}\n"),
    )
    .unwrap();
    let csv = dir.join("out.csv");
    let out = run(
        &[
            "open",
            "--batch",
            "-i",
            key,
            "-o",
            csv.to_str().unwrap(),
            manifest.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(csv).unwrap();
    let mut rows = csv.lines();
    assert!(
        rows.next()
            .unwrap()
            .ends_with(",\"deliveryNote\",\"divisionCode\""),
        "{csv}"
    );
    assert!(
        rows.next().unwrap().ends_with(",\"310012\",\"\",\"\",\"\""),
        "{csv}"
    );
}

#[test]
fn version_names_the_built_in_address_data() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/data/manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let out = run(&["--version"], "");
    assert!(out.status.success());
    let version = text(&out.stdout);
    let retrieved = manifest["retrieved"].as_str().unwrap();
    assert!(
        version.contains(&format!("(address data retrieved {retrieved}: ")),
        "{version}"
    );
    for source in manifest["sources"].as_array().unwrap() {
        let named = format!(
            "{} {}",
            source["package"].as_str().unwrap(),
            source["version"].as_str().unwrap()
        );
        assert!(version.contains(&named), "{named} not in {version}");
    }
}
