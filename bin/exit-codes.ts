// Exit codes are the CLI's contract (README "Error codes"): 0 ok, 1 signature invalid, 2 usage or input
// error, 3 signer or back-end failure. The library reports stable error codes only; this table is where
// the CLI turns them into exit statuses.
import { isPqsignError, type ErrorCode } from '../src/base/errors.js';
import type { Settled } from '../src/base/pool.js';

export const EXIT = { OK: 0, INVALID: 1, INPUT: 2, BACKEND: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_BY_CODE: Readonly<Record<ErrorCode, ExitCode>> = {
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

/** The exit status for an error: its code's, or 3 for anything that is not a PqsignError (a bug, an environment failure). */
export function exitOf(e: unknown): ExitCode {
  return isPqsignError(e) ? EXIT_BY_CODE[e.code] : EXIT.BACKEND;
}

export const exitOfSettled = (r: Settled<unknown>): number => (r.ok ? EXIT.OK : exitOf(r.error));

/** Worst exit code of several outcomes (1 < 2 < 3 by severity, 0 best). */
export function worstExit(codes: Iterable<number>): number {
  let worst = 0;
  for (const c of codes) if (c > worst) worst = c;
  return worst;
}
