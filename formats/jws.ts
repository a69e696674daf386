// Compact JWS with ML-DSA (RFC 7515 §7.1, algorithms ML-DSA-44/65/87 of RFC 9964): header {alg, kid,
// cty?}, payload attached (default) or detached (RFC 7515 Appendix F: empty in the serialization,
// still signed). The signing input streams into μ: ASCII(BASE64URL(header) '.' BASE64URL(payload)), or,
// detached by default, ASCII(BASE64URL(header) '.') ‖ payload with the RFC 7797 unencoded payload
// option (header {alg, kid, "b64": false, "crit": ["b64"], cty?}). An attached JWS streams to disk.
// See docs/formats/jose.md.
import { b64url, fromB64url } from '../src/base/bytes.js';
import { PqsignError, inFile, opt } from '../src/base/errors.js';
import { statInput } from '../src/io/read.js';
import { base64urlChecker, base64urlDecoder, base64urlEncoder, checkBase64urlLength } from '../src/jose/b64url-stream.js';
import { readCompactJws } from '../src/jose/compact.js';
import { checkJoseHeader } from '../src/jose/header.js';
import { jwkThumbprint } from '../src/keys/jwk.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { checkMu } from '../src/mldsa/signer.js';
import { muOfParts } from '../src/mldsa/stream.js';
import { checkSamePayload, checkUnchanged, HEADER_OPTIONS, refuseTrustAnchors, requireEmptyContext, type HeaderOptions } from './shared.js';
import type { Format } from '../src/pipeline/format.js';
import type { ChunkTransform } from '../src/io/transform.js';

const EMPTY = new Uint8Array(0);
const ascii = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
/** An unencoded payload (RFC 7797) is signed, and embedded, as it is. */
const verbatim: ChunkTransform = (chunk, emit) => emit(chunk);

/**
 * Is the payload base64url-encoded in the signing input? Detached: no by default (RFC 7797 "b64": false,
 * the form RFC 7797 §1 intends for detached content: μ runs over the file itself rather than over 4/3 of
 * it as text), yes with --b64 for verifiers without RFC 7797. Attached: always, since an unencoded compact
 * payload could hold no '.' (RFC 7797 §5.2).
 */
function payloadEncoded(options: JwsOptions, detached: boolean): boolean {
  const b64 = options.b64;
  if (b64 === false && !detached) {
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('b64', 'false')} needs ${opt('detached')}: an attached compact JWS keeps its payload base64url (RFC 7797 §5.2)`,
      { option: 'b64' },
    );
  }
  return b64 ?? !detached;
}

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

export interface JwsOptions extends HeaderOptions {
  /**
   * Detached only: true signs BASE64URL(payload) (RFC 7515), false (the default when detached) the payload
   * bytes (RFC 7797 "b64": false); unset, the format decides.
   */
  b64?: boolean | undefined;
}

export const jws: Format<JwsOptions> = {
  name: 'jws',
  description: 'compact JWS (RFC 7515) with ML-DSA (RFC 9964), attached, or detached (Appendix F) with an unencoded payload (RFC 7797)',
  suffix: '.jws',
  options: {
    ...HEADER_OPTIONS,
    b64: {
      kind: 'boolean',
      for: ['sign'],
      describe: `with ${opt('detached')}: sign BASE64URL(payload) (RFC 7515) instead of the payload bytes (RFC 7797 "b64": false, the default), for verifiers without RFC 7797`,
    },
  },
  embedsPayload: (options) => options.detached !== true,
  detect: looksLikeCompactJws,

  async beginSign(req) {
    requireEmptyContext(req.context, 'JWS');
    const detached = req.options.detached === true;
    const kid = req.options.kid;
    if (kid === '') throw new PqsignError('ERR_USAGE', `${opt('kid')} is empty`, { option: 'kid' });
    const cty = req.options.contentType;
    if (cty === '') throw new PqsignError('ERR_USAGE', `${opt('contentType')} is empty`, { option: 'contentType' });
    const b64 = payloadEncoded(req.options, detached);
    // JSON.stringify writes the members in this order, those of the RFC 7797 §4.2 example after kid
    const headerSegment = b64url(
      ascii(
        JSON.stringify({
          alg: req.params.joseAlg,
          kid: kid ?? jwkThumbprint({ params: req.params, publicKey: req.publicKey }),
          ...(b64 ? {} : { b64: false, crit: ['b64'] }),
          ...(cty !== undefined ? { cty } : {}),
        }),
      ),
    );
    const { path, size } = req.artifact;
    const encode = b64 ? base64urlEncoder(size) : verbatim;
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
      container: (signature) =>
        detached
          ? { prefix: ascii(`${headerSegment}..${b64url(signature)}`), includeArtifact: false, suffix: EMPTY }
          : {
              prefix: ascii(`${headerSegment}.`),
              includeArtifact: true,
              artifactTransform: base64urlEncoder(size),
              suffix: ascii(`.${b64url(signature)}`),
            },
      resolvedOptions: () => ({ detached, b64, ...(kid !== undefined ? { kid } : {}), ...(cty !== undefined ? { contentType: cty } : {}) }),
      // attached: the container's payload is the base64url text μ hashes; write it in the same pass
      ...(detached ? {} : { embedding: { offset: headerSegment.length + 1, source: 'tbs' as const } }),
    };
  },

  async verify(req) {
    requireEmptyContext(req.context, 'JWS');
    const file = await readCompactJws(req.container);
    const { params, kid, b64 } = await inFile(req.container, () => checkJoseHeader(file.headerSegment));
    refuseTrustAnchors(req.trustAnchors, 'JWS signatures', req.container);
    if (!req.key)
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `a JWS names its key only by kid: it can only be checked against a pinned key (${opt('key')})`,
        { file: req.container, detail: 'key' },
      );
    const { publicKey } = req.key;
    if (req.key.params !== params) {
      throw new PqsignError('ERR_UNTRUSTED', `is signed with ${params.name} but the pinned key is ${req.key.params.name}`, {
        file: req.container,
        detail: 'pinned-key',
      });
    }
    const signature = fromB64url(file.signatureSegment, 'JWS signature');
    if (signature.length !== params.signatureBytes) {
      throw new PqsignError(
        'ERR_SIGNATURE_FORMAT',
        `signature is ${signature.length} bytes; an ${params.name} signature is ${params.signatureBytes}`,
        { file: req.container },
      );
    }
    const { start, end } = file.payload;
    const headPart = ascii(`${file.headerSegment}.`);
    const muOfFile = async (payloadFile: string) => {
      const { size } = await statInput(payloadFile);
      return muOfParts(params, publicKey, EMPTY, [headPart, { path: payloadFile, transform: b64 ? base64urlEncoder(size) : verbatim }]);
    };
    // An empty payload segment with a payload file given is the detached form (RFC 7515 Appendix F)
    const detached = start === end && req.payload !== undefined;
    const mu = await inFile(req.container, () => {
      if (detached) return muOfFile(req.payload!);
      // "b64": false embedded (by other tools): the bytes between the first and last '.' as they are
      if (!b64) return muOfParts(params, publicKey, EMPTY, [headPart, { path: req.container, start, end }]);
      checkBase64urlLength(end - start, 'JWS payload');
      return muOfParts(params, publicKey, EMPTY, [
        headPart,
        { path: req.container, start, end, transform: base64urlChecker('JWS payload') },
      ]);
    });
    if (!(await checkMu(params, publicKey, mu, signature, req.verifier))) {
      const hint =
        start === end && !detached ? ` (the payload part is empty: for a detached JWS give the payload with ${opt('payload')})` : '';
      throw new PqsignError('ERR_SIGNATURE_INVALID', `signature does not verify${hint}`, { file: req.container });
    }
    if (!detached && req.payload) checkSamePayload(mu, await muOfFile(req.payload), req.payload, req.container);
    return {
      params,
      keyFingerprint: keyFingerprint(publicKey),
      details: {
        ...(kid !== undefined ? { kid, kidIsKeyThumbprint: kid === jwkThumbprint(req.key) } : {}),
        detached,
        b64,
      },
    };
  },

  async inspect(container) {
    const file = await readCompactJws(container);
    const { header: h, params, kid, b64 } = await inFile(container, () => checkJoseHeader(file.headerSegment));
    const payloadChars = file.payload.end - file.payload.start;
    return {
      format: 'jws',
      alg: params.joseAlg,
      algorithm: params.name,
      ...(kid !== undefined ? { kid } : {}),
      header: h,
      detached: payloadChars === 0,
      b64,
      payloadOffset: file.payload.start,
      payloadBytes: b64 ? Math.floor((payloadChars * 3) / 4) : payloadChars,
      signatureBytes: Math.floor((file.signatureSegment.length * 3) / 4),
    };
  },

  async payload(container) {
    const { headerSegment, payload } = await readCompactJws(container);
    if (payload.start === payload.end)
      throw new PqsignError('ERR_USAGE', 'has an empty payload part (detached JWS, RFC 7515 Appendix F): it carries no payload', {
        file: container,
      });
    const { b64 } = await inFile(container, () => checkJoseHeader(headerSegment));
    return b64 ? { ...payload, transform: base64urlDecoder(payload.end - payload.start, 'JWS payload') } : payload;
  },
};
