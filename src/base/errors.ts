// Errors callers branch on by `code` (never by message): the codes are stable API. How a code becomes an
// exit status, and how an error is shown on a terminal, is the CLI's business (bin/exit-codes.ts, bin/errors.ts).

export const ERROR_CODES = [
  'ERR_USAGE',
  'ERR_FILE', // missing, unreadable, a directory, ...
  'ERR_KEY_FORMAT', // malformed or unsupported key encoding
  'ERR_KEY_MISMATCH', // seed and expanded key disagree; key does not match expectation
  'ERR_PASSPHRASE', // missing or wrong passphrase
  'ERR_SIGNATURE_FORMAT', // malformed signature or container
  'ERR_MANIFEST', // malformed release manifest (docs/batch.md)
  'ERR_ALGORITHM', // algorithm or parameter set mismatch
  'ERR_CONTEXT', // context string too long / not allowed
  'ERR_SIGNATURE_INVALID', // cryptographic verification failed
  'ERR_CLAIMS', // JWT claim checks failed
  'ERR_CHAIN', // certificate path validation failed
  'ERR_REVOKED', // a certificate on the path is revoked (a current CRL from its issuer lists it)
  'ERR_UNTRUSTED', // signed, but not by the keys, anchors, identities or formats the trust inputs name
  'ERR_ROLLBACK', // a firmware image's monotonic count is below the minimum (anti-rollback)
  'ERR_POLICY', // malformed trust policy file (docs/verification.md)
  'ERR_PLUGIN', // a plugin module failed to load or registers a malformed format or key scheme
  'ERR_SUBJECT', // attestation subject mismatch
  'ERR_SIGNER', // signer produced a bad signature or failed
  'ERR_TSA', // the time-stamp authority failed, refused, or answered with an unusable token
  'ERR_KMS', // KMS failure (message carries the KMS error name)
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export interface PqsignErrorOptions {
  file?: string | undefined;
  detail?: string | undefined;
  scope?: string | undefined;
  option?: string | undefined;
  cause?: unknown;
}

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
  /** the option the problem is about, by its library name (e.g. 'monotonicCount'), when there is one */
  readonly option: string | undefined;

  constructor(code: ErrorCode, message: string, opts: PqsignErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PqsignError';
    this.code = code;
    this.file = opts.file;
    this.detail = opts.detail;
    this.scope = opts.scope;
    this.option = opts.option;
    Object.defineProperty(this, BRAND, { value: true });
  }

  withFile(file: string): PqsignError {
    if (this.file) return this;
    return new PqsignError(this.code, this.message, {
      file,
      detail: this.detail,
      scope: this.scope,
      option: this.option,
      cause: this.cause,
    });
  }
}

export const isPqsignError = (e: unknown): e is PqsignError =>
  e instanceof PqsignError ||
  (e instanceof Error &&
    (e as unknown as Record<symbol, unknown>)[BRAND] === true &&
    typeof (e as PqsignError).code === 'string' &&
    KNOWN_CODES.has((e as PqsignError).code));

/** Run `f`; a PqsignError it throws that names no file is given `file` (the container being read). */
export async function inFile<T>(file: string, f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(file) : e;
  }
}

/**
 * An option named in a message, by its library name, optionally with a value: `monotonicCount`,
 * `format: uefi`. Messages never name CLI flags; the CLI renders these mentions as its flags
 * (--monotonic-count, --format uefi: bin/errors.ts).
 */
export const opt = (name: string, value?: string): string => `\`${value === undefined ? name : `${name}: ${value}`}\``;
