// pqsign's CMS against Bouncy Castle (../shared/oracles/oracle cms): detached and attached, every parameter
// set, every digest RFC 9882 allows for it; once with the signer certificate embedded (BC finds it by
// issuerAndSerialNumber) and once without (signer by subjectKeyIdentifier, BC given the public key).
// Signing and pqsign's own verify run in this process; every check the oracle makes is kept.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { createCaFile, issueFile, keygenFiles, signWith, verifyWith } from '../../support/inproc.js';
import { allowedDigests } from '../../../src/cms/digests.js';
import { paramByName } from '../../../src/mldsa/params.js';

describe.skipIf(!HAVE_SHARED)(`CMS under Bouncy Castle${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  const dir = tempDir('pqsign-cms-oracle-');
  const content = join(dir, 'content.bin');
  const keys: Record<string, { key: string; pub: string; cert: string }> = {};

  beforeAll(async () => {
    writeFileSync(content, Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31 + 7) & 0xff)));
    for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
      const { key, pub } = keygenFiles(dir, alg, alg);
      const ca = await createCaFile(key, `CN=${alg} CA`, join(dir, `${alg}-ca.pem`));
      const cert = await issueFile({
        caKey: key,
        caCert: ca,
        key,
        subject: `CN=${alg} Signer`,
        codeSigning: true,
        out: join(dir, `${alg}.cert.pem`),
      });
      keys[alg] = { key, pub, cert };
    }
  });

  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    for (const digest of allowedDigests(paramByName(alg)!)) {
      it(`${alg} ${digest}: detached and attached, with and without the signer certificate`, async () => {
        const k = keys[alg]!;
        for (const mode of ['detached', 'attached'] as const) {
          const attached = mode === 'attached';
          const given = mode === 'attached' ? '' : content;
          const withCert = join(dir, `${alg}-${digest}-${mode}-cert.p7s`);
          const bare = join(dir, `${alg}-${digest}-${mode}-ski.p7s`);
          await signWith(content, k.key, { format: 'cms', out: withCert, options: { digest, cert: k.cert, attached } });
          await signWith(content, k.key, { format: 'cms', out: bare, options: { digest, attached } });

          const a = oracle(['cms', withCert, given]);
          expect(a.ok, `${withCert}: ${a.stdout}${a.stderr}`).toBe(true);
          expect(a.stdout).toMatch(/: valid/);
          const b = oracle(['cms', bare, given, k.pub]);
          expect(b.ok, `${bare}: ${b.stdout}${b.stderr}`).toBe(true);
          // and pqsign agrees with itself on both
          const own = await verifyWith(withCert, k.cert, { payload: given || undefined });
          expect(own).toMatchObject({ format: 'cms', signature: withCert });
        }
      });
    }
  }

  it('Bouncy Castle rejects a CMS whose content was changed (the oracle can fail)', async () => {
    const k = keys['ML-DSA-65']!;
    const f = join(dir, 'neg.p7s');
    await signWith(content, k.key, { format: 'cms', out: f, options: { cert: k.cert } });
    const other = join(dir, 'other.bin');
    writeFileSync(other, 'not the signed content');
    expect(oracle(['cms', f, other]).ok).toBe(false);
  });
});
