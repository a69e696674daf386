// The jws format and the AKP JWK in this process: the compact layout and its kid, payload() and inspect,
// detection by content and FILE.jws, detached (RFC 7515 Appendix F), cty and kid, the ML-DSA context
// refusal, tampering (exit 1) and malformed tokens (exit 2) with their codes and messages, and JWT
// signing's header rules. The command line's side (flags, --json, stdin, the one-line messages) is
// test/cli/jose.test.ts; the JWT claim checks and the oracle are in test/unit/jose/jwt.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jws } from '../../../formats/jws.js';
import { readChunks } from '../../../src/io/read.js';
import { PUBLIC_KEY_ENCODERS } from '../../../src/keys/export.js';
import { parseDuration, signJwt, verifyJwt } from '../../../src/jose/jwt.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';
import type { PublicKey } from '../../../src/keys/spki.js';
import { firmwareDir } from '../../support/firmware-dir.js';
import { b64, unb64 } from '../../support/jws-files.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { failure, signWith, verifyWith } from '../../support/inproc.js';

const { dir, key, pub, fw, write, prepare } = firmwareDir('pqsign-jws-unit-');
const attached = join(dir, 'fw.bin.jws');
const det = join(dir, 'det.jws');
/** the exit code and message `pqsign verify` would end with, and the file it names */
const rejected = async (p: Promise<unknown>) => {
  const f = await failure(p);
  return { ...f, exit: exitOfCode(f.code) };
};
let jwk: { kty: string; alg: string; pub: string; kid: string };
let publicKey: PublicKey;

beforeAll(async () => {
  prepare('ML-DSA-44');
  await signWith(fw, key, { format: 'jws' });
  await signWith(fw, key, { format: 'jws', out: det, options: { detached: true } });
  publicKey = await loadPublicKey(pub);
  jwk = JSON.parse(PUBLIC_KEY_ENCODERS.jwk!(publicKey, {}) as string);
});

describe('compact JWS', () => {
  it('is BASE64URL({alg, kid}).BASE64URL(file).BASE64URL(signature), kid = the JWK thumbprint', () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.');
    expect(JSON.parse(unb64(h!))).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid });
    expect(Buffer.from(p!, 'base64url').equals(readFileSync(fw))).toBe(true);
    expect(Buffer.from(s!, 'base64url').length).toBe(2420);
  });

  it('the JWK is an AKP JWK of the raw public key', async () => {
    const raw = (await PUBLIC_KEY_ENCODERS.raw!(await loadPublicKey(key), {})) as Uint8Array;
    expect(Object.keys(jwk)).toEqual(['kty', 'alg', 'pub', 'kid']);
    expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-44' });
    expect(Buffer.from(jwk.pub, 'base64url').equals(Buffer.from(raw))).toBe(true);
    expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verify recognises a JWS by content and finds FILE.jws for FILE; a trailing newline is tolerated', async () => {
    const odd = write('token.txt', `${readFileSync(attached, 'latin1')}\n`);
    expect(await verifyWith(odd, pub)).toMatchObject({ format: 'jws' });
    const v = await verifyWith(fw, pub);
    expect(v).toMatchObject({ format: 'jws', signature: attached });
    expect(v.details).toMatchObject({ kid: jwk.kid, kidIsKeyThumbprint: true, detached: false });
  });

  it('detached (RFC 7515 Appendix F): empty payload part, still signed (unencoded, RFC 7797)', async () => {
    const [h, p] = readFileSync(det, 'latin1').split('.');
    expect(p).toBe('');
    expect((await verifyWith(det, pub, { payload: fw })).details).toMatchObject({ detached: true });
    const none = await rejected(verifyWith(det, pub));
    expect(none.exit).toBe(1);
    expect(none.message).toMatch(/for a detached JWS give the payload with/);
    expect(JSON.parse(unb64(h!))).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid, b64: false, crit: ['b64'] });
  });

  it('contentType and kid set cty and kid', async () => {
    const out = join(dir, 'cty.jws');
    await signWith(fw, key, { format: 'jws', out, options: { contentType: 'application/octet-stream', kid: 'release-2026' } });
    expect(JSON.parse(unb64(readFileSync(out, 'latin1').split('.')[0]!))).toEqual({
      alg: 'ML-DSA-44',
      kid: 'release-2026',
      cty: 'application/octet-stream',
    });
    expect((await verifyWith(out, pub)).details).toMatchObject({ kid: 'release-2026', kidIsKeyThumbprint: false });
  });

  it('payload() decodes the embedded payload chunk by chunk; inspect needs no key', async () => {
    const loc = await jws.payload!(attached);
    const out: Buffer[] = [];
    for await (const chunk of readChunks(attached, { start: loc.start, end: loc.end, chunkSize: 65537 }))
      loc.transform!(chunk, (b) => out.push(Buffer.from(b)));
    expect(Buffer.concat(out).equals(readFileSync(fw))).toBe(true);
    expect(await jws.inspect!(attached)).toMatchObject({
      format: 'jws',
      algorithm: 'ML-DSA-44',
      kid: jwk.kid,
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 2420,
    });
  });

  it('refuses an ML-DSA context (RFC 9964 §5) on sign and verify (exit 2), writing nothing', async () => {
    const out = join(dir, 'ctx.jws');
    const s = await rejected(signWith(fw, key, { format: 'jws', out, context: 'aa' }));
    expect(s.exit).toBe(2);
    expect(s.message).toMatch(/JWS signatures use the empty ML-DSA context/);
    expect(existsSync(out)).toBe(false);
    expect((await rejected(verifyWith(attached, pub, { context: 'aa' }))).exit).toBe(2);
  });

  it('tampering with header, payload or signature, or a different payload file, is exit 1', async () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.') as [string, string, string];
    const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    for (const [name, text] of [
      ['t-header.jws', `${b64({ alg: 'ML-DSA-44', kid: 'someone-else' })}.${p}.${s}`],
      ['t-payload.jws', `${h}.${flip(p, 5000)}.${s}`],
      ['t-sig.jws', `${h}.${p}.${flip(s, 100)}`],
    ] as const)
      expect((await rejected(verifyWith(write(name, text), pub))).code, name).toBe('ERR_SIGNATURE_INVALID');
    const other = write('other.bin', Buffer.from('not the firmware'));
    expect((await rejected(verifyWith(det, pub, { payload: other }))).exit).toBe(1);
    const beside = await rejected(verifyWith(attached, pub, { payload: other }));
    expect(beside.exit).toBe(1);
    expect(beside.file).toBe(other);
    expect(beside.message).toMatch(/differs from the payload signed inside/);
  });

  it('malformed JWS: exit 2, each with its code and message naming the file', async () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.') as [string, string, string];
    const cases: [string, string, string, RegExp][] = [
      ['two-parts', `${h}.${p}`, 'ERR_SIGNATURE_FORMAT', /no signature part found \(a compact JWS is header\.payload\.signature/],
      ['bad-char', `${h}.${p.slice(0, 100)}!${p.slice(101)}.${s}`, 'ERR_SIGNATURE_FORMAT', /JWS payload is not valid base64url \('!'\)/],
      ['four-parts', `${h}.${p}.${p.slice(0, 8)}.${s}`, 'ERR_SIGNATURE_FORMAT', /not valid base64url \('\.'\)/],
      ['alg-none', `${b64({ alg: 'none' })}.${p}.${s}`, 'ERR_ALGORITHM', /alg "none" is not an ML-DSA JOSE algorithm/],
      ['alg-es256', `${b64({ alg: 'ES256' })}.${p}.${s}`, 'ERR_ALGORITHM', /alg "ES256" is not an ML-DSA/],
      ['alg-mldsa65', `${b64({ alg: 'ML-DSA-65' })}.${p}.${s}`, 'ERR_UNTRUSTED', /signed with ML-DSA-65 but the pinned key is ML-DSA-44/],
      [
        'crit',
        `${b64({ alg: 'ML-DSA-44', crit: ['exp'], exp: 1 })}.${p}.${s}`,
        'ERR_SIGNATURE_FORMAT',
        /unknown critical header parameter "exp"/,
      ],
      ['b64-false', `${b64({ alg: 'ML-DSA-44', b64: false })}.${p}.${s}`, 'ERR_SIGNATURE_FORMAT', /RFC 7797/],
      ['short-sig', `${h}.${p}.${s.slice(0, 400)}`, 'ERR_SIGNATURE_FORMAT', /signature is 300 bytes; an ML-DSA-44 signature is 2420/],
      ['sig-char', `${h}.${p}.${s.slice(0, 10)}+${s.slice(11)}`, 'ERR_SIGNATURE_FORMAT', /JWS signature is not valid base64url \('\+'\)/],
    ];
    for (const [name, text, code, message] of cases) {
      const f = write(`${name}.jws`, text);
      const r = await rejected(verifyWith(f, pub));
      expect(r.code, name).toBe(code);
      expect(r.message, name).toMatch(message);
      expect(r.file, name).toBe(f);
      if (code === 'ERR_SIGNATURE_FORMAT') expect(r.exit, name).toBe(2);
    }
  });
});

describe('JWT signing (src/jose/jwt.ts)', () => {
  const sign = async (claims: unknown, opts: Parameters<typeof signJwt>[2] = {}) => {
    const signer = await loadSigner(key);
    try {
      return await signJwt(signer, claims, opts);
    } finally {
      await signer.close?.();
    }
  };
  const headerOf = (token: string) => JSON.parse(unb64(token.split('.')[0]!));

  it('RFC 7519 §3.1 claims: header {alg, kid, typ}, exp replaced by expiresIn, iat added; a JWT verifies as a JWS', async () => {
    const claims = JSON.parse('{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const token = await sign(claims, { expiresIn: parseDuration('1h') });
    expect(headerOf(token)).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid, typ: 'JWT' });
    const out = verifyJwt(token, publicKey, { issuer: 'joe' }).claims as Record<string, number>;
    expect(out).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
    expect(out.exp! - out.iat!).toBe(3600);
    expect(Math.abs(out.iat! - Date.now() / 1000)).toBeLessThan(120);
    expect(await verifyWith(write('rfc.jwt', token), pub)).toMatchObject({ format: 'jws' });
  });

  it('the header is merged (typ and extras kept, alg and kid forced); a kid replaces the thumbprint; crit is refused', async () => {
    const token = await sign({ sub: 'a' }, { header: { alg: 'none', kid: 'x', typ: 'at+jwt', x5u: 'https://example.com/c' } });
    expect(headerOf(token)).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid, typ: 'at+jwt', x5u: 'https://example.com/c' });
    expect(headerOf(await sign({ sub: 'a' }, { kid: 'k1' })).kid).toBe('k1');
    const crit = await rejected(sign({}, { header: { crit: ['exp'] } }));
    expect(crit.exit).toBe(2);
    expect(crit.message).toMatch(/may not set "crit"/);
  });

  it('a forged token is exit 1, a malformed one 2; claims that are not an object and a bad duration are exit 2', async () => {
    const [h, , s] = (await sign({ sub: 'alice' })).split('.');
    const verdict = async (t: string) => rejected((async () => verifyJwt(t, publicKey))());
    expect((await verdict(`${h}.${b64({ sub: 'mallory' })}.${s}`)).exit).toBe(1);
    expect((await verdict(`${h}.${s}`)).exit).toBe(2);
    const arr = await rejected(sign([1, 2]));
    expect(arr.exit).toBe(2);
    expect(arr.message).toMatch(/claims must be a JSON object/);
    expect(exitOfCode((await failure((async () => parseDuration('10x'))())).code)).toBe(2);
  });
});
