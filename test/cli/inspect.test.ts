// `pqsign inspect` for people (certificates and SignerInfos as readable blocks, in-toto envelopes), its
// --json, verify --content's --json size, and verify refusing a bundle (exit 2, text and --json). Set-up
// (PKI, signatures, bundles) is made in this process; what the JSON holds (sizes, fingerprints, envelopes,
// a bundle signed as an artifact) is checked in-process in test/unit/formats/inspect.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign, sparseFile, tempDir } from '../support/helpers.js';
import { buildPkiInProcess, signWith } from '../support/inproc.js';
import { twoEnvelopeBundle } from '../support/attest-steps.js';
import type { Pki } from '../support/pki-fixture.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';

const dir = tempDir();
const fingerprint = async (key: string) => keyFingerprint((await loadPublicKey(key)).publicKey);
const ok = (args: string[]) => {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const SIZE = 3 * 1024 * 1024 + 17;
const LEAF = 'CN=Test Release Signing,O=pqsign tests';
const INTER = 'CN=Test Issuing CA,O=pqsign tests';
let pki: Pki;
let firmware: string;
let p7s: string;

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = await buildPkiInProcess(join(dir, 'pki'));
  firmware = sparseFile(join(dir, 'fw.bin'), SIZE);
  p7s = (await signWith(firmware, pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter] } })).output;
});

describe('CMS: readable inspect and the real content size', () => {
  it('human inspect shows each certificate (subject, issuer, validity, key fingerprint) and each signer, no raw JSON', async () => {
    const text = ok(['inspect', p7s]);
    expect(text).not.toMatch(/[[{]"/);
    expect(text).toContain(`  certificates      2\n    #1  ${LEAF}\n         issuer  ${INTER}\n         valid   `);
    expect(text).toMatch(new RegExp(`key     ML-DSA-65, sha256 ${await fingerprint(pki.leafKey)}\n`));
    expect(text).toMatch(
      new RegExp(
        `#2  ${INTER}\n\\s+issuer  CN=Test Root CA,O=pqsign tests\n\\s+valid   \\S+ \\.\\. \\S+\n\\s+key     ML-DSA-65, sha256 ${await fingerprint(pki.interKey)}`,
      ),
    );
    // the signer is named by the subject of the embedded certificate its sid points at
    expect(text).toMatch(
      new RegExp(
        `signerInfos       1\n    #1  ${LEAF}\n\\s+algorithm    ML-DSA-65\n\\s+digest       sha512\n\\s+signingTime  \\d{4}-\\S+Z\n\\s+signature    3309 bytes, signed attributes, algorithm protection\n$`,
      ),
    );
    expect(text).toContain('  contentBytes      none inside (detached content)\n');
  });

  it('--json is unchanged in shape: the file, the format, the detached content size null (not 0)', async () => {
    const j = JSON.parse(ok(['inspect', p7s, '--json']));
    expect(j).toMatchObject({ file: p7s, format: 'cms', attached: false, contentBytes: null, crls: 0, digestAlgorithms: ['sha512'] });
    expect(j.certificates[0]).toMatchObject({ subject: LEAF, keyFingerprint: await fingerprint(pki.leafKey) });
  });

  it('verify --content --json reports the detached content size it hashed', () => {
    const j = JSON.parse(ok(['verify', p7s, '--content', firmware, '--trust-anchor', pki.root, '--json']));
    expect(j).toMatchObject({ ok: true, attached: false, contentBytes: SIZE });
  });

  it('attached CMS: human inspect gives the embedded size', async () => {
    const small = join(dir, 'small.bin');
    writeFileSync(small, 'attached content 123');
    const out = `${small}.att.p7s`;
    await signWith(small, pki.leafKey, { format: 'cms', out, options: { cert: pki.leaf, chain: [pki.inter], attached: true } });
    expect(ok(['inspect', out])).toContain('  contentBytes      20\n');
  });
});

describe('in-toto attestation bundles', () => {
  const work = join(dir, 'attest');
  let bundle: string;
  beforeAll(async () => {
    bundle = await twoEnvelopeBundle(work, pki);
  });

  it('inspect prints each envelope: payload type, keyid, predicate type, subjects', async () => {
    const text = ok(['inspect', bundle]);
    expect(text).toMatch(
      new RegExp(
        `^${bundle.replace(/[/.]/g, '\\$&')}: intoto-bundle\n  envelopes  \\d\n  line 1\n    payloadType    application/vnd.in-toto\\+json\n    keyid          ${await fingerprint(pki.leafKey)}\n    predicateType  https://slsa.dev/provenance/v1\n    subjects       2\n      a.bin  sha256:[0-9a-f]{64} sha512:[0-9a-f]{128}\n      b.bin  sha256:`,
      ),
    );
    expect(JSON.parse(ok(['inspect', bundle, '--json'])).format).toBe('intoto-bundle');
  });

  it('a line that is not an envelope is reported on its line', () => {
    const broken = join(work, 'broken.intoto.jsonl');
    writeFileSync(broken, `${readFileSync(bundle, 'utf8').split('\n')[0]}\n{"payloadType": "x", "payload": "", "signatures": []}\n`);
    expect(ok(['inspect', broken])).toContain('  line 2: not a readable envelope: "signatures" must be a non-empty array\n');
  });

  it('verify refuses a bundle with exit 2 and points to verify-attestation (text and --json)', () => {
    const r = pqsign(['verify', bundle, '--key', pki.leafKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `pqsign: ${bundle}: is an in-toto attestation bundle, not a signature: verify it with verify-attestation and a trusted --key\n`,
    );
    const j = pqsign(['verify', bundle, '--key', pki.leafKey, '--json']);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({
      ok: false,
      error: { code: 'ERR_USAGE', message: expect.stringContaining('verify it with verify-attestation and a trusted --key') },
    });
    // and the command it names works
    expect(pqsign(['verify-attestation', bundle, '--key', pki.leafKey]).code).toBe(0);
  });

  it('inspect --format jws on a bundle is exit 2', () => {
    expect(pqsign(['inspect', bundle, '--format', 'jws']).code).toBe(2);
  });
});
