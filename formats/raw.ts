// Raw detached: the file holds exactly the FIPS 204 signature bytes over the artifact (pure ML-DSA,
// optional context). The to-be-signed bytes are the artifact itself.
import { PqsignError } from '../src/errors.js';
import { readSmallFile, statInput } from '../src/io/read.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { checkContext } from '../src/mu.js';
import { PARAM_SETS, paramBySignatureLength } from '../src/params.js';
import { verifyStreamed } from '../src/ops/stream.js';
import { readRange } from '../src/io/range.js';
import { booleanOption, refuseTrustAnchors } from './shared.js';
import { structuredInput } from './structured-input.js';
import type { Format } from './types.js';

export const raw: Format = {
  name: 'raw',
  description: 'detached FIPS 204 signature bytes',
  suffix: '.sig',
  flags: {
    'allow-structured-input': {
      type: 'boolean', for: ['sign'],
      describe: 'raw: sign even a file that is another format\'s signing input (DSSE PAE, JWS, COSE, CMS, X.509) with the empty context (docs/keys.md)',
    },
  },
  embedsPayload: () => false,
  detect: () => false,

  async beginSign(req) {
    checkContext(req.context);
    // Cross-protocol reuse: with the empty context a raw signature over such bytes is valid in that protocol.
    if (!req.context.length && !booleanOption(req.options, 'allowStructuredInput')) {
      const what = structuredInput(await readRange(req.artifact.path, 0, Math.min(req.artifact.size, 8192)));
      if (what) {
        throw new PqsignError('ERR_USAGE',
          `is ${what}: a raw signature over it with the empty context would be valid in that protocol too. Sign with a non-empty --context, use that format, or pass --allow-structured-input if this is intended`,
          { file: req.artifact.path, detail: 'structured-input' });
      }
    }
    return {
      context: req.context,
      head: () => new Uint8Array(0),
      update: (chunk, emit) => emit(chunk),
      tail: () => new Uint8Array(0),
      container: (signature) => ({ prefix: signature, includeArtifact: false, suffix: new Uint8Array(0) }),
      resolvedOptions: () => ({}),
    };
  },

  async verify(req) {
    refuseTrustAnchors(req.trustAnchors, 'raw signatures', req.container);
    if (!req.key) throw new PqsignError('ERR_UNTRUSTED', 'a raw signature names no key: it can only be checked against a pinned key (--key)', { file: req.container, detail: 'key' });
    if (!req.payload) throw new PqsignError('ERR_USAGE', 'raw signatures are detached: give the signed file');
    const { params, publicKey } = req.key;
    const sig = await readSmallFile(req.container, 'signature', 64 * 1024);
    if (sig.length !== params.signatureBytes) {
      const other = paramBySignatureLength(sig.length);
      // signed, but not by the pinned key: exit 1 like any other signature by the wrong key
      throw new PqsignError(other ? 'ERR_UNTRUSTED' : 'ERR_SIGNATURE_FORMAT',
        other ? `is an ${other.name} signature but the pinned key is ${params.name}`
          : `is ${sig.length} bytes; an ${params.name} signature is ${params.signatureBytes} bytes`, { file: req.container, ...(other ? { detail: 'pinned-key' } : {}) });
    }
    await verifyStreamed(params, publicKey, req.context, [{ path: req.payload }], sig, req.container, req.verifier);
    return { params, keyFingerprint: keyFingerprint(publicKey), details: {} };
  },

  /** A raw signature says nothing but its length, which names the parameter set. */
  async inspect(container) {
    const { size } = await statInput(container);
    const params = paramBySignatureLength(size);
    if (!params) {
      throw new PqsignError('ERR_SIGNATURE_FORMAT', `is ${size} bytes, not an ML-DSA signature (${PARAM_SETS.map((p) => p.signatureBytes).join(', ')} bytes)`, { file: container });
    }
    return { algorithm: params.name, signatureBytes: size };
  },
};
