//! The README's measured figures (issue 16): each comes from a bench's JSON under `target/bench/`
//! and is written into README.md between `<!-- bench:NAME:begin -->` and
//! `<!-- bench:NAME:end -->`, one region per bench (`widget`, `size`, `cli`, `peers`). A region
//! whose bench did not run keeps its text, and with it the date line of the run it shows.
//!
//! Goals are stated once, below; a row's goal cell is computed from its figure, so the status
//! can never disagree with the figure. Figures are never pass/fail: the machine is shared.

use serde_json::Value;

use crate::Result;

#[derive(Clone, Copy, Debug)]
pub enum Bound {
    AtMost,
    AtLeast,
}

/// A goal: the figure must stay at most / at least `limit`; `text` says so in the README.
#[derive(Clone, Copy, Debug)]
pub struct Goal {
    pub bound: Bound,
    pub limit: f64,
    pub text: &'static str,
}

impl Goal {
    pub fn met(&self, figure: f64) -> bool {
        match self.bound {
            Bound::AtMost => figure <= self.limit,
            Bound::AtLeast => figure >= self.limit,
        }
    }

    /// The goal column: "≤ 45 KB: met" or "≤ 45 KB: **not met**".
    pub fn status(&self, figure: f64) -> String {
        let verdict = if self.met(figure) {
            "met"
        } else {
            "**not met**"
        };
        format!("{}: {verdict}", self.text)
    }
}

const fn at_most(limit: f64, text: &'static str) -> Goal {
    Goal {
        bound: Bound::AtMost,
        limit,
        text,
    }
}

const fn at_least(limit: f64, text: &'static str) -> Goal {
    Goal {
        bound: Bound::AtLeast,
        limit,
        text,
    }
}

/// What the inline page ships (wasm + glue + index.js), gzip, in bytes.
pub const WIDGET_GZIP: Goal = at_most(45.0 * 1024.0, "≤ 45 KB");
/// Package script loaded → `ready`, ms, in each browser.
pub const READY_MS: Goal = at_most(30.0, "≤ 30 ms");
/// One seal, ms, in each engine.
pub const SEAL_MS: Goal = at_most(0.30, "≤ 0.30 ms");
/// `open --batch -j 1`: one raw DH ÷ CPU time per open.
pub const BATCH_SHARE_OF_FLOOR: Goal = at_least(0.90, "≥ 90 % of the DH floor");
/// `open --batch -j N` over `-j 1`, divided by N.
pub const BATCH_SPEEDUP_PER_CORE: Goal = at_least(0.90, "≥ 0.9× per core");
/// `open --batch` peak RSS, MiB.
pub const BATCH_PEAK_MIB: Goal = at_most(64.0, "≤ 64 MiB");
/// `open --batch` peak RSS for 10× the records ÷ peak RSS.
pub const BATCH_RSS_GROWTH: Goal = at_most(1.10, "flat (≤ +10 % for 10× the records)");
/// `label --batch` to one PDF: peak RSS for 10× the labels ÷ peak RSS (issue #19).
pub const LABEL_RSS_GROWTH: Goal = at_most(1.10, "flat (≤ +10 % for 10× the labels)");
/// Best HPKE peer's time per seal ÷ sealpost's, per engine.
pub const PEERS_SEAL_SPEEDUP: Goal = at_least(2.0, "≥ 2× faster than the best HPKE peer");
/// sealpost's crypto path (wasm + glue), gzip ÷ the smallest same-suite (HPKE) peer's.
pub const PEERS_SIZE_RATIO: Goal = at_most(1.0, "no larger than a same-suite peer");

/// Every goal above (the tests check each one's status flips at its limit).
#[cfg(test)]
const GOALS: [(&str, Goal); 10] = [
    ("widget gzip bytes", WIDGET_GZIP),
    ("ready ms", READY_MS),
    ("seal ms", SEAL_MS),
    ("batch share of the DH floor", BATCH_SHARE_OF_FLOOR),
    ("batch speed-up per core", BATCH_SPEEDUP_PER_CORE),
    ("batch peak RSS MiB", BATCH_PEAK_MIB),
    ("batch RSS growth", BATCH_RSS_GROWTH),
    ("label RSS growth", LABEL_RSS_GROWTH),
    ("peers seal speed-up", PEERS_SEAL_SPEEDUP),
    ("peers size ratio", PEERS_SIZE_RATIO),
];

fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- bench:{name}:begin -->"),
        format!("<!-- bench:{name}:end -->"),
    )
}

/// `text` with the lines between the markers of `name` replaced by `body`; the markers and
/// everything outside them unchanged. A missing, repeated or misordered marker is an error.
pub fn replace_region(text: &str, name: &str, body: &str) -> Result<String> {
    let (begin, end) = markers(name);
    let count = |m: &str| text.matches(m).count();
    if count(&begin) != 1 || count(&end) != 1 {
        return Err(format!(
            "expected one `{begin}` and one `{end}`, found {} and {}",
            count(&begin),
            count(&end)
        ));
    }
    let (Some(b), Some(e)) = (text.find(&begin), text.find(&end)) else {
        return Err(format!("`{begin}` or `{end}` is missing"));
    };
    let after_begin = b + begin.len();
    if e < after_begin {
        return Err(format!("`{end}` comes before `{begin}`"));
    }
    let (head, tail) = (text.get(..after_begin), text.get(e..));
    let (Some(head), Some(tail)) = (head, tail) else {
        return Err(format!(
            "markers of `{name}` are not on character boundaries"
        ));
    };
    Ok(format!("{head}\n{}\n{tail}", body.trim_matches('\n')))
}

/// Rewrites the regions of `file` (relative to the workspace root) and writes it back.
pub fn publish(file: &str, regions: &[(&str, String)]) -> Result {
    let path = crate::root().join(file);
    let mut text =
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (name, body) in regions {
        text = replace_region(&text, name, body).map_err(|e| format!("{file}: {e}"))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    let names: Vec<&str> = regions.iter().map(|(n, _)| *n).collect();
    eprintln!("xtask: {file}: rewrote bench regions {}", names.join(", "));
    Ok(())
}

/// `cargo xtask bench readme`: rewrites the regions from the JSON files already in
/// `target/bench/` (as the last run of each bench left them), running no bench.
pub fn republish() -> Result {
    type Render = fn(&Value) -> Result<String>;
    let renders: [(&str, &str, Render); 4] = [
        ("widget", "widget", widget_region),
        ("size", "size", size_region),
        ("cli", "cli", crate::bench_cli::region),
        ("peers", "peers", peers_region),
    ];
    let mut regions = Vec::new();
    for (region, file, render) in renders {
        let path = crate::root()
            .join("target/bench")
            .join(format!("{file}.json"));
        if path.is_file() {
            regions.push((region, render(&crate::read_json(&path)?)?));
        } else {
            eprintln!("xtask: no {}: the `{region}` region stays", path.display());
        }
    }
    publish("README.md", &regions)
}

// ------------------------------------------------------------------------------- reading JSON

/// The number at a JSON pointer (`/sizes/total/gzip`); absent or not a number is an error.
pub fn num(v: &Value, pointer: &str) -> Result<f64> {
    v.pointer(pointer)
        .and_then(Value::as_f64)
        .ok_or_else(|| format!("bench JSON has no number at {pointer}"))
}

/// The string at a JSON pointer.
pub fn text<'v>(v: &'v Value, pointer: &str) -> Result<&'v str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("bench JSON has no string at {pointer}"))
}

// ------------------------------------------------------------------------------------- the host

/// The machine a bench runs on, and the load average when it starts; `finish` adds the end's.
#[derive(Debug)]
pub struct Host {
    date: String,
    load_start: String,
}

fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    fields.join(" ")
}

/// Call when the bench starts (after setup and builds).
pub fn host_start() -> Host {
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    Host {
        date,
        load_start: load_average(),
    }
}

impl Host {
    /// `{date, cpu, cores, loadAverage: {start, end}}`, the end's taken now.
    pub fn finish(self) -> Value {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
            .map_or("unknown CPU", |(_, m)| m.trim());
        serde_json::json!({
            "date": self.date,
            "cpu": cpu,
            "cores": std::thread::available_parallelism().map_or(1, |n| n.get()),
            "loadAverage": { "start": self.load_start, "end": load_average() },
        })
    }
}

/// Writes `value` as pretty JSON to `target/bench/NAME.json`.
pub fn write_json(name: &str, value: &Value) -> Result {
    let path = crate::root()
        .join("target/bench")
        .join(format!("{name}.json"));
    std::fs::write(&path, format!("{value:#}\n"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

// ---------------------------------------------------------------------------------- formatting

fn kb(bytes: f64) -> String {
    format!("{:.1} KB", bytes / 1024.0)
}

/// An integer with thousands separators: 15551 → "15,551".
fn thousands(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A symbol without rustc's hashes: the `::h0123…` suffix and `[0123…]` crate disambiguators.
fn short_name(symbol: &str) -> String {
    let is_hash = |h: &str| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit());
    let mut out = String::new();
    let mut rest = symbol;
    while let Some(i) = rest.find('[') {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        match after.get(1..17).filter(|h| is_hash(h)) {
            Some(_) if after.get(17..18) == Some("]") => rest = after.get(18..).unwrap_or(""),
            _ => {
                out.push('[');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    match out.rsplit_once("::h") {
        Some((head, hash)) if is_hash(hash) => head.to_owned(),
        _ => out,
    }
}

/// `firefox/153.8.0` → `153.8.0`.
fn bare_version(v: &str) -> &str {
    v.rsplit('/').next().unwrap_or(v)
}

/// The provenance line of a region: which command, when, on what, under which load.
fn provenance(command: &str, v: &Value, tools: &str) -> Result<String> {
    let date = text(v, "/host/date")?;
    let when = date.get(..16).unwrap_or(date).replace('T', " ");
    Ok(format!(
        "One run of `{command}`, {when} UTC, on {} ({} cores, shared), load average {} at the \
         start → {} at the end (1, 5, 15 min){tools}. Medians; on this machine absolute times \
         move ±30 % between runs: read ratios.",
        text(v, "/host/cpu")?,
        num(v, "/host/cores")?,
        text(v, "/host/loadAverage/start")?,
        text(v, "/host/loadAverage/end")?,
    ))
}

const TABLE_HEAD: &str = "| what | figure | goal |\n|---|---|---|";

// ------------------------------------------------------------------------------------ regions

/// The `widget` region, from `target/bench/widget.json`.
pub fn widget_region(w: &Value) -> Result<String> {
    let chromium = text(w, "/versions/chromium")?;
    let firefox = bare_version(text(w, "/firefox/version")?);
    let tools = format!(
        "; Node {}, Chromium {chromium}, Firefox {firefox}",
        text(w, "/versions/node")?.trim_start_matches('v'),
    );
    let gzip = num(w, "/sizes/total/gzip")?;
    let opt = if w.pointer("/host/wasmOpt").and_then(Value::as_bool) == Some(true) {
        "after `wasm-opt --merge-similar-functions -Oz --converge`"
    } else {
        "**without wasm-opt**"
    };
    let ready_c = num(w, "/readyAfterScriptMs")?;
    let ready_f = num(w, "/firefox/readyAfterScriptMs")?;
    let seal_c = num(w, "/sealMsChromium")?;
    let seal_f = num(w, "/firefox/sealMs")?;
    let seal_n = num(w, "/sealMsNode")?;
    let rows = [
        (
            "widget shipped to the inline page (wasm + glue + index.js), gzip".to_owned(),
            format!(
                "{} (wasm {}, {opt}); brotli {}; details in the size report below",
                kb(gzip),
                kb(num(w, "/sizes/sealpost_bg.wasm/gzip")?),
                kb(num(w, "/sizes/total/brotli")?),
            ),
            WIDGET_GZIP.status(gzip),
        ),
        (
            "package script loaded → `ready`, Chromium (median of 7 loads)".to_owned(),
            format!(
                "{ready_c:.1} ms (navigation → ready {:.1} ms)",
                num(w, "/readyAfterNavigationMs")?
            ),
            READY_MS.status(ready_c),
        ),
        (
            "package script loaded → `ready`, Firefox (median of 7 loads)".to_owned(),
            format!("{ready_f:.1} ms"),
            READY_MS.status(ready_f),
        ),
        (
            "one seal (Chinese address, one courier), Chromium".to_owned(),
            format!("{seal_c:.3} ms"),
            SEAL_MS.status(seal_c),
        ),
        (
            "one seal, Firefox".to_owned(),
            format!("{seal_f:.3} ms ({:.2}× Chromium's)", seal_f / seal_c),
            SEAL_MS.status(seal_f),
        ),
        (
            "one seal, Node".to_owned(),
            format!("{seal_n:.3} ms"),
            SEAL_MS.status(seal_n),
        ),
    ];
    let mut out = provenance("cargo xtask bench widget", w, &tools)?;
    out.push_str("\n\n");
    out.push_str(TABLE_HEAD);
    for (what, figure, goal) in rows {
        out.push_str(&format!("\n| {what} | {figure} | {goal} |"));
    }
    out.push_str(&phases_list(w)?);
    Ok(out)
}

/// Where `ready` goes in each browser, and ready with the README's preload hints: one line each,
/// from `/phases` (Chromium) and `/firefox/phases` of widget.json.
fn phases_list(w: &Value) -> Result<String> {
    let p = "/phases";
    let loads = num(w, &format!("{p}/loads"))?;
    let mut out = format!(
        "\n\nWhere `ready` goes (the same run; the widget alone on a bench page of \
         `tests/e2e/bench-site/`, median of {loads} fresh loads of each page, so the parts need \
         not add up exactly). Ready counts from the package script loaded; the first part runs \
         to the glue's `WebAssembly.{}` call and holds the module graph, its evaluation and the \
         wasm fetch (Resource Timing; its start relative to the script); compile: from that call \
         to the module; compile alone: `WebAssembly.compile` of the bytes from an ArrayBuffer, the \
         first in a fresh page; render: instance → `sealpost-ready` (glue start-up and the \
         form). Firefox reports whole milliseconds.\n",
        text(w, &format!("{p}/via"))?,
    );
    for (browser, p) in [("Chromium", "/phases"), ("Firefox", "/firefox/phases")] {
        let f = |k: &str| num(w, &format!("{p}/{k}"));
        let g = |k: &str| num(w, &format!("{p}/preload/{k}"));
        out.push_str(&format!(
            "\n- {browser}: ready {:.1} = to the compile call {:.1} (wasm fetch {:.1} ms, from \
             {:+.1} ms) + compile {:.1} + instantiate {:.1} + render {:.1} ms; compile alone \
             {:.1} ms. With the preload hints of [In the shop's checkout](#in-the-shops-checkout), \
             loads interleaved: ready {:.1} ms (to the compile call {:.1}, wasm fetch from \
             {:+.1} ms; at most {} wasm request(s) per load).",
            f("readyAfterScriptMs")?,
            f("toCompileMs")?,
            f("fetchMs")?,
            f("scriptToFetchMs")?,
            f("compileMs")?,
            f("instantiateMs")?,
            f("renderMs")?,
            f("compileAloneMs")?,
            g("readyAfterScriptMs")?,
            g("toCompileMs")?,
            g("scriptToFetchMs")?,
            g("wasmRequests")?,
        ));
    }
    Ok(out)
}

/// The `size` region, from `target/bench/size.json`.
pub fn size_region(s: &Value) -> Result<String> {
    let mut out = format!(
        "Size report of the same run (`target/bench/size.json`), {}: each file a page loads from \
         the package; gzip -9, brotli quality 11.\n\n\
         | file | loaded | raw | gzip | brotli |\n|---|---|---:|---:|---:|",
        text(s, "/host/date")?.get(..10).unwrap_or("?"),
    );
    let files = s
        .pointer("/files")
        .and_then(Value::as_array)
        .ok_or("size.json has no files")?;
    for f in files {
        out.push_str(&format!(
            "\n| {} | {} | {} | {} | {} |",
            text(f, "/file")?,
            text(f, "/loaded")?,
            thousands(num(f, "/raw")?),
            thousands(num(f, "/gzip")?),
            thousands(num(f, "/brotli")?),
        ));
    }
    let top = s
        .pointer("/wasmTop")
        .and_then(Value::as_array)
        .ok_or("size.json has no wasmTop")?;
    out.push_str(&format!(
        "\n\nThe wasm's {} largest items ({}; shallow size, share of the module without its \
         name section):\n\n| item | bytes | share |\n|---|---:|---:|",
        top.len(),
        text(s, "/wasmTopMethod")?,
    ));
    for item in top {
        out.push_str(&format!(
            "\n| `{}` | {} | {:.1} % |",
            short_name(text(item, "/name")?)
                .replace('|', "\\|")
                .replace('`', "'"),
            thousands(num(item, "/bytes")?),
            num(item, "/percent")?,
        ));
    }
    Ok(out)
}

/// The npm package README's `package-size` region: one line.
pub fn package_size_line(w: &Value) -> Result<String> {
    Ok(format!(
        "{} gzip for an inline page (wasm + glue + `index.js`; {} brotli), measured {} by \
         `cargo xtask bench widget`.",
        kb(num(w, "/sizes/total/gzip")?),
        kb(num(w, "/sizes/total/brotli")?),
        text(w, "/host/date")?.get(..10).unwrap_or("?"),
    ))
}

/// The `cli` region, from `target/bench/cli.json`.
pub fn cli_region(c: &Value) -> Result<String> {
    let us = |case: &str| num(c, &format!("/criterion/{case}")).map(|ns| ns / 1000.0);
    let (dh, seal, open, parsed, parse) = (
        us("dh")?,
        us("seal")?,
        us("open")?,
        us("openParsed")?,
        us("parse")?,
    );
    let records = num(c, "/batch/records")?;
    let cores = num(c, "/batch/cores")?;
    let batch_dh = num(c, "/batch/dhUs")?;
    let cpu_per_open = num(c, "/batch/one/cpuUsPerOpen")?;
    let share = batch_dh / cpu_per_open;
    let one_rate = num(c, "/batch/one/opensPerS")?;
    let all_rate = num(c, "/batch/all/opensPerS")?;
    let speedup = all_rate / one_rate;
    let small = num(c, "/batch/protected/smallPeakMiB")?;
    let big = num(c, "/batch/protected/peakMiB")?;
    let peak = small.max(big);
    let rows = [
        (
            "envelope, one courier, Chinese address".to_owned(),
            format!(
                "{} bytes binary, {} characters of text; +{} bytes per further courier",
                num(c, "/envelope/bytes")?,
                num(c, "/envelope/textChars")?,
                num(c, "/envelope/bytesPerFurtherCourier")?,
            ),
            String::new(),
        ),
        (
            "native seal / open (parse + open), one courier, criterion".to_owned(),
            format!(
                "{seal:.1} µs / {open:.1} µs = {:.1}× / {:.1}× one raw X25519 DH ({dh:.1} µs)",
                seal / dh,
                open / dh
            ),
            String::new(),
        ),
        (
            "open, criterion: already parsed / parse alone".to_owned(),
            format!("{parsed:.1} µs / {parse:.2} µs"),
            String::new(),
        ),
        (
            format!(
                "`open --batch`, {} envelopes, `-j 1` (fail-closed audit log included)",
                thousands(records)
            ),
            format!(
                "{} opens/s; {cpu_per_open:.1} µs CPU per open = {:.1} % of the DH floor \
                 ({batch_dh:.1} µs, same run)",
                thousands(one_rate),
                share * 100.0
            ),
            BATCH_SHARE_OF_FLOOR.status(share),
        ),
        (
            format!("`open --batch`, `-j {cores}`"),
            format!("{} opens/s, {speedup:.2}× over `-j 1`", thousands(all_rate)),
            format!(
                "{} (i.e. ≥ {:.2}× on {cores} cores)",
                BATCH_SPEEDUP_PER_CORE.status(speedup / cores),
                BATCH_SPEEDUP_PER_CORE.limit * cores
            ),
        ),
        (
            format!(
                "`open --batch` peak RSS, {} → {} records",
                thousands(num(c, "/batch/protected/smallRecords")?),
                thousands(records)
            ),
            format!(
                "{small:.1} → {big:.1} MiB (protected identity: Argon2id 32 MiB); plain identity \
                 {:.1} MiB",
                num(c, "/batch/one/peakMiB")?
            ),
            format!(
                "{}; {}",
                BATCH_PEAK_MIB.status(peak),
                BATCH_RSS_GROWTH.status(big / small)
            ),
        ),
    ];
    let mut out = provenance("cargo xtask bench cli", c, "; release build")?;
    out.push_str("\n\n");
    out.push_str(TABLE_HEAD);
    for (what, figure, goal) in rows {
        out.push_str(&format!("\n| {what} | {figure} | {goal} |"));
    }
    Ok(out)
}

/// The peers whose seal is HPKE like sealpost's (the sealed boxes are not the same suite).
const HPKE_PEERS: [&str; 3] = ["hpke-core-noble", "hpke-core-webcrypto", "hpke-panva"];
const PEER_ROWS: [(&str, &str, &str); 6] = [
    ("sealpost", "sealpost `seal()`, `crypto: 'auto'`", "yes"),
    (
        "hpke-core-noble",
        "@hpke/core + dhkem-x25519 + chacha20poly1305 (pure JS X25519)",
        "yes",
    ),
    (
        "hpke-core-webcrypto",
        "@hpke/core, WebCrypto X25519 + chacha20poly1305",
        "yes",
    ),
    (
        "hpke-panva",
        "hpke (panva), WebCrypto X25519 + hpke-noble ChaCha20",
        "yes",
    ),
    ("libsodium", "libsodium-wrappers `crypto_box_seal`", "no"),
    ("tweetnacl", "tweetnacl + tweetnacl-sealedbox-js", "no"),
];
/// `seal()` with each X25519 path forced (issue #17); 'auto' is the `sealpost` row. Then
/// sealpost's own share of the platform path: its wasm with an encapsulation given.
const SEALPOST_PATHS: [(&str, &str); 3] = [
    (
        "sealpost:platform",
        "&nbsp;&nbsp;`crypto: 'platform'`: WebCrypto X25519, the rest in wasm",
    ),
    (
        "sealpost:wasm",
        "&nbsp;&nbsp;`crypto: 'wasm'`: x25519-dalek in wasm",
    ),
    (
        "sealpost:work",
        "&nbsp;&nbsp;of which sealpost's own work on the platform path: the seal-only module with the key pair + DH given (address checks, record, key schedule, 2 AEAD seals, text)",
    ),
];
const ENGINES: [(&str, &str); 3] = [
    ("node", "Node"),
    ("chromium", "Chromium"),
    ("firefox", "Firefox"),
];

/// The `peers` region, from `target/bench/peers.json` (tests/bench-peers/bench.mjs).
pub fn peers_region(p: &Value) -> Result<String> {
    let ms = |id: &str, engine: &str| num(p, &format!("/seal/{id}/{engine}Ms"));
    let date = text(p, "/date")?;
    let mut out = format!(
        "One run of `cargo xtask bench peers`, {} UTC: {}; load average {} at the start → {} at \
         the end. Every case seals the same Chinese address ({} bytes of JSON for the peers) to \
         one X25519 key with a fresh ephemeral key; HPKE peers use a {}-byte info and a {}-byte \
         AAD like sealpost's; medians of {} interleaved rounds; ratios are peer ÷ sealpost (> 1: \
         sealpost faster).\n\n\
         | what | AAD | Node ms/seal | Chromium ms/seal | Firefox ms/seal | ÷ sealpost, Node | \
         ÷ sealpost, Chromium | ÷ sealpost, Firefox | gzip |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|",
        date.get(..16).unwrap_or(date).replace('T', " "),
        text(p, "/machine")?,
        text(p, "/loadAverage/start")?,
        text(p, "/loadAverage/end")?,
        num(p, "/method/addressJsonBytes")?,
        num(p, "/method/infoBytes")?,
        num(p, "/method/aadBytes")?,
        num(p, "/method/rounds")?,
    );
    for (id, label, aad) in PEER_ROWS {
        let mut cells = Vec::new();
        for (engine, _) in ENGINES {
            cells.push(format!("{:.3}", ms(id, engine)?));
        }
        for (engine, _) in ENGINES {
            cells.push(if id == "sealpost" {
                String::new()
            } else {
                format!("{:.2}×", ms(id, engine)? / ms("sealpost", engine)?)
            });
        }
        let gzip = num(p, &format!("/sizes/{id}/gzip"))?;
        cells.push(if id == "sealpost" {
            format!(
                "{} seal-only module (+{} index.js); {} the wasm path's module",
                kb(gzip),
                kb(num(p, "/sizes/sealpost/files/index.js/gzip")?),
                kb(num(p, "/sizes/sealpost/full/gzip")?)
            )
        } else {
            kb(gzip)
        });
        out.push_str(&format!("\n| {label} | {aad} | {} |", cells.join(" | ")));
        if id == "sealpost" {
            for (path, label) in SEALPOST_PATHS {
                let mut cells = Vec::new();
                for (engine, _) in ENGINES {
                    cells.push(format!("{:.3}", ms(path, engine)?));
                }
                out.push_str(&format!(
                    "\n| {label} | yes | {} | | | | |",
                    cells.join(" | ")
                ));
            }
        }
    }
    let floor = |id: &str| -> Result<String> {
        let mut cells = Vec::new();
        for (engine, _) in ENGINES {
            cells.push(format!(
                "{:.3} / {:.3}",
                ms("x25519:webcrypto", engine)?,
                ms(id, engine)?
            ));
        }
        Ok(cells.join(" | "))
    };
    out.push_str(&format!(
        "\n| X25519 key pair + one DH alone: WebCrypto / libsodium wasm | | {} | | | | |",
        floor("x25519:libsodium")?
    ));
    out.push_str(&format!(
        "\n| Chromium, one seal after 10 ms idle (a checkout's single seal; mean of 101): sealpost / @hpke/core WebCrypto / hpke (panva) | | | {:.3} / {:.3} / {:.3} | | | | | |",
        num(p, "/latencyChromium/sealpost")?,
        num(p, "/latencyChromium/hpke-core-webcrypto")?,
        num(p, "/latencyChromium/hpke-panva")?,
    ));
    out.push_str(&format!(
        "\n| Chromium cold start, import → ready: sealpost / hpke (panva) | | | {:.1} ms / {:.1} ms | | | | | |",
        num(p, "/coldChromium/sealpost/readyMs")?,
        num(p, "/coldChromium/hpke-panva/readyMs")?,
    ));
    let mut beside = Vec::new();
    for (engine, _) in ENGINES {
        let share = num(p, &format!("/overlap/{engine}/overlap"))?;
        beside.push(format!(
            "{:.0} % ({:.1} + {:.1} → {:.1} ms)",
            100.0 * share,
            num(p, &format!("/overlap/{engine}/cryptoMs"))?,
            num(p, &format!("/overlap/{engine}/busyMs"))?,
            num(p, &format!("/overlap/{engine}/bothMs"))?,
        ));
    }
    out.push_str(&format!(
        "\n| WebCrypto X25519 beside the page's own work: {} key pairs requested while a {:.0} ms task runs, share of the shorter hidden (100 %: on another thread; 0 %: they take turns) | | {} | | | | |",
        num(p, "/overlap/chromium/n")?,
        num(p, "/overlap/chromium/busyMs")?,
        beside.join(" | "),
    ));

    // the goals, per engine, against the best HPKE peer
    let mut speed = Vec::new();
    for (engine, name) in ENGINES {
        let mut best = f64::INFINITY;
        for id in HPKE_PEERS {
            best = best.min(ms(id, engine)?);
        }
        let ratio = best / ms("sealpost", engine)?;
        speed.push(format!(
            "{name} {ratio:.2}× ({})",
            if PEERS_SEAL_SPEEDUP.met(ratio) {
                "met"
            } else {
                "**not met**"
            }
        ));
    }
    let mut smallest = f64::INFINITY;
    for id in HPKE_PEERS {
        smallest = smallest.min(num(p, &format!("/sizes/{id}/gzip"))?);
    }
    let size_ratio = num(p, "/sizes/sealpost/gzip")? / smallest;
    out.push_str(&format!(
        "\n\nGoals, computed from this table: sealing {}: the best HPKE peer's time ÷ sealpost's \
         is {}. Crypto path {}: sealpost's seal-only module + glue is {size_ratio:.1}× the smallest HPKE \
         peer's gzip ({}).",
        PEERS_SEAL_SPEEDUP.text,
        speed.join(", "),
        PEERS_SIZE_RATIO.text,
        if PEERS_SIZE_RATIO.met(size_ratio) {
            "met"
        } else {
            "**not met**"
        },
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const README: &str = "# title\n\nintro\n\n<!-- bench:widget:begin -->\nold table\nold row\n\
                          <!-- bench:widget:end -->\n\nafter ü\n";

    #[test]
    fn the_marked_region_is_replaced_and_the_rest_untouched() {
        let out = replace_region(README, "widget", "\nnew table\n").unwrap();
        assert_eq!(
            out,
            "# title\n\nintro\n\n<!-- bench:widget:begin -->\nnew table\n\
             <!-- bench:widget:end -->\n\nafter ü\n"
        );
        // idempotent
        assert_eq!(replace_region(&out, "widget", "new table").unwrap(), out);
    }

    #[test]
    fn a_missing_repeated_or_misordered_marker_is_an_error() {
        assert!(replace_region(README, "cli", "x").is_err());
        let no_end = README.replace("<!-- bench:widget:end -->", "");
        assert!(replace_region(&no_end, "widget", "x").is_err());
        let twice = format!("{README}{README}");
        assert!(replace_region(&twice, "widget", "x").is_err());
        let swapped = "<!-- bench:widget:end -->\n<!-- bench:widget:begin -->\n";
        assert!(replace_region(swapped, "widget", "x").is_err());
    }

    #[test]
    fn the_readme_has_each_bench_region_once() {
        let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
        for name in ["widget", "size", "cli", "peers"] {
            let out = replace_region(&readme, name, "x").unwrap();
            assert!(out.contains(&format!(
                "<!-- bench:{name}:begin -->\nx\n<!-- bench:{name}:end -->"
            )));
        }
    }

    #[test]
    fn goal_status_follows_the_figure() {
        assert_eq!(WIDGET_GZIP.status(46_080.0), "≤ 45 KB: met");
        assert_eq!(WIDGET_GZIP.status(46_081.0), "≤ 45 KB: **not met**");
        assert!(BATCH_SHARE_OF_FLOOR.met(0.9) && !BATCH_SHARE_OF_FLOOR.met(0.89));
        for (name, goal) in GOALS {
            assert!(goal.limit > 0.0, "{name}");
            let (inside, outside) = match goal.bound {
                Bound::AtMost => (goal.limit * 0.5, goal.limit * 1.5),
                Bound::AtLeast => (goal.limit * 1.5, goal.limit * 0.5),
            };
            assert!(goal.status(inside).ends_with(": met"), "{name}");
            assert!(goal.status(outside).ends_with("**not met**"), "{name}");
        }
    }

    fn widget(gzip: f64, seal_chromium: f64) -> Value {
        serde_json::json!({
            "host": {"date": "2026-12-01T22:50:00.000Z", "cpu": "AMD EPYC", "cores": 2,
                     "loadAverage": {"start": "0.50 1.00 1.50", "end": "1.00 1.10 1.50"},
                     "wasmOpt": true},
            "versions": {"node": "v20.20.2", "chromium": "156.0.1"},
            "sizes": {"total": {"gzip": gzip, "brotli": 90_000}, "sealpost_bg.wasm": {"gzip": 100_000}},
            "readyAfterScriptMs": 110.8, "readyAfterNavigationMs": 239.9,
            "sealMsChromium": seal_chromium, "sealMsNode": 1.0,
            "firefox": {"version": "firefox/153.8.0", "readyAfterScriptMs": 25.0, "sealMs": 0.82,
                        "phases": phases(30.0)},
            "phases": phases(110.0),
        })
    }

    fn phases(ready: f64) -> Value {
        let one = |ready: f64| {
            serde_json::json!({
                "readyAfterScriptMs": ready, "scriptToFetchMs": 2.0, "fetchMs": 1.5,
                "compileMs": ready - 20.0, "toCompileMs": 2.5, "instantiateMs": 0.5,
                "renderMs": 17.0, "wasmEntries": 1, "wasmRequests": 1,
            })
        };
        let mut p = one(ready);
        p["loads"] = 7.into();
        p["via"] = "instantiateStreaming".into();
        p["compileAloneMs"] = (ready - 25.0).into();
        p["preload"] = one(ready - 1.0);
        p
    }

    #[test]
    fn the_widget_region_carries_the_figures_and_their_computed_status() {
        let region = widget_region(&widget(123_614.0, 0.2)).unwrap();
        assert!(region.contains("2026-12-01 22:50 UTC"), "{region}");
        assert!(region.contains("load average 0.50 1.00 1.50 at the start"));
        assert!(region.contains("Firefox 153.8.0"));
        assert!(region.contains(
            "| 120.7 KB (wasm 97.7 KB, after `wasm-opt --merge-similar-functions -Oz --converge`)"
        ));
        assert!(region.contains("≤ 45 KB: **not met**"));
        // Firefox ready 25 ms meets the goal, Chromium's 110.8 ms does not
        assert!(region.contains("| 25.0 ms | ≤ 30 ms: met |"), "{region}");
        assert!(
            region.contains("| 110.8 ms (navigation → ready 239.9 ms) | ≤ 30 ms: **not met** |")
        );
        assert!(region.contains("| 0.200 ms | ≤ 0.30 ms: met |"));
        // where ready goes, per browser, with and without preload hints
        assert!(
            region.contains("glue's `WebAssembly.instantiateStreaming` call"),
            "{region}"
        );
        assert!(
            region.contains(
                "- Chromium: ready 110.0 = to the compile call 2.5 (wasm fetch 1.5 ms, from +2.0 \
             ms) + compile 90.0 + instantiate 0.5 + render 17.0 ms; compile alone 85.0 ms."
            ),
            "{region}"
        );
        assert!(region.contains("- Firefox: ready 30.0 ="), "{region}");
        assert!(region.contains("interleaved: ready 109.0 ms (to the compile call 2.5, wasm fetch from +2.0 ms; at most 1 wasm request(s) per load)."), "{region}");
        // a smaller package flips the size goal
        let small = widget_region(&widget(40_000.0, 0.2)).unwrap();
        assert!(small.contains("| 39.1 KB") && small.contains("≤ 45 KB: met |"));
        // and a region can be published into a README with markers
        let out = replace_region(README, "widget", &region).unwrap();
        assert!(out.starts_with("# title\n\nintro\n\n<!-- bench:widget:begin -->\nOne run of"));
        assert!(out.ends_with("<!-- bench:widget:end -->\n\nafter ü\n"));
    }

    #[test]
    fn a_figure_missing_from_the_json_is_an_error() {
        let mut w = widget(1.0, 1.0);
        if let Some(o) = w.as_object_mut() {
            o.remove("sealMsNode");
        }
        let err = widget_region(&w).unwrap_err();
        assert!(err.contains("/sealMsNode"), "{err}");
    }

    #[test]
    fn symbols_lose_their_hashes() {
        assert_eq!(
            short_name("<dlmalloc[e24a27700634d609]::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc"),
            "<dlmalloc::Dlmalloc<dlmalloc::sys::System>>::malloc"
        );
        assert_eq!(
            short_name("sha2::sha512::compress512::h3140df98183a92a0"),
            "sha2::sha512::compress512"
        );
        assert_eq!(
            short_name("data segment \".rodata\""),
            "data segment \".rodata\""
        );
        assert_eq!(short_name("a[i]::hxyz"), "a[i]::hxyz");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(15_551.4), "15,551");
        assert_eq!(thousands(100_000.0), "100,000");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
