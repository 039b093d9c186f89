//! `sealpost label --template`: waybill templates through the real binary. PDFs are read back
//! with poppler (`pdftotext`, `pdfinfo`, `pdftoppm`) and the codes with `zbarimg`; ZPL is
//! checked for its commands. The helpers are `tests/common`'s.
//!
//! Needs Debian's poppler-utils, zbar-tools and fonts-noto-cjk: a missing tool fails the test
//! with what to install, it never skips it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{path::PathBuf, process::Command};

use common::*;

impl Depot {
    /// Code128 symbols on page 1 below `mm` from the top (203 dpi): the stub of a two-part
    /// waybill.
    fn scan_below(&self, pdf: &str, mm: f32) -> Vec<String> {
        let prefix = self.path(&format!("{pdf}-below"));
        let y = (mm / 25.4 * 203.0).round() as u32;
        output(
            tool("pdftoppm", "poppler-utils")
                .args([
                    "-r",
                    "203",
                    "-gray",
                    "-png",
                    "-singlefile",
                    "-f",
                    "1",
                    "-l",
                    "1",
                ])
                .args(["-y", &y.to_string(), "-H", "2000", "-W", "2000"])
                .arg(self.path(pdf))
                .arg(&prefix),
        );
        let png = PathBuf::from(format!("{}.png", prefix.display()));
        output(
            tool("zbarimg", "zbar-tools")
                .args(["-q", "--raw", "-Sdisable", "-Scode128.enable"])
                .arg(&png),
        )
        .lines()
        .map(|l| format!("CODE-128:{l}"))
        .collect()
    }

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

    /// A CSV manifest of envelopes with waybill columns: a Chinese order with every column,
    /// a German one whose waybill and sort code are empty (the fallbacks print).
    fn waybill_manifest(&self) {
        let cn = self.seal("ORD-20261126-0001", CN);
        let de = self.seal("ORD-1002", DE);
        self.write(
            "manifest.csv",
            &format!(
                "orderRef,envelope,waybill,sort_code,wt_kg,pieces,cod,goods,hub\n\
                 ORD-20261126-0001,{cn},SF1234567890123,571-WH 02,1.25,2,¥128.00,衣服 Clothes,杭州转运中心\n\
                 ORD-1002,{de},,,0.8,1,,Books,\n"
            ),
        );
    }
}

const BUILT_IN: [(&str, &str); 3] = [
    ("cn-76x130", "215.433 x 368.504 pts"),
    ("cn-100x180", "283.465 x 510.236 pts"),
    ("intl-4x6", "288 x 432 pts"),
];

fn no_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn built_in_templates_print_waybill_sort_code_and_manifest_fields() {
    let d = Depot::new("built-in");
    d.waybill_manifest();
    for (template, page_size) in BUILT_IN {
        let pdf = format!("{template}.pdf");
        let out = d.run(
            &[
                "label",
                "--batch",
                "-i",
                "courier.key",
                "manifest.csv",
                "-o",
                &pdf,
                "--template",
                template,
                "--field",
                "weight=wt_kg",
                "--sender",
                "杭州仓 Hangzhou DC",
                "--set",
                "sender_phone=0571-88886666",
                "--carrier",
                "顺丰速运 SF Express",
            ],
            "",
        );
        assert_eq!(out.code, 0, "{template}: {}", out.stderr);
        let info = d.pdfinfo(&pdf);
        assert!(info.contains("Pages:           2"), "{info}");
        assert!(info.contains(page_size), "{template}: {info}");

        // Chinese order: every manifest column where the template puts it, masked recipient
        let text = no_whitespace(&d.page_text(&pdf, 1));
        for shown in [
            "SF1234567890123",
            "571-WH02",
            "1.25",
            "¥128.00",
            "衣服Clothes",
            "杭州仓HangzhouDC",
            "0571-88886666",
            "顺丰速运SFExpress",
            "张*",
            "138****5678",
            "浙江省杭州市西湖区",
            "ORD-20261126-0001",
        ] {
            assert!(text.contains(shown), "{template}: {shown:?} not in\n{text}");
        }
        for hidden in ["张三", "13812345678"] {
            assert!(
                !text.contains(hidden),
                "{template}: {hidden:?} on a masked waybill"
            );
        }
        let codes = d.scan(&pdf, 1, 203);
        assert!(
            codes.contains(&"CODE-128:SF1234567890123".to_owned()),
            "{template}: {codes:?}"
        );
        assert!(
            codes.contains(&"QR-Code:ORD-20261126-0001".to_owned()),
            "{template}: {codes:?}"
        );
        assert!(
            !codes.iter().any(|c| c == "CODE-128:ORD-20261126-0001"),
            "{codes:?}"
        );

        // German order: no waybill column value -> the order reference; no sort code -> the
        // destination from the address
        let text = no_whitespace(&d.page_text(&pdf, 2));
        for shown in [
            "ORD-1002",
            "DEBERLIN",
            "0.8",
            "Books",
            "A*",
            "UnterdenLinden5",
        ] {
            assert!(text.contains(shown), "{template}: {shown:?} not in\n{text}");
        }
        assert!(
            !text.contains("Schmidt") && !text.contains("1234567"),
            "{text}"
        );
        let codes = d.scan(&pdf, 2, 203);
        assert!(
            codes.contains(&"CODE-128:ORD-1002".to_owned()),
            "{template}: {codes:?}"
        );
        assert!(
            codes.contains(&"QR-Code:ORD-1002".to_owned()),
            "{template}: {codes:?}"
        );
    }
    // the two-part waybill's stub repeats the waybill number: two barcodes of it
    let stub = d.scan_below("cn-100x180.pdf", 120.0);
    assert_eq!(stub, ["CODE-128:SF1234567890123"], "{stub:?}");
    // every label audited as masked, as for the privacy label
    let audit = d.audit();
    assert_eq!(audit.len(), 6);
    assert!(audit.iter().all(|a| a["label"] == "masked"), "{audit:?}");
}

#[test]
fn sort_code_falls_back_to_city_and_district_and_full_details_on_request() {
    let d = Depot::new("fallback");
    d.write("opened.ndjson", &format!("{{\"orderRef\":\"ORD-7\",\"address\":{CN}}}\n{{\"orderRef\":\"ORD-8\",\"address\":{SH}}}\n"));
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "opened.ndjson",
            "-o",
            "w.pdf",
            "--template",
            "cn-76x130",
            "--no-mask",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = d.page_text("w.pdf", 1);
    assert!(first.contains("杭州 西湖"), "{first}");
    let first = no_whitespace(&first);
    assert!(
        first.contains("张三") && first.contains("13812345678"),
        "{first}"
    );
    assert!(first.contains("完整信息"), "{first}");
    // no --carrier: the template's own carrier name
    assert!(first.contains("快递Express"), "{first}");
    // a municipality: the district after the city, named once
    assert!(
        d.page_text("w.pdf", 2).contains("上海 浦东新"),
        "{}",
        d.page_text("w.pdf", 2)
    );
    assert_eq!(d.scan("w.pdf", 1, 203), ["CODE-128:ORD-7", "QR-Code:ORD-7"]);
}

#[test]
fn a_carrier_template_file_renders_without_rust() {
    let d = Depot::new("carrier-file");
    d.write(
        "zto.toml",
        r#"# a carrier's own layout
name = "zto-100x150"
width = 100
height = 150
carrier = "中通快递 ZTO"

[columns]
route = "route_code"
waybill = "waybill"

[[text]]
box = [2, 2, 96, 12]
field = "carrier"
font = [10, 20]

[[text]]
box = [2, 14, 96, 20]
text = "{route}"
font = [16, 40]
align = "center"
valign = "middle"

[[barcode]]
box = [5, 36, 90, 20]

[[text]]
box = [2, 56, 96, 6]
text = "运单 {waybill}"
font = 9
align = "center"

[[recipient]]
box = [2, 64, 96, 50]
caption = "收件"
font = [8, 16]

[[qr]]
box = [2, 118, 30, 30]

[[frame]]
box = [34, 118, 64, 30]

[[text]]
box = [34, 118, 64, 30]
text = "签收 {weight}"
font = 8
"#,
    );
    d.write(
        "opened.ndjson",
        &format!("{{\"orderRef\":\"ORD-9\",\"route_code\":\"310-A12\",\"waybill\":\"75123456789012\",\"address\":{DE}}}\n"),
    );
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "opened.ndjson",
            "-o",
            "zto.pdf",
            "--template",
            "zto.toml",
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = no_whitespace(&d.page_text("zto.pdf", 1));
    for shown in ["中通快递ZTO", "310-A12", "运单75123456789012", "收件", "A*"] {
        assert!(text.contains(shown), "{shown:?} not in\n{text}");
    }
    // {weight} has no value: its box stays blank, "签收" with it
    assert!(!text.contains("签收"), "{text}");
    assert_eq!(
        d.scan("zto.pdf", 1, 203),
        ["CODE-128:75123456789012", "QR-Code:ORD-9"]
    );
    assert!(d.pdfinfo("zto.pdf").contains("283.465 x 425.197 pts"));
}

#[test]
fn bad_templates_are_refused_naming_the_problem_and_nothing_is_opened() {
    let d = Depot::new("bad-templates");
    d.waybill_manifest();
    let base = "width = 76\nheight = 130\n";
    let cases = [
        ("short-box", format!("{base}[[text]]\nbox = [1, 1, 10]\nfield = \"x\"\nfont = 8\n"), "line 4: invalid length 3"),
        ("unknown-key", format!("{base}[[text]]\nbox = [1, 1, 10, 5]\nfield = \"x\"\nfont = 8\ncolour = \"red\"\n"), "line 7: unknown field `colour`"),
        ("off-page", format!("{base}[[barcode]]\nbox = [60, 1, 30, 5]\n"), "line 3: [[barcode]] number 1: box [60, 1, 30, 5] is not [x, y, width, height] inside the 76 x 130 mm page"),
        ("bad-field", format!("{base}[[text]]\nbox = [1, 1, 30, 5]\ntext = \"W {{Weight}}\"\nfont = 8\n"), "{Weight}"),
        ("font", format!("{base}[[recipient]]\nbox = [1, 1, 30, 5]\nfont = [20, 2]\n"), "font must be 4-120 pt"),
        ("not-toml", "width = = 3".to_owned(), "line 1"),
        ("page", "width = 7600\nheight = 130\n".to_owned(), "width and height must be 20-400 mm"),
    ];
    for (name, text, expected) in cases {
        let file = format!("{name}.toml");
        d.write(&file, &text);
        let out = d.run(
            &[
                "label",
                "--batch",
                "-i",
                "courier.key",
                "manifest.csv",
                "-o",
                "x.pdf",
                "--template",
                &file,
            ],
            "",
        );
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        assert!(
            out.stderr.starts_with(&format!(
                "sealpost: error: invalid_template: template {file}: "
            )),
            "{name}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(expected), "{name}: {}", out.stderr);
        assert!(!d.path("x.pdf").exists());
    }
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.csv",
            "-o",
            "x.pdf",
            "--template",
            "no-such",
        ],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("built-in templates: cn-76x130, cn-100x180, intl-4x6"),
        "{}",
        out.stderr
    );
    assert!(!d.path("audit.log").exists() || d.audit().is_empty());
}

#[test]
fn a_field_naming_a_missing_column_stops_before_anything_is_opened() {
    let d = Depot::new("missing-column");
    d.waybill_manifest();
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.csv",
            "-o",
            "x.pdf",
            "--template",
            "cn-76x130",
            "--field",
            "weight=weight_kg",
        ],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("sealpost: error: usage: --field weight=weight_kg: manifest.csv has no \"weight_kg\" column; nothing was opened"),
        "{}",
        out.stderr
    );
    assert!(!d.path("x.pdf").exists());
    assert!(!d.path("audit.log").exists() || d.audit().is_empty());
    // and a field sealpost fills itself cannot be mapped
    let out = d.run(
        &[
            "label",
            "--batch",
            "-i",
            "courier.key",
            "manifest.csv",
            "-o",
            "x.pdf",
            "--template",
            "cn-76x130",
            "--field",
            "order=waybill",
        ],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("sealpost fills the order field itself"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_address_too_long_for_the_box_is_rejected_not_cut() {
    let d = Depot::new("too-long");
    // three street lines of 80 characters: valid (sealed as is), too much for 76 x 130 mm
    let line = "文三路九十号东部软件园".repeat(7);
    let long = CN.replace(
        "\"文三路 90 号 东部软件园 3 号楼 501 室\"",
        &format!("\"{line}\",\"{line}\",\"{line}\""),
    );
    d.write("opened.ndjson", &format!("{{\"orderRef\":\"ORD-1\",\"address\":{long}}}\n{{\"orderRef\":\"ORD-2\",\"address\":{DE}}}\n"));
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "opened.ndjson",
            "-o",
            "w.pdf",
            "--template",
            "cn-76x130",
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let rejects = std::fs::read_to_string(d.path("w.pdf.rejects.ndjson")).unwrap();
    assert!(
        rejects.contains("\"order\":\"ORD-1\",\"code\":\"address_does_not_fit\""),
        "{rejects}"
    );
    assert!(rejects.contains("cn-76x130"), "{rejects}");
    assert!(!rejects.contains("文三路") && !out.stderr.contains("文三路"));
    assert!(d.pdfinfo("w.pdf").contains("Pages:           1"));
}

#[test]
fn zpl_of_each_template() {
    let d = Depot::new("zpl");
    d.write(
        "opened.ndjson",
        &format!(
            "{{\"orderRef\":\"ORD-1\",\"waybill\":\"SF1234567890123\",\"weight\":1.5,\"address\":{CN}}}\n\
             {{\"orderRef\":\"SO-77\",\"address\":{US}}}\n"
        ),
    );
    for (template, _) in BUILT_IN {
        let zpl = format!("{template}.zpl");
        let out = d.run(
            &[
                "label",
                "--opened",
                "--batch",
                "opened.ndjson",
                "-o",
                &zpl,
                "--template",
                template,
                "--set",
                "cod=¥0^XZ",
            ],
            "",
        );
        assert_eq!(out.code, 0, "{template}: {}", out.stderr);
        let text = std::fs::read_to_string(d.path(&zpl)).unwrap();
        let labels: Vec<&str> = text.split_inclusive("^XZ\n").collect();
        assert_eq!(labels.len(), 2, "{text}");
        let (cn, us) = (labels[0], labels[1]);
        assert!(
            cn.contains("^BCN,") && cn.contains("^FH\\^FDSF1234567890123^FS"),
            "{template}: {cn}"
        );
        assert!(
            cn.contains("^BQN,2,") && cn.contains("^FDMA,ORD-1^FS"),
            "{template}: {cn}"
        );
        assert!(
            cn.contains("^FD张* 138****5678^FS") || cn.contains("^FD张*  138****5678^FS"),
            "{template}: {cn}"
        );
        assert!(!cn.contains("张三") && !cn.contains("13812345678"));
        assert!(cn.contains("^FD1.5^FS"), "{template}: {cn}");
        assert!(cn.contains("^GB"), "{template}");
        // ^ and ~ in a value are ^FH escapes; the waybill falls back to the order reference
        assert!(
            cn.contains("¥0\\5EXZ") && !cn.contains("¥0^XZ"),
            "{template}: {cn}"
        );
        assert!(
            us.contains("^FH\\^FDSO-77^FS") && us.contains("^FDMA,SO-77^FS"),
            "{us}"
        );
        assert!(us.contains("Suite 2\\5EXZ"), "{us}");
        assert_eq!(
            text.matches("^XZ").count(),
            2,
            "{template}: an injected ^XZ"
        );
    }
    let size = std::fs::read_to_string(d.path("cn-100x180.zpl")).unwrap();
    assert!(
        size.contains("^PW800\n^LL1440"),
        "100 x 180 mm at 8 dots/mm"
    );
}

#[test]
fn a_template_word_the_font_lacks_is_refused_never_tofu() {
    let d = Depot::new("glyphs");
    let dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    file_needed(dejavu, "fonts-dejavu-core");
    d.write(
        "opened.ndjson",
        &format!("{{\"orderRef\":\"ORD-1\",\"address\":{DE}}}\n"),
    );
    // intl-4x6 has 签收人 in its signature box: DejaVu Sans, pinned as the only fallback too,
    // has no Han
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "opened.ndjson",
            "-o",
            "w.pdf",
            "--template",
            "intl-4x6",
            "--font",
            dejavu,
            "--fallback-font",
            dejavu,
        ],
        "",
    );
    assert_eq!(out.code, 7, "{}", out.stderr);
    let rejects = std::fs::read_to_string(d.path("w.pdf.rejects.ndjson")).unwrap();
    assert!(rejects.contains("\"code\":\"missing_glyph\""), "{rejects}");
    assert!(rejects.contains("in the waybill"), "{rejects}");
    // a template of Latin words only prints with it
    d.write(
        "latin.toml",
        "width = 100\nheight = 60\n[[recipient]]\nbox = [2, 2, 96, 40]\ncaption = \"TO\"\nfont = [8, 14]\n\
         [[barcode]]\nbox = [2, 44, 70, 14]\n[[qr]]\nbox = [74, 42, 18, 18]\n",
    );
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "opened.ndjson",
            "-o",
            "l.pdf",
            "--template",
            "latin.toml",
            "--font",
            dejavu,
            "--fallback-font",
            dejavu,
        ],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(d.scan("l.pdf", 1, 203), ["CODE-128:ORD-1", "QR-Code:ORD-1"]);
}

#[test]
fn the_carrier_comes_from_the_signed_directory_for_the_key_that_opened() {
    let d = Depot::new("directory");
    d.waybill_manifest();
    // the platform's side: a directory listing this depot's key under 顺丰速运 / SF Express
    let platform = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_sealpost"))
            .current_dir(&d.dir)
            .args(args)
            .env(
                "SEALPOST_PASSPHRASE",
                "platform passphrase for the waybill test",
            )
            .env_remove("SEALPOST_PLATFORM_KEY")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let kdf = ["--kdf-memory", "8192", "--kdf-passes", "1"];
    let spp = platform(
        &[
            &[
                "directory",
                "init",
                "-k",
                "platform.key",
                "-d",
                "draft.json",
            ][..],
            &kdf,
        ]
        .concat(),
    );
    let other = platform(
        &[
            &["directory", "init", "-k", "other.key", "-d", "other.json"][..],
            &kdf,
        ]
        .concat(),
    );
    platform(&[
        "directory",
        "add-courier",
        "-d",
        "draft.json",
        "--id",
        "sf",
        "--name-zh",
        "顺丰速运",
        "--name-en",
        "SF Express",
    ]);
    platform(&[
        "directory",
        "add-key",
        "-d",
        "draft.json",
        "--courier",
        "sf",
        "--key",
        &d.pubkey,
        "--valid-from",
        "2026-01-01",
        "--valid-until",
        "2030-12-31",
    ]);
    platform(&[
        "directory",
        "sign",
        "-d",
        "draft.json",
        "-k",
        "platform.key",
        "--expires",
        "2099-12-31",
        "-o",
        "couriers.spd",
    ]);

    let label = |extra: &[&str], pdf: &str| {
        let args = [
            &[
                "label",
                "--batch",
                "-i",
                "courier.key",
                "manifest.csv",
                "-o",
                pdf,
            ][..],
            &["--template", "cn-76x130", "--field", "waybill=waybill"],
            extra,
        ]
        .concat();
        d.run(&args, "")
    };
    let out = label(
        &["--directory", "couriers.spd", "--platform-key", &spp],
        "dir.pdf",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in [1, 2] {
        let text = d.page_text("dir.pdf", page);
        assert!(text.contains("顺丰速运 SF Express"), "page {page}: {text}");
        assert!(
            !text.contains("快递 Express"),
            "page {page}: the template's carrier"
        );
    }
    // --carrier still wins over the directory
    let out = label(
        &[
            "--directory",
            "couriers.spd",
            "--platform-key",
            &spp,
            "--carrier",
            "Depot 7",
        ],
        "carrier.pdf",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(d.page_text("carrier.pdf", 1).contains("Depot 7"));

    // a directory signed by another platform key, or no key to check it with: refused before
    // anything is opened or audited
    let audited = std::fs::read_to_string(d.path("audit.log"))
        .unwrap()
        .lines()
        .count();
    let out = label(
        &["--directory", "couriers.spd", "--platform-key", &other],
        "wrong.pdf",
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("directory_wrong_key"), "{}", out.stderr);
    let out = label(&["--directory", "couriers.spd"], "nokey.pdf");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid_platform_key"),
        "{}",
        out.stderr
    );
    let after = std::fs::read_to_string(d.path("audit.log"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(after, audited, "nothing opened");
    assert!(!d.path("wrong.pdf").exists() && !d.path("nokey.pdf").exists());

    // opened records carry no key: --directory needs envelopes
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "manifest.csv",
            "-o",
            "o.pdf",
            "--template",
            "cn-76x130",
            "--directory",
            "couriers.spd",
            "--platform-key",
            &spp,
        ],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}
