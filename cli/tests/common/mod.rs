//! Helpers of the label tests (`tests/label.rs`, `tests/waybill.rs`; the tools for
//! `tests/label_fonts.rs` and `tests/label_stream.rs`): a depot directory with
//! an identity and an audit log, the real binary run in it, and the Debian tools (poppler,
//! zbar) that read its PDFs back. A missing tool fails the test with what to install, it never
//! skips it.
#![allow(dead_code)] // each test crate uses a part

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::Value;

pub const CN: &str = r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省","addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号 东部软件园 3 号楼 501 室"],"postalCode":"310012","deliveryNote":"放门卫室"}"#;
pub const DE: &str = r#"{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE","addressLevel2":"Berlin","streetLines":["Unter den Linden 5","Hinterhaus, 3. OG"],"postalCode":"10117"}"#;
pub const US: &str = r#"{"name":"John O'Neil","phone":"+1 (415) 555-0132","country":"US","addressLevel1":"CA","addressLevel2":"San Francisco","streetLines":["1 Market St","Suite 2^XZ"],"postalCode":"94105","company":"Acme ~ Co"}"#;
pub const SH: &str = r#"{"name":"欧阳娜娜","phone":"+86 139 0000 1111","country":"CN","addressLevel1":"上海市","addressLevel2":"上海市","addressLevel3":"浦东新区","streetLines":["世纪大道 100 号"],"postalCode":"200120"}"#;
pub const NOTO: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";

pub struct Depot {
    pub dir: PathBuf,
    pub pubkey: String,
}

#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A Debian tool the test needs; fails (never skips) when it is not installed.
pub fn tool(name: &str, package: &str) -> Command {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` is not installed: `apt-get install -y --no-install-recommends {package}` \
         (cargo xtask test installs it)"
    );
    Command::new(name)
}

pub fn file_needed(path: &str, package: &str) {
    assert!(
        Path::new(path).is_file(),
        "{path} is missing: `apt-get install -y --no-install-recommends {package}`"
    );
}

pub fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The real binary, run in `dir` as a depot runs it: its audit log there, an operator, no
/// label-font pins from the environment.
pub fn sealpost_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
    cmd.current_dir(dir)
        .env("SEALPOST_AUDIT_LOG", "audit.log")
        .env("SEALPOST_OPERATOR", "depot-7")
        .env_remove("SEALPOST_LABEL_FONT")
        .env_remove("SEALPOST_LABEL_FONTS");
    cmd
}

/// Runs `cmd` with `stdin` and collects its exit code and output.
pub fn finish(cmd: &mut Command, stdin: &str) -> Out {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Depot {
    pub fn new(name: &str) -> Depot {
        file_needed(NOTO, "fonts-noto-cjk");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(env!("CARGO_CRATE_NAME"))
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut depot = Depot {
            dir,
            pubkey: String::new(),
        };
        let out = depot.run(&["keygen", "--unencrypted", "-o", "courier.key"], "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        depot.pubkey = out.stdout.trim().to_owned();
        let out = depot.run(&["audit", "init"], "");
        assert_eq!(out.code, 0, "{}", out.stderr);
        depot
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Out {
        finish(sealpost_in(&self.dir).args(args), stdin)
    }

    pub fn seal(&self, order: &str, address: &str) -> String {
        let out = self.run(&["seal", "--to", &self.pubkey, "--order", order], address);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.trim().to_owned()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    pub fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.path("audit.log"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Page `page` (1-based) of a PDF at `dpi`, decoded by zbarimg: `TYPE:DATA` lines, sorted.
    pub fn scan(&self, pdf: &str, page: usize, dpi: u32) -> Vec<String> {
        let prefix = self.path(&format!("{pdf}-p{page}-{dpi}"));
        output(
            tool("pdftoppm", "poppler-utils")
                .args(["-r", &dpi.to_string(), "-gray", "-png", "-singlefile"])
                .args(["-f", &page.to_string(), "-l", &page.to_string()])
                .arg(self.path(pdf))
                .arg(&prefix),
        );
        let png = PathBuf::from(format!("{}.png", prefix.display()));
        let text = output(
            tool("zbarimg", "zbar-tools")
                .args(["-q", "--raw", "-Sdisable", "-Scode128.enable"])
                .arg(&png),
        );
        let qr = output(
            tool("zbarimg", "zbar-tools")
                .args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"])
                .arg(&png),
        );
        let mut found: Vec<String> = text
            .lines()
            .map(|l| format!("CODE-128:{l}"))
            .chain(qr.lines().map(|l| format!("QR-Code:{l}")))
            .collect();
        found.sort();
        found
    }

    pub fn text(&self, pdf: &str) -> String {
        output(
            tool("pdftotext", "poppler-utils")
                .args(["-layout", "-enc", "UTF-8"])
                .arg(self.path(pdf))
                .arg("-"),
        )
    }

    pub fn pdfinfo(&self, pdf: &str) -> String {
        output(tool("pdfinfo", "poppler-utils").arg(self.path(pdf)))
    }
}
