// hpke (panva): KEM and KDF on WebCrypto (X25519, HKDF), AEAD from @panva/hpke-noble, because
// WebCrypto has no ChaCha20-Poly1305 in Chromium or Node 20 (hpke's own AEAD_ChaCha20Poly1305
// needs it); this is the extension mechanism hpke's README points to.
import { CipherSuite, KDF_HKDF_SHA256, KEM_DHKEM_X25519_HKDF_SHA256 } from 'hpke';
import { AEAD_ChaCha20Poly1305 } from '@panva/hpke-noble';

export const hpke = true;

export async function prepare(publicKey, info) {
  const suite = new CipherSuite(KEM_DHKEM_X25519_HKDF_SHA256, KDF_HKDF_SHA256, AEAD_ChaCha20Poly1305);
  const pk = await suite.DeserializePublicKey(publicKey);
  return async (messages) => {
    const { encapsulatedSecret, ctx } = await suite.SetupSender(pk, { info });
    const cts = [];
    for (const [pt, aad] of messages) cts.push(await ctx.Seal(pt, aad));
    return { enc: encapsulatedSecret, cts };
  };
}
