// Raw detached: the file holds exactly the FIPS 204 signature bytes over the artifact (pure ML-DSA,
// optional context). The to-be-signed bytes are the artifact itself.
import { PqsignError } from '../src/errors.js';
import { readSmallFile, statInput } from '../src/io/read.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { checkContext } from '../src/mu.js';
import { PARAM_SETS, paramBySignatureLength } from '../src/params.js';
import { verifyStreamed } from '../src/ops/stream.js';
import type { Format } from './types.js';

export const raw: Format = {
  name: 'raw',
  description: 'detached FIPS 204 signature bytes',
  suffix: '.sig',
  embedsPayload: () => false,
  detect: () => false,

  async beginSign(req) {
    checkContext(req.context);
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
    if (!req.key) throw new PqsignError('ERR_USAGE', 'raw signatures need --key to verify');
    if (!req.payload) throw new PqsignError('ERR_USAGE', 'raw signatures are detached: give the signed file');
    const { params, publicKey } = req.key;
    const sig = await readSmallFile(req.container, 'signature', 64 * 1024);
    if (sig.length !== params.signatureBytes) {
      const other = paramBySignatureLength(sig.length);
      throw new PqsignError(other ? 'ERR_ALGORITHM' : 'ERR_SIGNATURE_FORMAT',
        other ? `is an ${other.name} signature but the key is ${params.name}`
          : `is ${sig.length} bytes; an ${params.name} signature is ${params.signatureBytes} bytes`, { file: req.container });
    }
    await verifyStreamed(params, publicKey, req.context, [{ path: req.payload }], sig, req.container);
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
