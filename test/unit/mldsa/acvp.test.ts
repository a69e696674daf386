// NIST ACVP ML-DSA vectors (FIPS 204): keyGen, sigGen (external pure incl. context, internal with
// external μ, internal with message), sigGen-tr1 (seed and expanded key formats) and sigVer.
// HashML-DSA ("preHash") groups are not used by pqsign (RFC 9881/9882/9964 are pure ML-DSA): skipped, counted.
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, hex, unhex } from '../../support/helpers.js';
import { acvp } from '../../support/vectors.js';
import { paramByName } from '../../../src/mldsa/params.js';
import { keygenFromSeed, publicKeyFromSecret, signMu, verifyMu } from '../../../src/mldsa/mldsa.js';
import { computeMu } from '../../../src/mldsa/mu.js';
import { shake256Of } from '../../../src/mldsa/shake.js';
import { concatBytes } from '../../../src/base/bytes.js';

const P = (name: string) => paramByName(name)!;
/** Sign_internal / Verify_internal with a message (no M' prefix): μ = H(tr ‖ M). */
const internalMu = (pk: Uint8Array, msg: Uint8Array) => shake256Of(concatBytes(shake256Of(pk, 64), msg), 64);

describe.skipIf(!HAVE_SHARED)(`ACVP ML-DSA (${HAVE_SHARED ? 'from ../shared' : NO_SHARED})`, () => {
  describe('keyGen', () => {
    for (const { group, tests } of HAVE_SHARED ? acvp('ML-DSA-keyGen-FIPS204') : []) {
      it(`tg ${group.tgId} ${group.parameterSet}: ${tests.length} seeds → pk, sk`, () => {
        for (const { prompt, expected } of tests) {
          const kp = keygenFromSeed(P(group.parameterSet), unhex(prompt.seed));
          expect(hex(kp.publicKey)).toBe(expected.pk.toLowerCase());
          expect(hex(kp.secretKey)).toBe(expected.sk.toLowerCase());
        }
      });
    }
  });

  for (const name of ['ML-DSA-sigGen-FIPS204', 'ML-DSA-sigGen-FIPS204-tr1']) {
    describe(name, () => {
      for (const { group, tests } of HAVE_SHARED ? acvp(name) : []) {
        const label = `tg ${group.tgId} ${group.parameterSet} ${group.signatureInterface} ${group.preHash ?? (group.externalMu ? 'externalMu' : 'message')} ${group.keyFormat ?? ''} ${group.deterministic ? 'deterministic' : 'hedged'}`;
        if (group.preHash === 'preHash') {
          it.skip(`${label}: HashML-DSA is not used by pqsign (${tests.length} cases)`, () => {});
          continue;
        }
        it(`${label}: ${tests.length} signatures`, () => {
          const params = P(group.parameterSet);
          for (const { prompt, expected } of tests) {
            const sk = prompt.seed ? keygenFromSeed(params, unhex(prompt.seed)).secretKey : unhex(prompt.sk);
            const pk = publicKeyFromSecret(params, sk);
            const mu =
              group.signatureInterface === 'external'
                ? computeMu(params, pk, unhex(prompt.message), unhex(prompt.context ?? ''))
                : group.externalMu
                  ? unhex(prompt.mu)
                  : internalMu(pk, unhex(prompt.message));
            const sig = signMu(params, sk, mu, group.deterministic ? { deterministic: true } : { rnd: unhex(prompt.rnd) });
            expect(hex(sig), `tc ${prompt.tcId}`).toBe(expected.signature.toLowerCase());
          }
        });
      }
    });
  }

  describe('sigVer', () => {
    for (const { group, tests } of HAVE_SHARED ? acvp('ML-DSA-sigVer-FIPS204') : []) {
      const label = `tg ${group.tgId} ${group.parameterSet} ${group.signatureInterface} ${group.preHash ?? (group.externalMu ? 'externalMu' : 'message')}`;
      if (group.preHash === 'preHash') {
        it.skip(`${label}: HashML-DSA is not used by pqsign (${tests.length} cases)`, () => {});
        continue;
      }
      it(`${label}: ${tests.length} verdicts`, () => {
        const params = P(group.parameterSet);
        let valid = 0;
        for (const { prompt, expected } of tests) {
          const pk = unhex(prompt.pk);
          const mu =
            group.signatureInterface === 'external'
              ? computeMu(params, pk, unhex(prompt.message), unhex(prompt.context ?? ''))
              : group.externalMu
                ? unhex(prompt.mu)
                : internalMu(pk, unhex(prompt.message));
          const ok = verifyMu(params, pk, mu, unhex(prompt.signature));
          expect(ok, `tc ${prompt.tcId}`).toBe(expected.testPassed);
          if (ok) valid++;
        }
        expect(valid).toBeGreaterThan(0); // the group must exercise both verdicts
        expect(valid).toBeLessThan(tests.length);
      });
    }
  });
});
