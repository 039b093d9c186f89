//! Randomness: the platform's CSPRNG through `getrandom` (the OS natively,
//! `crypto.getRandomValues` in the browser), fallible instead of panicking.

use crate::Error;

/// Fills `buf` from the platform CSPRNG.
pub fn fill(buf: &mut [u8]) -> Result<(), Error> {
    getrandom::fill(buf).map_err(|_| Error::RandomnessUnavailable)
}
