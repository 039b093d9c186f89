// Not a peer: the X25519 floor of each implementation the peers use, timed in the same run.
// One call = what a sender's KEM must do asymmetrically: an ephemeral key pair (one base-point
// multiplication) and one DH with the recipient's key (one variable-base multiplication).
import sodium from 'libsodium-wrappers';
import nacl from 'tweetnacl';
import { x25519 } from '@noble/curves/ed25519.js';

export async function prepare(publicKey) {
  await sodium.ready;
  const { subtle } = globalThis.crypto;
  const peer = await subtle.importKey('raw', publicKey, { name: 'X25519' }, true, []);
  return {
    webcrypto: async () => {
      const kp = await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits']);
      await subtle.exportKey('raw', kp.publicKey);
      return subtle.deriveBits({ name: 'X25519', public: peer }, kp.privateKey, 256);
    },
    libsodium: async () => {
      const sk = sodium.randombytes_buf(32);
      sodium.crypto_scalarmult_base(sk);
      return sodium.crypto_scalarmult(sk, publicKey);
    },
    noble: async () => {
      const sk = x25519.utils.randomSecretKey();
      x25519.getPublicKey(sk);
      return x25519.getSharedSecret(sk, publicKey);
    },
    tweetnacl: async () => {
      const sk = nacl.randomBytes(32);
      nacl.scalarMult.base(sk);
      return nacl.scalarMult(sk, publicKey);
    },
  };
}
