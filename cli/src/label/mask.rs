//! Privacy waybill (隐私面单) masking: the name as its first character + `*` (张三 → 张*), the
//! phone as its first 3 digits + `****` + its last 4 (13812345678 → 138****5678).

/// The first character of the name (with any combining marks that follow it) and `*`.
pub fn name(name: &str) -> String {
    let mut chars = name.trim().chars();
    let mut out = String::new();
    if let Some(first) = chars.next() {
        out.push(first);
        out.extend(chars.take_while(|c| is_combining(*c)));
    }
    out.push('*');
    out
}

/// Combining diacritical marks, so that a decomposed `É` (E + U+0301) stays whole.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The masked phone number.
///
/// - A Chinese mobile number (11 digits starting with 1, optionally after `+86` / `0086`), for
///   an address in China: the national number, `138****5678`.
/// - Any number of 11 or more digits: a leading `+` kept, the first 3 digits, `****`, the last
///   4 (`+44 7700 900123` → `+447****0123`).
/// - 8 to 10 digits: `****` and the last 4 (`030 1234567` → `****4567`), so that no more than
///   half the digits show.
/// - Fewer than 8 digits: `****` and the last 2.
pub fn phone(phone: &str, country: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let plus = phone.trim_start().starts_with('+');
    if country == "CN" {
        let national = if plus {
            digits.strip_prefix("86")
        } else {
            digits.strip_prefix("0086").or(Some(digits.as_str()))
        };
        if let Some(n) = national.filter(|n| n.len() == 11 && n.starts_with('1')) {
            return first_last(n, "");
        }
    }
    match digits.len() {
        n if n >= 11 => first_last(&digits, if plus { "+" } else { "" }),
        n if n >= 8 => format!("****{}", last(&digits, 4)),
        _ => format!("****{}", last(&digits, 2)),
    }
}

fn first_last(digits: &str, prefix: &str) -> String {
    format!(
        "{prefix}{}****{}",
        digits.get(..3).unwrap_or(""),
        last(digits, 4)
    )
}

fn last(digits: &str, n: usize) -> &str {
    digits.get(digits.len().saturating_sub(n)..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_keep_the_surname_character() {
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("李小龙"), "李*");
        assert_eq!(name("欧阳娜娜"), "欧*");
        assert_eq!(name("王"), "王*");
        assert_eq!(name(" 张三 "), "张*");
    }

    #[test]
    fn latin_names_keep_the_first_letter() {
        assert_eq!(name("Anna Schmidt"), "A*");
        assert_eq!(name("Élodie Martin"), "É*");
        // decomposed É: the combining accent stays with its letter
        assert_eq!(name("E\u{301}lodie"), "E\u{301}*");
        assert_eq!(name("Ōtani Shōhei"), "Ō*");
        assert_eq!(name(""), "*");
    }

    #[test]
    fn chinese_mobile_numbers_show_3_and_4() {
        assert_eq!(phone("13812345678", "CN"), "138****5678");
        assert_eq!(phone("+86 138 1234 5678", "CN"), "138****5678");
        assert_eq!(phone("0086-138-1234-5678", "CN"), "138****5678");
        assert_eq!(phone("(138) 1234.5678", "CN"), "138****5678");
    }

    #[test]
    fn international_numbers() {
        assert_eq!(phone("+44 7700 900123", "GB"), "+447****0123");
        assert_eq!(phone("+1 (415) 555-0132", "US"), "+141****0132");
        assert_eq!(phone("+49 30 1234567", "DE"), "+493****4567");
        assert_eq!(phone("030 1234567", "DE"), "****4567");
        assert_eq!(phone("612345", "NL"), "****45");
        // a Chinese number on a foreign address is masked as an international one
        assert_eq!(phone("+86 138 1234 5678", "HK"), "+861****5678");
    }

    #[test]
    fn masked_numbers_never_show_more_than_7_digits() {
        for p in [
            "13812345678",
            "+86 13812345678",
            "+44 7700 900123",
            "030 1234567",
            "612345",
            "+1234567890123",
        ] {
            for c in ["CN", "DE"] {
                let shown = phone(p, c).chars().filter(char::is_ascii_digit).count();
                let all = p.chars().filter(char::is_ascii_digit).count();
                assert!(
                    shown <= 7 && shown * 2 <= all + 3,
                    "{p} {c}: {}",
                    phone(p, c)
                );
            }
        }
    }
}
