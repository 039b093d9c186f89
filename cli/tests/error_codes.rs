//! The error codes as documented against the code that produces them: the CLI's table
//! (`cli/src/error.rs`) against `cli/README.md`, the core's `CODES` (`src/error.rs`) against
//! SPEC.md §5 and §9.5 and `src/js/index.d.ts`, and a few real failures of the binary against
//! the README's exit codes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::{Command, Stdio},
};

#[allow(dead_code)]
#[path = "../src/error.rs"]
mod error;

use error::Code;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of the section that starts with the heading `heading` (up to the next heading of
/// the same or a higher level).
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = text.lines().skip_while(|l| l.trim() != heading);
    assert!(lines.next().is_some(), "no heading {heading:?}");
    lines
        .take_while(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !l[hashes..].starts_with(' ')
        })
        .collect()
}

/// The cells of the table rows of `lines` (header and separator rows left out).
fn table_rows<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    lines
        .iter()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells[0] != "code" && !cells[0].starts_with("---"))
        .collect()
}

/// The words between backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn is_code(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// `| \`code\` | exit | when |` of cli/README.md's "Error codes" table.
fn readme_codes() -> BTreeMap<String, u8> {
    let readme = read("README.md");
    let mut codes = BTreeMap::new();
    for row in table_rows(&section(&readme, "### Error codes")) {
        let code = row[0].trim_matches('`').to_owned();
        let exit: u8 = row[1]
            .parse()
            .unwrap_or_else(|_| panic!("exit of {code}: {}", row[1]));
        assert!(
            codes.insert(code.clone(), exit).is_none(),
            "{code} is listed twice"
        );
    }
    codes
}

/// `exit → meaning` of cli/README.md's "Exit codes" table.
fn readme_exits() -> BTreeMap<u8, String> {
    let readme = read("README.md");
    table_rows(&section(&readme, "## Exit codes"))
        .into_iter()
        .filter_map(|row| Some((row[0].parse().ok()?, row[1].to_owned())))
        .collect()
}

#[test]
fn readme_lists_every_cli_code_with_its_exit() {
    let documented = readme_codes();
    let table: BTreeMap<String, u8> = Code::ALL
        .iter()
        .map(|c| (c.as_str().to_owned(), c.exit()))
        .collect();
    assert_eq!(
        table.len(),
        Code::ALL.len(),
        "a code string is in the table twice"
    );
    let missing: Vec<_> = table
        .keys()
        .filter(|c| !documented.contains_key(*c))
        .collect();
    let unknown: Vec<_> = documented
        .keys()
        .filter(|c| !table.contains_key(*c))
        .collect();
    assert!(missing.is_empty(), "not in cli/README.md: {missing:?}");
    assert!(
        unknown.is_empty(),
        "in cli/README.md but not in error.rs: {unknown:?}"
    );
    for (code, exit) in &table {
        assert_eq!(
            documented.get(code),
            Some(exit),
            "exit of {code} in cli/README.md"
        );
    }
}

#[test]
fn readme_exit_table_agrees_with_the_code_table() {
    let exits = readme_exits();
    let documented: BTreeSet<u8> = exits.keys().copied().collect();
    assert_eq!(documented, (0..=8).collect(), "cli/README.md exit codes");
    for code in Code::ALL {
        assert!(
            documented.contains(&code.exit()),
            "{code:?}: undocumented exit"
        );
    }
    // a code named in a row of the exit table has that row's exit
    for (exit, meaning) in &exits {
        for word in backticked(meaning).into_iter().filter(|w| is_code(w)) {
            let code = Code::find(word).unwrap_or_else(|| panic!("exit {exit}: unknown {word}"));
            assert_eq!(code.exit(), *exit, "{word} in the exit table row {exit}");
        }
    }
    // and the exits the binary's --help names are those of the README
    let out = Command::new(env!("CARGO_BIN_EXE_sealpost"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for exit in documented.iter().filter(|e| **e > 0) {
        assert!(
            help.contains(&format!("; {exit} ")),
            "--help lacks exit {exit}: {help}"
        );
    }
}

/// The text from `start` up to the first `end` after it.
fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = &text[text.find(start).unwrap_or_else(|| panic!("no {start:?}"))..];
    &from[..from
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"))]
}

/// `CODES` of src/error.rs, as written there.
fn core_codes() -> BTreeSet<String> {
    let source = read("../src/error.rs");
    let list = between(&source, "pub const CODES: &[&str] = &[", "];");
    let codes: BTreeSet<String> = list
        .lines()
        .skip(1)
        .map(|l| l.trim().trim_end_matches(',').trim_matches('"').to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(codes.len() > 20, "CODES not read: {codes:?}");
    codes
}

/// Codes the core documents but `Error::code` does not return: `invalid_address` is what the
/// wasm binding throws for an address record of the wrong shape (SPEC.md §5).
fn wasm_codes() -> BTreeSet<String> {
    let wasm = read("../src/wasm.rs");
    assert!(
        wasm.contains("\"invalid_address\""),
        "src/wasm.rs no longer throws invalid_address"
    );
    BTreeSet::from(["invalid_address".to_owned()])
}

/// The codes of SPEC.md §5 and §9.5 (the `<field>_<problem>` row left out).
fn spec_codes() -> BTreeSet<String> {
    let spec = read("../SPEC.md");
    let mut codes = BTreeSet::new();
    for heading in ["## 5. Error codes", "### 9.5 Error codes"] {
        for row in table_rows(&section(&spec, heading)) {
            let code = row[0].trim_matches('`');
            if !code.starts_with('<') {
                assert!(codes.insert(code.to_owned()), "{code} twice in SPEC.md");
            }
        }
    }
    codes
}

/// The string literals of `export type ErrorCode = …;` in index.d.ts (the field template and
/// the isolation codes, a type of their own, left out).
fn typescript_codes() -> BTreeSet<String> {
    let dts = read("../src/js/index.d.ts");
    let body = between(&dts, "export type ErrorCode =", ";");
    let body = &body[..body.find("`${").unwrap_or(body.len())];
    body.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_core_code_is_in_the_spec_and_the_typescript_types() {
    let core = core_codes();
    let spec = spec_codes();
    let ts = typescript_codes();
    let produced: BTreeSet<String> = core.union(&wasm_codes()).cloned().collect();
    let not_in_spec: Vec<_> = produced.difference(&spec).collect();
    let not_in_ts: Vec<_> = produced.difference(&ts).collect();
    assert!(
        not_in_spec.is_empty(),
        "missing from SPEC.md §5/§9.5: {not_in_spec:?}"
    );
    assert!(
        not_in_ts.is_empty(),
        "missing from index.d.ts ErrorCode: {not_in_ts:?}"
    );
    // nothing documented that no code produces
    let stale_spec: Vec<_> = spec.difference(&produced).collect();
    assert!(
        stale_spec.is_empty(),
        "in SPEC.md but produced by no code: {stale_spec:?}"
    );
    // the widget's own codes in index.d.ts must be thrown by the widget (Rust or JS)
    let mut sources = vec![
        "../src/wasm.rs".to_owned(),
        "../src/recipients.rs".to_owned(),
        "../src/js/index.js".to_owned(),
        "../src/js/isolated.js".to_owned(),
    ];
    let widget_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/widget");
    for entry in std::fs::read_dir(&widget_dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") {
            sources.push(format!("../src/widget/{name}"));
        }
    }
    let widget: String = sources.iter().map(|p| read(p)).collect();
    for code in ts.difference(&produced) {
        assert!(
            widget.contains(&format!("'{code}'")) || widget.contains(&format!("\"{code}\"")),
            "{code} in index.d.ts but produced by neither the core nor the widget"
        );
    }
}

#[test]
fn cli_table_names_core_codes_as_the_core_spells_them() {
    let produced: BTreeSet<String> = core_codes().union(&wasm_codes()).cloned().collect();
    // the core codes whose exit is not the default 1 must be in the CLI table
    for code in [
        "not_a_recipient",
        "open_failed",
        "order_mismatch",
        "disclosure_mismatch",
    ] {
        assert!(produced.contains(code), "{code} is no core code");
        let entry = Code::find(code).unwrap_or_else(|| panic!("{code} not in the CLI table"));
        assert!(matches!(entry.exit(), 3 | 4), "{code}");
    }
    for code in &produced {
        let exit = error::core_exit(code);
        assert_eq!(Code::find(code).map_or(1, Code::exit), exit, "{code}");
    }
}

/// What `sealpost ARGS` prints and exits with, for input `stdin`.
fn fail(args: &[&str], stdin: &str, dir: &Path) -> (String, i32) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealpost"))
        .args(args)
        .current_dir(dir)
        .env("SEALPOST_AUDIT_LOG", dir.join("audit.log"))
        .env("SEALPOST_OPERATOR", "error-codes")
        .env_remove("SEALPOST_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // a process that fails early (a bad key) may exit before reading its stdin: EPIPE here
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = stderr
        .strip_prefix("sealpost: error: ")
        .and_then(|s| s.split(':').next())
        .unwrap_or_else(|| panic!("no error line: {stderr}"))
        .to_owned();
    (code, out.status.code().unwrap())
}

#[test]
fn real_failures_exit_as_the_readme_says() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("error-codes");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("some.key"), "x").unwrap();
    let documented = readme_codes();
    let cases: [(&[&str], &str, &str); 4] = [
        (&["inspect"], "not an envelope", "unknown_format"),
        (&["open", "--batch", "-i", "some.key"], "", "usage"),
        (&["audit", "verify"], "", "no_audit_log"),
        (
            &["seal", "--to", "sp1x", "--order", "A-1"],
            "{}",
            "invalid_public_key",
        ),
    ];
    for (args, stdin, want) in cases {
        let (code, exit) = fail(args, stdin, &dir);
        assert_eq!(code, want, "sealpost {args:?}");
        let expected = documented.get(&code).copied().unwrap_or(1);
        assert_eq!(exit, i32::from(expected), "sealpost {args:?}: {code}");
    }
}
