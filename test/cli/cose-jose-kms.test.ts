// `pqsign jwt sign --message-type raw` with an awskms:// key (local KMS server, real AWS SDK): the signing
// input itself goes to KMS as RAW, and the flag's refusals (an input over 4096 bytes, a local key) are exit 2
// before any signing. COSE, JWS and JWT through KMS and the oracles' checks of them run in-process in
// test/unit/formats/cose-jose-kms.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInProcessKms, writePublicKey } from '../support/kms-inproc.js';
import { pqsignAsync, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { verifyJwt } from '../../src/jose/jwt.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';

describe('jwt sign --message-type raw with an awskms:// key', async () => {
  const kms = await startInProcessKms();
  const dir = tempDir('pqsign-cose-kms-');
  const run = (args: string[]) => pqsignAsync(args, { env: kms.env });
  await kms.createKey('ML_DSA_65', 'alias/issuer');
  const ref = kms.ref('alias/issuer');
  const pub = await writePublicKey(ref, join(dir, 'issuer.pub.pem'));

  it('jwt sign --message-type raw sends the signing input itself (KMS RAW) and the token verifies offline', async () => {
    const claims = join(dir, 'raw-claims.json');
    writeFileSync(claims, '{"iss":"raw-only-policy","sub":"fw-7"}');
    const before = kms.log.length;
    const s = await run(['jwt', 'sign', '--claims', claims, '--key', ref, '--message-type', 'raw']);
    expect(s.code, s.stderr).toBe(0);
    expect(kms.log.slice(before).filter((l) => l.startsWith('Sign '))).toEqual([expect.stringMatching(/^Sign RAW 200 /)]);
    const v = verifyJwt(s.stdout.trim(), await loadPublicKey(pub), { issuer: 'raw-only-policy' });
    expect(v.claims).toMatchObject({ iss: 'raw-only-policy', sub: 'fw-7' });
  });

  it('jwt sign --message-type raw: a signing input over 4096 bytes, or a local key, is exit 2 before any signing', async () => {
    const claims = join(dir, 'big-claims.json');
    writeFileSync(claims, JSON.stringify({ iss: 'joe', pad: 'x'.repeat(3000) })); // base64url: ~4000 bytes, plus the header
    const before = kms.log.length;
    const big = await run(['jwt', 'sign', '--claims', claims, '--key', ref, '--message-type', 'raw']);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(
      /^pqsign: --message-type raw allows at most 4096 bytes to sign, this is \d{4}; use the default external μ\n$/,
    );
    expect(big.stdout).toBe('');
    expect(kms.log.slice(before).filter((l) => l.startsWith('Sign '))).toEqual([]);
    const key = join(dir, 'local.pem');
    writeKeyPair(key, undefined);
    const local = await run(['jwt', 'sign', '--claims', claims, '--key', key, '--message-type', 'raw']);
    expect(local.code).toBe(2);
    expect(local.stderr).toBe(`pqsign: --message-type raw is not supported by ${key}\n`);
  });
});
