// Composite keys with both parts in KMS through the command line: `kms create-key --spec ECC_NIST_P384`,
// `kms list`, and `sign --key 'awskms://…/alias/mldsa+awskms://…/alias/ecdsa' --alg … --json` (real
// @aws-sdk/client-kms over HTTP against the local server), with its one-line refusal. The server's ECC keys
// are tested in test/unit/kms-server/composite-kms-ecdsa.test.ts; composite signing with them, the
// refusals and a tampering KMS, with Bouncy Castle 1.86's check, in test/unit/kms/composite-kms-ecdsa.test.ts.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pqsignAsync, tempDir } from '../support/helpers.js';
import { startTestKms } from '../support/kms-fixture.js';

const dir = tempDir('pqsign-kms-ecdsa-');
const kms = await startTestKms({ dataDir: join(dir, 'kms') });
const msg = join(dir, 'fw.bin');
writeFileSync(msg, Buffer.alloc(200_000, 7));

describe('composite with both parts in KMS (CLI)', () => {
  it('`pqsign kms create-key --spec ECC_NIST_P384` makes the key; describe and list show its ECDSA algorithm', async () => {
    const c = await pqsignAsync(
      ['kms', 'create-key', '--spec', 'ECC_NIST_P384', '--alias', 'alias/cli-p384', '--endpoint', kms.authority, '--json'],
      { env: kms.env },
    );
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({
      keySpec: 'ECC_NIST_P384',
      algorithm: 'ECDSA_SHA_384',
      signingAlgorithms: ['ECDSA_SHA_384'],
      keyFingerprint: null,
    });
    const l = await pqsignAsync(['kms', 'list', '--endpoint', kms.authority], { env: kms.env });
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/ECDSA_SHA_384 .*alias\/cli-p384/);
    const bad = await pqsignAsync(['kms', 'create-key', '--spec', 'ECC_SECG_P256K1', '--endpoint', kms.authority], { env: kms.env });
    expect(bad.code).toBe(2);
  });

  it('sign --key KMS+KMS --alg --json signs the composite; a traditional part that is not an ECC key: exit 2, one line, nothing written', async () => {
    await kms.createKey('ML_DSA_65', 'alias/fw-mldsa');
    await kms.createKey('ECC_NIST_P256', 'alias/fw-ecdsa');
    const sig = join(dir, 'fw.sig');
    const s = await pqsignAsync(
      [
        'sign',
        msg,
        '--key',
        `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-ecdsa')}`,
        '--alg',
        'MLDSA65-ECDSA-P256-SHA512',
        '--out',
        sig,
        '--json',
      ],
      { env: kms.env },
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    expect(kms.log.some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    expect(kms.log.some((l) => l.startsWith('Sign DIGEST 200'))).toBe(true);
    const out = join(dir, 'never.sig');
    const notEcc = await pqsignAsync(['sign', msg, '--key', `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-mldsa')}`, '--out', out], {
      env: kms.env,
    });
    expect(notEcc.code, notEcc.stderr).toBe(2);
    expect(notEcc.stderr).toMatch(/^pqsign: .*ECC_NIST_P256.*\n$/);
    expect(existsSync(out)).toBe(false);
  });
});
