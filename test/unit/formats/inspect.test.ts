// What `inspect --json` and `verify --json` report, in this process: a detached CMS's content size (null
// inside, the hashed size on verify), an attached one's, the certificates and SignerInfos with key
// fingerprints; in-toto bundles' envelopes, a broken line, and a bundle signed as an artifact. The text
// blocks for people and the exit codes are test/cli/inspect.test.ts.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sparseFile, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { anchorRules, buildPkiInProcess, failure, inspectFile, signWith, verifyWith } from '../../support/inproc.js';
import { twoEnvelopeBundle } from '../../support/attest-steps.js';
import type { Pki } from '../../support/pki-fixture.js';
import { inspectBundle } from '../../../src/attest/inspect.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';

const dir = tempDir('pqsign-inspect-unit-');
const fingerprint = async (key: string) => keyFingerprint((await loadPublicKey(key)).publicKey);
const SIZE = 3 * 1024 * 1024 + 17;
const LEAF = 'CN=Test Release Signing,O=pqsign tests';
const INTER = 'CN=Test Issuing CA,O=pqsign tests';
let pki: Pki;
let firmware: string;
const cmsOptions = () => ({ cert: pki.leaf, chain: [pki.inter] });
const anchored = async (file: string, o: { payload?: string } = {}) =>
  verifyWith(file, undefined, { ...o, rules: await anchorRules(pki.root) });

beforeAll(async () => {
  mkdirSync(join(dir, 'pki'));
  pki = await buildPkiInProcess(join(dir, 'pki'));
  firmware = sparseFile(join(dir, 'fw.bin'), SIZE);
  await signWith(firmware, pki.leafKey, { format: 'cms', options: cmsOptions() });
});

describe('CMS: the real content size', () => {
  it('inspect: the detached content size is null (not 0), key fingerprints are added', async () => {
    const j = (await inspectFile(`${firmware}.p7s`)) as Record<string, any>;
    expect(j).toMatchObject({ attached: false, contentBytes: null, crls: 0, digestAlgorithms: ['sha512'] });
    expect(j.certificates[0]).toMatchObject({
      subject: LEAF,
      issuer: INTER,
      algorithm: 'ML-DSA-65',
      keyFingerprint: await fingerprint(pki.leafKey),
    });
    expect(j.certificates[1]).toMatchObject({ subject: INTER, keyFingerprint: await fingerprint(pki.interKey) });
    expect(j.signerInfos[0]).toMatchObject({
      sid: { issuer: INTER, serial: j.certificates[0].serial },
      signatureAlgorithm: 'ML-DSA-65',
      digestAlgorithm: 'sha512',
    });
  });

  it('verify reports the detached content size it hashed', async () => {
    expect((await anchored(`${firmware}.p7s`, { payload: firmware })).details).toMatchObject({ attached: false, contentBytes: SIZE });
    // found beside the artifact, too
    expect((await anchored(firmware)).details.contentBytes).toBe(SIZE);
  });

  it('attached CMS: inspect and verify both give the embedded size', async () => {
    const small = join(dir, 'small.bin');
    writeFileSync(small, 'attached content 123');
    await signWith(small, pki.leafKey, { format: 'cms', out: `${small}.att.p7s`, options: { ...cmsOptions(), attached: true } });
    expect(await inspectFile(`${small}.att.p7s`)).toMatchObject({ attached: true, contentBytes: 20 });
    expect((await anchored(`${small}.att.p7s`)).details).toMatchObject({ attached: true, contentBytes: 20 });
  });
});

describe('in-toto attestation bundles', () => {
  const work = join(dir, 'attest');
  let bundle: string;
  beforeAll(async () => {
    bundle = await twoEnvelopeBundle(work, pki);
  });

  it('inspect describes each envelope: payload type, keyid, predicate type, subjects', async () => {
    const j = await inspectBundle(bundle);
    expect(j.envelopes).toHaveLength(2);
    expect(j.envelopes[0]).toEqual({
      line: 1,
      payloadType: 'application/vnd.in-toto+json',
      keyids: [await fingerprint(pki.leafKey)],
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects: [
        { name: 'a.bin', digest: expect.objectContaining({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }) },
        { name: 'b.bin', digest: expect.any(Object) },
      ],
    });
  });

  it('a line that is not an envelope is reported on its line; the others are still described', async () => {
    const broken = join(work, 'broken.intoto.jsonl');
    writeFileSync(broken, `${readFileSync(bundle, 'utf8').split('\n')[0]}\n{"payloadType": "x", "payload": "", "signatures": []}\n`);
    const j = await inspectBundle(broken);
    expect(j.envelopes).toHaveLength(2);
    expect(j.envelopes[0]!.predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(j.envelopes[1]).toEqual({ line: 2, error: '"signatures" must be a non-empty array' });
  });

  it('verify refuses a bundle as a signature (exit 2), pointing to verify-attestation', async () => {
    const f = await failure(verifyWith(bundle, pki.leafKey));
    expect(f.code).toBe('ERR_USAGE');
    expect(f.message).toMatch(/is an in-toto attestation bundle, not a signature: verify it with verify-attestation and a trusted/);
  });

  it('a bundle signed as an artifact (FILE.sig beside it) still verifies as one', async () => {
    const copy = join(work, 'signed.intoto.jsonl');
    writeFileSync(copy, readFileSync(bundle));
    await signWith(copy, pki.leafKey);
    expect(statSync(`${copy}.sig`).size).toBe(3309);
    expect(await verifyWith(copy, pki.leafKey)).toMatchObject({ format: 'raw' });
    expect(await verifyWith(copy, pki.leafKey, { sig: `${copy}.sig` })).toMatchObject({ format: 'raw' });
    // a bundle forced to be read as a JWS is not one
    expect(exitOfCode((await failure(inspectFile(bundle, 'jws'))).code)).toBe(2);
  });
});
