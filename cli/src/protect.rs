//! Passphrase protection of identities (SPEC.md §7): Argon2id turns the passphrase into a
//! 32-byte key, ChaCha20-Poly1305 seals the 32-byte private key with the line's text as
//! associated data. The file layout itself belongs to the core (`sealpost::keys`).

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{
    aead::{Aead, KeyInit, Payload},
    ChaCha20Poly1305, Key, Nonce,
};
use sealpost::{
    keys::{
        protected_identity_file_text, protected_line_prefix, KdfParams, ProtectedIdentity,
        UtcSeconds, NONCE_LEN, SALT_LEN, SEALED_KEY_LEN,
    },
    Identity, PublicKey,
};
use zeroize::Zeroizing;

use crate::error::{CliError, Code, Result};

/// Why a protected identity did not unlock.
#[derive(Debug)]
pub enum UnlockError {
    /// The AEAD tag did not verify: wrong passphrase (or an edited line).
    WrongPassphrase,
    /// The key decrypted but is not the one the line names: a corrupt file.
    Corrupt,
}

fn derive_key(pass: &str, salt: &[u8; SALT_LEN], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| CliError::new(Code::InvalidIdentity, format!("Argon2id: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(pass.as_bytes(), salt, key.as_mut())
        .map_err(|e| CliError::new(Code::InvalidIdentity, format!("Argon2id: {e}")))?;
    Ok(key)
}

/// The text of a new identity file holding `identity` sealed under `pass`.
pub fn seal(
    identity: &Identity,
    pass: &str,
    kdf: KdfParams,
    not_after: Option<UtcSeconds>,
    created: &str,
) -> Result<Zeroizing<String>> {
    let raw = identity.to_raw();
    let (prefix, sealed) = seal_secret(&raw, pass, kdf, |salt, nonce| {
        protected_line_prefix(identity.public_key(), not_after, kdf, salt, nonce)
    })?;
    Ok(Zeroizing::new(protected_identity_file_text(
        identity.public_key(),
        created,
        not_after,
        &prefix,
        &sealed,
    )))
}

/// Seals a 32-byte secret under `pass` with fresh salt and nonce; `prefix` builds the line's
/// associated data from them. Returns the prefix and the sealed secret. Shared by identities
/// and the platform's directory signing key.
pub fn seal_secret(
    secret: &[u8; 32],
    pass: &str,
    kdf: KdfParams,
    prefix: impl FnOnce(&[u8; SALT_LEN], &[u8; NONCE_LEN]) -> String,
) -> Result<(String, [u8; SEALED_KEY_LEN])> {
    kdf.check()?;
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    sealpost::random::fill(&mut salt)?;
    sealpost::random::fill(&mut nonce)?;
    let key = derive_key(pass, &salt, kdf)?;
    let prefix = prefix(&salt, &nonce);
    let sealed = ChaCha20Poly1305::new(&Key::from(*key))
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: secret,
                aad: prefix.as_bytes(),
            },
        )
        .map_err(|_| CliError::new(Code::InternalError, "sealing the key failed"))?;
    let sealed: [u8; SEALED_KEY_LEN] = sealed
        .as_slice()
        .try_into()
        .map_err(|_| CliError::new(Code::InternalError, "sealed key length"))?;
    Ok((prefix, sealed))
}

/// Opens a secret sealed by [`seal_secret`]; `None` if the tag does not verify (wrong
/// passphrase or an edited line).
pub fn open_secret(
    pass: &str,
    kdf: KdfParams,
    salt: &[u8; SALT_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    sealed: &[u8; SEALED_KEY_LEN],
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let key = derive_key(pass, salt, kdf)?;
    Ok(ChaCha20Poly1305::new(&Key::from(*key))
        .decrypt(&Nonce::from(*nonce), Payload { msg: sealed, aad })
        .ok()
        .map(Zeroizing::new))
}

/// Unlocks a protected identity and checks that it is the key its line names.
pub fn unlock(
    protected: &ProtectedIdentity,
    public_key: &PublicKey,
    pass: &str,
) -> Result<std::result::Result<Identity, UnlockError>> {
    let Some(raw) = open_secret(
        pass,
        protected.kdf,
        &protected.salt,
        &protected.nonce,
        protected.aad(),
        &protected.sealed_key,
    )?
    else {
        return Ok(Err(UnlockError::WrongPassphrase));
    };
    match Identity::from_bytes(&raw) {
        Ok(identity) if identity.public_key() == public_key => Ok(Ok(identity)),
        _ => Ok(Err(UnlockError::Corrupt)),
    }
}

/// The error for a passphrase that does not unlock `what`.
pub fn wrong_passphrase(what: &str, from: &crate::passphrase::Source) -> CliError {
    let source = match from {
        crate::passphrase::Source::File(p) => format!("the first line of {}", p.display()),
        crate::passphrase::Source::Env(name) => format!("${name}"),
        crate::passphrase::Source::Terminal => "the passphrase typed".to_owned(),
    };
    CliError::new(
        Code::WrongPassphrase,
        format!("{what}: the passphrase does not unlock this identity"),
    )
    .hint(format!(
        "{source} is not the passphrase set at `sealpost keygen` (or the file was edited)"
    ))
}
