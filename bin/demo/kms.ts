import { join } from 'node:path';
import type { DemoStep } from './types.js';

/** What only a KMS key does: ask KMS itself to verify, check permissions without signing, sign with a context. */
export const kmsStep: DemoStep = {
  title: 'KMS: a context string, verify through KMS Verify, dry run',
  async run(ctx) {
    const sig = join(ctx.dir, 'firmware-sample.bin.ctx.sig');
    const context = Buffer.from('pqsign-demo/firmware').toString('hex');
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--context', context, '--out', sig]);
    await ctx.pqsign(['verify', ctx.firmware, '--sig', sig, '--key', ctx.keyRef, '--context', context, '--kms']);
    await ctx.pqsign(['verify', ctx.firmware, '--sig', sig, '--key', ctx.publicKey, '--context', context]);
    ctx.log(`signed with context "pqsign-demo/firmware" (inside μ, so KMS never sees it); KMS Verify and offline verify agree: ${sig}`);
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--dry-run']);
    ctx.log('dry run: KMS confirmed the key would sign (DryRun), nothing was written');
  },
};
