// `verify --recursive DIR` in this process: the tree paired by the formats' suffixes (src/batch/tree.ts) and
// each pair judged by the verify job the CLI runs. test/cli/batch.test.ts keeps the flag itself.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pairTree } from '../../../src/batch/tree.js';
import { registeredFormats } from '../../../src/pipeline/registry.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { tempDir } from '../../support/helpers.js';
import { writeKeyPair } from '../../support/keygen.js';
import { judge, keySet, signedFiles, signMany, treeJobs } from '../../support/batch-jobs.js';

const dir = tempDir('pqsign-tree-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'k.pub');
beforeAll(() => void writeKeyPair(key, pub));

describe('verify --recursive, in process', () => {
  it("pairs by the formats' suffixes; unsigned files and orphan signatures fail the batch", async () => {
    const tree = join(dir, 'tree');
    const signed = [...(await signedFiles(join(tree, 'a'), 2, key)), ...(await signedFiles(join(tree, 'b', 'c'), 2, key))];
    writeFileSync(join(tree, 'README.txt'), 'unsigned\n');
    copyFileSync(`${signed[0]}.sig`, join(tree, 'orphan.bin.sig'));
    symlinkSync(join(tree, 'a'), join(tree, 'loop')); // directory symlinks are not followed

    const pairs = await pairTree(tree, ['.sig']);
    // every artifact once (verifyPath checks all signatures beside it), and orphan signatures on their own
    expect(pairs).toEqual([
      { file: join(tree, 'README.txt') },
      { file: signed[0] },
      { file: signed[1] },
      { file: signed[2] },
      { file: signed[3] },
      { file: join(tree, 'orphan.bin.sig') },
    ]);

    const lines = await judge(await treeJobs(tree), await keySet(pub));
    expect(Math.max(...lines.map((l) => (l.code ? exitOfCode(l.code) : 0)))).toBe(2);
    expect(lines.map((l) => [l.file, l.ok])).toEqual(
      pairs.map((p) => [p.file, !p.file.endsWith('README.txt') && !p.file.endsWith('orphan.bin.sig')]),
    );
    expect(lines[0]!.message).toContain('no signature found');
    expect(lines[5]!.message).toContain('it is the size of an ML-DSA-65 signature: give its artifact');
  });
});

// Containers that embed their payload (uefi: FILE.signed), once that format is registered.
const HAVE_UEFI = registeredFormats().some((f) => f.name === 'uefi');
if (!HAVE_UEFI) console.warn('SKIP: embedded-container pairing: the uefi format is not registered on this branch');
describe.skipIf(!HAVE_UEFI)('embedding containers (uefi)', () => {
  it('--recursive checks FILE against the payload inside FILE.signed', async () => {
    const tree = join(dir, 'uefi');
    mkdirSync(tree);
    const [a, b] = [join(tree, 'a.bin'), join(tree, 'b.bin')];
    writeFileSync(a, 'capsule payload a\n');
    writeFileSync(b, 'capsule payload b\n');
    await signMany([a, b], key, { format: 'uefi', options: { monotonicCount: '7' } as never });
    const rules = await keySet(pub);
    const ok = await judge(await treeJobs(tree), rules);
    expect(ok.map((l) => [l.file, l.ok])).toEqual([
      [a, true],
      [b, true],
    ]);
    writeFileSync(b, 'capsule payload B\n');
    const lineB = (await judge(await treeJobs(tree), rules)).find((l) => l.file === b)!;
    expect(lineB.code).toBe('ERR_SIGNATURE_INVALID');
    expect(lineB.message).toContain('differs from the payload signed inside');
  });
});
