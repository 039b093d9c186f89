//! Scripts benchmark: `sealpost label --batch --opened` (the release binary, as a hub runs it)
//! over 1,000 generated addresses in the scripts a Chinese seller's buyers write, with the
//! fonts installed on this machine: how many labels are rejected and why, peak RSS and time.
//! Then the same number of Chinese-only addresses, which must cost what they cost with one
//! font (fallback fonts are loaded only when a character needs one).
//!
//! The population (per 1,000; names and streets vary, the country's format is fixed):
//! 440 mainland Chinese (10 of them with a name character of CJK Extension B, such as 𠮷),
//! 40 Japanese, 30 Korean, 50 Latin-script (US, DE, 20 Vietnamese), 60 Cyrillic, 80 Arabic
//! (streets with Latin digits: mixed right-to-left and left-to-right), 30 Hebrew, 50 Thai,
//! 50 Devanagari, 30 Greek, 140 more Chinese with a delivery note, 20 of them with an emoji
//! (🙏, 📦) as typed on a phone; 0 pure-symbol or private-use names.
//!
//! `cargo bench -p sealpost-cli --bench scripts` (or `cargo xtask bench cli`, which puts its row in the README). Figures
//! only, no pass/fail. With `SEALPOST_BENCH_JSON=FILE` the figures are also written there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::{
    collections::BTreeMap,
    io::Write,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// A country's address with `{name}` and `{street}` to fill in.
struct Template {
    script: &'static str,
    count: usize,
    json: &'static str,
    names: &'static [&'static str],
    streets: &'static [&'static str],
}

const TEMPLATES: [Template; 13] = [
    Template {
        script: "Chinese",
        count: 430,
        json: r#"{"name":"{name}","phone":"13812345678","country":"CN","addressLevel1":"浙江省","addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["{street}"],"postalCode":"310012"}"#,
        names: &[
            "张三",
            "王先生",
            "欧阳娜娜",
            "李伟",
            "刘女士",
            "陈静",
            "杨洋",
            "赵敏",
        ],
        streets: &[
            "文三路 90 号（东部软件园）3 号楼 501 室",
            "西湖大道 18 号",
            "教工路 1 号 2 单元 302",
            "天目山路 398 号古荡新村 5 幢",
        ],
    },
    Template {
        script: "Chinese, Extension B name",
        count: 10,
        json: r#"{"name":"{name}","phone":"13812345678","country":"CN","addressLevel1":"广东省","addressLevel2":"广州市","addressLevel3":"天河区","streetLines":["{street}"],"postalCode":"510000"}"#,
        names: &["\u{20BB7}田", "王\u{2A6D6}", "\u{20000}一"],
        streets: &["天河路 385 号"],
    },
    Template {
        script: "Japanese",
        count: 40,
        json: r#"{"name":"{name}","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都","addressLevel2":"渋谷区","streetLines":["{street}"],"postalCode":"150-0041"}"#,
        names: &["山田太郎", "佐藤はなこ", "スズキ イチロー"],
        streets: &["神南1-2-3", "道玄坂2-10-7 ヒカリエ5階"],
    },
    Template {
        script: "Korean",
        count: 30,
        json: r#"{"name":"{name}","phone":"+82 10 1234 5678","country":"KR","addressLevel1":"서울특별시","addressLevel2":"강남구","streetLines":["{street}"],"postalCode":"06236"}"#,
        names: &["김민준", "이서연", "박지훈"],
        streets: &["테헤란로 152", "역삼로 123 4층"],
    },
    Template {
        script: "Latin",
        count: 30,
        json: r#"{"name":"{name}","phone":"+49 30 1234567","country":"DE","addressLevel2":"Berlin","streetLines":["{street}"],"postalCode":"10117"}"#,
        names: &[
            "Anna Schmidt",
            "Jürgen Müller",
            "Zoë Ødegård",
            "François Lefèvre",
        ],
        streets: &[
            "Unter den Linden 5",
            "Schönhauser Allee 36",
            "Straße des 17. Juni 135",
        ],
    },
    Template {
        script: "Vietnamese",
        count: 20,
        json: r#"{"name":"{name}","phone":"+84 91 234 56 78","country":"VN","addressLevel2":"Hà Nội","streetLines":["{street}"],"postalCode":"100000"}"#,
        names: &["Nguyễn Thị Hương", "Trần Văn Đức", "Phạm Minh Châu"],
        streets: &["Số 12 Phố Hàng Bạc", "25 Đường Lý Thường Kiệt"],
    },
    Template {
        script: "Cyrillic",
        count: 60,
        json: r#"{"name":"{name}","phone":"+7 495 123-45-67","country":"RU","addressLevel1":"Москва","addressLevel2":"Москва","streetLines":["{street}"],"postalCode":"125009"}"#,
        names: &["Иван Петров", "Мария Соколова", "Ёлкин Юрий"],
        streets: &["ул. Тверская, д. 7, кв. 12", "Ленинский проспект 32"],
    },
    Template {
        script: "Arabic",
        count: 80,
        json: r#"{"name":"{name}","phone":"+971 50 123 4567","country":"AE","addressLevel2":"دبي","streetLines":["{street}"]}"#,
        names: &[
            "محمد أحمد",
            "فاطمة الزهراء",
            "عبد الله بن سالم",
            "Omar محمود",
        ],
        streets: &[
            "شارع الشيخ زايد 12، برج 3",
            "Villa 7, شارع الوصل",
            "مبنى 45، الطابق 2، شقة 201",
        ],
    },
    Template {
        script: "Hebrew",
        count: 30,
        json: r#"{"name":"{name}","phone":"+972 52 123 4567","country":"IL","addressLevel2":"תל אביב","streetLines":["{street}"],"postalCode":"6100000"}"#,
        names: &["דוד כהן", "שרה לוי", "יוסי אברהם"],
        streets: &["רחוב הרצל 15", "דיזנגוף 50, דירה 4"],
    },
    Template {
        script: "Thai",
        count: 50,
        json: r#"{"name":"{name}","phone":"+66 81 234 5678","country":"TH","addressLevel1":"กรุงเทพมหานคร","streetLines":["{street}"],"postalCode":"10110"}"#,
        names: &["สมชาย ใจดี", "สุภาพร แก้วมณี", "ณัฐวุฒิ ศรีสุข"],
        streets: &["123 ถนนสุขุมวิท", "99/1 ซอยอารีย์ ถนนพหลโยธิน"],
    },
    Template {
        script: "Devanagari",
        count: 50,
        json: r#"{"name":"{name}","phone":"+91 98765 43210","country":"IN","addressLevel1":"महाराष्ट्र","addressLevel2":"मुंबई","streetLines":["{street}"],"postalCode":"400001"}"#,
        names: &["राहुल शर्मा", "प्रिया पटेल", "अर्जुन क्षत्रिय"],
        streets: &["12 गांधी मार्ग", "फ्लैट 4, श्री कृष्ण अपार्टमेंट"],
    },
    Template {
        script: "Greek",
        count: 30,
        json: r#"{"name":"{name}","phone":"+30 21 0123 4567","country":"GR","addressLevel2":"Αθήνα","streetLines":["{street}"],"postalCode":"10563"}"#,
        names: &["Γιώργος Παπαδόπουλος", "Ελένη Κωνσταντίνου"],
        streets: &["Οδός Ερμού 10", "Λεωφόρος Αλεξάνδρας 25"],
    },
    Template {
        script: "Chinese, delivery note",
        count: 140,
        json: r#"{"name":"{name}","phone":"13812345678","country":"CN","addressLevel1":"上海市","addressLevel2":"上海市","addressLevel3":"浦东新区","streetLines":["世纪大道 100 号"],"postalCode":"200120","deliveryNote":"{street}"}"#,
        names: &["欧阳娜娜", "周杰"],
        // 20 of 140 with an emoji
        streets: &[
            "放门卫室",
            "工作日送",
            "请放门口",
            "到了打电话",
            "放快递柜",
            "周末送",
            "放门口\u{1F64F}谢谢",
        ],
    },
];

/// The manifest: `count` records per template, names and streets taken in turn.
fn manifest(path: &Path, only_chinese: bool) -> usize {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut n = 0;
    for t in &TEMPLATES {
        for i in 0..t.count {
            let (name, street) = if only_chinese {
                (TEMPLATES[0].names[i % 8], TEMPLATES[0].streets[i % 4])
            } else {
                (t.names[i % t.names.len()], t.streets[i % t.streets.len()])
            };
            let json = if only_chinese {
                TEMPLATES[0].json
            } else {
                t.json
            };
            let address = json.replace("{name}", name).replace("{street}", street);
            writeln!(f, "{{\"orderRef\":\"ORD-{n:05}\",\"address\":{address}}}").unwrap();
            n += 1;
        }
    }
    f.flush().unwrap();
    n
}

/// VmHWM (peak RSS) of a running process, in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Run {
    wall: Duration,
    peak_mib: f64,
    labelled: u64,
    rejected: BTreeMap<String, u64>,
    fonts: Vec<String>,
}

fn run(dir: &Path, manifest: &Path, out: &str) -> Run {
    let rejects = dir.join(format!("{out}.rejects.ndjson"));
    let _ = std::fs::remove_file(dir.join(out));
    let _ = std::fs::remove_file(&rejects);
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sealpost"))
        .current_dir(dir)
        .args(["label", "--batch", "--opened", "--no-mask", "-q", "-o", out])
        .arg(manifest)
        .env_remove("SEALPOST_LABEL_FONT")
        .env_remove("SEALPOST_LABEL_FONTS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut peak = 0u64;
    loop {
        if let Some(kib) = vm_hwm_kib(child.id()) {
            peak = peak.max(kib);
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let wall = t.elapsed();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let labelled = stderr
        .lines()
        .find(|l| l.contains(" labelled, "))
        .and_then(|l| l.rsplit(": ").next())
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // by code, and missing_glyph by character (its message names it as U+XXXX)
    let mut rejected = BTreeMap::new();
    for line in std::fs::read_to_string(&rejects)
        .unwrap_or_default()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let code = v["code"].as_str().unwrap_or("?");
        let message = v["message"].as_str().unwrap_or_default();
        let key = match message.split_once("U+") {
            Some((_, rest)) if code == "missing_glyph" => {
                format!("{code} U+{}", rest.split(' ').next().unwrap_or_default())
            }
            _ => code.to_owned(),
        };
        *rejected.entry(key).or_insert(0) += 1;
    }
    let fonts = Command::new("pdffonts")
        .arg(dir.join(out))
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .skip(2)
                .filter_map(|l| l.split_whitespace().next())
                .map(|n| n.split_once('+').map_or(n, |(_, f)| f).to_owned())
                .collect()
        })
        .unwrap_or_default();
    Run {
        wall,
        peak_mib: peak as f64 / 1024.0,
        labelled,
        rejected,
        fonts,
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-scripts");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mixed = dir.join("mixed.ndjson");
    let chinese = dir.join("chinese.ndjson");
    let records = manifest(&mixed, false);
    manifest(&chinese, true);

    let m = run(&dir, &mixed, "mixed.pdf");
    let c = run(&dir, &chinese, "chinese.pdf");
    let total = |r: &Run| r.rejected.values().sum::<u64>();
    println!(
        "label --batch --opened, {records} addresses in the scripts of a Chinese seller's buyers:"
    );
    println!(
        "  {} labelled, {} rejected {:?}; {:.2} s ({:.1} ms per label), peak RSS {:.1} MiB",
        m.labelled,
        total(&m),
        m.rejected,
        m.wall.as_secs_f64(),
        m.wall.as_secs_f64() * 1e3 / records as f64,
        m.peak_mib
    );
    println!("  fonts embedded: {}", m.fonts.join(", "));
    let population: Vec<String> = TEMPLATES
        .iter()
        .map(|t| format!("{} {}", t.script, t.count))
        .collect();
    println!("  population: {}", population.join(", "));
    println!(
        "the same number of Chinese-only addresses: {} labelled, {} rejected; {:.2} s, peak RSS {:.1} MiB; fonts: {}",
        c.labelled,
        total(&c),
        c.wall.as_secs_f64(),
        c.peak_mib,
        c.fonts.join(", ")
    );
    if let Some(path) = std::env::var_os("SEALPOST_BENCH_JSON") {
        let side = |r: &Run| {
            serde_json::json!({
                "labelled": r.labelled,
                "rejected": total(r),
                "rejectedByCode": r.rejected,
                "wallS": r.wall.as_secs_f64(),
                "msPerLabel": r.wall.as_secs_f64() * 1e3 / records as f64,
                "peakMiB": r.peak_mib,
                "fonts": r.fonts,
            })
        };
        let json = serde_json::json!({
            "records": records,
            "mixed": side(&m),
            "chineseOnly": side(&c),
        });
        std::fs::write(path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    }
}
