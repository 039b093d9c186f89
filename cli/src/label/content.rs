//! What a label says, independent of PDF or ZPL: the recipient (masked or not), the address laid
//! out by its country's format (line order and capitals from the built-in address data), the
//! order reference and the sender line.

use sealpost::{addrdata::CountryFormat, Address};

use crate::{addrdata, error::Result};

/// The text of one label.
#[derive(Clone, PartialEq, Eq)]
pub struct Label {
    /// The order reference: printed, and encoded in the QR code and the Code128 barcode.
    pub order: String,
    /// Recipient name as printed (`张*` when masked).
    pub name: String,
    /// Phone as printed (`138****5678` when masked).
    pub phone: String,
    /// Company, if any (printed in full: it is not the person).
    pub company: String,
    /// Address lines in the country's format (China: largest unit first, the postal code
    /// last as `邮编 …`).
    pub lines: Vec<String>,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Delivery note ("" if none).
    pub note: String,
    /// Sender / return line ("" if none).
    pub sender: String,
    /// Whether name and phone are masked.
    pub masked: bool,
    /// A 大头笔 (destination sort text) from the address: city and district short names for
    /// China (`杭州 西湖`), else country and city; the `sort_code` of a waybill template when the
    /// manifest gives none. Not a carrier's 三段码, which only the carrier's system computes.
    pub sort_hint: String,
    /// Values of waybill template fields (`waybill`, `weight`, … from manifest columns,
    /// `--carrier`, the print time); see [`Label::field`].
    pub fields: std::collections::BTreeMap<String, String>,
}

/// Only what is not address data: a label in a log or a panic message shows no name, phone or
/// street.
impl core::fmt::Debug for Label {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Label")
            .field("order", &self.order)
            .field("country", &self.country)
            .field("masked", &self.masked)
            .finish_non_exhaustive()
    }
}

impl Label {
    /// The label of `address`, laid out by its country's format from the built-in address data
    /// (`invalid_address_data` if that data is broken: a bug of the build).
    pub fn new(address: &Address, order: &str, sender: &str, masked: bool) -> Result<Label> {
        addrdata::with_format(&address.country, |format| {
            Label::with_format(address, format, order, sender, masked)
        })
    }

    /// The label of `address` laid out by `format` (`None`: the generic layout).
    pub fn with_format(
        address: &Address,
        format: Option<&CountryFormat>,
        order: &str,
        sender: &str,
        masked: bool,
    ) -> Label {
        let (name, phone) = if masked {
            (
                super::mask::name(&address.name),
                super::mask::phone(&address.phone, &address.country),
            )
        } else {
            (address.name.clone(), address.phone.clone())
        };
        Label {
            order: order.to_owned(),
            name,
            phone,
            company: address.company.clone(),
            lines: address_lines(address, format),
            country: address.country.clone(),
            note: address.delivery_note.clone(),
            sender: sender.trim().to_owned(),
            masked,
            sort_hint: sort_hint(address),
            fields: std::collections::BTreeMap::new(),
        }
    }

    /// The value of a template field: the label's own (`order`, `country`, `privacy`), else
    /// the value given, else the fallback (`waybill`: the order reference; `sort_code`: the
    /// 大头笔 from the address; `sender`: `--sender`), else "".
    pub fn field(&self, name: &str) -> &str {
        let given = self.fields.get(name).map(String::as_str);
        match name {
            "order" => &self.order,
            "country" => &self.country,
            "privacy" if self.masked => "隐私面单 Privacy label",
            "privacy" => "完整信息 Full details",
            "waybill" => given.filter(|v| !v.is_empty()).unwrap_or(&self.order),
            "sort_code" => given.filter(|v| !v.is_empty()).unwrap_or(&self.sort_hint),
            "sender" => given.filter(|v| !v.is_empty()).unwrap_or(&self.sender),
            _ => given.unwrap_or_default(),
        }
    }

    pub fn is_china(&self) -> bool {
        self.country == "CN"
    }

    /// Every piece of text drawn on the privacy label, for the font coverage check (a waybill's
    /// texts are checked as laid out, template words and field values included).
    pub fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("name", self.name.as_str()),
            ("phone", self.phone.as_str()),
            ("company", self.company.as_str()),
            ("delivery note", self.note.as_str()),
            ("sender", self.sender.as_str()),
            ("order", self.order.as_str()),
            ("country", self.country.as_str()),
        ]
        .into_iter()
        .chain(self.lines.iter().map(|l| ("address", l.as_str())))
    }
}

/// The 大头笔 of an address: for China the city and district without their suffixes
/// (`杭州 西湖`; a municipality by its district: `上海 浦东新`), else the country code and the
/// city in capitals (`DE BERLIN`).
fn sort_hint(a: &Address) -> String {
    use sealpost::addrdata::short_name;
    if a.country == "CN" {
        let city = short_name(&a.address_level2);
        let district = short_name(&a.address_level3);
        let province = short_name(&a.address_level1);
        let parts = [if city.is_empty() { province } else { city }, district];
        let mut out: Vec<&str> = Vec::new();
        for p in parts.into_iter().filter(|p| !p.is_empty()) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out.join(" ")
    } else {
        [a.country.as_str(), a.address_level2.trim()]
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| p.to_uppercase())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The layout without a format asset (every code sealpost accepts has one; this keeps the label
/// total): China big-to-small as its format, elsewhere street, district, "Postcode City", state.
const FALLBACK_CN: &str = "%Z%n%S%C%D%n%A";
const FALLBACK: &str = "%A%n%D%n%Z %C%n%S";

/// One piece of a line format.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    /// `%X`: a field letter (`A`, `C`, …; letters the label does not print here give "").
    Field(char),
    /// Text printed as is (`, `, `〒`, `CH-`).
    Lit(String),
    /// `%n`.
    Newline,
}

fn tokens(fmt: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        let tok = match (c, chars.clone().next()) {
            ('%', Some('n')) => Tok::Newline,
            ('%', Some(l)) => Tok::Field(l),
            _ => {
                lit.push(c);
                continue;
            }
        };
        chars.next();
        if !lit.is_empty() {
            out.push(Tok::Lit(std::mem::take(&mut lit)));
        }
        out.push(tok);
    }
    if !lit.is_empty() {
        out.push(Tok::Lit(lit));
    }
    out
}

fn position(toks: &[Tok], letter: char) -> Option<usize> {
    toks.iter().position(|t| *t == Tok::Field(letter))
}

/// Whether the format writes the largest unit first (China, Japan, Korea, Hungary…): the street
/// comes after the city (or, without a city, after the state or postal code).
fn big_first(toks: &[Tok]) -> bool {
    let a = position(toks, 'A');
    let other = ['C', 'S', 'Z'].into_iter().find_map(|l| position(toks, l));
    matches!((a, other), (Some(a), Some(o)) if o < a)
}

/// Fields the address has but the format does not name are not dropped: each goes on its own
/// line next to the nearest smaller unit the format has (the district next to the street, the
/// city next to the district or street, the state next to the city), on the side of the larger
/// units; a postal code goes last. A field that only repeats a word of the format's own text is
/// not added (Singapore's city: `SINGAPORE %Z`). (libaddressinput's formats leave out what a
/// country's post does not need, such as Japan's city, which Japanese addresses write with the
/// street, or most countries' district; a label never loses what the buyer typed.)
fn place_unnamed(toks: &mut Vec<Tok>, value: impl Fn(char) -> String) {
    let big = big_first(toks);
    // the format's own words (SINGAPORE %Z, GIBRALTAR): a field that says only that is there
    let words: Vec<String> = toks
        .iter()
        .filter_map(|t| match t {
            Tok::Lit(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    let wanted = |toks: &[Tok], l: char| {
        let v = value(l).to_uppercase();
        !v.is_empty() && position(toks, l).is_none() && !words.contains(&v)
    };
    for (l, smaller) in [('D', "A"), ('C', "DA"), ('S', "CDA")] {
        if !wanted(toks, l) {
            continue;
        }
        match smaller.chars().find_map(|s| position(toks, s)) {
            Some(i) if big => {
                toks.splice(i..i, [Tok::Field(l), Tok::Newline]);
            }
            Some(i) => {
                toks.splice(i + 1..i + 1, [Tok::Newline, Tok::Field(l)]);
            }
            None => toks.extend([Tok::Newline, Tok::Field(l)]),
        }
    }
    if wanted(toks, 'Z') {
        toks.extend([Tok::Newline, Tok::Field('Z')]);
    }
}

/// Whether the address is written in Latin script: every letter of its street lines, district,
/// city and state is (a state the data lists with a Latin name counts: it is printed by that
/// name), and there is at least one.
fn written_in_latin(a: &Address, format: &CountryFormat) -> bool {
    let state_has_latin = format
        .sub_region(&a.address_level1)
        .is_some_and(|s| !s.latin.is_empty());
    let texts = a
        .street_lines
        .iter()
        .chain([&a.address_level3, &a.address_level2])
        .chain((!state_has_latin).then_some(&a.address_level1));
    let mut letters = texts.flat_map(|t| t.chars()).filter(|c| c.is_alphabetic());
    letters.next().is_some_and(is_latin) && letters.all(is_latin)
}

/// Basic Latin, Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional.
fn is_latin(c: char) -> bool {
    matches!(c, 'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

/// The address lines of the label: the country's line format (`lfmt` for an address written in
/// Latin script where the data has one; the state then by its Latin name) without name and
/// company, which the label prints in their own blocks; the fields of `upper` in capitals;
/// empty fields left out with the separators around them, and empty lines dropped. China's
/// local format writes the postal code last, as `邮编 …`, as Chinese waybills do.
fn address_lines(a: &Address, format: Option<&CountryFormat>) -> Vec<String> {
    let latin = format.is_some_and(|f| written_in_latin(a, f));
    let lfmt = format
        .map(|f| f.lfmt.as_str())
        .filter(|l| latin && !l.is_empty());
    let fmt = match (lfmt, format) {
        (Some(lfmt), _) => lfmt,
        (None, Some(f)) => f.fmt.as_str(),
        (None, None) if a.country == "CN" => FALLBACK_CN,
        (None, None) => FALLBACK,
    };
    let mut toks = tokens(fmt);
    let value = |l: char| -> String {
        let text = match l {
            'C' => a.address_level2.trim(),
            'D' => a.address_level3.trim(),
            'Z' => a.postal_code.trim(),
            'S' if latin => format
                .and_then(|f| f.sub_region(&a.address_level1))
                .map(|s| s.latin.as_str())
                .filter(|l| !l.is_empty())
                .unwrap_or(a.address_level1.trim()),
            'S' => a.address_level1.trim(),
            _ => "",
        };
        if format.is_some_and(|f| f.upper.contains(l)) {
            text.to_uppercase()
        } else {
            text.to_owned()
        }
    };
    place_unnamed(&mut toks, value);
    if a.country == "CN" && lfmt.is_none() {
        if let Some(z) = position(&toks, 'Z') {
            toks.remove(z);
            toks.extend([Tok::Newline, Tok::Lit("邮编 ".to_owned()), Tok::Field('Z')]);
        }
    }
    // one line of pieces per output line: the street's lines split the line they are on
    let upper_street = format.is_some_and(|f| f.upper.contains('A'));
    let mut lines: Vec<Vec<Piece>> = Vec::new();
    let mut line = Vec::new();
    for tok in toks {
        match tok {
            Tok::Newline => lines.push(std::mem::take(&mut line)),
            Tok::Lit(s) => line.push(Piece::Lit(s)),
            Tok::Field('A') => {
                let none = [String::new()];
                let streets = if a.street_lines.is_empty() {
                    &none
                } else {
                    a.street_lines.as_slice()
                };
                for (i, street) in streets.iter().enumerate() {
                    if i > 0 {
                        lines.push(std::mem::take(&mut line));
                    }
                    let street = street.trim();
                    line.push(Piece::Value(if upper_street {
                        street.to_uppercase()
                    } else {
                        street.to_owned()
                    }));
                }
            }
            Tok::Field(l) => line.push(Piece::Value(value(l))),
        }
    }
    lines.push(line);
    lines
        .iter()
        .map(|l| render_line(l))
        .filter(|l| !l.is_empty())
        .collect()
}

/// A line's pieces: field values (possibly empty) and the format's literal text.
enum Piece {
    Value(String),
    Lit(String),
}

/// One line: the non-empty values, each with the literal text before it when a value precedes
/// it on the line (a space between two values with none), a literal before the line's first
/// field only when that field is filled (`〒`, `CH-`), one after the last only when it is; a
/// value that repeats the one before it is written once (a municipality: 上海市 上海市 → 上海市).
fn render_line(pieces: &[Piece]) -> String {
    let mut out = String::new();
    let mut pending = String::new();
    let mut last: Option<&str> = None;
    let mut seen_field = false;
    let mut last_filled = false;
    for piece in pieces {
        match piece {
            Piece::Lit(s) => pending.push_str(s),
            Piece::Value(v) => {
                let v = v.trim();
                if v.is_empty() || last == Some(v) {
                    last_filled = !v.is_empty();
                } else {
                    match last {
                        Some(_) if pending.is_empty() => out.push(' '),
                        Some(_) => out.push_str(&pending),
                        None if !seen_field => out.push_str(&pending),
                        None => {}
                    }
                    out.push_str(v);
                    last = Some(v);
                    last_filled = true;
                }
                pending.clear();
                seen_field = true;
            }
        }
    }
    if last_filled || !seen_field {
        // a literal after the last value, or a line of the format's own text (GUERNSEY)
        out.push_str(&pending);
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_address_data() {
        let a: Address = serde_json::from_str(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
            "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
            "postalCode":"310012","deliveryNote":"放门口"}"#,
        )
        .unwrap();
        let shown = format!("{:?}", Label::new(&a, "ORD-1", "Depot 7", false).unwrap());
        assert_eq!(
            shown,
            "Label { order: \"ORD-1\", country: \"CN\", masked: false, .. }"
        );
    }

    fn address(json: &str) -> Address {
        serde_json::from_str(json).unwrap()
    }

    fn lines(json: &str) -> Vec<String> {
        Label::new(&address(json), "O", "", true).unwrap().lines
    }

    #[test]
    fn china_is_written_province_first_with_the_postal_code_last() {
        let a = address(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
            "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
            "postalCode":"310012"}"#,
        );
        let l = Label::new(&a, "ORD-1", "", true).unwrap();
        assert_eq!(
            l.lines,
            ["浙江省 杭州市 西湖区", "文三路 90 号", "邮编 310012"]
        );
        assert_eq!((l.name.as_str(), l.phone.as_str()), ("张*", "138****5678"));
        let full = Label::new(&a, "ORD-1", "", false).unwrap();
        assert_eq!(
            (full.name.as_str(), full.phone.as_str()),
            ("张三", "13812345678")
        );
    }

    #[test]
    fn a_municipality_is_named_once() {
        assert_eq!(
            lines(
                r#"{"name":"李四","phone":"13912345678","country":"CN","addressLevel1":"上海市",
                "addressLevel2":"上海市","addressLevel3":"浦东新区","streetLines":["世纪大道 100 号"],
                "postalCode":"200120"}"#
            ),
            ["上海市 浦东新区", "世纪大道 100 号", "邮编 200120"]
        );
    }

    #[test]
    fn the_us_writes_city_state_zip_in_capitals() {
        assert_eq!(
            lines(
                r#"{"name":"Jane Roe","phone":"+1 650 253 0000","country":"US","addressLevel1":"CA",
                "addressLevel2":"Mountain View","streetLines":["1600 Amphitheatre Pkwy","Bldg 4"],
                "postalCode":"94043"}"#
            ),
            [
                "1600 Amphitheatre Pkwy",
                "Bldg 4",
                "MOUNTAIN VIEW, CA 94043"
            ]
        );
    }

    #[test]
    fn gb_has_the_postcode_on_its_own_line_and_a_county_above_it() {
        let gb = r#"{"name":"A B","phone":"+44 20 7946 0000","country":"GB","addressLevel2":"London",
            "streetLines":["10 Downing St"],"postalCode":"SW1A 2AA"}"#;
        assert_eq!(lines(gb), ["10 Downing St", "LONDON", "SW1A 2AA"]);
        // the GB format has no county: typed, it stays, between town and postcode
        let county = gb.replace(
            "\"London\"",
            "\"London\",\"addressLevel1\":\"Greater London\"",
        );
        assert_eq!(
            lines(&county),
            ["10 Downing St", "LONDON", "Greater London", "SW1A 2AA"]
        );
    }

    #[test]
    fn de_and_fr_write_postcode_then_city() {
        let de = r#"{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE",
            "addressLevel2":"Berlin","streetLines":["Unter den Linden 5"],"postalCode":"10117"}"#;
        assert_eq!(lines(de), ["Unter den Linden 5", "10117 BERLIN"]);
        // district and state, which the DE format does not name, are kept in place
        let more = de.replace(
            "\"Berlin\"",
            "\"Berlin\",\"addressLevel3\":\"Mitte\",\"addressLevel1\":\"Berlin\"",
        );
        assert_eq!(
            lines(&more),
            ["Unter den Linden 5", "Mitte", "10117 BERLIN", "Berlin"]
        );
        assert_eq!(
            lines(
                r#"{"name":"Jean Dupont","phone":"+33 1 23 45 67 89","country":"FR",
                "addressLevel2":"Paris","streetLines":["8 rue de Rivoli"],"postalCode":"75001"}"#
            ),
            ["8 rue de Rivoli", "75001 PARIS"]
        );
    }

    #[test]
    fn japan_local_starts_with_the_postal_mark_and_romaji_uses_the_latin_format() {
        assert_eq!(
            lines(
                r#"{"name":"山田太郎","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都",
                "addressLevel2":"渋谷区","streetLines":["神南1-2-3"],"postalCode":"150-0041"}"#
            ),
            ["〒150-0041", "東京都", "渋谷区", "神南1-2-3"]
        );
        // sealed canonically the prefecture is the data's key (東京都); in romaji it is printed
        // by its Latin name, in capitals
        assert_eq!(
            lines(
                r#"{"name":"Taro Yamada","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都",
                "addressLevel2":"Shibuya-ku","streetLines":["1-2-3 Jinnan"],"postalCode":"150-0041"}"#
            ),
            ["1-2-3 Jinnan", "Shibuya-ku, TOKYO", "150-0041"]
        );
        // no postal code: no lone 〒
        assert_eq!(
            lines(
                r#"{"name":"山田太郎","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都",
                "addressLevel2":"渋谷区","streetLines":["神南1-2-3"]}"#
            ),
            ["東京都", "渋谷区", "神南1-2-3"]
        );
    }

    #[test]
    fn countries_without_postal_codes() {
        assert_eq!(
            lines(
                r#"{"name":"Chan Tai Man","phone":"+852 2123 4567","country":"HK","addressLevel1":"Kowloon",
                "addressLevel2":"Mong Kok","streetLines":["Flat A, 12/F, 1 Nathan Road"]}"#
            ),
            ["Flat A, 12/F, 1 Nathan Road", "Mong Kok", "KOWLOON"]
        );
        assert_eq!(
            lines(
                r#"{"name":"Ali","phone":"+971 4 123 4567","country":"AE","addressLevel1":"Dubai",
                "addressLevel2":"Dubai","streetLines":["Villa 3, Street 12, Jumeirah 1"]}"#
            ),
            ["Villa 3, Street 12, Jumeirah 1", "DUBAI", "Dubai"]
        );
    }

    #[test]
    fn the_formats_own_words_are_not_repeated() {
        // Singapore's format writes SINGAPORE itself: the city the core requires is not added
        assert_eq!(
            lines(
                r#"{"name":"Tan","phone":"+65 6123 4567","country":"SG","addressLevel2":"Singapore",
                "streetLines":["1 Raffles Place"],"postalCode":"048616"}"#
            ),
            ["1 Raffles Place", "SINGAPORE 048616"]
        );
        // Guernsey's has a line of its own text
        assert_eq!(
            lines(
                r#"{"name":"Le Page","phone":"+44 1481 123456","country":"GG","addressLevel2":"St Peter Port",
                "streetLines":["1 High St"],"postalCode":"GY1 2AB"}"#
            ),
            ["1 High St", "ST PETER PORT", "GUERNSEY", "GY1 2AB"]
        );
    }

    #[test]
    fn without_a_format_the_generic_layout() {
        let a = address(
            r#"{"name":"X","phone":"+49 30 1234567","country":"DE","addressLevel1":"Bayern",
            "addressLevel2":"München","streetLines":["Marienplatz 1"],"postalCode":"80331"}"#,
        );
        assert_eq!(
            Label::with_format(&a, None, "O", "", true).lines,
            ["Marienplatz 1", "80331 München", "Bayern"]
        );
        let cn = address(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
            "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
            "postalCode":"310012"}"#,
        );
        assert_eq!(
            Label::with_format(&cn, None, "O", "", true).lines,
            ["浙江省 杭州市 西湖区", "文三路 90 号", "邮编 310012"]
        );
    }

    #[test]
    fn lines_drop_the_separators_of_empty_fields() {
        let line = |fmt: &str, values: &[(char, &str)]| {
            let pieces: Vec<Piece> = tokens(fmt)
                .into_iter()
                .map(|t| match t {
                    Tok::Field(l) => Piece::Value(
                        values
                            .iter()
                            .find(|(k, _)| *k == l)
                            .map_or("", |(_, v)| *v)
                            .to_owned(),
                    ),
                    Tok::Lit(s) => Piece::Lit(s),
                    Tok::Newline => Piece::Lit("|".to_owned()),
                })
                .collect();
            render_line(&pieces)
        };
        let us = "%C, %S %Z";
        assert_eq!(line(us, &[('C', "A"), ('S', "B"), ('Z', "1")]), "A, B 1");
        assert_eq!(line(us, &[('C', "A"), ('Z', "1")]), "A 1");
        assert_eq!(line(us, &[('S', "B"), ('Z', "1")]), "B 1");
        assert_eq!(line(us, &[('C', "A")]), "A");
        assert_eq!(line("CH-%Z %C", &[('C', "Bern")]), "Bern");
        assert_eq!(
            line("CH-%Z %C", &[('Z', "3000"), ('C', "Bern")]),
            "CH-3000 Bern"
        );
        assert_eq!(line("〒%Z", &[]), "");
        assert_eq!(line("GUERNSEY", &[]), "GUERNSEY");
        assert_eq!(
            line(
                "%S%C%D",
                &[('S', "北京市"), ('C', "北京市"), ('D', "朝阳区")]
            ),
            "北京市 朝阳区"
        );
        assert_eq!(
            line("%Z %C %X", &[('Z', "75001"), ('C', "PARIS")]),
            "75001 PARIS"
        );
        // no street lines at all (a sealed address always has one): no dangling separator
        let jp = address(
            r#"{"name":"Taro Yamada","phone":"090-1234-5678","country":"JP","addressLevel1":"東京都",
            "postalCode":"150-0041","streetLines":[]}"#,
        );
        let jp = Label::new(&jp, "O", "", true).unwrap();
        assert_eq!(jp.lines, ["〒150-0041", "東京都"]);
    }
}
