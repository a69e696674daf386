// COSE, JWS and JWT signed with awskms:// keys (local KMS server, real AWS SDK, EXTERNAL_MU) and
// verified offline with the exported public key, by pqsign and by the oracles. Nothing in the
// formats assumes a local key: they see only the signer's public key and μ goes to KMS.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from 'cbor2';
import { startTestKms } from '../support/kms-fixture.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsignAsync, tempDir } from '../support/helpers.js';

describe('COSE / JOSE with an awskms:// key', async () => {
  const kms = await startTestKms();
  const dir = tempDir('pqsign-cose-kms-');
  const run = (args: string[]) => pqsignAsync(args, { env: kms.env });
  await kms.createKey('ML_DSA_65', 'alias/issuer');
  const ref = kms.ref('alias/issuer');
  const fw = join(dir, 'fw.bin');
  copyFileSync(FIRMWARE, fw);
  const pub = join(dir, 'issuer.pub.pem');
  expect((await run(['pubkey', '--key', ref, '--out', pub])).code).toBe(0);

  it('the RFC 7519 §3.1 claims, signed through KMS, verify offline (pqsign and oracle jws)', async () => {
    const claims = join(dir, 'claims.json');
    writeFileSync(claims, '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const before = kms.log.length;
    const s = await run(['jwt', 'sign', '--claims', claims, '--key', ref, '--expires-in', '1h']);
    expect(s.code, s.stderr).toBe(0);
    expect(kms.log.slice(before).some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    const token = s.stdout.trim();
    const v = await run(['jwt', 'verify', token, '--key', pub, '--issuer', 'joe']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
    if (HAVE_SHARED) {
      const file = join(dir, 'rfc7519.jwt');
      writeFileSync(file, token);
      const o = oracle(['jws', pub, file]);
      expect(o.ok, o.stdout + o.stderr).toBe(true);
    }
  });

  it('jwt sign --message-type raw sends the signing input itself (KMS RAW) and the token verifies offline', async () => {
    const claims = join(dir, 'raw-claims.json');
    writeFileSync(claims, '{"iss":"raw-only-policy","sub":"fw-7"}');
    const before = kms.log.length;
    const s = await run(['jwt', 'sign', '--claims', claims, '--key', ref, '--message-type', 'raw']);
    expect(s.code, s.stderr).toBe(0);
    expect(kms.log.slice(before).filter((l) => l.startsWith('Sign '))).toEqual([expect.stringMatching(/^Sign RAW 200 /)]);
    const v = await run(['jwt', 'verify', s.stdout.trim(), '--key', pub, '--issuer', 'raw-only-policy']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ iss: 'raw-only-policy', sub: 'fw-7' });
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
    expect((await run(['keygen', '--out', key])).code).toBe(0);
    const local = await run(['jwt', 'sign', '--claims', claims, '--key', key, '--message-type', 'raw']);
    expect(local.code).toBe(2);
    expect(local.stderr).toBe(`pqsign: --message-type raw is not supported by ${key}\n`);
  });

  it("COSE_Sign1 and JWS (attached and detached) through KMS verify offline; kids are the KMS key's thumbprints", async () => {
    const jwk = JSON.parse((await run(['pubkey', '--key', ref, '--format', 'jwk'])).stdout);
    const coseKeyFile = join(dir, 'issuer.cose-key');
    expect((await run(['pubkey', '--key', ref, '--format', 'cose-key', '--out', coseKeyFile])).code).toBe(0);
    const coseKid = (decode(new Uint8Array(readFileSync(coseKeyFile)), { preferMap: true }) as Map<number, Uint8Array>).get(2)!;
    for (const [format, detached, extra] of [
      ['cose', false, []],
      ['cose', true, ['--aad', '0102']],
      ['jws', false, []],
      ['jws', true, []],
    ] as const) {
      const out = join(dir, `fw.${detached ? 'det.' : ''}${format}`);
      const s = await run(['sign', fw, '--key', ref, '--format', format, '--out', out, ...(detached ? ['--detached'] : []), ...extra]);
      expect(s.code, s.stderr).toBe(0);
      const v = await run(['verify', out, '--key', pub, '--json', ...(detached ? ['--payload', fw] : []), ...extra]);
      expect(v.code, v.stderr).toBe(0);
      const facts = JSON.parse(v.stdout);
      expect(facts).toMatchObject({ ok: true, format, algorithm: 'ML-DSA-65', kidIsKeyThumbprint: true });
      expect(facts.kid).toBe(format === 'jws' ? jwk.kid : Buffer.from(coseKid).toString('hex'));
    }
  });

  it.skipIf(!HAVE_SHARED)(`the oracle verifies the KMS-signed COSE_Sign1s ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
    expect(oracle(['cose', pub, join(dir, 'fw.cose')]).ok).toBe(true);
    expect(oracle(['cose', pub, join(dir, 'fw.det.cose'), fw, '0102']).ok).toBe(true);
  });
});
