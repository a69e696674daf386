// Raw detached: the file holds exactly the FIPS 204 signature bytes over the artifact (pure ML-DSA,
// optional context). The to-be-signed bytes are the artifact itself.
import { PqsignError, opt } from '../src/base/errors.js';
import { readSmallFile, statInput } from '../src/io/read.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { checkContext } from '../src/mldsa/mu.js';
import { PARAM_SETS, paramBySignatureLength } from '../src/mldsa/params.js';
import { refuseTrustAnchors } from './shared.js';
import { structuredInput } from './structured-input.js';
import { MAX_HEADER_CHARS } from '../src/jose/header.js';
import type { Format, VerifyRequest } from '../src/pipeline/format.js';
import { COMPOSITE_ALGS, type CompositeAlg } from '../src/composite/params.js';
import { CompositeHasher } from '../src/composite/message.js';
import { verifyCompositeRaw } from '../src/composite/verify.js';
import { feedParts, verifyStreamed } from '../src/mldsa/stream.js';

export interface RawOptions {
  /** sign even a file that is another format's signing input with the empty context (docs/keys.md) */
  allowStructuredInput?: boolean | undefined;
}

export const raw: Format<RawOptions> = {
  name: 'raw',
  composite: true,
  description: 'detached FIPS 204 signature bytes (or a composite ML-DSA signature, docs/hybrid.md)',
  suffix: '.sig',
  options: {
    allowStructuredInput: {
      kind: 'boolean',
      for: ['sign'],
      describe:
        "raw: sign even a file that is another format's signing input (DSSE PAE, JWS, COSE, CMS, X.509) with the empty context (docs/keys.md)",
    },
  },
  embedsPayload: () => false,
  detect: () => false,

  async beginSign(req) {
    checkContext(req.context);
    // Cross-protocol reuse: with the empty context a raw signature over such bytes is valid in that protocol.
    if (!req.context.length && req.options.allowStructuredInput !== true) {
      const what = structuredInput(await req.artifact.head(MAX_HEADER_CHARS + 1));
      if (what) {
        throw new PqsignError(
          'ERR_USAGE',
          `is ${what}: a raw signature over it with the empty context would be valid in that protocol too. Sign with a non-empty ${opt('context')}, use that format, or pass ${opt('allowStructuredInput')} if this is intended`,
          { file: req.artifact.path, detail: 'structured-input' },
        );
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
    if (!req.key)
      throw new PqsignError('ERR_UNTRUSTED', `a raw signature names no key: it can only be checked against a pinned key (${opt('key')})`, {
        file: req.container,
        detail: 'key',
      });
    if (!req.payload) throw new PqsignError('ERR_USAGE', 'raw signatures are detached: give the signed file');
    const { params, publicKey } = req.key;
    const sig = await readSmallFile(req.container, 'signature', 64 * 1024);
    if (req.key.composite) return verifyCompositeRawFile(req.key.composite, publicKey, sig, req);
    if (sig.length !== params.signatureBytes) {
      const other = paramBySignatureLength(sig.length)?.name ?? compositeBySignatureLength(sig);
      // signed, but not by the pinned key: exit 1 like any other signature by the wrong key
      throw new PqsignError(
        other ? 'ERR_UNTRUSTED' : 'ERR_SIGNATURE_FORMAT',
        other
          ? `is an ${other} signature but the pinned key is ${params.name}`
          : `is ${sig.length} bytes; an ${params.name} signature is ${params.signatureBytes} bytes`,
        { file: req.container, ...(other ? { detail: 'pinned-key' } : {}) },
      );
    }
    await verifyStreamed(params, publicKey, req.context, [{ path: req.payload }], sig, req.container, req.verifier);
    return { params, keyFingerprint: keyFingerprint(publicKey), details: {} };
  },

  /** A raw signature says nothing but its length, which names the parameter set. */
  async inspect(container) {
    const { size } = await statInput(container);
    const params = paramBySignatureLength(size);
    if (!params) {
      throw new PqsignError(
        'ERR_SIGNATURE_FORMAT',
        `is ${size} bytes, not an ML-DSA signature (${PARAM_SETS.map((p) => p.signatureBytes).join(', ')} bytes)`,
        { file: container },
      );
    }
    return { algorithm: params.name, signatureBytes: size };
  },
};

/**
 * Is this the shape of a composite signature (an ML-DSA signature followed by a whole traditional one: exact
 * EdDSA/RSA length, or one DER SEQUENCE for ECDSA)? Then it was signed, but not by the pinned ML-DSA key.
 */
function compositeBySignatureLength(sig: Uint8Array): string | undefined {
  const alg = COMPOSITE_ALGS.find((a) => {
    const tail = sig.subarray(a.mldsa.signatureBytes);
    if (sig.length <= a.mldsa.signatureBytes || sig.length > a.maxSignatureBytes) return false;
    return a.trad.kind === 'ecdsa' ? tail[0] === 0x30 && tail[1]! + 2 === tail.length : tail.length === a.trad.maxSignatureBytes;
  });
  return alg && `${alg.mldsa.name}-based composite`;
}

/** A raw composite signature: PH streams over the payload once; both parts must verify (docs/hybrid.md). */
async function verifyCompositeRawFile(alg: CompositeAlg, publicKey: Uint8Array, sig: Uint8Array, req: VerifyRequest<RawOptions>) {
  if (req.verifier)
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('verifier')} (a remote verifier) checks ML-DSA signatures only; a composite signature is checked locally (both parts)`,
      { file: req.container, option: 'verifier' },
    );
  if (sig.length <= alg.mldsa.signatureBytes || sig.length > alg.maxSignatureBytes) {
    // an ML-DSA signature alone (or any other length) is not a composite signature under the pinned key
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `is ${sig.length} bytes, not a ${alg.name} signature (${alg.mldsa.signatureBytes + 1}..${alg.maxSignatureBytes} bytes) for the pinned composite key`,
      { file: req.container, detail: 'pinned-key' },
    );
  }
  const hasher = new CompositeHasher(alg, req.context);
  await feedParts(hasher, [{ path: req.payload! }]);
  if (!verifyCompositeRaw(alg, publicKey, hasher.digest(), sig))
    throw new PqsignError('ERR_SIGNATURE_INVALID', 'composite signature does not verify (both parts must)', { file: req.container });
  return { params: alg.mldsa, composite: alg, keyFingerprint: keyFingerprint(publicKey), details: { composite: alg.name } };
}
