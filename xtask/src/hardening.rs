//! Supply-chain and fuzzing checks (issue 8).
//!
//! - [`deny`]: licences, bans, sources and known advisories with cargo-deny, fully offline: the
//!   RustSec database comes from the snapshot in `../shared/advisory-db` (its git host is not
//!   reachable from the build machines; see ../shared/advisory-db.md).
//! - [`fuzz`]: every cargo-fuzz target in `fuzz/` for a fixed time, on the nightly toolchain,
//!   with the committed seeds in `fuzz/seeds/<target>`; prints the executions per target.
//!
//! Both install what is missing, idempotently, and say what they do.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Instant,
};

use crate::{root, run, Result};

/// The cargo-deny release this was written against (`deny.toml` uses its schema).
const CARGO_DENY_VERSION: &str = "0.20.2";
/// The cargo-fuzz release seen working on the build machines.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// cargo-deny derives this folder name from the default advisory database URL; `deny.toml`
/// points `db-path` at its parent.
const ADVISORY_DB_DIR: &str = "advisory-db-3157b0e258782691";
/// Where the offline database is prepared (git-ignored); `deny.toml` names the same path.
const ADVISORY_DB_ROOT: &str = "target/advisory-dbs";

/// `cargo deny --offline check` against the vendored advisory snapshot.
pub fn deny() -> Result {
    cargo_lock_is_committed()?;
    install_cargo_deny()?;
    prepare_advisory_db()?;
    // cargo-deny reads crate metadata (licences) from the registry cache: fill it first.
    run(Command::new("cargo").arg("fetch"))?;
    // The inclusion graphs of duplicate-version warnings run to hundreds of lines: hide them.
    run(Command::new("cargo").args(["deny", "--offline", "check", "--hide-inclusion-graph"]))
}

/// Runs every fuzz target for `seconds_per_target` and prints how many inputs each executed.
pub fn fuzz(seconds_per_target: u64) -> Result {
    install_nightly()?;
    install_cargo_fuzz()?;
    let fuzz_dir = root().join("fuzz");
    let targets = fuzz_targets(&fuzz_dir)?;
    let mut results = Vec::new();
    for target in &targets {
        eprintln!("\nxtask: ==> fuzz {target} for {seconds_per_target} s");
        let outcome = fuzz_one(&fuzz_dir, target, seconds_per_target);
        results.push((target.clone(), outcome));
    }
    println!("\nxtask: fuzz results ({seconds_per_target} s per target)");
    println!("{:<16} {:>14}  result", "target", "executions");
    let mut failed = Vec::new();
    for (target, outcome) in &results {
        match outcome {
            Ok(runs) => println!("{target:<16} {runs:>14}  no crash"),
            Err(e) => {
                println!("{target:<16} {:>14}  FAILED: {e}", "-");
                failed.push(target.as_str());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz targets failed: {} (crash inputs are in fuzz/artifacts/<target>/; \
             reproduce with `cargo +nightly fuzz run <target> <file>`, then add a regression test)",
            failed.join(", ")
        ))
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// CI checks the dependency versions that are committed, not whatever resolves today.
fn cargo_lock_is_committed() -> Result {
    let tracked = Command::new("git")
        .current_dir(root())
        .args(["ls-files", "--error-unmatch", "Cargo.lock"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if tracked {
        eprintln!("xtask: Cargo.lock: committed");
        Ok(())
    } else {
        Err("Cargo.lock is not committed: `git add Cargo.lock`".into())
    }
}

fn install_cargo_deny() -> Result {
    let have = output(Command::new("cargo").args(["deny", "--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_DENY_VERSION) {
        eprintln!("xtask: cargo-deny {CARGO_DENY_VERSION}: present");
        return Ok(());
    }
    eprintln!("xtask: installing cargo-deny {CARGO_DENY_VERSION} (about 3 minutes)");
    run(Command::new("cargo").args([
        "install",
        "--locked",
        "--force",
        "cargo-deny",
        "--version",
        CARGO_DENY_VERSION,
    ]))
}

/// Copies the snapshot into `target/advisory-dbs/advisory-db-…` and commits it there (cargo-deny
/// reads the time of HEAD and refuses a plain folder). Skipped when the copy is up to date.
fn prepare_advisory_db() -> Result {
    let source = root()
        .parent()
        .map(|p| p.join("shared/advisory-db"))
        .unwrap_or_default();
    if !source.join("crates").is_dir() {
        return Err(format!(
            "no advisory database snapshot at {} (CI places a copy of shared/ beside the repository)",
            source.display()
        ));
    }
    let db = root().join(ADVISORY_DB_ROOT).join(ADVISORY_DB_DIR);
    let stamp_file = root().join(ADVISORY_DB_ROOT).join("snapshot.stamp");
    let stamp = fingerprint(&source)?;
    let committed = db.join(".git").is_dir()
        && output(
            Command::new("git")
                .current_dir(&db)
                .args(["rev-parse", "HEAD"]),
        )
        .is_some();
    if committed && std::fs::read_to_string(&stamp_file).ok().as_deref() == Some(&stamp) {
        eprintln!("xtask: advisory database snapshot: prepared ({stamp})");
        return Ok(());
    }
    eprintln!(
        "xtask: preparing the offline advisory database from {}",
        source.display()
    );
    if db.exists() {
        std::fs::remove_dir_all(&db).map_err(|e| format!("{}: {e}", db.display()))?;
    }
    copy_dir(&source, &db)?;
    let git = |args: &[&str]| {
        run(Command::new("git")
            .current_dir(&db)
            .args(["-c", "user.name=xtask", "-c", "user.email=xtask@invalid"])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args))
    };
    git(&["init", "--quiet"])?;
    git(&["add", "-A"])?;
    git(&["commit", "--quiet", "-m", "RustSec advisory-db snapshot"])?;
    std::fs::write(&stamp_file, &stamp).map_err(|e| format!("{}: {e}", stamp_file.display()))
}

/// Number of files and bytes in a tree: enough to notice a replaced snapshot.
fn fingerprint(dir: &Path) -> Result<String> {
    fn walk(dir: &Path, files: &mut u64, bytes: &mut u64) -> Result {
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
            let meta = entry
                .metadata()
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
            if meta.is_dir() {
                walk(&entry.path(), files, bytes)?;
            } else {
                *files += 1;
                *bytes += meta.len();
            }
        }
        Ok(())
    }
    let (mut files, mut bytes) = (0, 0);
    walk(dir, &mut files, &mut bytes)?;
    Ok(format!("{files} files, {bytes} bytes"))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        // a .git inside the snapshot would make it a nested repository
        if entry.file_name() == ".git" {
            continue;
        }
        if entry
            .file_type()
            .map_err(|e| format!("{}: {e}", src.display()))?
            .is_dir()
        {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

fn install_nightly() -> Result {
    let toolchains = output(Command::new("rustup").args(["toolchain", "list"])).unwrap_or_default();
    if toolchains.lines().any(|l| l.starts_with("nightly")) {
        eprintln!("xtask: nightly toolchain: present");
        return Ok(());
    }
    eprintln!("xtask: installing the nightly toolchain (cargo-fuzz needs it)");
    run(Command::new("rustup").args(["toolchain", "install", "nightly", "--profile", "minimal"]))
}

fn install_cargo_fuzz() -> Result {
    let have = output(Command::new("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_FUZZ_VERSION) {
        eprintln!("xtask: cargo-fuzz {CARGO_FUZZ_VERSION}: present");
        return Ok(());
    }
    eprintln!("xtask: installing cargo-fuzz {CARGO_FUZZ_VERSION} (about 1 minute)");
    run(Command::new("cargo").args([
        "install",
        "--force",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// The `[[bin]]` targets of fuzz/Cargo.toml, as `cargo fuzz list` prints them.
fn fuzz_targets(fuzz_dir: &Path) -> Result<Vec<String>> {
    let listed = output(
        fuzz_command(fuzz_dir)
            .args(["fuzz", "list"])
            .stderr(Stdio::inherit()),
    )
    .ok_or("`cargo +nightly fuzz list` failed")?;
    let targets: Vec<String> = listed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if targets.is_empty() {
        return Err("fuzz/Cargo.toml declares no fuzz targets".into());
    }
    Ok(targets)
}

/// `cargo +nightly …` in fuzz/, building into fuzz/target whatever the caller's target dir.
fn fuzz_command(fuzz_dir: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(fuzz_dir)
        .arg("+nightly")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTC")
        .env_remove("RUSTUP_TOOLCHAIN");
    cmd
}

/// Runs one target with its working corpus (fuzz/corpus/T, git-ignored) and committed seeds
/// (fuzz/seeds/T); returns libFuzzer's count of executed inputs.
fn fuzz_one(fuzz_dir: &Path, target: &str, seconds: u64) -> Result<u64> {
    let corpus: PathBuf = fuzz_dir.join("corpus").join(target);
    let seeds: PathBuf = fuzz_dir.join("seeds").join(target);
    std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    let mut cmd = fuzz_command(fuzz_dir);
    cmd.args(["fuzz", "run", target]).arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.args([
        "--",
        &format!("-max_total_time={seconds}"),
        "-print_final_stats=1",
    ])
    .stderr(Stdio::piped());
    eprintln!(
        "xtask: $ cargo +nightly fuzz run {target} {} {} -- -max_total_time={seconds} -print_final_stats=1",
        corpus.display(),
        seeds.display()
    );
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("cargo fuzz: {e}"))?;
    // Echo libFuzzer's output while keeping the execution count it prints at the end.
    let mut runs = None;
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr)
            .lines()
            .map_while(std::result::Result::ok)
        {
            eprintln!("{line}");
            if let Some(n) = line
                .strip_prefix("stat::number_of_executed_units:")
                .and_then(|n| n.trim().parse().ok())
            {
                runs = Some(n);
            }
        }
    }
    let status = child.wait().map_err(|e| format!("cargo fuzz: {e}"))?;
    eprintln!(
        "xtask: fuzz {target}: {} executions in {:.0} s",
        runs.map_or("?".into(), |n: u64| n.to_string()),
        started.elapsed().as_secs_f64()
    );
    match (status.success(), runs) {
        (true, Some(n)) => Ok(n),
        (true, None) => Err("libFuzzer printed no execution count".into()),
        (false, _) => Err(format!("crashed or failed to build ({status})")),
    }
}
