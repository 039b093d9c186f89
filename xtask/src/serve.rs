//! A small static file server for the demo shop, sending the strict Content-Security-Policy
//! the widget promises to work under (README: "CSP recipe").

use std::{
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Component, Path, PathBuf},
    thread::JoinHandle,
};

use crate::Result;

pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                       object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

pub struct Server {
    pub addr: SocketAddr,
    thread: JoinHandle<()>,
}

impl Server {
    pub fn wait(self) {
        let _ = self.thread.join();
    }
}

/// Serves the demo shop on 127.0.0.1:`port` (0 = any free port) in a background thread:
/// `<root>/www` at `/`, and the npm package built in `<root>/pkg` at `/pkg/`.
pub fn start(dir: &Path, port: u16) -> Result<Server> {
    serve(listen(port)?, shop_site(dir, CSP.to_owned()))
}

/// Binds 127.0.0.1:`port` (0 = any free port), so two servers can learn each other's address
/// before either starts (the shop's CSP names the frame origin and the other way round).
pub fn listen(port: u16) -> Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))
}

/// The shop of isolation mode: like [`start`], with `frame-src` allowing only `frame_origin`.
pub fn start_shop(listener: TcpListener, dir: &Path, frame_origin: &str) -> Result<Server> {
    serve(listener, shop_site(dir, shop_csp(frame_origin)))
}

/// The isolation frame's origin (SPEC §10): `<root>/www/frame` at `/frame/` and `<root>/pkg`
/// at `/pkg/`, nothing else of the shop. Its CSP lets only `shop_origins` embed it
/// (`frame-ancestors`), and `{{sri:/path}}` in its HTML becomes that file's SRI hash.
pub fn start_frame(listener: TcpListener, dir: &Path, shop_origins: &[String]) -> Result<Server> {
    let site = Site {
        mounts: vec![
            ("/frame/", dir.join("www/frame")),
            ("/pkg/", dir.join("pkg")),
        ],
        csp: frame_csp(shop_origins),
        sri_in_html: true,
    };
    serve(listener, site)
}

/// The shop's CSP in isolation mode: [`CSP`] plus the one frame origin it may embed.
pub fn shop_csp(frame_origin: &str) -> String {
    format!("{CSP}; frame-src {frame_origin}")
}

/// The frame's CSP: scripts, styles and the wasm from its own origin only; embeddable only by
/// the given shops; no forms posted anywhere, no plugins, no base URL changes.
pub fn frame_csp(shop_origins: &[String]) -> String {
    let ancestors = if shop_origins.is_empty() {
        "'none'".to_owned()
    } else {
        shop_origins.join(" ")
    };
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors {ancestors}"
    )
}

/// The Subresource Integrity value of `bytes`: `sha384-` and the base64 digest.
pub fn sri(bytes: &[u8]) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha384::digest(bytes);
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(digest.as_slice())
    )
}

/// What one server serves: URL prefixes mapped to folders (the first match wins, `/` last),
/// and the CSP header it sends with every file.
struct Site {
    mounts: Vec<(&'static str, PathBuf)>,
    csp: String,
    sri_in_html: bool,
}

fn shop_site(dir: &Path, csp: String) -> Site {
    Site {
        mounts: vec![("/pkg/", dir.join("pkg")), ("/", dir.join("www"))],
        csp,
        sri_in_html: false,
    }
}

fn serve(listener: TcpListener, site: Site) -> Result<Server> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let site = std::sync::Arc::new(site);
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let site = site.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &site);
            });
        }
    });
    Ok(Server { addr, thread })
}

fn handle(stream: TcpStream, site: &Site) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // drain the headers
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = site
        .mounts
        .iter()
        .find_map(|(prefix, dir)| Some(resolve(dir, path.strip_prefix(prefix)?)))
        .flatten();
    let body = file.and_then(|f| std::fs::read(&f).ok().map(|body| (f, body)));
    let body = match body {
        Some((f, b)) if site.sri_in_html && f.extension().is_some_and(|e| e == "html") => {
            fill_sri(&b, &site.mounts).map(|b| (f, b))
        }
        other => other,
    };
    let mut out = stream;
    match (method, body) {
        ("GET" | "HEAD", Some((file, body))) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nContent-Security-Policy: {}\r\n\
                 X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n\
                 Cross-Origin-Resource-Policy: same-origin\r\nConnection: close\r\n\r\n",
                mime(&file),
                body.len(),
                site.csp,
            );
            out.write_all(head.as_bytes())?;
            if method == "GET" {
                out.write_all(&body)?;
            }
        }
        _ => {
            out.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found")?;
        }
    }
    out.flush()
}

/// Replaces each `{{sri:/url/path}}` in an HTML page by the SRI hash of the file this server
/// serves at that path; `None` (a 404) if one cannot be read, so no page ships a wrong hash.
fn fill_sri(html: &[u8], mounts: &[(&'static str, PathBuf)]) -> Option<Vec<u8>> {
    let mut text = String::from_utf8(html.to_vec()).ok()?;
    while let Some(start) = text.find("{{sri:") {
        let len = text[start..].find("}}")?;
        let url = &text[start + 6..start + len];
        let file = mounts
            .iter()
            .find_map(|(prefix, dir)| resolve(dir, url.strip_prefix(prefix)?))?;
        let hash = sri(&std::fs::read(file).ok()?);
        text.replace_range(start..start + len + 2, &hash);
    }
    Some(text.into_bytes())
}

/// Maps a URL path to a file under `dir`; refuses `..`, hidden files and identity files.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    let rel = Path::new(url_path.trim_start_matches('/'));
    for c in rel.components() {
        match c {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => file.push(part),
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    if file.extension().is_some_and(|e| e == "key") {
        return None;
    }
    file.is_file().then_some(file)
}

fn mime(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
