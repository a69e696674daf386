// Compact JWS with ML-DSA (RFC 7515 §7.1, algorithms ML-DSA-44/65/87 of RFC 9964): header {alg, kid,
// cty?}, payload attached (default) or detached (RFC 7515 Appendix F: empty in the serialization,
// still signed). The signing input ASCII(BASE64URL(header) '.' BASE64URL(payload)) streams into μ;
// an attached JWS streams to disk. See docs/formats/jose.md.
import { b64url, fromB64url } from '../src/bytes.js';
import { PqsignError, inFile } from '../src/errors.js';
import { statInput } from '../src/io/read.js';
import { base64urlChecker, base64urlDecoder, base64urlEncoder, checkBase64urlLength } from '../src/jose/b64url-stream.js';
import { readCompactJws } from '../src/jose/compact.js';
import { checkJoseHeader } from '../src/jose/header.js';
import { jwkThumbprint } from '../src/jose/jwk.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { verifyMu } from '../src/mldsa.js';
import { muOfParts } from '../src/ops/stream.js';
import { booleanOption, checkSamePayload, checkUnchanged, requireEmptyContext, SHARED_FLAGS, stringOption } from './shared.js';
import type { Format } from './types.js';

const EMPTY = new Uint8Array(0);
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/**
 * Content detection: a header segment (base64url of a JSON object, so it starts with "eyJ", the
 * encoding of '{"') that decodes to an object with a string "alg", then a '.'. The rest is left to
 * verify, so that a corrupted payload or signature gets a precise error rather than "not a JWS".
 */
function looksLikeCompactJws(b: Uint8Array): boolean {
  if (b[0] !== 0x65 || b[1] !== 0x79 || b[2] !== 0x4a) return false;
  const dot = b.indexOf(0x2e);
  if (dot < 0) return false;
  const segment = Buffer.from(b.buffer, b.byteOffset, dot).toString('latin1');
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return false;
  try {
    const h = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof h === 'object' && h !== null && typeof h.alg === 'string';
  } catch {
    return false;
  }
}

export const jws: Format = {
  name: 'jws',
  description: 'compact JWS (RFC 7515) with ML-DSA (RFC 9964), attached or detached (Appendix F)',
  suffix: '.jws',
  flags: SHARED_FLAGS,
  embedsPayload: (options) => !booleanOption(options, 'detached'),
  detect: looksLikeCompactJws,

  async beginSign(req) {
    requireEmptyContext(req.context, 'JWS');
    const detached = booleanOption(req.options, 'detached');
    const kid = stringOption(req.options, 'kid');
    if (kid === '') throw new PqsignError('ERR_USAGE', '--kid is empty');
    const cty = stringOption(req.options, 'contentType');
    if (cty === '') throw new PqsignError('ERR_USAGE', '--content-type is empty');
    const headerSegment = b64url(ascii(JSON.stringify({
      alg: req.params.joseAlg,
      kid: kid ?? jwkThumbprint({ params: req.params, publicKey: req.publicKey }),
      ...(cty !== undefined ? { cty } : {}),
    })));
    const { path, size } = req.artifact;
    const encode = base64urlEncoder(size);
    let seen = 0;
    return {
      context: EMPTY,
      head: () => ascii(`${headerSegment}.`),
      update: (chunk, emit) => {
        seen += chunk.length;
        encode(chunk, emit);
      },
      tail: () => {
        checkUnchanged(path, size, seen);
        return EMPTY;
      },
      container: (signature) => detached
        ? { prefix: ascii(`${headerSegment}..${b64url(signature)}`), includeArtifact: false, suffix: EMPTY }
        : { prefix: ascii(`${headerSegment}.`), includeArtifact: true, artifactTransform: base64urlEncoder(size), suffix: ascii(`.${b64url(signature)}`) },
      resolvedOptions: () => ({ detached, ...(kid !== undefined ? { kid } : {}), ...(cty !== undefined ? { contentType: cty } : {}) }),
      // attached: the container's payload is the base64url text μ hashes; write it in the same pass
      ...(detached ? {} : { embedding: { offset: headerSegment.length + 1, source: 'tbs' as const } }),
    };
  },

  async verify(req) {
    requireEmptyContext(req.context, 'JWS');
    const file = await readCompactJws(req.container);
    const { params, kid } = await inFile(req.container, () => checkJoseHeader(file.headerSegment));
    if (!req.key) throw new PqsignError('ERR_USAGE', 'a JWS names its key only by kid: give --key', { file: req.container });
    const { publicKey } = req.key;
    if (req.key.params !== params) {
      throw new PqsignError('ERR_ALGORITHM', `is signed with ${params.name} but the key is ${req.key.params.name}`, { file: req.container });
    }
    const signature = fromB64url(file.signatureSegment, 'JWS signature');
    if (signature.length !== params.signatureBytes) {
      throw new PqsignError('ERR_SIGNATURE_FORMAT', `signature is ${signature.length} bytes; an ${params.name} signature is ${params.signatureBytes}`, { file: req.container });
    }
    const { start, end } = file.payload;
    const headPart = ascii(`${file.headerSegment}.`);
    const muOfFile = async (payloadFile: string) => {
      const { size } = await statInput(payloadFile);
      return muOfParts(params, publicKey, EMPTY, [headPart, { path: payloadFile, transform: base64urlEncoder(size) }]);
    };
    // An empty payload segment with a payload file given is the detached form (RFC 7515 Appendix F)
    const detached = start === end && req.payload !== undefined;
    const mu = await inFile(req.container, () => {
      checkBase64urlLength(end - start, 'JWS payload');
      return detached
        ? muOfFile(req.payload!)
        : muOfParts(params, publicKey, EMPTY, [headPart, { path: req.container, start, end, transform: base64urlChecker('JWS payload') }]);
    });
    if (!verifyMu(params, publicKey, mu, signature)) {
      const hint = start === end && !detached ? ' (the payload part is empty: for a detached JWS give the payload with --payload)' : '';
      throw new PqsignError('ERR_SIGNATURE_INVALID', `signature does not verify${hint}`, { file: req.container });
    }
    if (!detached && req.payload) checkSamePayload(mu, await muOfFile(req.payload), req.payload, req.container);
    return {
      params,
      keyFingerprint: keyFingerprint(publicKey),
      details: {
        ...(kid !== undefined ? { kid, kidIsKeyThumbprint: kid === jwkThumbprint(req.key) } : {}),
        detached,
      },
    };
  },

  async inspect(container) {
    const file = await readCompactJws(container);
    const { header: h, params, kid } = await inFile(container, () => checkJoseHeader(file.headerSegment));
    const payloadChars = file.payload.end - file.payload.start;
    return {
      format: 'jws',
      alg: params.joseAlg,
      algorithm: params.name,
      ...(kid !== undefined ? { kid } : {}),
      header: h,
      detached: payloadChars === 0,
      payloadOffset: file.payload.start,
      payloadBytes: Math.floor((payloadChars * 3) / 4),
      signatureBytes: Math.floor((file.signatureSegment.length * 3) / 4),
    };
  },

  async payload(container) {
    const { payload } = await readCompactJws(container);
    if (payload.start === payload.end) throw new PqsignError('ERR_USAGE', 'has an empty payload part (detached JWS, RFC 7515 Appendix F): it carries no payload', { file: container });
    return { ...payload, transform: base64urlDecoder(payload.end - payload.start, 'JWS payload') };
  },
};
