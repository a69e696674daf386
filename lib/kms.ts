/**
 * `pqsign/kms`: signing keys in AWS KMS (or anything speaking its protocol, such as `pqsign/kms-server`).
 * μ is computed locally; KMS signs it (MessageType EXTERNAL_MU). Key references use cosign's
 * convention: `awskms:///KEY` (the AWS SDK's configuration: credentials chain, `AWS_REGION`, profiles,
 * `AWS_ENDPOINT_URL_KMS`) or `awskms://HOST:PORT/KEY` (an explicit endpoint). docs/kms.md has the details.
 *
 * Importing this module loads the AWS SDK (bundled in pqsign). `pqsign` alone accepts `awskms://`
 * references too, loading the SDK only when one is used.
 * @packageDocumentation
 */
import '../src/kms/register.js';
import { awskmsScheme } from '../src/kms/scheme.js';
import type { PublicKey } from '../src/keys/spki.js';

export { KmsSigner } from '../src/kms/signer.js';
export type { KmsPublicKey } from '../src/kms/kms-key.js';
export { isKmsRef, parseKmsRef, type KmsRef } from '../src/kms/uri.js';
export { setKmsClientSettings, kmsClientSettings, type KmsClientSettings } from '../src/kms/settings.js';
export {
  createKmsKey,
  describeKmsKey,
  changeKeyState,
  setKmsAlias,
  deleteKmsAlias,
  listKmsKeys,
  type CreateKeyOptions,
  type KmsKeyFacts,
  type KeyStateChange,
  type AliasResult,
  type ListOptions,
} from '../src/kms/manage.js';

/** The public key of a KMS key (GetPublicKey, checked: an ML-DSA signing key). */
export const kmsPublicKey = (ref: string): Promise<PublicKey> => awskmsScheme.publicKey(ref, {});
