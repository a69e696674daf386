// The compact CertType: CertData = PublicKey ‖ Signature, raw FIPS 204 bytes, one vendor-defined
// CertType GUID per parameter set (pqsign's own, NOT registered with the UEFI Forum; generated once
// as random version-4 GUIDs). The signature is pure ML-DSA (FIPS 204 Algorithm 2) over
// payload ‖ MonotonicCount with ctx = the 16 CertType bytes as serialized in the header, which binds
// it to this profile and parameter set. The embedded key only names the signer: verify pins it.
import { equalBytes, concatBytes } from '../../src/base/bytes.js';
import { PqsignError, opt } from '../../src/base/errors.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { paramByName, type ParamName, type ParamSet } from '../../src/mldsa/params.js';
import { verifyStreamed } from '../../src/mldsa/stream.js';
import { efiGuid, guidText } from '../../src/uefi/guid.js';
import { AUTH_INFO_FIXED_BYTES } from '../../src/uefi/image.js';
import type { CertTypeHandler } from './cert-type.js';

/** The CertType GUIDs of the compact profile (docs/formats/uefi.md lists the same table). */
export const MLDSA_CERT_TYPE_GUIDS: Readonly<Record<ParamName, string>> = {
  'ML-DSA-44': '82ecbb3f-8f65-4e30-a3e2-947b2abddea7',
  'ML-DSA-65': '2a9a9aa6-1fa8-4c4e-9114-2a5d086e5e56',
  'ML-DSA-87': '86cdd26d-900a-467f-b2bf-0e72b2da6b87',
};

const BY_PARAM = Object.entries(MLDSA_CERT_TYPE_GUIDS).map(([name, text]) => ({ params: paramByName(name)!, guid: efiGuid(text) }));

export const mldsaCertTypeGuid = (params: ParamSet): Uint8Array => BY_PARAM.find((e) => e.params === params)!.guid;

const paramsOfGuid = (guid: Uint8Array): ParamSet | undefined => BY_PARAM.find((e) => equalBytes(e.guid, guid))?.params;

/** CertData split into key and signature; its length must be exactly pk + sig of the GUID's parameter set. */
function parseCertData(certType: Uint8Array, certData: Uint8Array, file: string) {
  const params = paramsOfGuid(certType)!;
  const want = params.publicKeyBytes + params.signatureBytes;
  if (certData.length !== want) {
    throw new PqsignError(
      'ERR_SIGNATURE_FORMAT',
      `not a valid UEFI image: dwLength ${certData.length + AUTH_INFO_FIXED_BYTES} does not fit the compact ${params.name} CertType ` +
        `(${want + AUTH_INFO_FIXED_BYTES} = ${AUTH_INFO_FIXED_BYTES} + ${params.publicKeyBytes}-byte key + ${params.signatureBytes}-byte signature)`,
      { file },
    );
  }
  return { params, publicKey: certData.subarray(0, params.publicKeyBytes), signature: certData.subarray(params.publicKeyBytes) };
}

export const mldsaCertType: CertTypeHandler = {
  name: 'mldsa',
  description: 'compact: CertData = ML-DSA public key ‖ signature, ctx = CertType GUID',
  recognises: (guid) => paramsOfGuid(guid) !== undefined,

  async beginSign(req) {
    if (req.context.length) {
      throw new PqsignError(
        'ERR_CONTEXT',
        `the uefi mldsa CertType fixes its own ML-DSA context (the CertType GUID); drop ${opt('context')}`,
      );
    }
    if (req.options.tsa !== undefined) {
      throw new PqsignError(
        'ERR_USAGE',
        `the uefi mldsa CertType has no room for a time-stamp token: use ${opt('uefiCertType', 'pkcs7')} (with ${opt('cert')}) for ${opt('tsa')}`,
      );
    }
    if (req.composite) {
      throw new PqsignError(
        'ERR_USAGE',
        `the uefi mldsa CertType carries ML-DSA signatures only, not ${req.composite.name}: use ${opt('uefiCertType', 'pkcs7')} (with ${opt('cert')}, docs/hybrid.md)`,
      );
    }
    const certType = mldsaCertTypeGuid(req.params);
    return {
      certType,
      context: certType,
      certDataBytes: req.params.publicKeyBytes + req.params.signatureBytes,
      head: () => new Uint8Array(0),
      update: (chunk, emit) => emit(chunk),
      tail: () => new Uint8Array(0),
      certData: (signature) => concatBytes(req.publicKey, signature),
      resolvedOptions: () => ({}),
    };
  },

  async inspect(certType, certData, file, certDataOffset) {
    const { params, publicKey, signature } = parseCertData(certType, certData, file);
    return {
      algorithm: params.name,
      keyFingerprint: keyFingerprint(publicKey),
      publicKeyOffset: certDataOffset,
      publicKeyBytes: publicKey.length,
      signatureOffset: certDataOffset + publicKey.length,
      signatureBytes: signature.length,
    };
  },

  async verify(req) {
    const { params, publicKey, signature } = parseCertData(req.certType, req.certData, req.file);
    if (req.trustAnchors.length) {
      throw new PqsignError(
        'ERR_UNTRUSTED',
        'a compact (mldsa CertType) UEFI image carries a bare key, no certificate: the trust anchor cannot vouch for it',
        { file: req.file, detail: 'trust-anchor' },
      );
    }
    if (!req.key && !req.keyFingerprints.length) {
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `a compact UEFI image carries its own public key, which proves nothing by itself: it is only checked against a pinned key (${opt('key')} or ${opt('keyFingerprints')})`,
        { file: req.file, detail: 'key' },
      );
    }
    if (req.key?.composite) {
      // a compact CertData holds an ML-DSA key and signature: it cannot be by a composite key, so it does not count for one
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `a compact (mldsa CertType) UEFI image cannot be checked with the composite ${req.key.composite.name} key`,
        { file: req.file, detail: 'key' },
      );
    }
    const embedded = keyFingerprint(publicKey);
    if (req.key) {
      if (req.key.params !== params) {
        throw new PqsignError('ERR_UNTRUSTED', `is signed with ${params.name} but the pinned key is ${req.key.params.name}`, {
          file: req.file,
          detail: 'pinned-key',
        });
      }
      if (!equalBytes(req.key.publicKey, publicKey)) {
        throw new PqsignError(
          'ERR_UNTRUSTED',
          `embedded public key (sha256 ${embedded}) is not the pinned key (sha256 ${keyFingerprint(req.key.publicKey)})`,
          { file: req.file, detail: 'pinned-key' },
        );
      }
    } else if (!req.keyFingerprints.includes(embedded)) {
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `embedded public key (sha256 ${embedded}) is not a trusted key fingerprint (${req.keyFingerprints.join(', ')})`,
        { file: req.file, detail: 'pinned-key' },
      );
    }
    await verifyStreamed(params, publicKey, req.certType, req.message, signature, req.file, req.verifier);
    return { params, keyFingerprint: embedded, details: { certType: 'mldsa', certTypeGuid: guidText(req.certType) } };
  },
};
