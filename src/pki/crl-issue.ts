// Issuing X.509 v2 CRLs (RFC 5280 §5) with ML-DSA (RFC 9881 algorithms) or composite ML-DSA
// (draft-ietf-lamps-pq-composite-sigs): the TBSCertList — issuer, thisUpdate, nextUpdate, the revoked serials
// with their revocationDate and reasonCode, and the cRLNumber and authorityKeyIdentifier extensions §5.2
// requires — is DER built here and signed as certificates are (src/pki/signature.ts: external μ, or M' for a
// composite CA), so a CA key in KMS, or either part of a composite one, signs CRLs as it signs certificates.
import { TAG, oid, tlv } from '../asn1/der.js';
import { encodeTime } from '../asn1/time.js';
import { fromHex } from '../base/bytes.js';
import { PqsignError } from '../base/errors.js';
import type { Signer } from '../mldsa/signer.js';
import { isCompositeSigner, type CompositeSigner } from '../composite/signer.js';
import type { ParsedCertificate } from './certificate.js';
import { parseCrl, REASONS, type ParsedCrl, type RevokedEntry } from './crl.js';
import { keyIdentifier } from './key-id.js';
import { CRL_EXT } from './oids.js';
import { signatureAlgorithmId } from '../mldsa/asn1.js';
import { signStructure, signerKey } from './signature.js';

export interface CrlIssueRequest {
  ca: ParsedCertificate;
  /** holds the CA's private key (ML-DSA or composite) */
  signer: Signer | CompositeSigner;
  entries: readonly RevokedEntry[];
  number: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
}

const ENUMERATED = 0x0a;
const BIT_STRING = 0x03;

/** A non-negative INTEGER of any size, minimally encoded. */
export function derBigUint(n: bigint): Uint8Array {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = fromHex(hex);
  return tlv(TAG.INTEGER, bytes[0]! & 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (left out), extnValue OCTET STRING } */
const extension = (id: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(id), tlv(TAG.OCTET_STRING, value));

function entryDer(e: RevokedEntry): Uint8Array {
  const exts =
    e.reason && e.reason !== 'unspecified' // RFC 5280 §5.3.1: absent rather than unspecified
      ? tlv(TAG.SEQUENCE, extension(CRL_EXT.reasonCode, tlv(ENUMERATED, Uint8Array.of(REASONS.indexOf(e.reason)))))
      : new Uint8Array(0);
  return tlv(TAG.SEQUENCE, tlv(TAG.INTEGER, e.serial), encodeTime(e.revocationDate), exts);
}

export async function issueCrl(req: CrlIssueRequest): Promise<{ der: Uint8Array; crl: ParsedCrl }> {
  const { ca, signer } = req;
  const key = ca.publicKey ?? ca.compositeKey;
  const own = signerKey(signer);
  if (
    !key ||
    key.params !== own.params ||
    key.composite !== own.composite ||
    Buffer.compare(Buffer.from(key.publicKey), Buffer.from(own.publicKey)) !== 0
  ) {
    throw new PqsignError('ERR_KEY_MISMATCH', `the CA key (${signer.description}) is not the key of the CA certificate "${ca.subject}"`);
  }
  if (ca.keyUsage && !ca.keyUsage.usages.has('cRLSign')) throw new PqsignError('ERR_USAGE', `"${ca.subject}" does not allow cRLSign`);
  if (req.nextUpdate <= req.thisUpdate) throw new PqsignError('ERR_USAGE', 'nextUpdate must be after thisUpdate');
  const aki = ca.subjectKeyId ?? keyIdentifier(key.publicKey);
  // RFC 9881 §2 and the composite draft: the OID alone, parameters absent
  const algorithm = signatureAlgorithmId(isCompositeSigner(signer) ? signer.alg : signer.params);
  const tbs = tlv(
    TAG.SEQUENCE,
    tlv(TAG.INTEGER, Uint8Array.of(1)), // v2
    algorithm,
    ca.subjectDer,
    encodeTime(req.thisUpdate),
    encodeTime(req.nextUpdate),
    req.entries.length ? tlv(TAG.SEQUENCE, ...req.entries.map(entryDer)) : new Uint8Array(0),
    tlv(
      TAG.CTX0_CONS,
      tlv(
        TAG.SEQUENCE,
        extension(CRL_EXT.cRLNumber, derBigUint(req.number)),
        extension(CRL_EXT.authorityKeyIdentifier, tlv(TAG.SEQUENCE, tlv(TAG.CTX0_PRIM, aki))),
      ),
    ),
  );
  const { signature } = await signStructure(signer, tbs);
  const der = tlv(TAG.SEQUENCE, tbs, algorithm, tlv(BIT_STRING, Uint8Array.of(0), signature));
  return { der, crl: parseCrl(der, 'issued CRL') };
}
