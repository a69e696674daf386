// SHAKE256 with node:crypto (OpenSSL, ~280 MB/s here) and @noble/hashes only as a fallback (~16 MB/s)
// for runtimes whose OpenSSL lacks SHAKE.
import { createHash, getHashes } from 'node:crypto';
import { createRequire } from 'node:module';

export interface Xof {
  update(data: Uint8Array): Xof;
  digest(): Uint8Array;
}

const nativeShake = getHashes().includes('shake256');

export function shake256(outputLength: number): Xof {
  if (nativeShake) {
    const h = createHash('shake256', { outputLength });
    const x: Xof = {
      update(d) {
        h.update(d);
        return x;
      },
      digest: () => new Uint8Array(h.digest()),
    };
    return x;
  }
  // loaded only on this path, synchronously (require(esm), Node >= 20.19)
  const { shake256: nobleShake256 } = createRequire(import.meta.url)('@noble/hashes/sha3.js') as typeof import('@noble/hashes/sha3.js');
  const h = nobleShake256.create({ dkLen: outputLength });
  const x: Xof = {
    update(d) {
      h.update(d);
      return x;
    },
    digest: () => h.digest(),
  };
  return x;
}

export const shake256Of = (data: Uint8Array, outputLength: number): Uint8Array => shake256(outputLength).update(data).digest();

export const SHAKE_BACKEND = nativeShake ? 'node:crypto' : '@noble/hashes';
