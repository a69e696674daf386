// `npm start`: the main job end to end on the embedded default: an ML-DSA-65 key in the local
// KMS-compatible server (in-process), the sample firmware image, sign through KMS, verify offline,
// for each format in DEMO_STEPS.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_STEPS } from './demo/index.js';
import { startEmbeddedKms } from './demo/embedded-kms.js';
import type { DemoContext } from './demo/types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..', '..');
const cli = join(here, '..', 'cli', 'pqsign.js');

function pqsign(args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`pqsign ${args[0]} exited ${code}: ${err.trim()}`))));
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pqsign-demo-'));
  const log = (l: string) => process.stdout.write(`  ${l}\n`);
  process.stdout.write(`pqsign demo in ${dir}\n`);
  const kms = await startEmbeddedKms(dir, pqsign, log);
  try {
    const publicKey = join(dir, 'release.pub.pem');
    await pqsign(['pubkey', '--key', kms.keyRef, '--out', publicKey]);
    log(`exported its public key (KMS GetPublicKey) to ${publicKey}, sha256 ${kms.keyFingerprint}`);
    log(`signing through ${kms.keyRef}: μ is computed here, KMS signs it (EXTERNAL_MU)`);
    const ctx: DemoContext = { dir, firmware: join(root, 'fixtures', 'firmware-sample.bin'), keyRef: kms.keyRef, publicKey, pqsign, log };
    for (const step of DEMO_STEPS) {
      process.stdout.write(`- ${step.title}\n`);
      await step.run(ctx);
    }
  } finally {
    await kms.server.close();
  }
  process.stdout.write('demo finished: every signature verified\n');
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
