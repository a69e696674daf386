// RFC 9964 Appendix A examples (../shared/vectors/cose-dilithium): pqsign reproduces the to-be-signed
// bytes, the containers, the key thumbprints (kids) and the keys, and verifies the signatures.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from 'cbor2';
import { cose } from '../../formats/cose.js';
import { jws } from '../../formats/jws.js';
import type { SignSession } from '../../src/pipeline/format.js';
import { artifactInfo } from '../../src/pipeline/sign.js';
import { bytesSource } from '../../src/io/source.js';
import { coseKeyThumbprint, encodeCoseKey } from '../../src/keys/cose-key.js';
import { akpJwk, jwkThumbprint } from '../../src/keys/jwk.js';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { paramByName, type ParamSet } from '../../src/mldsa/params.js';
import { concatBytes } from '../../src/base/bytes.js';
import { HAVE_SHARED, NO_SHARED, VECTORS, hex, pqsign, tempDir, unhex } from '../support/helpers.js';

const SETS = ['44', '65', '87'] as const;
const coseVector = (n: string) =>
  JSON.parse(readFileSync(join(VECTORS, 'cose-dilithium/examples/cose/examples', `ML_DSA_${n}.cose.json`), 'utf8'));
const joseVector = (n: string) =>
  JSON.parse(readFileSync(join(VECTORS, 'cose-dilithium/examples/jose/examples', `ML_DSA_${n}.jose.json`), 'utf8'));

/** Run a session over an in-memory payload in small chunks, as signFile would over a file. */
/** The sign request for `payload` under the vector's key: no context, no format options. */
const signOver = (payload: Uint8Array, params: ParamSet, publicKey: Uint8Array) => ({
  artifact: artifactInfo(bytesSource(payload, 'payload')),
  params,
  publicKey,
  context: new Uint8Array(0),
  options: {},
});

function tbsOf(session: SignSession, payload: Uint8Array, chunk = 7): Uint8Array {
  const out: Uint8Array[] = [session.head()];
  for (let i = 0; i < payload.length; i += chunk) session.update(payload.subarray(i, i + chunk), (b) => out.push(Uint8Array.from(b)));
  out.push(session.tail());
  return concatBytes(...out);
}

async function containerBytes(session: SignSession, payload: Uint8Array, signature: Uint8Array): Promise<Uint8Array> {
  const l = await session.container(signature);
  const body: Uint8Array[] = [];
  if (l.includeArtifact) {
    if (l.artifactTransform) l.artifactTransform(payload, (b) => body.push(Uint8Array.from(b)));
    else body.push(payload);
  }
  return concatBytes(l.prefix, ...body, l.suffix);
}

describe.skipIf(!HAVE_SHARED)(`RFC 9964 examples ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  const dir = tempDir();
  // a skipped describe's body still runs at collection: read no vector unless ../shared is there
  if (!HAVE_SHARED) it.skip(NO_SHARED, () => undefined);

  for (const n of HAVE_SHARED ? SETS : []) {
    const params = paramByName(n) as ParamSet;

    describe(`ML-DSA-${n} COSE`, () => {
      const v = coseVector(n);
      const publicKey = unhex(v.raw_public_key);
      const key = { params, publicKey };
      const sign1 = decode(unhex(v.sign1)) as { tag: number; contents: [Uint8Array, unknown, Uint8Array, Uint8Array] };
      const payload = sign1.contents[2];

      it('the all-zero seed gives the example public key', () => {
        expect(hex(keygenFromSeed(params, unhex(v.priv)).publicKey)).toBe(v.raw_public_key);
      });

      it('COSE Key Thumbprint (RFC 9679) equals the kid of the example COSE_Key', async () => {
        const exampleKey = decode(unhex(v.key), { preferMap: true }) as Map<number, unknown>;
        expect(hex(await coseKeyThumbprint(key))).toBe(hex(exampleKey.get(2) as Uint8Array));
      });

      it('pubkey --format cose-key holds the example COSE_Key without its private seed', async () => {
        const exampleKey = decode(unhex(v.key), { preferMap: true }) as Map<number, unknown>;
        exampleKey.delete(-2);
        const ours = decode(await encodeCoseKey(key), { preferMap: true }) as Map<number, unknown>;
        expect([...ours.keys()]).toEqual([1, 2, 3, -1]); // deterministic order (RFC 8949 §4.2.1)
        expect(new Map([...ours].map(([k, x]) => [k, x instanceof Uint8Array ? hex(x) : x]))).toEqual(
          new Map([...exampleKey].map(([k, x]) => [k, x instanceof Uint8Array ? hex(x) : x])),
        );
      });

      it('reproduces the Sig_structure bytes and the whole COSE_Sign1', async () => {
        const session = await cose.beginSign(signOver(payload, params, publicKey));
        expect(hex(tbsOf(session, payload))).toBe(v.raw_to_be_signed);
        expect(hex(await containerBytes(session, payload, unhex(v.raw_signature)))).toBe(v.sign1);
      });

      it('the same bytes when the key and signature arrive as Buffers (as SDK signers return them)', async () => {
        const session = await cose.beginSign(signOver(payload, params, Buffer.from(publicKey)));
        expect(hex(tbsOf(session, payload))).toBe(v.raw_to_be_signed);
        expect(hex(await containerBytes(session, payload, Buffer.from(unhex(v.raw_signature))))).toBe(v.sign1);
      });

      it('verifies the example COSE_Sign1 (library and CLI)', async () => {
        const file = join(dir, `ML_DSA_${n}.cose`);
        writeFileSync(file, unhex(v.sign1));
        const r = await cose.verify({
          container: file,
          payload: undefined,
          key,
          keyFingerprints: [],
          trustAnchors: [],
          context: new Uint8Array(0),
          options: {},
        });
        expect(r.params.name).toBe(params.name);
        expect(r.details.kidIsKeyThumbprint).toBe(true);
        const pub = join(dir, `ML_DSA_${n}.pub`);
        writeFileSync(pub, publicKey);
        const cli = pqsign(['verify', file, '--key', pub, '--json']);
        expect(cli.code, cli.stderr).toBe(0);
        expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, format: 'cose', algorithm: params.name, detached: false });
      });
    });

    describe(`ML-DSA-${n} JOSE`, () => {
      const v = joseVector(n);
      const publicKey = unhex(v.raw_public_key);
      const key = { params, publicKey };
      const [h, p] = (v.jws as string).split('.');
      const payload = new Uint8Array(Buffer.from(p!, 'base64url'));

      it('JWK Thumbprint (RFC 7638) equals the kid of the example JWK', () => {
        expect(jwkThumbprint(key)).toBe(v.jwk.kid);
      });

      it('pubkey --format jwk is the example JWK without its private seed', () => {
        const { priv: _priv, ...pub } = v.jwk;
        expect(akpJwk(key)).toEqual(pub);
      });

      it('reproduces the JWS signing input and the whole compact JWS', async () => {
        const session = await jws.beginSign(signOver(payload, params, publicKey));
        expect(hex(tbsOf(session, payload))).toBe(v.raw_to_be_signed);
        expect(Buffer.from(await containerBytes(session, payload, unhex(v.raw_signature))).toString('latin1')).toBe(v.jws);
        expect(h).toBe(Buffer.from(JSON.stringify({ alg: params.joseAlg, kid: v.jwk.kid })).toString('base64url'));
      });

      it('verifies the example JWS (library and CLI)', async () => {
        const file = join(dir, `ML_DSA_${n}.jws`);
        writeFileSync(file, v.jws);
        const r = await jws.verify({
          container: file,
          payload: undefined,
          key,
          keyFingerprints: [],
          trustAnchors: [],
          context: new Uint8Array(0),
          options: {},
        });
        expect(r.details).toMatchObject({ kid: v.jwk.kid, kidIsKeyThumbprint: true, detached: false });
        const pub = join(dir, `ML_DSA_${n}.jose.pub`);
        writeFileSync(pub, publicKey);
        const cli = pqsign(['verify', file, '--key', pub]);
        expect(cli.code, cli.stderr).toBe(0);
      });
    });
  }
});
