//! base64url without padding (RFC 4648 §5), the only base64 sealpost writes or reads: the
//! envelope and directory text forms and the key files.
//!
//! A drop-in for the `base64` crate's `URL_SAFE_NO_PAD` engine with the same rules (the
//! tests below check it against that crate): decoding refuses `=`, any byte outside
//! `A–Z a–z 0–9 - _`, a length of 1 mod 4 and non-zero unused bits in the last character, so
//! every byte string has exactly one text form. It is here because the crate's generic engine
//! cost the browser module ~6.4 KB (raw) for these two functions.
//!
//! `decode` allocates its output once, at its exact final size, so a caller that wraps the
//! result in `Zeroizing` (key files) leaves no copy behind.

/// The text is not base64url without padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidBase64;

/// The engine, named like the `base64` crate's so call sites read the same.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UrlSafeNoPad;

/// base64url without padding.
pub(crate) const URL_SAFE_NO_PAD: UrlSafeNoPad = UrlSafeNoPad;

impl UrlSafeNoPad {
    /// `input` as base64url without padding.
    pub(crate) fn encode(&self, input: impl AsRef<[u8]>) -> String {
        encode(input.as_ref())
    }

    /// The bytes `input` encodes, or [`InvalidBase64`].
    pub(crate) fn decode(&self, input: impl AsRef<[u8]>) -> Result<Vec<u8>, InvalidBase64> {
        decode(input.as_ref())
    }
}

#[inline(never)]
fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let mut group = [0u8; 3];
        for (g, b) in group.iter_mut().zip(chunk) {
            *g = *b;
        }
        let n = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        // a chunk of k bytes is k + 1 characters
        for i in 0..=chunk.len() {
            out.push(char::from(letter(n >> (18 - 6 * i))));
        }
    }
    out
}

/// The base64url character of a 6-bit value (`A–Z a–z 0–9 - _`).
const fn symbol(v: u8) -> u8 {
    match v {
        0..=25 => b'A' + v,
        26..=51 => b'a' + (v - 26),
        52..=61 => b'0' + (v - 52),
        62 => b'-',
        _ => b'_',
    }
}

/// The base64url alphabet, for lookups.
#[allow(clippy::indexing_slicing)] // v < 64
const ALPHABET: [u8; 64] = {
    let mut t = [0; 64];
    let mut v = 0;
    while v < 64 {
        t[v as usize] = symbol(v);
        v += 1;
    }
    t
};

/// The character of the low 6 bits of `n`.
fn letter(n: u32) -> u8 {
    ALPHABET.get((n & 63) as usize).copied().unwrap_or(b'_')
}

/// The 6-bit value of each byte as a base64url character (`A–Z a–z 0–9 - _`), or [`BAD`].
#[allow(clippy::indexing_slicing)] // a u8 indexes 256 entries
const VALUES: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut v = 0;
    while v < 64 {
        t[symbol(v) as usize] = v;
        v += 1;
    }
    t
};

/// Not a base64url character; the only entry of [`VALUES`] with the high bit set.
const BAD: u8 = 0x80;

/// The 6-bit values of `chunk`'s characters, shifted together; an error if one is not a
/// base64url character.
fn group(chunk: &[u8]) -> Result<u32, InvalidBase64> {
    let mut n = 0u32;
    let mut bad = 0u8;
    for &c in chunk {
        let v = VALUES.get(usize::from(c)).copied().unwrap_or(BAD);
        bad |= v;
        n = n << 6 | u32::from(v);
    }
    if bad & BAD == 0 {
        Ok(n)
    } else {
        Err(InvalidBase64)
    }
}

// A 256-entry table lookup per character, whole groups first: ~6x faster natively than a
// `match` per character (a hub decodes ~550 characters per envelope), 256 bytes in wasm.
#[inline(never)]
fn decode(input: &[u8]) -> Result<Vec<u8>, InvalidBase64> {
    if input.len() % 4 == 1 {
        return Err(InvalidBase64);
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + (input.len() % 4).saturating_sub(1));
    let mut chunks = input.chunks_exact(4);
    for chunk in &mut chunks {
        let [_, a, b, c] = group(chunk)?.to_be_bytes();
        out.extend_from_slice(&[a, b, c]);
    }
    let last = chunks.remainder();
    if !last.is_empty() {
        let mut n = group(last)?;
        // a chunk of k characters is k - 1 bytes; its low 6k - 8(k - 1) bits are unused
        let unused = 6 * last.len() - 8 * (last.len() - 1);
        if n & ((1 << unused) - 1) != 0 {
            return Err(InvalidBase64);
        }
        n >>= unused;
        for i in (0..last.len() - 1).rev() {
            out.push((n >> (8 * i)) as u8);
        }
    }
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use base64::Engine as _;
    use proptest::prelude::*;

    use super::URL_SAFE_NO_PAD;

    const REFERENCE: base64::engine::GeneralPurpose =
        base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn rfc4648_vectors() {
        for (bytes, text) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(URL_SAFE_NO_PAD.encode(bytes), text);
            assert_eq!(URL_SAFE_NO_PAD.decode(text), Ok(bytes.as_bytes().to_vec()));
        }
        assert_eq!(URL_SAFE_NO_PAD.encode([0xfb, 0xff, 0xfe]), "-__-");
        assert_eq!(URL_SAFE_NO_PAD.decode("-__-"), Ok(vec![0xfb, 0xff, 0xfe]));
    }

    #[test]
    fn refuses_what_the_crate_refuses() {
        for bad in [
            "Z", "Zg=", "Zg==", "Zh", "Zm9", "Zm9vY", "+/+/", "Zm9v\n", " Zm9v", "Zm 9v", "é",
        ] {
            assert!(URL_SAFE_NO_PAD.decode(bad).is_err(), "{bad:?}");
            assert!(REFERENCE.decode(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn encodes_like_the_crate(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = URL_SAFE_NO_PAD.encode(&bytes);
            prop_assert_eq!(&text, &REFERENCE.encode(&bytes));
            prop_assert_eq!(URL_SAFE_NO_PAD.decode(&text), Ok(bytes));
        }

        #[test]
        fn decodes_like_the_crate(text in "[A-Za-z0-9_=+/. -]{0,40}") {
            prop_assert_eq!(URL_SAFE_NO_PAD.decode(&text).ok(), REFERENCE.decode(&text).ok());
        }

        #[test]
        fn decodes_every_last_character_like_the_crate(
            bytes in proptest::collection::vec(any::<u8>(), 0..12),
            last in 0u8..=255,
        ) {
            let mut text = REFERENCE.encode(&bytes).into_bytes();
            text.push(last);
            prop_assert_eq!(URL_SAFE_NO_PAD.decode(&text).ok(), REFERENCE.decode(&text).ok());
            if let Some(end) = text.len().checked_sub(2) {
                text.truncate(end);
                text.push(last);
                prop_assert_eq!(URL_SAFE_NO_PAD.decode(&text).ok(), REFERENCE.decode(&text).ok());
            }
        }
    }
}
