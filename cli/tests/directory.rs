//! `sealpost directory …` as the platform, a shop's check and a courier meet it: real
//! `sealpost` processes on real files, exact exit codes and error codes.
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

struct Hub {
    dir: PathBuf,
}

#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// The error code of `sealpost: error: CODE: …`.
    fn error_code(&self) -> &str {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("sealpost: error: "))
            .and_then(|l| l.split(':').next())
            .unwrap_or("")
    }
}

impl Hub {
    fn new(name: &str) -> Hub {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("directory")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let hub = Hub { dir };
        let out = hub.run_env(&["audit", "init"], &[], "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        hub
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Out {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
        cmd.current_dir(&self.dir)
            .args(args)
            .env("SEALPOST_AUDIT_LOG", "audit.log")
            .env("SEALPOST_OPERATOR", "alice")
            .env("SEALPOST_PASSPHRASE", PASS)
            .env_remove("SEALPOST_PLATFORM_KEY");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let out = child.wait_with_output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[], "")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    }

    /// `directory init` with a cheap KDF; returns the platform public key.
    fn init(&self, key: &str, draft: &str) -> String {
        let out = self.ok(&[
            "directory",
            "init",
            "-k",
            key,
            "-d",
            draft,
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ]);
        out.trim().to_owned()
    }

    fn keygen(&self, name: &str) -> String {
        let out = self.ok(&[
            "keygen",
            "-o",
            name,
            "--kdf-memory",
            "8192",
            "--kdf-passes",
            "1",
        ]);
        out.trim().to_owned()
    }

    fn sign(&self, out: &str) {
        self.ok(&[
            "directory",
            "sign",
            "-d",
            "draft.json",
            "-k",
            "platform.key",
            "--expires",
            "2099-12-31",
            "-o",
            out,
        ]);
    }

    fn seal(&self, pk: &str, order: &str) -> String {
        let out = self.run_env(&["seal", "--to", pk, "--order", order], &[], ADDRESS);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.trim().to_owned()
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    /// A platform with courier `sf` holding one key valid through 2030 and `zto` one valid
    /// from 2090; returns (platform key, sf public key).
    fn platform(&self) -> (String, String) {
        let spp = self.init("platform.key", "draft.json");
        let sf = self.keygen("sf.key");
        let zto = self.keygen("zto.key");
        self.ok(&[
            "directory",
            "add-courier",
            "-d",
            "draft.json",
            "--id",
            "sf",
            "--name-zh",
            "顺丰速运",
            "--name-en",
            "SF Express",
            "--logo",
            "https://example.com/sf.png",
        ]);
        self.ok(&[
            "directory",
            "add-courier",
            "-d",
            "draft.json",
            "--id",
            "zto",
            "--name-zh",
            "中通快递",
            "--name-en",
            "ZTO Express",
        ]);
        let id = self.ok(&[
            "directory",
            "add-key",
            "-d",
            "draft.json",
            "--courier",
            "sf",
            "--key",
            &sf,
            "--valid-from",
            "2026-01-01",
            "--valid-until",
            "2030-12-31",
        ]);
        assert_eq!(id.trim().len(), 16, "{id}");
        self.ok(&[
            "directory",
            "add-key",
            "-d",
            "draft.json",
            "--courier",
            "zto",
            "--key",
            &zto,
            "--valid-from",
            "2090-01-01",
            "--valid-until",
            "2098-12-31",
        ]);
        self.sign("dir1.txt");
        (spp, sf)
    }
}

#[test]
fn platform_signs_and_shop_verifies() {
    let hub = Hub::new("flow");
    let (spp, sf) = hub.platform();
    assert!(spp.starts_with("spp1"), "{spp}");
    assert_eq!(hub_mode(&hub.path("platform.key")), 0o600);
    assert!(hub
        .read("platform.key")
        .contains("SEALPOST-PROTECTED-PLATFORM-KEY-1 pk=spp1"));
    let text = hub.read("dir1.txt");
    assert!(text.starts_with("spdir1."), "{text}");
    let draft: Value = serde_json::from_str(&hub.read("draft.json")).unwrap();
    assert_eq!(draft["serial"], 1);
    // in 2027 only sf has a valid key
    let out = hub.ok(&[
        "directory",
        "verify",
        "--platform-key",
        &spp,
        "--at",
        "2027-06-01T00:00:00Z",
        "dir1.txt",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("sf ") && lines[0].ends_with(&sf),
        "{out}"
    );
    // in 2095 only zto
    let out = hub.ok(&[
        "directory",
        "verify",
        "--platform-key",
        &spp,
        "--at",
        "2095-06-01",
        "dir1.txt",
    ]);
    assert!(out.starts_with("zto "), "{out}");
    let shown: Value =
        serde_json::from_str(&hub.ok(&["directory", "show", "--platform-key", &spp, "dir1.txt"]))
            .unwrap();
    assert_eq!(shown["verified"], true);
    assert_eq!(shown["serial"], 1);
    assert_eq!(shown["couriers"][0]["id"], "sf");
    assert_eq!(shown["couriers"][0]["name"]["zh-CN"], "顺丰速运");
    assert_eq!(shown["couriers"][0]["logo"], "https://example.com/sf.png");
    assert_eq!(shown["couriers"][1]["keys"][0]["status"], "not_yet_valid");
    // the pinned key may come from the environment
    let out = hub.run_env(
        &["directory", "verify", "--at", "2027-06-01", "dir1.txt"],
        &[("SEALPOST_PLATFORM_KEY", &spp)],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    // and is required
    let out = hub.run(&["directory", "verify", "dir1.txt"]);
    assert_eq!((out.code, out.error_code()), (1, "invalid_platform_key"));
}

fn hub_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn bad_directories_are_refused_each_with_its_code() {
    let hub = Hub::new("refusals");
    let (spp, _) = hub.platform();
    let verify = |extra: &[&str], file: &str| {
        let mut args = vec!["directory", "verify", "--platform-key", spp.as_str()];
        args.extend(extra);
        args.push(file);
        hub.run(&args)
    };
    // signature tampering: one character of the signature changed
    let text = hub.read("dir1.txt");
    let text = text.trim();
    let last = text.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &text[..text.len() - 2],
        if text.as_bytes()[text.len() - 2] == b'A' {
            "B"
        } else {
            "A"
        }
    ) + &last.to_string();
    hub.write("forged.txt", &forged);
    let out = verify(&["--at", "2027-06-01"], "forged.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_signature_invalid"),
        "{}",
        out.stderr
    );
    // wrong signing key: a second platform signs the same draft
    let other = hub.init("other.key", "other.json");
    let out = verify(&["--at", "2027-06-01"], "dir1.txt");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = hub.run(&[
        "directory",
        "verify",
        "--platform-key",
        &other,
        "--at",
        "2027-06-01",
        "dir1.txt",
    ]);
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_wrong_key"),
        "{}",
        out.stderr
    );
    // and `sign` refuses a key file that is not the draft's platform key
    let out = hub.run(&[
        "directory",
        "sign",
        "-d",
        "draft.json",
        "-k",
        "other.key",
        "-o",
        "x.txt",
    ]);
    assert_eq!((out.code, out.error_code()), (1, "directory_wrong_key"));
    assert!(!hub.path("x.txt").exists());
    // expired: after 2030 sf's key has expired (zto's is not valid yet, so only sf counts)
    let out = verify(&["--at", "2033-06-01", "--courier", "sf"], "dir1.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_key_expired"),
        "{}",
        out.stderr
    );
    let out = verify(&["--at", "2025-06-01"], "dir1.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_key_not_yet_valid"),
        "{}",
        out.stderr
    );
    let out = verify(&["--at", "2027-06-01", "--courier", "ems"], "dir1.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "no_usable_courier"),
        "{}",
        out.stderr
    );
    // the directory itself expired (signed with --expires 2099-12-31)
    let out = verify(&["--at", "2100-01-01"], "dir1.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_expired"),
        "{}",
        out.stderr
    );
    // rollback: serial 2 seen, serial 1 presented again
    hub.sign("dir2.txt");
    let out = verify(&["--at", "2027-06-01", "--seen", "seen.txt"], "dir2.txt");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(hub.read("seen.txt"), format!("{spp} 2\n"));
    let out = verify(&["--at", "2027-06-01", "--seen", "seen.txt"], "dir1.txt");
    assert_eq!(
        (out.code, out.error_code()),
        (1, "directory_rollback"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("serial 1 is older than serial 2"),
        "{}",
        out.stderr
    );
    // not a directory at all
    hub.write("junk.txt", "spdir1.AAAA.BBBB\n");
    let out = verify(&[], "junk.txt");
    assert_eq!((out.code, out.error_code()), (1, "invalid_directory"));
}

#[test]
fn draft_edits_are_checked() {
    let hub = Hub::new("edits");
    hub.init("platform.key", "draft.json");
    let sf = hub.keygen("sf.key");
    let out = hub.run(&[
        "directory",
        "add-key",
        "-d",
        "draft.json",
        "--courier",
        "sf",
        "--key",
        &sf,
        "--valid-until",
        "2030-01-01",
    ]);
    assert_eq!((out.code, out.error_code()), (1, "unknown_courier"));
    let out = hub.run(&[
        "directory",
        "add-courier",
        "-d",
        "draft.json",
        "--id",
        "SF Express",
        "--name-zh",
        "顺丰",
        "--name-en",
        "SF",
    ]);
    assert_eq!((out.code, out.error_code()), (1, "invalid_directory"));
    let out = hub.run(&["directory", "revoke-key", "-d", "draft.json", &sf]);
    assert_eq!((out.code, out.error_code()), (1, "unknown_key"));
    // init never replaces an existing key or draft
    let out = hub.run(&[
        "directory",
        "init",
        "-k",
        "platform2.key",
        "-d",
        "draft.json",
    ]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    // a wrong passphrase does not sign; the draft's serial stays
    let out = hub.run_env(
        &[
            "directory",
            "sign",
            "-d",
            "draft.json",
            "-k",
            "platform.key",
        ],
        &[("SEALPOST_PASSPHRASE", "not the passphrase at all")],
        "",
    );
    assert_eq!((out.code, out.error_code()), (6, "wrong_passphrase"));
    let draft: Value = serde_json::from_str(&hub.read("draft.json")).unwrap();
    assert_eq!(draft["serial"], 0);
}

#[test]
fn key_rotation_end_to_end() {
    let hub = Hub::new("rotation");
    let (spp, old) = hub.platform();
    // issue 1: the shop seals to sf's old key
    let keys = hub.ok(&[
        "directory",
        "verify",
        "--platform-key",
        &spp,
        "--courier",
        "sf",
        "--at",
        "2027-06-01",
        "dir1.txt",
    ]);
    let to = keys.split_whitespace().nth(2).unwrap();
    assert_eq!(to, old);
    let before = hub.seal(to, "ORD-1");
    hub.write("before.txt", &before);
    // rotation: new key from now on, old key revoked, issue 2
    let new = hub.keygen("sf-2027.key");
    hub.ok(&[
        "directory",
        "add-key",
        "-d",
        "draft.json",
        "--courier",
        "sf",
        "--key",
        &new,
        "--valid-from",
        "2026-01-01",
        "--valid-until",
        "2099-12-31",
    ]);
    let out = hub.run(&["directory", "revoke-key", "-d", "draft.json", &old]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    hub.sign("dir2.txt");
    let keys = hub.ok(&[
        "directory",
        "verify",
        "--platform-key",
        &spp,
        "--courier",
        "sf",
        "--at",
        "2027-06-01",
        "dir2.txt",
    ]);
    let to = keys.split_whitespace().nth(2).unwrap();
    assert_eq!(to, new);
    let after = hub.seal(to, "ORD-2");
    hub.write("after.txt", &after);
    // old envelopes still open with the old identity, new ones with the new identity only
    let out = hub.run(&["open", "-i", "sf.key", "--order", "ORD-1", "before.txt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("文三路 90 号"));
    let out = hub.run(&["open", "-i", "sf.key", "after.txt"]);
    assert_eq!((out.code, out.error_code()), (3, "not_a_recipient"));
    let out = hub.run(&[
        "open",
        "-i",
        "sf.key",
        "-i",
        "sf-2027.key",
        "--order",
        "ORD-2",
        "after.txt",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // the courier's check: the old envelope went to a key issue 2 no longer lists
    let check = |env: &str, strict: bool| {
        let mut args = vec![
            "directory",
            "check-envelope",
            "--platform-key",
            spp.as_str(),
            "--directory",
            "dir2.txt",
            env,
        ];
        if strict {
            args.push("--strict");
        }
        hub.run(&args)
    };
    let out = check("before.txt", false);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.trim().ends_with("not_listed"), "{}", out.stdout);
    assert!(
        out.stderr.contains("no longer") && out.stderr.contains("ORD-1"),
        "{}",
        out.stderr
    );
    let out = check("before.txt", true);
    assert_eq!((out.code, out.error_code()), (1, "key_not_listed"));
    let out = check("after.txt", true);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains(" listed sf valid"), "{}", out.stdout);
    assert_eq!(out.stderr, "");
}
