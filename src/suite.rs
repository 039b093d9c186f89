//! The one HPKE suite sealpost uses (RFC 9180 §7): DHKEM(X25519, HKDF-SHA256) = 0x0020,
//! HKDF-SHA256 = 0x0001, ChaCha20Poly1305 = 0x0003, mode_base.

/// KEM: DHKEM(X25519, HKDF-SHA256), `kem_id` 0x0020.
pub type Kem = hpke::kem::X25519HkdfSha256;
/// KDF: HKDF-SHA256, `kdf_id` 0x0001.
pub type Kdf = hpke::kdf::HkdfSha256;
/// AEAD: ChaCha20Poly1305, `aead_id` 0x0003.
pub type Aead = hpke::aead::ChaCha20Poly1305;
