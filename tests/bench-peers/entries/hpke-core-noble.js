// @hpke/core with the pure-JS X25519 KEM (@hpke/dhkem-x25519, noble) and @hpke/chacha20poly1305:
// the combination @hpke's README documents for X25519 + ChaCha20-Poly1305 everywhere.
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';

export const hpke = true;

export async function prepare(publicKey, info) {
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() });
  const recipientPublicKey = await suite.kem.deserializePublicKey(publicKey);
  // one sender context (fresh ephemeral key) per call; messages sealed in order
  return async (messages) => {
    const ctx = await suite.createSenderContext({ recipientPublicKey, info });
    const cts = [];
    for (const [pt, aad] of messages) cts.push(new Uint8Array(await ctx.seal(pt, aad)));
    return { enc: new Uint8Array(ctx.enc), cts };
  };
}
