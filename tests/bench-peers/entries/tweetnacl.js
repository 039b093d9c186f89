// tweetnacl + tweetnacl-sealedbox-js (blakejs): libsodium-compatible sealed boxes in plain JS.
// A sealed box has no AAD and no info: nothing binds it to an order.
import { seal } from 'tweetnacl-sealedbox-js';

export const hpke = false;

export async function prepare(publicKey) {
  return async ([[pt]]) => ({ cts: [seal(pt, publicKey)] });
}
