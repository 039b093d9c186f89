//! `cargo xtask bench`: the CLI benchmarks, in one run. Figures only (the machine is shared):
//!
//! - `open`: criterion, per envelope: raw X25519 DH (the floor), parse + open, open alone, parse.
//! - `batch`: `sealpost open --batch` (release binary) over a generated manifest of 100,000
//!   envelopes, `-j 1` and all cores, next to the raw DH measured in the same run, with CPU time,
//!   peak RSS and the load average. `SEALPOST_BENCH_RECORDS=N` changes the size.

use std::process::Command;

pub fn run() -> crate::Result {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    crate::run(Command::new(&cargo).args(["bench", "-p", "sealpost-cli", "--bench", "open"]))?;
    crate::run(Command::new(&cargo).args(["bench", "-p", "sealpost-cli", "--bench", "batch"]))
}
