// UEFI firmware image authentication: EFI_FIRMWARE_IMAGE_AUTHENTICATION ‖ payload, as FMP capsules
// carry it (src/uefi/image.ts has the byte layout). The signed message is payload ‖ MonotonicCount
// (8 bytes LE), exactly as edk2 builds it; the CertType table (formats/uefi/cert-types.ts) turns that
// message into CertData. The header does not depend on the signature's value, only on CertData's
// length, which every CertType knows before signing (an ML-DSA signature has one length per parameter
// set); so the header is laid out first, and the output is header ‖ CertData ‖ payload after one
// streaming pass into μ. A pkcs7 CertData time-stamped after signing (--tsa) grows: the payload written
// in the pass is then moved up within the output.
import { concatBytes } from '../../src/base/bytes.js';
import { PqsignError } from '../../src/base/errors.js';
import { statInput } from '../../src/io/read.js';
import { readRange } from '../../src/io/range.js';
import { CERT_TYPES, certTypeByGuid, certTypeFor, requireCertType } from './cert-types.js';
import { guidText } from '../../src/uefi/guid.js';
import {
  COUNT_BYTES,
  HEADER_BYTES,
  encodeCount,
  encodeHeader,
  hex16,
  looksLikeImage,
  parseLayout,
  parseMonotonicCount,
  type ImageLayout,
} from '../../src/uefi/image.js';
import type { Format } from '../../src/pipeline/format.js';
import type { UefiOptions } from './cert-type.js';
import { CMS_SIGNER_OPTIONS, CMS_VERIFIER_OPTIONS } from '../cms-options.js';

export type { UefiOptions } from './cert-type.js';

const knownCertType = (guid: Uint8Array) => certTypeByGuid(guid) !== undefined;

/** Header, CertType entry and CertData of an image, every structure check done. */
async function openImage(file: string) {
  const { size } = await statInput(file);
  const layout = parseLayout(await readRange(file, 0, HEADER_BYTES), size, file);
  const certType = requireCertType(layout.certType, file);
  const certData = await readRange(file, layout.certDataOffset, layout.certDataOffset + layout.certDataBytes);
  const facts = await certType.inspect(layout.certType, certData, file, layout.certDataOffset);
  return { layout, certType, certData, facts };
}

const signedMessage = (file: string, layout: ImageLayout) => [
  { path: file, start: layout.payloadOffset, end: layout.payloadOffset + layout.payloadBytes },
  encodeCount(layout.monotonicCount),
];

export const uefi: Format<UefiOptions> = {
  name: 'uefi',
  // composite signers through the pkcs7 CertType only (the compact mldsa one refuses them)
  composite: true,
  description: 'EFI_FIRMWARE_IMAGE_AUTHENTICATION (FMP capsule) header in front of the payload',
  suffix: '.signed',
  options: {
    monotonicCount: { kind: 'string', describe: 'uefi: MonotonicCount, UINT64 decimal or 0x hex (required)', for: ['sign'] },
    uefiCertType: {
      kind: 'string',
      describe: `uefi: CertType: ${CERT_TYPES.map((c) => c.name).join('|')} (default pkcs7 with a certificate, else mldsa)`,
      for: ['sign'],
    },
    ...CMS_SIGNER_OPTIONS,
    ...CMS_VERIFIER_OPTIONS,
  },
  embedsPayload: () => true,
  detect: (head) => looksLikeImage(head, knownCertType),

  async beginSign(req) {
    const count = parseMonotonicCount(req.options.monotonicCount);
    const handler = certTypeFor(req.options);
    if (req.artifact.size === 0) {
      throw new PqsignError('ERR_USAGE', 'is empty; a UEFI image needs a payload (edk2 rejects an empty one)', { file: req.artifact.path });
    }
    const countBytes = encodeCount(count);
    const s = await handler.beginSign({
      params: req.params,
      publicKey: req.publicKey,
      composite: req.composite,
      context: req.context,
      options: req.options,
      messageBytes: req.artifact.size + COUNT_BYTES,
    });
    const header = encodeHeader(count, s.certType, s.certDataBytes);
    return {
      context: s.context,
      head: () => s.head(),
      update: (chunk, emit) => s.update(chunk, emit),
      tail: () => {
        // the count is the last piece of the signed message
        const parts: Uint8Array[] = [];
        s.update(countBytes, (b) => void parts.push(Uint8Array.from(b)));
        parts.push(s.tail());
        return concatBytes(...parts);
      },
      container: async (signature) => {
        const certData = await s.certData(signature);
        if (s.certDataMayGrow ? certData.length < s.certDataBytes : certData.length !== s.certDataBytes) {
          throw new Error(`${handler.name} CertData is ${certData.length} bytes, laid out for ${s.certDataBytes}`);
        }
        return {
          prefix: concatBytes(encodeHeader(count, s.certType, certData.length), certData),
          includeArtifact: true,
          suffix: new Uint8Array(0),
        };
      },
      resolvedOptions: () => ({ ...s.resolvedOptions(), monotonicCount: count.toString(), uefiCertType: handler.name }),
      // header ‖ CertData is laid out before signing: the payload is written in the μ pass
      embedding: { offset: header.length + s.certDataBytes, source: 'artifact', relocatable: s.certDataMayGrow === true },
    };
  },

  async verify(req) {
    if (req.payload !== undefined) {
      throw new PqsignError(
        'ERR_USAGE',
        'a UEFI image embeds its payload: verify the image itself (pqsign strip extracts the payload to compare)',
        { file: req.container },
      );
    }
    const { layout, certType, certData } = await openImage(req.container);
    const r = await certType.verify({
      file: req.container,
      certType: layout.certType,
      certData,
      certDataOffset: layout.certDataOffset,
      message: signedMessage(req.container, layout),
      key: req.key,
      keyFingerprints: req.keyFingerprints,
      trustAnchors: req.trustAnchors,
      tsaAnchors: req.tsaAnchors,
      trustSigningTime: req.trustSigningTime,
      crls: req.crls,
      signerCheck: req.signerCheck,
      verifier: req.verifier,
      options: req.options,
    });
    return { ...r, details: { ...r.details, monotonicCount: layout.monotonicCount.toString(), payloadBytes: layout.payloadBytes } };
  },

  async inspect(container) {
    const { layout, certType, facts } = await openImage(container);
    return {
      monotonicCount: layout.monotonicCount.toString(),
      certType: certType.name,
      certTypeGuid: guidText(layout.certType),
      ...facts,
      dwLength: layout.dwLength,
      wRevision: hex16(layout.wRevision),
      wCertificateType: hex16(layout.wCertificateType),
      certDataOffset: layout.certDataOffset,
      certDataBytes: layout.certDataBytes,
      payloadOffset: layout.payloadOffset,
      payloadBytes: layout.payloadBytes,
    };
  },

  async payload(container) {
    const { layout } = await openImage(container);
    return { start: layout.payloadOffset, end: layout.payloadOffset + layout.payloadBytes };
  },
};
