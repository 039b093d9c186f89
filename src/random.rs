//! Randomness: the platform's CSPRNG through `getrandom` (the OS natively,
//! `crypto.getRandomValues` in the browser), fallible instead of panicking, and a fixed-bytes
//! source so tests and vectors can reproduce a seal byte for byte.

use core::convert::Infallible;

use hpke::rand_core::{TryCryptoRng, TryRng};
use zeroize::Zeroize;

use crate::Error;

/// Fills `buf` from the platform CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| Error::RandomnessUnavailable)
}

/// Hands out pre-drawn bytes to the HPKE library. If asked for more than it holds it hands out
/// zeros and remembers that it ran dry, so the caller can refuse the result instead of
/// panicking inside a library call.
pub(crate) struct Drawn<'a> {
    bytes: &'a [u8],
    ran_dry: bool,
}

impl<'a> Drawn<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Drawn {
            bytes,
            ran_dry: false,
        }
    }

    /// Whether every byte asked for was real randomness.
    pub(crate) fn ok(&self) -> Result<(), Error> {
        if self.ran_dry {
            Err(Error::RandomnessUnavailable)
        } else {
            Ok(())
        }
    }
}

impl TryRng for Drawn<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        match (self.bytes.get(..dst.len()), self.bytes.get(dst.len()..)) {
            (Some(head), Some(rest)) => {
                dst.copy_from_slice(head);
                self.bytes = rest;
            }
            _ => {
                dst.zeroize();
                self.ran_dry = true;
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for Drawn<'_> {}
