// One unit of batch verification, in a form that crosses a worker_threads boundary: plain data in
// (paths, context bytes, the expected key fingerprint, the trust rules or policy), plain data out. The same
// function runs in-process for a single file and inside each worker, so both paths share every check.
import type { OptionsByFormat } from '../pipeline/format.js';
import { PqsignError, isPqsignError, type ErrorCode, opt } from '../base/errors.js';
import { paramByName, type ParamName } from '../mldsa/params.js';
import type { Policy } from '../policy/policy.js';
import { untrusted, type TrustRules } from '../policy/rules.js';
import type { RemoteMuVerifier } from '../mldsa/signer.js';
import { verifyPath, type VerifyOutcome } from '../pipeline/verify.js';
import type { BackendChoice } from '../mldsa/mldsa.js';

export interface VerifyJob {
  /** the input as named to the user: a container, or an artifact with a detached signature */
  file: string;
  sig?: string | undefined;
  payload?: string | undefined;
  format?: string | undefined;
  context: Uint8Array;
  /** expected key fingerprint (manifest entries): selects the key and must be the key that verified */
  pin?: string | undefined;
  /** manifest "product": selects the policy scope */
  product?: string | undefined;
}

/** What every job of a batch shares: the trust rules (or a policy to pick them from) and the parsed options. */
export interface VerifyShared {
  /** command-line trust inputs; ignored when `policy` is given */
  rules: TrustRules;
  policy?: Policy | undefined;
  /** --scope: the policy scope every job uses */
  scope?: string | undefined;
  /** each format's options, by format name */
  formatOptions: OptionsByFormat;
  /** plugin modules (URLs) the worker threads load, so they know the same formats as this thread */
  plugins?: readonly string[] | undefined;
  /** the ML-DSA back-end choice of the starting thread (src/mldsa/mldsa.ts), set by the batch for its workers */
  mldsaBackend?: BackendChoice | undefined;
}

/** The rules one job is held to: its policy scope's, or the command line's (picomatch loads only for a policy). */
export async function rulesFor(job: VerifyJob, shared: VerifyShared): Promise<TrustRules> {
  if (!shared.policy) return shared.rules;
  const { scopeFor } = await import('../policy/match.js');
  let scope = scopeFor(shared.policy, { path: job.file, product: job.product, scope: shared.scope }).rules;
  // command-line additions that only tighten (--min-monotonic-count, --crl)
  const min = shared.rules.minMonotonicCount;
  if (min !== undefined && (scope.minMonotonicCount === undefined || BigInt(scope.minMonotonicCount) < BigInt(min)))
    scope = { ...scope, minMonotonicCount: min };
  if (shared.rules.crls?.length) {
    if (!scope.anchors.length)
      throw untrusted(
        scope,
        'revocation',
        `revocation checking (${opt('crls')}) needs a certificate path, but the scope names no trustAnchors`,
        job.file,
      );
    scope = { ...scope, crls: [...(scope.crls ?? []), ...shared.rules.crls] };
  }
  return scope;
}

export async function runVerifyJob(job: VerifyJob, shared: VerifyShared, verifier?: RemoteMuVerifier): Promise<VerifyOutcome> {
  const policy = shared.scope === undefined ? shared.policy : undefined; // --scope: one scope for everything
  const scopeOf = policy && (await import('../policy/match.js')).scopeByPath;
  return verifyPath(job.file, {
    rules: await rulesFor(job, shared),
    sig: job.sig,
    payload: job.payload,
    format: job.format,
    context: job.context,
    formatOptions: shared.formatOptions,
    pin: job.pin,
    verifier,
    scopeOf: scopeOf && ((path) => scopeOf(policy!, path)?.name),
  });
}

// ---- results across the thread boundary (ParamSet and PqsignError do not survive structured clone) ----

export type WireOutcome = Omit<VerifyOutcome, 'params'> & { alg: ParamName };
export type WireError = {
  code?: ErrorCode;
  message: string;
  file?: string | undefined;
  detail?: string | undefined;
  scope?: string | undefined;
  option?: string | undefined;
};

export const toWireOutcome = ({ params, ...rest }: VerifyOutcome): WireOutcome => ({ ...rest, alg: params.name });
export const fromWireOutcome = ({ alg, ...rest }: WireOutcome): VerifyOutcome => ({ ...rest, params: paramByName(alg)! });

export function toWireError(e: unknown): WireError {
  if (isPqsignError(e)) return { code: e.code, message: e.message, file: e.file, detail: e.detail, scope: e.scope, option: e.option };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function fromWireError(w: WireError): Error {
  return w.code
    ? new PqsignError(w.code, w.message, { file: w.file, detail: w.detail, scope: w.scope, option: w.option })
    : new Error(w.message);
}
