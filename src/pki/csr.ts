// PKCS#10 certification requests (RFC 2986) with ML-DSA or composite ML-DSA keys: the subject's key signs its
// own request through external μ (or M'), so a key that lives in KMS can be certified without ever leaving it.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PqsignError } from '../base/errors.js';
import { TAG, derUint, tlv } from '../asn1/der.js';
import type { CompositeSigner } from '../composite/signer.js';
import type { Signer } from '../mldsa/signer.js';
import { encodePublicKey, parseSpki, type PublicKey } from '../keys/spki.js';
import { algorithmId } from './certificate.js';
import { formatName } from './name.js';
import { mlDsaSignatureProblem, signStructure, signerKey } from './signature.js';

export async function createCsr(signer: Signer | CompositeSigner, subjectDer: Uint8Array): Promise<Uint8Array> {
  // CertificationRequestInfo ::= SEQUENCE { version 0, subject, subjectPKInfo, attributes [0] } —
  // attributes is required but may be empty (RFC 2986 §4.1).
  const tbs = tlv(TAG.SEQUENCE, derUint(0), subjectDer, encodePublicKey(signerKey(signer)), tlv(TAG.CTX0_CONS));
  const csr = new pkijs.CertificationRequest();
  const { oid, signature } = await signStructure(signer, tbs);
  csr.tbsView = tbs;
  csr.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: oid });
  csr.signatureValue = new asn1js.BitString({ valueHex: signature });
  return new Uint8Array(csr.toSchema(false).toBER());
}

export interface ParsedCsr {
  subjectDer: Uint8Array;
  subject: string;
  publicKey: PublicKey;
}

/** Parse a request and check its self-signature (proof of possession) before anything is issued from it. */
export function parseCsr(der: Uint8Array, label: string): ParsedCsr {
  const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why, { file: label });
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || asn.offset !== der.length) throw bad('not a DER certification request');
  let csr: pkijs.CertificationRequest;
  try {
    csr = new pkijs.CertificationRequest({ schema: asn.result });
  } catch (e) {
    throw bad(`not a PKCS#10 certification request (${e instanceof Error ? e.message : String(e)})`);
  }
  const [info, sigAlg] = (asn.result as asn1js.Sequence).valueBlock.value;
  const [, subjectB, spkiB] = (info as asn1js.Sequence).valueBlock.value;
  const subjectDer = new Uint8Array(subjectB!.valueBeforeDecodeView);
  const publicKey = parseSpki(new Uint8Array(spkiB!.valueBeforeDecodeView), { composite: true });
  const problem = mlDsaSignatureProblem(
    new Uint8Array(info!.valueBeforeDecodeView),
    algorithmId(sigAlg!, 'signatureAlgorithm', 'ERR_KEY_FORMAT'),
    new Uint8Array(csr.signatureValue.valueBlock.valueHexView),
    publicKey,
  );
  if (problem)
    throw new PqsignError('ERR_SIGNATURE_INVALID', `certification request: ${problem.replace('issuer key', 'requested key')}`, {
      file: label,
    });
  return { subjectDer, subject: formatName(subjectDer), publicKey };
}
