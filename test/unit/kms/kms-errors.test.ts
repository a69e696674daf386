// KMS failures become ERR_KMS (exit 3) with the error's name as detail, decided by the name alone.
import { describe, expect, it } from 'vitest';
import { DisabledException, InvalidKeyUsageException, KMSInvalidSignatureException } from '@aws-sdk/client-kms';
import { kmsErrorName, kmsFailure } from '../../../src/kms/errors.js';
import { PqsignError } from '../../../src/base/errors.js';
import { exitOf } from '../../../bin/exit-codes.js';

const meta = (attempts = 1) => ({ httpStatusCode: 400, attempts, totalRetryDelay: 0 });

describe('KMS error mapping', () => {
  it('names modelled KMS errors, generic service errors, network errors and timeouts', () => {
    expect(kmsErrorName(new DisabledException({ message: 'x is disabled.', $metadata: meta() }))).toBe('DisabledException');
    const denied = Object.assign(new Error('User: arn:aws:iam::1:user/ci is not authorized to perform: kms:Sign'), {
      name: 'AccessDeniedException',
      $metadata: meta(),
    });
    expect(kmsErrorName(denied)).toBe('AccessDeniedException');
    expect(kmsErrorName(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(kmsErrorName(Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ETIMEDOUT' }))).toBe('TimeoutError');
    expect(kmsErrorName('weird')).toBe('Error');
  });

  it('makes one line with the operation, the reference, the attempts and the KMS error', () => {
    const e = kmsFailure(new InvalidKeyUsageException({ message: 'not for signing', $metadata: meta(3) }), 'Sign', 'awskms:///alias/a');
    expect(e).toBeInstanceOf(PqsignError);
    expect(e).toMatchObject({ code: 'ERR_KMS', detail: 'InvalidKeyUsageException' });
    expect(exitOf(e)).toBe(3);
    expect(e.message).toBe('KMS Sign failed for awskms:///alias/a (after 3 attempts): InvalidKeyUsageException: not for signing');
    // KMS sends KMSInvalidSignatureException without a message; the SDK then says "UnknownError".
    const bare = kmsFailure(new KMSInvalidSignatureException({ message: 'UnknownError', $metadata: meta() }), 'Verify', 'awskms:///k');
    expect(bare.message).toBe('KMS Verify failed for awskms:///k: KMSInvalidSignatureException');
    const already = new PqsignError('ERR_USAGE', 'bad ref');
    expect(kmsFailure(already, 'Sign', 'r')).toBe(already);
  });
});
