//! Labels in every script, end to end: the real `sealpost` binary labels opened addresses in
//! Arabic, Hebrew, Thai, Devanagari, Greek, Cyrillic, Vietnamese and Chinese with the fonts
//! installed on the machine; the PDFs are read back with poppler (`pdffonts`, `pdftotext`,
//! `pdftoppm`).
//!
//! Needs Debian's poppler-utils, fonts-noto-cjk, fonts-noto-core, fonts-hanazono and
//! fonts-symbola (`cargo xtask test` installs them): a missing one fails the test with the
//! package to install.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::{
    collections::BTreeSet,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use common::{file_needed, output, tool};

const NOTO_CJK: &str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const NOTO_ARABIC: &str = "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf";
const HANA_MIN_A: &str = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf";
const SYMBOLA: &str = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf";

const AE: &str = r#"{"name":"محمد أحمد","phone":"+971 50 123 4567","country":"AE","addressLevel2":"دبي","streetLines":["شارع الشيخ زايد 12، برج 3"]}"#;
const IL: &str = r#"{"name":"דוד כהן","phone":"+972 52 123 4567","country":"IL","addressLevel2":"תל אביב","streetLines":["רחוב הרצל 15"],"postalCode":"6100000"}"#;
const TH: &str = r#"{"name":"สมชาย ใจดี","phone":"+66 81 234 5678","country":"TH","addressLevel1":"กรุงเทพมหานคร","streetLines":["123 ถนนสุขุมวิท"],"postalCode":"10110"}"#;
const IN: &str = r#"{"name":"राहुल शर्मा","phone":"+91 98765 43210","country":"IN","addressLevel1":"महाराष्ट्र","addressLevel2":"मुंबई","streetLines":["12 गांधी मार्ग"],"postalCode":"400001"}"#;
const GR: &str = r#"{"name":"Γιώργος Παπαδόπουλος","phone":"+30 21 0123 4567","country":"GR","addressLevel2":"Αθήνα","streetLines":["Οδός Ερμού 10"],"postalCode":"10563"}"#;
const RU: &str = r#"{"name":"Иван Петров","phone":"+7 495 123-45-67","country":"RU","addressLevel1":"Москва","addressLevel2":"Москва","streetLines":["ул. Тверская, д. 7, кв. 12"],"postalCode":"125009"}"#;
const VN: &str = r#"{"name":"Nguyễn Thị Hương","phone":"+84 91 234 56 78","country":"VN","addressLevel2":"Hà Nội","streetLines":["Số 12 Phố Hàng Bạc"],"postalCode":"100000"}"#;
const CN: &str = r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省","addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号（东部软件园）3 号楼 501 室"],"postalCode":"310012"}"#;

struct Dir(PathBuf);

struct Out {
    code: i32,
    stderr: String,
}

impl Dir {
    fn new(name: &str) -> Dir {
        file_needed(NOTO_CJK, "fonts-noto-cjk");
        file_needed(NOTO_ARABIC, "fonts-noto-core");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("label_fonts")
            .join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// `sealpost ARGS` with `env` set (and no label font variables from the caller's shell).
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealpost"));
        cmd.current_dir(&self.0)
            .args(args)
            .env_remove("SEALPOST_LABEL_FONT")
            .env_remove("SEALPOST_LABEL_FONTS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// One label for an opened address (order ORD-`name`), name and phone in full.
    fn label(&self, name: &str, address: &str, env: &[(&str, &str)]) -> Out {
        self.label_as(name, &format!("ORD-{name}"), address, env)
    }

    fn label_as(&self, name: &str, order: &str, address: &str, env: &[(&str, &str)]) -> Out {
        std::fs::File::create(self.path(&format!("{name}.json")))
            .unwrap()
            .write_all(address.as_bytes())
            .unwrap();
        self.run(
            &[
                "label",
                "--opened",
                "--order",
                order,
                "--no-mask",
                "-o",
                &format!("{name}.pdf"),
                &format!("{name}.json"),
            ],
            env,
        )
    }

    /// The fonts of a PDF as `pdffonts` lists them, subset tag removed; asserts each is
    /// embedded, subset and has a ToUnicode map ("yes yes yes").
    fn fonts(&self, pdf: &str) -> BTreeSet<String> {
        let list = output(tool("pdffonts", "poppler-utils").arg(self.path(pdf)));
        list.lines()
            .skip(2)
            .map(|line| {
                assert!(line.contains(" yes yes yes "), "{list}");
                let name = line.split_whitespace().next().unwrap();
                let name = name.split_once('+').map_or(name, |(_, n)| n);
                name.trim_end_matches("-Identity-H").to_owned()
            })
            .collect()
    }

    /// `pdftotext` of a PDF, without the bidi embedding marks poppler puts around RTL runs.
    fn text(&self, pdf: &str) -> String {
        output(
            tool("pdftotext", "poppler-utils")
                .args(["-enc", "UTF-8"])
                .arg(self.path(pdf))
                .arg("-"),
        )
        .chars()
        .filter(|c| !matches!(*c as u32, 0x200E | 0x200F | 0x202A..=0x202E))
        .collect()
    }

    /// Page 1 rendered in grey at 150 dpi.
    fn render(&self, pdf: &str) -> Vec<u8> {
        let prefix = self.path(&format!("{pdf}-render"));
        output(
            tool("pdftoppm", "poppler-utils")
                .args(["-r", "150", "-gray", "-png", "-singlefile"])
                .arg(self.path(pdf))
                .arg(&prefix),
        );
        std::fs::read(format!("{}.png", prefix.display())).unwrap()
    }
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn every_script_gets_a_label_with_only_the_fonts_it_needs() {
    let d = Dir::new("scripts");
    // (name, address, fallback font embedded besides the CJK primary, words pdftotext returns)
    let cases: [(&str, &str, Option<&str>, &[&str]); 8] = [
        (
            "ae",
            AE,
            Some("NotoSansArabic-Regular"),
            &["محمد أحمد", "دبي", "شارع الشيخ زايد"],
        ),
        (
            "il",
            IL,
            Some("NotoSansHebrew-Regular"),
            &["דוד כהן", "רחוב הרצל", "תל אביב"],
        ),
        (
            "th",
            TH,
            Some("NotoSansThai-Regular"),
            &["สมชาย ใจดี", "ถนนสุขุมวิท", "กรุงเทพมหานคร"],
        ),
        (
            "in",
            IN,
            Some("NotoSansDevanagari-Regular"),
            &["राहुल शर्मा", "गांधी मार्ग", "महाराष्ट्र"],
        ),
        // Noto Sans CJK has Greek without tonos: 「Γιώργος」 is set in Noto Sans as a whole
        (
            "gr",
            GR,
            Some("NotoSans-Regular"),
            &["Γιώργος", "Παπαδόπουλος", "Οδός Ερμού 10"],
        ),
        ("ru", RU, None, &["Иван Петров", "ТВЕРСКАЯ"]),
        (
            "vn",
            VN,
            None,
            &["Nguyễn Thị Hương", "Số 12 Phố Hàng Bạc", "HÀ NỘI"],
        ),
        ("cn", CN, None, &["张三", "浙江省", "（东部软件园）"]),
    ];
    for (name, address, fallback, words) in cases {
        let out = d.label(name, address, &[]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        let pdf = format!("{name}.pdf");
        let mut expected = set(&["NotoSansCJKsc-Regular"]);
        expected.extend(fallback.map(str::to_owned));
        assert_eq!(d.fonts(&pdf), expected, "{name}");
        let text = d.text(&pdf);
        for word in words {
            assert!(text.contains(word), "{name}: {word:?} not in\n{text}");
        }
    }
}

#[test]
fn a_batch_in_many_scripts_embeds_each_font_once() {
    let d = Dir::new("batch");
    let mut manifest = String::new();
    for (i, address) in [AE, IL, TH, IN, GR, RU, VN, CN, AE, CN].iter().enumerate() {
        manifest.push_str(&format!(
            "{{\"orderRef\":\"ORD-{i}\",\"address\":{address}}}\n"
        ));
    }
    std::fs::write(d.path("m.ndjson"), manifest).unwrap();
    let out = d.run(
        &[
            "label",
            "--opened",
            "--batch",
            "--no-mask",
            "-o",
            "m.pdf",
            "m.ndjson",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("10 labelled, 0 rejected"),
        "{}",
        out.stderr
    );
    let list = output(tool("pdffonts", "poppler-utils").arg(d.path("m.pdf")));
    assert_eq!(list.lines().count(), 2 + 6, "{list}");
    assert_eq!(
        d.fonts("m.pdf"),
        set(&[
            "NotoSansCJKsc-Regular",
            "NotoSansArabic-Regular",
            "NotoSansHebrew-Regular",
            "NotoSansThai-Regular",
            "NotoSansDevanagari-Regular",
            "NotoSans-Regular",
        ])
    );
}

#[test]
fn arabic_is_shaped_not_drawn_as_isolated_letters() {
    let d = Dir::new("shaping");
    let pinned = [("SEALPOST_LABEL_FONTS", NOTO_ARABIC)];
    let joined = AE.replace("محمد أحمد", "محمد");
    // the same letters as their isolated presentation forms: what unshaped text looks like
    let isolated = AE.replace("محمد أحمد", "\u{FEE1}\u{FEA1}\u{FEE1}\u{FEA9}");
    for (name, address) in [
        ("joined", &joined),
        ("again", &joined),
        ("isolated", &isolated),
    ] {
        let out = d.label_as(name, "ORD-1", address, &pinned);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(
            d.fonts(&format!("{name}.pdf")),
            set(&["NotoSansCJKsc-Regular", "NotoSansArabic-Regular"])
        );
    }
    // rendering is deterministic, and joining changes the picture
    assert!(d.render("joined.pdf") == d.render("again.pdf"));
    assert!(
        d.render("joined.pdf") != d.render("isolated.pdf"),
        "محمد is drawn as four isolated letters: not shaped"
    );
    assert!(d.text("joined.pdf").contains("محمد"));
}

#[test]
fn arabic_with_latin_digits_is_ordered_right_to_left() {
    let d = Dir::new("bidi");
    let out = d.label("ae", AE, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // words of the street line with their left edges, as poppler finds them on the page
    let bbox = output(
        tool("pdftotext", "poppler-utils")
            .args(["-bbox", "-enc", "UTF-8"])
            .arg(d.path("ae.pdf"))
            .arg("-"),
    );
    let x_of = |wanted: &str| -> f32 {
        bbox.lines()
            .filter(|l| l.contains("<word "))
            .find_map(|l| {
                let word = l.split('>').nth(1)?.split('<').next()?;
                let reversed: String = word.chars().rev().collect();
                (word == wanted || reversed == wanted).then(|| {
                    let x = l
                        .split("xMin=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap();
                    x.parse().unwrap()
                })
            })
            .unwrap_or_else(|| panic!("{wanted:?} not found in\n{bbox}"))
    };
    // 「شارع الشيخ زايد 12، برج 3」 reads right to left: the first word rightmost, the
    // number 12 (still written 12, not 21) in the middle, 3 at the left end
    let street = x_of("شارع");
    let twelve = x_of("،12");
    let three = x_of("3");
    assert!(
        street > twelve && twelve > three,
        "{street} {twelve} {three}"
    );
}

#[test]
fn extension_b_is_refused_naming_the_character_and_a_package_unless_a_font_has_it() {
    file_needed(HANA_MIN_A, "fonts-hanazono");
    let d = Dir::new("ext-b");
    let address = CN.replace("\"张三\"", "\"王\u{20000}\"");
    // the fallback list pinned to a font without it
    let out = d.label("pinned", &address, &[("SEALPOST_LABEL_FONTS", NOTO_ARABIC)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "sealpost: error: missing_glyph: order \"ORD-pinned\": the configured fonts (--font, --fallback-font) have no glyph for U+20000 '\u{20000}' in the name",
            "sealpost: hint: install a font that has it (Debian: fonts-hanazono), or name one with --fallback-font FILE",
        ]
    );
    // nothing else of the address is shown
    assert!(!out.stderr.contains('王') && !out.stderr.contains("杭州"));
    assert!(!d.path("pinned.pdf").exists());

    // a configured font that has it
    let out = d.run(
        &[
            "label",
            "--opened",
            "--order",
            "ORD-2",
            "--no-mask",
            "--fallback-font",
            HANA_MIN_A,
            "-o",
            "given.pdf",
            "pinned.json",
        ],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        d.fonts("given.pdf"),
        set(&["NotoSansCJKsc-Regular", "HanaMinA"])
    );
    assert!(d.text("given.pdf").contains("王\u{20000}"));

    // found among the installed fonts when nothing is configured
    let out = d.label("found", &address, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(d.fonts("found.pdf").contains("HanaMinA"));
}

#[test]
fn a_fallback_font_that_does_not_exist_is_refused() {
    let d = Dir::new("no-file");
    let out = d.label("x", CN, &[("SEALPOST_LABEL_FONTS", "/no/such/font.ttf")]);
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("sealpost: error: font_unavailable: /no/such/font.ttf: "),
        "{}",
        out.stderr
    );
    assert!(!d.path("x.pdf").exists());
}

#[test]
fn an_emoji_in_a_delivery_note_is_drawn_from_an_outline_font() {
    file_needed(SYMBOLA, "fonts-symbola");
    let d = Dir::new("emoji");
    let address = CN.replace(
        "\"postalCode\"",
        "\"deliveryNote\":\"放门口\u{1F64F}\",\"postalCode\"",
    );
    let out = d.label("note", &address, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Symbola, not a colour emoji font whose bitmap glyphs would be drawn empty
    assert_eq!(
        d.fonts("note.pdf"),
        set(&["NotoSansCJKsc-Regular", "Symbola"])
    );
    assert!(d.text("note.pdf").contains("放门口\u{1F64F}"));
}

#[test]
fn a_private_use_character_is_refused_without_naming_a_package() {
    let d = Dir::new("private-use");
    let address = CN.replace("\"张三\"", "\"张\u{E000}\"");
    let out = d.label("pua", &address, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "sealpost: error: missing_glyph: order \"ORD-pua\": no installed font has a glyph for U+E000 '\u{E000}' in the name",
            "sealpost: hint: a private-use or control character, which no font package covers: correct the address, or name a font that has it with --fallback-font FILE",
        ]
    );
}
