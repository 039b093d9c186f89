//! End-to-end check of isolation mode (SPEC §10): the shop on `http://127.0.0.1:<p>`, the form's
//! frame on `http://localhost:<q>` (another host name and port: another origin), a hostile script
//! on the shop page that must learn nothing, and the genuine buyer flow sealing an address that
//! the real CLI then opens with the demo courier's identity.
//!
//! The caller builds `pkg/` first (`build_pkg`).

use std::{path::Path, process::Command};

use crate::{root, run, serve, Result};

/// The files the frame page pins with Subresource Integrity, as URL paths on the frame origin
/// and files under the workspace root.
const PINNED: [(&str, &str); 5] = [
    ("/frame/frame.js", "www/frame/frame.js"),
    ("/frame/frame.css", "www/frame/frame.css"),
    ("/pkg/index.js", "pkg/index.js"),
    ("/pkg/sealpost.js", "pkg/sealpost.js"),
    ("/pkg/sealpost_bg.wasm", "pkg/sealpost_bg.wasm"),
];

/// The shop and the frame server, each on its own origin.
pub struct Servers {
    pub shop: serve::Server,
    pub frame: serve::Server,
    pub shop_origin: String,
    pub frame_origin: String,
}

impl Servers {
    /// Serves until the process ends.
    pub fn wait(self) {
        self.shop.wait();
        self.frame.wait();
    }
}

/// Starts the shop on 127.0.0.1:`shop_port` and the frame on localhost:`frame_port` (0 = any
/// free port), each with its CSP naming the other (`frame-src` / `frame-ancestors`).
pub fn start(shop_port: u16, frame_port: u16) -> Result<Servers> {
    copy_host_script()?;
    let (shop, frame) = (serve::listen(shop_port)?, serve::listen(frame_port)?);
    let port =
        |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    let shop_origin = format!("http://127.0.0.1:{}", port(&shop)?);
    let frame_origin = format!("http://localhost:{}", port(&frame)?);
    let dir = root();
    Ok(Servers {
        shop: serve::start_shop(shop, &dir, &frame_origin)?,
        frame: serve::start_frame(frame, &dir, std::slice::from_ref(&shop_origin))?,
        shop_origin,
        frame_origin,
    })
}

/// `pkg/isolated.js`, the host half of isolation mode, until `build_pkg` copies it with the
/// other files of `src/js/`.
fn copy_host_script() -> Result {
    let (from, to) = (
        root().join("src/js/isolated.js"),
        root().join("pkg/isolated.js"),
    );
    std::fs::copy(&from, &to)
        .map(|_| ())
        .map_err(|e| format!("{} → {}: {e}", from.display(), to.display()))
}

/// `cargo xtask demo`'s isolation half: the shop on 127.0.0.1:`shop_port` (its inline demo at
/// `/`, the isolated one at `/isolated.html`) and the frame on localhost:`shop_port + 1`.
pub fn demo(shop_port: u16) -> Result<Servers> {
    let servers = start(
        shop_port,
        shop_port.checked_add(1).ok_or("no port after 65535")?,
    )?;
    println!("\nsealpost demo shop: {}/", servers.shop_origin);
    println!(
        "isolation mode: {}/isolated.html (form served from {})",
        servers.shop_origin, servers.frame_origin
    );
    Ok(servers)
}

/// The SRI hash of each pinned file, as `{ "/url/path": "sha384-…" }`.
fn integrity() -> Result<serde_json::Value> {
    let mut map = serde_json::Map::new();
    for (url, file) in PINNED {
        let path = root().join(file);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        map.insert(url.to_owned(), serve::sri(&bytes).into());
    }
    Ok(map.into())
}

/// The isolation e2e: `tests/e2e/isolation.mjs` in Chromium, then `sealpost open` on its result.
pub fn e2e() -> Result {
    let cli = crate::build_cli()?;
    let servers = start(0, 0)?;
    let out_dir = root().join("target/e2e-isolation");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let sri_file = out_dir.join("integrity.json");
    let sri = integrity()?;
    std::fs::write(&sri_file, sri.to_string())
        .map_err(|e| format!("{}: {e}", sri_file.display()))?;
    eprintln!(
        "xtask: shop {} embeds frame {}",
        servers.shop_origin, servers.frame_origin
    );
    run(Command::new("node")
        .current_dir(root().join("tests/e2e"))
        .arg("isolation.mjs")
        .arg(format!(
            "{}/isolated.html?frame={}",
            servers.shop_origin, servers.frame_origin
        ))
        .arg(&servers.frame_origin)
        .arg(&out_dir)
        .arg(&sri_file))?;
    let sealed = crate::read_json(&out_dir.join("sealed.json"))?;
    let key = root().join("www/demo-courier.key");
    crate::private(&key)?;
    let opened = crate::cli_open(&cli, &key, &sealed["orderRef"], &sealed["envelope"])?;
    crate::same_address("isolated form", &opened, &sealed["expected"])?;
    check_served_integrity(&out_dir.join("frame.html"), &sri)
}

/// The frame page the browser received (saved by isolation.mjs) names exactly the hashes
/// computed here from the files on disk.
fn check_served_integrity(frame_html: &Path, sri: &serde_json::Value) -> Result {
    let html = std::fs::read_to_string(frame_html)
        .map_err(|e| format!("{}: {e}", frame_html.display()))?;
    for (url, hash) in sri.as_object().into_iter().flatten() {
        let hash = hash.as_str().unwrap_or("");
        if !html.contains(hash) {
            return Err(format!("the frame page does not pin {url} to {hash}"));
        }
    }
    eprintln!(
        "xtask: the frame page pins {} files with SRI hashes equal to the built ones",
        PINNED.len()
    );
    Ok(())
}
