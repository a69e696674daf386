// JWTs through src/jose/jwt.ts in this process: the RFC 7519 claim checks (exp, nbf, iat with clock skew,
// aud, iss), tampered and foreign tokens, and openssl40 (oracle jws) verifying pqsign's JWS and JWT. What
// `pqsign jwt` reads and prints, and its exit codes, is in test/cli/jose.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { signWith, writeKeyPair } from '../../support/inproc.js';
import { signJwt, verifyJwt, type JwtVerifyOptions } from '../../../src/jose/jwt.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';
import type { PublicKey } from '../../../src/keys/spki.js';
import type { Signer } from '../../../src/mldsa/signer.js';

const dir = tempDir('pqsign-jwt-unit-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const b64 = (s: string | object) => Buffer.from(typeof s === 'string' ? s : JSON.stringify(s)).toString('base64url');
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
/** The code a verification fails with ('ok' when it passes) and its message. */
function verdict(token: string, k: PublicKey, opts: JwtVerifyOptions = {}): { code: string; message: string } {
  try {
    verifyJwt(token, k, opts);
    return { code: 'ok', message: '' };
  } catch (e) {
    const { code, message } = e as { code?: unknown; message: string };
    if (typeof code !== 'string') throw e;
    return { code, message };
  }
}
let signer: Signer;
let publicKey: PublicKey;

beforeAll(async () => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  signer = await loadSigner(key);
  publicKey = await loadPublicKey(pub);
});

describe('JWT claims and signatures', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (c: object) => signJwt(signer, c);

  it('exp, nbf, iat with a 60 s clock-skew allowance; audience, issuer: each failure is ERR_CLAIMS (exit 1)', async () => {
    const t = now();
    const cases: [string, JwtVerifyOptions, string, RegExp | null][] = [
      [await sign({ exp: t - 3600 }), {}, 'ERR_CLAIMS', /token expired at/],
      [await sign({ exp: t - 30 }), {}, 'ok', null],
      [await sign({ exp: t - 30 }), { clockSkew: 0 }, 'ERR_CLAIMS', /token expired/],
      [await sign({ nbf: t + 3600 }), {}, 'ERR_CLAIMS', /not valid before/],
      [await sign({ nbf: t + 30 }), {}, 'ok', null],
      [await sign({ iat: t + 3600 }), {}, 'ERR_CLAIMS', /issued in the future/],
      [await sign({ exp: 'tomorrow' }), {}, 'ERR_CLAIMS', /"exp" is not a NumericDate/],
      [await sign({ aud: ['a', 'b'] }), { audience: 'b' }, 'ok', null],
      [await sign({ aud: 'a' }), { audience: 'c' }, 'ERR_CLAIMS', /audience "a" does not include "c"/],
      [await sign({}), { audience: 'c' }, 'ERR_CLAIMS', /audience null/],
      [await sign({ iss: 'joe' }), { issuer: 'bob' }, 'ERR_CLAIMS', /issuer "joe" is not the expected "bob"/],
    ];
    for (const [token, opts, code, message] of cases) {
      const v = verdict(token, publicKey, opts);
      expect(v.code, `${JSON.stringify(opts)} ${v.message}`).toBe(code);
      if (message) expect(v.message).toMatch(message);
    }
  });

  it('a tampered or foreign token, or one by a key of another parameter set, does not verify; a malformed one is a format error', async () => {
    const token = await sign({ sub: 'alice' });
    const [h, , s] = token.split('.');
    const forged = `${h}.${b64({ sub: 'mallory', iat: now() })}.${s}`;
    expect(verdict(forged, publicKey)).toEqual({ code: 'ERR_SIGNATURE_INVALID', message: 'JWT signature does not verify' });
    expect(verdict(`${h}.${s}`, publicKey)).toMatchObject({
      code: 'ERR_SIGNATURE_FORMAT',
      message: expect.stringMatching(/3 dot-separated parts, this has 2/),
    });
    const k87 = join(dir, 'k87.pem');
    writeKeyPair(k87, undefined, 'ML-DSA-87');
    const wrong = verdict(token, await loadPublicKey(k87));
    expect(wrong.code).toBe('ERR_UNTRUSTED');
    expect(wrong.message).toMatch(/signed with ML-DSA-44 but the trusted key is ML-DSA-87/);
  });
});

describe.skipIf(!HAVE_SHARED)(`oracle jws (openssl40) verifies pqsign's JWS and JWT ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: attached, classic detached b64 (payload re-inserted), JWT`, async () => {
      const k = join(dir, `o-${alg}.pem`);
      const p = join(dir, `o-${alg}.pub.pem`);
      writeKeyPair(k, p, alg);
      const att = join(dir, `o-${alg}.jws`);
      const det = join(dir, `o-${alg}.det.jws`);
      await signWith(fw, k, { format: 'jws', out: att });
      await signWith(fw, k, { format: 'jws', out: det, options: { detached: true, b64: true } });
      const [h, , s] = readFileSync(det, 'latin1').split('.');
      const reattached = write(`o-${alg}.re.jws`, `${h}.${readFileSync(fw).toString('base64url')}.${s}`);
      const token = await signJwt(await loadSigner(k), { iss: 'joe' }, { expiresIn: 300 });
      const jwtFile = write(`o-${alg}.jwt`, token);
      for (const file of [att, reattached, jwtFile]) {
        const o = oracle(['jws', p, file]);
        expect(o.ok, o.stdout + o.stderr).toBe(true);
        expect(o.stdout).toMatch(/valid/);
      }
      const [th, , ts] = token.split('.');
      expect(oracle(['jws', p, write(`o-${alg}.forged.jwt`, `${th}.${b64({ iss: 'eve' })}.${ts}`)]).ok).toBe(false);
    });
  }
});
