// `pqsign inspect` for CMS: the structure read without a key (the content streams past uncounted but unkept).
import * as asn1js from 'asn1js';
import { toHex } from '../base/bytes.js';
import { isPqsignError } from '../base/errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { paramByOid } from '../mldsa/params.js';
import { compositeByOid } from '../composite/params.js';
import { parseCertificate } from '../pki/certificate.js';
import { formatName } from '../pki/name.js';
import { OID } from './oids.js';
import { digestByOid } from './digests.js';
import { readCms, type CmsSource } from './reader.js';
import { parseSignerInfo } from './signer-info.js';
import { readTimeStampToken } from './tsp/token.js';

const algName = (oid: string) => paramByOid(oid)?.name ?? compositeByOid(oid)?.name ?? digestByOid(oid)?.name ?? oid;

/** What a time-stamp token says (whether a TSA anchor vouches for it is for verify to say). */
function describeToken(der: Uint8Array, label: string): Record<string, unknown> {
  try {
    const t = readTimeStampToken(der, label);
    return {
      genTime: t.tst.genTime.toISOString(),
      tsa: t.tsaCert.subject,
      serial: toHex(t.tst.serial),
      policy: t.tst.policy,
      digest: t.tst.imprint.digest.name,
      algorithm: t.signatureAlgorithm,
    };
  } catch (e) {
    return { error: isPqsignError(e) ? e.message : String(e) };
  }
}

export async function inspectCms(container: CmsSource): Promise<Record<string, unknown>> {
  const cms = await readCms(container);
  return {
    encoding: cms.encoding,
    version: cms.version,
    contentType: cms.contentType === OID.data ? 'data' : cms.contentType,
    attached: cms.attached,
    // detached: the content is not in the container, so its size is unknown here (not 0)
    contentBytes: cms.attached ? cms.contentBytes : null,
    ...(cms.contentRange ? { contentOffset: cms.contentRange.start } : {}),
    digestAlgorithms: cms.digestAlgorithms.map((a) => {
      const [oid] = (a as asn1js.Sequence).valueBlock?.value ?? [];
      return oid instanceof asn1js.ObjectIdentifier ? algName(oid.valueBlock.toString()) : 'malformed';
    }),
    certificates: cms.certificates.map((der, i) => {
      try {
        const c = parseCertificate(der, `certificate #${i + 1}`, 'ERR_SIGNATURE_FORMAT');
        return {
          subject: c.subject,
          issuer: c.issuer,
          serial: toHex(c.serial),
          notBefore: c.notBefore.toISOString(),
          notAfter: c.notAfter.toISOString(),
          algorithm: c.publicKey?.params.name ?? c.compositeKey?.composite?.name ?? c.spkiAlgorithm,
          keyFingerprint: (c.publicKey ?? c.compositeKey) ? keyFingerprint((c.publicKey ?? c.compositeKey)!.publicKey) : null,
        };
      } catch (e) {
        return { error: isPqsignError(e) ? e.message : String(e) };
      }
    }),
    crls: cms.crls,
    signerInfos: cms.signerInfos.map((der, i) => {
      try {
        const si = parseSignerInfo(der, `SignerInfo #${i + 1}`);
        return {
          version: si.version,
          sid:
            si.sid.kind === 'issuerAndSerialNumber'
              ? { issuer: formatName(si.sid.issuerDer), serial: toHex(si.sid.serial) }
              : { subjectKeyIdentifier: toHex(si.sid.keyId) },
          digestAlgorithm: algName(si.digestAlgorithm.oid),
          signatureAlgorithm: algName(si.signatureAlgorithm.oid),
          signatureBytes: si.signature.length,
          signedAttributes: !!si.signedAttributesDer,
          ...(si.signedAttributes?.signingTime ? { signingTime: si.signedAttributes.signingTime.toISOString() } : {}),
          algorithmProtection: !!si.signedAttributes?.algorithmProtection,
          ...(si.timeStampTokens.length
            ? { timeStampTokens: si.timeStampTokens.map((t, j) => describeToken(t, `time-stamp token #${j + 1}`)) }
            : {}),
        };
      } catch (e) {
        return { error: isPqsignError(e) ? e.message : String(e) };
      }
    }),
  };
}
