//! End-to-end check of isolation mode (SPEC §10): the shop on `http://127.0.0.1:<p>`, the form's
//! frame on `http://localhost:<q>` (another host name and port: another origin) served from the
//! demo frame bundle and its headers, hostile scripts on the shop page that must learn nothing
//! and choose no recipient, and the genuine buyer flow sealing an address that the real CLI then
//! opens with the demo couriers' identities (and not with the test or the attacker's key).
//!
//! The caller builds `pkg/` first (`build_pkg`).

use std::{path::Path, process::Command};

use crate::{root, run, serve, Result};

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
/// free port). The frame is the demo bundle (`frame::demo_bundle`, built for this shop's
/// origin) served with its own `_headers`; the shop's CSP allows only that frame origin.
pub fn start(shop_port: u16, frame_port: u16) -> Result<Servers> {
    let (shop, frame) = (serve::listen(shop_port)?, serve::listen(frame_port)?);
    let port =
        |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).map_err(|e| e.to_string());
    let shop_origin = format!("http://127.0.0.1:{}", port(&shop)?);
    let frame_origin = format!("http://localhost:{}", port(&frame)?);
    let bundle = crate::frame::demo_bundle(&shop_origin)?;
    Ok(Servers {
        shop: serve::start_shop(shop, &root(), &frame_origin)?,
        frame: serve::start_frame(frame, &bundle)?,
        shop_origin,
        frame_origin,
    })
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

/// The SRI hash of each file of the frame bundle, computed here from the files as built.
fn integrity(bundle: &Path) -> Result<serde_json::Value> {
    let pinned = crate::read_json(&bundle.join("integrity.json"))?;
    let mut map = serde_json::Map::new();
    for url in pinned.as_object().into_iter().flatten().map(|(u, _)| u) {
        let path = bundle.join(url.trim_start_matches('/'));
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        map.insert(url.clone(), serve::sri(&bytes).into());
    }
    if map.len() < 5 {
        return Err(format!(
            "the frame bundle pins {} files, expected 5",
            map.len()
        ));
    }
    Ok(map.into())
}

/// The isolation e2e: `tests/e2e/isolation.mjs` in Chromium, then `sealpost open` on what the
/// page obtained: each demo courier opens it, the public test key and the attacker cannot.
pub fn e2e() -> Result {
    let cli = crate::build_cli()?;
    let servers = start(0, 0)?;
    let out_dir = root().join("target/e2e-isolation");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let sri_file = out_dir.join("integrity.json");
    let sri = integrity(&root().join("target/frame-demo"))?;
    std::fs::write(&sri_file, sri.to_string())
        .map_err(|e| format!("{}: {e}", sri_file.display()))?;
    // The attacker's own key pair: the hostile page tries to make the form seal to it.
    let attacker = out_dir.join("attacker.key");
    let _ = std::fs::remove_file(&attacker);
    let keygen = Command::new(&cli)
        .args(["keygen", "--unencrypted", "-o"])
        .arg(&attacker)
        .output()
        .map_err(|e| format!("sealpost keygen: {e}"))?;
    let attacker_public = String::from_utf8_lossy(&keygen.stdout).trim().to_owned();
    if !keygen.status.success() || !attacker_public.starts_with("sp1") {
        return Err(format!(
            "sealpost keygen failed: {}",
            String::from_utf8_lossy(&keygen.stderr)
        ));
    }
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
        .arg(&sri_file)
        .arg(&attacker_public))?;
    let sealed = crate::read_json(&out_dir.join("sealed.json"))?;
    let envelopes = sealed["obtained"].as_array().cloned().unwrap_or_default();
    if envelopes.is_empty() {
        return Err("the isolation test obtained no envelope".into());
    }
    for (id, _, _, file) in crate::frame::DEMO_COURIERS {
        let key = root().join(file);
        crate::private(&key)?;
        for envelope in &envelopes {
            let opened = crate::cli_open(&cli, &key, &sealed["orderRef"], envelope)?;
            crate::same_address(
                &format!("isolated form, courier {id}"),
                &opened,
                &sealed["expected"],
            )?;
        }
    }
    // Neither the public test key nor the attacker's key is a recipient of any of them.
    let test_key = root().join("www/demo-courier.key");
    crate::private(&test_key)?;
    for key in [&test_key, &attacker] {
        for envelope in &envelopes {
            crate::cli_refuses(&cli, key, &sealed["orderRef"], envelope, "not_a_recipient")?;
        }
    }
    eprintln!(
        "xtask: {} envelope(s) the shop page obtained open with the policy's couriers only (not the test key, not the attacker's)",
        envelopes.len()
    );
    check_served_integrity(&out_dir.join("frame.html"), &sri)
}

/// The frame page the browser received (saved by isolation.mjs) names exactly the hashes
/// computed here from the bundle's files.
fn check_served_integrity(frame_html: &Path, sri: &serde_json::Value) -> Result {
    let html = std::fs::read_to_string(frame_html)
        .map_err(|e| format!("{}: {e}", frame_html.display()))?;
    let pinned = sri.as_object().into_iter().flatten().count();
    for (url, hash) in sri.as_object().into_iter().flatten() {
        let hash = hash.as_str().unwrap_or("");
        if !html.contains(&format!("\"{hash}\"")) {
            return Err(format!("the frame page does not pin {url} to {hash}"));
        }
    }
    eprintln!("xtask: the frame page pins {pinned} files with SRI hashes equal to the built ones");
    Ok(())
}

/// Both demo checkouts in Firefox (`tests/e2e/firefox.mjs`, WebDriver BiDi), then the real CLI
/// opens what each sealed: the inline one with the test key, the isolated one with `sf`.
pub fn e2e_firefox() -> Result {
    e2e_in("firefox")
}

/// The same in WebKit (`tests/e2e/webkit.mjs`: WebKitWebDriver and MiniBrowser under Xvfb).
pub fn e2e_webkit() -> Result {
    e2e_in("webkit")
}

fn e2e_in(browser: &str) -> Result {
    let cli = crate::build_cli()?;
    let servers = start(0, 0)?;
    let out_dir = root().join(format!("target/e2e-{browser}"));
    run(Command::new("node")
        .current_dir(root().join("tests/e2e"))
        .arg(format!("{browser}.mjs"))
        .arg(&servers.shop_origin)
        .arg(&servers.frame_origin)
        .arg(&out_dir))?;
    let sealed = crate::read_json(&out_dir.join(format!("sealed-{browser}.json")))?;
    for (which, key) in [
        ("inline", "www/demo-courier.key"),
        ("isolated", "www/demo-couriers/sf.key"),
    ] {
        let key = root().join(key);
        crate::private(&key)?;
        let s = &sealed[which];
        let opened = crate::cli_open(&cli, &key, &s["orderRef"], &s["envelope"])?;
        crate::same_address(
            &format!("{browser}, {which} checkout"),
            &opened,
            &sealed["expected"],
        )?;
    }
    Ok(())
}
