// GetPublicKey, checked before anything is signed: the key must be an ML-DSA signing key and the
// SPKI it returns must carry the OID of the key spec KMS reports (RFC 9881 §2).
import { GetPublicKeyCommand, type GetPublicKeyCommandOutput, type KMSClient } from '@aws-sdk/client-kms';
import { PqsignError } from '../base/errors.js';
import { parseSpki, type PublicKey } from '../keys/spki.js';
import type { KmsPublicKey } from './kms-key.js';
import { paramByKmsSpec } from '../mldsa/params.js';
import { kmsFailure } from './errors.js';
import type { KmsRef } from './uri.js';

export const SIGNING_ALGORITHM = 'ML_DSA_SHAKE_256';

// One GetPublicKey per key per run, shared by every signer/verifier opened for the same reference.
const cache = new Map<string, Promise<KmsPublicKey>>();

export function getCheckedPublicKey(client: KMSClient, ref: KmsRef, cacheKey: string): Promise<KmsPublicKey> {
  let p = cache.get(cacheKey);
  if (!p) {
    p = fetchChecked(client, ref);
    cache.set(cacheKey, p);
    p.catch(() => cache.delete(cacheKey));
  }
  return p;
}

async function fetchChecked(client: KMSClient, ref: KmsRef): Promise<KmsPublicKey> {
  let out: GetPublicKeyCommandOutput;
  try {
    out = await client.send(new GetPublicKeyCommand({ KeyId: ref.keyId }));
  } catch (e) {
    throw kmsFailure(e, 'GetPublicKey', ref.ref);
  }
  return checkPublicKey(out, ref.ref);
}

export function checkPublicKey(
  out: Pick<GetPublicKeyCommandOutput, 'KeySpec' | 'KeyUsage' | 'SigningAlgorithms' | 'PublicKey' | 'KeyId'>,
  ref: string,
): KmsPublicKey {
  const params = paramByKmsSpec(out.KeySpec ?? '');
  if (!params)
    throw new PqsignError('ERR_ALGORITHM', `KMS key spec is ${out.KeySpec ?? 'missing'}, not ML_DSA_44, ML_DSA_65 or ML_DSA_87`, {
      file: ref,
    });
  if (out.KeyUsage !== 'SIGN_VERIFY')
    throw new PqsignError('ERR_ALGORITHM', `KMS key usage is ${out.KeyUsage ?? 'missing'}, not SIGN_VERIFY`, { file: ref });
  if (out.SigningAlgorithms && !out.SigningAlgorithms.includes(SIGNING_ALGORITHM)) {
    throw new PqsignError(
      'ERR_ALGORITHM',
      `KMS key does not offer ${SIGNING_ALGORITHM} (it offers ${out.SigningAlgorithms.join(', ') || 'nothing'})`,
      { file: ref },
    );
  }
  const inconsistent = (why: string) =>
    new PqsignError('ERR_KMS', `KMS GetPublicKey returned ${why}`, { file: ref, detail: 'InvalidPublicKey' });
  if (!out.PublicKey || !out.KeyId) throw inconsistent('no public key or key id');
  let spki: PublicKey;
  try {
    spki = parseSpki(out.PublicKey);
  } catch (e) {
    throw inconsistent(`a public key that is not an ML-DSA SubjectPublicKeyInfo (${(e as Error).message})`);
  }
  if (spki.params !== params) throw inconsistent(`an ${spki.params.name} public key, but the key spec is ${out.KeySpec}`);
  return { params, publicKey: spki.publicKey, keyArn: out.KeyId };
}
