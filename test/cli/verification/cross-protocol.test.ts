// Bypass 5 of the review (issue 12): raw signatures, DSSE, JWS/JWT, COSE, CMS and X.509 all use the empty
// ML-DSA context, so a raw signature over another protocol's signing input is valid in that protocol. The
// review turned a raw-signed DSSE PAE into an attestation and a raw-signed "header.payload" into a JWT with
// {"sub":"admin"}. `sign --format raw` now refuses such input unless a non-empty --context separates the
// domains or --allow-structured-input is given.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pae } from '../../../src/attest/pae.js';
import { structuredInput } from '../../../formats/structured-input.js';
import { FIRMWARE, pqsign, tempDir } from '../../support/helpers.js';
import { writeKeyPair } from '../../support/keygen.js';

const dir = tempDir('pqsign-xproto-');
const p = (f: string) => join(dir, f);
const b64url = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');

beforeAll(() => {
  writeKeyPair(p('k.pem'), p('k.pub'), 'ML-DSA-44');
});

const statement = JSON.stringify({
  _type: 'https://in-toto.io/Statement/v1',
  subject: [{ name: 'evil.bin', digest: { sha256: '00'.repeat(32) } }],
  predicateType: 'https://example.com/anything/v1',
  predicate: {},
});
const jwtInput = `${b64url(JSON.stringify({ alg: 'ML-DSA-44', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub: 'admin' }))}`;

describe('bypass 5: a raw signature cannot be borrowed by another protocol', () => {
  it('a DSSE PAE is refused; signed anyway with --allow-structured-input it would make a valid attestation', () => {
    writeFileSync(p('pae.bin'), pae('application/vnd.in-toto+json', Buffer.from(statement)));
    const r = pqsign(['sign', p('pae.bin'), '--key', p('k.pem')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/DSSE pre-authentication encoding/);
    // the attack the guard stops: the raw signature, wrapped in an envelope, verifies as an attestation
    expect(pqsign(['sign', p('pae.bin'), '--key', p('k.pem'), '--allow-structured-input']).code).toBe(0);
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(statement).toString('base64'),
      signatures: [{ keyid: '', sig: readFileSync(p('pae.bin.sig')).toString('base64') }],
    };
    writeFileSync(p('forged.intoto.jsonl'), `${JSON.stringify(envelope)}\n`);
    expect(pqsign(['verify-attestation', p('forged.intoto.jsonl'), '--key', p('k.pub')]).code).toBe(0);
    // with a context the same bytes sign into a different domain: the envelope no longer verifies
    expect(pqsign(['sign', p('pae.bin'), '--key', p('k.pem'), '--context', '7261772d6f6e6c79', '--out', p('pae.ctx.sig')]).code).toBe(0);
    envelope.signatures[0]!.sig = readFileSync(p('pae.ctx.sig')).toString('base64');
    writeFileSync(p('ctx.intoto.jsonl'), `${JSON.stringify(envelope)}\n`);
    expect(pqsign(['verify-attestation', p('ctx.intoto.jsonl'), '--key', p('k.pub')]).code).toBe(1);
  });

  it('a JWT signing input ("header.payload") is refused', () => {
    writeFileSync(p('jwt.txt'), jwtInput);
    const r = pqsign(['sign', p('jwt.txt'), '--key', p('k.pem')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/JWS\/JWT signing input/);
    // and so is an RFC 7797 unencoded detached signing input
    writeFileSync(
      p('jws7797.bin'),
      Buffer.concat([Buffer.from(`${b64url(JSON.stringify({ alg: 'ML-DSA-44', b64: false, crit: ['b64'] }))}.`), readFileSync(FIRMWARE)]),
    );
    expect(pqsign(['sign', p('jws7797.bin'), '--key', p('k.pem')]).code).toBe(2);
  });

  it('recognises COSE Sig_structures, CMS signed attributes and X.509 to-be-signed bytes', () => {
    const cose = Buffer.concat([
      Buffer.from([0x84, 0x6a]),
      Buffer.from('Signature1'),
      Buffer.from('43a10128', 'hex'),
      Buffer.from([0x40, 0x41, 0x00]),
    ]);
    expect(structuredInput(cose)).toMatch(/COSE/);
    const coseSign = Buffer.concat([Buffer.from([0x85, 0x69]), Buffer.from('Signature'), Buffer.from([0x40])]);
    expect(structuredInput(coseSign)).toMatch(/COSE/);
    const attrs = Buffer.from('3118301606092a864886f70d010903310906072a864886f70d0107', 'hex');
    expect(structuredInput(attrs)).toMatch(/CMS signed attributes/);
    const tbsCert = Buffer.from('308201f0a003020102021001', 'hex');
    expect(structuredInput(tbsCert)).toMatch(/X\.509/);
    const csrInfo = Buffer.from('3081a2020100301a3118', 'hex');
    expect(structuredInput(csrInfo)).toMatch(/X\.509/);
    // review findings: an attribute of any type sorting first, BER indefinite lengths, X.509 v1 and CRL v1
    expect(structuredInput(Buffer.from('3181bf300906032a030431020500', 'hex'))).toMatch(/CMS signed attributes/);
    expect(structuredInput(Buffer.from('3180301606092a864886f70d010903310906072a864886f70d01070000', 'hex'))).toMatch(
      /CMS signed attributes/,
    );
    expect(structuredInput(Buffer.from('308201f00209009f3c21a47b8e3d5a300a06082a', 'hex'))).toMatch(/X\.509/);
    expect(structuredInput(Buffer.from('308201f0300b0609608648016503040311', 'hex'))).toMatch(/X\.509/);
    // a JWS header padded past any fixed head size a guard might read
    const padded = `${b64url(JSON.stringify({ alg: 'ML-DSA-44', typ: 'JWT', pad: 'A'.repeat(7000) }))}.${b64url('{"sub":"admin"}')}`;
    expect(structuredInput(Buffer.from(padded))).toMatch(/JWS/);
    // ordinary artifacts are not mistaken for any of them
    expect(structuredInput(readFileSync(FIRMWARE))).toBeUndefined();
    expect(structuredInput(Buffer.from('#!/bin/sh\necho release\n'))).toBeUndefined();
    expect(structuredInput(Buffer.from('eyJ0eXAiOiJKV1QifQ'))).toBeUndefined(); // no '.': not a signing input
  });

  it('a JWS header too long for the guard to see is refused by every JWS/JWT verifier', () => {
    const header = b64url(JSON.stringify({ alg: 'ML-DSA-44', pad: 'A'.repeat(20_000) }));
    writeFileSync(p('long.jwt'), `${header}.${b64url('{"sub":"admin"}')}.${b64url(new Uint8Array(2420))}`);
    const r = pqsign(['jwt', 'verify', `@${p('long.jwt')}`, '--key', p('k.pub')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/JOSE header is \d+ characters; at most 16384/);
  });

  it('the CLI refuses them too, and --context or --allow-structured-input let them through', () => {
    writeFileSync(p('attrs.der'), Buffer.from('3118301606092a864886f70d010903310906072a864886f70d0107', 'hex'));
    expect(pqsign(['sign', p('attrs.der'), '--key', p('k.pem')]).code).toBe(2);
    expect(pqsign(['sign', p('attrs.der'), '--key', p('k.pem'), '--context', '01']).code).toBe(0);
    expect(pqsign(['sign', p('attrs.der'), '--key', p('k.pem'), '--allow-structured-input', '--out', p('attrs2.sig')]).code).toBe(0);
    expect(pqsign(['sign', FIRMWARE, '--key', p('k.pem'), '--out', p('fw.sig')]).code).toBe(0);
  });
});
