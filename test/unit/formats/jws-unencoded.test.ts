// RFC 7797 unencoded payloads in compact JWS, through the jws format in this process: the detached default
// (header {alg, kid, "b64": false, "crit": ["b64"]}, signing input ASCII(BASE64URL(header) '.') ‖ file),
// the "b64": true classic form, the header rules for "b64" / "crit", JWS with "b64" made by other
// implementations, and the signatures checked by the oracles (openssl35, openssl40, bc) over the signing
// input built here; the offline ceremony keeping "b64", and JWTs refusing it (RFC 7797 §7). The command
// line's side (exit codes, one-line messages, --b64/--no-b64 on sign and tbs, jwt) is in
// test/cli/jws-unencoded.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flipByte, FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, inspectFile, signWith, stripFile, verifyWith, writeKeyPair } from '../../support/inproc.js';
import { jwkThumbprint } from '../../../src/keys/jwk.js';
import { BAD_B64_HEADERS, b64, headerText, partsOf } from '../../support/jws-files.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { attachFile, signRequestFile, tbsFile } from '../../support/ceremony-steps.js';
import { signJwt, verifyJwt } from '../../../src/jose/jwt.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';

const dir = tempDir('pqsign-jws7797-unit-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const det = `${fw}.jws`;
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
/** The RFC 7797 §3 signing input: ASCII(BASE64URL(UTF8(header)) '.') ‖ payload. */
const unencodedInput = (headerSegment: string, payload: Buffer) => Buffer.concat([Buffer.from(`${headerSegment}.`, 'latin1'), payload]);
const jwsSign = (file: string, k: string, options: Record<string, unknown>, out?: string) =>
  signWith(file, k, { format: 'jws', options, ...(out ? { out } : {}) });
let kid: string;

beforeAll(async () => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  kid = jwkThumbprint(await loadPublicKey(pub));
  await jwsSign(fw, key, { detached: true });
});

describe('the jws format, detached: the RFC 7797 unencoded payload by default', () => {
  it('writes header..signature, header {"alg","kid","b64":false,"crit":["b64"]} in that order; verifies with the payload and as FILE + FILE.jws', async () => {
    const [h, p, s] = partsOf(det);
    expect(p).toBe('');
    expect(headerText(det)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}","b64":false,"crit":["b64"]}`);
    expect(Buffer.from(s, 'base64url').length).toBe(2420);
    expect(h).toMatch(/^eyJ/);
    const r = await verifyWith(det, pub, { payload: fw });
    expect(r.format).toBe('jws');
    expect(r.details).toMatchObject({ detached: true, b64: false, kid, kidIsKeyThumbprint: true });
    expect(await verifyWith(fw, pub)).toMatchObject({ format: 'jws', signature: det });
    expect(await inspectFile(det)).toMatchObject({ detached: true, b64: false, payloadBytes: 0, signatureBytes: 2420 });
  });

  it('contentType comes after crit; kid replaces the thumbprint', async () => {
    const out = join(dir, 'cty.jws');
    await jwsSign(fw, key, { detached: true, kid: 'fw-2026', contentType: 'application/octet-stream' }, out);
    expect(headerText(out)).toBe('{"alg":"ML-DSA-44","kid":"fw-2026","b64":false,"crit":["b64"],"cty":"application/octet-stream"}');
    expect((await verifyWith(out, pub, { payload: fw })).details).toMatchObject({ kid: 'fw-2026', kidIsKeyThumbprint: false });
  });

  it('the signature covers the file as it is: a flipped byte, one byte more or less do not verify; no payload says to give one', async () => {
    const data = readFileSync(fw);
    const flipped = flipByte(Buffer.from(data), 123456);
    const variants = [
      write('flipped.bin', flipped),
      write('shorter.bin', data.subarray(0, -1)),
      write('longer.bin', Buffer.concat([data, Buffer.from([0])])),
    ];
    for (const v of variants) {
      const f = await failure(verifyWith(det, pub, { payload: v }));
      expect(f.code, v).toBe('ERR_SIGNATURE_INVALID');
      expect(f.message).toMatch(/signature does not verify/);
    }
    const none = await failure(verifyWith(det, pub));
    expect(none.code).toBe('ERR_SIGNATURE_INVALID');
    expect(none.message).toMatch(/for a detached JWS give the payload/);
  });

  it('b64: true writes the classic detached form (RFC 7515 Appendix F): header {alg, kid}, base64url signing input', async () => {
    const out = join(dir, 'classic.jws');
    await jwsSign(fw, key, { detached: true, b64: true }, out);
    const [h, p, s] = partsOf(out);
    expect(p).toBe('');
    expect(headerText(out)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}"}`);
    expect((await verifyWith(out, pub, { payload: fw })).details).toMatchObject({ detached: true, b64: true });
    // re-inserting the base64url payload gives an ordinary attached JWS over the same signing input
    expect(await verifyWith(write('classic.re.jws', `${h}.${b64(readFileSync(fw))}.${s}`), pub)).toMatchObject({ format: 'jws' });
  });

  it('attached stays base64url: b64 true changes nothing; b64 false with detached is the default form spelled out', async () => {
    const att = join(dir, 'attached.jws');
    await jwsSign(fw, key, { b64: true }, att);
    expect(headerText(att)).toBe(`{"alg":"ML-DSA-44","kid":"${kid}"}`);
    expect(Buffer.from(partsOf(att)[1], 'base64url').equals(readFileSync(fw))).toBe(true);
    const explicit = join(dir, 'explicit.jws');
    await jwsSign(fw, key, { detached: true, b64: false }, explicit);
    expect(partsOf(explicit)[0]).toBe(partsOf(det)[0]);
  });
});

describe('verifying JWS with "b64"', () => {
  it('an attached unencoded payload (written by other tools) is the bytes between the first and last ".", dots included; inspect and strip', async () => {
    // pqsign's detached signature over a text file is the signature of the attached unencoded JWS too
    const text = 'release 1.2.3: notes.\nsha256 ok\n';
    const file = write('notes.txt', text);
    const sigFile = join(dir, 'notes.jws');
    await jwsSign(file, key, { detached: true }, sigFile);
    const [h, , s] = partsOf(sigFile);
    const att = write('notes.attached.jws', `${h}.${text}.${s}\n`);
    expect((await verifyWith(att, pub)).details).toMatchObject({ detached: false, b64: false });
    expect(await verifyWith(att, pub, { payload: file })).toMatchObject({ format: 'jws' });
    const other = await failure(verifyWith(att, pub, { payload: fw }));
    expect(other.code).toBe('ERR_SIGNATURE_INVALID');
    expect(other.message).toMatch(/differs from the payload signed inside/);
    expect(await inspectFile(att)).toMatchObject({ b64: false, detached: false, payloadOffset: h.length + 1, payloadBytes: text.length });
    const stripped = join(dir, 'notes.stripped');
    await stripFile(att, stripped);
    expect(readFileSync(stripped, 'utf8')).toBe(text);
    const tampered = write('notes.tampered.jws', `${h}.${text.replace('1.2.3', '1.2.4')}.${s}`);
    expect((await failure(verifyWith(tampered, pub))).code).toBe('ERR_SIGNATURE_INVALID');
  });

  it('"b64" and "crit" rules (RFC 7515 §4.1.11, RFC 7797 §3, §6): each violation is ERR_SIGNATURE_FORMAT naming the file', async () => {
    const s = partsOf(det)[2];
    const cases = BAD_B64_HEADERS;
    for (const [name, header, message] of cases) {
      const file = write(`${name}.jws`, `${b64(header)}..${s}`);
      const f = await failure(verifyWith(file, pub));
      expect(f, name).toMatchObject({ code: 'ERR_SIGNATURE_FORMAT', file });
      expect(f.message, name).toMatch(message);
    }
  });
});

describe.skipIf(!HAVE_SHARED)(`oracles (openssl35, openssl40, bc) on RFC 7797 JWS ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: pqsign's detached signature verifies over ASCII(BASE64URL(header) ".") ‖ file, not over the base64url input`, async () => {
      const k = join(dir, `o-${alg}.pem`);
      const p = join(dir, `o-${alg}.pub.pem`);
      const out = join(dir, `o-${alg}.jws`);
      writeKeyPair(k, p, alg);
      await jwsSign(fw, k, { detached: true }, out);
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

  it('JWS signed by openssl40 with "b64": true in crit, and attached unencoded with "." in the payload, verify in pqsign', async () => {
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
    expect((await verifyWith(classic.file, pub)).details.b64).toBe(true);
    expect((await verifyWith(unencoded.file, pub)).details.b64).toBe(false);
    // the same signature with the payload read under the other b64 value does not verify
    const swapped = write('ext-swapped.jws', `${b64({ alg: 'ML-DSA-44', b64: true, crit: ['b64'] })}.${b64(text)}.${unencoded.s}`);
    expect((await failure(verifyWith(swapped, pub))).code).toBe('ERR_SIGNATURE_INVALID');
  });
});

describe('the offline ceremony keeps "b64"', () => {
  it('the request stores b64, attach rebuilds the same JWS; a request without b64 (earlier pqsign) is refused (exit 2)', async () => {
    const req = join(dir, 'det.req.json');
    const sig = join(dir, 'det.sig');
    const out = join(dir, 'det.ceremony.jws');
    await tbsFile(fw, pub, req, { format: 'jws', options: { detached: true } });
    expect(JSON.parse(readFileSync(req, 'utf8')).options).toEqual({ detached: true, b64: false });
    await signRequestFile(req, key, sig);
    await attachFile(fw, req, sig, out);
    expect(partsOf(out)[0]).toBe(partsOf(det)[0]);
    expect(await verifyWith(out, pub, { payload: fw })).toMatchObject({ format: 'jws' });
    const classicReq = join(dir, 'classic.req.json');
    await tbsFile(fw, pub, classicReq, { format: 'jws', options: { detached: true, b64: true } });
    expect(JSON.parse(readFileSync(classicReq, 'utf8')).options).toEqual({ detached: true, b64: true });
    const old = write('old.req.json', JSON.stringify({ ...JSON.parse(readFileSync(classicReq, 'utf8')), options: { detached: true } }));
    const o = await failure(attachFile(fw, old, sig, join(dir, 'old.jws')));
    expect(exitOfCode(o.code)).toBe(2);
    expect(o.message).toMatch(/no longer yields the request's μ/);
  });
});

describe('JWT and "b64" (RFC 7797 §7)', () => {
  it('a valid unencoded JWS over a claims segment verifies as a JWS but is refused as a JWT (exit 2); signing refuses a b64 header', async () => {
    // signing the claims segment's text detached yields a signature over `${h}.${claims}`: a valid
    // unencoded JWS, and a JWT that a verifier ignoring b64 would accept
    const claims = b64({ iss: 'joe', sub: 'unencoded' });
    const claimsFile = write('claims.b64', claims);
    const sigFile = join(dir, 'claims.jws');
    await jwsSign(claimsFile, key, { detached: true }, sigFile);
    const [h, , s] = partsOf(sigFile);
    const token = `${h}.${claims}.${s}`;
    expect(await verifyWith(write('unencoded.jwt', token), pub)).toMatchObject({ format: 'jws' });
    const publicKey = await loadPublicKey(pub);
    const r = await failure((async () => verifyJwt(token, publicKey))());
    expect(exitOfCode(r.code)).toBe(2);
    expect(r.message).toMatch(/a JWT may not use an unencoded payload \("b64": false, RFC 7797 §7\)/);
    const signer = await loadSigner(key);
    try {
      const b = await failure(signJwt(signer, { sub: 'a' }, { header: { b64: false } }));
      expect(exitOfCode(b.code)).toBe(2);
      expect(b.message).toMatch(/may not set "b64"/);
    } finally {
      await signer.close?.();
    }
  });
});
