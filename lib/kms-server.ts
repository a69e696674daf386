/**
 * `pqsign/kms-server`: a KMS-compatible server for ML-DSA (and ECC) signing keys, in-process. The
 * unmodified AWS SDK and AWS CLI talk to it, so pipelines and tests run the KMS code path offline:
 *
 * ```ts
 * const kms = await startKmsServer({ credential: { accessKeyId, secretAccessKey } });
 * // awskms://127.0.0.1:PORT/alias/NAME, with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY set to the credential
 * await kms.close();
 * ```
 * @packageDocumentation
 */
export {
  startKmsServer,
  DEFAULT_REGION,
  DEFAULT_ACCOUNT_ID,
  type KmsServerOptions,
  type RunningKmsServer,
  type Credential,
  type Faults,
} from '../src/kms-server/index.js';
