//! The examples (`examples/*`) as a shop would build them: each installs the package built in
//! `pkg/` (`"sealpost": "file:../../pkg"`, copied, not linked: see its `.npmrc`) and its other
//! dependencies from its committed lockfile, builds for the end-to-end test (`npm run
//! build:e2e`: the form's shadow root open for `sealpost/testing`), is served with the
//! production CSP, and is driven in headless Chromium by `tests/e2e/examples.mjs`.

use std::{path::Path, process::Command, time::Instant};

use crate::{root, run, serve, Result};

/// `(folder under examples/, folder it serves after the build, driver of examples.mjs)`: one
/// example per driver, so the testing helper is run with both kinds of page it accepts.
const EXAMPLES: [(&str, &str, &str); 2] = [
    ("vite-react", "dist", "puppeteer"),
    ("webpack", "", "playwright"),
];

/// Installs, builds and drives every example; `pkg/` must be built.
pub fn test() -> Result {
    for (name, served, driver) in EXAMPLES {
        let started = Instant::now();
        let dir = root().join("examples").join(name);
        install(&dir)?;
        run(Command::new("npm")
            .current_dir(&dir)
            .args(["run", "--silent", "build:e2e"]))?;
        let server = serve::start_site(&dir.join(served))?;
        run(Command::new("node")
            .current_dir(root().join("tests/e2e"))
            .arg("examples.mjs")
            .arg(format!("http://{}/", server.addr))
            .arg(&dir)
            .arg(driver))?;
        eprintln!(
            "xtask: examples/{name}: installed, built and checked in {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// `npm ci` from the committed lockfile, which also replaces the copy of the package with the
/// one just built; `npm install` when the lockfile no longer matches package.json (for example
/// after the crate's version changed: the lockfile records the local package's version).
fn install(dir: &Path) -> Result {
    let ci = run(Command::new("npm")
        .current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund"]));
    if ci.is_ok() {
        return Ok(());
    }
    eprintln!(
        "xtask: npm ci failed in {}: trying npm install (commit the updated package-lock.json)",
        dir.display()
    );
    run(Command::new("npm")
        .current_dir(dir)
        .args(["install", "--no-audit", "--no-fund"]))
}
