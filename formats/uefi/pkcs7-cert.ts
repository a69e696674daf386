// The PKCS#7 CertType: EFI_CERT_TYPE_PKCS7_GUID (UEFI 2.10 §32.2.4), CertData = a detached CMS
// SignedData (RFC 5652; RFC 9882 for ML-DSA, draft-ietf-lamps-cms-composite-sigs for composite ML-DSA) over
// payload ‖ MonotonicCount, carrying the signer
// certificate and any --chain certificates, as edk2's FmpAuthenticationLibPkcs7 hands it to Pkcs7Verify.
// Built and verified by the CMS module (src/cms): the signed message streams through the content digest
// only, and the ML-DSA message is DER(SignedAttributes), signed with the empty context (RFC 9882 §3.2).
//
// edk2's WrapPkcs7Data takes CertData as a ContentInfo only when it reads
// 30 82 LL LL 06 09 2A 86 48 86 F7 0D 01 07 02 A0 82 (two-byte long-form lengths); anything else it
// wraps once more as if it were a bare SignedData, which then fails. pqsign writes exactly that form
// and accepts only that form. pkijs/asn1js load on first use, through the CMS modules.
import { equalBytes } from '../../src/base/bytes.js';
import { SIGNED_DATA_OID } from '../../src/cms/detect.js';
import { PqsignError, opt } from '../../src/base/errors.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { efiGuid, guidText } from '../../src/uefi/guid.js';
import type { CertTypeHandler } from './cert-type.js';

export const PKCS7_CERT_TYPE_GUID = '4aafd29d-68df-49ee-8aa9-347d375665a7';
const GUID = efiGuid(PKCS7_CERT_TYPE_GUID);

/** ContentInfo SEQUENCE header (4) + contentType OID (11) + content [0] header (4) */
const WRAPPED_HEADER_BYTES = 19;
/** the two-byte form fits lengths 256..65535 for both the SEQUENCE and the [0] around SignedData */
const WRAPPED_MIN_BYTES = 256 + WRAPPED_HEADER_BYTES;
const WRAPPED_MAX_BYTES = 0xffff + 4;

/** Bytes 0..16 are the form WrapPkcs7Data recognises, and the SEQUENCE length is exactly the CertData. */
function isWrappedContentInfo(der: Uint8Array): boolean {
  return (
    der.length >= WRAPPED_MIN_BYTES &&
    der[0] === 0x30 &&
    der[1] === 0x82 &&
    ((der[2]! << 8) | der[3]!) === der.length - 4 &&
    equalBytes(der.subarray(4, 15), SIGNED_DATA_OID) &&
    der[15] === 0xa0 &&
    der[16] === 0x82
  );
}

function notWrapped(file: string): PqsignError {
  return new PqsignError(
    'ERR_SIGNATURE_FORMAT',
    "not a valid UEFI image: the PKCS7 CertData is not a ContentInfo(SignedData) in the form edk2's WrapPkcs7Data recognises " +
      '(30 82 LL LL 06 09 2a864886f70d010702 a0 82, the SEQUENCE length equal to CertData)',
    { file },
  );
}

const certDataRange = (file: string, certDataOffset: number, certData: Uint8Array) => ({
  path: file,
  start: certDataOffset,
  end: certDataOffset + certData.length,
});

export const pkcs7CertType: CertTypeHandler = {
  name: 'pkcs7',
  description: 'EFI_CERT_TYPE_PKCS7_GUID: CertData = detached CMS SignedData (RFC 9882, or composite ML-DSA) with the signer certificate',
  recognises: (guid) => equalBytes(guid, GUID),

  async beginSign(req) {
    if (req.context.length) {
      throw new PqsignError(
        'ERR_CONTEXT',
        `the uefi pkcs7 CertType signs with the empty ML-DSA context (RFC 9882 §3.2); drop ${opt('context')}`,
      );
    }
    const { signedDataBuilderFor, resolvedSignerOptions, timestamperFor } = await import('../../src/cms/options.js');
    const b = await signedDataBuilderFor(req, req.options);
    const timestamp = await timestamperFor(req.options);
    if (!b.certificates.length) {
      throw new PqsignError(
        'ERR_USAGE',
        `the uefi pkcs7 CertType needs ${opt('cert')} (the signer certificate): edk2's Pkcs7Verify finds the signer among the embedded certificates`,
      );
    }
    // Known before the payload streams, so nothing is signed that could not be written: the longest signature
    // must fit; the header is laid out for the shortest (a composite's ECDSA part varies), and CertData may grow.
    const certDataBytes = b.detachedBytes('min');
    const longest = b.detachedBytes('max');
    if (longest > WRAPPED_MAX_BYTES) {
      throw new PqsignError(
        'ERR_USAGE',
        `the PKCS7 CertData would be ${longest} bytes; edk2's WrapPkcs7Data needs two-byte DER lengths (at most ${WRAPPED_MAX_BYTES} bytes): embed fewer ${opt('chain')} certificates`,
      );
    }
    const empty = new Uint8Array(0);
    return {
      certType: GUID,
      context: empty,
      certDataBytes,
      certDataMayGrow: !!timestamp || b.signatureLengthVaries,
      head: () => empty,
      update: (chunk) => b.update(chunk),
      tail: () => b.signedAttributes(),
      certData: async (signature) => {
        const der = b.detached(signature, timestamp ? [await timestamp(signature)] : []);
        if (timestamp && der.length > WRAPPED_MAX_BYTES) {
          throw new PqsignError(
            'ERR_USAGE',
            `with the time-stamp token the PKCS7 CertData would be ${der.length} bytes; edk2's WrapPkcs7Data needs two-byte DER lengths (at most ${WRAPPED_MAX_BYTES} bytes): embed fewer ${opt('chain')} certificates`,
          );
        }
        if (!isWrappedContentInfo(der)) throw new Error(`PKCS7 CertData of ${der.length} bytes is not in the WrapPkcs7Data form`);
        return der;
      },
      resolvedOptions: () => resolvedSignerOptions(b),
    };
  },

  async inspect(_certType, certData, file, certDataOffset) {
    if (!isWrappedContentInfo(certData)) throw notWrapped(file);
    const { inspectCms } = await import('../../src/cms/inspect.js');
    const cms = await inspectCms(certDataRange(file, certDataOffset, certData));
    if (cms.attached) {
      throw new PqsignError(
        'ERR_SIGNATURE_FORMAT',
        'not a valid UEFI image: the PKCS7 CertData encapsulates content; it must be detached (the content is payload ‖ MonotonicCount)',
        { file },
      );
    }
    const signerInfos = cms.signerInfos as Array<{ signatureAlgorithm?: string; signingTime?: string }>;
    return {
      algorithm: signerInfos[0]?.signatureAlgorithm,
      ...(signerInfos[0]?.signingTime ? { signingTime: signerInfos[0].signingTime } : {}),
      cmsVersion: cms.version,
      digestAlgorithms: cms.digestAlgorithms,
      certificates: cms.certificates,
      signerInfos,
    };
  },

  async verify(req) {
    const [{ verifyCms }, { verifierOptionsFor }] = await Promise.all([
      import('../../src/cms/verify.js'),
      import('../../src/cms/options.js'),
    ]);
    const v = await verifyCms(certDataRange(req.file, req.certDataOffset, req.certData), {
      content: req.message,
      key: req.key,
      ...verifierOptionsFor(req.options, req),
      fingerprintPinned: req.keyFingerprints.length > 0,
      signerCheck: req.signerCheck,
      verifier: req.verifier,
    });
    return {
      params: v.params,
      composite: v.composite,
      keyFingerprint: keyFingerprint(v.publicKey),
      details: {
        certType: 'pkcs7',
        certTypeGuid: guidText(req.certType),
        signers: v.signers,
        ...(v.composite ? { composite: v.composite.name } : {}),
      },
    };
  },
};
