// pqsign's CMS against Bouncy Castle (../shared/oracles/oracle cms): detached and attached, every parameter
// set, every digest RFC 9882 allows for it; once with the signer certificate embedded (BC finds it by
// issuerAndSerialNumber) and once without (signer by subjectKeyIdentifier, BC given the public key).
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { keygen, run } from '../support/pki-fixture.js';
import { allowedDigests } from '../../src/cms/digests.js';
import { paramByName } from '../../src/mldsa/params.js';

describe.skipIf(!HAVE_SHARED)(`CMS under Bouncy Castle${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  const dir = tempDir('pqsign-cms-oracle-');
  const content = join(dir, 'content.bin');
  const keys: Record<string, { key: string; pub: string; cert: string }> = {};

  beforeAll(() => {
    writeFileSync(content, Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 0xff)));
    for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
      const key = keygen(dir, alg, alg);
      const pub = join(dir, `${alg}.pub.pem`);
      run(['pubkey', '--key', key, '--out', pub]);
      const ca = join(dir, `${alg}-ca.pem`);
      run(['cert', 'create-ca', '--key', key, '--subject', `CN=${alg} CA`, '--out', ca]);
      const cert = join(dir, `${alg}.pem`);
      run(['cert', 'issue', '--ca-key', key, '--ca-cert', ca, '--key', key, '--subject', `CN=${alg} Signer`, '--code-signing', '--out', cert]);
      keys[alg] = { key, pub, cert };
    }
  });

  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    for (const digest of allowedDigests(paramByName(alg)!)) {
      it(`${alg} ${digest}: detached and attached, with and without the signer certificate`, () => {
        const k = keys[alg]!;
        for (const mode of ['detached', 'attached'] as const) {
          const extra = mode === 'attached' ? ['--attached'] : [];
          const given = mode === 'attached' ? '' : content;
          const withCert = join(dir, `${alg}-${digest}-${mode}-cert.p7s`);
          const bare = join(dir, `${alg}-${digest}-${mode}-ski.p7s`);
          run(['sign', content, '--format', 'cms', '--key', k.key, '--digest', digest, '--cert', k.cert, '--out', withCert, ...extra]);
          run(['sign', content, '--format', 'cms', '--key', k.key, '--digest', digest, '--out', bare, ...extra]);

          const a = oracle(['cms', withCert, given]);
          expect(a.ok, `${withCert}: ${a.stdout}${a.stderr}`).toBe(true);
          expect(a.stdout).toMatch(/: valid/);
          const b = oracle(['cms', bare, given, k.pub]);
          expect(b.ok, `${bare}: ${b.stdout}${b.stderr}`).toBe(true);
          // and pqsign agrees with itself on both
          expect(pqsign(['verify', withCert, ...(given ? ['--content', given] : []), '--key', k.cert]).code).toBe(0);
        }
      });
    }
  }

  it('Bouncy Castle rejects a CMS whose content was changed (the oracle can fail)', () => {
    const k = keys['ML-DSA-65']!;
    const f = join(dir, 'neg.p7s');
    run(['sign', content, '--format', 'cms', '--key', k.key, '--cert', k.cert, '--out', f]);
    const other = join(dir, 'other.bin');
    writeFileSync(other, 'not the signed content');
    expect(oracle(['cms', f, other]).ok).toBe(false);
  });
});
