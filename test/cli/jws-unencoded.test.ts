// RFC 7797 unencoded payloads in compact JWS at the command line: sign --detached [--b64 | --no-b64], what
// verify --json prints and exits with, the one-line refusals, tbs passing --detached [--b64] into the request,
// and jwt refusing "b64". The format's own behaviour (headers, signing input, "b64"/"crit" rules, oracles),
// the offline ceremony keeping it and JWTs over unencoded JWS are tested in-process in
// test/unit/formats/jws-unencoded.test.ts.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { signWith, writeKeyPair } from '../support/inproc.js';
import { jwkThumbprint } from '../../src/keys/jwk.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { BAD_B64_HEADERS, b64, headerText, partsOf } from '../support/jws-files.js';

const dir = tempDir('pqsign-jws7797-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const det = `${fw}.jws`;
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
let kid: string;

beforeAll(async () => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  kid = jwkThumbprint(await loadPublicKey(pub));
  const s = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--detached']);
  expect(s.code, s.stderr).toBe(0);
});

describe('sign --format jws --detached: the RFC 7797 unencoded payload by default', () => {
  it('writes header..signature, header {"alg","kid","b64":false,"crit":["b64"]} in that order; verify --payload --json', () => {
    const [h, p, s] = partsOf(det);
    expect(p).toBe('');
    expect(headerText(det)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}","b64":false,"crit":["b64"]}`);
    expect(Buffer.from(s, 'base64url').length).toBe(2420);
    expect(h).toMatch(/^eyJ/);
    const r = pqsign(['verify', det, '--key', pub, '--payload', fw, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'jws', detached: true, b64: false, kid, kidIsKeyThumbprint: true });
  });

  it('no --payload exits 1 with the hint (a payload that is not the signed file: the unit file)', () => {
    const none = pqsign(['verify', det, '--key', pub]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/for a detached JWS give the payload with --payload/);
  });

  it('attached stays base64url: --no-b64 without --detached is refused (exit 2, one line naming the file, nothing written); --b64 changes nothing', () => {
    const out = join(dir, 'attached-unencoded.jws');
    const r = pqsign(['sign', fw, '--key', key, '--format', 'jws', '--no-b64', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pqsign: ${fw}: --no-b64 needs --detached: an attached compact JWS keeps its payload base64url (RFC 7797 §5.2)\n`,
    );
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

  it('tbs --detached stores b64 false in the request, tbs --detached --b64 true (the ceremony itself: the unit file)', () => {
    const req = join(dir, 'det.req.json');
    expect(pqsign(['tbs', fw, '--format', 'jws', '--key', pub, '--detached', '--out', req]).code).toBe(0);
    expect(JSON.parse(readFileSync(req, 'utf8')).options).toEqual({ detached: true, b64: false });
    const classicReq = join(dir, 'classic.req.json');
    expect(pqsign(['tbs', fw, '--format', 'jws', '--key', pub, '--detached', '--b64', '--out', classicReq]).code).toBe(0);
    expect(JSON.parse(readFileSync(classicReq, 'utf8')).options).toEqual({ detached: true, b64: true });
  });
});

describe('verifying JWS with "b64"', () => {
  it('"b64" and "crit" rules (RFC 7515 §4.1.11, RFC 7797 §3, §6): each violation exits 2 with ERR_SIGNATURE_FORMAT and one line naming the file', () => {
    const s = partsOf(det)[2];
    const cases = BAD_B64_HEADERS;
    const files = cases.map(([name, header]) => write(`${name}.jws`, `${b64(header)}..${s}`));
    const r = pqsign(['verify', ...files, '--key', pub, '--json']);
    expect(r.code).toBe(2);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    cases.forEach(([name, , message], i) => {
      expect(lines[i], name).toMatchObject({ ok: false, error: { code: 'ERR_SIGNATURE_FORMAT' } });
      expect(lines[i].error.message, name).toMatch(message);
      expect(lines[i].error.message.startsWith(`${files[i]}: `), name).toBe(true);
    });
    const one = pqsign(['verify', files[3]!, '--key', pub]);
    expect(one.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('JWT: jwt verify refuses "b64": false even under a valid signature (RFC 7797 §7); jwt sign refuses a b64 header', async () => {
    // signing the claims segment's text detached yields a signature over `${h}.${claims}`: a valid
    // unencoded JWS, and a JWT that a verifier ignoring b64 would accept
    const claims = b64({ iss: 'joe', sub: 'unencoded' });
    const claimsFile = write('claims.b64', claims);
    const sigFile = join(dir, 'claims.jws');
    await signWith(claimsFile, key, { format: 'jws', out: sigFile, options: { detached: true } });
    const [h, , s] = partsOf(sigFile);
    const token = `${h}.${claims}.${s}`;
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
