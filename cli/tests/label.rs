//! `sealpost label`: real processes on real files. The PDFs are rendered with poppler
//! (`pdftoppm`, `pdftotext`, `pdffonts`, `pdfinfo`) and the codes read back with `zbarimg`;
//! ZPL is compared with the committed golden files in `tests/golden/`
//! (`SEALPOST_WRITE_GOLDEN=1` rewrites them after a deliberate layout change).
//!
//! Needs Debian's poppler-utils, zbar-tools, fonts-noto-cjk and fonts-dejavu-core: a missing
//! tool fails the test with what to install, it never skips it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{path::Path, process::Command};

use common::*;
use serde_json::Value;

const DEJAVU: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

impl Depot {
    /// The manifest of four orders: Chinese, German, American, a Shanghai municipality, and a
    /// fifth row whose envelope was moved to another order.
    fn manifest(&self) -> String {
        let rows = [
            ("ORD-20261126-0001", CN),
            ("ORD-1002", DE),
            ("SO-77^~X", US),
            ("ORD-1004", SH),
        ];
        let mut text = String::new();
        for (order, address) in rows {
            let env = self.seal(order, address);
            text.push_str(&format!(
                "{{\"orderRef\":{order:?},\"envelope\":\"{env}\"}}\n"
            ));
        }
        let moved = self.seal("ORD-1005", DE);
        text.push_str(&format!(
            "{{\"orderRef\":\"ORD-9999\",\"envelope\":\"{moved}\"}}\n"
        ));
        self.write("manifest.ndjson", &text);
        text
    }
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("SEALPOST_WRITE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (SEALPOST_WRITE_GOLDEN=1 writes it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{} differs", path.display());
}

#[test]
fn chinese_label_scans_and_is_masked() {
    let d = Depot::new("chinese");
    d.write("cn.env", &d.seal("ORD-20261126-0001", CN));
    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "cn.env",
            "-o",
            "cn.pdf",
            "--sender",
            "杭州仓 Hangzhou DC",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "sealpost: wrote 1 masked label for order ORD-20261126-0001 to cn.pdf; audit record in audit.log\n"
    );
    // both codes read back from a 203 dpi (thermal printer) and a 300 dpi rendering
    for dpi in [203, 300] {
        assert_eq!(
            d.scan("cn.pdf", 1, dpi),
            ["CODE-128:ORD-20261126-0001", "QR-Code:ORD-20261126-0001"],
            "{dpi} dpi"
        );
    }
    let text = d.text("cn.pdf");
    for shown in [
        "张*",
        "138****5678",
        "浙江省 杭州市 西湖区",
        "邮编 310012",
        "杭州仓 Hangzhou DC",
        "隐私面单",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    for hidden in ["张三", "13812345678", "1234"] {
        assert!(
            !text.contains(hidden),
            "{hidden:?} printed on a masked label:\n{text}"
        );
    }
    // the CJK font is embedded (a subset), so no viewer substitutes boxes
    let fonts = output(tool("pdffonts", "poppler-utils").arg(d.path("cn.pdf")));
    let font_line = fonts.lines().nth(2).unwrap_or_default();
    assert!(
        font_line.contains("NotoSansCJKsc") && font_line.contains("yes yes yes"),
        "{fonts}"
    );
    assert!(std::fs::metadata(d.path("cn.pdf")).unwrap().len() < 100_000);
    assert!(d.pdfinfo("cn.pdf").contains("283.465 x 425.197 pts"));

    let audit = d.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["command"], "label");
    assert_eq!(audit[0]["outcome"], "opened");
    assert_eq!(audit[0]["label"], "masked");
    assert_eq!(audit[0]["order"], "ORD-20261126-0001");
}

#[test]
fn latin_label_unmasked_on_request_and_audited_as_full() {
    let d = Depot::new("latin");
    d.write("de.env", &d.seal("ORD-1002", DE));
    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "de.env",
            "-o",
            "de.pdf",
            "--no-mask",
            "--size",
            "76x130",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        d.scan("de.pdf", 1, 203),
        ["CODE-128:ORD-1002", "QR-Code:ORD-1002"]
    );
    let text = d.text("de.pdf");
    for shown in [
        "Anna Schmidt",
        "+49 30 1234567",
        "Unter den Linden 5",
        "10117 BERLIN",
        "DE",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    assert!(!text.contains("隐私面单"));
    assert!(d.pdfinfo("de.pdf").contains("215.433 x 368.504 pts"));
    assert_eq!(d.audit()[0]["label"], "full");

    // masked, the same envelope shows only "A*" and "+493****4567"
    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "de.env",
            "-o",
            "de-masked.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = d.text("de-masked.pdf");
    assert!(text.contains("A*") && text.contains("****4567"), "{text}");
    assert!(
        !text.contains("Schmidt") && !text.contains("1234567"),
        "{text}"
    );
    assert_eq!(d.audit()[1]["label"], "masked");
    let verify = d.run(&["audit", "verify"], "");
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    let show = d.run(&["audit", "show"], "");
    assert!(
        show.stdout.contains("opened (label: full)"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("opened (label: masked)"),
        "{}",
        show.stdout
    );
}

#[test]
fn batch_to_pdf_and_zpl_in_manifest_order() {
    let d = Depot::new("batch");
    d.manifest();
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.ndjson",
            "-o",
            "labels.pdf",
            "--sender",
            "Depot 7, Hangzhou",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "sealpost: read 5 records from manifest.ndjson: 4 labelled, 1 rejected\n\
         sealpost: wrote 4 masked labels to labels.pdf, rejects to labels.pdf.rejects.ndjson; 5 audit records in audit.log\n\
         sealpost: error: records_rejected: 1 of 5 records have no label\n\
         sealpost: hint: labels.pdf.rejects.ndjson lists each with its manifest line and error code\n"
    );
    assert!(d.pdfinfo("labels.pdf").contains("Pages:           4"));
    for (page, order) in [
        (1, "ORD-20261126-0001"),
        (2, "ORD-1002"),
        (3, "SO-77^~X"),
        (4, "ORD-1004"),
    ] {
        assert_eq!(
            d.scan("labels.pdf", page, 203),
            [format!("CODE-128:{order}"), format!("QR-Code:{order}")],
            "page {page}"
        );
    }
    let text = d.text("labels.pdf");
    for shown in [
        "张*",
        "A*",
        "J*",
        "欧*",
        "139****1111",
        "上海市 浦东新区",
        "SAN FRANCISCO, CA 94105",
        "Acme ~ Co",
    ] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    let rejects = std::fs::read_to_string(d.path("labels.pdf.rejects.ndjson")).unwrap();
    let reject: Value = serde_json::from_str(rejects.trim()).unwrap();
    assert_eq!(
        (reject["line"].as_u64(), reject["code"].as_str()),
        (Some(5), Some("order_mismatch"))
    );
    let audit = d.audit();
    assert_eq!(audit.len(), 5);
    assert!(audit.iter().all(|r| r["command"] == "label --batch"));
    let labels: Vec<Option<&str>> = audit.iter().map(|r| r["label"].as_str()).collect();
    assert_eq!(
        labels,
        [
            Some("masked"),
            Some("masked"),
            Some("masked"),
            Some("masked"),
            None
        ]
    );

    // the same manifest as ZPL: byte for byte the committed golden file
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.ndjson",
            "-o",
            "labels.zpl",
            "--sender",
            "Depot 7, Hangzhou",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let zpl = std::fs::read_to_string(d.path("labels.zpl")).unwrap();
    assert_eq!(zpl.matches("^XA\n^CI28\n").count(), 4);
    assert!(
        zpl.contains("^FDSuite 2\\5EXZ^FS"),
        "a ^ in an address must not end the label"
    );
    golden("batch-100x150.zpl", &zpl);

    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.ndjson",
            "-o",
            "unmasked.zpl",
            "--no-mask",
            "--size",
            "76x130",
            "--zpl-dpi",
            "300",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    golden(
        "batch-76x130-300dpi-unmasked.zpl",
        &std::fs::read_to_string(d.path("unmasked.zpl")).unwrap(),
    );
}

#[test]
fn opened_records_give_the_same_labels_and_open_nothing() {
    let d = Depot::new("opened");
    d.manifest();
    for out_name in ["opened.ndjson", "opened.csv"] {
        let out = d.run(
            &[
                "open",
                "--batch",
                "-i",
                "courier.key",
                "manifest.ndjson",
                "-o",
                out_name,
            ],
            "",
        );
        assert_eq!(out.code, 7, "{}", out.stderr);
    }
    let before = d.audit().len();
    for (input, zpl) in [("opened.ndjson", "a.zpl"), ("opened.csv", "b.zpl")] {
        let out = d.run(
            &[
                "label",
                "--opened",
                "--batch",
                input,
                "-o",
                zpl,
                "--sender",
                "Depot 7, Hangzhou",
            ],
            "",
        );
        assert_eq!(out.code, 0, "{input}: {}", out.stderr);
        assert!(
            out.stderr.contains("4 labelled, 0 rejected"),
            "{}",
            out.stderr
        );
        assert!(
            out.stderr.contains("nothing opened, nothing audited"),
            "{}",
            out.stderr
        );
        golden(
            "batch-100x150.zpl",
            &std::fs::read_to_string(d.path(zpl)).unwrap(),
        );
    }
    assert_eq!(d.audit().len(), before);

    // one address record (`sealpost open` output) needs --order
    let out = d.run(&["label", "--opened", "-o", "one.pdf"], CN);
    assert_eq!(out.code, 2, "{}", out.stderr);
    // a record of the wrong shape is refused without its values in the message
    let wrong = CN.replace(
        "[\"文三路 90 号 东部软件园 3 号楼 501 室\"]",
        "\"文三路 90 号\"",
    );
    let out = d.run(
        &["label", "--opened", "--order", "ORD-1", "-o", "wrong.pdf"],
        &wrong,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "sealpost: error: invalid_address: not an address record: address has the wrong shape"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("文三路"), "{}", out.stderr);
    let batch = format!("{{\"orderRef\":\"ORD-1\",\"address\":{wrong}}}\n");
    d.write("wrong.ndjson", &batch);
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "wrong.ndjson",
            "-o",
            "wrong.zpl",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let rejects = std::fs::read_to_string(d.path("wrong.zpl.rejects.ndjson")).unwrap();
    assert!(
        rejects.contains("\"code\":\"invalid_address\""),
        "{rejects}"
    );
    assert!(!rejects.contains("文三路"), "{rejects}");
    let out = d.run(
        &["label", "--opened", "--order", "ORD-1", "-o", "one.pdf"],
        CN,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        d.scan("one.pdf", 1, 203),
        ["CODE-128:ORD-1", "QR-Code:ORD-1"]
    );
}

#[test]
fn labels_follow_the_format_of_the_sealed_address() {
    let d = Depot::new("formats");
    // sealed canonically: 東京都 for "Tokyo", the emirate's Arabic key for "Dubai", "CA"
    let rows = [
        (
            "JP-1",
            r#"{"name":"Taro Yamada","phone":"090-1234-5678","country":"JP","addressLevel1":"Tokyo","addressLevel2":"Shibuya-ku","streetLines":["1-2-3 Jinnan"],"postalCode":"1500041"}"#,
        ),
        (
            "JP-2",
            r#"{"name":"山田太郎","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都","addressLevel2":"渋谷区","streetLines":["神南1-2-3"],"postalCode":"150-0041"}"#,
        ),
        (
            "AE-1",
            r#"{"name":"Ali Hassan","phone":"+971 4 123 4567","country":"AE","addressLevel1":"dubai","addressLevel2":"Dubai","streetLines":["Villa 3, Street 12, Jumeirah 1"]}"#,
        ),
        (
            "US-1",
            r#"{"name":"Jane Roe","phone":"+1 650 253 0000","country":"US","addressLevel1":"california","addressLevel2":"Mountain View","streetLines":["1600 Amphitheatre Pkwy"],"postalCode":"94043"}"#,
        ),
    ];
    let mut manifest = String::new();
    for (order, address) in rows {
        let env = d.seal(order, address);
        manifest.push_str(&format!(
            "{{\"orderRef\":\"{order}\",\"envelope\":\"{env}\"}}\n"
        ));
    }
    d.write("m.ndjson", &manifest);
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "m.ndjson",
            "-o",
            "f.zpl",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let zpl = std::fs::read_to_string(d.path("f.zpl")).unwrap();
    // the address lines of each label: the text fields after name and phone, up to the rule
    // above the codes
    let labels: Vec<Vec<&str>> = zpl
        .split("^XZ\n")
        .filter(|l| !l.is_empty())
        .map(|label| {
            label
                .lines()
                .skip_while(|l| !l.ends_with("^FD收件人 To^FS"))
                .skip(2)
                .take_while(|l| !l.contains("^GB"))
                .filter_map(|l| l.split_once("^FH\\^FD").map(|(_, t)| t))
                .filter_map(|t| t.strip_suffix("^FS"))
                .filter(|t| t.len() > 2) // the country code, top right
                .collect()
        })
        .collect();
    assert_eq!(
        labels,
        [
            vec!["1-2-3 Jinnan", "Shibuya-ku, TOKYO", "1500041"],
            vec!["〒150-0041", "東京都", "渋谷区", "神南1-2-3"],
            vec!["Villa 3, Street 12, Jumeirah 1", "DUBAI", "Dubai"],
            vec!["1600 Amphitheatre Pkwy", "MOUNTAIN VIEW, CA 94043"],
        ]
    );
}

#[test]
fn fonts_without_chinese_are_refused_never_tofu() {
    file_needed(DEJAVU, "fonts-dejavu-core");
    let d = Depot::new("font");
    d.write("cn.env", &d.seal("ORD-1", CN));
    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "cn.env",
            "-o",
            "cn.pdf",
            "--font",
            DEJAVU,
            // the whole fallback list: no installed CJK font is looked for
            "--fallback-font",
            DEJAVU,
        ],
        "",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next().unwrap(),
        "sealpost: error: missing_glyph: order \"ORD-1\": the configured fonts (--font, --fallback-font) have no glyph for U+5F20 '张' in the name"
    );
    assert!(!d.path("cn.pdf").exists());
    // opened and audited, but no label was made: the record says none
    let audit = d.audit();
    assert_eq!(audit[0]["outcome"], "opened");
    assert!(audit[0].get("label").is_none());

    // the same font is fine for a Latin address
    d.write("de.env", &d.seal("ORD-2", DE));
    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "de.env",
            "-o",
            "de.pdf",
            "--font",
            DEJAVU,
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        d.scan("de.pdf", 1, 203),
        ["CODE-128:ORD-2", "QR-Code:ORD-2"]
    );

    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "de.env",
            "-o",
            "x.pdf",
            "--font",
            "no-such.ttf",
        ],
        "",
    );
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("sealpost: error: font_unavailable: no-such.ttf: "),
        "{}",
        out.stderr
    );
    assert!(!d.path("x.pdf").exists());
}

#[test]
fn refuses_to_replace_output_and_wrong_keys() {
    let d = Depot::new("refuse");
    d.write("cn.env", &d.seal("ORD-1", CN));
    d.write("cn.pdf", "keep me");
    let out = d.run(
        &["label", "-i", "courier.key", "cn.env", "-o", "cn.pdf"],
        "",
    );
    assert_eq!(out.code, 5);
    assert!(
        out.stderr.starts_with("sealpost: error: output_exists: "),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.path("cn.pdf")).unwrap(),
        "keep me"
    );

    let out = d.run(
        &[
            "label",
            "-i",
            "courier.key",
            "--order",
            "ORD-2",
            "cn.env",
            "-o",
            "x.pdf",
        ],
        "",
    );
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(!d.path("x.pdf").exists());
    let audit = d.audit();
    assert_eq!(audit[0]["outcome"], "order_mismatch");
    assert!(audit[0].get("label").is_none());
}

#[test]
fn disk_full_leaves_neither_labels_nor_rejects_in_place() {
    let d = Depot::new("disk-full");
    let manifest = d.manifest();
    d.write("manifest.ndjson", &manifest);
    // room for the audit records (a few KB), not for the PDF (its font subset alone is larger)
    let out = Command::new("bash")
        .current_dir(&d.dir)
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 12; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_sealpost"))
        .args([
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.ndjson",
            "-o",
            "labels.pdf",
        ])
        .env("SEALPOST_AUDIT_LOG", "audit.log")
        .env("SEALPOST_OPERATOR", "depot-7")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.starts_with("sealpost: error: cannot_write_output: labels.pdf: File too large"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: the disk is full"), "{stderr}");
    let left: Vec<String> = std::fs::read_dir(&d.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("labels") || n.ends_with(".partial") || n.starts_with(".labels"))
        .collect();
    assert!(left.is_empty(), "left in place: {left:?} ({stderr})");
    let verify = d.run(&["audit", "verify"], "");
    assert_eq!(verify.code, 0, "{}", verify.stderr);
    // a rerun with room meets no `output_exists`
    let out = d.run(
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
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(d.path("labels.pdf").exists() && d.path("labels.pdf.rejects.ndjson").exists());
}
