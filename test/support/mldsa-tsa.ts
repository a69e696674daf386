// An ML-DSA time-stamp authority for the tests, built here because OpenSSL 3.5's `ts -reply` cannot sign
// with an ML-DSA key: a TSA root and TSA certificate (pkijs, signed with @noble/post-quantum), and RFC 3161
// tokens (TSTInfo with pkijs; SignedData with contentType, messageDigest and an ESS signingCertificateV2,
// signed with pure ML-DSA-65 over the DER signed attributes, RFC 9882). Knobs make the broken tokens the
// attack tests need: the EKU not critical, another genTime, another certificate in the ESS attribute, a
// TSTInfo changed after signing.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { TAG, derUint, oid, tlv } from '../../src/asn1/der.js';
import { retag } from '../../src/asn1/implicit.js';
import { derSetOf } from '../../src/asn1/set-of.js';
import { usesUtcTime } from '../../src/asn1/time.js';
import { encodePem } from '../../src/asn1/pem.js';
import { digestByName } from '../../src/cms/digests.js';
import { OID } from '../../src/cms/oids.js';
import { paramByName } from '../../src/mldsa/params.js';
import { keyUsageBitString } from '../../src/pki/extensions.js';
import { keyIdentifier } from '../../src/pki/key-id.js';
import { parseName } from '../../src/pki/name.js';
import { EXT, KP } from '../../src/pki/oids.js';
import { encodeSpki } from '../../src/mldsa/asn1.js';

const MLDSA65 = paramByName('ML-DSA-65')!;
const DAY = 86_400_000;

const keyFor = (name: string) => ml_dsa65.keygen(new Uint8Array(createHash('sha256').update(`pqsign test TSA ${name}`).digest()));

export const TSA_KEYS = { root: keyFor('root'), tsa: keyFor('tsa'), other: keyFor('other') };
export type TsaKeyName = keyof typeof TSA_KEYS;

const ext = (extnID: string, critical: boolean, value: { toBER(): ArrayBuffer }) =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
const pkiTime = (d: Date) => new pkijs.Time({ type: usesUtcTime(d) ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: d });
const nameOf = (text: string) => new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(parseName(text)).result });

export interface CertOptions {
  subject: string;
  issuer: string;
  key: TsaKeyName;
  signedBy: TsaKeyName;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  /** extendedKeyUsage purposes and criticality (TSA certificates) */
  eku?: { purposes: string[]; critical: boolean };
  serial: number;
}

export function mldsaCert(o: CertOptions): Uint8Array {
  const alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: MLDSA65.oid });
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: o.serial });
  cert.signature = alg();
  cert.issuer = nameOf(o.issuer);
  cert.subject = nameOf(o.subject);
  cert.notBefore = pkiTime(o.notBefore);
  cert.notAfter = pkiTime(o.notAfter);
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(encodeSpki(MLDSA65, TSA_KEYS[o.key].publicKey)).result });
  const exts = [
    ext(EXT.basicConstraints, true, new pkijs.BasicConstraints({ cA: o.ca }).toSchema()),
    ext(EXT.keyUsage, true, keyUsageBitString(o.ca ? ['keyCertSign', 'cRLSign'] : ['digitalSignature'])),
    ext(EXT.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(TSA_KEYS[o.key].publicKey) })),
  ];
  if (o.eku) exts.push(ext(EXT.extKeyUsage, o.eku.critical, new pkijs.ExtKeyUsage({ keyPurposes: o.eku.purposes }).toSchema()));
  cert.extensions = exts;
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureAlgorithm = alg();
  cert.signatureValue = new asn1js.BitString({ valueHex: ml_dsa65.sign(tbs, TSA_KEYS[o.signedBy].secretKey) });
  return new Uint8Array(cert.toSchema(false).toBER());
}

export const TSA_ROOT_NAME = 'CN=Test ML-DSA TSA Root,O=pqsign tests';
export const TSA_NAME = 'CN=Test ML-DSA TSA,O=pqsign tests';

/** A TSA root and a TSA certificate valid from `from` for `days`, with the TSA's EKU as given. */
export function mldsaTsaPki(from: Date, days = 3650, eku = { purposes: [KP.timeStamping], critical: true }) {
  const notAfter = new Date(from.getTime() + days * DAY);
  const root = mldsaCert({
    subject: TSA_ROOT_NAME,
    issuer: TSA_ROOT_NAME,
    key: 'root',
    signedBy: 'root',
    ca: true,
    notBefore: from,
    notAfter,
    serial: 1,
  });
  const tsa = mldsaCert({
    subject: TSA_NAME,
    issuer: TSA_ROOT_NAME,
    key: 'tsa',
    signedBy: 'root',
    ca: false,
    notBefore: from,
    notAfter,
    eku,
    serial: 2,
  });
  return { root, tsa, rootPem: encodePem('CERTIFICATE', root) };
}

export interface TokenOptions {
  /** the imprint: hash algorithm OID and value */
  imprint: { oid: string; hash: Uint8Array };
  nonce?: Uint8Array | undefined;
  genTime: Date;
  /** the TSA certificate (its key is TSA_KEYS.tsa unless `signWith`) and other certificates to embed */
  tsaCert: Uint8Array;
  extraCerts?: Uint8Array[];
  signWith?: TsaKeyName;
  /** the certificate the ESS signingCertificateV2 names (default the TSA's) */
  essCert?: Uint8Array;
  /** change the TSTInfo after it was signed (attack) */
  alterTstInfo?: (tst: Uint8Array) => Uint8Array;
  serial?: number;
}

const attribute = (type: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(type), derSetOf([value]));

/** A TimeStampToken (ContentInfo DER). */
export function mldsaToken(o: TokenOptions): Uint8Array {
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: '1.2.3.4.1',
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: o.imprint.oid }),
      hashedMessage: new asn1js.OctetString({ valueHex: o.imprint.hash }),
    }),
    serialNumber: new asn1js.Integer({ value: o.serial ?? 1 }),
    genTime: o.genTime,
    ...(o.nonce ? { nonce: new asn1js.Integer({ valueHex: o.nonce }) } : {}),
  });
  const tstDer = new Uint8Array(tst.toSchema().toBER());
  const sha512 = digestByName('sha512')!;
  const h = sha512.create();
  h.update(tstDer);
  const essHash = createHash('sha256')
    .update(o.essCert ?? o.tsaCert)
    .digest();
  // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }; ESSCertIDv2 with the default SHA-256
  const ess = tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, tlv(TAG.OCTET_STRING, essHash))));
  const signedAttrs = derSetOf([
    attribute(OID.contentType, oid(OID.tstInfo)),
    attribute(OID.messageDigest, tlv(TAG.OCTET_STRING, h.digest())),
    attribute(OID.signingCertificateV2, ess),
  ]);
  const signature = ml_dsa65.sign(signedAttrs, TSA_KEYS[o.signWith ?? 'tsa'].secretKey);
  const cert = pkijs.Certificate.fromBER(Uint8Array.from(o.tsaCert)); // BufferSource: a view over an ArrayBuffer
  const sid = tlv(TAG.SEQUENCE, new Uint8Array(cert.issuer.toSchema().toBER()), new Uint8Array(cert.serialNumber.toBER()));
  const signerInfo = tlv(
    TAG.SEQUENCE,
    derUint(1),
    sid,
    tlv(TAG.SEQUENCE, oid(sha512.oid)),
    retag(signedAttrs, 0xa0),
    tlv(TAG.SEQUENCE, oid(MLDSA65.oid)),
    tlv(TAG.OCTET_STRING, signature),
  );
  const content = o.alterTstInfo ? o.alterTstInfo(tstDer) : tstDer;
  const signedData = tlv(
    TAG.SEQUENCE,
    derUint(3),
    derSetOf([tlv(TAG.SEQUENCE, oid(sha512.oid))]),
    tlv(TAG.SEQUENCE, oid(OID.tstInfo), tlv(0xa0, tlv(TAG.OCTET_STRING, content))),
    tlv(0xa0, o.tsaCert, ...(o.extraCerts ?? [])),
    derSetOf([signerInfo]),
  );
  return tlv(TAG.SEQUENCE, oid(OID.signedData), tlv(0xa0, signedData));
}

/** The imprint and nonce of a TimeStampReq, for answering it. */
export function readRequest(der: Uint8Array): { imprint: { oid: string; hash: Uint8Array }; nonce: Uint8Array | undefined } {
  const req = new pkijs.TimeStampReq({ schema: asn1js.fromBER(der).result });
  return {
    imprint: {
      oid: req.messageImprint.hashAlgorithm.algorithmId,
      hash: new Uint8Array(req.messageImprint.hashedMessage.valueBlock.valueHexView),
    },
    nonce: req.nonce ? new Uint8Array(req.nonce.valueBlock.valueHexView) : undefined,
  };
}

/** TimeStampResp granting `token`. */
export const grantedResponse = (token: Uint8Array) => tlv(TAG.SEQUENCE, tlv(TAG.SEQUENCE, derUint(0)), token);
