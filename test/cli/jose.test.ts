// pqsign sign/verify --format jws, pubkey --format jwk and pqsign jwt at the command line: layout and flags,
// tampering (exit 1), malformed tokens (exit 2), jwt sign/verify input and output. The JWT claim checks and
// the oracle checks run in-process in test/unit/jose/jwt.test.ts.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jws } from '../../formats/jws.js';
import { readChunks } from '../../src/io/read.js';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

const dir = tempDir('pqsign-jose-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const attached = join(dir, 'fw.bin.jws');
const b64 = (s: string | object) => Buffer.from(typeof s === 'string' ? s : JSON.stringify(s)).toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
let jwk: { kty: string; alg: string; pub: string; kid: string };

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  expect(pqsign(['sign', fw, '--key', key, '--format', 'jws']).code).toBe(0);
  jwk = JSON.parse(pqsign(['pubkey', '--key', pub, '--format', 'jwk']).stdout);
});

describe('compact JWS', () => {
  it('is BASE64URL({alg, kid}).BASE64URL(file).BASE64URL(signature), kid = the JWK thumbprint', () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.');
    expect(JSON.parse(unb64(h!))).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid });
    expect(Buffer.from(p!, 'base64url').equals(readFileSync(fw))).toBe(true);
    expect(Buffer.from(s!, 'base64url').length).toBe(2420);
  });

  it('pubkey --format jwk is an AKP JWK of the raw public key', () => {
    const raw = join(dir, 'k.raw');
    expect(pqsign(['pubkey', '--key', key, '--format', 'raw', '--out', raw]).code).toBe(0);
    expect(Object.keys(jwk)).toEqual(['kty', 'alg', 'pub', 'kid']);
    expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-44' });
    expect(Buffer.from(jwk.pub, 'base64url').equals(readFileSync(raw))).toBe(true);
    expect(jwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('verify recognises a JWS by content and finds FILE.jws for FILE; a trailing newline is tolerated', () => {
    const odd = write('token.txt', `${readFileSync(attached, 'latin1')}\n`);
    expect(pqsign(['verify', odd, '--key', pub]).code).toBe(0);
    const r = pqsign(['verify', fw, '--key', pub, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'jws', kid: jwk.kid, kidIsKeyThumbprint: true, detached: false });
  });

  it('detached (RFC 7515 Appendix F): empty payload part, still signed (unencoded, RFC 7797: test/jws-unencoded.test.ts)', () => {
    const det = join(dir, 'det.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached', '--out', det]).code).toBe(0);
    const [h, p] = readFileSync(det, 'latin1').split('.');
    expect(p).toBe('');
    const r = pqsign(['verify', det, '--key', pub, '--payload', fw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ detached: true });
    const none = pqsign(['verify', det, '--key', pub]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/for a detached JWS give the payload with --payload/);
    expect(JSON.parse(unb64(h!))).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid, b64: false, crit: ['b64'] });
  });

  it('--content-type and --kid set cty and kid', () => {
    const out = join(dir, 'cty.jws');
    expect(
      pqsign([
        'sign',
        fw,
        '--key',
        key,
        '--format',
        'jws',
        '--content-type',
        'application/octet-stream',
        '--kid',
        'release-2026',
        '--out',
        out,
      ]).code,
    ).toBe(0);
    expect(JSON.parse(unb64(readFileSync(out, 'latin1').split('.')[0]!))).toEqual({
      alg: 'ML-DSA-44',
      kid: 'release-2026',
      cty: 'application/octet-stream',
    });
    expect(JSON.parse(pqsign(['verify', out, '--key', pub, '--json']).stdout)).toMatchObject({
      ok: true,
      kid: 'release-2026',
      kidIsKeyThumbprint: false,
    });
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

  it('refuses an ML-DSA context (RFC 9964 §5), writing nothing', () => {
    const out = join(dir, 'ctx.jws');
    const r = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--context', 'aa', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWS signatures use the empty ML-DSA context/);
    expect(existsSync(out)).toBe(false);
    expect(pqsign(['verify', attached, '--key', pub, '--context', 'aa']).code).toBe(2);
  });

  it('tampering with header, payload or signature, or a different payload file, exits 1', () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.') as [string, string, string];
    const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    const files = [
      write('t-header.jws', `${b64({ alg: 'ML-DSA-44', kid: 'someone-else' })}.${p}.${s}`),
      write('t-payload.jws', `${h}.${flip(p, 5000)}.${s}`),
      write('t-sig.jws', `${h}.${p}.${flip(s, 100)}`),
    ];
    const r = pqsign(['verify', ...files, '--key', pub, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).error.code),
    ).toEqual(Array(3).fill('ERR_SIGNATURE_INVALID'));
    const other = write('other.bin', Buffer.from('not the firmware'));
    const det = join(dir, 'det.jws');
    expect(pqsign(['verify', det, '--key', pub, '--payload', other]).code).toBe(1);
    const beside = pqsign(['verify', attached, '--key', pub, '--payload', other]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toMatch(/other\.bin: differs from the payload signed inside/);
  });

  it('malformed JWS exit 2 with one clear line each', () => {
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
    const files = cases.map(([name, text]) => write(`${name}.jws`, text));
    const r = pqsign(['verify', ...files, '--key', pub, '--json']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    cases.forEach(([name, , code, message], i) => {
      expect(lines[i], name).toMatchObject({ ok: false, error: { code } });
      expect(lines[i].error.message, name).toMatch(message);
      expect(lines[i].error.message.startsWith(files[i]!), name).toBe(true);
    });
    expect(r.code).toBe(2);
  });
});

describe('pqsign jwt', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (c: object) => write(`claims-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(c));
  const sign = (c: object, ...args: string[]) => {
    const r = pqsign(['jwt', 'sign', '--claims', claims(c), '--key', key, ...args]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };

  it('RFC 7519 §3.1 claims: signed, verified offline with --issuer, claims printed', () => {
    // the example's exp (2011) is replaced by --expires-in; iat is added
    const rfc = write('rfc7519.json', '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const s = pqsign(['jwt', 'sign', '--claims', rfc, '--key', key, '--expires-in', '1h']);
    expect(s.code, s.stderr).toBe(0);
    const token = s.stdout.trim();
    const [h] = token.split('.');
    expect(JSON.parse(unb64(h!))).toEqual({ alg: 'ML-DSA-44', kid: jwk.kid, typ: 'JWT' });
    const v = pqsign(['jwt', 'verify', token, '--key', pub, '--issuer', 'joe']);
    expect(v.code, v.stderr).toBe(0);
    const out = JSON.parse(v.stdout);
    expect(out).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
    expect(out.exp - out.iat).toBe(3600);
    expect(Math.abs(out.iat - now())).toBeLessThan(120);
    // a JWT is a compact JWS: pqsign verify takes it too
    expect(pqsign(['verify', write('rfc.jwt', token), '--key', pub]).code).toBe(0);
  });

  it('--header is merged (typ and extras kept, alg and kid forced); crit is refused', () => {
    const hdr = write('hdr.json', JSON.stringify({ alg: 'none', kid: 'x', typ: 'at+jwt', x5u: 'https://example.com/c' }));
    const token = sign({ sub: 'a' }, '--header', hdr);
    expect(JSON.parse(unb64(token.split('.')[0]!))).toEqual({
      alg: 'ML-DSA-44',
      kid: jwk.kid,
      typ: 'at+jwt',
      x5u: 'https://example.com/c',
    });
    expect(JSON.parse(unb64(sign({ sub: 'a' }, '--kid', 'k1').split('.')[0]!)).kid).toBe('k1');
    const crit = write('crit.json', JSON.stringify({ crit: ['exp'] }));
    const r = pqsign(['jwt', 'sign', '--claims', claims({}), '--key', key, '--header', crit]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/may not set "crit"/);
  });

  it('a claim check that fails exits 1 with one line; a forged token exits 1, a malformed one 2 (the checks: test/unit/jose/jwt.test.ts)', () => {
    const expired = sign({ exp: now() - 3600 });
    const r = pqsign(['jwt', 'verify', expired, '--key', pub]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/token expired at/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const [h, , s] = sign({ sub: 'alice' }).split('.');
    expect(pqsign(['jwt', 'verify', `${h}.${b64({ sub: 'mallory' })}.${s}`, '--key', pub]).code).toBe(1);
    expect(pqsign(['jwt', 'verify', `${h}.${s}`, '--key', pub]).code).toBe(2);
  });

  it('claims from stdin, token from stdin and @FILE; bad input exits 2', () => {
    const s = pqsign(['jwt', 'sign', '--claims', '-', '--key', key], { input: '{"sub":"stdin"}' });
    expect(s.code, s.stderr).toBe(0);
    const viaStdin = pqsign(['jwt', 'verify', '-', '--key', pub], { input: s.stdout });
    expect(JSON.parse(viaStdin.stdout)).toMatchObject({ sub: 'stdin' });
    const file = write('t.jwt', s.stdout);
    expect(JSON.parse(pqsign(['jwt', 'verify', `@${file}`, '--key', pub]).stdout)).toMatchObject({ sub: 'stdin' });
    expect(pqsign(['jwt', 'sign', '--claims', claims({}), '--key', key, '--expires-in', '10x']).code).toBe(2);
    const arr = pqsign(['jwt', 'sign', '--claims', '-', '--key', key], { input: '[1,2]' });
    expect(arr.code).toBe(2);
    expect(arr.stderr).toMatch(/claims must be a JSON object/);
    expect(pqsign(['jwt', 'sign', '--claims', '-', '--key', key], { input: '{oops' }).code).toBe(2);
  });
});
