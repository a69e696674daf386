// Certificate issuance (RFC 5280 profile, RFC 9881 algorithms): the TBSCertificate is built with pkijs and
// its DER goes through external μ to any Signer — a local key or a KMS key, the issuer's private key never
// needs to be here — or through M' to a composite signer (either part may be in KMS). Serial numbers are 16 random bytes, positive (RFC 5280 §4.1.2.2).
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PqsignError } from '../base/errors.js';
import { equalBytes } from '../base/bytes.js';
import type { CompositeSigner } from '../composite/signer.js';
import type { Signer } from '../mldsa/signer.js';
import { encodePublicKey, type PublicKey } from '../keys/spki.js';
import { usesUtcTime } from '../asn1/time.js';
import { keyIdentifier } from './key-id.js';
import { profileExtensions, type Profile } from './extensions.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';
import { signStructure, signerKey } from './signature.js';

export interface IssueRequest {
  subjectDer: Uint8Array;
  subjectKey: PublicKey;
  /** the issuing CA's certificate; undefined for a self-signed certificate */
  issuer: ParsedCertificate | undefined;
  /** holds the issuer's private key (the subject's own key when self-signed) */
  signer: Signer | CompositeSigner;
  notBefore: Date;
  notAfter: Date;
  profile: Profile;
}

/** 16 random bytes with the top bit clear (positive) and the next set (so DER keeps all 16 octets). */
export function randomSerial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = (s[0]! & 0x3f) | 0x40;
  return s;
}

const pkiTime = (d: Date) => new pkijs.Time({ type: usesUtcTime(d) ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: d });
const nameOf = (der: Uint8Array) => new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });

export async function issueCertificate(req: IssueRequest): Promise<{ der: Uint8Array; cert: ParsedCertificate }> {
  const { signer } = req;
  const selfSigned = req.issuer === undefined;
  if (req.notAfter.getTime() <= req.notBefore.getTime())
    throw new PqsignError('ERR_USAGE', 'the validity period is empty (notAfter must be after notBefore)');
  const key = signerKey(signer);
  const sameKey = (k: PublicKey | undefined): k is PublicKey =>
    !!k && k.params === key.params && k.composite === key.composite && equalBytes(k.publicKey, key.publicKey);
  const issuerKey = req.issuer && (req.issuer.publicKey ?? req.issuer.compositeKey);
  if (req.issuer) {
    if (!sameKey(issuerKey))
      throw new PqsignError(
        'ERR_KEY_MISMATCH',
        `the CA key (${signer.description}) is not the key of the CA certificate "${req.issuer.subject}"`,
      );
  } else if (!sameKey(req.subjectKey)) {
    throw new PqsignError('ERR_KEY_MISMATCH', 'a self-signed certificate must be signed by its own key');
  }
  const ski = keyIdentifier(req.subjectKey.publicKey);
  const aki = req.issuer ? (req.issuer.subjectKeyId ?? keyIdentifier(issuerKey!.publicKey)) : undefined;
  // RFC 9881 §2 and the composite draft: parameters absent
  const alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: key.composite?.oid ?? key.params.oid });

  const cert = new pkijs.Certificate();
  cert.version = 2; // v3
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  cert.signature = alg();
  cert.issuer = nameOf(selfSigned ? req.subjectDer : req.issuer!.subjectDer);
  cert.notBefore = pkiTime(req.notBefore);
  cert.notAfter = pkiTime(req.notAfter);
  cert.subject = nameOf(req.subjectDer);
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(encodePublicKey(req.subjectKey)).result });
  cert.extensions = profileExtensions(req.profile, ski, aki);

  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  const { signature } = await signStructure(signer, tbs);
  cert.tbsView = tbs;
  cert.signatureAlgorithm = alg();
  cert.signatureValue = new asn1js.BitString({ valueHex: signature });
  const der = new Uint8Array(cert.toSchema(false).toBER());
  return { der, cert: parseCertificate(der, 'issued certificate') };
}
