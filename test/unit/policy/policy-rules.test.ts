// Policy files are parsed strictly (docs/verification.md): every malformed document is ERR_POLICY (exit 2) naming
// the JSON path, never a silently ignored rule. And a container without a signed count cannot satisfy an
// anti-rollback minimum. In-process; the CLI pins the message line (test/cli/verification/policy.test.ts).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/policy/policy.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { FIRMWARE, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { buildPkiInProcess, failure, signWith, verifyWith } from '../../support/inproc.js';
import type { Pki } from '../../support/pki-fixture.js';

const dir = tempDir('pqsign-policy-rules-');
const p = (f: string) => join(dir, f);

describe('policy files are parsed strictly (ERR_POLICY, exit 2, naming the JSON path)', () => {
  const cases: Array<[string, unknown]> = [
    ['unknown top-level key', { pqsignPolicy: 1, scopes: [], extra: true }],
    ['wrong version', { pqsignPolicy: 2, scopes: [{}] }],
    [
      'unknown scope key',
      { pqsignPolicy: 1, scopes: [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }], minCount: 3 }] },
    ],
    ['scope trusting nothing', { pqsignPolicy: 1, scopes: [{ name: 'a', match: { artifacts: ['*'] } }] }],
    [
      'key with both key and sha256',
      { pqsignPolicy: 1, scopes: [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64), key: 'x.pub' }] }] },
    ],
    [
      'unknown format',
      { pqsignPolicy: 1, scopes: [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }], formats: ['pgp'] }] },
    ],
    [
      'signer rules without anchors',
      {
        pqsignPolicy: 1,
        scopes: [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }], signer: { eku: ['codeSigning'] } }],
      },
    ],
    [
      'negative monotonic count',
      { pqsignPolicy: 1, scopes: [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }], minMonotonicCount: -1 }] },
    ],
    [
      'duplicate scope names',
      { pqsignPolicy: 1, scopes: [1, 2].map(() => ({ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }] })) },
    ],
  ];
  cases.forEach(([what, doc], i) => {
    it(what, async () => {
      const file = p(`bad-${i}.policy.json`);
      writeFileSync(file, JSON.stringify(doc));
      const e = await failure(loadPolicy(file, (ref) => loadPublicKey(ref)));
      expect(exitOfCode(e.code), e.message).toBe(2);
      expect(e.code).toBe('ERR_POLICY');
      expect(e.file).toBe(file);
      expect(e.message).toMatch(/^(policy|pqsignPolicy|scopes)/);
    });
  });
});

describe('anti-rollback', () => {
  let pki: Pki;
  beforeAll(async () => {
    pki = await buildPkiInProcess(dir, 'ML-DSA-44');
    copyFileSync(FIRMWARE, p('bl2.bin'));
    await signWith(p('bl2.bin'), pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter] } });
  });

  it('a format without a signed count cannot satisfy even the minimum 1 (ERR_ROLLBACK, exit 1)', async () => {
    await expect(verifyWith(p('bl2.bin'), pki.leafKey)).resolves.toMatchObject({ format: 'cms' });
    const e = await failure(verifyWith(p('bl2.bin'), pki.leafKey, { rules: { minMonotonicCount: '1' } }));
    expect(e.code).toBe('ERR_ROLLBACK');
    expect(exitOfCode(e.code)).toBe(1);
  });
});
