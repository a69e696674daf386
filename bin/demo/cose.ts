import { join } from 'node:path';
import type { DemoStep } from './types.js';

export const coseStep: DemoStep = {
  title: 'COSE_Sign1 (RFC 9052 / RFC 9964): attached, and detached with external_aad',
  async run(ctx) {
    const attached = join(ctx.dir, 'firmware-sample.bin.cose');
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--format', 'cose', '--out', attached]);
    await ctx.pqsign(['verify', attached, '--key', ctx.publicKey]);
    ctx.log(`signed and verified ${attached} (payload inside, kid = COSE Key Thumbprint)`);
    const detached = join(ctx.dir, 'firmware-sample.detached.cose');
    const aad = Buffer.from('board-rev-c').toString('hex');
    await ctx.pqsign(['sign', ctx.firmware, '--key', ctx.keyRef, '--format', 'cose', '--detached', '--aad', aad, '--out', detached]);
    await ctx.pqsign(['verify', detached, '--key', ctx.publicKey, '--payload', ctx.firmware, '--aad', aad]);
    ctx.log(`signed and verified ${detached} (payload nil, external_aad "board-rev-c")`);
    const coseKey = join(ctx.dir, 'release.cose-key');
    await ctx.pqsign(['pubkey', '--key', ctx.publicKey, '--format', 'cose-key', '--out', coseKey]);
    ctx.log(`exported the AKP COSE_Key ${coseKey}`);
  },
};
