// Wycheproof ML-DSA: sign (seed and expanded keys), verify; every valid signing case carries μ.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, hex, unhex } from '../../support/helpers.js';
import { WYCHEPROOF, readJson } from '../../support/vectors.js';
import { paramByName } from '../../../src/mldsa/params.js';
import { keygenFromSeed, signMu, verifyMu } from '../../../src/mldsa/mldsa.js';
import { computeMu } from '../../../src/mldsa/mu.js';
import { checkExpandedKey } from '../../../src/keys/pkcs8.js';

const files = HAVE_SHARED ? readdirSync(WYCHEPROOF).filter((f) => /^mldsa_\d+_(sign_seed|sign_noseed|verify)_test\.json$/.test(f)) : [];

/** What pqsign does with a case; any throw is a refusal. */
function attempt(fn: () => void): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!HAVE_SHARED)(`Wycheproof ML-DSA (${HAVE_SHARED ? `${files.length} files` : NO_SHARED})`, () => {
  it('has the 9 sign/verify files', () => expect(files.length).toBe(9));

  for (const file of files) {
    const doc = readJson(join(WYCHEPROOF, file));
    const params = paramByName(doc.algorithm)!;
    const kind = /sign_seed/.test(file) ? 'seed' : /sign_noseed/.test(file) ? 'noseed' : 'verify';

    it(`${file}: ${doc.numberOfTests} cases`, () => {
      let checked = 0;
      for (const g of doc.testGroups) {
        for (const t of g.tests) {
          const id = `${file} tc ${t.tcId} (${t.comment})`;
          const ctx = unhex(t.ctx ?? '');
          if (kind === 'verify') {
            const pk = unhex(g.publicKey);
            let ok = false;
            attempt(() => {
              ok = verifyMu(params, pk, computeMu(params, pk, unhex(t.msg), ctx), unhex(t.sig));
            });
            expect(ok, id).toBe(t.result === 'valid');
          } else {
            let sig: Uint8Array | undefined;
            let mu: Uint8Array | undefined;
            const done = attempt(() => {
              const key = kind === 'seed' ? keygenFromSeed(params, unhex(g.privateSeed)) : checkExpandedKey(params, unhex(g.privateKey));
              expect(hex(key.publicKey), id).toBe(g.publicKey);
              mu = t.msg === undefined ? unhex(t.mu) : computeMu(params, key.publicKey, unhex(t.msg), ctx);
              sig = signMu(params, key.secretKey, mu, t.rnd ? { rnd: unhex(t.rnd) } : { deterministic: true });
            });
            expect(done, id).toBe(t.result === 'valid');
            if (t.result === 'valid') {
              expect(hex(mu!), `${id} μ`).toBe(t.mu);
              expect(hex(sig!), id).toBe(t.sig);
            }
          }
          checked++;
        }
      }
      expect(checked).toBe(doc.numberOfTests);
    });
  }
});
