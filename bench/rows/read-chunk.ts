// Why READ_CHUNK (src/io/read.ts) is what it is: μ over the big input, in this process, at several read
// sizes, against hashing the same number of bytes already in memory (the ceiling: no reads at all).
import { readChunks, READ_CHUNK } from '../../src/io/read.js';
import { MuHasher } from '../../src/mldsa/mu.js';
import { DEFAULT_PARAM } from '../../src/mldsa/params.js';
import { fmt, type BenchContext } from '../lib/context.js';
import type { BenchRow } from './types.js';

const CHUNKS = [256 * 1024, 1024 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024];

const timed = async (fn: () => Promise<void>): Promise<number> => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const readChunkRow: BenchRow = {
  id: 'read-chunk',
  title: 'read size',
  async run(ctx: BenchContext) {
    const size = ctx.sizes.big;
    const file = await ctx.file(size);
    const pk = new Uint8Array(DEFAULT_PARAM.publicKeyBytes);
    const block = Buffer.alloc(4 * 1024 * 1024, 0x5c);
    // interleaved, round by round, so that load changes during the run hit every size alike
    const inMemory: number[] = [];
    const byChunk = new Map<number, number[]>(CHUNKS.map((c) => [c, []]));
    for (let i = 0; i < ctx.sizes.reps; i++) {
      inMemory.push(
        await timed(async () => {
          const h = new MuHasher(DEFAULT_PARAM, pk);
          for (let off = 0; off < size; off += block.length) h.update(block.subarray(0, Math.min(block.length, size - off)));
          h.digest();
        }),
      );
      for (const chunk of CHUNKS) {
        byChunk.get(chunk)!.push(
          await timed(async () => {
            const h = new MuHasher(DEFAULT_PARAM, pk);
            for await (const c of readChunks(file, { chunkSize: chunk })) h.update(c);
            h.digest();
          }),
        );
      }
    }
    const memory = median(inMemory);
    let best = { chunk: 0, ms: Infinity };
    const rates = CHUNKS.map((chunk) => {
      const ms = median(byChunk.get(chunk)!);
      if (ms < best.ms) best = { chunk, ms };
      return `${fmt.size(chunk)}${chunk === READ_CHUNK ? '*' : ''}: ${fmt.rate(size, ms)}`;
    });
    const current = rates.find((r) => r.includes('*'));
    return [
      {
        measurement: `μ of ${fmt.size(size)} in-process by read size (* = READ_CHUNK)`,
        ours: rates.join(', '),
        baseline: `hashing from memory: ${fmt.rate(size, memory)}`,
        ratio: `best ${fmt.size(best.chunk)}: ${fmt.ratio(memory / best.ms)} of memory speed`,
        note: current ? undefined : `READ_CHUNK ${fmt.size(READ_CHUNK)} is not among the sizes tried`,
      },
    ];
  },
};
