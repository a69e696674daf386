// Attest files: collect the subjects, hash them over all cores, build the in-toto Statement (SLSA
// provenance unless a predicate is given), sign PAE with the signer through external μ, and append
// the envelope to the bundle. `attestFiles` is the library entry point (CLI and benchmark).
import { access, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PqsignError, opt } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import type { Signer } from '../mldsa/signer.js';
import { appendLine, DEFAULT_BUNDLE, MAX_LINE_BYTES } from './bundle.js';
import { encodeEnvelope, signEnvelope } from './envelope.js';
import { hashFiles } from './hash-pool.js';
import { isJsonObject } from './json.js';
import { buildProvenance, SLSA_PROVENANCE_V1, validateProvenance, type ProvenanceFlags } from './slsa.js';
import { buildStatement, INTOTO_PAYLOAD_TYPE, type Subject } from './statement.js';
import { collectSubjects } from './subjects.js';
import type { OnProgress } from '../io/progress.js';

export interface AttestOptions {
  /** subject names are relative to this directory (default: the current directory) */
  baseDir?: string | undefined;
  /** walk directories given as subjects */
  recursive?: boolean | undefined;
  /** bundle to append to (default attestation.intoto.jsonl) */
  out?: string | undefined;
  /** required with `predicate`; without it, SLSA provenance v1 */
  predicateType?: string | undefined;
  /** a custom predicate; without it the predicate is SLSA provenance from `env` / `provenance` */
  predicate?: Record<string, unknown> | undefined;
  provenance?: ProvenanceFlags | undefined;
  /** CI environment the SLSA provenance is read from (the CLI passes process.env); default none */
  env?: NodeJS.ProcessEnv | undefined;
  /** hashing worker threads (default: number of CPUs) */
  jobs?: number | undefined;
  /** progress of hashing the subjects */
  onProgress?: OnProgress | undefined;
}

export interface AttestResult {
  output: string;
  subjects: number;
  bytes: number;
  predicateType: string;
  algorithm: string;
  keyid: string;
  envelopeBytes: number;
}

async function checkWritableDir(output: string): Promise<void> {
  try {
    await access(dirname(resolve(output)), constants.W_OK);
  } catch (e) {
    throw new PqsignError('ERR_FILE', `cannot write output (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: output });
  }
}

/** Read a --predicate file: one JSON object. */
export async function readPredicateFile(path: string): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await readSmallFile(path, 'predicate'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PqsignError('ERR_USAGE', `predicate is not JSON (${e instanceof Error ? e.message : String(e)})`, { file: path });
  }
  if (!isJsonObject(json)) throw new PqsignError('ERR_USAGE', 'predicate must be a JSON object', { file: path });
  return json;
}

/** Decide predicateType and predicate before any file is read, so usage errors come first. */
export function resolvePredicate(opts: AttestOptions): { predicateType: string; predicate: Record<string, unknown> } {
  const flagsGiven = Object.values(opts.provenance ?? {}).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
  if (opts.predicate) {
    if (!opts.predicateType)
      throw new PqsignError('ERR_USAGE', `${opt('predicate')} needs ${opt('predicateType')} URI`, { option: 'predicate' });
    if (flagsGiven)
      throw new PqsignError(
        'ERR_USAGE',
        `${opt('builderId')} and the other provenance options describe the SLSA predicate pqsign builds; they cannot be combined with ${opt('predicate')}`,
        { option: 'builderId' },
      );
    if (opts.predicateType === SLSA_PROVENANCE_V1) validateProvenance(opts.predicate);
    return { predicateType: opts.predicateType, predicate: opts.predicate };
  }
  if (opts.predicateType && opts.predicateType !== SLSA_PROVENANCE_V1) {
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('predicateType')} ${opts.predicateType} needs ${opt('predicate')} FILE (without it the predicate is ${SLSA_PROVENANCE_V1})`,
      { option: 'predicateType' },
    );
  }
  return { predicateType: SLSA_PROVENANCE_V1, predicate: buildProvenance(opts.env ?? {}, opts.provenance ?? {}) };
}

export async function attestFiles(args: readonly string[], signer: Signer, opts: AttestOptions = {}): Promise<AttestResult> {
  const { predicateType, predicate } = resolvePredicate(opts);
  const output = opts.out ?? DEFAULT_BUNDLE;
  await checkWritableDir(output); // before hashing and signing: a KMS signature is not spent on a bad --out
  const files = await collectSubjects(args, {
    baseDir: opts.baseDir ?? '.',
    recursive: opts.recursive ?? false,
    exclude: [resolve(output)],
  });
  const hashed = await hashFiles(
    files.map((f) => f.path),
    { jobs: opts.jobs, progressLabel: 'hashing subjects', onProgress: opts.onProgress },
  );
  let bytes = 0;
  const subjects: Subject[] = files.map((f) => {
    const r = hashed.get(f.path)!;
    if (!r.ok) throw r.error; // one unreadable subject fails the attestation: nothing is written
    bytes += r.digests.size;
    return { name: f.name, digest: { sha256: r.digests.sha256, sha512: r.digests.sha512 } };
  });
  const statement = buildStatement(subjects, predicateType, predicate);
  const payload = new TextEncoder().encode(JSON.stringify(statement));
  // refused before signing (a KMS signature is not spent): the base64 payload plus under 8 KiB of the rest
  const lineBytes = 4 * Math.ceil(payload.length / 3) + 8192;
  if (lineBytes > MAX_LINE_BYTES) {
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    throw new PqsignError(
      'ERR_USAGE',
      `${subjects.length} subjects make an envelope of ${mib(lineBytes)}, more than the ${mib(MAX_LINE_BYTES)} verify-attestation accepts: attest fewer files per envelope`,
    );
  }
  const envelope = await signEnvelope(INTOTO_PAYLOAD_TYPE, payload, signer);
  const line = encodeEnvelope(envelope);
  await appendLine(output, line);
  return {
    output,
    subjects: subjects.length,
    bytes,
    predicateType,
    algorithm: signer.params.name,
    keyid: keyFingerprint(signer.publicKey),
    envelopeBytes: line.length,
  };
}
