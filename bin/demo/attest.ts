import { copyFile, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { DemoStep } from './types.js';

export const attestStep: DemoStep = {
  title: 'in-toto attestation: SLSA provenance in a DSSE envelope, checked by a release gate',
  async run(ctx) {
    const bundle = join(ctx.dir, 'attestation.intoto.jsonl');
    const base = dirname(ctx.firmware);
    await ctx.pqsign([
      'attest',
      ctx.firmware,
      '--base-dir',
      base,
      '--key',
      ctx.keyRef,
      '--out',
      bundle,
      '--builder-id',
      'https://example.com/pqsign-demo/builder',
      '--invocation-id',
      `demo-${Date.now()}`,
    ]);
    const gate = ['verify-attestation', bundle, '--key', ctx.publicKey, '--predicate-type', 'https://slsa.dev/provenance/v1'];
    await ctx.pqsign([...gate, '--subject', ctx.firmware, '--base-dir', base]);
    ctx.log(`attested and verified ${basename(ctx.firmware)} -> ${bundle}`);
    // the gate refuses an image that differs from the attested one by a single byte
    const patched = join(ctx.dir, basename(ctx.firmware));
    await copyFile(ctx.firmware, patched);
    const fh = await open(patched, 'r+');
    await fh.write(Uint8Array.of(0x5a), 0, 1, 0);
    await fh.close();
    const outcome = await ctx.pqsign([...gate, '--subject', patched, '--base-dir', ctx.dir]).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    if (!/exited 1: .*sha256 is/.test(outcome)) throw new Error(`verify-attestation did not reject a modified image: ${outcome}`);
    ctx.log('a one-byte-modified copy is rejected by verify-attestation (exit 1)');
  },
};
