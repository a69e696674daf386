// The ML-DSA back-end seam (src/mldsa/mldsa.ts): the same tests run against every back-end this runtime has.
// Under Node 20 that is the portable one (noble); the last suite reruns this file under the Node 24 binary
// (OpenSSL 3.5) where node:crypto's one-shot verification is present too, and checks the CLI on both.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  keygenFromSeed,
  messageBackend,
  messageVerifier,
  mlDsaBackendChoice,
  ONE_SHOT_MAX,
  setMlDsaBackend,
  signMu,
  verifyMessage,
} from '../../src/mldsa/mldsa.js';
import { nativeMlDsa } from '../../src/mldsa/native.js';
import { computeMu } from '../../src/mldsa/mu.js';
import { PARAM_SETS, paramByName } from '../../src/mldsa/params.js';
import { node24, NO_NODE24 } from '../../bench/lib/node24.js';
import { CLI, HAVE_SHARED, ROOT, VECTORS, pqsign, tempDir, unhex } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

const NESTED = process.env.PQSIGN_TEST_UNDER_NODE24 === '1';
const HAVE_NATIVE = nativeMlDsa() !== undefined;
const BACKENDS = HAVE_NATIVE ? (['portable', 'mu', 'native'] as const) : (['portable', 'mu'] as const);
if (!HAVE_NATIVE)
  console.warn(`SKIP: native back-end: node:crypto of Node ${process.versions.node} has no ML-DSA (covered by the Node 24 rerun)`);
const N24 = node24();
if (!N24) console.warn(`SKIP: ${NO_NODE24}`);

interface WycheproofCase {
  tcId: number;
  comment: string;
  msg: string;
  ctx?: string;
  sig: string;
  result: 'valid' | 'invalid';
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { publicKey: string; tests: WycheproofCase[] }[];
}

/** Result of verifying a case, counting a thrown input error (bad key length, context > 255) as invalid. */
function verifies(run: () => boolean): boolean {
  try {
    return run();
  } catch {
    return false;
  }
}

/** Split into uneven chunks, to exercise the streaming path of each back-end. */
function chunks(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0, n = 1; i < b.length; i += n, n = n * 3 + 1) out.push(b.subarray(i, i + n));
  return out;
}

describe.each(BACKENDS)('%s backend', (backend) => {
  const saved = mlDsaBackendChoice();
  beforeAll(() => setMlDsaBackend(backend));
  afterAll(() => setMlDsaBackend(saved));

  it('is the back-end in use', () => {
    expect(messageBackend()).toBe({ native: 'node:crypto', mu: 'pqsign', portable: '@noble/post-quantum' }[backend]);
  });

  describe.skipIf(!HAVE_SHARED)('Wycheproof mldsa_*_verify (whole and chunked)', () => {
    it.each(['44', '65', '87'])('ML-DSA-%s', (n) => {
      const params = paramByName(n)!;
      const file = JSON.parse(
        readFileSync(join(VECTORS, 'wycheproof', 'testvectors_v1', `mldsa_${n}_verify_test.json`), 'utf8'),
      ) as WycheproofFile;
      const mismatches: string[] = [];
      let cases = 0;
      for (const g of file.testGroups) {
        const pk = unhex(g.publicKey);
        for (const t of g.tests) {
          const [msg, ctx, sig] = [unhex(t.msg), unhex(t.ctx ?? ''), unhex(t.sig)];
          const whole = verifies(() => verifyMessage(params, pk, ctx, msg, sig));
          const streamed = verifies(() => {
            const v = messageVerifier(params, pk, ctx);
            for (const c of chunks(msg)) v.update(c);
            return v.verify(sig);
          });
          const expected = t.result === 'valid';
          if (whole !== expected || streamed !== expected)
            mismatches.push(`tcId ${t.tcId} (${t.comment}): whole ${whole}, streamed ${streamed}, expected ${t.result}`);
          cases++;
        }
      }
      expect(mismatches).toEqual([]);
      expect(cases).toBe(file.numberOfTests);
    });
  });

  it.each(PARAM_SETS.map((p) => p.name))('%s around the one-shot limit, with a context', (name) => {
    const params = paramByName(name)!;
    const { publicKey, secretKey } = keygenFromSeed(params, new Uint8Array(32).fill(params.category));
    const ctx = new TextEncoder().encode('factory-line');
    for (const size of [0, ONE_SHOT_MAX - 1, ONE_SHOT_MAX, ONE_SHOT_MAX + 1]) {
      const msg = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);
      const sig = signMu(params, secretKey, computeMu(params, publicKey, msg, ctx), { deterministic: true });
      expect(verifyMessage(params, publicKey, ctx, msg, sig), `size ${size}`).toBe(true);
      const v = messageVerifier(params, publicKey, ctx);
      for (let i = 0; i < size; i += 256 * 1024) v.update(msg.subarray(i, i + 256 * 1024));
      expect(v.verify(sig), `size ${size} chunked`).toBe(true);
      expect(verifyMessage(params, publicKey, new Uint8Array(0), msg, sig), `size ${size} without the context`).toBe(false);
      if (size) {
        const bad = Uint8Array.from(msg);
        bad[size - 1] = bad[size - 1]! ^ 1;
        expect(verifyMessage(params, publicKey, ctx, bad, sig), `size ${size} tampered`).toBe(false);
      }
      expect(verifyMessage(params, publicKey, ctx, msg, sig.subarray(1)), 'short signature').toBe(false);
    }
  });
});

describe.skipIf(!N24 || NESTED)('under Node 24 (OpenSSL 3.5)', () => {
  const dir = tempDir();
  it('this file passes under Node 24 with both back-ends', () => {
    const r = spawnSync(
      N24!,
      [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/cli/mldsa-backend.test.ts', '--reporter=verbose'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PQSIGN_TEST_UNDER_NODE24: '1', PQSIGN_MLDSA_BACKEND: '' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC [ ... m)
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    expect(r.status, out).toBe(0);
    if (HAVE_SHARED) expect(out).toMatch(/✓ .*native backend > Wycheproof .*ML-DSA-65/);
    expect(out).toMatch(/✓ .*native backend > ML-DSA-87 around the one-shot limit/);
    expect(out).not.toMatch(/SKIP: native/);
  });

  it('CLI: the same verdicts from the native and portable back-ends, signed under Node 20', () => {
    const key = join(dir, 'k.pem');
    const pub = join(dir, 'k.pub');
    writeKeyPair(key, pub);
    const small = join(dir, 'small.bin');
    const large = join(dir, 'large.bin');
    writeFileSync(small, 'firmware 1.2.3\n');
    writeFileSync(large, new Uint8Array(ONE_SHOT_MAX + 4096).fill(0x5a));
    for (const f of [small, large]) expect(pqsign(['sign', f, '--key', key, '--context', 'abcd']).code).toBe(0);
    const verify24 = (backend: string, args: string[]) =>
      spawnSync(N24!, [CLI, 'verify', ...args, '--key', pub], { encoding: 'utf8', env: { ...process.env, PQSIGN_MLDSA_BACKEND: backend } })
        .status;
    for (const backend of ['native', 'portable']) {
      expect(verify24(backend, [small, large, '--context', 'abcd']), backend).toBe(0);
      expect(verify24(backend, [small, '--context', 'abce']), `${backend} wrong context`).toBe(1);
      expect(verify24(backend, [small]), `${backend} no context`).toBe(1);
    }
    writeFileSync(small, 'firmware 1.2.4\n');
    for (const backend of ['native', 'portable']) expect(verify24(backend, [small, '--context', 'abcd']), `${backend} tampered`).toBe(1);
  });
});
