// What every bench row gets: the sizes for this mode (full or --smoke), a scratch directory in
// os.tmpdir() (removed at the end), a key pair, cached input files, and ways to run pqsign and others.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureOk, type Measured } from './measure.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface Sizes {
  /** the large input of the throughput rows (1 GiB) */
  big: number;
  /** inputs of the memory rows (256 MiB, 1 GiB, 4 GiB) */
  rss: number[];
  batchFiles: number;
  batchFileSize: number;
  attestSubjects: number;
  /** files signed through the local KMS in the KMS batch row */
  kmsFiles: number;
  /** runs per timed measurement (the median is reported) */
  reps: number;
  /** runs per measurement of the ratio rows near their targets (μ, sign per format): steadier medians */
  ratioReps: number;
  startupRuns: number;
  /** alternating (default, --jobs 1) pairs in the batch row's small-batch comparison */
  pairs: number;
  /** verifications per thread in the batch row's scaling ceiling (bench/lib/verify-scaling.ts) */
  scalingVerifications: number;
}

export const FULL: Sizes = {
  big: GiB,
  rss: [256 * MiB, GiB, 4 * GiB],
  batchFiles: 2000,
  batchFileSize: 64 * 1024,
  attestSubjects: 10_000,
  kmsFiles: 500,
  reps: 3,
  ratioReps: 5,
  startupRuns: 21,
  pairs: 6,
  scalingVerifications: 1000,
};
export const SMOKE: Sizes = {
  big: 8 * MiB,
  rss: [MiB, 4 * MiB, 16 * MiB],
  batchFiles: 24,
  batchFileSize: 64 * 1024,
  attestSubjects: 200,
  kmsFiles: 16,
  reps: 1,
  ratioReps: 1,
  startupRuns: 3,
  pairs: 1,
  scalingVerifications: 20,
};

export type FileKind = 'data' | 'sparse';

export class BenchContext {
  readonly root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
  readonly cli = join(this.root, 'dist', 'cli', 'pqsign.js');
  readonly node = process.execPath;
  readonly cores = availableParallelism();
  readonly tmp = mkdtempSync(join(tmpdir(), 'pqsign-bench-'));
  readonly key = join(this.tmp, 'bench.key.pem');
  readonly pub = join(this.tmp, 'bench.pub.pem');
  private readonly files = new Map<string, Promise<string>>();

  constructor(
    readonly sizes: Sizes,
    readonly smoke: boolean,
    readonly log: (line: string) => void,
  ) {}

  async init(): Promise<void> {
    await this.pqsign(['keygen', '--alg', 'ML-DSA-65', '--out', this.key, '--pub', this.pub]);
  }

  cleanup(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Run the built CLI under this Node (or another binary), measured; must succeed. */
  pqsign(args: string[], opts: { node?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measured> {
    return measureOk(opts.node ?? this.node, [this.cli, ...args], { isNode: true, env: opts.env });
  }

  /**
   * An input of `size` bytes, made once per run. 'data': pseudo-random bytes, written (so reads come from
   * the page cache, as for both sides of every comparison); 'sparse': a hole, for memory rows at sizes
   * the disk need not hold (reads return zeros at page-cache speed; hashing costs the same).
   */
  file(size: number, kind: FileKind = 'data'): Promise<string> {
    const id = `${kind}-${size}`;
    let p = this.files.get(id);
    if (!p) {
      p = this.makeFile(join(this.tmp, `${id}.bin`), size, kind);
      this.files.set(id, p);
    }
    return p;
  }

  private async makeFile(path: string, size: number, kind: FileKind): Promise<string> {
    const fh = await open(path, 'w');
    try {
      if (kind === 'sparse') await fh.truncate(size);
      else {
        const { randomFillSync } = await import('node:crypto');
        const block = randomFillSync(Buffer.alloc(Math.min(size, 4 * MiB)));
        for (let off = 0; off < size; off += block.length) {
          block[0] = off & 0xff; // no two blocks alike
          await fh.write(block, 0, Math.min(block.length, size - off), off);
        }
      }
    } finally {
      await fh.close();
    }
    return path;
  }

  /** Run a command to completion (setup steps, not measured). */
  exec(cmd: string, args: string[]): Promise<string> {
    return new Promise((res, rej) => {
      const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('error', rej);
      p.on('close', (code) => (code === 0 ? res(out) : rej(new Error(`${cmd} exited ${code}: ${err.trim()}`))));
    });
  }
}

/** Human units used in every row. */
export const fmt = {
  ms: (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`),
  rate: (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`,
  size: (bytes: number) => (bytes >= GiB ? `${bytes / GiB} GiB` : bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`),
  mb: (mb: number | undefined) => (mb === undefined ? 'n/a' : `${mb.toFixed(0)} MB`),
  ratio: (x: number) => `${x.toFixed(2)}×`,
};
