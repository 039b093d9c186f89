//! `cargo xtask bench widget`: the widget's figures (tests/e2e/bench.mjs: size, time to ready,
//! seal time in Chromium, Firefox and Node; the phases of `ready` and ready with / without
//! preload hints on the pages of `tests/e2e/bench-site/`) into `target/bench/widget.json`, a size report of
//! the package (raw / gzip / brotli per file, the wasm's largest items by twiggy) into
//! `target/bench/size.json`, then the README's `widget` and `size` regions from those files.

use std::process::Command;

use serde_json::{json, Value};

use crate::{figures, root, run, setup, Result};

/// The files a page loads from the package, and when.
const PAGE_FILES: [(&str, &str); 8] = [
    ("sealpost_bg.wasm", "with the form (the element, `mount()`, the isolation frame)"),
    ("sealpost.js", "with it (its wasm-bindgen glue)"),
    ("index.js", "always (the element, `seal()`)"),
    ("isolated.js", "isolation mode only (imported by index.js)"),
    ("sealpost_seal_bg.wasm", "instead of the form's module by a page that only calls `seal()` (platform X25519 path) or `validateAddress()`"),
    ("sealpost_seal.js", "with it (its glue)"),
    ("sealpost_full_bg.wasm", "only by `seal()` on the wasm X25519 path (Firefox), `inspect()` and `openTestEnvelope()`"),
    ("sealpost_full.js", "with it (its glue)"),
];
/// How many of the wasm's items the report lists.
const TOP: usize = 15;

/// Builds the package, runs the benchmark and rewrites the README. Needs `setup::all()` first.
pub fn run_bench() -> Result {
    crate::build_pkg()?;
    setup::twiggy()?;
    let host = figures::host_start();
    let server = crate::serve::start(&root(), 0)?;
    let bench_site = crate::serve::start_site(&bench_site()?)?;
    let out = root().join("target/bench/widget.json");
    run(Command::new("node")
        .current_dir(root().join("tests/e2e"))
        .arg("bench.mjs")
        .arg(format!("http://{}/", server.addr))
        .arg(root().join("pkg"))
        .arg(&out)
        .arg(format!("http://{}/", bench_site.addr)))?;
    let mut widget = crate::read_json(&out)?;
    let mut host = host.finish();
    host["wasmOpt"] = setup::wasm_opt_available().into();
    widget["host"] = host;
    figures::write_json("widget", &widget)?;

    let size = size_report(&widget)?;
    figures::write_json("size", &size)?;
    figures::publish(
        "README.md",
        &[
            ("widget", figures::widget_region(&widget)?),
            ("size", figures::size_region(&size)?),
        ],
    )?;
    package_readme(&widget)
}

/// `cargo xtask bench ready [--base PKG] [--loads N] [--serve]`: the package script loaded →
/// `ready` in Chromium, loads of the bench pages interleaved (tests/e2e/bench-ready.mjs): the
/// widget, the floor (the same harness loading files of the same sizes that do nothing) and,
/// with `--base`, another build of the package (a `pkg/` folder: served at `/base/pkg/`, with
/// the same pages at `/base/`), so that a change is compared within one run. `--serve`: only
/// serves the site (for tests/e2e/ready-trace.mjs). Figures, not pass/fail; writes nothing.
pub fn ready(args: &[String]) -> Result {
    let mut base = None;
    let mut loads = "15".to_owned();
    let mut serve_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--base" => base = it.next().map(std::path::PathBuf::from),
            "--loads" => loads = it.next().cloned().unwrap_or(loads),
            "--serve" => serve_only = true,
            _ => {
                return Err(format!(
                    "usage: cargo xtask bench ready [--base PKG] [--loads N] [--serve]; not {a}"
                ))
            }
        }
    }
    crate::build_pkg()?;
    let site = bench_site()?;
    if let Some(base) = &base {
        crate::frame::copy_dir(base, &site.join("base/pkg"))?;
        crate::frame::copy_dir(&root().join("tests/e2e/bench-site"), &site.join("base"))?;
    }
    let server = crate::serve::start_site(&site)?;
    let url = format!("http://{}/", server.addr);
    if serve_only {
        eprintln!("xtask: the bench site at {url}");
        server.wait();
        return Ok(());
    }
    let mut cmd = Command::new("node");
    cmd.current_dir(root().join("tests/e2e"))
        .arg("bench-ready.mjs")
        .arg(&url)
        .arg(&loads);
    if base.is_some() {
        cmd.arg("base");
    }
    run(&mut cmd)
}

/// `target/bench/site/`: the bench pages of `tests/e2e/bench-site/` at `/` and the package at
/// `/pkg/` (its address data at `/pkg/data/`), served with the demo shop's headers and CSP.
fn bench_site() -> Result<std::path::PathBuf> {
    let site = root().join("target/bench/site");
    let _ = std::fs::remove_dir_all(&site);
    // the address data the form fetches, as a shop serving the package as it is would
    crate::frame::copy_dir(&root().join("pkg/data"), &site.join("pkg/data"))?;
    for (from, to) in [
        ("tests/e2e/bench-site", site.clone()),
        ("pkg", site.join("pkg")),
    ] {
        std::fs::create_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
        let dir = root().join(from);
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_file() {
                let dest = to.join(path.file_name().unwrap_or_default());
                std::fs::copy(&path, &dest).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    floor(&site)?;
    Ok(site)
}

/// `floor/`: the bench pages over a stand-in package of the same byte sizes that does nothing
/// (tests/e2e/bench-site/floor-index.js): what the browser, the server and this machine cost.
fn floor(site: &std::path::Path) -> Result {
    let pkg = root().join("pkg");
    let dir = site.join("floor");
    let fake = dir.join("pkg");
    std::fs::create_dir_all(fake.join("data/intl")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(fake.join("data/cn")).map_err(|e| e.to_string())?;
    let pad = |template: &str, like: &str| -> Result {
        let mut text = std::fs::read_to_string(root().join("tests/e2e/bench-site").join(template))
            .map_err(|e| format!("{template}: {e}"))?;
        let size = std::fs::metadata(pkg.join(like))
            .map_err(|e| format!("pkg/{like}: {e}"))?
            .len();
        let mut filler = String::new();
        while (text.len() + filler.len() + 4) < size as usize {
            let n = (size as usize - text.len() - filler.len() - 4).min(99);
            filler.push_str("// ");
            filler.push_str(&"x".repeat(n.saturating_sub(3)));
            filler.push('\n');
        }
        text.push_str(&filler);
        std::fs::write(fake.join(like), text).map_err(|e| format!("floor/pkg/{like}: {e}"))
    };
    pad("floor-index.js", "index.js")?;
    pad("floor-glue.js", "sealpost.js")?;
    for f in [
        "sealpost_bg.wasm",
        "data/intl/CN.json",
        "data/cn/index.json",
    ] {
        std::fs::copy(pkg.join(f), fake.join(f)).map_err(|e| format!("pkg/{f}: {e}"))?;
    }
    for f in [
        "phases-plain.html",
        "phases-preload.html",
        "phases-async.html",
        "hooks.js",
    ] {
        std::fs::copy(site.join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    Ok(())
}

/// Per file raw / gzip / brotli (measured by bench.mjs) and the wasm's largest items.
fn size_report(widget: &Value) -> Result<Value> {
    let mut files = Vec::new();
    for (file, loaded) in PAGE_FILES {
        let mut row = widget
            .pointer(&format!("/sizes/{file}"))
            .cloned()
            .ok_or_else(|| format!("widget.json has no size of {file}"))?;
        row["file"] = format!("`{file}`").into();
        row["loaded"] = loaded.into();
        files.push(row);
    }
    let mut total = widget
        .pointer("/sizes/total")
        .cloned()
        .ok_or("widget.json has no total size")?;
    total["file"] = "inline page total (wasm + glue + index.js)".into();
    total["loaded"] = "".into();
    files.push(total);
    let (top, method) = wasm_top()?;
    Ok(json!({
        "host": widget["host"],
        "files": files,
        "wasmTop": top,
        "wasmTopMethod": method,
    }))
}

/// The wasm's `TOP` largest items by `twiggy top`. The package's module has no names after
/// wasm-opt, so the rustc output build_pkg just made goes through the same steps again into
/// `target/bench/size/` with its names kept (wasm-bindgen, then `wasm-opt` with the package's
/// arguments and `-g`); the code is the same, and the name section is left out of the shares.
fn wasm_top() -> Result<(Vec<Value>, String)> {
    let dir = root().join("target/bench/size");
    let rustc_out = root().join("target/wasm32-unknown-unknown/wasm-release/sealpost.wasm");
    run(Command::new("wasm-bindgen")
        .arg(&rustc_out)
        .arg("--out-dir")
        .arg(&dir)
        .args(["--target", "web"]))?;
    let named = dir.join("sealpost_bg.wasm");
    let method = if setup::wasm_opt_available() {
        run(Command::new("wasm-opt")
            .args(crate::WASM_OPT_ARGS)
            .arg("-g")
            .arg(&named)
            .arg("-o")
            .arg(&named))?;
        "twiggy top of the module rebuilt with its names: wasm-bindgen, `wasm-opt --merge-similar-functions -Oz --converge -g`"
    } else {
        "twiggy top of the module with its names (wasm-bindgen output; no wasm-opt)"
    };
    eprintln!("xtask: $ twiggy top -f json {}", named.display());
    let out = Command::new("twiggy")
        .args(["top", "-n", "1000000", "-f", "json"])
        .arg(&named)
        .output()
        .map_err(|e| format!("twiggy: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "twiggy could not read {}: {}",
            named.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let items: Vec<Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("twiggy output: {e}"))?;
    Ok((top_items(&items, TOP), method.to_owned()))
}

/// The `n` largest items other than the name section's subsections, each with its share of the
/// module without them. twiggy lists items largest first.
fn top_items(items: &[Value], n: usize) -> Vec<Value> {
    let name = |i: &Value| i["name"].as_str().unwrap_or("").to_owned();
    let bytes = |i: &Value| i["shallow_size"].as_f64().unwrap_or(0.0);
    let is_names = |i: &Value| name(i).ends_with("names\" subsection");
    let module: f64 = items
        .iter()
        .filter(|i| !is_names(i))
        .map(bytes)
        .sum::<f64>()
        .max(1.0);
    items
        .iter()
        .filter(|i| !is_names(i))
        .take(n)
        .map(
            |i| json!({ "name": name(i), "bytes": bytes(i), "percent": 100.0 * bytes(i) / module }),
        )
        .collect()
}

/// The npm package's README quotes the inline page's gzip size between the same kind of
/// markers (`package-size`); it is someone else's file, so missing markers are only a note.
fn package_readme(widget: &Value) -> Result {
    let file = "src/js/README.md";
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
    if !text.contains("<!-- bench:package-size:begin -->") {
        eprintln!("xtask: note: {file} has no `<!-- bench:package-size:begin -->` marker: its size figure (if any) was not rewritten");
        return Ok(());
    }
    figures::publish(
        file,
        &[("package-size", figures::package_size_line(widget)?)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_section_is_left_out_of_the_top_and_of_the_shares() {
        let items = json!([
            {"name": "\"function names\" subsection", "shallow_size": 50},
            {"name": "big", "shallow_size": 30},
            {"name": "small", "shallow_size": 10},
            {"name": "\"local names\" subsection", "shallow_size": 5},
            {"name": "tiny", "shallow_size": 10},
        ]);
        let top = top_items(items.as_array().unwrap(), 2);
        assert_eq!(top.len(), 2);
        assert_eq!(top[0]["name"], "big");
        assert_eq!(top[0]["percent"], 60.0);
        assert_eq!(top[1]["name"], "small");
        assert_eq!(top[1]["percent"], 20.0);
    }
}
