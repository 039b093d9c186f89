//! `cargo xtask`: the project's two commands.
//!
//! - `cargo xtask test`: installs what is missing, then runs every check CI runs: fmt, clippy
//!   (native and wasm), the native tests, the wasm tests in Node and headless Chromium, and the
//!   end-to-end checkout (demo page in Chromium → envelope → `sealpost open`).
//! - `cargo xtask demo [--port N]`: installs what is missing, builds the wasm package and the
//!   CLI, and serves the demo shop on 127.0.0.1.
//!
//! `cargo xtask data` refreshes the address-data assets in `src/data/` (see its README); it is
//! the only command that uses the network (npm and PyPI, pinned versions and digests).
//!
//! Setup is idempotent: each tool is checked first and installed only when missing or at the
//! wrong version (see ../shared/TOOLCHAIN.md for why each is installed the way it is).

// A developer tool: indexing JSON values and argument lists reads better here.
#![allow(clippy::indexing_slicing)]

mod bench_cli;
mod bench_peers;
mod bench_widget;
mod browsers;
mod data;
mod dist;
mod examples;
mod figures;
mod frame;
mod hardening;
mod isolation;
mod serve;
mod setup;

use std::{
    path::{Path, PathBuf},
    process::{Command, ExitCode},
    time::Instant,
};

type Result<T = ()> = std::result::Result<T, String>;
type Step = (&'static str, Box<dyn Fn() -> Result>);

fn main() -> ExitCode {
    put_cargo_bin_on_path();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => match &args[1..] {
            [] => test(None),
            [flag, b] if flag == "--browser" && browsers::ALL.contains(&b.as_str()) => {
                test(Some(b.as_str()))
            }
            _ => Err(format!(
                "usage: cargo xtask test [--browser {}]",
                browsers::ALL.join("|")
            )),
        },
        Some("demo") => demo(&args[1..]),
        Some("setup") => setup::all(),
        // for development: no setup step
        Some("e2e") => e2e(),
        Some("e2e-isolation") => build_pkg().and_then(|()| isolation::e2e()),
        Some("e2e-firefox") => build_pkg().and_then(|()| isolation::e2e_firefox()),
        Some("e2e-webkit") => build_pkg().and_then(|()| isolation::e2e_webkit()),
        Some("serve") => build_pkg()
            .and_then(|()| isolation::demo(8080))
            .map(isolation::Servers::wait),
        Some("pkg") => build_pkg(),
        // the only command that uses the network: refreshes src/data/ from the pinned packages
        Some("data") => data::command(&args[1..]),
        // for development: the examples against pkg/ as it is (`cargo xtask pkg` builds it)
        Some("examples") => examples::test(),
        Some("frame") => frame::command(&args[1..]),
        // the static binary, the .deb and SHA256SUMS in target/dist/; --check: the test step
        Some("dist") => dist::command(&args[1..]),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        Some("fuzz") => match args.get(1).map(|s| s.parse::<u64>()) {
            None => hardening::fuzz(60),
            Some(Ok(seconds)) => hardening::fuzz(seconds),
            Some(Err(_)) => Err(format!("not a number of seconds: {}", args[1])),
        },
        _ => {
            eprintln!("usage: cargo xtask test | demo [--port N] | test --browser chromium|firefox|webkit | bench [widget|cli|peers|readme|ready] | fuzz [SECONDS] | setup | pkg | frame --policy FILE --out DIR [--directory FILE] | dist [--check] | e2e | e2e-isolation | examples | serve | data [--date YYYY-MM-DD]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo install` puts tools in `$CARGO_HOME/bin`; make sure the commands run below find them
/// even when that folder is not on the caller's PATH.
fn put_cargo_bin_on_path() {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let Some(bin) = cargo_home.map(|h| h.join("bin")) else {
        return;
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    if !std::env::split_paths(&path).any(|p| p == bin) {
        let joined = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)));
        if let Ok(joined) = joined {
            // set before any thread starts
            std::env::set_var("PATH", joined);
        }
    }
}

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Prints and runs a command in the workspace root; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result {
    cmd.current_dir(
        cmd.get_current_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(root),
    );
    eprintln!("xtask: $ {}", describe(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// The size optimization of the browser module (the package's and the size report's).
pub(crate) const WASM_OPT_ARGS: [&str; 3] = ["--merge-similar-functions", "-Oz", "--converge"];

/// Builds the npm package into `pkg/`: the three wasm modules (size-tuned profile, see
/// Cargo.toml; `wasm-opt` with [`WASM_OPT_ARGS`] when binaryen's wasm-opt is installed) and
/// their glue, every file of `src/js/` (the element entry `index.js`, the framework wrappers,
/// the testing helpers, their types, README and package.json), the licence texts, and the
/// address data in `pkg/data/` (fetched by the form per country and province).
///
/// - `sealpost_bg.wasm` (`--features form-only`): the form, what the element and the isolation
///   frame load;
/// - `sealpost_seal_bg.wasm` (`--features seal-only`): `seal()` on the platform X25519 path;
/// - `sealpost_full_bg.wasm` (default features): `seal()` on the wasm X25519 path,
///   `inspect()`, `openTestEnvelope()`.
fn build_pkg() -> Result {
    let pkg = root().join("pkg");
    // the other two modules first: wasm-pack's build below then leaves the form module's rustc
    // output in target/ (the size report reads it)
    let extra = [
        (
            build_module(Some("seal-only"), "sealpost_seal", "wasm-seal")?,
            "sealpost_seal",
        ),
        (
            build_module(None, "sealpost_full", "wasm-release")?,
            "sealpost_full",
        ),
    ];
    run(Command::new("wasm-pack").args([
        "build",
        "--mode",
        "no-install",
        "--target",
        "web",
        "--out-dir",
        "pkg",
        "--profile",
        "wasm-release",
        "--no-opt",
        "--no-pack",
        "--",
        "--features",
        "form-only",
    ]))?;
    if !optimize_wasm(&pkg.join("sealpost_bg.wasm"))? {
        eprintln!("xtask: wasm-opt not installed: the package is not size-optimized");
    }
    for (dir, name) in extra {
        for suffix in [".js", ".d.ts", "_bg.wasm", "_bg.wasm.d.ts"] {
            let file = format!("{name}{suffix}");
            std::fs::copy(dir.join(&file), pkg.join(&file))
                .map_err(|e| format!("pkg/{file}: {e}"))?;
        }
    }
    let version = package_version()?;
    // every file of src/js (package.json's `files` says which are published; a test checks
    // that it names each of them), and the licence texts
    let sources = std::fs::read_dir(root().join("src/js"))
        .map_err(|e| format!("src/js: {e}"))?
        .map(|entry| entry.map(|e| e.path()).map_err(|e| format!("src/js: {e}")))
        .chain(["LICENSE-MIT", "LICENSE-APACHE"].map(|f| Ok(root().join(f))))
        .collect::<Result<Vec<PathBuf>>>()?;
    for source in sources {
        let Some(file) = source.file_name().map(|f| f.to_string_lossy().into_owned()) else {
            continue;
        };
        let text =
            std::fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?;
        let text = if file == "package.json" {
            text.replace("\"0.0.0\"", &format!("\"{version}\""))
        } else {
            text
        };
        std::fs::write(pkg.join(&file), text).map_err(|e| format!("pkg/{file}: {e}"))?;
    }
    let _ = std::fs::remove_file(pkg.join(".gitignore"));
    copy_address_data(&pkg.join("data"))
}

/// The address data the form fetches (`src/data/`: `cn/`, `intl/`, the licences and the README;
/// not `pins.bin`, which is built into the modules, nor the manifest) into `out` (`pkg/data/`),
/// replacing what was there.
fn copy_address_data(out: &Path) -> Result {
    let _ = std::fs::remove_dir_all(out);
    let src = root().join("src/data");
    for dir in ["cn", "intl", "licenses"] {
        std::fs::create_dir_all(out.join(dir)).map_err(|e| format!("{}: {e}", out.display()))?;
        let entries =
            std::fs::read_dir(src.join(dir)).map_err(|e| format!("src/data/{dir}: {e}"))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("src/data/{dir}: {e}"))?.path();
            if let Some(name) = path.file_name() {
                std::fs::copy(&path, out.join(dir).join(name))
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    std::fs::copy(src.join("README.md"), out.join("README.md"))
        .map_err(|e| format!("src/data/README.md: {e}"))?;
    Ok(())
}

/// Builds one more module of the package with `feature` (none: the default features, the
/// whole binding) with cargo `profile` (Cargo.toml says why each), wasm-bindgen and wasm-opt,
/// into `target/<name>/` as `<name>.js`, `<name>_bg.wasm` and their types; returns that
/// directory.
fn build_module(feature: Option<&str>, name: &str, profile: &str) -> Result<PathBuf> {
    let out = root().join("target").join(name);
    let mut build = cargo();
    build.args([
        "build",
        "--lib",
        "-p",
        "sealpost",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
    ]);
    if let Some(feature) = feature {
        build.args(["--features", feature]);
    }
    run(&mut build)?;
    run(Command::new("wasm-bindgen")
        .arg(root().join(format!(
            "target/wasm32-unknown-unknown/{profile}/sealpost.wasm"
        )))
        .arg("--out-dir")
        .arg(&out)
        .args(["--out-name", name, "--target", "web"]))?;
    optimize_wasm(&out.join(format!("{name}_bg.wasm")))?;
    Ok(out)
}

/// `wasm-opt` with [`WASM_OPT_ARGS`] on `wasm`, in place; false when binaryen 116's wasm-opt is
/// not installed. `--merge-similar-functions` first: generic copies that differ only in
/// constants become one function before -Oz inlines them (~600 B gzip); `--converge`: repeat
/// -Oz until it stops shrinking (~125 B gzip, ~1.5 s).
fn optimize_wasm(wasm: &Path) -> Result<bool> {
    if !setup::wasm_opt_available() {
        return Ok(false);
    }
    run(Command::new("wasm-opt")
        .args(WASM_OPT_ARGS)
        .arg(wasm)
        .arg("-o")
        .arg(wasm))?;
    Ok(true)
}

/// The root package's version, from Cargo.toml.
fn package_version() -> Result<String> {
    let toml = std::fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let package = toml
        .split("\n[package]\n")
        .nth(1)
        .ok_or("Cargo.toml has no [package]")?;
    package
        .lines()
        .take_while(|l| !l.starts_with('['))
        .find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "no version in [package]".to_owned())
}

fn build_cli() -> Result<PathBuf> {
    run(cargo().args(["build", "--quiet", "-p", "sealpost-cli"]))?;
    Ok(root().join("target/debug/sealpost"))
}

/// The wasm test counts per file in Chromium, for Firefox to match.
static CHROMIUM_WASM: std::sync::Mutex<Vec<browsers::FileResult>> =
    std::sync::Mutex::new(Vec::new());

const INLINE: &str = "e2e inline checkout";
const ADDRESS_DATA: &str = "e2e address data: lists, autofill, layouts";
const ISOLATED: &str = "e2e isolated checkout";
const HOSTILE: &str = "e2e frame reload, SRI, frame-ancestors";
const HOSTILE_OPTIONS: &str = "e2e hostile options, clone, early seal";
const REPLAY: &str = "e2e session replay, forged messages";

/// The steps that run in one browser (`cargo xtask test --browser B` runs only these).
fn browser_steps(browser: &'static str) -> Vec<Step> {
    match browser {
        "chromium" => vec![
            (
                "wasm tests in headless Chromium",
                Box::new(|| {
                    let r = browsers::wasm_tests("chromium")?;
                    if let Ok(mut c) = CHROMIUM_WASM.lock() {
                        *c = r;
                    }
                    Ok(())
                }),
            ),
            (
                "end-to-end checkout (Chromium)",
                Box::new(|| browsers::suites(&[INLINE, ADDRESS_DATA], "chromium", e2e)),
            ),
            (
                "end-to-end isolation mode (cross-origin frame, hostile host script; Chromium)",
                Box::new(|| {
                    build_pkg()?;
                    browsers::suites(&[ISOLATED, HOSTILE, HOSTILE_OPTIONS, REPLAY], "chromium", isolation::e2e)
                }),
            ),
        ],
        "firefox" => vec![
            (
                "wasm tests in headless Firefox",
                Box::new(|| {
                    let r = browsers::wasm_tests("firefox")?;
                    let reference = CHROMIUM_WASM.lock().map(|c| c.clone()).unwrap_or_default();
                    browsers::same_tests(&reference, &r, "Firefox")
                }),
            ),
            (
                "end-to-end checkouts, inline and isolated (Firefox)",
                Box::new(|| {
                    build_pkg()?;
                    browsers::suites(
                        &[INLINE, ISOLATED, HOSTILE, HOSTILE_OPTIONS, REPLAY],
                        "firefox",
                        isolation::e2e_firefox,
                    )
                }),
            ),
        ],
        "webkit" => vec![(
            "end-to-end checkouts, inline and isolated (WebKit: WebKitGTK MiniBrowser, WebDriver under Xvfb)",
            Box::new(|| {
                build_pkg()?;
                browsers::suites(&[INLINE, ISOLATED, HOSTILE_OPTIONS], "webkit", isolation::e2e_webkit)
            }),
        )],
        _ => vec![],
    }
}

fn test(only: Option<&str>) -> Result {
    let started = Instant::now();
    setup::all()?;
    if let Some(browser) = only {
        let browser = browsers::ALL
            .into_iter()
            .find(|b| *b == browser)
            .unwrap_or("chromium");
        return run_steps(started, browser_steps(browser));
    }
    let mut steps: Vec<Step> = vec![
        (
            "rustfmt",
            Box::new(|| run(cargo().args(["fmt", "--all", "--", "--check"]))),
        ),
        (
            "clippy (native)",
            Box::new(|| {
                run(cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]))
            }),
        ),
        (
            "clippy (wasm32)",
            Box::new(|| {
                run(cargo().args([
                    "clippy",
                    "-p",
                    "sealpost",
                    "--all-targets",
                    "--target",
                    "wasm32-unknown-unknown",
                    "--",
                    "-D",
                    "warnings",
                ]))?;
                // the configurations of the seal-only and the form's modules (build_pkg)
                for feature in ["seal-only", "form-only"] {
                    run(cargo().args([
                        "clippy",
                        "-p",
                        "sealpost",
                        "--lib",
                        "--target",
                        "wasm32-unknown-unknown",
                        "--features",
                        feature,
                        "--",
                        "-D",
                        "warnings",
                    ]))?;
                }
                Ok(())
            }),
        ),
        (
            "supply chain (cargo deny, offline advisory snapshot)",
            Box::new(hardening::deny),
        ),
        (
            "native tests",
            Box::new(|| run(cargo().args(["test", "--workspace"]))),
        ),
        (
            "dist: static musl binary opens the vectors; .deb contents, man page, completions; SHA256SUMS",
            Box::new(dist::test),
        ),
        (
            "wasm tests in Node",
            Box::new(|| {
                run(Command::new("wasm-pack").args([
                    "test",
                    "--node",
                    "--mode",
                    "no-install",
                    "--",
                    "--features",
                    "node-test",
                ]))
            }),
        ),
        (
            "npm package in Node: SSR import, test mode, TypeScript types",
            Box::new(package_checks),
        ),
        (
            "examples (Vite + React, webpack): npm ci, build, seal in headless Chromium",
            Box::new(|| build_pkg().and_then(|()| examples::test())),
        ),
    ];
    for browser in browsers::ALL {
        steps.extend(browser_steps(browser));
    }
    run_steps(started, steps)
}

fn run_steps(started: Instant, steps: Vec<Step>) -> Result {
    let total = steps.len();
    let mut failed = Vec::new();
    for (name, step) in &steps {
        eprintln!("\nxtask: ==> {name}");
        if let Err(e) = step() {
            eprintln!("xtask: FAILED {name}: {e}");
            failed.push(*name);
        }
    }
    let matrix = browsers::table();
    if !matrix.is_empty() {
        eprintln!("\nxtask: browsers (suite × browser; - = not run there)\n{matrix}");
    }
    eprintln!(
        "\nxtask: finished in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "xtask: {} passed, {} failed",
        total - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join(", ")))
    }
}

/// The built package outside a browser (node:test: in Node, and under jsdom) and its types
/// (tsc).
fn package_checks() -> Result {
    build_pkg()?;
    let e2e = root().join("tests/e2e");
    run(Command::new("node")
        .current_dir(&e2e)
        .env("SEALPOST_PKG", root().join("pkg"))
        .args(["--test", "package.test.mjs", "jsdom.test.mjs"]))?;
    run(Command::new("node").current_dir(&e2e).args([
        "node_modules/typescript/bin/tsc",
        "-p",
        "tsconfig.json",
    ]))
}

/// The demo page in headless Chromium seals an address (typed into the form, and a committed
/// vector's address to the vector's keys); the real CLI opens both. Then the form with the
/// address data (`tests/e2e/address-data.mjs`: China's lists by keyboard and by autofill, other
/// countries' layouts, what is fetched, a changed file) on the same server.
fn e2e() -> Result {
    build_pkg()?;
    let cli = build_cli()?;
    let server = serve::start(&root(), 0)?;
    let out_dir = root().join("target/e2e");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let vector_file = root().join("tests/vectors/envelope/02-intl-two-recipients-region.json");
    run(Command::new("node")
        .current_dir(root().join("tests/e2e"))
        .arg("checkout.mjs")
        .arg(format!("http://{}/", server.addr))
        .arg(&out_dir)
        .arg(&vector_file))?;
    let sealed = read_json(&out_dir.join("sealed.json"))?;

    // the address typed into the demo form, opened with the demo courier's identity
    private(&root().join("www/demo-courier.key"))?;
    let opened = cli_open(
        &cli,
        &root().join("www/demo-courier.key"),
        &sealed["orderRef"],
        &sealed["envelope"],
    )?;
    same_address("demo form", &opened, &sealed["expected"])?;

    // the vector's address sealed in the browser, opened with the vector's identity
    let vector = read_json(&vector_file)?;
    let key = out_dir.join("vector.key");
    std::fs::write(&key, vector["identity"].as_str().unwrap_or(""))
        .map_err(|e| format!("{}: {e}", key.display()))?;
    private(&key)?;
    let opened = cli_open(
        &cli,
        &key,
        &sealed["vector"]["orderRef"],
        &sealed["vector"]["envelope"],
    )?;
    same_address("vector 02", &opened, &vector["expect"]["address"])?;
    run(Command::new("node")
        .current_dir(root().join("tests/e2e"))
        .arg("address-data.mjs")
        .arg(format!("http://{}/", server.addr))
        .arg(&out_dir))
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// `sealpost open -i KEY --order ORDER < envelope`: its output.
fn cli_run(
    cli: &Path,
    key: &Path,
    order: &serde_json::Value,
    envelope: &serde_json::Value,
) -> Result<std::process::Output> {
    let (Some(order), Some(envelope)) = (order.as_str(), envelope.as_str()) else {
        return Err("sealed.json lacks an order reference or an envelope".into());
    };
    let log = root().join("target/e2e/audit.log");
    if !log.exists() {
        let _ = std::fs::remove_file(root().join("target/e2e/audit.log.head"));
        run(Command::new(cli)
            .args(["audit", "init", "--audit-log"])
            .arg(&log))?;
    }
    eprintln!(
        "xtask: $ sealpost open -i {} --order {order} < envelope",
        key.display()
    );
    let mut child = Command::new(cli)
        .env("SEALPOST_AUDIT_LOG", &log)
        .args(["open", "-i"])
        .arg(key)
        .args(["--order", order])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("sealpost: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin
            .write_all(envelope.as_bytes())
            .map_err(|e| format!("sealpost stdin: {e}"))?;
    }
    child
        .wait_with_output()
        .map_err(|e| format!("sealpost: {e}"))
}

/// `sealpost open -i KEY --order ORDER < envelope`, parsed.
fn cli_open(
    cli: &Path,
    key: &Path,
    order: &serde_json::Value,
    envelope: &serde_json::Value,
) -> Result<serde_json::Value> {
    let output = cli_run(cli, key, order, envelope)?;
    if !output.status.success() {
        return Err(format!(
            "sealpost open failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("sealpost open output: {e}"))
}

/// `sealpost open` with `key` must fail with `code` and print nothing on stdout.
fn cli_refuses(
    cli: &Path,
    key: &Path,
    order: &serde_json::Value,
    envelope: &serde_json::Value,
    code: &str,
) -> Result {
    let output = cli_run(cli, key, order, envelope)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.success() || !output.stdout.is_empty() || !stderr.contains(code) {
        return Err(format!(
            "{} was expected to fail with {code}: {} {}",
            key.display(),
            output.status,
            stderr.trim()
        ));
    }
    eprintln!("xtask: refused as expected ({code}) with {}", key.display());
    Ok(())
}

fn same_address(what: &str, opened: &serde_json::Value, expected: &serde_json::Value) -> Result {
    let (got, want) = (without_empty(opened), without_empty(expected));
    let fields = got.as_object().map_or(0, |o| o.len());
    if got != want || fields < 6 {
        return Err(format!("{what}: the CLI opened something else than the browser sealed:\n got {got}\nwant {want}"));
    }
    eprintln!("xtask: {what}: sealed in the browser, opened with the CLI, {fields} fields equal");
    Ok(())
}

/// Identity files must not be readable by others (`sealpost` refuses them); git checks files
/// out 0644, so the committed demo identity is tightened before use.
fn private(path: &Path) -> Result {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// An address object with empty optional fields dropped (the CLI omits them).
fn without_empty(v: &serde_json::Value) -> serde_json::Value {
    match v.as_object() {
        Some(o) => o
            .iter()
            .filter(|(_, v)| v.as_str() != Some(""))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None => v.clone(),
    }
}

/// Benchmarks (figures, not pass/fail): `widget` (size report, time to ready, seal time in
/// Chromium, Firefox and Node; target/bench/widget.json and size.json), `cli` (criterion, open
/// throughput and memory; target/bench/cli.json), both by default, and `peers` (sealpost beside
/// the JavaScript HPKE and sealed-box libraries; target/bench/peers.json). Each then rewrites its
/// regions of README.md (xtask/src/figures.rs); the regions of benches not run stay as they are.
/// `readme` rewrites the regions from the JSON files already there, running no bench.
fn bench(which: Option<&str>) -> Result {
    let usage = || Err("usage: cargo xtask bench [widget|cli|peers|readme|ready]".to_owned());
    if which == Some("readme") {
        return figures::republish();
    }
    if which == Some("ready") {
        let args: Vec<String> = std::env::args().skip(3).collect();
        return bench_widget::ready(&args);
    }
    if !matches!(which, None | Some("widget" | "cli" | "peers")) {
        return usage();
    }
    setup::all()?;
    std::fs::create_dir_all(root().join("target/bench"))
        .map_err(|e| format!("target/bench: {e}"))?;
    match which {
        Some("cli") => bench_cli::run(),
        Some("peers") => {
            build_pkg()?;
            bench_peers::run()
        }
        Some("widget") => bench_widget::run_bench(),
        None => {
            bench_widget::run_bench()?;
            bench_cli::run()
        }
        Some(_) => usage(),
    }
}

fn demo(args: &[String]) -> Result {
    let port = match args {
        [] => 8080,
        [flag, port] if flag == "--port" => {
            port.parse().map_err(|_| format!("not a port: {port}"))?
        }
        _ => return Err("usage: cargo xtask demo [--port N]".into()),
    };
    setup::wasm_tools()?;
    build_pkg()?;
    let cli = build_cli()?;
    // the demo hub's audit log: openings are refused without one (sealpost audit init)
    let demo_log = root().join("target/demo/audit.log");
    if !demo_log.exists() {
        let _ = std::fs::remove_file(root().join("target/demo/audit.log.head"));
        run(Command::new(&cli)
            .args(["audit", "init", "--audit-log"])
            .arg(&demo_log))?;
    }
    private(&root().join("www/demo-courier.key"))?;
    for (_, _, _, key) in frame::DEMO_COURIERS {
        private(&root().join(key))?;
    }
    let servers = isolation::demo(port)?; // prints both URLs; the frame is on port + 1
    println!(
        "Seal an address there, then open it as the courier would (the page shows the command):"
    );
    println!(
        "  export SEALPOST_AUDIT_LOG={}   # the demo hub's audit log (started for you)",
        demo_log.display()
    );
    println!("  target/debug/sealpost open -i www/demo-courier.key --order <ORDER> < envelope.txt   (inline demo, test key)");
    println!("  target/debug/sealpost open -i www/demo-couriers/sf.key --order <ORDER> < envelope.txt   (isolated demo: sf or zto)");
    println!("Ctrl-C to stop.");
    servers.wait();
    Ok(())
}
