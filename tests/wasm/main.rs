//! The wasm-only tests: one test target, run in a real JS engine, never natively.
//!
//! A native `cargo test` runs only `wasm_tests_run_in_a_browser_not_here` below, which says so
//! and checks that every file in this folder is a module of the target: these tests need the
//! browser (or Node) that `wasm-pack test` drives. Run them with
//! `cargo xtask test --browser chromium` (or `firefox`), or directly:
//! `WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --mode no-install --test wasm`;
//! in Node (`web` and `bad_input` only):
//! `wasm-pack test --node --mode no-install -- --features node-test --test wasm`.
//!
//! - `web`: the exported JS functions seal what the core opens, errors carry stable codes;
//! - `bad_input`: the hostile-input matrix of the JS API;
//! - `platform`: the vectors sealed with the engine's WebCrypto X25519 (the platform path);
//! - `widget`: the address form (browser only: it needs a DOM);
//! - `address_data`: the form with the address data: layouts, China's lists, refused assets
//!   (browser only);
//! - `directory`: the form with a signed courier directory (browser only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
#[path = "../common/mod.rs"]
mod common;

#[cfg(target_arch = "wasm32")]
mod bad_input;
#[cfg(target_arch = "wasm32")]
mod platform;
#[cfg(target_arch = "wasm32")]
mod web;

#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
mod address_data;
#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
mod directory;
#[cfg(all(target_arch = "wasm32", not(feature = "node-test")))]
mod widget;

/// Natively: a reminder where these tests run, and a check that no test file in this folder is
/// left out of the target (it would never run anywhere).
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn wasm_tests_run_in_a_browser_not_here() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wasm");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".rs") && n != "main.rs")
        .collect();
    files.sort();
    let mut modules: Vec<String> = main
        .lines()
        .filter_map(|l| l.strip_prefix("mod ")?.strip_suffix(';'))
        .filter(|m| *m != "common") // ../common/mod.rs, shared with tests/vectors.rs
        .map(|m| format!("{m}.rs"))
        .collect();
    modules.sort();
    assert_eq!(
        files, modules,
        "every file in tests/wasm/ must be a module of main.rs"
    );
    eprintln!(
        "tests/wasm ({}) runs in browsers: cargo xtask test --browser chromium|firefox",
        modules.join(", ")
    );
}
