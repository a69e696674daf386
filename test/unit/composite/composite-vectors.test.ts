// Composite ML-DSA against the draft's own test vectors (draft-ietf-lamps-pq-composite-sigs -14..-19,
// ../shared/vectors/composite-sigs): all 21 cases. Public keys are re-derived from the private keys (raw
// and PKCS#8), every signature verifies with and without the context, each self-signed certificate
// verifies, tampering with either part fails, and pqsign's own signatures under the vectors' keys verify
// and reproduce the vectors' deterministic traditional parts (EdDSA, RSA PKCS#1 v1.5) byte for byte.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, VECTORS, hex } from '../../support/helpers.js';
import { readJson } from '../../support/vectors.js';
import { TAG, expectTag, oidToString, readChildren, readWhole } from '../../../src/asn1/der.js';
import { compositeByName } from '../../../src/composite/params.js';
import { compositePrivateKey, compositePublicKey, parseCompositePkcs8 } from '../../../src/composite/keys.js';
import { compositeMessage } from '../../../src/composite/message.js';
import { localCompositeSigner } from '../../../src/composite/signer.js';
import { verifyComposite } from '../../../src/composite/verify.js';
import { loadKeyBytes } from '../../../src/keys/load.js';
import { spkiFromCertificate } from '../../../src/keys/spki.js';
import { keygenFromSeed, verifyMu } from '../../../src/mldsa/mldsa.js';
import { computeMu } from '../../../src/mldsa/mu.js';
import { paramByName } from '../../../src/mldsa/params.js';

interface Case {
  tcId: string;
  pk: string;
  x5c: string;
  sk: string;
  sk_pkcs8: string;
  s: string;
  sWithContext: string;
}
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const FILE = join(VECTORS, 'composite-sigs', 'testvectors.json');
const data = HAVE_SHARED ? readJson<{ m: string; ctx: string; tests: Case[] }>(FILE) : { m: '', ctx: '', tests: [] };
const m = b64(data.m);
const ctx = b64(data.ctx);
const empty = new Uint8Array(0);
const flip = (b: Uint8Array, at: number) => {
  const c = Uint8Array.from(b);
  c[at]! ^= 1;
  return c;
};

/** Certificate → (tbsCertificate DER, signature algorithm OID, signature bytes). */
function certParts(der: Uint8Array) {
  const [tbs, alg, sig] = readChildren(readWhole(der, TAG.SEQUENCE, 'Certificate').value);
  const oid = oidToString(expectTag(readChildren(alg!.value)[0], TAG.OID, 'oid').value);
  return { tbs: tbs!.raw, oid, signature: expectTag(sig, TAG.BIT_STRING, 'signature').value.subarray(1) };
}

describe.skipIf(!HAVE_SHARED)(`composite-sigs test vectors (${HAVE_SHARED ? FILE : NO_SHARED})`, () => {
  it("has the draft's 21 cases", () => expect(data.tests).toHaveLength(21));

  for (const t of data.tests) {
    const name = t.tcId.replace(/^id-/, '');
    const pure = paramByName(name.replace(/^ML-DSA-/, ''));
    if (pure) {
      it(`${name}: public key from the seed, both signatures verify`, () => {
        const pk = b64(t.pk);
        expect(hex(keygenFromSeed(pure, b64(t.sk)).publicKey)).toBe(hex(pk));
        expect(verifyMu(pure, pk, computeMu(pure, pk, m), b64(t.s))).toBe(true);
        expect(verifyMu(pure, pk, computeMu(pure, pk, m, ctx), b64(t.sWithContext))).toBe(true);
        expect(verifyMu(pure, pk, computeMu(pure, pk, m), b64(t.sWithContext))).toBe(false);
      });
      continue;
    }
    const alg = compositeByName(name)!;
    it(`${name}: in the algorithm table with OID ${alg?.oid}`, () => {
      expect(alg).toBeDefined();
      expect(certParts(b64(t.x5c)).oid).toBe(alg.oid);
    });

    it(`${name}: public key re-derived from the raw and PKCS#8 private keys and read from the certificate`, async () => {
      const pk = b64(t.pk);
      expect(hex(compositePrivateKey(alg, b64(t.sk)).publicKey)).toBe(hex(pk));
      const p8 = parseCompositePkcs8(b64(t.sk_pkcs8));
      expect(hex(p8.publicKey)).toBe(hex(pk));
      expect(hex(p8.privateKey)).toBe(hex(b64(t.sk))); // pqsign writes the same raw private key back
      const fromCert = spkiFromCertificate(b64(t.x5c), { composite: true });
      expect(fromCert.composite?.name).toBe(alg.name);
      expect(hex(fromCert.publicKey)).toBe(hex(pk));
      // the loader: PKCS#8 DER, raw private and raw public forms (raw needs --alg)
      const loaded = await loadKeyBytes(b64(t.sk_pkcs8), 'vector');
      expect(loaded.kind).toBe('composite-private');
      const rawPriv = await loadKeyBytes(b64(t.sk), 'vector', { alg: alg.name });
      expect(rawPriv.kind === 'composite-private' && hex(rawPriv.key.publicKey)).toBe(hex(pk));
      const rawPub = await loadKeyBytes(pk, 'vector', { alg: alg.name });
      expect(rawPub.kind === 'public' && rawPub.key.composite?.name).toBe(alg.name);
    });

    it(`${name}: signatures verify with and without context; either part tampered fails`, () => {
      const key = compositePublicKey(alg, b64(t.pk));
      const s = b64(t.s);
      const sc = b64(t.sWithContext);
      const mp = compositeMessage(alg, m);
      const mpc = compositeMessage(alg, m, ctx);
      expect(verifyComposite(key, mp, s)).toBe(true);
      expect(verifyComposite(key, mpc, sc)).toBe(true);
      expect(verifyComposite(key, mp, sc)).toBe(false); // context is bound
      expect(verifyComposite(key, mpc, s)).toBe(false);
      expect(verifyComposite(key, mp, flip(s, 10))).toBe(false); // ML-DSA part
      expect(verifyComposite(key, mp, flip(s, s.length - 5))).toBe(false); // traditional part
      expect(verifyComposite(key, mp, s.subarray(0, alg.mldsa.signatureBytes))).toBe(false); // stripped to ML-DSA alone
      // the ML-DSA part alone is not a pure ML-DSA signature of m (the Label is its context)
      const mldsaPk = key.mldsaPublicKey;
      expect(verifyMu(alg.mldsa, mldsaPk, computeMu(alg.mldsa, mldsaPk, m), s.subarray(0, alg.mldsa.signatureBytes))).toBe(false);
    });

    it(`${name}: the self-signed certificate verifies`, () => {
      const { tbs, signature } = certParts(b64(t.x5c));
      const key = compositePublicKey(alg, b64(t.pk));
      expect(verifyComposite(key, compositeMessage(alg, tbs), signature)).toBe(true);
      expect(verifyComposite(key, compositeMessage(alg, flip(tbs, 40)), signature)).toBe(false);
    });

    it(`${name}: pqsign signs with the vector's key; the signature verifies${/Ed|PKCS15/.test(name) ? " and its traditional part equals the vector's" : ''}`, async () => {
      const signer = localCompositeSigner(compositePrivateKey(alg, b64(t.sk)), { deterministic: true });
      for (const [c, expected] of [
        [empty, b64(t.s)],
        [ctx, b64(t.sWithContext)],
      ] as const) {
        const mp = compositeMessage(alg, m, c);
        const sig = await signer.sign(mp);
        expect(verifyComposite(compositePublicKey(alg, b64(t.pk)), mp, sig)).toBe(true);
        if (/Ed|PKCS15/.test(name))
          expect(hex(sig.subarray(alg.mldsa.signatureBytes))).toBe(hex(expected.subarray(alg.mldsa.signatureBytes)));
      }
    });
  }
});
