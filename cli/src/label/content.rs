//! What a label says, independent of PDF or ZPL: the recipient (masked or not), the address laid
//! out per country, the order reference and the sender line.

use sealpost::Address;

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
    /// Address lines, largest unit first for China, as posted elsewhere.
    pub lines: Vec<String>,
    /// Postal code ("" if none).
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Delivery note ("" if none).
    pub note: String,
    /// Sender / return line ("" if none).
    pub sender: String,
    /// Whether name and phone are masked.
    pub masked: bool,
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

/// Countries whose posts write "CITY STATE POSTCODE" on one line.
const CITY_STATE_ZIP: [&str; 4] = ["US", "CA", "AU", "PR"];
/// Countries that write the postal code on its own line, after the city.
const ZIP_OWN_LINE: [&str; 3] = ["GB", "IE", "KR"];

impl Label {
    pub fn new(address: &Address, order: &str, sender: &str, masked: bool) -> Label {
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
            lines: address_lines(address),
            postal_code: address.postal_code.clone(),
            country: address.country.clone(),
            note: address.delivery_note.clone(),
            sender: sender.trim().to_owned(),
            masked,
        }
    }

    pub fn is_china(&self) -> bool {
        self.country == "CN"
    }

    /// Every piece of text drawn on the label, for the font coverage check.
    pub fn texts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("name", self.name.as_str()),
            ("phone", self.phone.as_str()),
            ("company", self.company.as_str()),
            ("postal code", self.postal_code.as_str()),
            ("delivery note", self.note.as_str()),
            ("sender", self.sender.as_str()),
            ("order", self.order.as_str()),
            ("country", self.country.as_str()),
        ]
        .into_iter()
        .chain(self.lines.iter().map(|l| ("address", l.as_str())))
    }
}

fn join_non_empty<'a>(parts: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

/// China: "province city district" then the street lines (a municipality's city level, equal
/// to its province, is written once: 上海市 浦东新区). Elsewhere: the street lines, then the
/// city line as that country's post writes it, then the state if not already on it.
fn address_lines(a: &Address) -> Vec<String> {
    let mut lines = Vec::new();
    if a.country == "CN" {
        let city = if a.address_level2 == a.address_level1 {
            ""
        } else {
            a.address_level2.as_str()
        };
        lines.push(join_non_empty(
            [a.address_level1.as_str(), city, a.address_level3.as_str()],
            " ",
        ));
        lines.extend(a.street_lines.iter().cloned());
    } else {
        lines.extend(a.street_lines.iter().cloned());
        if !a.address_level3.trim().is_empty() {
            lines.push(a.address_level3.clone());
        }
        let country = a.country.as_str();
        if CITY_STATE_ZIP.contains(&country) {
            lines.push(join_non_empty(
                [
                    a.address_level2.as_str(),
                    a.address_level1.as_str(),
                    a.postal_code.as_str(),
                ],
                " ",
            ));
        } else if ZIP_OWN_LINE.contains(&country) {
            lines.push(a.address_level2.clone());
            lines.push(a.address_level1.clone());
            lines.push(a.postal_code.clone());
        } else {
            lines.push(join_non_empty(
                [a.postal_code.as_str(), a.address_level2.as_str()],
                " ",
            ));
            lines.push(a.address_level1.clone());
        }
    }
    lines.retain(|l| !l.trim().is_empty());
    lines
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
        let shown = format!("{:?}", Label::new(&a, "ORD-1", "Depot 7", false));
        assert_eq!(
            shown,
            "Label { order: \"ORD-1\", country: \"CN\", masked: false, .. }"
        );
    }

    fn address(json: &str) -> Address {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn china_is_written_province_first() {
        let a = address(
            r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
            "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],
            "postalCode":"310012"}"#,
        );
        let l = Label::new(&a, "ORD-1", "", true);
        assert_eq!(l.lines, ["浙江省 杭州市 西湖区", "文三路 90 号"]);
        assert_eq!((l.name.as_str(), l.phone.as_str()), ("张*", "138****5678"));
        let full = Label::new(&a, "ORD-1", "", false);
        assert_eq!(
            (full.name.as_str(), full.phone.as_str()),
            ("张三", "13812345678")
        );
    }

    #[test]
    fn a_municipality_is_named_once() {
        let a = address(
            r#"{"name":"李四","phone":"13912345678","country":"CN","addressLevel1":"上海市",
            "addressLevel2":"上海市","addressLevel3":"浦东新区","streetLines":["世纪大道 100 号"],
            "postalCode":"200120"}"#,
        );
        assert_eq!(
            Label::new(&a, "O", "", true).lines,
            ["上海市 浦东新区", "世纪大道 100 号"]
        );
    }

    #[test]
    fn international_city_lines() {
        let de = address(
            r#"{"name":"Anna Schmidt","phone":"+49 30 1234567","country":"DE",
            "addressLevel2":"Berlin","streetLines":["Unter den Linden 5"],"postalCode":"10117"}"#,
        );
        assert_eq!(
            Label::new(&de, "O", "", true).lines,
            ["Unter den Linden 5", "10117 Berlin"]
        );
        let us = address(
            r#"{"name":"John Doe","phone":"+1 415 555 0132","country":"US","addressLevel1":"CA",
            "addressLevel2":"San Francisco","streetLines":["1 Market St","Apt 2"],"postalCode":"94105"}"#,
        );
        assert_eq!(
            Label::new(&us, "O", "", true).lines,
            ["1 Market St", "Apt 2", "San Francisco CA 94105"]
        );
    }
}
