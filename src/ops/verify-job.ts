// One unit of batch verification, in a form that crosses a worker_threads boundary: plain data in
// (paths, context bytes, the expected key fingerprint), plain data out. The same function runs in-process
// for a single file and inside each worker, so both paths share every check.
import type { FormatOptions } from '../../formats/types.js';
import { PqsignError, type ErrorCode } from '../errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/spki.js';
import { paramByName, type ParamName } from '../params.js';
import { verifyPath, type VerifyOutcome } from './verify.js';

export interface VerifyJob {
  /** the input as named to the user: a container, or an artifact with a detached signature */
  file: string;
  sig?: string | undefined;
  payload?: string | undefined;
  format?: string | undefined;
  context: Uint8Array;
  /** expected key fingerprint (manifest entries): selects the key and must be the key that verified */
  pin?: string | undefined;
}

/** What every job of a batch shares: resolved public keys (never a REF) and the parsed CLI options. */
export interface VerifyShared {
  keys: WireKey[];
  formatOptions: FormatOptions;
}

export interface WireKey {
  alg: ParamName;
  publicKey: Uint8Array;
}

export const toWireKey = (k: PublicKey): WireKey => ({ alg: k.params.name, publicKey: k.publicKey });

/** Keys of a batch with their fingerprints, computed once per thread. */
export class KeySet {
  private readonly keys: { key: PublicKey; fingerprint: string }[];

  constructor(wire: WireKey[]) {
    this.keys = wire.map((w) => ({ key: { params: paramByName(w.alg)!, publicKey: w.publicKey }, fingerprint: keyFingerprint(w.publicKey) }));
  }

  /** The key a job verifies with: the pinned one when the job pins, else the only one (or none). */
  forJob(job: VerifyJob): PublicKey | undefined {
    if (job.pin === undefined || this.keys.length === 0) return this.keys[0]?.key;
    const k = this.keys.find((x) => x.fingerprint === job.pin);
    if (!k) throw new PqsignError('ERR_KEY_MISMATCH', `the manifest pins key ${job.pin}, which is not one of the --key keys`, { file: job.file });
    return k.key;
  }
}

export async function runVerifyJob(job: VerifyJob, keys: KeySet, formatOptions: FormatOptions): Promise<VerifyOutcome> {
  return verifyPath(job.file, {
    key: keys.forJob(job), sig: job.sig, payload: job.payload, format: job.format, context: job.context, formatOptions, pin: job.pin,
  });
}

// ---- results across the thread boundary (ParamSet and PqsignError do not survive structured clone) ----

export type WireOutcome = Omit<VerifyOutcome, 'params'> & { alg: ParamName };
export type WireError = { code?: ErrorCode; message: string; file?: string | undefined; detail?: string | undefined };

export const toWireOutcome = ({ params, ...rest }: VerifyOutcome): WireOutcome => ({ ...rest, alg: params.name });
export const fromWireOutcome = ({ alg, ...rest }: WireOutcome): VerifyOutcome => ({ ...rest, params: paramByName(alg)! });

export function toWireError(e: unknown): WireError {
  if (e instanceof PqsignError) return { code: e.code, message: e.message, file: e.file, detail: e.detail };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function fromWireError(w: WireError): Error {
  return w.code ? new PqsignError(w.code, w.message, { file: w.file, detail: w.detail }) : new Error(w.message);
}
