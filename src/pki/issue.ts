// Certificate issuance (RFC 5280 profile, RFC 9881 algorithms): the TBSCertificate is built with pkijs and
// its DER goes through external μ to any Signer — a local key or a KMS key, the issuer's private key never
// needs to be here. Serial numbers are 16 random bytes, positive (RFC 5280 §4.1.2.2).
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PqsignError } from '../errors.js';
import { computeMu } from '../mu.js';
import { signMuChecked, type Signer } from '../signer.js';
import { encodeSpki, type PublicKey } from '../keys/spki.js';
import { usesUtcTime } from '../asn1/time.js';
import { keyIdentifier } from './key-id.js';
import { profileExtensions, type Profile } from './extensions.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';

export interface IssueRequest {
  subjectDer: Uint8Array;
  subjectKey: PublicKey;
  /** the issuing CA's certificate; undefined for a self-signed certificate */
  issuer: ParsedCertificate | undefined;
  /** holds the issuer's private key (the subject's own key when self-signed) */
  signer: Signer;
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
  if (req.notAfter.getTime() <= req.notBefore.getTime()) throw new PqsignError('ERR_USAGE', 'the validity period is empty (notAfter must be after notBefore)');
  if (req.issuer) {
    const ik = req.issuer.publicKey;
    if (!ik || ik.params !== signer.params || Buffer.compare(Buffer.from(ik.publicKey), Buffer.from(signer.publicKey)) !== 0) {
      throw new PqsignError('ERR_KEY_MISMATCH', `the CA key (${signer.description}) is not the key of the CA certificate "${req.issuer.subject}"`);
    }
  } else if (signer.params !== req.subjectKey.params || Buffer.compare(Buffer.from(req.subjectKey.publicKey), Buffer.from(signer.publicKey)) !== 0) {
    throw new PqsignError('ERR_KEY_MISMATCH', 'a self-signed certificate must be signed by its own key');
  }
  const ski = keyIdentifier(req.subjectKey.publicKey);
  const aki = req.issuer ? (req.issuer.subjectKeyId ?? keyIdentifier(req.issuer.publicKey!.publicKey)) : undefined;
  const alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: signer.params.oid }); // RFC 9881 §2: parameters absent

  const cert = new pkijs.Certificate();
  cert.version = 2; // v3
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  cert.signature = alg();
  cert.issuer = nameOf(selfSigned ? req.subjectDer : req.issuer!.subjectDer);
  cert.notBefore = pkiTime(req.notBefore);
  cert.notAfter = pkiTime(req.notAfter);
  cert.subject = nameOf(req.subjectDer);
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(encodeSpki(req.subjectKey.params, req.subjectKey.publicKey)).result });
  cert.extensions = profileExtensions(req.profile, ski, aki);

  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  const signature = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, tbs));
  cert.tbsView = tbs;
  cert.signatureAlgorithm = alg();
  cert.signatureValue = new asn1js.BitString({ valueHex: signature });
  const der = new Uint8Array(cert.toSchema(false).toBER());
  return { der, cert: parseCertificate(der, 'issued certificate') };
}
