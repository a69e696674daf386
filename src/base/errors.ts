// Errors callers branch on by `code` (never by message). Exit codes are part of the CLI contract:
// 0 ok, 1 signature invalid, 2 usage/input error, 3 signer or back-end failure.
import { displayPath } from './fspath.js';

export const EXIT = { OK: 0, INVALID: 1, INPUT: 2, BACKEND: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | 'ERR_USAGE'
  | 'ERR_FILE' // missing, unreadable, a directory, ...
  | 'ERR_KEY_FORMAT' // malformed or unsupported key encoding
  | 'ERR_KEY_MISMATCH' // seed and expanded key disagree; key does not match expectation
  | 'ERR_PASSPHRASE' // missing or wrong passphrase
  | 'ERR_SIGNATURE_FORMAT' // malformed signature or container
  | 'ERR_MANIFEST' // malformed release manifest (docs/batch.md)
  | 'ERR_ALGORITHM' // algorithm or parameter set mismatch
  | 'ERR_CONTEXT' // context string too long / not allowed
  | 'ERR_SIGNATURE_INVALID' // cryptographic verification failed
  | 'ERR_CLAIMS' // JWT claim checks failed
  | 'ERR_CHAIN' // certificate path validation failed
  | 'ERR_REVOKED' // a certificate on the path is revoked (a current CRL from its issuer lists it)
  | 'ERR_UNTRUSTED' // signed, but not by the keys, anchors, identities or formats the trust inputs name
  | 'ERR_ROLLBACK' // a firmware image's monotonic count is below the minimum (anti-rollback)
  | 'ERR_POLICY' // malformed trust policy file (docs/verification.md)
  | 'ERR_PLUGIN' // a plugin module failed to load or registers a malformed format or key scheme
  | 'ERR_SUBJECT' // attestation subject mismatch
  | 'ERR_SIGNER' // signer produced a bad signature or failed
  | 'ERR_TSA' // the time-stamp authority failed, refused, or answered with an unusable token
  | 'ERR_KMS'; // KMS failure (message carries the KMS error name)

const EXIT_BY_CODE: Record<ErrorCode, ExitCode> = {
  ERR_USAGE: EXIT.INPUT,
  ERR_FILE: EXIT.INPUT,
  ERR_KEY_FORMAT: EXIT.INPUT,
  ERR_KEY_MISMATCH: EXIT.INPUT,
  ERR_PASSPHRASE: EXIT.INPUT,
  ERR_SIGNATURE_FORMAT: EXIT.INPUT,
  ERR_MANIFEST: EXIT.INPUT,
  ERR_ALGORITHM: EXIT.INPUT,
  ERR_CONTEXT: EXIT.INPUT,
  ERR_SIGNATURE_INVALID: EXIT.INVALID,
  ERR_CLAIMS: EXIT.INVALID,
  ERR_CHAIN: EXIT.INVALID,
  ERR_REVOKED: EXIT.INVALID,
  ERR_UNTRUSTED: EXIT.INVALID,
  ERR_ROLLBACK: EXIT.INVALID,
  ERR_POLICY: EXIT.INPUT,
  ERR_PLUGIN: EXIT.INPUT,
  ERR_SUBJECT: EXIT.INVALID,
  ERR_SIGNER: EXIT.BACKEND,
  ERR_TSA: EXIT.BACKEND,
  ERR_KMS: EXIT.BACKEND,
};

// Marks pqsign's errors across module instances: a plugin imports PqsignError from the `pqsign` package,
// which is another copy of this class than the CLI bundle's, so `instanceof` alone would not know it.
const BRAND = Symbol.for('pqsign.PqsignError');

export class PqsignError extends Error {
  readonly code: ErrorCode;
  /** the file the problem is about, when there is one */
  readonly file: string | undefined;
  /** extra machine-readable detail (e.g. the KMS error name, the trust rule that failed) */
  readonly detail: string | undefined;
  /** the trust-policy scope that decided, when a policy was in force */
  readonly scope: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { file?: string | undefined; detail?: string | undefined; scope?: string | undefined; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PqsignError';
    this.code = code;
    this.file = opts.file;
    this.detail = opts.detail;
    this.scope = opts.scope;
    Object.defineProperty(this, BRAND, { value: true });
  }

  get exitCode(): ExitCode {
    return EXIT_BY_CODE[this.code];
  }

  /** One line for stderr: "file: problem" (bytes of a name that are not UTF-8 shown as \xNN). */
  get line(): string {
    return this.file ? `${displayPath(this.file)}: ${this.message}` : this.message;
  }

  withFile(file: string): PqsignError {
    if (this.file) return this;
    return new PqsignError(this.code, this.message, { file, detail: this.detail, scope: this.scope, cause: this.cause });
  }
}

export const isPqsignError = (e: unknown): e is PqsignError =>
  e instanceof PqsignError || (e instanceof Error && (e as unknown as Record<symbol, unknown>)[BRAND] === true && typeof (e as PqsignError).code === 'string' && (e as PqsignError).code in EXIT_BY_CODE);

/** Run `f`; a PqsignError it throws that names no file is given `file` (the container being read). */
export async function inFile<T>(file: string, f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(file) : e;
  }
}

/** Worst exit code of several outcomes (1 < 2 < 3 by severity, 0 best). */
export function worstExit(codes: Iterable<number>): number {
  let worst = 0;
  for (const c of codes) if (c > worst) worst = c;
  return worst;
}
