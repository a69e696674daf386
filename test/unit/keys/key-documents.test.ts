// JWK, JWK Set, COSE_Key and COSE_KeySet as key references (RFC 9964 AKP), in this process: what pqsign
// exports (pubkey --format jwk | cose-key) reads back, panva/jose's exportJWK shapes load, FILE#KID picks one
// key of a set, malformed or inconsistent documents are refused (exit 2 from the error code), and RFC 9964's
// example keys verify its example COSE_Sign1 and JWS. The command line's side (pubkey --format, --key FILE#KID,
// the one stderr line) is test/cli/key-documents.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode } from 'cbor2';
import { loadKeyFile } from '../../../src/keys/load.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';
import { jwkThumbprint } from '../../../src/keys/jwk.js';
import { PUBLIC_KEY_ENCODERS } from '../../../src/keys/export.js';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { paramByName, type ParamSet } from '../../../src/mldsa/params.js';
import { b64url } from '../../../src/base/bytes.js';
import { HAVE_SHARED, NO_SHARED, VECTORS, hex, tempDir, unhex } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { failure as failureOf, signWith, verifyWith, writeKeyPair } from '../../support/inproc.js';
import { fingerprintOf } from '../../support/verify-setup.js';
import { keyDocumentFiles } from '../../support/key-document-files.js';

const dir = tempDir('pqsign-key-documents-');
const P65 = paramByName('65') as ParamSet;
const P44 = paramByName('44') as ParamSet;
const seedA = new Uint8Array(32).fill(7);
const seedB = new Uint8Array(32).fill(9);
const A = keygenFromSeed(P65, seedA);
const B = keygenFromSeed(P44, seedB);
const { file, json } = keyDocumentFiles(dir);
/** `pqsign pubkey --key REF --format F` */
const exported = async (ref: string, format: string) => PUBLIC_KEY_ENCODERS[format]!(await loadPublicKey(ref), {});
const pem65 = async (ref: string) => (await exported(ref, 'pem')) as string;

/** The error a load failed with: code and message; every refusal here is a usage/input error (exit 2). */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const f = await failureOf(p);
  expect(exitOfCode(f.code), `${f.code}: ${f.message}`).toBe(2);
  return f;
}

describe('pqsign exports read back as --key', () => {
  const key = join(dir, 'signer.key');
  const other = join(dir, 'other.key');
  const artifact = file('release 2.0\n', 'artifact.bin');

  it('sign with the private key; verify with its jwk and cose-key exports; the export of the export is the same key', async () => {
    writeKeyPair(key, undefined, 'ML-DSA-65');
    await signWith(artifact, key);
    for (const format of ['jwk', 'cose-key']) {
      const out = file(await exported(key, format), `signer.${format}`);
      const v = await verifyWith(artifact, out);
      expect(v.keyFingerprint).toBe(await fingerprintOf(key));
      expect(await exported(out, 'hex')).toBe(await exported(key, 'hex'));
    }
  });

  it('a JWK Set of two exports needs FILE#KID; the kid (the RFC 7638 thumbprint) selects', async () => {
    writeKeyPair(other, undefined, 'ML-DSA-65');
    const jwks = { keys: await Promise.all([key, other].map(async (k) => JSON.parse((await exported(k, 'jwk')) as string))) };
    const set = json(jwks);
    const ambiguous = await failure(verifyWith(artifact, set));
    expect(ambiguous.message).toBe(`JWK Set holds 2 ML-DSA keys (kids: ${jwks.keys[0].kid}, ${jwks.keys[1].kid}); name one as FILE#KID`);
    await expect(verifyWith(artifact, `${set}#${jwks.keys[0].kid}`)).resolves.toMatchObject({ format: 'raw' });
    const wrong = await failureOf(verifyWith(artifact, `${set}#${jwks.keys[1].kid}`));
    expect(exitOfCode(wrong.code)).toBe(1); // the other key: a valid key, an invalid signature
    expect((await failure(verifyWith(artifact, `${set}#nope`))).message).toMatch(/JWK Set has no key with kid "nope" \(kids: /);
  });
});

describe('panva/jose exportJWK shapes load', () => {
  const pub = b64url(A.publicKey);
  // jose ≥ 6.1 on a CryptoKey: WebCrypto's export less ext/key_ops/use, "alg" put back last for AKP
  // (src/lib/key_to_jwk.ts); a Node KeyObject: kty, alg, pub (node src/crypto/crypto_ml_dsa.cc);
  // older jose dropped "alg" altogether.
  const shapes: Record<string, Record<string, string>> = {
    'jose CryptoKey public': { kty: 'AKP', pub, alg: 'ML-DSA-65' },
    'Node KeyObject public': { kty: 'AKP', alg: 'ML-DSA-65', pub },
    'older jose, no alg': { kty: 'AKP', pub },
  };
  for (const [name, jwk] of Object.entries(shapes)) {
    it(`${name}: ${JSON.stringify(Object.keys(jwk))}`, async () => {
      const k = await loadPublicKey(json(jwk));
      expect(k.params.name).toBe('ML-DSA-65');
      expect(hex(k.publicKey)).toBe(hex(A.publicKey));
    });
  }

  it('a private JWK ({kty, pub, priv, alg}) is a private key: it signs, and verifies as its public key', async () => {
    const p = json({ kty: 'AKP', pub, priv: b64url(seedA), alg: 'ML-DSA-65' });
    const loaded = await loadKeyFile(p);
    expect(loaded.kind).toBe('private');
    const signer = await loadSigner(p);
    expect(hex(signer.publicKey)).toBe(hex(A.publicKey));
    expect(hex((await loadPublicKey(p)).publicKey)).toBe(hex(A.publicKey));
    const artifact = file('jwk-signed');
    await signWith(artifact, p);
    await expect(verifyWith(artifact, json({ kty: 'AKP', pub, alg: 'ML-DSA-65' }))).resolves.toMatchObject({ format: 'raw' });
  });
});

describe('refused key documents (one line, exit 2)', () => {
  const pub = b64url(A.publicKey);
  const cases: [string, unknown, string, RegExp][] = [
    ['kty EC', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }, 'ERR_KEY_FORMAT', /kty "EC"; ML-DSA keys are kty "AKP"/],
    ['alg of another family', { kty: 'AKP', alg: 'ML-KEM-768', pub }, 'ERR_ALGORITHM', /alg "ML-KEM-768" is not ML-DSA/],
    [
      'alg disagreeing with the key length',
      { kty: 'AKP', alg: 'ML-DSA-44', pub },
      'ERR_KEY_FORMAT',
      /"pub" is 1952 bytes; ML-DSA-44 public keys are 1312/,
    ],
    [
      'no alg and a length of no ML-DSA key',
      { kty: 'AKP', pub: b64url(A.publicKey.subarray(1)) },
      'ERR_KEY_FORMAT',
      /no "alg" and its 1951-byte "pub"/,
    ],
    ['padded base64url', { kty: 'AKP', alg: 'ML-DSA-44', pub: `${b64url(B.publicKey)}=` }, 'ERR_KEY_FORMAT', /"pub" is not base64url/],
    [
      'standard base64 alphabet',
      { kty: 'AKP', alg: 'ML-DSA-65', pub: Buffer.from(A.publicKey).toString('base64') },
      'ERR_KEY_FORMAT',
      /"pub" is not base64url/,
    ],
    ['use enc', { kty: 'AKP', alg: 'ML-DSA-65', pub, use: 'enc' }, 'ERR_KEY_FORMAT', /use "enc", not "sig"/],
    [
      'key_ops without verify/sign',
      { kty: 'AKP', alg: 'ML-DSA-65', pub, key_ops: ['encrypt'] },
      'ERR_KEY_FORMAT',
      /allow neither "verify" nor "sign"/,
    ],
    [
      'priv that is not a seed',
      { kty: 'AKP', alg: 'ML-DSA-65', pub, priv: b64url(new Uint8Array(64)) },
      'ERR_KEY_FORMAT',
      /"priv" is 64 bytes; RFC 9964 private keys are the 32-byte seed/,
    ],
    [
      'priv of another key (pub is not what priv derives)',
      { kty: 'AKP', alg: 'ML-DSA-65', pub, priv: b64url(seedB) },
      'ERR_KEY_MISMATCH',
      /public key is not the one its private seed derives/,
    ],
    ['kid not a string', { kty: 'AKP', alg: 'ML-DSA-65', pub, kid: 7 }, 'ERR_KEY_FORMAT', /"kid" is not a string/],
    ['JWK Set keys not an array', { keys: { kty: 'AKP' } }, 'ERR_KEY_FORMAT', /"keys" is not an array/],
    ['JWK Set without ML-DSA keys', { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }] }, 'ERR_KEY_FORMAT', /kty "RSA"/],
  ];
  for (const [name, doc, code, message] of cases) {
    it(name, async () => {
      const f = await failure(loadPublicKey(json(doc)));
      expect(f.code).toBe(code);
      expect(f.message).toMatch(message);
    });
  }

  it('a #KID selector on a PEM file is a usage error; a file whose own name holds "#" is read as named', async () => {
    const pem = file(await pem65(json({ kty: 'AKP', alg: 'ML-DSA-65', pub })), 'plain.pem');
    const f = await failure(loadPublicKey(`${pem}#kid`));
    expect(f).toMatchObject({ code: 'ERR_USAGE' });
    expect(f.message).toMatch(/selects one key of a JWK Set or COSE_KeySet; this is a PEM or DER file/);
    const hashName = json({ kty: 'AKP', alg: 'ML-DSA-65', pub });
    const named = file(readFileSync(hashName), 'key#1.jwk');
    expect(hex((await loadPublicKey(named)).publicKey)).toBe(hex(A.publicKey));
  });

  it('raw public keys whose first byte looks like JSON or a CBOR map still load as raw keys', async () => {
    for (const first of [0x7b, 0xa5, 0x85]) {
      const raw = Uint8Array.from(A.publicKey);
      raw[0] = first;
      const k = await loadPublicKey(file(raw));
      expect(k.params.name).toBe('ML-DSA-65');
      expect(k.publicKey[0]).toBe(first);
    }
  });
});

describe('COSE_Key and COSE_KeySet', () => {
  const coseKey = (seed: Uint8Array | undefined, params: ParamSet, pub: Uint8Array, kid?: Uint8Array, extra: [number, unknown][] = []) =>
    new Map<number, unknown>([
      [1, 7],
      [3, params.coseAlg],
      [-1, pub],
      ...(kid ? [[2, kid] as [number, unknown]] : []),
      ...(seed ? [[-2, seed] as [number, unknown]] : []),
      ...extra,
    ]);

  it('a COSE_Key with priv signs; a COSE_KeySet picks by kid as hex or text', async () => {
    const priv = file(encode(coseKey(seedA, P65, A.publicKey)));
    expect((await loadKeyFile(priv)).kind).toBe('private');
    const set = file(
      encode([
        coseKey(undefined, P65, A.publicKey, new TextEncoder().encode('release-2026')),
        coseKey(undefined, P44, B.publicKey, Uint8Array.of(0xab, 0xcd)),
      ]),
    );
    expect((await failure(loadPublicKey(set))).message).toMatch(
      /COSE_KeySet holds 2 ML-DSA keys \(kids: 72656c65617365, |COSE_KeySet holds 2 ML-DSA keys/,
    );
    expect((await loadPublicKey(`${set}#release-2026`)).params.name).toBe('ML-DSA-65');
    expect((await loadPublicKey(`${set}#abcd`)).params.name).toBe('ML-DSA-44');
  });

  const refused: [string, Map<number, unknown> | Uint8Array, RegExp][] = [
    ['kty OKP', coseKey(undefined, P65, A.publicKey, undefined, [[1, 1]]), /kty 1; ML-DSA keys are kty 7/],
    ['alg ES256', coseKey(undefined, P65, A.publicKey, undefined, [[3, -7]]), /alg -7 is not ML-DSA/],
    ['pub of the wrong length', coseKey(undefined, P44, A.publicKey), /pub is 1952 bytes; ML-DSA-44 public keys are 1312/],
    ['pub as text', coseKey(undefined, P65, A.publicKey, undefined, [[-1, 'AA']]), /pub \(-1\) is not a byte string/],
    ['priv of another key', coseKey(seedB, P65, A.publicKey), /public key is not the one its private seed derives/],
    ['key_ops encrypt only', coseKey(undefined, P65, A.publicKey, undefined, [[4, [3]]]), /key_ops allow neither sign nor verify/],
  ];
  for (const [name, doc, message] of refused) {
    it(`refuses ${name}`, async () => {
      expect((await failure(loadPublicKey(file(doc instanceof Map ? encode(doc) : doc)))).message).toMatch(message);
    });
  }

  it('refuses a truncated COSE_Key and one with a duplicate label', async () => {
    const whole = encode(coseKey(undefined, P65, A.publicKey));
    expect((await failure(loadPublicKey(file(whole.subarray(0, 100))))).message).toMatch(/read as a COSE_Key, it is truncated/);
    // {1: 7, 1: 7, ...}: a map head one larger, the kty pair twice
    const dup = Uint8Array.from([whole[0]! + 1, 0x01, 0x07, ...whole.subarray(1)]);
    expect((await failure(loadPublicKey(file(dup)))).message).toMatch(/duplicate map key/);
  });
});

describe.skipIf(!HAVE_SHARED)(`RFC 9964 example keys (draft-ietf-cose-dilithium) ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const n of ['44', '65', '87']) {
    it(`ML-DSA-${n}: the example COSE_Key and JWK load, and verify the example COSE_Sign1 and JWS`, async () => {
      const examples = join(VECTORS, 'cose-dilithium', 'examples');
      const cv = JSON.parse(readFileSync(join(examples, 'cose', 'examples', `ML_DSA_${n}.cose.json`), 'utf8'));
      const jv = JSON.parse(readFileSync(join(examples, 'jose', 'examples', `ML_DSA_${n}.jose.json`), 'utf8'));
      const coseKeyFile = file(unhex(cv.key), `example-${n}.cose-key`);
      const jwkFile = json(jv.jwk);
      for (const k of [coseKeyFile, jwkFile]) {
        expect(((await exported(k, 'hex')) as string).trim()).toBe(cv.raw_public_key);
      }
      const sign1 = file(unhex(cv.sign1), `example-${n}.cose`);
      await expect(verifyWith(sign1, coseKeyFile)).resolves.toMatchObject({ format: 'cose' });
      const jws = file(jv.jws, `example-${n}.jws`);
      await expect(verifyWith(jws, jwkFile)).resolves.toMatchObject({ format: 'jws' });
      // the example JWK's kid is its thumbprint, so it selects in a set
      expect(jv.jwk.kid).toBe(jwkThumbprint({ params: paramByName(n)!, publicKey: unhex(cv.raw_public_key) }));
      const set = json({ keys: [jv.jwk, { kty: 'AKP', alg: 'ML-DSA-44', pub: b64url(B.publicKey), kid: 'other' }] });
      await expect(verifyWith(jws, `${set}#${jv.jwk.kid}`)).resolves.toMatchObject({ format: 'jws' });
    });
  }
});
if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);
