//! The platform X25519 path in this engine (Chromium, Firefox, WebKit, Node): every committed
//! vector that comes from an unmodified seal, sealed with this engine's WebCrypto X25519 doing
//! the ephemeral key and the DH (the vector's `skE` imported) and the module's
//! `sealEncapsulated` doing the rest, is the committed envelope byte for byte.

use crate::common;

use js_sys::{Array, Promise, Uint8Array, JSON};
use sealpost::{
    wasm::{seal_encapsulated_js, seal_keys_js},
    Disclosure,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen(inline_js = r#"
const hex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
const unb64u = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
// PKCS#8 PrivateKeyInfo of an X25519 key (RFC 8410): this prefix, then the 32 bytes.
const PKCS8 = hex('302e020100300506032b656e04220420');
// enc || DH(skE, pkR) per recipient, from WebCrypto X25519 with the given ephemeral keys.
export async function platformEncapsulate(skHex, keys) {
  const s = globalThis.crypto.subtle;
  const out = new Uint8Array(64 * skHex.length);
  for (let i = 0; i < skHex.length; i++) {
    const der = new Uint8Array(48);
    der.set(PKCS8);
    der.set(hex(skHex[i]), 16);
    const sk = await s.importKey('pkcs8', der, { name: 'X25519' }, true, ['deriveBits']);
    const enc = unb64u((await s.exportKey('jwk', sk)).x);
    const pkR = await s.importKey('raw', keys.subarray(32 * i, 32 * i + 32), { name: 'X25519' }, false, []);
    const dh = new Uint8Array(await s.deriveBits({ name: 'X25519', public: pkR }, sk, 256));
    out.set(enc, 64 * i);
    out.set(dh, 64 * i + 32);
  }
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = platformEncapsulate)]
    fn platform_encapsulate(sk_hex: Array, keys: Uint8Array) -> Promise;
}

#[wasm_bindgen_test]
async fn platform_x25519_seals_the_vectors_byte_for_byte() {
    let mut sealed = Vec::new();
    for (name, text) in common::FILES {
        let v = common::parse(text);
        let Some((address, envelope, disclosure)) = common::seal_inputs(&v) else {
            continue;
        };
        let address = JSON::parse(&serde_json::to_string(address).unwrap()).unwrap();
        let keys: Array = v.sealed_to.iter().map(|k| JsValue::from_str(k)).collect();
        let disclose = match disclosure {
            Disclosure::None => "none",
            Disclosure::Country => "country",
            Disclosure::Region => "region",
        };
        let order = JsValue::from_str(envelope.order_ref());
        let raw = seal_keys_js(
            address.clone(),
            keys.clone().into(),
            order.clone(),
            disclose.into(),
        )
        .unwrap();
        let sk: Array = v.sk_e.iter().map(|k| JsValue::from_str(k)).collect();
        let encapsulations = JsFuture::from(platform_encapsulate(sk, raw.as_slice().into()))
            .await
            .unwrap_or_else(|e| panic!("{name}: WebCrypto X25519: {e:?}"));
        let encapsulations = Uint8Array::new(&encapsulations).to_vec();
        let text = seal_encapsulated_js(
            address,
            keys.into(),
            order,
            disclose.into(),
            &encapsulations,
        )
        .unwrap();
        if text == v.envelope {
            sealed.push(*name);
        }
    }
    // the same set as natively (tests/vectors.rs): 01, 02, 15, 45, 46 at least
    assert!(sealed.len() >= 5, "{sealed:?}");
    assert!(sealed.contains(&"02-intl-two-recipients-region.json"));
}

/// A wrong number of encapsulations (the platform made fewer key pairs than couriers) is
/// refused with a code, not sealed short.
#[wasm_bindgen_test]
fn sealing_with_too_few_encapsulations_is_refused() {
    let v = common::parse(
        common::FILES
            .iter()
            .find(|(n, _)| n.starts_with("02-"))
            .unwrap()
            .1,
    );
    let address = JSON::parse(&serde_json::to_string(&v.expect.address).unwrap()).unwrap();
    let keys: Array = v.sealed_to.iter().map(|k| JsValue::from_str(k)).collect();
    for len in [0, 64, 100, 192] {
        let err = seal_encapsulated_js(
            address.clone(),
            keys.clone().into(),
            "O-1".into(),
            "none".into(),
            &vec![7; len],
        )
        .unwrap_err();
        let code = js_sys::Reflect::get(&err, &"code".into()).unwrap();
        assert_eq!(
            code.as_string().as_deref(),
            Some("randomness_unavailable"),
            "{len}"
        );
    }
}
