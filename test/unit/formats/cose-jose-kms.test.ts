// COSE, JWS and JWT signed in this process with awskms:// keys (the local KMS server, the real AWS SDK over
// HTTP, EXTERNAL_MU) and verified offline with the exported public key, by pqsign and by the oracles.
// Nothing in the formats assumes a local key: they see only the signer's public key and μ goes to KMS.
// `jwt sign --message-type raw` and its refusals are test/cli/cose-jose-kms.test.ts.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from 'cbor2';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { startInProcessKms, writePublicKey } from '../../support/kms-inproc.js';
import { signWith, verifyWith } from '../../support/inproc.js';
import { PUBLIC_KEY_ENCODERS } from '../../../src/keys/export.js';
import { parseDuration, signJwt, verifyJwt } from '../../../src/jose/jwt.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';

describe('COSE / JOSE with an awskms:// key', async () => {
  const kms = await startInProcessKms();
  const dir = tempDir('pqsign-cose-kms-unit-');
  await kms.createKey('ML_DSA_65', 'alias/issuer');
  const ref = kms.ref('alias/issuer');
  const fw = join(dir, 'fw.bin');
  copyFileSync(FIRMWARE, fw);
  const pub = await writePublicKey(ref, join(dir, 'issuer.pub.pem'));

  it('the RFC 7519 §3.1 claims, signed through KMS, verify offline (pqsign and oracle jws)', async () => {
    const claims = JSON.parse('{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const before = kms.log.length;
    const signer = await loadSigner(ref);
    let token: string;
    try {
      token = await signJwt(signer, claims, { expiresIn: parseDuration('1h') });
    } finally {
      await signer.close?.();
    }
    expect(kms.log.slice(before).some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    const v = verifyJwt(token, await loadPublicKey(pub), { issuer: 'joe' });
    expect(v.claims).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
    if (HAVE_SHARED) {
      const file = join(dir, 'rfc7519.jwt');
      writeFileSync(file, token);
      const o = oracle(['jws', pub, file]);
      expect(o.ok, o.stdout + o.stderr).toBe(true);
    }
  });

  it("COSE_Sign1 and JWS (attached and detached) through KMS verify offline; kids are the KMS key's thumbprints", async () => {
    const key = await loadPublicKey(ref);
    const jwk = JSON.parse(PUBLIC_KEY_ENCODERS.jwk!(key, {}) as string);
    const coseKid = (
      decode(new Uint8Array((await PUBLIC_KEY_ENCODERS['cose-key']!(key, {})) as Uint8Array), { preferMap: true }) as Map<
        number,
        Uint8Array
      >
    ).get(2)!;
    for (const [format, detached, aad] of [
      ['cose', false, undefined],
      ['cose', true, '0102'],
      ['jws', false, undefined],
      ['jws', true, undefined],
    ] as const) {
      const out = join(dir, `fw.${detached ? 'det.' : ''}${format}`);
      const options = { detached, ...(aad ? { aad } : {}) };
      await signWith(fw, ref, { format, out, options });
      const v = await verifyWith(out, pub, { payload: detached ? fw : undefined, options: { [format]: options } });
      expect(v).toMatchObject({ format, params: { name: 'ML-DSA-65' } });
      expect(v.details).toMatchObject({ kidIsKeyThumbprint: true });
      expect(v.details.kid).toBe(format === 'jws' ? jwk.kid : Buffer.from(coseKid).toString('hex'));
    }
  });

  it.skipIf(!HAVE_SHARED)(`the oracle verifies the KMS-signed COSE_Sign1s ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
    expect(oracle(['cose', pub, join(dir, 'fw.cose')]).ok).toBe(true);
    expect(oracle(['cose', pub, join(dir, 'fw.det.cose'), fw, '0102']).ok).toBe(true);
  });
});
