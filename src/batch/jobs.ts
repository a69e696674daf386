// The verify jobs of a manifest (each entry's artifact, signature, format, context and pinned key) and of a
// tree (each artifact paired with its signature by the registered formats' suffixes).
import { registeredFormats } from '../pipeline/registry.js';
import type { ResolvedEntry } from './manifest.js';
import { pairTree } from './tree.js';
import type { VerifyJob } from './verify-job.js';

/** One job per manifest entry: the entry's key fingerprint pins the key, its product selects the policy scope. */
export function manifestJobs(entries: readonly ResolvedEntry[]): VerifyJob[] {
  return entries.map((e) => ({
    file: e.artifact,
    sig: e.signature,
    format: e.format,
    context: e.context,
    pin: e.keyFingerprint,
    product: e.product,
  }));
}

/** One job per artifact under `dir` that has a signature beside it (`format` when the caller names one). */
export async function treeJobs(dir: string, context: Uint8Array, format?: string): Promise<VerifyJob[]> {
  const pairs = await pairTree(
    dir,
    registeredFormats().map((f) => f.suffix),
  );
  return pairs.map((p) => ({ file: p.file, format, context }));
}
