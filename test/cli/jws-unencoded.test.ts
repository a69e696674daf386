// RFC 7797 unencoded payloads in compact JWS: the detached default (header {alg, kid, "b64": false,
// "crit": ["b64"]}, signing input ASCII(BASE64URL(header) '.') ‖ file), --b64 for the classic form, the
// header rules for "b64" / "crit", JWS with "b64" made by other implementations, JWTs refusing it, and
// the signatures checked by the oracles (openssl35, openssl40, bc) over the signing input built here.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

const dir = tempDir('pqsign-jws7797-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const det = `${fw}.jws`;
const b64 = (s: string | Buffer | object) => (Buffer.isBuffer(s) || typeof s === 'string' ? Buffer.from(s) : Buffer.from(JSON.stringify(s))).toString('base64url');
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const partsOf = (file: string) => readFileSync(file, 'latin1').split('.') as [string, string, string];
const headerText = (file: string) => Buffer.from(partsOf(file)[0], 'base64url').toString('utf8');
/** The RFC 7797 §3 signing input: ASCII(BASE64URL(UTF8(header)) '.') ‖ payload. */
const unencodedInput = (headerSegment: string, payload: Buffer) => Buffer.concat([Buffer.from(`${headerSegment}.`, 'latin1'), payload]);
let kid: string;

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  kid = JSON.parse(pqsign(['pubkey', '--key', pub, '--format', 'jwk']).stdout).kid;
  const s = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached']);
  expect(s.code, s.stderr).toBe(0);
});

describe('sign --format jws --detached: the RFC 7797 unencoded payload by default', () => {
  it('writes header..signature, header {"alg","kid","b64":false,"crit":["b64"]} in that order; verifies with --payload and as FILE + FILE.jws', () => {
    const [h, p, s] = partsOf(det);
    expect(p).toBe('');
    expect(headerText(det)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}","b64":false,"crit":["b64"]}`);
    expect(Buffer.from(s, 'base64url').length).toBe(2420);
    expect(h).toMatch(/^eyJ/);
    const r = pqsign(['verify', det, '--key', pub, '--payload', fw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'jws', detached: true, b64: false, kid, kidIsKeyThumbprint: true });
    const beside = pqsign(['verify', fw, '--key', pub]);
    expect(beside.code, beside.stderr).toBe(0);
    const i = JSON.parse(pqsign(['inspect', det, '--json']).stdout);
    expect(i).toMatchObject({ format: 'jws', detached: true, b64: false, payloadBytes: 0, signatureBytes: 2420 });
  });

  it('--content-type comes after crit; --kid replaces the thumbprint', () => {
    const out = join(dir, 'cty.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached', '--kid', 'fw-2026', '--content-type', 'application/octet-stream', '--out', out]).code).toBe(0);
    expect(headerText(out)).toBe('{"alg":"ML-DSA-44","kid":"fw-2026","b64":false,"crit":["b64"],"cty":"application/octet-stream"}');
    expect(pqsign(['verify', out, '--key', pub, '--payload', fw]).code).toBe(0);
  });

  it('the signature covers the file as it is: a flipped byte, one byte more or less exit 1; no --payload exits 1 with the hint', () => {
    const data = readFileSync(fw);
    const flipped = Buffer.from(data);
    flipped[123456] ^= 0x01;
    const variants = [write('flipped.bin', flipped), write('shorter.bin', data.subarray(0, -1)), write('longer.bin', Buffer.concat([data, Buffer.from([0])]))];
    for (const v of variants) {
      const r = pqsign(['verify', det, '--key', pub, '--payload', v]);
      expect(r.code, v).toBe(1);
      expect(r.stderr).toMatch(/signature does not verify/);
    }
    const none = pqsign(['verify', det, '--key', pub]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/for a detached JWS give the payload with --payload/);
  });

  it('--b64 writes the classic detached form (RFC 7515 Appendix F): header {alg, kid}, base64url signing input', () => {
    const out = join(dir, 'classic.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached', '--b64', '--out', out]).code).toBe(0);
    const [h, p, s] = partsOf(out);
    expect(p).toBe('');
    expect(headerText(out)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}"}`);
    const r = pqsign(['verify', out, '--key', pub, '--payload', fw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ detached: true, b64: true });
    // re-inserting the base64url payload gives an ordinary attached JWS over the same signing input
    expect(pqsign(['verify', write('classic.re.jws', `${h}.${b64(readFileSync(fw))}.${s}`), '--key', pub]).code).toBe(0);
  });

  it('attached stays base64url: --no-b64 without --detached is refused (exit 2, one line naming the file, nothing written); --b64 changes nothing', () => {
    const out = join(dir, 'attached-unencoded.jws');
    const r = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--no-b64', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pqsign: ${fw}: --no-b64 needs --detached: an attached compact JWS keeps its payload base64url (RFC 7797 §5.2)\n`);
    expect(existsSync(out)).toBe(false);
    const att = join(dir, 'attached.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--b64', '--out', att]).code).toBe(0);
    expect(headerText(att)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}"}`);
    expect(Buffer.from(partsOf(att)[1], 'base64url').equals(readFileSync(fw))).toBe(true);
    // --no-b64 with --detached is the default form, spelled out
    const explicit = join(dir, 'explicit.jws');
    expect(pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached', '--no-b64', '--out', explicit]).code).toBe(0);
    expect(partsOf(explicit)[0]).toBe(partsOf(det)[0]);
  });

  it('offline ceremony: the request stores b64, attach rebuilds the same JWS; a request without b64 (earlier pqsign) is refused', () => {
    const req = join(dir, 'det.req.json');
    const sig = join(dir, 'det.sig');
    const out = join(dir, 'det.ceremony.jws');
    expect(pqsign(['tbs', fw, '--format', 'jws', '--key', pub, '--detached', '--out', req]).code).toBe(0);
    const request = JSON.parse(readFileSync(req, 'utf8'));
    expect(request.options).toEqual({ detached: true, b64: false });
    expect(pqsign(['sign-request', req, '--key', key, '--out', sig]).code).toBe(0);
    const a = pqsign(['attach', fw, '--request', req, '--signature', sig, '--out', out]);
    expect(a.code, a.stderr).toBe(0);
    expect(partsOf(out)[0]).toBe(partsOf(det)[0]);
    expect(pqsign(['verify', out, '--key', pub, '--payload', fw]).code).toBe(0);
    const classicReq = join(dir, 'classic.req.json');
    expect(pqsign(['tbs', fw, '--format', 'jws', '--key', pub, '--detached', '--b64', '--out', classicReq]).code).toBe(0);
    expect(JSON.parse(readFileSync(classicReq, 'utf8')).options).toEqual({ detached: true, b64: true });
    const old = write('old.req.json', JSON.stringify({ ...JSON.parse(readFileSync(classicReq, 'utf8')), options: { detached: true } }));
    const o = pqsign(['attach', fw, '--request', old, '--signature', sig, '--out', join(dir, 'old.jws')]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/no longer yields the request's μ/);
  });
});

describe('verifying JWS with "b64"', () => {
  it('an attached unencoded payload (written by other tools) is the bytes between the first and last ".", dots included; inspect and strip', () => {
    // pqsign's detached signature over a text file is the signature of the attached unencoded JWS too
    const text = 'release 1.2.3: notes.\nsha256 ok\n';
    const file = write('notes.txt', text);
    const sigFile = join(dir, 'notes.jws');
    expect(pqsign(['sign', file, '--key', key, '--format', 'jws', '--detached', '--out', sigFile]).code).toBe(0);
    const [h, , s] = partsOf(sigFile);
    const att = write('notes.attached.jws', `${h}.${text}.${s}\n`);
    const v = pqsign(['verify', att, '--key', pub, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, detached: false, b64: false });
    expect(pqsign(['verify', att, '--key', pub, '--payload', file]).code).toBe(0);
    const other = pqsign(['verify', att, '--key', pub, '--payload', fw]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/differs from the payload signed inside/);
    expect(JSON.parse(pqsign(['inspect', att, '--json']).stdout)).toMatchObject({ b64: false, detached: false, payloadOffset: h.length + 1, payloadBytes: text.length });
    const stripped = join(dir, 'notes.stripped');
    expect(pqsign(['strip', att, '--out', stripped]).code).toBe(0);
    expect(readFileSync(stripped, 'utf8')).toBe(text);
    const tampered = write('notes.tampered.jws', `${h}.${text.replace('1.2.3', '1.2.4')}.${s}`);
    expect(pqsign(['verify', tampered, '--key', pub]).code).toBe(1);
  });

  it('"b64" and "crit" rules (RFC 7515 §4.1.11, RFC 7797 §3, §6): each violation exits 2 with ERR_SIGNATURE_FORMAT and one line naming the file', () => {
    const s = partsOf(det)[2];
    const cases: [string, object, RegExp][] = [
      ['crit-without-b64', { alg: 'ML-DSA-44', crit: ['b64'] }, /"crit" names "b64", which the header lacks/],
      ['b64-string', { alg: 'ML-DSA-44', b64: 'false', crit: ['b64'] }, /"b64" \(RFC 7797\) must be true or false/],
      ['b64-zero', { alg: 'ML-DSA-44', b64: 0, crit: ['b64'] }, /"b64" \(RFC 7797\) must be true or false/],
      ['b64-false-no-crit', { alg: 'ML-DSA-44', b64: false }, /"b64" \(RFC 7797\) must be listed in "crit" \(RFC 7797 §6\)/],
      ['b64-true-no-crit', { alg: 'ML-DSA-44', b64: true }, /must be listed in "crit"/],
      ['b64-not-in-crit', { alg: 'ML-DSA-44', b64: false, crit: ['exp'], exp: 1 }, /unknown critical header parameter "exp"/],
      ['crit-unknown', { alg: 'ML-DSA-44', b64: false, crit: ['b64', 'exp'], exp: 1 }, /unknown critical header parameter "exp"/],
      ['crit-twice', { alg: 'ML-DSA-44', b64: false, crit: ['b64', 'b64'] }, /"crit" lists a name twice/],
      ['crit-empty', { alg: 'ML-DSA-44', crit: [] }, /"crit" must be a non-empty array of strings/],
      ['crit-string', { alg: 'ML-DSA-44', b64: false, crit: 'b64' }, /"crit" must be a non-empty array of strings/],
    ];
    const files = cases.map(([name, header]) => write(`${name}.jws`, `${b64(header)}..${s}`));
    const r = pqsign(['verify', ...files, '--key', pub, '--json']);
    expect(r.code).toBe(2);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    cases.forEach(([name, , message], i) => {
      expect(lines[i], name).toMatchObject({ ok: false, error: { code: 'ERR_SIGNATURE_FORMAT' } });
      expect(lines[i].error.message, name).toMatch(message);
      expect(lines[i].error.message.startsWith(`${files[i]}: `), name).toBe(true);
    });
    const one = pqsign(['verify', files[3]!, '--key', pub]);
    expect(one.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('JWT: jwt verify refuses "b64": false even under a valid signature (RFC 7797 §7); jwt sign refuses a b64 header', () => {
    // signing the claims segment's text detached yields a signature over `${h}.${claims}`: a valid
    // unencoded JWS, and a JWT that a verifier ignoring b64 would accept
    const claims = b64({ iss: 'joe', sub: 'unencoded' });
    const claimsFile = write('claims.b64', claims);
    const sigFile = join(dir, 'claims.jws');
    expect(pqsign(['sign', claimsFile, '--key', key, '--format', 'jws', '--detached', '--out', sigFile]).code).toBe(0);
    const [h, , s] = partsOf(sigFile);
    const token = `${h}.${claims}.${s}`;
    expect(pqsign(['verify', write('unencoded.jwt', token), '--key', pub]).code).toBe(0);
    const r = pqsign(['jwt', 'verify', token, '--key', pub]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a JWT may not use an unencoded payload \("b64": false, RFC 7797 §7\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const hdr = write('b64-header.json', JSON.stringify({ b64: false }));
    const sign = pqsign(['jwt', 'sign', '--claims', '-', '--key', key, '--header', hdr], { input: '{"sub":"a"}' });
    expect(sign.code).toBe(2);
    expect(sign.stderr).toMatch(/may not set "b64"/);
  });
});

describe.skipIf(!HAVE_SHARED)(`oracles (openssl35, openssl40, bc) on RFC 7797 JWS ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: pqsign's detached signature verifies over ASCII(BASE64URL(header) ".") ‖ file, not over the base64url input`, () => {
      const k = join(dir, `o-${alg}.pem`);
      const p = join(dir, `o-${alg}.pub.pem`);
      const out = join(dir, `o-${alg}.jws`);
      writeKeyPair(k, p, alg);
      expect(pqsign(['sign', fw, '--key', k, '--format', 'jws', '--detached', '--out', out]).code).toBe(0);
      const [h, , s] = partsOf(out);
      expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toMatchObject({ alg, b64: false, crit: ['b64'] });
      const sig = write(`o-${alg}.sig`, Buffer.from(s, 'base64url'));
      const msg = write(`o-${alg}.tbs`, unencodedInput(h, readFileSync(fw)));
      const o = oracle(['verify', alg, p, sig, msg]);
      expect(o.ok, o.stdout + o.stderr).toBe(true);
      for (const impl of ['openssl35', 'openssl40', 'bc']) expect(o.stdout).toMatch(new RegExp(`^${impl}\\s+valid$`, 'm'));
      const encoded = write(`o-${alg}.b64.tbs`, `${h}.${b64(readFileSync(fw))}`);
      expect(oracle(['verify', alg, p, sig, encoded]).ok).toBe(false);
    });
  }

  it('JWS signed by openssl40 with "b64": true in crit, and attached unencoded with "." in the payload, verify in pqsign', () => {
    /** header.payload.signature, signed by openssl40 over ASCII(BASE64URL(header) '.') ‖ signed */
    const signedByOracle = (name: string, header: object, payload: Buffer, signed: Buffer) => {
      const h = b64(header);
      const tbs = write(`${name}.tbs`, unencodedInput(h, signed));
      const sig = join(dir, `${name}.sig`);
      const o = oracle(['--impl', 'openssl40', 'sign', 'ML-DSA-44', key, tbs, sig]);
      expect(o.ok, o.stdout + o.stderr).toBe(true);
      const s = b64(readFileSync(sig));
      return { file: write(`${name}.jws`, Buffer.concat([Buffer.from(`${h}.`), payload, Buffer.from(`.${s}`)])), s };
    };
    const encoded = Buffer.from(b64(readFileSync(fw)));
    const classic = signedByOracle('ext-b64-true', { alg: 'ML-DSA-44', b64: true, crit: ['b64'] }, encoded, encoded);
    const text = Buffer.from('$.02 (the RFC 7797 §4 payload)');
    const unencoded = signedByOracle('ext-unencoded', { alg: 'ML-DSA-44', b64: false, crit: ['b64'] }, text, text);
    const r = pqsign(['verify', classic.file, unencoded.file, '--key', pub, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).b64)).toEqual([true, false]);
    // the same signature with the payload read under the other b64 value does not verify
    const swapped = write('ext-swapped.jws', `${b64({ alg: 'ML-DSA-44', b64: true, crit: ['b64'] })}.${b64(text)}.${unencoded.s}`);
    expect(pqsign(['verify', swapped, '--key', pub]).code).toBe(1);
  });
});
