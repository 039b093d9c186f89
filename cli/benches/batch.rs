//! Batch benchmark: `sealpost open --batch` (the release binary, as a hub runs it) over a
//! generated manifest of 100,000 envelopes, on one core and on all cores, next to the cost of
//! one raw X25519 Diffie-Hellman measured in the same run; peak RSS from getrusage.
//!
//! Then `sealpost label --batch --opened` of 1,000 and 10,000 records (Chinese and Latin in
//! turn) to one PDF: wall time, peak RSS and output bytes per label.
//!
//! `cargo bench -p sealpost-cli --bench batch` (or `cargo xtask bench`). Set
//! `SEALPOST_BENCH_RECORDS` for another manifest size; `SEALPOST_BENCH_ONLY=label` runs only
//! the label part (its JSON then holds only `label`). Figures only, no pass/fail: the machine
//! is shared. With `SEALPOST_BENCH_JSON=FILE` the figures are also written there as JSON
//! (`cargo xtask bench cli` reads them into `target/bench/cli.json` and the README).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use rayon::prelude::*;
use sealpost::{Address, Disclosure, Envelope, Identity};

const PASS: &str = "bench passphrase, not for real keys";

fn address(n: usize) -> Address {
    let mut a: Address = serde_json::from_str(
        r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
        "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],"postalCode":"310012"}"#,
    )
    .unwrap();
    a.street_lines = vec![format!("文三路 {n} 号")];
    a
}

/// Median of `runs` timings of `iters` raw X25519 DH, per DH.
fn dh_cost() -> Duration {
    let scalar = *Identity::derive(&[0x11; 32]).unwrap().to_raw();
    let point = *Identity::derive(&[0x22; 32])
        .unwrap()
        .public_key()
        .as_bytes();
    let iters = 2000u32;
    let mut runs: Vec<Duration> = (0..9)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                std::hint::black_box(x25519_dalek::x25519(
                    std::hint::black_box(scalar),
                    std::hint::black_box(point),
                ));
            }
            t.elapsed() / iters
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}

/// Median of `runs` timings of (ephemeral key pair + one DH), per pair: what a seal to one
/// courier cannot avoid (x25519-dalek with its precomputed base-point table, as `hpke` uses it).
fn keypair_dh_cost() -> Duration {
    let point = *Identity::derive(&[0x22; 32])
        .unwrap()
        .public_key()
        .as_bytes();
    let peer = x25519_dalek::PublicKey::from(point);
    let iters = 2000u32;
    let mut runs: Vec<Duration> = (0..9)
        .map(|r| {
            let t = Instant::now();
            for i in 0..iters {
                let mut seed = [0x33u8; 32];
                seed[0] = i as u8;
                seed[1] = (i >> 8) as u8;
                seed[2] = r as u8;
                let sk = x25519_dalek::StaticSecret::from(std::hint::black_box(seed));
                let pk = x25519_dalek::PublicKey::from(&sk);
                std::hint::black_box((pk, sk.diffie_hellman(std::hint::black_box(&peer))));
            }
            t.elapsed() / iters
        })
        .collect();
    runs.sort();
    runs[runs.len() / 2]
}

/// A manifest of `records` addresses (NDJSON, one per line, the order reference beside the
/// address keys), for `seal --batch`.
fn address_manifest(dir: &Path, name: &str, records: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for n in 0..records {
        writeln!(
            f,
            r#"{{"orderRef":"ORD-{n:08}","name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江","addressLevel2":"杭州","addressLevel3":"西湖区","streetLines":["文三路 {n} 号"],"postalCode":"310012"}}"#
        )
        .unwrap();
    }
    f.flush().unwrap();
    path
}

fn sealpost(dir: &Path) -> Command {
    if !dir.join("audit.log").exists() {
        let _ = std::fs::remove_file(dir.join("audit.log.head"));
        let status = Command::new(env!("CARGO_BIN_EXE_sealpost"))
            .current_dir(dir)
            .args(["audit", "init", "--audit-log", "audit.log"])
            .status()
            .expect("sealpost audit init");
        assert!(status.success());
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
    cmd.current_dir(dir)
        .env("SEALPOST_AUDIT_LOG", dir.join("audit.log"))
        .env("SEALPOST_OPERATOR", "bench")
        .env("SEALPOST_PASSPHRASE", PASS);
    cmd
}

fn keygen(dir: &Path, name: &str, protected: bool) -> String {
    let _ = std::fs::remove_file(dir.join(name));
    let mut cmd = sealpost(dir);
    cmd.args(["keygen", "-o", name]);
    if !protected {
        cmd.arg("--unencrypted");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn manifest(dir: &Path, name: &str, records: usize, pk: &str) -> PathBuf {
    let pk: sealpost::PublicKey = pk.parse().unwrap();
    let path = dir.join(name);
    let lines: Vec<String> = (0..records)
        .into_par_iter()
        .map(|n| {
            let order = format!("ORD-{n:08}");
            let e = Envelope::seal(
                &address(n),
                std::slice::from_ref(&pk),
                &order,
                Disclosure::Country,
            )
            .unwrap();
            format!("{{\"orderRef\":\"{order}\",\"envelope\":\"{e}\",\"sku\":\"A-{n}\"}}\n")
        })
        .collect();
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for l in &lines {
        f.write_all(l.as_bytes()).unwrap();
    }
    f.flush().unwrap();
    path
}

/// `open --batch` output of `records` addresses, Chinese and German in turn, for
/// `label --batch --opened` (nothing to open: the figures are the labels' alone).
fn opened_manifest(dir: &Path, name: &str, records: usize) -> PathBuf {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for n in 0..records {
        let address = if n.is_multiple_of(2) {
            format!(
                r#"{{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省","addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 {n} 号 东部软件园"],"postalCode":"310012"}}"#
            )
        } else {
            format!(
                r#"{{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE","addressLevel2":"Berlin","streetLines":["Unter den Linden {n}"],"postalCode":"10117"}}"#
            )
        };
        writeln!(f, r#"{{"orderRef":"ORD-{n:08}","address":{address}}}"#).unwrap();
    }
    f.flush().unwrap();
    path
}

/// One `label --batch --opened` run to a PDF.
struct LabelRun {
    records: usize,
    run: Run,
    bytes: u64,
}

impl LabelRun {
    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "records": self.records,
            "wallS": self.run.wall.as_secs_f64(),
            "cpuS": self.run.cpu.as_secs_f64(),
            "peakMiB": self.run.peak_mib,
            "bytes": self.bytes,
            "bytesPerLabel": self.bytes as f64 / self.records as f64,
        })
    }
}

fn label_batch(dir: &Path, records: usize) -> LabelRun {
    let manifest = opened_manifest(dir, &format!("opened-{records}.ndjson"), records);
    let out = format!("labels-{records}.pdf");
    let run = timed(
        dir,
        &["label", "--batch", "--opened", "-q"],
        &manifest,
        1,
        &out,
    );
    let bytes = std::fs::metadata(dir.join(&out)).unwrap().len();
    let _ = std::fs::remove_file(dir.join(&out));
    LabelRun {
        records,
        run,
        bytes,
    }
}

/// The label part: 1,000 and 10,000 labels to one PDF each; prints its figures and returns
/// them as JSON.
fn labels(dir: &Path) -> serde_json::Value {
    let load_start = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let runs = [label_batch(dir, 1_000), label_batch(dir, 10_000)];
    let load_end = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!();
    println!(
        "sealpost label --batch --opened to one PDF (Chinese and Latin in turn), release build"
    );
    for r in &runs {
        println!(
            "  {:>6} labels  wall {:>6.2} s ({:.2} ms per label, CPU {:.2} s)  peak RSS {:>5.1} MiB  {:>10} bytes = {:.0} bytes per label",
            r.records,
            r.run.wall.as_secs_f64(),
            r.run.wall.as_secs_f64() * 1e3 / r.records as f64,
            r.run.cpu.as_secs_f64(),
            r.run.peak_mib,
            r.bytes,
            r.bytes as f64 / r.records as f64
        );
    }
    println!(
        "  peak RSS for 10x the labels: {:.2}x",
        runs[1].run.peak_mib / runs[0].run.peak_mib
    );
    println!(
        "  load average: {} before, {} after",
        load_start.trim(),
        load_end.trim()
    );
    serde_json::json!({
        "small": runs[0].json(),
        "big": runs[1].json(),
        "loadAverageStart": load_start.trim(),
        "loadAverageEnd": load_end.trim(),
    })
}

/// CPU time (user + system) of all waited-for children so far.
fn children_cpu() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_CHILDREN)
        .map(|u| {
            let t = |tv: nix::sys::time::TimeVal| {
                Duration::from_secs(tv.tv_sec() as u64) + Duration::from_micros(tv.tv_usec() as u64)
            };
            t(u.user_time()) + t(u.system_time())
        })
        .unwrap_or_default()
}

/// VmHWM (peak RSS) of a running process, in KiB. Polled: after exec it covers only the
/// `sealpost` process (getrusage would also count the pages the child shared with this
/// benchmark before exec).
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Run {
    wall: Duration,
    cpu: Duration,
    peak_mib: f64,
}

/// Runs one batch; returns wall time, CPU time and peak RSS.
fn batch(dir: &Path, key: &str, manifest: &Path, jobs: usize, out: &str) -> Run {
    timed(
        dir,
        &["open", "--batch", "-q", "-i", key],
        manifest,
        jobs,
        out,
    )
}

/// `sealpost seal --batch` to `pk`.
fn seal_batch(dir: &Path, pk: &str, manifest: &Path, jobs: usize, out: &str) -> Run {
    timed(
        dir,
        &["seal", "--batch", "-q", "--to", pk],
        manifest,
        jobs,
        out,
    )
}

fn timed(dir: &Path, command: &[&str], manifest: &Path, jobs: usize, out: &str) -> Run {
    let _ = std::fs::remove_file(dir.join(out));
    let _ = std::fs::remove_file(dir.join(format!("{out}.rejects.ndjson")));
    let cpu_before = children_cpu();
    let t = Instant::now();
    let mut child = sealpost(dir)
        .args(command)
        .args(["-o", out, "-j"])
        .arg(jobs.to_string())
        .arg(manifest)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut peak = 0u64;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let wall = t.elapsed();
    assert!(status.success(), "batch failed: {status}");
    Run {
        wall,
        cpu: children_cpu() - cpu_before,
        peak_mib: peak as f64 / 1024.0,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let records: usize = std::env::var("SEALPOST_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-batch");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if std::env::var("SEALPOST_BENCH_ONLY").as_deref() == Ok("label") {
        let label = labels(&dir);
        if let Some(path) = std::env::var_os("SEALPOST_BENCH_JSON") {
            let json = serde_json::json!({ "label": label });
            std::fs::write(&path, format!("{json:#}\n")).unwrap();
        }
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }

    let plain_pk = keygen(&dir, "plain.key", false);
    let protected_pk = keygen(&dir, "protected.key", true);
    let t = Instant::now();
    let small = manifest(&dir, "small.ndjson", records / 10, &protected_pk);
    let big_protected = manifest(&dir, "big-protected.ndjson", records, &protected_pk);
    let big = manifest(&dir, "big.ndjson", records, &plain_pk);
    eprintln!(
        "generated manifests of {} and 2 x {records} envelopes in {:.1} s",
        records / 10,
        t.elapsed().as_secs_f64()
    );

    let small_run = batch(&dir, "protected.key", &small, cores, "small.out.ndjson");
    let big_run = batch(
        &dir,
        "protected.key",
        &big_protected,
        cores,
        "bigp.out.ndjson",
    );

    let dh = dh_cost();
    let one = batch(&dir, "plain.key", &big, 1, "one.out.ndjson");
    let all = batch(&dir, "plain.key", &big, cores, "all.out.ndjson");
    let dh = dh.min(dh_cost());

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    // seal --batch: the same number of addresses, next to (key pair + DH) measured here
    let addresses = address_manifest(&dir, "addresses.ndjson", records);
    let few = address_manifest(&dir, "few-addresses.ndjson", records / 10);
    let seal_load_start = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let pair = keypair_dh_cost();
    let seal_one = seal_batch(&dir, &plain_pk, &addresses, 1, "sealed1.ndjson");
    let seal_all = seal_batch(&dir, &plain_pk, &addresses, cores, "sealed.ndjson");
    let seal_few = seal_batch(&dir, &plain_pk, &few, cores, "sealed-few.ndjson");
    let pair = pair.min(keypair_dh_cost());
    let seal_load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let rate = |d: Duration| records as f64 / d.as_secs_f64();
    let floor = 1.0 / dh.as_secs_f64();
    println!();
    println!("sealpost open --batch, {records} envelopes (NDJSON, one courier), release build");
    println!(
        "  raw X25519 DH (same run)  {:>7.1} µs   floor {:>6.0} opens/s per core",
        dh.as_secs_f64() * 1e6,
        floor
    );
    println!(
        "  -j 1       wall {:>6.2} s  {:>6.0} opens/s  ({:>5.1} % of the floor);  CPU {:>6.2} s = {:>6.1} µs/open ({:>5.1} % of the floor)",
        one.wall.as_secs_f64(),
        rate(one.wall),
        100.0 * rate(one.wall) / floor,
        one.cpu.as_secs_f64(),
        one.cpu.as_secs_f64() * 1e6 / records as f64,
        100.0 * rate(one.cpu) / floor
    );
    println!(
        "  -j {cores}       wall {:>6.2} s  {:>6.0} opens/s  speed-up {:.2}x over -j 1 (CPU {:.2} s)",
        all.wall.as_secs_f64(),
        rate(all.wall),
        rate(all.wall) / rate(one.wall),
        all.cpu.as_secs_f64()
    );
    println!(
        "  peak RSS, protected identity (Argon2id 32 MiB): {:.1} MiB for {} records, {:.1} MiB for {records}; plain identity: {:.1} MiB (-j 1), {:.1} MiB (-j {cores})",
        small_run.peak_mib,
        records / 10,
        big_run.peak_mib,
        one.peak_mib,
        all.peak_mib
    );
    println!("  load average during the run: {}", load.trim());
    let pair_rate = 1.0 / pair.as_secs_f64();
    println!();
    println!(
        "sealpost seal --batch, {records} addresses (NDJSON, one courier, Chinese), release build"
    );
    println!(
        "  key pair + DH (same run)  {:>7.1} µs   floor {:>6.0} seals/s per core",
        pair.as_secs_f64() * 1e6,
        pair_rate
    );
    println!(
        "  -j 1       wall {:>6.2} s  {:>6.0} seals/s  = {:.2} of the floor;  CPU {:>6.1} µs/seal",
        seal_one.wall.as_secs_f64(),
        rate(seal_one.wall),
        rate(seal_one.wall) / pair_rate,
        seal_one.cpu.as_secs_f64() * 1e6 / records as f64
    );
    println!(
        "  -j {cores}       wall {:>6.2} s  {:>6.0} seals/s  speed-up {:.2}x over -j 1 (CPU {:.2} s)",
        seal_all.wall.as_secs_f64(),
        rate(seal_all.wall),
        rate(seal_all.wall) / rate(seal_one.wall),
        seal_all.cpu.as_secs_f64()
    );
    println!(
        "  peak RSS {:.1} MiB for {} addresses, {:.1} MiB for {records} (-j {cores}), {:.1} MiB (-j 1)",
        seal_few.peak_mib,
        records / 10,
        seal_all.peak_mib,
        seal_one.peak_mib
    );
    println!(
        "  load average: {} before the seal runs, {} after",
        seal_load_start.trim(),
        seal_load.trim()
    );
    println!("  (whole process: startup, reading, opening, audit log synced per 1024 records, output, rename)");
    let label = labels(&dir);
    if let Some(path) = std::env::var_os("SEALPOST_BENCH_JSON") {
        let run = |r: &Run, jobs: usize| {
            serde_json::json!({
                "jobs": jobs,
                "wallS": r.wall.as_secs_f64(),
                "cpuS": r.cpu.as_secs_f64(),
                "opensPerS": rate(r.wall),
                "cpuUsPerOpen": r.cpu.as_secs_f64() * 1e6 / records as f64,
                "peakMiB": r.peak_mib,
            })
        };
        let json = serde_json::json!({
            "records": records,
            "cores": cores,
            "dhUs": dh.as_secs_f64() * 1e6,
            "one": run(&one, 1),
            "all": run(&all, cores),
            "protected": {
                "smallRecords": records / 10,
                "smallPeakMiB": small_run.peak_mib,
                "peakMiB": big_run.peak_mib,
            },
            "loadAverageEnd": load.trim(),
            "seal": {
                "pairUs": pair.as_secs_f64() * 1e6,
                "one": run(&seal_one, 1),
                "all": run(&seal_all, cores),
                "smallRecords": records / 10,
                "smallPeakMiB": seal_few.peak_mib,
                "loadAverageStart": seal_load_start.trim(),
                "loadAverageEnd": seal_load.trim(),
            },
            "label": label,
        });
        std::fs::write(&path, format!("{json:#}\n")).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
