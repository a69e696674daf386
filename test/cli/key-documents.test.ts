// JWK, JWK Set, COSE_Key and COSE_KeySet as key references at the command line: pubkey --format jwk | cose-key
// writes what --key reads back, --key FILE#KID selects, and a refused document is one line on stderr naming the
// file. The documents themselves (panva/jose shapes, every refusal, COSE_KeySet, RFC 9964's example keys) are
// test/unit/keys/key-documents.test.ts. Keys and the signed artifact are made in this process.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { paramByName, type ParamSet } from '../../src/mldsa/params.js';
import { PUBLIC_KEY_ENCODERS } from '../../src/keys/export.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { b64url } from '../../src/base/bytes.js';
import { hex, pqsign, tempDir } from '../support/helpers.js';
import { signWith, verifyWith, writeKeyPair } from '../support/inproc.js';
import { fingerprintOf } from '../support/verify-setup.js';
import { keyDocumentFiles } from '../support/key-document-files.js';

const dir = tempDir('pqsign-key-documents-');
const { file, json } = keyDocumentFiles(dir);

const key = join(dir, 'signer.key');
const other = join(dir, 'other.key');
const artifact = join(dir, 'artifact.bin');

beforeAll(async () => {
  writeKeyPair(key, undefined, 'ML-DSA-65');
  writeKeyPair(other, undefined, 'ML-DSA-65');
  writeFileSync(artifact, 'release 2.0\n');
  await signWith(artifact, key);
});

describe('pqsign exports read back as --key', () => {
  it('verify with its pubkey --format jwk and cose-key files; pubkey of the export is the same key', async () => {
    const fp = await fingerprintOf(key);
    const raw = hex((await loadPublicKey(key)).publicKey);
    for (const format of ['jwk', 'cose-key']) {
      const out = join(dir, `signer.${format}`);
      expect(pqsign(['pubkey', '--key', key, '--format', format, '--out', out]).code).toBe(0);
      const r = pqsign(['verify', artifact, '--key', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, keyFingerprint: fp });
      // and the export of the export is the same key
      expect(pqsign(['pubkey', '--key', out, '--format', 'hex']).stdout).toBe(`${raw}\n`);
    }
  });

  it('a JWK Set of two exports needs FILE#KID; the kid (the RFC 7638 thumbprint) selects', async () => {
    const jwk = async (k: string) => JSON.parse((await PUBLIC_KEY_ENCODERS.jwk!(await loadPublicKey(k), {})) as string);
    const jwks = { keys: [await jwk(key), await jwk(other)] };
    const set = json(jwks);
    const ambiguous = pqsign(['verify', artifact, '--key', set]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(
      `pqsign: ${set}: JWK Set holds 2 ML-DSA keys (kids: ${jwks.keys[0].kid}, ${jwks.keys[1].kid}); name one as FILE#KID\n`,
    );
    expect(pqsign(['verify', artifact, '--key', `${set}#${jwks.keys[0].kid}`]).code).toBe(0);
    const wrong = pqsign(['verify', artifact, '--key', `${set}#${jwks.keys[1].kid}`]);
    expect(wrong.code).toBe(1); // the other key: a valid key, an invalid signature
    const unknown = pqsign(['verify', artifact, '--key', `${set}#nope`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/JWK Set has no key with kid "nope" \(kids: /);
  });

  it('sign --key with a private JWK ({kty, pub, priv, alg})', async () => {
    const P65 = paramByName('65') as ParamSet;
    const seed = new Uint8Array(32).fill(7);
    const pub = b64url(keygenFromSeed(P65, seed).publicKey);
    const signed = file('jwk-signed');
    const r = pqsign(['sign', signed, '--key', json({ kty: 'AKP', pub, priv: b64url(seed), alg: 'ML-DSA-65' })]);
    expect(r.code, r.stderr).toBe(0);
    await expect(verifyWith(signed, json({ kty: 'AKP', pub, alg: 'ML-DSA-65' }))).resolves.toMatchObject({ format: 'raw' });
  });
});

describe('refused key documents (one line, exit 2)', () => {
  it('text that starts like a JWK but is not JSON names the file and the JSON error', () => {
    const p = file('{"kty": "AKP", ');
    const r = pqsign(['pubkey', '--key', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^pqsign: ${p}: starts like a JWK but is not JSON \\(.+\\)\\n$`));
  });
});
