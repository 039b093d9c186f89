//! Every browser a buyer uses: the wasm tests and the demo checkouts in Chromium, Firefox and
//! WebKit, and the matrix `cargo xtask test` prints at the end (suite × browser).

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    sync::Mutex,
};

use crate::{root, Result};

/// The browsers, as `--browser` names them.
pub const ALL: [&str; 3] = ["chromium", "firefox", "webkit"];

/// One cell of the matrix: suite, browser, outcome (`"6 passed"`, `"pass"`, `"FAIL"`, …).
static MATRIX: Mutex<Vec<(String, &'static str, String)>> = Mutex::new(Vec::new());

pub fn record(suite: &str, browser: &'static str, outcome: impl Into<String>) {
    if let Ok(mut m) = MATRIX.lock() {
        m.push((suite.to_owned(), browser, outcome.into()));
    }
}

/// Runs `f`, which covers the suites `names`, as their cells: `pass` or `FAIL`.
pub fn suites(names: &[&str], browser: &'static str, f: impl FnOnce() -> Result) -> Result {
    let result = f();
    for name in names {
        record(name, browser, if result.is_ok() { "pass" } else { "FAIL" });
    }
    result
}

/// The matrix as a table (empty if nothing ran in a browser).
pub fn table() -> String {
    let Ok(m) = MATRIX.lock() else {
        return String::new();
    };
    if m.is_empty() {
        return String::new();
    }
    let mut suites: Vec<&str> = Vec::new();
    for (s, _, _) in m.iter() {
        if !suites.contains(&s.as_str()) {
            suites.push(s);
        }
    }
    let width = suites.iter().map(|s| s.len()).max().unwrap_or(0).max(5);
    let mut out = format!("{:<width$}", "suite");
    for b in ALL {
        out.push_str(&format!("  {b:<16}"));
    }
    out.push('\n');
    for s in suites {
        out.push_str(&format!("{s:<width$}"));
        for b in ALL {
            let cell = m
                .iter()
                .find(|(x, y, _)| x == s && *y == b)
                .map_or("-", |(_, _, o)| o.as_str());
            out.push_str(&format!("  {cell:<16}"));
        }
        out.push('\n');
    }
    out
}

/// The outcome of one wasm test file in one browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    pub file: String,
    pub passed: u64,
    pub failed: u64,
}

/// The wasm-only test target (`tests/wasm/main.rs`): one binary whose modules (`web`,
/// `bad_input`, `widget`, `directory`) are counted as suites of their own.
const WASM_TARGET: &str = "tests/wasm/main.rs";

/// `test web::seals_vector ... ok` → `("web", true)`; `... FAIL` → `false`; anything else
/// (ignored tests, other output) → `None`.
fn module_test_line(line: &str) -> Option<(&str, bool)> {
    let (name, outcome) = line.trim().strip_prefix("test ")?.split_once(" ... ")?;
    let (module, _) = name.split_once("::")?;
    match outcome {
        "ok" => Some((module, true)),
        // wasm-bindgen-test writes FAIL; libtest FAILED
        "FAIL" | "FAILED" => Some((module, false)),
        _ => None,
    }
}

/// `wasm-pack test --headless --<browser>`, its output passed through and read: the count of
/// tests each file (each module of the wasm-only target) ran. Fails if the run failed, or if no file ran a single test (a run in
/// Node mode or without `run_in_browser` skips silently).
pub fn wasm_tests(browser: &'static str) -> Result<Vec<FileResult>> {
    let flag = match browser {
        "chromium" => "--chrome",
        "firefox" => "--firefox",
        _ => return Err(format!("no wasm test runner for {browser}")),
    };
    eprintln!("xtask: $ wasm-pack test --headless {flag} --mode no-install");
    // one stream, in order: cargo's "Running tests/…" lines go to stderr, results to stdout
    let mut child = Command::new("sh")
        .current_dir(root())
        .args([
            "-c",
            &format!("exec wasm-pack test --headless {flag} --mode no-install 2>&1"),
        ])
        .env("WASM_BINDGEN_USE_BROWSER", "1")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("wasm-pack: {e}"))?;
    let mut results: Vec<FileResult> = Vec::new();
    // true while the output is the wasm-only target's, counted per module
    let mut per_module = false;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{line}");
            if let Some(rest) = line.trim().strip_prefix("Running tests/") {
                let file = format!("tests/{}", rest.split_whitespace().next().unwrap_or(""));
                per_module = file == WASM_TARGET;
                if !per_module {
                    results.push(FileResult {
                        file,
                        passed: 0,
                        failed: 0,
                    });
                }
            } else if line.trim().starts_with("Doc-tests") {
                per_module = false;
                // the doc tests' result is not the last file's
                results.push(FileResult {
                    file: "doc tests".to_owned(),
                    passed: 0,
                    failed: 0,
                });
            } else if per_module {
                if let Some((module, passed)) = module_test_line(&line) {
                    let file = format!("tests/wasm/{module}.rs");
                    let i = match results.iter().position(|r| r.file == file) {
                        Some(i) => i,
                        None => {
                            results.push(FileResult {
                                file,
                                passed: 0,
                                failed: 0,
                            });
                            results.len() - 1
                        }
                    };
                    let r = &mut results[i];
                    if passed {
                        r.passed += 1;
                    } else {
                        r.failed += 1;
                    }
                }
            } else if let Some(rest) = line.strip_prefix("test result: ") {
                let count = |what: &str| {
                    rest.split(';')
                        .find_map(|p| {
                            p.trim()
                                .strip_suffix(what)?
                                .trim()
                                .rsplit(' ')
                                .next()?
                                .parse()
                                .ok()
                        })
                        .unwrap_or(0)
                };
                if let Some(last) = results.last_mut() {
                    last.passed = count("passed");
                    last.failed = count("failed");
                }
            }
        }
    }
    let status = child.wait().map_err(|e| format!("wasm-pack: {e}"))?;
    for r in &results {
        if r.passed + r.failed > 0 {
            let cell = if r.failed > 0 {
                format!("{} passed, {} FAILED", r.passed, r.failed)
            } else {
                format!("{} passed", r.passed)
            };
            record(
                &format!("wasm {}", r.file.trim_start_matches("tests/")),
                browser,
                cell,
            );
        }
    }
    if !status.success() {
        return Err(format!("wasm tests in {browser} failed ({status})"));
    }
    let total: u64 = results.iter().map(|r| r.passed).sum();
    if total == 0 {
        return Err(format!(
            "the wasm tests ran no test in {browser}: a run that skips silently is a failure"
        ));
    }
    Ok(results)
}

/// Every wasm test file that ran tests in `reference` ran as many, all passing, in `other`.
pub fn same_tests(reference: &[FileResult], other: &[FileResult], browser: &str) -> Result {
    for r in reference.iter().filter(|r| r.passed > 0) {
        let o = other.iter().find(|o| o.file == r.file);
        if o.is_none_or(|o| o.passed != r.passed || o.failed > 0) {
            return Err(format!(
                "{} ran {} tests in Chromium but {} in {browser}",
                r.file,
                r.passed,
                o.map_or_else(
                    || "none".to_owned(),
                    |o| format!("{} passed, {} failed", o.passed, o.failed)
                )
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::module_test_line;

    #[test]
    fn wasm_test_lines_are_counted_per_module() {
        assert_eq!(
            module_test_line("test web::seals ... ok"),
            Some(("web", true))
        );
        assert_eq!(
            module_test_line("test widget::a::b ... FAIL"),
            Some(("widget", false))
        );
        assert_eq!(module_test_line("test directory::x ... ignored"), None);
        assert_eq!(module_test_line("test top_level ... ok"), None);
        assert_eq!(module_test_line("test result: ok. 3 passed"), None);
    }
}
