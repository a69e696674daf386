// How KMS clients retry and time out, set by the caller (the CLI reads AWS_MAX_ATTEMPTS and
// PQSIGN_KMS_TIMEOUT_MS); the library reads no environment of its own. Kept apart from client.ts so that
// setting them never loads the AWS SDK.
import { PqsignError, opt } from '../base/errors.js';

export interface KmsClientSettings {
  /** attempts per request: retries for throttling, 5xx and network errors (SDK standard mode, backoff with jitter) */
  maxAttempts?: number | undefined;
  /** per-attempt limit in milliseconds; a KMS Sign normally answers in tens of milliseconds */
  requestTimeoutMs?: number | undefined;
}

export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

let current: Required<KmsClientSettings> = { maxAttempts: DEFAULT_MAX_ATTEMPTS, requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS };

/** Settings for KMS clients opened from now on; an absent value keeps its default. */
export function setKmsClientSettings(s: KmsClientSettings): void {
  for (const name of ['maxAttempts', 'requestTimeoutMs'] as const) {
    const v = s[name];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1))
      throw new PqsignError('ERR_USAGE', `${opt(name)} must be a positive integer, got ${String(v)}`, { option: name });
  }
  current = { maxAttempts: s.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, requestTimeoutMs: s.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
}

export const kmsClientSettings = (): Readonly<Required<KmsClientSettings>> => current;
