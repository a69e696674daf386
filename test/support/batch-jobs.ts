// The steps behind `pqsign sign FILE... [--manifest-out M]` and `pqsign verify --manifest M | --recursive DIR`,
// in this process (bin/commands/sign.ts and verify.ts call the same functions): sign files, write a release
// manifest, plan the verify jobs, and judge each job as one line of `verify --json` would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryFor, manifestLine, readManifest } from '../../src/batch/manifest.js';
import { manifestJobs as jobsOfManifest, treeJobs as jobsOfTree } from '../../src/batch/jobs.js';
import { runVerifyJob, type VerifyJob } from '../../src/batch/verify-job.js';
import { fromHex } from '../../src/base/bytes.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import type { FormatOptions } from '../../src/pipeline/format.js';
import { formatByName } from '../../src/pipeline/registry.js';
import { signFile, type SignResult } from '../../src/pipeline/sign.js';
import type { TrustRules } from '../../src/policy/rules.js';
import { keyRules } from './inproc.js';

/** `pqsign sign FILE... --key KEY [--format F] [--context HEX] [--passphrase-file P]`, one signer for all. */
export async function signMany(
  files: string[],
  key: string,
  o: { format?: string; context?: string; passphrase?: string; options?: FormatOptions } = {},
): Promise<SignResult[]> {
  const format = formatByName(o.format ?? 'raw');
  const signer = await loadAnySigner(key, o.passphrase === undefined ? {} : { passphrase: async () => o.passphrase! });
  try {
    const out: SignResult[] = [];
    for (const f of files)
      out.push(await signFile(f, f + format.suffix, format, signer, { context: fromHex(o.context ?? ''), formatOptions: o.options ?? {} }));
    return out;
  } finally {
    await signer.close?.();
  }
}

/** n small distinct files under `at` (fw-00.bin, ...), signed with `key`; their paths. */
export async function signedFiles(at: string, n: number, key: string, o: Parameters<typeof signMany>[2] = {}): Promise<string[]> {
  mkdirSync(at, { recursive: true });
  const files = Array.from({ length: n }, (_, i) => join(at, `fw-${String(i).padStart(2, '0')}.bin`));
  files.forEach((f, i) => writeFileSync(f, `image ${i} of ${at}\n`.repeat(50 + i)));
  await signMany(files, key, o);
  return files;
}

/** `sign ... [--context HEX] --manifest-out M`: the manifest of these results (as the CLI writes it when all were signed). */
export function writeManifest(manifest: string, results: SignResult[], o: { context?: string; options?: FormatOptions } = {}): void {
  const embedded = results.length > 0 && formatByName(results[0]!.format).embedsPayload(o.options ?? {});
  writeFileSync(manifest, results.map((r) => manifestLine(entryFor(manifest, r, embedded, fromHex(o.context ?? '')))).join(''));
}

/** `--key A --key B ...`: one key set. */
export async function keySet(...refs: string[]): Promise<TrustRules> {
  const keys = (await Promise.all(refs.map(keyRules))).flatMap((r) => r.keys);
  return { keys, anchors: [] };
}

/** The jobs of `verify --manifest M` (src/batch/jobs.ts, as the CLI plans them). */
export async function manifestJobs(manifest: string): Promise<VerifyJob[]> {
  return jobsOfManifest(await readManifest(manifest));
}

/** The jobs of `verify --recursive DIR` (no --context, no --format). */
export function treeJobs(dir: string): Promise<VerifyJob[]> {
  return jobsOfTree(dir, new Uint8Array(0));
}

export interface JobLine {
  file: string;
  ok: boolean;
  code?: string;
  message?: string;
  keyFingerprint?: string;
}

/** Each job judged under `rules`, as the lines of `verify --json` (error code and message instead of exit codes). */
export async function judge(jobs: VerifyJob[], rules: TrustRules): Promise<JobLine[]> {
  const lines: JobLine[] = [];
  for (const job of jobs) {
    try {
      const v = await runVerifyJob(job, { rules, formatOptions: {} });
      lines.push({ file: job.file, ok: true, keyFingerprint: v.keyFingerprint });
    } catch (e) {
      const { code, message } = e as { code?: unknown; message: string };
      if (typeof code !== 'string') throw e;
      lines.push({ file: job.file, ok: false, code, message });
    }
  }
  return lines;
}
