// Signatures on X.509 structures (certificates, PKCS#10 requests, CRLs). ML-DSA: RFC 9881 §3 —
// signatureAlgorithm id-ml-dsa-* with parameters absent; pure ML-DSA over the DER of the signed structure,
// empty context. Composite ML-DSA (draft-ietf-lamps-pq-composite-sigs §4, §6): the composite OID with
// parameters absent; the composite signature over M = the DER of the signed structure, ctx empty.
import { compositeByOid } from '../composite/params.js';
import { compositePublicKey } from '../composite/keys.js';
import { compositeMessage } from '../composite/message.js';
import { isCompositeSigner, type CompositeSigner } from '../composite/signer.js';
import { verifyComposite } from '../composite/verify.js';
import { computeMu } from '../mldsa/mu.js';
import { verifyMu } from '../mldsa/mldsa.js';
import { paramByOid } from '../mldsa/params.js';
import { signMuChecked, type Signer } from '../mldsa/signer.js';
import type { PublicKey } from '../keys/spki.js';
import type { AlgorithmId } from './certificate.js';

/** Why the signature is not acceptable, or undefined when it verifies; `key` may be ML-DSA or composite. */
export function mlDsaSignatureProblem(tbs: Uint8Array, alg: AlgorithmId, signature: Uint8Array, key: PublicKey): string | undefined {
  const composite = compositeByOid(alg.oid);
  const params = composite ? undefined : paramByOid(alg.oid);
  const name = composite?.name ?? params?.name;
  if (!name) return `signature algorithm ${alg.oid} is not ML-DSA or composite ML-DSA`;
  if (!alg.paramsAbsent)
    return `${name} signature algorithm has parameters (${composite ? 'draft-ietf-lamps-pq-composite-sigs' : 'RFC 9881 §2'} requires them absent)`;
  const keyName = key.composite?.name ?? key.params.name;
  if (composite ? composite !== key.composite : params !== key.params || key.composite)
    return `signed with ${name} but the issuer key is ${keyName}`;
  const ok = composite
    ? verifyComposite(compositePublicKey(composite, key.publicKey), compositeMessage(composite, tbs), signature)
    : verifyMu(params!, key.publicKey, computeMu(params!, key.publicKey, tbs), signature);
  return ok ? undefined : 'signature does not verify with the issuer key';
}

/** The signer's key as a certificate would hold it. */
export const signerKey = (signer: Signer | CompositeSigner): PublicKey =>
  isCompositeSigner(signer)
    ? { params: signer.params, publicKey: signer.publicKey, composite: signer.alg }
    : { params: signer.params, publicKey: signer.publicKey };

/** The signatureAlgorithm OID (parameters absent) and the signature of `tbs`, checked before it is returned. */
export async function signStructure(signer: Signer | CompositeSigner, tbs: Uint8Array): Promise<{ oid: string; signature: Uint8Array }> {
  if (isCompositeSigner(signer)) return { oid: signer.alg.oid, signature: await signer.sign(compositeMessage(signer.alg, tbs)) };
  return { oid: signer.params.oid, signature: await signMuChecked(signer, computeMu(signer.params, signer.publicKey, tbs)) };
}
