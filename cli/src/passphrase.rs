//! Passphrases: where they come from (a file, an environment variable, the terminal without
//! echo) and which ones are refused as guessable.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::{
    error::{CliError, Code, Result},
    input,
};

/// Environment variable with the passphrase, for automated hubs.
pub const ENV: &str = "SEALPOST_PASSPHRASE";
/// Environment variable with the new passphrase of `identity protect`.
pub const ENV_NEW: &str = "SEALPOST_NEW_PASSPHRASE";
/// Shortest passphrase accepted when one is set.
pub const MIN_CHARS: usize = 12;

/// Where passphrases come from, in order of precedence: `--passphrase-file`, the environment
/// variable, the terminal (`/dev/tty`, no echo).
#[derive(Debug)]
pub enum Source {
    File(PathBuf),
    Env(&'static str),
    Terminal,
}

impl Source {
    pub fn new(file: Option<PathBuf>, env: &'static str) -> Source {
        match file {
            Some(path) => Source::File(path),
            None if std::env::var_os(env).is_some() => Source::Env(env),
            None => Source::Terminal,
        }
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Source::Terminal)
    }

    /// The passphrase to unlock `identity_file`.
    pub fn read(&self, prompt: &str) -> Result<Zeroizing<String>> {
        match self {
            Source::File(path) => read_file(path),
            Source::Env(name) => {
                let value = std::env::var(name).map(Zeroizing::new).map_err(|_| {
                    CliError::new(
                        Code::PassphraseRequired,
                        format!("${name} is not valid UTF-8"),
                    )
                })?;
                Ok(value)
            }
            Source::Terminal => rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| {
                    CliError::new(
                        Code::PassphraseRequired,
                        format!("cannot ask for a passphrase on the terminal: {e}"),
                    )
                    .hint(format!(
                        "on an automated hub, set ${ENV} or pass --passphrase-file FILE"
                    ))
                }),
        }
    }

    /// A new passphrase: asked twice on the terminal; refused if weak.
    pub fn read_new(&self, key_id: &str) -> Result<Zeroizing<String>> {
        let pass = self.read("New passphrase for the identity: ")?;
        check_strength(&pass, key_id)?;
        if self.is_terminal() {
            let again = self.read("Repeat the passphrase: ")?;
            if again != pass {
                return Err(CliError::new(
                    Code::PassphraseMismatch,
                    "the two passphrases differ",
                ));
            }
        }
        Ok(pass)
    }
}

/// The first line of a passphrase file, without its line ending. The file must not be readable
/// by other users, like an identity file.
fn read_file(path: &Path) -> Result<Zeroizing<String>> {
    let text = input::read_private(path, "passphrase file", 64 * 1024)?;
    let line = text.lines().next().unwrap_or("");
    Ok(Zeroizing::new(line.to_owned()))
}

/// Refuses passphrases that are short, made of few distinct characters, derived from the key id,
/// or shaped like an order number (digits and separators with at most a short letter prefix).
pub fn check_strength(pass: &str, key_id: &str) -> Result<()> {
    let weak = |why: &str| {
        Err(
            CliError::new(Code::WeakPassphrase, format!("passphrase refused: {why}")).hint(
                format!(
            "use at least {MIN_CHARS} characters that are not a number, an order reference or \
                 the key id: e.g. four random words, or one from a password manager"
        ),
            ),
        )
    };
    let chars: Vec<char> = pass.chars().collect();
    if chars.len() < MIN_CHARS {
        return weak(&format!(
            "shorter than {MIN_CHARS} characters ({})",
            chars.len()
        ));
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 5 {
        return weak("fewer than 5 different characters");
    }
    let folded: String = pass
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let key_id = key_id.to_ascii_lowercase();
    let shares_key_id = key_id
        .as_bytes()
        .windows(6)
        .any(|w| std::str::from_utf8(w).is_ok_and(|w| folded.contains(w)));
    if (folded.len() >= 4 && key_id.contains(&folded)) || shares_key_id {
        return weak("it repeats the key id, which is printed in the file");
    }
    if looks_like_order_number(pass) {
        return weak("it looks like an order or phone number");
    }
    Ok(())
}

/// Digits and separators, with at most four letters in front (`ORD-20261126-0001`,
/// `13812345678`, `2026/11/26 0001`).
fn looks_like_order_number(pass: &str) -> bool {
    let rest = pass.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix_len = pass.len() - rest.len();
    prefix_len <= 4
        && rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || " -_./#:+".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(pass: &str) -> Option<String> {
        check_strength(pass, "7ff453458945d9e8")
            .err()
            .map(|e| e.code().to_owned())
    }

    #[test]
    fn weak_passphrases_are_refused() {
        for weak in [
            "",
            "short",
            "correct hor",
            "aaaaaaaaaaaaaaaa",
            "abababababababab",
            "ORD-20261126-0001",
            "20261126000123",
            "+86 138 1234 5678",
            "7ff453458945d9e8",
            "key 7FF453458945 now",
        ] {
            assert_eq!(code(weak).as_deref(), Some("weak_passphrase"), "{weak}");
        }
    }

    #[test]
    fn reasonable_passphrases_pass() {
        for ok in [
            "correct horse battery staple",
            "tR7#kq2!Lm9@zX",
            "ORD-20261126-0001 is not my passphrase",
            "杭州 西湖 文三路 九十号 快递",
        ] {
            assert_eq!(code(ok), None, "{ok}");
        }
    }
}
