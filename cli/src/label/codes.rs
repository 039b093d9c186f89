//! The order reference as a QR code (`qrcode` crate) and as a Code128 barcode (`barcoders`).

use barcoders::sym::code128::Code128;
use qrcode::{EcLevel, QrCode};

use crate::error::{CliError, Code, Result};

/// A QR code: `width` × `width` modules, row by row, `true` for dark.
#[derive(Debug)]
pub struct Qr {
    pub width: usize,
    pub dark: Vec<bool>,
}

/// Error correction level M (15 %): a scuffed parcel still scans.
pub fn qr(order: &str) -> Result<Qr> {
    let code = QrCode::with_error_correction_level(order.as_bytes(), EcLevel::M).map_err(|e| {
        CliError::new(
            Code::LabelUnencodable,
            format!("order {order:?}: no QR code: {e}"),
        )
    })?;
    Ok(Qr {
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

/// The Code128 modules (1 = bar) of the order reference, without quiet zones.
pub fn code128(order: &str) -> Result<Vec<u8>> {
    Code128::new(code128_input(order))
        .map(|c| c.encode())
        .map_err(|e| {
            CliError::new(
                Code::LabelUnencodable,
                format!("order {order:?}: no Code128 barcode: {e}"),
            )
        })
}

/// `barcoders` input: character set B (all printable ASCII, which is what an order reference
/// may hold), switching to set C (two digits per symbol) for runs of 6 or more digits, so
/// numeric order numbers print with wider bars.
pub fn code128_input(order: &str) -> String {
    const SET_B: char = '\u{0181}';
    const SET_C: char = '\u{0106}';
    let chars: Vec<char> = order.chars().collect();
    let mut out = String::with_capacity(order.len() + 4);
    let mut in_c =
        order.len() >= 2 && chars.iter().all(char::is_ascii_digit) && chars.len().is_multiple_of(2);
    out.push(if in_c { SET_C } else { SET_B });
    if in_c {
        out.push_str(order);
        return out;
    }
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let run = chars
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if run >= 6 {
            // an odd run keeps its first digit in set B
            if !run.is_multiple_of(2) {
                out.push(c);
                i += 1;
            }
            let even = run - run % 2;
            out.push(SET_C);
            out.extend(chars.get(i..i + even).unwrap_or_default());
            i += even;
            in_c = true;
            continue;
        }
        if in_c {
            out.push(SET_B);
            in_c = false;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_sets() {
        assert_eq!(code128_input("ORD-1001"), "\u{181}ORD-1001");
        assert_eq!(code128_input("12345678"), "\u{106}12345678");
        assert_eq!(
            code128_input("ORD-20261126-0001"),
            "\u{181}ORD-\u{106}20261126\u{181}-0001"
        );
        assert_eq!(code128_input("A1234567"), "\u{181}A1\u{106}234567");
        assert_eq!(
            code128_input("SF1234567Z"),
            "\u{181}SF1\u{106}234567\u{181}Z"
        );
    }

    #[test]
    fn set_c_makes_numeric_references_shorter() {
        let b = Code128::new("\u{181}ORD-20261126-0001").unwrap().encode();
        let mixed = code128("ORD-20261126-0001").unwrap();
        assert!(mixed.len() < b.len(), "{} vs {}", mixed.len(), b.len());
    }

    #[test]
    fn every_printable_reference_encodes() {
        let all: String = (0x21u8..=0x7E).map(char::from).collect();
        for chunk in all.as_bytes().chunks(16) {
            let s = std::str::from_utf8(chunk).unwrap();
            assert!(code128(s).is_ok(), "{s}");
            assert!(qr(s).is_ok(), "{s}");
        }
    }
}
