// CMS SignedData with ML-DSA (RFC 5652, RFC 9882) or composite ML-DSA (draft-ietf-lamps-cms-composite-sigs),
// detached (default) or attached. The artifact streams through the content digest only; the signed message
// is DER(SignedAttributes) — contentType, messageDigest, signingTime, CMSAlgorithmProtection — so a KMS
// signer sees a small structure (μ or RAW; a composite signer M' of it with the empty ctx).
// With --tsa, an RFC 3161 token over the signature value is added as an unsigned attribute before writing.
// pkijs/asn1js are loaded on first use (the src/cms and src/pki modules import them), never at start-up.
import { PqsignError, opt } from '../src/base/errors.js';
import { encodePem } from '../src/asn1/pem.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { statInput } from '../src/io/read.js';
import { looksLikeCmsDer, looksLikeCmsPem } from '../src/cms/detect.js';
import type { Format } from '../src/pipeline/format.js';
import type { CmsSignerOptions, CmsVerifierOptions } from '../src/cms/options.js';
import { CMS_SIGNER_OPTIONS, CMS_VERIFIER_OPTIONS } from './cms-options.js';

function noContext(ctx: Uint8Array): void {
  if (ctx.length)
    throw new PqsignError('ERR_CONTEXT', `CMS signatures use the empty ML-DSA context (RFC 9882 §3.2); drop ${opt('context')}`);
}

export interface CmsOptions extends CmsSignerOptions, CmsVerifierOptions {
  /** embed the artifact in the SignedData (default detached) */
  attached?: boolean | undefined;
  /** write PEM ("-----BEGIN CMS-----") instead of DER (detached only) */
  pem?: boolean | undefined;
}

export const cms: Format<CmsOptions> = {
  name: 'cms',
  composite: true,
  description: 'CMS SignedData (RFC 5652/9882, composite ML-DSA too), detached or attached, with X.509 certificates',
  suffix: '.p7s',
  options: {
    ...CMS_SIGNER_OPTIONS,
    attached: { kind: 'boolean', describe: 'cms: embed the artifact in the SignedData (default detached)', for: ['sign'] },
    pem: { kind: 'boolean', describe: 'cms: write PEM ("-----BEGIN CMS-----") instead of DER (detached only)', for: ['sign'] },
    ...CMS_VERIFIER_OPTIONS,
  },
  embedsPayload: (options) => options.attached === true,
  detect: (head) => looksLikeCmsDer(head) || looksLikeCmsPem(head),

  async beginSign(req) {
    noContext(req.context);
    const o = req.options;
    const attached = o.attached === true;
    const pem = o.pem === true;
    if (attached && pem)
      throw new PqsignError('ERR_USAGE', `${opt('pem')} works for detached CMS only (an attached artifact is copied as-is, not base64)`, {
        option: 'pem',
      });
    const { signedDataBuilderFor, resolvedSignerOptions, timestamperFor } = await import('../src/cms/options.js');
    const b = await signedDataBuilderFor(req, o);
    const timestamp = await timestamperFor(o);
    const empty = new Uint8Array(0);
    return {
      context: empty,
      head: () => empty,
      update: (chunk) => b.update(chunk),
      tail: () => b.signedAttributes(),
      container: async (signature) => {
        const tokens = timestamp ? [await timestamp(signature)] : [];
        if (!attached) {
          const der = b.detached(signature, tokens);
          return { prefix: pem ? new TextEncoder().encode(encodePem('CMS', der)) : der, includeArtifact: false, suffix: empty };
        }
        // the layout (and the declared embedding offset) is for the size taken before signing
        if (b.size !== req.artifact.size) {
          throw new PqsignError('ERR_FILE', `changed while being signed (${req.artifact.size} bytes before, ${b.size} read)`, {
            file: req.artifact.path,
          });
        }
        return { ...b.attached(signature, tokens), includeArtifact: true };
      },
      resolvedOptions: () => ({ ...resolvedSignerOptions(b), attached, pem }),
      // the SignerInfo (signature included) follows the content, so the prefix is known now: write the content in the μ
      // pass. A time-stamp token, or a composite signature longer than the shortest, may lengthen it: then the content moves up.
      ...(attached
        ? {
            embedding: {
              offset: b.attachedOffset(req.artifact.size),
              source: 'artifact' as const,
              relocatable: !!timestamp || b.signatureLengthVaries,
            },
          }
        : {}),
    };
  },

  async verify(req) {
    noContext(req.context);
    const [{ verifyCms }, { verifierOptionsFor }] = await Promise.all([import('../src/cms/verify.js'), import('../src/cms/options.js')]);
    const v = await verifyCms(req.container, {
      content: req.payload,
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
        attached: v.attached,
        contentBytes: v.contentBytes,
        signers: v.signers,
        ...(v.composite ? { composite: v.composite.name } : {}),
      },
    };
  },

  async inspect(container) {
    const { inspectCms } = await import('../src/cms/inspect.js');
    return inspectCms(container);
  },

  async payload(container) {
    const { readCms, contentExtractor } = await import('../src/cms/reader.js');
    const c = await readCms(container);
    if (!c.attached) throw new PqsignError('ERR_USAGE', 'is a detached CMS: it does not carry the signed content', { file: container });
    if (c.contentRange) return c.contentRange;
    return { start: 0, end: (await statInput(container)).size, transform: contentExtractor(container, c.encoding === 'pem') };
  },
};
