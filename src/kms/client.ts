// One configured KMSClient per reference. Reached only through lazy imports: the AWS SDK loads
// when an awskms:// reference (or a `pqsign kms` command) is used, never for local keys.
import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { PqsignError } from '../base/errors.js';
import { kmsClientSettings } from './settings.js';

const CONNECTION_TIMEOUT_MS = 10_000;
/** Region for an explicit endpoint when nothing configures one (the local server's default too). */
export const FALLBACK_REGION = 'us-east-1';

export interface KmsTarget {
  /** explicit endpoint URL; undefined = the SDK's configuration (AWS_ENDPOINT_URL_KMS, profiles, the regional endpoint) */
  endpoint: string | undefined;
  /** region an ARN names; undefined = the SDK's configuration */
  region: string | undefined;
}

export async function openKmsClient(target: KmsTarget): Promise<KMSClient> {
  const { maxAttempts, requestTimeoutMs } = kmsClientSettings();
  const config: KMSClientConfig = {
    maxAttempts,
    requestHandler: {
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      requestTimeout: requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.region ? { region: target.region } : {}),
  };
  const client = new KMSClient(config);
  if (target.region) return client;
  const configured = await client.config.region().then(
    () => true,
    () => false,
  );
  if (configured) return client;
  client.destroy();
  // A local endpoint needs no particular region; AWS itself does.
  if (target.endpoint) return new KMSClient({ ...config, region: FALLBACK_REGION });
  throw new PqsignError(
    'ERR_USAGE',
    'no AWS region configured for KMS: set AWS_REGION or a region in your AWS profile, or name the key by its ARN',
  );
}
