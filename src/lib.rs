//! sealpost seals a buyer's shipping address in the browser to the public keys of certified
//! couriers (RFC 9180 HPKE: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305), so the
//! shop, the platform and the seller only ever store ciphertext and an order reference.
//!
//! This crate is the pure core (address record, keys, envelope format, errors) plus, on
//! `wasm32-unknown-unknown` only, the thin JavaScript binding in `wasm.rs`. The wire format is
//! described byte by byte in SPEC.md.
//!
//! ```
//! use sealpost::{Address, Disclosure, Envelope, Identity};
//!
//! let courier = Identity::generate()?;
//! let mut address = Address::default();
//! address.name = "张三".into();
//! address.phone = "13812345678".into();
//! address.country = "CN".into();
//! address.address_level1 = "浙江省".into();
//! address.address_level2 = "杭州市".into();
//! address.address_level3 = "西湖区".into();
//! address.street_lines = vec!["文三路 90 号".into()];
//! address.postal_code = "310012".into();
//!
//! let envelope = Envelope::seal(&address, &[courier.public_key().clone()], "ORDER-1", Disclosure::Country)?;
//! let text = envelope.to_string(); // "spe1.…", what the shop stores
//! let opened = text.parse::<Envelope>()?.open(&[courier], Some("ORDER-1"))?;
//! assert_eq!(opened, address);
//! # Ok::<(), sealpost::Error>(())
//! ```

pub mod addrdata;
pub mod address;
mod b64;
pub mod countries;
pub mod directory;
pub mod envelope;
mod error;
pub mod form;
pub mod keys;
pub mod random;
pub mod recipients;
pub mod suite;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod wasm;
#[cfg(all(
    target_arch = "wasm32",
    target_os = "unknown",
    not(feature = "seal-only")
))]
pub mod widget;

pub use address::{Address, AddressError};
pub use countries::is_iso_alpha2;
pub use envelope::{Disclosure, Envelope, Opened};
pub use error::Error;
pub use keys::{Identity, KeyId, PublicKey};
