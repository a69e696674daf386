// A pqsign format plugin, built on the public API only: an image with a signature trailer, for boot
// loaders that read the payload from offset 0 and find the signature from the end.
//
//   image   = payload ‖ signature ‖ footer
//   footer  = magic "PQTRAILR" (8) ‖ version 1 (1) ‖ parameter set (1: 2, 3, 5 for ML-DSA-44/65/87)
//             ‖ reserved 0 (2) ‖ signature length (4, big-endian)               = 16 bytes
//   signed  = ML-DSA over payload ‖ footer, context "pqsign-example-trailer/1"
//
// The footer is signed too, so none of its fields can be changed; the fixed context keeps a trailer
// signature from being valid as a raw signature over the same bytes. The signature length is fixed per
// parameter set, so the footer is known before signing and the payload is written into the image during
// the one streaming pass (`embedding`). A trailer cannot be recognised from an image's first bytes, so
// `detect` says no: verify the artifact with its image beside it (`verify FILE --format trailer`).
//
// Load it into the CLI with `pqsign --plugin ./dist/src/trailer.js …`, or register it in-process with
// `registerPlugin(await import('pqsign-format-trailer'))`.
import {
  PARAM_SETS,
  PqsignError,
  keyFingerprint,
  readRange,
  statInput,
  verifyStreamed,
  type Format,
  type ParamSet,
  type PqsignPlugin,
} from 'pqsign';

const MAGIC = new TextEncoder().encode('PQTRAILR');
const VERSION = 1;
const FOOTER_BYTES = 16;
const CONTEXT = new TextEncoder().encode('pqsign-example-trailer/1');
/** FIPS 204 security category of each parameter set: the footer's parameter-set byte */
const CATEGORY: Record<string, number> = { 'ML-DSA-44': 2, 'ML-DSA-65': 3, 'ML-DSA-87': 5 };

function encodeFooter(params: ParamSet): Uint8Array {
  const footer = new Uint8Array(FOOTER_BYTES);
  footer.set(MAGIC, 0);
  footer[8] = VERSION;
  footer[9] = CATEGORY[params.name]!;
  new DataView(footer.buffer).setUint32(12, params.signatureBytes);
  return footer;
}

interface Layout {
  params: ParamSet;
  footer: Uint8Array;
  /** the payload is [0, payloadBytes), the signature follows it */
  payloadBytes: number;
  signatureBytes: number;
}

/** Read and check the footer of an image. */
async function readLayout(image: string): Promise<Layout> {
  const bad = (why: string) => new PqsignError('ERR_SIGNATURE_FORMAT', `not a trailer image: ${why}`, { file: image });
  const { size } = await statInput(image);
  if (size < FOOTER_BYTES) throw bad(`${size} bytes, shorter than the ${FOOTER_BYTES}-byte footer`);
  const footer = await readRange(image, size - FOOTER_BYTES, size);
  if (!MAGIC.every((b, i) => footer[i] === b)) throw bad('no PQTRAILR footer at its end');
  if (footer[8] !== VERSION) throw bad(`footer version ${footer[8]}, this plugin reads ${VERSION}`);
  if (footer[10] !== 0 || footer[11] !== 0) throw bad('reserved footer bytes are not zero');
  // parameter sets are compared by name: a plugin may run against another copy of pqsign than its own
  const params = PARAM_SETS.find((p) => CATEGORY[p.name] === footer[9]);
  if (!params) throw bad(`unknown parameter set ${footer[9]}`);
  const signatureBytes = new DataView(footer.buffer, footer.byteOffset).getUint32(12);
  if (signatureBytes !== params.signatureBytes)
    throw bad(`signature length ${signatureBytes}; an ${params.name} signature is ${params.signatureBytes} bytes`);
  const payloadBytes = size - FOOTER_BYTES - signatureBytes;
  if (payloadBytes < 0) throw bad(`${size} bytes, too short for an ${params.name} signature and the footer`);
  return { params, footer, payloadBytes, signatureBytes };
}

/** The trailer format: payload ‖ signature ‖ footer. */
export const trailer: Format = {
  name: 'trailer',
  description: 'image with a signature trailer: payload ‖ ML-DSA signature ‖ 16-byte footer (example plugin)',
  suffix: '.trailer',
  embedsPayload: () => true,
  detect: () => false,

  async beginSign(req) {
    if (req.context.length) throw new PqsignError('ERR_CONTEXT', 'trailer images use their own fixed ML-DSA context; give none');
    const footer = encodeFooter(req.params);
    const empty = new Uint8Array(0);
    let seen = 0;
    return {
      context: CONTEXT,
      head: () => empty,
      update: (chunk, emit) => {
        seen += chunk.length;
        emit(chunk);
      },
      tail: () => {
        if (seen !== req.artifact.size)
          throw new PqsignError('ERR_FILE', `changed while being signed (${req.artifact.size} bytes, then ${seen})`, {
            file: req.artifact.path,
          });
        return footer;
      },
      container: (signature) => ({ prefix: empty, includeArtifact: true, suffix: concat(signature, footer) }),
      resolvedOptions: () => ({}),
      // the payload starts the image: it is written while it streams into μ
      embedding: { offset: 0, source: 'artifact' },
    };
  },

  async verify(req) {
    if (req.trustAnchors.length)
      throw new PqsignError('ERR_UNTRUSTED', 'a trailer image carries no certificate: a trust anchor cannot vouch for it', {
        file: req.container,
        detail: 'trust-anchor',
      });
    if (!req.key)
      throw new PqsignError('ERR_UNTRUSTED', 'a trailer image names no key: it is checked against a trusted key', {
        file: req.container,
        detail: 'key',
      });
    if (req.context.length)
      throw new PqsignError('ERR_CONTEXT', 'trailer images use their own fixed ML-DSA context; give none', { file: req.container });
    const layout = await readLayout(req.container);
    if (req.payload !== undefined)
      throw new PqsignError('ERR_USAGE', 'a trailer image carries its payload; give no separate payload', { file: req.container });
    if (req.key.params.name !== layout.params.name) {
      throw new PqsignError('ERR_UNTRUSTED', `is signed with ${layout.params.name} but the key is ${req.key.params.name}`, {
        file: req.container,
        detail: 'pinned-key',
      });
    }
    const signature = await readRange(req.container, layout.payloadBytes, layout.payloadBytes + layout.signatureBytes);
    await verifyStreamed(
      layout.params,
      req.key.publicKey,
      CONTEXT,
      [{ path: req.container, start: 0, end: layout.payloadBytes }, layout.footer],
      signature,
      req.container,
      req.verifier,
    );
    return { params: layout.params, keyFingerprint: keyFingerprint(req.key.publicKey), details: { payloadBytes: layout.payloadBytes } };
  },

  async inspect(image) {
    const { params, payloadBytes, signatureBytes } = await readLayout(image);
    return { algorithm: params.name, payloadBytes, signatureBytes, footerBytes: FOOTER_BYTES };
  },

  async payload(image) {
    return { start: 0, end: (await readLayout(image)).payloadBytes };
  },
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The plugin module's shape (`pqsign --plugin`, registerPlugin). */
export const formats: PqsignPlugin['formats'] = [trailer];
