import type { DemoStep } from './types.js';

export const rawStep: DemoStep = {
  title: 'raw detached signature',
  async run(ctx) {
    const sig = `${ctx.dir}/firmware-sample.bin.sig`;
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--out', sig]);
    await ctx.pqsign(['verify', ctx.firmware, '--sig', sig, '--key', ctx.publicKey]);
    ctx.log(`signed and verified ${sig}`);
  },
};
