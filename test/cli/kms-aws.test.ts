// Opt-in: the same code path against real AWS KMS. Set PQSIGN_AWS_KMS_KEY to an ML-DSA key
// (awskms:///alias/NAME, a key ARN, ...) and have AWS credentials and a region configured the usual
// way (environment, profile, SSO). Costs a few KMS requests per run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, oracle, pqsignAsync, tempDir } from '../support/helpers.js';

const KEY = process.env.PQSIGN_AWS_KMS_KEY;
const REF = KEY && (KEY.startsWith('awskms://') ? KEY : `awskms:///${KEY}`);
const SKIP_REASON = 'PQSIGN_AWS_KMS_KEY is not set: the real AWS KMS suite is skipped (set it to an ML-DSA key to run it)';
if (!REF) console.warn(`SKIP: ${SKIP_REASON}`);

describe.skipIf(!REF)(REF ? `real AWS KMS: ${REF}` : SKIP_REASON, () => {
  const dir = tempDir();
  const run = (args: string[]) => pqsignAsync(args);
  const pub = join(dir, 'kms.pub.pem');

  it('exports the checked public key and describes the key', async () => {
    const p = await run(['pubkey', '--key', REF!, '--out', pub]);
    expect(p.code, p.stderr).toBe(0);
    const d = await run(['kms', 'describe', '--key', REF!, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(JSON.parse(d.stdout)).toMatchObject({ keyUsage: 'SIGN_VERIFY', keyState: 'Enabled', signingAlgorithms: ['ML_DSA_SHAKE_256'] });
  });

  it('signs through EXTERNAL_MU (with a context) and RAW; verifies offline, through KMS and with the oracles', async () => {
    const sig = join(dir, 'fw.sig');
    const ctx = Buffer.from('pqsign aws suite').toString('hex');
    const s = await run(['sign', FIRMWARE, '--key', REF!, '--out', sig, '--context', ctx]);
    expect(s.code, s.stderr).toBe(0);
    expect((await run(['verify', FIRMWARE, '--sig', sig, '--key', pub, '--context', ctx])).code).toBe(0);
    const viaKms = await run(['verify', FIRMWARE, '--sig', sig, '--key', REF!, '--kms', '--context', ctx]);
    expect(viaKms.code, viaKms.stderr).toBe(0);

    const small = join(dir, 'manifest.txt');
    writeFileSync(small, 'pqsign real-AWS RAW check');
    const raw = await run(['sign', small, '--key', REF!, '--message-type', 'raw']);
    expect(raw.code, raw.stderr).toBe(0);
    expect((await run(['verify', small, '--key', pub])).code).toBe(0);

    if (HAVE_SHARED) {
      const alg = JSON.parse((await run(['pubkey', '--key', pub, '--json'])).stdout).algorithm;
      expect(oracle(['verify', alg, pub, sig, FIRMWARE, ctx]).ok).toBe(true);
      expect(oracle(['verify', alg, pub, `${small}.sig`, small]).ok).toBe(true);
    }
  });

  it('--dry-run passes KMS DryRun', async () => {
    const r = await run(['sign', FIRMWARE, '--key', REF!, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
  });
});
