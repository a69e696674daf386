// KMS failures → one PqsignError line, exit 3, with the KMS error name in `detail` and in the message.
// Branch on the error's `name` (the AWS error code the SDK puts there), never on its message text.
import { PqsignError, isPqsignError } from '../base/errors.js';

/** Node socket errors carry the reason in `code`, not in `name` (which is just "Error"). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** The name that identifies a KMS / SDK / network failure. */
export function kmsErrorName(e: unknown): string {
  const err = e as { name?: unknown; code?: unknown };
  const name = typeof err?.name === 'string' && err.name ? err.name : 'Error';
  return name === 'Error' && typeof err?.code === 'string' && NETWORK_CODES.has(err.code) ? err.code : name;
}

/**
 * `op` is the KMS operation, `key` the reference it was called for. The SDK has already retried
 * throttling, 5xx and network errors with backoff by the time an error arrives here.
 */
export function kmsFailure(e: unknown, op: string, key: string): PqsignError {
  if (isPqsignError(e)) return e;
  const name = kmsErrorName(e);
  const raw = e instanceof Error ? e.message.trim() : '';
  // KMS sends some errors (KMSInvalidSignatureException) without a message; the SDK then says "UnknownError".
  const text = raw && raw !== name && raw !== 'UnknownError' ? `: ${raw.split('\n')[0]}` : '';
  const attempts = (e as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
  const tries = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new PqsignError('ERR_KMS', `KMS ${op} failed for ${key}${tries}: ${name}${text}`, { detail: name, cause: e });
}
