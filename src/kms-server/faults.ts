// Fault injection, for testing pipelines against a KMS that is slow, throttles or breaks:
// a fixed latency before every answer, ThrottlingException (HTTP 400, retried by SDKs with
// backoff) and KMSInternalException (HTTP 500, retried as a server error) with given probabilities.
import { setTimeout as sleep } from 'node:timers/promises';
import { KmsServiceError } from './errors.js';

export interface Faults {
  /** added to every response, milliseconds */
  latencyMs: number;
  /** probability in [0, 1] that an authenticated request is throttled */
  throttleRate: number;
  /** probability in [0, 1] that an authenticated request fails with an internal error */
  failRate: number;
}

export const NO_FAULTS: Faults = { latencyMs: 0, throttleRate: 0, failRate: 0 };

export function checkFaults(f: Faults): Faults {
  const rate = (name: string, v: number) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${v}`);
  };
  if (!(f.latencyMs >= 0 && Number.isFinite(f.latencyMs)))
    throw new RangeError(`latency must be a non-negative number of milliseconds, got ${f.latencyMs}`);
  rate('throttle rate', f.throttleRate);
  rate('fail rate', f.failRate);
  return f;
}

export async function delay(f: Faults): Promise<void> {
  if (f.latencyMs > 0) await sleep(f.latencyMs);
}

/** Throws the injected failure for this request, if the dice say so. */
export function injectFailure(f: Faults): void {
  if (f.throttleRate > 0 && Math.random() < f.throttleRate) {
    throw new KmsServiceError(
      'ThrottlingException',
      'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.',
    );
  }
  if (f.failRate > 0 && Math.random() < f.failRate) {
    throw new KmsServiceError(
      'KMSInternalException',
      'The request was rejected because an internal exception occurred. The request can be retried.',
      500,
    );
  }
}
