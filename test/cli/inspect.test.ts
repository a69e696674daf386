// `pqsign inspect` for people (certificates and SignerInfos as readable blocks), detached CMS content
// sizes in `inspect` and `verify`, and in-toto attestation bundles in `inspect` and `verify`.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPki } from '../support/pki-fixture.js';
import { pqsign, sparseFile, tempDir } from '../support/helpers.js';

const dir = tempDir();
mkdirSync(join(dir, 'pki'));
const pki = buildPki(join(dir, 'pki'));
const fingerprint = (key: string) => JSON.parse(pqsign(['pubkey', '--key', key, '--json']).stdout).keyFingerprint as string;
const ok = (args: string[]) => {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
const SIZE = 3 * 1024 * 1024 + 17;
const firmware = sparseFile(join(dir, 'fw.bin'), SIZE);
const LEAF = 'CN=Test Release Signing,O=pqsign tests';
const INTER = 'CN=Test Issuing CA,O=pqsign tests';

describe('CMS: readable inspect and the real content size', () => {
  ok(['sign', firmware, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter]);
  const p7s = `${firmware}.p7s`;

  it('human inspect shows each certificate (subject, issuer, validity, key fingerprint) and each signer, no raw JSON', () => {
    const text = ok(['inspect', p7s]);
    expect(text).not.toMatch(/[[{]"/);
    expect(text).toContain(`  certificates      2\n    #1  ${LEAF}\n         issuer  ${INTER}\n         valid   `);
    expect(text).toMatch(new RegExp(`key     ML-DSA-65, sha256 ${fingerprint(pki.leafKey)}\n`));
    expect(text).toMatch(
      new RegExp(
        `#2  ${INTER}\n\\s+issuer  CN=Test Root CA,O=pqsign tests\n\\s+valid   \\S+ \\.\\. \\S+\n\\s+key     ML-DSA-65, sha256 ${fingerprint(pki.interKey)}`,
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

  it('--json is unchanged in shape, with the detached content size null (not 0) and key fingerprints added', () => {
    const j = JSON.parse(ok(['inspect', p7s, '--json']));
    expect(j).toMatchObject({ format: 'cms', attached: false, contentBytes: null, crls: 0, digestAlgorithms: ['sha512'] });
    expect(j.certificates[0]).toMatchObject({
      subject: LEAF,
      issuer: INTER,
      algorithm: 'ML-DSA-65',
      keyFingerprint: fingerprint(pki.leafKey),
    });
    expect(j.signerInfos[0]).toMatchObject({
      sid: { issuer: INTER, serial: j.certificates[0].serial },
      signatureAlgorithm: 'ML-DSA-65',
      digestAlgorithm: 'sha512',
    });
  });

  it('verify --json reports the detached content size it hashed', () => {
    const j = JSON.parse(ok(['verify', p7s, '--content', firmware, '--trust-anchor', pki.root, '--json']));
    expect(j).toMatchObject({ ok: true, attached: false, contentBytes: SIZE });
    // found beside the artifact, too
    expect(JSON.parse(ok(['verify', firmware, '--trust-anchor', pki.root, '--json'])).contentBytes).toBe(SIZE);
  });

  it('attached CMS: inspect and verify both give the embedded size', () => {
    const small = join(dir, 'small.bin');
    writeFileSync(small, 'attached content 123');
    ok([
      'sign',
      small,
      '--format',
      'cms',
      '--attached',
      '--key',
      pki.leafKey,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--out',
      `${small}.att.p7s`,
    ]);
    expect(JSON.parse(ok(['inspect', `${small}.att.p7s`, '--json']))).toMatchObject({ attached: true, contentBytes: 20 });
    expect(ok(['inspect', `${small}.att.p7s`])).toContain('  contentBytes      20\n');
    expect(JSON.parse(ok(['verify', `${small}.att.p7s`, '--trust-anchor', pki.root, '--json']))).toMatchObject({
      attached: true,
      contentBytes: 20,
    });
  });
});

describe('in-toto attestation bundles', () => {
  const work = join(dir, 'attest');
  mkdirSync(work);
  writeFileSync(join(work, 'a.bin'), 'artifact a');
  writeFileSync(join(work, 'b.bin'), 'artifact b');
  const bundle = join(work, 'release.intoto.jsonl');
  const run = (args: string[]) => pqsign(args, { cwd: work });
  expect(run(['attest', 'a.bin', 'b.bin', '--key', pki.leafKey, '--out', bundle, '--builder-id', 'https://ci.example/b']).code).toBe(0);
  expect(run(['attest', 'a.bin', '--key', pki.interKey, '--out', bundle, '--builder-id', 'https://ci.example/b']).code).toBe(0);

  it('inspect prints each envelope: payload type, keyid, predicate type, subjects', () => {
    const j = JSON.parse(ok(['inspect', bundle, '--json']));
    expect(j.format).toBe('intoto-bundle');
    expect(j.envelopes[0]).toEqual({
      line: 1,
      payloadType: 'application/vnd.in-toto+json',
      keyids: [fingerprint(pki.leafKey)],
      predicateType: 'https://slsa.dev/provenance/v1',
      subjects: [
        { name: 'a.bin', digest: expect.objectContaining({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }) },
        { name: 'b.bin', digest: expect.any(Object) },
      ],
    });
    const text = ok(['inspect', bundle]);
    expect(text).toMatch(
      new RegExp(
        `^${bundle.replace(/[/.]/g, '\\$&')}: intoto-bundle\n  envelopes  \\d\n  line 1\n    payloadType    application/vnd.in-toto\\+json\n    keyid          ${fingerprint(pki.leafKey)}\n    predicateType  https://slsa.dev/provenance/v1\n    subjects       2\n      a.bin  sha256:[0-9a-f]{64} sha512:[0-9a-f]{128}\n      b.bin  sha256:`,
      ),
    );
  });

  it('a line that is not an envelope is reported on its line; the others are still described', () => {
    const broken = join(work, 'broken.intoto.jsonl');
    writeFileSync(broken, `${readFileSync(bundle, 'utf8').split('\n')[0]}\n{"payloadType": "x", "payload": "", "signatures": []}\n`);
    const j = JSON.parse(ok(['inspect', broken, '--json']));
    expect(j.envelopes).toHaveLength(2);
    expect(j.envelopes[0].predicateType).toBe('https://slsa.dev/provenance/v1');
    expect(j.envelopes[1]).toEqual({ line: 2, error: '"signatures" must be a non-empty array' });
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

  it('a bundle signed as an artifact (FILE.sig beside it) still verifies as one', () => {
    const copy = join(work, 'signed.intoto.jsonl');
    writeFileSync(copy, readFileSync(bundle));
    ok(['sign', copy, '--key', pki.leafKey]);
    expect(statSync(`${copy}.sig`).size).toBe(3309);
    for (const args of [[copy], [copy, '--sig', `${copy}.sig`]]) {
      const r = pqsign(['verify', ...args, '--key', pki.leafKey]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(pqsign(['inspect', bundle, '--format', 'jws']).code).toBe(2);
  });
});
