//! The wasm-only tests: one test target, run in a real JS engine, never natively.
//!
//! A native `cargo test` builds this target empty ("running 0 tests"): these tests need the
//! browser (or Node) that `wasm-pack test` drives. Run them with
//! `cargo xtask test --browser chromium` (or `firefox`), or directly:
//! `WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome --mode no-install --test wasm`;
//! in Node (`web` and `bad_input` only):
//! `wasm-pack test --node --mode no-install -- --features node-test --test wasm`.
//!
//! - `web`: the exported JS functions seal what the core opens, errors carry stable codes;
//! - `bad_input`: the hostile-input matrix of the JS API;
//! - `widget`: the address form (browser only: it needs a DOM);
//! - `directory`: the form with a signed courier directory (browser only).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[cfg(not(feature = "node-test"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod web;

#[cfg(not(feature = "node-test"))]
mod directory;
#[cfg(not(feature = "node-test"))]
mod widget;
