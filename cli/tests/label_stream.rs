//! `sealpost label --batch` to one PDF written part by part (`cli/src/label/join.rs`): real
//! processes on real files, with `$SEALPOST_PDF_PART_PAGES` set low so that a few dozen labels
//! cross several part boundaries. The PDFs are checked with qpdf and poppler (`pdfinfo`,
//! `pdftotext`, `pdffonts`, `pdftoppm`) and the codes read back with `zbarimg`.
//!
//! Needs Debian's qpdf, poppler-utils, zbar-tools and fonts-noto-cjk: a missing tool fails the
//! test with what to install, it never skips it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use common::{file_needed, finish, output, sealpost_in, tool, Out, NOTO};
use serde_json::Value;

struct Depot {
    dir: PathBuf,
}

impl Depot {
    fn new(name: &str) -> Depot {
        file_needed(NOTO, "fonts-noto-cjk");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("label-stream")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Depot { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path(name), text).unwrap();
    }

    fn run(&self, part_pages: &str, args: &[&str], stdin: &str) -> Out {
        finish(
            sealpost_in(&self.dir)
                .env("SEALPOST_PDF_PART_PAGES", part_pages)
                .args(args),
            stdin,
        )
    }

    /// `pdftotext` of one page (1-based).
    fn page_text(&self, pdf: &str, page: usize) -> String {
        output(
            tool("pdftotext", "poppler-utils")
                .args([
                    "-enc",
                    "UTF-8",
                    "-f",
                    &page.to_string(),
                    "-l",
                    &page.to_string(),
                ])
                .arg(self.path(pdf))
                .arg("-"),
        )
    }

    fn pages(&self, pdf: &str) -> usize {
        let info = output(tool("pdfinfo", "poppler-utils").arg(self.path(pdf)));
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .unwrap_or_else(|| panic!("no page count in\n{info}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// qpdf's structural check: cross-reference table, object numbers, page tree, streams.
    fn qpdf_check(&self, pdf: &str) {
        let out = tool("qpdf", "qpdf")
            .arg("--check")
            .arg(self.path(pdf))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("No syntax or stream encoding errors found"),
            "{stdout}"
        );
    }

    /// Page `page` (1-based) at 203 dpi, decoded by zbarimg: `TYPE:DATA` lines, sorted.
    fn scan(&self, pdf: &str, page: usize) -> Vec<String> {
        let prefix = self.path(&format!("{pdf}-p{page}"));
        output(
            tool("pdftoppm", "poppler-utils")
                .args(["-r", "203", "-gray", "-png", "-singlefile"])
                .args(["-f", &page.to_string(), "-l", &page.to_string()])
                .arg(self.path(pdf))
                .arg(&prefix),
        );
        let png = PathBuf::from(format!("{}.png", prefix.display()));
        let mut found = Vec::new();
        for (symbology, name) in [("code128", "CODE-128"), ("qrcode", "QR-Code")] {
            let text = output(
                tool("zbarimg", "zbar-tools")
                    .args(["-q", "--raw", "-Sdisable", &format!("-S{symbology}.enable")])
                    .arg(&png),
            );
            found.extend(text.lines().map(|l| format!("{name}:{l}")));
        }
        found.sort();
        found
    }

    /// Names of the fonts `pdffonts` lists, each with its emb/sub/uni columns.
    fn fonts(&self, pdf: &str) -> Vec<String> {
        output(tool("pdffonts", "poppler-utils").arg(self.path(pdf)))
            .lines()
            .skip(2)
            .map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                let n = cols.len();
                format!(
                    "{} {} {} {}",
                    cols[0],
                    cols[n - 5],
                    cols[n - 4],
                    cols[n - 3]
                )
            })
            .collect()
    }

    /// Files of the output `labels.pdf` left in the directory (the output, its rejects, a
    /// temporary file).
    fn left(&self) -> Vec<String> {
        let mut left: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("labels") || n.starts_with(".labels"))
            .collect();
        left.sort();
        left
    }
}

/// How many subsets of Noto Sans CJK a `pdffonts` listing has.
fn cjk_subsets(fonts: &[String]) -> usize {
    fonts.iter().filter(|f| f.contains("+NotoSansCJK")).count()
}

fn chinese(n: usize) -> String {
    format!(
        r#"{{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省","addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 {n} 号 东部软件园"],"postalCode":"310012"}}"#
    )
}

fn german(n: usize) -> String {
    format!(
        r#"{{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE","addressLevel2":"Berlin","streetLines":["Unter den Linden {n}"],"postalCode":"10117"}}"#
    )
}

/// `open --batch` output of `n` records, Chinese and German in turn, as `label --opened`
/// reads it; the records at `bad` have no address (rejected, no page).
fn opened_manifest(n: usize, bad: &[usize]) -> String {
    (0..n)
        .map(|i| {
            let order = format!("ORD-{i:05}");
            if bad.contains(&i) {
                format!("{{\"orderRef\":\"{order}\"}}\n")
            } else {
                let address = if i.is_multiple_of(2) {
                    chinese(i)
                } else {
                    german(i)
                };
                format!("{{\"orderRef\":\"{order}\",\"address\":{address}}}\n")
            }
        })
        .collect()
}

#[test]
fn a_batch_across_parts_is_one_pdf_one_label_per_page_in_order() {
    let d = Depot::new("parts");
    // 23 records, 2 rejected: 21 labels in parts of 5 pages (4 full parts and 1 of one page)
    let bad = [3, 12];
    d.write("opened.ndjson", &opened_manifest(23, &bad));
    let out = d.run(
        "5",
        &[
            "label",
            "--batch",
            "--opened",
            "opened.ndjson",
            "-o",
            "labels.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("sealpost: read 23 records from opened.ndjson: 21 labelled, 2 rejected\n"),
        "{}",
        out.stderr
    );
    d.qpdf_check("labels.pdf");
    assert_eq!(d.pages("labels.pdf"), 21);
    let orders: Vec<String> = (0..23)
        .filter(|i| !bad.contains(i))
        .map(|i| format!("ORD-{i:05}"))
        .collect();
    for (k, order) in orders.iter().enumerate() {
        let text = d.page_text("labels.pdf", k + 1);
        // the order twice (under the barcode, beside the QR code), no other order
        assert_eq!(text.matches("ORD-").count(), 2, "page {}:\n{text}", k + 1);
        assert_eq!(
            text.matches(order.as_str()).count(),
            2,
            "page {}:\n{text}",
            k + 1
        );
        let i: usize = order[4..].parse().unwrap();
        let shown = if i.is_multiple_of(2) { "张*" } else { "A*" };
        assert!(text.contains(shown), "page {}:\n{text}", k + 1);
    }
    // the first and last pages of parts scan back
    for page in [1, 5, 6, 20, 21] {
        let order = &orders[page - 1];
        assert_eq!(
            d.scan("labels.pdf", page),
            [format!("CODE-128:{order}"), format!("QR-Code:{order}")],
            "page {page}"
        );
    }
    // every font embedded, subset and mapped to Unicode; the CJK font once per part (every
    // label has Chinese captions)
    let fonts = d.fonts("labels.pdf");
    assert!(
        fonts.iter().all(|f| f.ends_with(" yes yes yes")),
        "{fonts:?}"
    );
    assert_eq!(cjk_subsets(&fonts), 5, "{fonts:?}");
    let rejects = std::fs::read_to_string(d.path("labels.pdf.rejects.ndjson")).unwrap();
    let lines: Vec<u64> = rejects
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [4, 13]);
}

#[test]
fn part_size_does_not_change_what_is_printed() {
    let d = Depot::new("part-sizes");
    d.write("opened.ndjson", &opened_manifest(7, &[]));
    let mut texts = Vec::new();
    for (part, pdf) in [
        ("1", "labels-1.pdf"),
        ("3", "labels-3.pdf"),
        ("4096", "labels-all.pdf"),
    ] {
        let out = d.run(
            part,
            &["label", "--batch", "--opened", "opened.ndjson", "-o", pdf],
            "",
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        d.qpdf_check(pdf);
        assert_eq!(d.pages(pdf), 7);
        assert_eq!(
            cjk_subsets(&d.fonts(pdf)),
            7usize.div_ceil(part.parse().unwrap())
        );
        texts.push(
            (1..=7)
                .map(|p| d.page_text(pdf, p))
                .collect::<Vec<String>>(),
        );
    }
    assert_eq!(texts[0], texts[1]);
    assert_eq!(texts[0], texts[2]);
}

#[test]
fn envelopes_across_parts_are_audited_and_labelled_in_order() {
    let d = Depot::new("envelopes");
    let out = d.run("3", &["keygen", "--unencrypted", "-o", "courier.key"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pubkey = out.stdout.trim().to_owned();
    assert_eq!(d.run("3", &["audit", "init"], "").code, 0);
    let mut manifest = String::new();
    for i in 0..8usize {
        let order = format!("ORD-{i:05}");
        let address = if i.is_multiple_of(2) {
            chinese(i)
        } else {
            german(i)
        };
        let sealed = d.run("3", &["seal", "--to", &pubkey, "--order", &order], &address);
        assert_eq!(sealed.code, 0, "{}", sealed.stderr);
        manifest.push_str(&format!(
            "{{\"orderRef\":\"{order}\",\"envelope\":\"{}\"}}\n",
            sealed.stdout.trim()
        ));
    }
    d.write("manifest.ndjson", &manifest);
    let out = d.run(
        "3",
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.ndjson",
            "-o",
            "labels.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    d.qpdf_check("labels.pdf");
    assert_eq!(d.pages("labels.pdf"), 8);
    for page in 1..=8 {
        let order = format!("ORD-{:05}", page - 1);
        let text = d.page_text("labels.pdf", page);
        assert_eq!(
            text.matches(order.as_str()).count(),
            2,
            "page {page}:\n{text}"
        );
    }
    let audit: Vec<Value> = std::fs::read_to_string(d.path("audit.log"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &Value| r["command"] == "label --batch")
        .collect();
    assert_eq!(audit.len(), 8);
    assert!(audit.iter().all(|r| r["label"] == "masked"), "{audit:?}");
}

#[test]
fn disk_full_while_streaming_leaves_nothing_in_place() {
    let d = Depot::new("disk-full");
    d.write("opened.ndjson", &opened_manifest(12, &[]));
    // room for the first parts (one page each, a font subset each), not for all twelve
    let out = Command::new("bash")
        .current_dir(&d.dir)
        .env("SEALPOST_PDF_PART_PAGES", "1")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 40; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_sealpost"))
        .args([
            "label",
            "--batch",
            "--opened",
            "opened.ndjson",
            "-o",
            "labels.pdf",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.starts_with("sealpost: error: cannot_write_output: labels.pdf: File too large"),
        "{stderr}"
    );
    assert!(d.left().is_empty(), "left in place: {:?}", d.left());
    // with room, the same run completes
    let out = d.run(
        "1",
        &[
            "label",
            "--batch",
            "--opened",
            "opened.ndjson",
            "-o",
            "labels.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        std::fs::metadata(d.path("labels.pdf")).unwrap().len() > 40 * 1024,
        "the limit must have cut the first run short"
    );
    assert_eq!(d.pages("labels.pdf"), 12);
}

#[test]
fn no_labels_still_give_a_valid_pdf_and_a_bad_part_size_is_refused() {
    let d = Depot::new("empty");
    d.write("opened.ndjson", &opened_manifest(2, &[0, 1]));
    let out = d.run(
        "5",
        &[
            "label",
            "--batch",
            "--opened",
            "opened.ndjson",
            "-o",
            "labels.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    d.qpdf_check("labels.pdf");
    // krilla's blank page: a PDF has at least one
    assert_eq!(d.pages("labels.pdf"), 1);
    assert_eq!(
        d.page_text("labels.pdf", 1).trim_matches('\u{c}').trim(),
        ""
    );

    for bad in ["0", "many", "5000"] {
        let out = d.run(
            bad,
            &[
                "label",
                "--batch",
                "--opened",
                "opened.ndjson",
                "-o",
                "other.pdf",
            ],
            "",
        );
        assert_eq!(out.code, 2, "{bad}: {}", out.stderr);
        assert_eq!(
            out.stderr,
            "sealpost: error: usage: $SEALPOST_PDF_PART_PAGES must be a number of pages from 1 to 4096\n",
            "{bad}"
        );
        assert!(!d.path("other.pdf").exists());
    }
}
