//! The deployable isolation frame (SPEC.md §10.5–10.6): `cargo xtask frame --policy FILE --out
//! DIR [--directory FILE]` turns the platform's frame policy into a static site for the
//! platform's own form origin: the frame page with the policy built in and every file pinned by
//! Subresource Integrity, the package's script and wasm, its address data (`/pkg/data/`), the
//! response headers it needs (CSP with `frame-ancestors` from the policy's embedders) as
//! `_headers` and as an nginx snippet.
//!
//! The demo and the end-to-end tests serve a bundle built the same way from
//! `www/frame-policy.demo.json`, with a demo directory signed here by a public demo platform key.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use serde_json::Value;

use crate::{root, serve, Result};

/// Files of the site: (URL path, source under the workspace root). The frame page is written
/// separately (policy and hashes filled in).
const FILES: [(&str, &str); 5] = [
    ("/frame/frame.js", "www/frame/frame.js"),
    ("/frame/frame.css", "www/frame/frame.css"),
    ("/pkg/index.js", "pkg/index.js"),
    ("/pkg/sealpost.js", "pkg/sealpost.js"),
    ("/pkg/sealpost_bg.wasm", "pkg/sealpost_bg.wasm"),
];
const PAGE: &str = "/frame/index.html";
/// The demo policy's shop, replaced by the demo shop's real origin when it runs elsewhere.
const DEMO_SHOP: &str = "http://127.0.0.1:8080";
pub const DEMO_POLICY: &str = "www/frame-policy.demo.json";
/// The demo couriers (id, 中文名, English name, identity file): the demo directory lists them.
pub const DEMO_COURIERS: [(&str, &str, &str, &str); 2] = [
    ("sf", "顺丰速运", "SF Express", "www/demo-couriers/sf.key"),
    (
        "zto",
        "中通快递",
        "ZTO Express",
        "www/demo-couriers/zto.key",
    ),
];
/// Seed of the demo platform signing key. Public on purpose: it signs only the demo directory.
const DEMO_PLATFORM_SEED_LABEL: &[u8] = b"sealpost demo platform key: public, never for production";

/// A checked frame policy (SPEC §10.6).
#[derive(Debug, Clone)]
pub struct Policy {
    pub json: Value,
    pub embedders: Vec<String>,
    pub directory_path: String,
    pub test_mode: bool,
}

fn disclose_ok(v: &Value) -> bool {
    matches!(v.as_str(), Some("none" | "country" | "province"))
}

/// An origin as browsers serialize it: `http(s)://host[:port]`, lower case, no default port
/// (`:443` for https, `:80` for http: browsers drop it, so it would never match), nothing after.
fn origin_ok(s: &str) -> bool {
    let (rest, default_port) = if let Some(r) = s.strip_prefix("https://") {
        (r, "443")
    } else if let Some(r) = s.strip_prefix("http://") {
        (r, "80")
    } else {
        return false;
    };
    // `[v6 address]` or a lower-case DNS name / IPv4, then an optional `:port`
    let (host_ok, port) = match rest.strip_prefix('[').and_then(|v6| v6.split_once(']')) {
        Some((addr, after)) => (
            !addr.is_empty()
                && addr
                    .bytes()
                    .all(|c| c.is_ascii_digit() || matches!(c, b'a'..=b'f' | b':' | b'.')),
            (!after.is_empty()).then(|| after.strip_prefix(':').unwrap_or("x")),
        ),
        None if rest.starts_with('[') => return false,
        None => {
            let (host, port) = match rest.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            };
            let ok = !host.is_empty()
                && !host.starts_with(['.', '-'])
                && host.bytes().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-')
                });
            (ok, port)
        }
    };
    let port_ok = port.is_none_or(|p| {
        !p.starts_with('0') && p != default_port && p.parse::<u16>().is_ok_and(|n| n > 0)
    });
    host_ok && port_ok
}

/// Where the signed directory may be published: a path of the frame's own origin that is not
/// one of the site's own files.
fn directory_path_ok(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.len() > 1
        && p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'.' | b'-' | b'_'))
        && !p.contains("..")
        && !p.starts_with("/frame/")
        && !p.starts_with("/pkg/")
        && !p.starts_with("/_")
        && !p.ends_with('/')
        && !["/nginx.conf", "/integrity.json"].contains(&p)
}

fn courier_id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// Checks a policy strictly: unknown keys are errors (a typo must not silently weaken it).
pub fn parse_policy(text: &str) -> Result<Policy> {
    let json: Value = serde_json::from_str(text).map_err(|e| format!("policy: not JSON: {e}"))?;
    let o = json.as_object().ok_or("policy: not a JSON object")?;
    for k in o.keys() {
        if ![
            "sealpostFramePolicy",
            "platformKey",
            "directory",
            "testMode",
            "embedders",
        ]
        .contains(&k.as_str())
        {
            return Err(format!("policy: unknown key {k:?}"));
        }
    }
    if o.get("sealpostFramePolicy") != Some(&Value::from(1)) {
        return Err("policy: \"sealpostFramePolicy\" must be 1".into());
    }
    let key = o
        .get("platformKey")
        .and_then(Value::as_str)
        .ok_or("policy: \"platformKey\" (spp1…) is missing")?;
    key.parse::<sealpost::directory::PlatformPublicKey>()
        .map_err(|e| format!("policy: platformKey: {e}"))?;
    let directory_path = o
        .get("directory")
        .and_then(Value::as_str)
        .ok_or("policy: \"directory\" (a path on the frame's origin) is missing")?
        .to_owned();
    if !directory_path_ok(&directory_path) {
        return Err(format!(
            "policy: directory {directory_path:?} must be a path on the frame's own origin, outside /frame/ and /pkg/, like \"/directory.spdir\""
        ));
    }
    let test_mode = o
        .get("testMode")
        .and_then(Value::as_bool)
        .ok_or("policy: \"testMode\" must be true or false (false in production)")?;
    let list = o
        .get("embedders")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or("policy: \"embedders\" must list at least one shop")?;
    let mut embedders = Vec::new();
    for e in list {
        let e = e.as_object().ok_or("policy: each embedder is an object")?;
        for k in e.keys() {
            if !["origin", "couriers", "disclose"].contains(&k.as_str()) {
                return Err(format!("policy: embedder: unknown key {k:?}"));
            }
        }
        let origin = e.get("origin").and_then(Value::as_str).unwrap_or("");
        if !origin_ok(origin) {
            return Err(format!(
                "policy: embedder origin {origin:?} is not an origin (scheme://host[:port], lower case, no path)"
            ));
        }
        if embedders.iter().any(|o| o == origin) {
            return Err(format!("policy: embedder {origin} is listed twice"));
        }
        let couriers = e
            .get("couriers")
            .and_then(Value::as_array)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                format!("policy: embedder {origin}: \"couriers\" must list courier ids")
            })?;
        if !couriers
            .iter()
            .all(|c| c.as_str().is_some_and(courier_id_ok))
        {
            return Err(format!(
                "policy: embedder {origin}: courier ids are 1 to 32 of a-z, 0-9 and '-'"
            ));
        }
        if !e.get("disclose").is_some_and(disclose_ok) {
            return Err(format!(
                "policy: embedder {origin}: \"disclose\" must be \"none\", \"country\" or \"province\""
            ));
        }
        embedders.push(origin.to_owned());
    }
    Ok(Policy {
        json,
        embedders,
        directory_path,
        test_mode,
    })
}

/// The frame's Content-Security-Policy: its own scripts, styles and wasm only, fetches only to
/// its own origin, no form posted anywhere, embeddable only by the policy's shops.
pub fn csp(embedders: &[String]) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors {}",
        if embedders.is_empty() {
            "'none'".to_owned()
        } else {
            embedders.join(" ")
        }
    )
}

/// Every response header the frame site sends (each path).
pub fn headers(policy: &Policy) -> Vec<(String, String)> {
    [
        ("Content-Security-Policy", csp(&policy.embedders)),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("Cross-Origin-Resource-Policy", "same-origin".into()),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), clipboard-read=()"
                .into(),
        ),
        // The page and the directory change with each deployment and issue.
        ("Cache-Control", "no-cache".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn write(path: &Path, bytes: &[u8]) -> Result {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Copies the folder `from` (files and folders) to `to`.
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry
            .map_err(|e| format!("{}: {e}", from.display()))?
            .path();
        let Some(name) = path.file_name() else {
            continue;
        };
        if path.is_dir() {
            copy_dir(&path, &to.join(name))?;
        } else {
            write(&to.join(name), &read(&path)?)?;
        }
    }
    Ok(())
}

/// The site's path for a URL path.
fn site_path(out: &Path, url: &str) -> PathBuf {
    out.join(url.trim_start_matches('/'))
}

/// Builds the frame site into `out` (replacing a previous bundle there) from `pkg/` and
/// `www/frame/`; copies `directory` (a signed `spdir1.…` text) to the policy's directory path
/// if given. Returns the SRI hash of each pinned file by URL path.
pub fn build(
    policy: &Policy,
    out: &Path,
    directory: Option<&str>,
) -> Result<BTreeMap<String, String>> {
    if out.exists() {
        let ours = out.join("integrity.json").is_file()
            || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
        if !ours {
            return Err(format!(
                "{} exists and is not a frame bundle: choose an empty or new folder",
                out.display()
            ));
        }
        std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let mut integrity = BTreeMap::new();
    for (url, file) in FILES {
        let bytes = read(&root().join(file))?;
        integrity.insert(url.to_owned(), serve::sri(&bytes));
        write(&site_path(out, url), &bytes)?;
    }
    let template = String::from_utf8(read(&root().join("www/frame/index.html"))?)
        .map_err(|_| "www/frame/index.html is not UTF-8")?;
    // JSON inside <script>: `<` escaped, so no text can close the element.
    let policy_json = serde_json::to_string(&policy.json)
        .map_err(|e| e.to_string())?
        .replace('<', "\\u003c");
    let mut page = template.replace("{{policy}}", &policy_json);
    for (url, hash) in &integrity {
        page = page.replace(&format!("{{{{sri:{url}}}}}"), hash);
    }
    if page.contains("{{") {
        return Err("www/frame/index.html names a file the bundle does not pin".into());
    }
    write(&site_path(out, PAGE), page.as_bytes())?;
    // the address data, from the frame's own origin (`connect-src 'self'`); not pinned by
    // SRI here: the wasm (pinned) checks each file against the hash it has built in
    copy_dir(&root().join("pkg/data"), &site_path(out, "/pkg/data"))?;
    if let Some(text) = directory {
        write(&site_path(out, &policy.directory_path), text.as_bytes())?;
    }
    let headers = headers(policy);
    let mut netlify = String::from(
        "# Response headers of the sealpost frame site (Netlify / Cloudflare Pages `_headers`).\n/*\n",
    );
    for (k, v) in &headers {
        netlify.push_str(&format!("  {k}: {v}\n"));
    }
    write(&out.join("_headers"), netlify.as_bytes())?;
    let mut nginx = String::from(
        "# sealpost frame site: inside the `server { … }` of the platform's form origin (a server\n\
         # of its own: this replaces its MIME types and its `location /`).\n\
         # Generated by `cargo xtask frame` from the frame policy; regenerate when it changes.\n\
         root /srv/sealpost-frame;   # the bundle folder\n\
         types { text/html html; text/javascript js; text/css css; application/wasm wasm; text/plain spdir; application/json json; }\n\
         location = /_headers { return 404; }\n\
         location = /nginx.conf { return 404; }\n\
         location / {\n    try_files $uri $uri/index.html =404;\n",
    );
    for (k, v) in &headers {
        nginx.push_str(&format!("    add_header {k} \"{v}\" always;\n"));
    }
    nginx.push_str("}\n");
    write(&out.join("nginx.conf"), nginx.as_bytes())?;
    let json = serde_json::to_string_pretty(&integrity).map_err(|e| e.to_string())?;
    write(&out.join("integrity.json"), json.as_bytes())?;
    Ok(integrity)
}

/// The response headers of a bundle, read back from its `_headers` file (the `/*` block).
pub fn read_headers(out: &Path) -> Result<Vec<(String, String)>> {
    let text = String::from_utf8(read(&out.join("_headers"))?).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.trim().split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

/// The demo platform key (seed derived from a public label): signs the demo directory.
fn demo_platform_key() -> sealpost::directory::PlatformSigningKey {
    use sha2::Digest;
    let seed: [u8; 32] = sha2::Sha256::digest(DEMO_PLATFORM_SEED_LABEL).into();
    sealpost::directory::PlatformSigningKey::from_seed(&seed)
}

/// The demo directory, signed now: the demo couriers' keys (valid 2026–2035), serial = now, so
/// each build is newer than the last one a browser saw; expires in 30 days.
fn demo_directory() -> Result<String> {
    use sealpost::{directory::*, keys::UtcSeconds};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let mut couriers = Vec::new();
    for (id, zh, en, file) in DEMO_COURIERS {
        let text = String::from_utf8(read(&root().join(file))?).map_err(|e| e.to_string())?;
        let identity = sealpost::keys::parse_identity_file(&text)
            .map_err(|e| format!("{file}: {e}"))?
            .into_iter()
            .next()
            .ok_or_else(|| format!("{file}: no identity"))?;
        couriers.push(Courier {
            id: id.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            logo: None,
            keys: vec![CourierKey {
                public_key: identity.public_key().clone(),
                valid_from: UtcSeconds(1_767_225_600), // 2026-01-01
                valid_until: UtcSeconds(2_082_758_399), // 2035-12-31
            }],
        });
    }
    let directory = Directory {
        serial: now,
        issued: UtcSeconds(now),
        expires: UtcSeconds(now + 30 * 86_400),
        couriers,
    };
    Ok(directory
        .sign(&demo_platform_key())
        .map_err(|e| format!("demo directory: {e}"))?
        .to_string())
}

/// The demo bundle in `target/frame-demo/` for a shop on `shop_origin`: the demo policy (its
/// shop origin replaced by `shop_origin`) and a freshly signed demo directory.
pub fn demo_bundle(shop_origin: &str) -> Result<PathBuf> {
    let text = String::from_utf8(read(&root().join(DEMO_POLICY))?).map_err(|e| e.to_string())?;
    let policy = parse_policy(&text.replace(DEMO_SHOP, shop_origin))
        .map_err(|e| format!("{DEMO_POLICY}: {e}"))?;
    let pinned = demo_platform_key().public_key().to_string();
    if policy.json["platformKey"] != pinned.as_str() {
        return Err(format!(
            "{DEMO_POLICY}: platformKey must be the demo platform key {pinned}"
        ));
    }
    let out = root().join("target/frame-demo");
    let _ = std::fs::remove_dir_all(&out);
    build(&policy, &out, Some(&demo_directory()?))?;
    Ok(out)
}

/// `cargo xtask frame --policy FILE --out DIR [--directory FILE]`.
pub fn command(args: &[String]) -> Result {
    let usage =
        "usage: cargo xtask frame --policy POLICY.json --out DIR [--directory SIGNED.spdir]";
    let mut policy = None;
    let mut out = None;
    let mut directory = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(usage)?;
        match flag.as_str() {
            "--policy" => policy = Some(PathBuf::from(value)),
            "--out" => out = Some(PathBuf::from(value)),
            "--directory" => directory = Some(PathBuf::from(value)),
            _ => return Err(usage.into()),
        }
    }
    let (Some(policy_file), Some(out)) = (policy, out) else {
        return Err(usage.into());
    };
    let text = String::from_utf8(read(&policy_file)?).map_err(|e| e.to_string())?;
    let policy = parse_policy(&text).map_err(|e| format!("{}: {e}", policy_file.display()))?;
    let directory = match directory {
        Some(f) => {
            let text = String::from_utf8(read(&f)?).map_err(|e| e.to_string())?;
            let pinned: sealpost::directory::PlatformPublicKey = policy.json["platformKey"]
                .as_str()
                .unwrap_or("")
                .parse()
                .map_err(|e| format!("{e}"))?;
            text.trim()
                .parse::<sealpost::directory::SignedDirectory>()
                .and_then(|d| d.verify(&pinned).map(|_| ()))
                .map_err(|e| format!("{}: {e}", f.display()))?;
            Some(text.trim().to_owned())
        }
        None => None,
    };
    crate::build_pkg()?;
    build(&policy, &out, directory.as_deref())?;
    if policy.test_mode {
        eprintln!("xtask: WARNING: this policy allows test mode (public test key): never deploy it for real orders");
    }
    for e in policy.embedders.iter().filter(|e| e.starts_with("http://")) {
        eprintln!(
            "xtask: WARNING: embedder {e} is not https: anyone on its network can change its page"
        );
    }
    println!(
        "frame site in {} (frame page /frame/, embeddable by {}); headers: {}/_headers, nginx: {}/nginx.conf",
        out.display(),
        policy.embedders.join(", "),
        out.display(),
        out.display()
    );
    if directory.is_none() {
        println!(
            "publish the signed directory (sealpost directory sign) at {} on that origin",
            policy.directory_path
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "spp1";

    fn policy(embedders: &str) -> String {
        let key = demo_platform_key().public_key().to_string();
        format!(
            r#"{{"sealpostFramePolicy":1,"platformKey":"{key}","directory":"/directory.spdir","testMode":false,"embedders":{embedders}}}"#
        )
    }

    #[test]
    fn a_good_policy_gives_frame_ancestors_from_its_embedders() {
        let p = parse_policy(&policy(
            r#"[{"origin":"https://shop.example","couriers":["sf"],"disclose":"none"},
                {"origin":"http://127.0.0.1:8080","couriers":["sf","zto"],"disclose":"province"}]"#,
        ))
        .unwrap();
        assert!(!p.test_mode);
        assert_eq!(
            csp(&p.embedders),
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'none'; frame-ancestors https://shop.example http://127.0.0.1:8080"
        );
    }

    #[test]
    fn bad_policies_are_refused_with_the_reason() {
        let e = |embedders: &str| parse_policy(&policy(embedders)).unwrap_err();
        assert!(e("[]").contains("at least one shop"));
        assert!(
            e(r#"[{"origin":"https://shop.example/","couriers":["sf"],"disclose":"none"}]"#)
                .contains("not an origin")
        );
        assert!(
            e(r#"[{"origin":"https://Shop.example","couriers":["sf"],"disclose":"none"}]"#)
                .contains("not an origin")
        );
        assert!(
            e(r#"[{"origin":"*","couriers":["sf"],"disclose":"none"}]"#).contains("not an origin")
        );
        assert!(
            e(r#"[{"origin":"https://a.example","couriers":[],"disclose":"none"}]"#)
                .contains("couriers")
        );
        assert!(
            e(r#"[{"origin":"https://a.example","couriers":["SF"],"disclose":"none"}]"#)
                .contains("courier ids")
        );
        assert!(
            e(r#"[{"origin":"https://a.example","couriers":["sf"],"disclose":"all"}]"#)
                .contains("disclose")
        );
        assert!(e(r#"[{"origin":"https://a.example","couriers":["sf"],"disclose":"none","testMode":true}]"#)
            .contains("unknown key"));
        let dup = r#"[{"origin":"https://a.example","couriers":["sf"],"disclose":"none"},{"origin":"https://a.example","couriers":["sf"],"disclose":"none"}]"#;
        assert!(e(dup).contains("twice"));
        let ok = r#"[{"origin":"https://a.example","couriers":["sf"],"disclose":"none"}]"#;
        let with = |from: &str, to: &str| parse_policy(&policy(ok).replace(from, to)).unwrap_err();
        assert!(with("\"/directory.spdir\"", "\"https://evil.example/d\"").contains("own origin"));
        assert!(with("\"/directory.spdir\"", "\"//evil.example/d\"").contains("own origin"));
        for taken in [
            "/frame/frame.js",
            "/pkg/sealpost_bg.wasm",
            "/_headers",
            "/nginx.conf",
            "/",
            "/d/",
        ] {
            assert!(
                with("\"/directory.spdir\"", &format!("\"{taken}\"")).contains("own origin"),
                "{taken}"
            );
        }
        assert!(with("\"testMode\":false", "\"testMode\":\"no\"").contains("testMode"));
        assert!(with(
            "\"platformKey\":\"spp1",
            &format!("\"platformKey\":\"{KEY}x")
        )
        .contains("platformKey"));
        assert!(with("\"embedders\"", "\"extra\":1,\"embedders\"").contains("unknown key"));
    }

    #[test]
    fn the_demo_policy_pins_the_demo_platform_key() {
        let text = std::fs::read_to_string(root().join(DEMO_POLICY)).unwrap();
        let p = parse_policy(&text).unwrap();
        assert!(!p.test_mode, "the demo policy must not allow test mode");
        assert_eq!(
            p.json["platformKey"],
            demo_platform_key().public_key().to_string().as_str()
        );
        assert_eq!(p.embedders, [DEMO_SHOP]);
    }
}
