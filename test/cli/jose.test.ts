// pqsign sign/verify --format jws, pubkey --format jwk and pqsign jwt at the command line: each flag once
// taking effect (--detached, --payload, --content-type, --kid, --header, --expires-in, --issuer) and the
// refusals, exit codes and one-line messages, --json, stdin and @FILE. What the containers hold, tampering
// and malformed tokens case by case run in-process in test/unit/formats/jws.test.ts (judged here with one
// verify --json run); the JWT claim checks and the oracle in test/unit/jose/jwt.test.ts.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign } from '../support/helpers.js';
import { firmwareDir } from '../support/firmware-dir.js';
import { b64, unb64 } from '../support/jws-files.js';
import { verifyEach } from '../support/exit-codes.js';
import { signWith } from '../support/inproc.js';
import { signJwt } from '../../src/jose/jwt.js';
import { loadSigner } from '../../src/pipeline/keyref.js';

const { dir, key, pub, fw, write, prepare } = firmwareDir('pqsign-jose-');
const attached = join(dir, 'fw.bin.jws');
let jwk: { kty: string; alg: string; pub: string; kid: string };

beforeAll(async () => {
  prepare('ML-DSA-44');
  await signWith(fw, key, { format: 'jws' });
});

describe('compact JWS', () => {
  it('pubkey --format jwk prints an AKP JWK (kty, alg, pub, kid) to stdout', () => {
    const r = pqsign(['pubkey', '--key', pub, '--format', 'jwk']);
    expect(r.code, r.stderr).toBe(0);
    jwk = JSON.parse(r.stdout);
    expect(Object.keys(jwk)).toEqual(['kty', 'alg', 'pub', 'kid']);
    expect(jwk).toMatchObject({ kty: 'AKP', alg: 'ML-DSA-44' });
  });

  it('verify --json: a JWS found by content (trailing newline) and FILE.jws found for FILE', () => {
    const odd = write('token.txt', `${readFileSync(attached, 'latin1')}\n`);
    const r = pqsign(['verify', odd, fw, '--key', pub, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(a).toMatchObject({ ok: true, format: 'jws', signature: odd });
    expect(b).toMatchObject({ ok: true, format: 'jws', signature: attached, kid: jwk.kid, kidIsKeyThumbprint: true, detached: false });
  });

  it('--detached, then verify --payload (--json); without --payload exit 1 saying so', () => {
    const det = join(dir, 'det.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached', '--out', det]).code).toBe(0);
    expect(readFileSync(det, 'latin1').split('.')[1]).toBe('');
    const r = pqsign(['verify', det, '--key', pub, '--payload', fw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ detached: true });
    const none = pqsign(['verify', det, '--key', pub]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/for a detached JWS give the payload with --payload/);
  });

  it('--content-type and --kid set cty and kid', () => {
    const out = join(dir, 'cty.jws');
    const s = pqsign([
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
    ]);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(unb64(readFileSync(out, 'latin1').split('.')[0]!))).toEqual({
      alg: 'ML-DSA-44',
      kid: 'release-2026',
      cty: 'application/octet-stream',
    });
  });

  it('refuses --context (RFC 9964 §5) on sign and verify with exit 2, writing nothing', () => {
    const out = join(dir, 'ctx.jws');
    const r = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--context', 'aa', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWS signatures use the empty ML-DSA context/);
    expect(existsSync(out)).toBe(false);
    expect(pqsign(['verify', attached, '--key', pub, '--context', 'aa']).code).toBe(2);
  });

  it('tampered (exit 1) and malformed (exit 2) files in one verify --json run; one alone is one line; --payload of another file', () => {
    const [h, p, s] = readFileSync(attached, 'latin1').split('.') as [string, string, string];
    const flip = (t: string, at: number) => t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
    const cases: [string, string, number][] = [
      ['t-header.jws', `${b64({ alg: 'ML-DSA-44', kid: 'someone-else' })}.${p}.${s}`, 1],
      ['t-payload.jws', `${h}.${flip(p, 5000)}.${s}`, 1],
      ['t-sig.jws', `${h}.${p}.${flip(s, 100)}`, 1],
      ['two-parts.jws', `${h}.${p}`, 2],
      ['alg-none.jws', `${b64({ alg: 'none' })}.${p}.${s}`, 2],
      ['sig-char.jws', `${h}.${p}.${s.slice(0, 10)}+${s.slice(11)}`, 2],
    ];
    const files = cases.map(([name, text]) => write(name, text));
    const v = verifyEach(files, ['--key', pub]);
    cases.forEach(([name, , exit], i) => {
      expect(v.get(files[i]!)!.exit, name).toBe(exit);
      expect(v.get(files[i]!)!.message!.startsWith(`${files[i]}: `), name).toBe(true);
    });
    const one = pqsign(['verify', files[5]!, '--key', pub]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe(`pqsign: ${files[5]}: JWS signature is not valid base64url ('+')\n`);
    const other = write('other.bin', Buffer.from('not the firmware'));
    const beside = pqsign(['verify', attached, '--key', pub, '--payload', other]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toMatch(/other\.bin: differs from the payload signed inside/);
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
  /** a token made in this process, for the verify side */
  const token = async (c: object) => {
    const signer = await loadSigner(key);
    try {
      return await signJwt(signer, c);
    } finally {
      await signer.close?.();
    }
  };

  it('RFC 7519 §3.1 claims: jwt sign --expires-in, jwt verify --issuer prints the claims', () => {
    // the example's exp (2011) is replaced by --expires-in; iat is added
    const rfc = write('rfc7519.json', '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}');
    const s = pqsign(['jwt', 'sign', '--claims', rfc, '--key', key, '--expires-in', '1h']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const v = pqsign(['jwt', 'verify', s.stdout.trim(), '--key', pub, '--issuer', 'joe']);
    expect(v.code, v.stderr).toBe(0);
    const out = JSON.parse(v.stdout);
    expect(out).toMatchObject({ iss: 'joe', 'http://example.com/is_root': true });
    expect(out.exp - out.iat).toBe(3600);
    expect(Math.abs(out.iat - now())).toBeLessThan(120);
  });

  it('--header is merged, --kid sets kid; a header with crit is exit 2', () => {
    const hdr = write('hdr.json', JSON.stringify({ alg: 'none', kid: 'x', typ: 'at+jwt', x5u: 'https://example.com/c' }));
    expect(JSON.parse(unb64(sign({ sub: 'a' }, '--header', hdr).split('.')[0]!))).toMatchObject({ alg: 'ML-DSA-44', typ: 'at+jwt' });
    expect(JSON.parse(unb64(sign({ sub: 'a' }, '--kid', 'k1').split('.')[0]!)).kid).toBe('k1');
    const crit = write('crit.json', JSON.stringify({ crit: ['exp'] }));
    const r = pqsign(['jwt', 'sign', '--claims', claims({}), '--key', key, '--header', crit]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/may not set "crit"/);
  });

  it('a claim check that fails exits 1 with one line (the checks: test/unit/jose/jwt.test.ts)', async () => {
    const r = pqsign(['jwt', 'verify', await token({ exp: now() - 3600 }), '--key', pub]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/token expired at/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('claims from stdin, token from stdin and @FILE; bad input exits 2', () => {
    const s = pqsign(['jwt', 'sign', '--claims', '-', '--key', key], { input: '{"sub":"stdin"}' });
    expect(s.code, s.stderr).toBe(0);
    const viaStdin = pqsign(['jwt', 'verify', '-', '--key', pub], { input: s.stdout });
    expect(JSON.parse(viaStdin.stdout)).toMatchObject({ sub: 'stdin' });
    const file = write('t.jwt', s.stdout);
    expect(JSON.parse(pqsign(['jwt', 'verify', `@${file}`, '--key', pub]).stdout)).toMatchObject({ sub: 'stdin' });
    expect(pqsign(['jwt', 'sign', '--claims', claims({}), '--key', key, '--expires-in', '10x']).code).toBe(2);
    expect(pqsign(['jwt', 'sign', '--claims', '-', '--key', key], { input: '{oops' }).code).toBe(2);
  });
});
