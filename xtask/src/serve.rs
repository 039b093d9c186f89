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
                       object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

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

/// The isolation frame's origin (SPEC §10): a frame bundle built by `cargo xtask frame`
/// (`bundle`), served as a static site with the response headers of its own `_headers` file,
/// so what is tested is exactly what a platform deploys.
pub fn start_frame(listener: TcpListener, bundle: &Path) -> Result<Server> {
    let site = Site {
        mounts: vec![("/", bundle.to_path_buf())],
        headers: crate::frame::read_headers(bundle)?,
    };
    serve(listener, site)
}

/// The shop's CSP in isolation mode: [`CSP`] plus the one frame origin it may embed.
pub fn shop_csp(frame_origin: &str) -> String {
    format!("{CSP}; frame-src {frame_origin}")
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
/// and the headers it sends with every file.
struct Site {
    mounts: Vec<(&'static str, PathBuf)>,
    headers: Vec<(String, String)>,
}

fn shop_site(dir: &Path, csp: String) -> Site {
    Site {
        mounts: vec![("/pkg/", dir.join("pkg")), ("/", dir.join("www"))],
        headers: shop_headers(&csp),
    }
}

/// A built site (an example's output folder) at `/` on any free port, with the demo shop's
/// headers and [`CSP`].
pub fn start_site(dir: &Path) -> Result<Server> {
    let site = Site {
        mounts: vec![("/", dir.to_path_buf())],
        headers: shop_headers(CSP),
    };
    serve(listen(0)?, site)
}

fn shop_headers(csp: &str) -> Vec<(String, String)> {
    [
        ("Content-Security-Policy", csp),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-store"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
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
    let mut out = stream;
    match (method, body) {
        ("GET" | "HEAD", Some((file, body))) => {
            let mut head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                mime(&file),
                body.len(),
            );
            for (k, v) in &site.headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("Connection: close\r\n\r\n");
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

/// Maps a URL path to a file under `dir`; refuses `..`, hidden files, `_headers`-style files
/// and identity files.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    let rel = Path::new(url_path.trim_start_matches('/'));
    for c in rel.components() {
        match c {
            Component::Normal(part) if !part.to_string_lossy().starts_with(['.', '_']) => {
                file.push(part)
            }
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
        "ts" | "spdir" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
