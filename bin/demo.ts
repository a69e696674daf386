// `npm start`: the main job end to end on the embedded default: an ML-DSA-65 key in the local
// KMS-compatible server (in-process), the sample firmware image, sign through KMS, verify offline,
// for each format in DEMO_STEPS. Every CLI run is printed as the `pqsign …` line a newcomer can copy;
// the scratch directory is kept (0700) and named at the end, since it holds unencrypted keys.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_STEPS } from './demo/index.js';
import { startEmbeddedKms } from './demo/embedded-kms.js';
import type { DemoContext } from './demo/types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '..', '..');
const cli = join(here, '..', 'cli', 'pqsign.js');

/** One argument as a POSIX shell reads it back. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** Run the CLI, printed as the command line to copy; `stdoutTo` also writes its output to that file (`> FILE`). */
async function pqsign(args: string[], { stdoutTo }: { stdoutTo?: string } = {}): Promise<string> {
  process.stdout.write(`  $ pqsign ${args.map(shellWord).join(' ')}${stdoutTo ? ` > ${shellWord(stdoutTo)}` : ''}\n`);
  const out = await run(args);
  if (stdoutTo) await writeFile(stdoutTo, out);
  return out;
}

function run(args: string[]): Promise<string> {
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
  // mkdtemp creates it 0700: only this user can read the unencrypted keys inside
  const dir = await mkdtemp(join(tmpdir(), 'pqsign-demo-'));
  const log = (l: string) => process.stdout.write(`  ${l}\n`);
  process.stdout.write(`pqsign demo in ${dir} (mode 0700)\n`);
  log(`each "$ pqsign ..." line is a command it runs; here pqsign is node ${cli} (npx pqsign in the checkout)`);
  let finished = false;
  try {
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
      finished = true;
    } finally {
      await kms.server.close();
    }
  } finally {
    if (finished) process.stdout.write('demo finished: every signature verified\n');
    // kept so the printed offline commands can be re-run; the awskms:// ones need a server again (kms serve)
    process.stdout.write(
      `the demo's files stay in ${dir}: it holds unencrypted private keys (and the KMS key seeds unless PQSIGN_DEMO_KMS_DIR is set), readable only by you; remove it with: rm -rf ${shellWord(dir)}\n`,
    );
  }
}

main().catch((e) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
