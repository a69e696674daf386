// COSE_Sign1 with ML-DSA (RFC 9052 §4.2, algorithms -48/-49/-50 of RFC 9964): tagged, protected header
// {alg, content type?, kid}, unprotected header empty, payload attached (default) or nil. The
// Sig_structure streams into μ; an attached container streams to disk. See docs/formats/cose.md.
import { fromHex, toHex, utf8 } from '../src/base/bytes.js';
import { loadCbor, MAJOR, readHead } from '../src/cbor/cbor.js';
import { checkHeaders, encodeProtected, parseContentType, type Sign1Headers } from '../src/cose/header.js';
import { coseKeyThumbprint } from '../src/keys/cose-key.js';
import { readSign1, sigStructureHead, sign1Layout, TAG_COSE_SIGN1, type Sign1File } from '../src/cose/sign1.js';
import { PqsignError, inFile, opt } from '../src/base/errors.js';
import { readSmallFile, statInput } from '../src/io/read.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { checkMu } from '../src/mldsa/signer.js';
import { muOfParts, type MessagePart } from '../src/mldsa/stream.js';
import { paramByCoseAlg, type ParamSet } from '../src/mldsa/params.js';
import { checkSamePayload, checkUnchanged, HEADER_OPTIONS, refuseTrustAnchors, requireEmptyContext, type HeaderOptions } from './shared.js';
import type { Format } from '../src/pipeline/format.js';

const EMPTY = new Uint8Array(0);

export interface CoseOptions extends HeaderOptions {
  /** the external_aad of the Sig_structure (RFC 9052 §4.3): hex, or `@FILE` to read it from a file */
  aad?: string | undefined;
}

/** The external_aad of the Sig_structure (RFC 9052 §4.3). */
async function externalAad(options: CoseOptions): Promise<Uint8Array> {
  const v = options.aad;
  if (v === undefined) return EMPTY;
  return v.startsWith('@') ? readSmallFile(v.slice(1), 'external_aad') : fromHex(v, opt('aad'));
}

/** The parameter set a checked header names. */
function paramsOf(alg: number): ParamSet {
  const p = paramByCoseAlg(alg);
  if (!p) throw new PqsignError('ERR_ALGORITHM', `alg ${alg} is not an ML-DSA COSE algorithm (-48, -49, -50)`);
  return p;
}

/** Header values from the unprotected bucket: not covered by the signature, so never reported as signed. */
function unprotectedFacts(h: Sign1Headers): Record<string, unknown> {
  const u = {
    ...describeKid(h.unprotectedKid),
    ...(h.unprotectedContentType !== undefined ? { contentType: h.unprotectedContentType } : {}),
  };
  return Object.keys(u).length ? { unprotected: u } : {};
}

/** Printable kids are shown as text too (a --kid), others only as hex (a thumbprint). */
function describeKid(kid: Uint8Array | undefined): Record<string, unknown> {
  if (!kid) return {};
  const text = Buffer.from(kid).toString('utf8');
  return { kid: toHex(kid), ...(/^[\x20-\x7e]+$/.test(text) ? { kidText: text } : {}) };
}

/**
 * An alg entry as encoded: label 1 then any integer (for COSE_Sign1 tagged 18, so that a wrong alg
 * is still recognised and reported) or an ML-DSA one (-48..-50, for anything else).
 */
function hasAlgEntry(prot: Uint8Array, anyInteger: boolean): boolean {
  for (let i = prot.indexOf(0x01); i >= 0 && i + 1 < prot.length; i = prot.indexOf(0x01, i + 1)) {
    const v = prot[i + 1]!;
    if (anyInteger ? v >> 5 <= MAJOR.NINT : v === 0x38 && prot[i + 2]! >= 0x2f && prot[i + 2]! <= 0x31) return true;
  }
  return false;
}

/**
 * Content detection, cheap and strict enough that random bytes (a raw signature) practically never
 * pass (about 1e-9): [tag] array(4) protected header (a bstr holding a map, or, malformed, a bare map),
 * an unprotected map, and an alg entry early in the protected header. Malformed but COSE-shaped
 * files (wrong tag, indefinite lengths, wrong alg) are recognised so verify can say what is wrong.
 */
function looksLikeSign1(b: Uint8Array): boolean {
  const isMap = (x: number | undefined) => x !== undefined && x >> 5 === MAJOR.MAP && x !== 0xa0;
  const isLabel = (x: number | undefined) => x !== undefined && (x <= 0x18 || (x >= 0x20 && x <= 0x38) || (x >= 0x60 && x <= 0x78));
  const headAt = (off: number) => {
    try {
      return readHead(b, off, 'COSE_Sign1', { preferred: false });
    } catch {
      return undefined;
    }
  };
  let off = 0;
  let tag: number | undefined;
  if (b[0] !== undefined && b[0] >> 5 === MAJOR.TAG) {
    const t = headAt(0);
    if (!t) return false;
    tag = t.value;
    off = t.size;
  }
  if (b[off] !== 0x84 && b[off] !== 0x9f) return false;
  off += 1;
  const h = headAt(off);
  if (h?.major === MAJOR.BSTR) {
    const p = off + h.size;
    if (h.value < 3 || !isMap(b[p]) || !isLabel(b[p + 1])) return false;
    if (p + h.value < b.length && b[p + h.value]! >> 5 !== MAJOR.MAP) return false;
    // tag 18: an alg of any value early in the protected or (malformed) the unprotected header
    if (tag === TAG_COSE_SIGN1) {
      return hasAlgEntry(b.subarray(p, p + Math.min(h.value, 16)), true) || hasAlgEntry(b.subarray(p + h.value, p + h.value + 16), true);
    }
    return hasAlgEntry(b.subarray(p, p + Math.min(h.value, 64)), false);
  }
  // malformed: the protected header as a bare map; only an ML-DSA alg makes it ours
  return isMap(b[off]) && isLabel(b[off + 1]) && hasAlgEntry(b.subarray(off, off + 64), false);
}

export const cose: Format<CoseOptions> = {
  name: 'cose',
  description: 'COSE_Sign1 (RFC 9052) with ML-DSA (RFC 9964), attached or detached',
  suffix: '.cose',
  options: {
    ...HEADER_OPTIONS,
    aad: { kind: 'string', for: ['sign', 'verify'], describe: 'COSE external_aad: HEX or @FILE (the verifier must give the same)' },
  },
  embedsPayload: (options) => options.detached !== true,
  detect: looksLikeSign1,

  async beginSign(req) {
    requireEmptyContext(req.context, 'COSE');
    const cbor = await loadCbor();
    const detached = req.options.detached === true;
    const kidText = req.options.kid;
    if (kidText === '') throw new PqsignError('ERR_USAGE', `${opt('kid')} is empty`, { option: 'kid' });
    const contentType = req.options.contentType;
    const aad = await externalAad(req.options);
    const protectedBytes = encodeProtected(cbor, {
      alg: req.params.coseAlg,
      kid: kidText !== undefined ? utf8(kidText) : await coseKeyThumbprint({ params: req.params, publicKey: req.publicKey }),
      contentType: contentType === undefined ? undefined : parseContentType(contentType),
    });
    const { path, size } = req.artifact;
    let seen = 0;
    return {
      context: EMPTY,
      head: () => sigStructureHead(cbor, protectedBytes, aad, size),
      update: (chunk, emit) => {
        seen += chunk.length;
        emit(chunk);
      },
      tail: () => {
        checkUnchanged(path, size, seen);
        return EMPTY;
      },
      container: (signature) => {
        const { prefix, suffix } = sign1Layout(cbor, protectedBytes, detached ? null : size, signature);
        return { prefix, includeArtifact: !detached, suffix };
      },
      // the signature sits after the payload, so the prefix is known now: write the payload in the μ pass
      ...(detached
        ? {}
        : {
            embedding: {
              offset: sign1Layout(cbor, protectedBytes, size, new Uint8Array(req.params.signatureBytes)).prefix.length,
              source: 'artifact' as const,
            },
          }),
      resolvedOptions: () => ({
        detached,
        aad: toHex(aad),
        ...(kidText !== undefined ? { kid: kidText } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
      }),
    };
  },

  async verify(req) {
    requireEmptyContext(req.context, 'COSE');
    const cbor = await loadCbor();
    const file = await readSign1(cbor, req.container);
    const { headers, params } = await inFile(req.container, () => {
      const headers = checkHeaders(file.protectedMap, file.unprotected);
      return { headers, params: paramsOf(headers.alg) };
    });
    refuseTrustAnchors(req.trustAnchors, 'COSE_Sign1 signatures', req.container);
    if (!req.key)
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `a COSE_Sign1 names its key only by kid: it can only be checked against a pinned key (${opt('key')})`,
        { file: req.container, detail: 'key' },
      );
    const { publicKey } = req.key;
    if (req.key.params !== params) {
      throw new PqsignError(
        'ERR_UNTRUSTED',
        `is signed with ${params.name} (alg ${headers.alg}) but the pinned key is ${req.key.params.name}`,
        { file: req.container, detail: 'pinned-key' },
      );
    }
    if (file.signature.length !== params.signatureBytes) {
      throw new PqsignError(
        'ERR_SIGNATURE_FORMAT',
        `signature is ${file.signature.length} bytes; an ${params.name} signature is ${params.signatureBytes}`,
        { file: req.container },
      );
    }
    const aad = await externalAad(req.options);
    const tbs = async (part: MessagePart & { path: string }, length: number) =>
      muOfParts(params, publicKey, EMPTY, [sigStructureHead(cbor, file.protectedBytes, aad, length), part]);

    let mu: Uint8Array;
    if (file.payload) {
      mu = await tbs({ path: req.container, ...file.payload }, file.payload.end - file.payload.start);
    } else {
      if (!req.payload)
        throw new PqsignError('ERR_USAGE', `the payload is detached (nil): give the signed file with ${opt('payload')}`, {
          file: req.container,
        });
      mu = await tbs({ path: req.payload }, (await statInput(req.payload)).size);
    }
    if (!(await checkMu(params, publicKey, mu, file.signature, req.verifier))) {
      throw new PqsignError(
        'ERR_SIGNATURE_INVALID',
        'signature does not verify (payload, protected header or external_aad differ from what was signed)',
        { file: req.container },
      );
    }
    if (file.payload && req.payload) {
      checkSamePayload(mu, await tbs({ path: req.payload }, (await statInput(req.payload)).size), req.payload, req.container);
    }
    const thumbprint = await coseKeyThumbprint(req.key);
    return {
      params,
      keyFingerprint: keyFingerprint(publicKey),
      details: {
        // only protected values were signed; unprotected ones are reported apart, as unauthenticated
        ...describeKid(headers.kid),
        kidIsKeyThumbprint: headers.kid !== undefined && toHex(headers.kid) === toHex(thumbprint),
        ...(headers.contentType !== undefined ? { contentType: headers.contentType } : {}),
        ...unprotectedFacts(headers),
        detached: file.payload === null,
        tagged: file.tagged,
      },
    };
  },

  async inspect(container) {
    const cbor = await loadCbor();
    const file = await readSign1(cbor, container);
    const headers = await inFile(container, () => checkHeaders(file.protectedMap, file.unprotected));
    return {
      format: 'cose',
      tagged: file.tagged,
      alg: headers.alg,
      algorithm: paramByCoseAlg(headers.alg)?.name ?? null,
      ...describeKid(headers.kid),
      ...(headers.contentType !== undefined ? { contentType: headers.contentType } : {}),
      ...unprotectedFacts(headers),
      protectedHeaderBytes: file.protectedBytes.length,
      detached: file.payload === null,
      ...(file.payload ? { payloadOffset: file.payload.start, payloadBytes: file.payload.end - file.payload.start } : {}),
      signatureBytes: file.signature.length,
      bytes: file.size,
    };
  },

  async payload(container) {
    const file: Sign1File = await readSign1(await loadCbor(), container);
    if (!file.payload)
      throw new PqsignError('ERR_USAGE', 'is a detached COSE_Sign1 (payload nil): it carries no payload', { file: container });
    return file.payload;
  },
};
