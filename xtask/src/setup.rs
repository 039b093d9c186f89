//! Installs what the two commands need, idempotently, saying what it does.

use std::process::Command;

use crate::{root, run, Result};

const WASM_PACK_VERSION: &str = "0.15.1";
/// binaryen 116 through the `wasm-opt` crate. Not Debian's binaryen 108: it silently produces
/// modules that fail to load.
const WASM_OPT_VERSION: &str = "0.116.1";
/// geckodriver (MPL-2.0) for `wasm-pack test --firefox`.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// twiggy (MIT/Apache-2.0), for the wasm size report of `cargo xtask bench widget` only.
const TWIGGY_VERSION: &str = "0.8.0";

/// twiggy at a pinned version; installed only when the widget bench runs.
pub fn twiggy() -> Result {
    cargo_tool("twiggy", TWIGGY_VERSION, 3)
}

/// Everything `cargo xtask test` needs.
pub fn all() -> Result {
    rust_components()?;
    wasm_tools()?;
    debian_packages()?;
    geckodriver()?;
    e2e_node_modules()
}

/// geckodriver at a pinned version, for the wasm tests in Firefox.
fn geckodriver() -> Result {
    cargo_tool("geckodriver", GECKODRIVER_VERSION, 3)
}

/// `cargo install --locked NAME --version VERSION`, unless `NAME --version` already says VERSION.
fn cargo_tool(name: &str, version: &str, minutes: u32) -> Result {
    let have = output(name, &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(version) {
        eprintln!("xtask: {name} {version}: present");
        return Ok(());
    }
    eprintln!("xtask: installing {name} {version} (about {minutes} minutes)");
    run(Command::new("cargo").args(["install", "--locked", "--force", name, "--version", version]))
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn rust_components() -> Result {
    let installed = output("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !installed.lines().any(|l| l.starts_with(component)) {
            run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

/// The wasm target, wasm-bindgen-cli at the exact version in Cargo.lock, and wasm-pack.
pub fn wasm_tools() -> Result {
    let targets = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    } else {
        eprintln!("xtask: wasm32-unknown-unknown target: present");
    }

    let want = locked_version("wasm-bindgen")?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        eprintln!("xtask: wasm-bindgen-cli {want}: present");
    } else {
        // Without --locked: its own lockfile pins a crate version the registry no longer serves.
        eprintln!(
            "xtask: installing wasm-bindgen-cli {want} to match Cargo.lock (about 5 minutes)"
        );
        run(Command::new("cargo").args([
            "install",
            "--force",
            "wasm-bindgen-cli",
            "--version",
            &want,
        ]))?;
    }

    let have = output("wasm-pack", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(WASM_PACK_VERSION) {
        eprintln!("xtask: wasm-pack {WASM_PACK_VERSION}: present");
    } else {
        eprintln!("xtask: installing wasm-pack {WASM_PACK_VERSION} (about 5 minutes)");
        run(Command::new("cargo").args([
            "install",
            "--locked",
            "--force",
            "wasm-pack",
            "--version",
            WASM_PACK_VERSION,
        ]))?;
    }

    if wasm_opt_available() {
        eprintln!("xtask: wasm-opt (binaryen 116): present");
    } else {
        eprintln!("xtask: installing wasm-opt {WASM_OPT_VERSION} (binaryen 116; about 17 minutes)");
        run(Command::new("cargo").args([
            "install",
            "--locked",
            "--force",
            "wasm-opt",
            "--version",
            WASM_OPT_VERSION,
        ]))?;
    }
    Ok(())
}

/// Whether binaryen 116's wasm-opt is on PATH.
pub fn wasm_opt_available() -> bool {
    output("wasm-opt", &["--version"]).is_some_and(|v| v.contains("version 116"))
}

/// The version of `package` recorded in Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == needle {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}

/// Debian packages the tests use, each with the check that shows it is there: the browser and
/// its driver (the test tools never download one), a CJK font (screenshots and label PDFs),
/// poppler and zbar (labels are rendered and their codes scanned back), and DejaVu (a
/// Latin-only font the label tests expect to be refused for a Chinese address).
fn debian_packages() -> Result {
    let has_font =
        |pattern: &str| output("fc-list", &[pattern]).is_some_and(|l| !l.trim().is_empty());
    let packages: [(&str, bool); 14] = [
        ("chromium", output("chromium", &["--version"]).is_some()),
        (
            "firefox-esr",
            output("firefox-esr", &["--version"]).is_some(),
        ),
        (
            "webkit2gtk-driver",
            output("sh", &["-c", "command -v WebKitWebDriver"]).is_some(),
        ),
        ("xvfb", output("sh", &["-c", "command -v Xvfb"]).is_some()),
        ("xauth", output("sh", &["-c", "command -v xauth"]).is_some()),
        (
            "chromium-driver",
            output("chromedriver", &["--version"]).is_some(),
        ),
        ("fonts-noto-cjk", has_font(":lang=zh")),
        (
            "poppler-utils",
            output("pdftoppm", &["-v"]).is_some() || output("pdftotext", &["-v"]).is_some(),
        ),
        ("zbar-tools", output("zbarimg", &["--version"]).is_some()),
        ("fonts-dejavu-core", has_font("DejaVu Sans")),
        // label fallback fonts (cli/tests/label_fonts.rs): Noto Sans Arabic, Hebrew, Thai,
        // Devanagari, …; HanaMin A/B for Han beyond the BMP (U+20000, Extension B); Symbola
        // for emoji in delivery notes (outlines: a colour emoji font cannot be drawn)
        ("fonts-noto-core", has_font("Noto Sans Arabic")),
        ("fonts-hanazono", has_font("HanaMinA")),
        ("fonts-symbola", has_font("Symbola")),
        // cli/tests/label_stream.rs: checks the structure of a PDF joined from parts
        ("qpdf", output("qpdf", &["--version"]).is_some()),
    ];
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, present)| !present)
        .map(|(p, _)| *p)
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: Debian packages (chromium, firefox-esr, WebKitWebDriver, xvfb, fonts, poppler, zbar, qpdf): present");
        return Ok(());
    }
    let is_root = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !is_root {
        return Err(format!(
            "missing Debian packages; install them: sudo apt-get install -y --no-install-recommends {}",
            missing.join(" ")
        ));
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// playwright-core (Chromium end-to-end tests), puppeteer-core (Firefox, over WebDriver BiDi,
/// and the examples), typescript (the package's types), React's types and Vue (the wrappers'
/// types), and jsdom (the package as a jsdom test environment runs it), from the committed
/// package-lock.json.
fn e2e_node_modules() -> Result {
    let dir = root().join("tests/e2e");
    let present = [
        "playwright-core",
        "puppeteer-core",
        "typescript",
        "@types/react",
        "vue",
        "jsdom",
    ]
    .iter()
    .all(|m| {
        dir.join("node_modules")
            .join(m)
            .join("package.json")
            .is_file()
    });
    if present {
        eprintln!("xtask: tests/e2e node modules: present");
        return Ok(());
    }
    run(Command::new("npm")
        .current_dir(&dir)
        .args(["ci", "--no-audit", "--no-fund"]))
}
