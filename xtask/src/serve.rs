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
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("127.0.0.1:{port}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let dir = dir.to_path_buf();
    let thread = std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &dir);
            });
        }
    });
    Ok(Server { addr, thread })
}

fn handle(stream: TcpStream, dir: &Path) -> std::io::Result<()> {
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
    let file = match path.strip_prefix("/pkg/") {
        Some(rest) => resolve(&dir.join("pkg"), rest),
        None => resolve(&dir.join("www"), path),
    };
    let mut out = stream;
    match (
        method,
        file.and_then(|f| std::fs::read(&f).ok().map(|body| (f, body))),
    ) {
        ("GET" | "HEAD", Some((file, body))) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nContent-Security-Policy: {CSP}\r\n\
                 X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n\
                 Connection: close\r\n\r\n",
                mime(&file),
                body.len()
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
