//! `cargo xtask bench peers`: sealpost's seal beside the JavaScript HPKE libraries and sealed
//! boxes (issue 9), figures only: time per seal in Node and headless Chromium, interleaved in one
//! run, the gzipped size of what a page ships to seal, and cold import → ready → first seal.
//!
//! The peers are npm packages pinned in `tests/bench-peers/package-lock.json` (installed with
//! `npm ci` when missing or older than the lockfile); the benchmark itself is
//! `tests/bench-peers/bench.mjs`, which serves its page, the peer bundles and `pkg/` from its own
//! server on 127.0.0.1. Needs the npm package built in `pkg/` (`cargo xtask pkg`). Writes
//! `target/bench/peers.json` and prints markdown tables, then rewrites the README's `peers`
//! region from that file; the native open side is `cargo xtask bench cli`.

use std::{path::Path, process::Command};

pub fn run() -> crate::Result {
    let root = crate::root();
    let wasm = root.join("pkg/sealpost_bg.wasm");
    if !wasm.is_file() {
        return Err(format!(
            "{} is missing: build the npm package first (`cargo xtask pkg`)",
            wasm.display()
        ));
    }
    let dir = root.join("tests/bench-peers");
    if needs_install(&dir) {
        crate::run(
            Command::new("npm")
                .current_dir(&dir)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    let out = root.join("target/bench/peers.json");
    crate::run(
        Command::new("node")
            .current_dir(&dir)
            .arg("bench.mjs")
            .arg(&root)
            .arg(&out),
    )?;
    let peers = crate::read_json(&out)?;
    crate::figures::publish(
        "README.md",
        &[("peers", crate::figures::peers_region(&peers)?)],
    )
}

/// True when `node_modules` is absent or older than the lockfile.
fn needs_install(dir: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&dir.join("node_modules/.package-lock.json")),
        modified(&dir.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed < lock,
        _ => true,
    }
}
