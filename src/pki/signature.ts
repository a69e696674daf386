// ML-DSA signatures on X.509 structures (certificates, PKCS#10 requests): RFC 9881 §3 — signatureAlgorithm
// id-ml-dsa-* with parameters absent; pure ML-DSA over the DER of the signed structure, empty context.
import { computeMu } from '../mu.js';
import { verifyMu } from '../mldsa.js';
import { paramByOid } from '../params.js';
import type { PublicKey } from '../keys/spki.js';
import type { AlgorithmId } from './certificate.js';

/** Why the signature is not acceptable, or undefined when it verifies. */
export function mlDsaSignatureProblem(tbs: Uint8Array, alg: AlgorithmId, signature: Uint8Array, key: PublicKey): string | undefined {
  const params = paramByOid(alg.oid);
  if (!params) return `signature algorithm ${alg.oid} is not ML-DSA`;
  if (!alg.paramsAbsent) return `${params.name} signature algorithm has parameters (RFC 9881 §2 requires them absent)`;
  if (params !== key.params) return `signed with ${params.name} but the issuer key is ${key.params.name}`;
  if (!verifyMu(params, key.publicKey, computeMu(params, key.publicKey, tbs), signature)) return 'signature does not verify with the issuer key';
  return undefined;
}
