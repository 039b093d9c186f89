// libsodium-wrappers: crypto_box_seal (X25519 + XSalsa20-Poly1305, nonce = BLAKE2b(epk || pk)).
// A sealed box has no AAD and no info: nothing binds it to an order.
import sodium from 'libsodium-wrappers';

export const hpke = false;

export async function prepare(publicKey) {
  await sodium.ready;
  return async ([[pt]]) => ({ cts: [sodium.crypto_box_seal(pt, publicKey)] });
}
