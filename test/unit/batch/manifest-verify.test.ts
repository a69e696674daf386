// Release manifests in this process (src/batch/manifest.ts, the verify jobs `verify --manifest` runs): key
// pinning, recorded contexts, embedded containers, schema errors. test/cli/batch.test.ts keeps the flags
// (--manifest-out, --manifest, all or nothing, the one line naming a bad manifest).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../../src/batch/manifest.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { registeredFormats } from '../../../src/pipeline/registry.js';
import { verifyPath } from '../../../src/pipeline/verify.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { tempDir } from '../../support/helpers.js';
import { failure } from '../../support/inproc.js';
import { writeKeyPair } from '../../support/keygen.js';
import { judge, keySet, manifestJobs, signedFiles, signMany, writeManifest } from '../../support/batch-jobs.js';

const dir = tempDir('pqsign-manifest-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'k.pub');
const key2 = join(dir, 'k2.pem');
const pub2 = join(dir, 'k2.pub');
let fp = '';
let fp2 = '';

beforeAll(async () => {
  writeKeyPair(key, pub);
  writeKeyPair(key2, pub2);
  fp = keyFingerprint((await loadPublicKey(pub)).publicKey);
  fp2 = keyFingerprint((await loadPublicKey(pub2)).publicKey);
});

const codes = (lines: { ok: boolean; code?: string }[]) => lines.map((l) => l.code ?? 'ok');
const worstExit = (lines: { code?: string }[]) => Math.max(0, ...lines.map((l) => (l.code ? exitOfCode(l.code) : 0)));

describe('release manifests, in process', () => {
  it("pins keys: another key's signature fails, an unknown pinned key fails, a key set serves several pins", async () => {
    const rel = join(dir, 'pins');
    const a = await signedFiles(join(rel, 'a'), 2, key);
    const b = await signedFiles(join(rel, 'b'), 2, key2);
    const manifest = join(rel, 'm.jsonl');
    const line = (f: string, k: string) =>
      JSON.stringify({
        pqsignManifest: 1,
        artifact: relative(rel, f),
        signature: `${relative(rel, f)}.sig`,
        format: 'raw',
        keyFingerprint: k,
      });
    writeFileSync(manifest, [...a.map((f) => line(f, fp)), ...b.map((f) => line(f, fp2))].join('\n') + '\n');
    const jobs = await manifestJobs(manifest);
    const both = await judge(jobs, await keySet(pub, pub2));
    expect(codes(both)).toEqual(['ok', 'ok', 'ok', 'ok']);

    const onlyOne = await judge(jobs, await keySet(pub));
    expect(worstExit(onlyOne)).toBe(2);
    expect(codes(onlyOne)).toEqual(['ok', 'ok', 'ERR_KEY_MISMATCH', 'ERR_KEY_MISMATCH']);

    copyFileSync(`${b[0]}.sig`, `${a[0]}.sig`); // a[0] now carries a (valid) signature by key2, but the manifest pins key 1
    const swapped = await judge(jobs, await keySet(pub, pub2));
    expect(worstExit(swapped)).toBe(1);
    expect(swapped[0]!.code).toBe('ERR_SIGNATURE_INVALID');
  });

  it('a valid signature by a key other than the pinned one is rejected even when the format verifies it', async () => {
    const [f] = await signedFiles(join(dir, 'pinpath'), 1, key2);
    const key2pub = await loadPublicKey(pub2);
    // the trust rules hold key 2; the manifest entry pins key 1, which is not among them
    const rules = { keys: [{ sha256: fp2, key: { alg: key2pub.params.name, publicKey: key2pub.publicKey } }], anchors: [] };
    await expect(verifyPath(f!, { rules, context: new Uint8Array(0), formatOptions: {}, pin: fp2 })).resolves.toMatchObject({
      keyFingerprint: fp2,
    });
    await expect(verifyPath(f!, { rules, context: new Uint8Array(0), formatOptions: {}, pin: fp })).rejects.toMatchObject({
      code: 'ERR_KEY_MISMATCH',
      detail: 'pinned-key',
    });
  });

  it('records the context: a manifest whose context was changed fails', async () => {
    const rel = join(dir, 'ctx');
    mkdirSync(join(rel, 'x'), { recursive: true });
    const files = [0, 1].map((i) => {
      const f = join(rel, 'x', `c${i}.bin`);
      writeFileSync(f, `context file ${i}`);
      return f;
    });
    const manifest = join(rel, 'm.jsonl');
    writeManifest(manifest, await signMany(files, key, { context: 'aa' }), { context: 'aa' });
    expect(readFileSync(manifest, 'utf8')).toContain('"context":"aa"');
    const rules = await keySet(pub);
    expect(worstExit(await judge(await manifestJobs(manifest), rules))).toBe(0);
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replaceAll('"context":"aa"', '"context":"ab"'));
    const changed = await judge(await manifestJobs(manifest), rules);
    expect(worstExit(changed)).toBe(1);
    expect(codes(changed)).toEqual(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID']);
  });

  it.each([
    ['not JSON', '{"pqsignManifest":1,', /line 1: is not JSON/],
    ['no version', '{"artifact":"a"}', /line 1: has no "pqsignManifest" version/],
    ['newer version', '{"pqsignManifest":2,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP"}', /manifest version 2/],
    [
      'unknown field',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP","size":3}',
      /unknown field "size"/,
    ],
    [
      'absolute path',
      '{"pqsignManifest":1,"artifact":"/etc/passwd","signature":"a.sig","format":"raw","keyFingerprint":"FP"}',
      /"artifact" must be a path relative/,
    ],
    [
      'bad fingerprint',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"abc"}',
      /"keyFingerprint" must be 64/,
    ],
    [
      'unknown format',
      '{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"zip","keyFingerprint":"FP"}',
      /unknown format "zip"/,
    ],
    [
      'long context',
      `{"pqsignManifest":1,"artifact":"a","signature":"a.sig","format":"raw","keyFingerprint":"FP","context":"${'00'.repeat(256)}"}`,
      /at most 255/,
    ],
    ['empty', '\n\n', /lists no artifacts/],
  ])('rejects a manifest with %s (exit 2, one line naming the file)', async (_, body, message) => {
    const m = join(dir, `bad-${Math.random().toString(36).slice(2)}.jsonl`);
    writeFileSync(m, body.replace('FP', 'a'.repeat(64)));
    const f = await failure(readManifest(m));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.file).toBe(m);
    expect(f.message).not.toContain('\n');
    expect(f.message).toMatch(message);
  });
});

// Containers that embed their payload (uefi: FILE.signed), once that format is registered.
const HAVE_UEFI = registeredFormats().some((f) => f.name === 'uefi');
if (!HAVE_UEFI) console.warn('SKIP: embedded-container manifests: the uefi format is not registered on this branch');
describe.skipIf(!HAVE_UEFI)('embedding containers (uefi) in a manifest', () => {
  it('a manifest of uefi images records "embedded" and verifies the images', async () => {
    const tree = join(dir, 'uefi-manifest');
    mkdirSync(tree);
    const [a, b] = [join(tree, 'a.bin'), join(tree, 'b.bin')];
    writeFileSync(a, 'capsule payload a\n');
    writeFileSync(b, 'capsule payload b\n');
    const manifest = join(tree, 'release.jsonl');
    const options = { monotonicCount: '7' } as never;
    writeManifest(manifest, await signMany([a, b], key, { format: 'uefi', options }), { options });
    expect(JSON.parse(readFileSync(manifest, 'utf8').split('\n')[0]!)).toMatchObject({
      artifact: 'a.bin.signed',
      signature: 'embedded',
      format: 'uefi',
    });
    expect(codes(await judge(await manifestJobs(manifest), await keySet(pub)))).toEqual(['ok', 'ok']);
  });
});
