// COSE_Sign1 with ML-DSA (RFC 9052 §4.2, algorithms -48/-49/-50 of RFC 9964): tagged, protected header
// {alg, content type?, kid}, unprotected header empty, payload attached (default) or nil. The
// Sig_structure streams into μ; an attached container streams to disk. See docs/formats/cose.md.
import { fromHex, toHex, utf8 } from '../src/bytes.js';
import { loadCbor, MAJOR, readHead } from '../src/cose/cbor.js';
import { checkHeaders, encodeProtected, parseContentType } from '../src/cose/header.js';
import { coseKeyThumbprint } from '../src/cose/key.js';
import { readSign1, sigStructureHead, sign1Layout, type Sign1File } from '../src/cose/sign1.js';
import { PqsignError, isPqsignError } from '../src/errors.js';
import { readSmallFile, statInput } from '../src/io/read.js';
import { keyFingerprint } from '../src/keys/fingerprint.js';
import { verifyMu } from '../src/mldsa.js';
import { muOfParts, type MessagePart } from '../src/ops/stream.js';
import { paramByCoseAlg, type ParamSet } from '../src/params.js';
import { booleanOption, checkSamePayload, checkUnchanged, requireEmptyContext, SHARED_FLAGS, stringOption } from './shared.js';
import type { Format, FormatOptions } from './types.js';

const EMPTY = new Uint8Array(0);

/** `--aad HEX|@FILE`: the external_aad of the Sig_structure (RFC 9052 §4.3). */
async function externalAad(options: FormatOptions): Promise<Uint8Array> {
  const v = stringOption(options, 'aad');
  if (v === undefined) return EMPTY;
  return v.startsWith('@') ? readSmallFile(v.slice(1), 'external_aad') : fromHex(v, '--aad');
}

/** The parameter set a checked header names. */
function paramsOf(alg: number): ParamSet {
  const p = paramByCoseAlg(alg);
  if (!p) throw new PqsignError('ERR_ALGORITHM', `alg ${alg} is not an ML-DSA COSE algorithm (-48, -49, -50)`);
  return p;
}

async function withFile<T>(file: string, f: () => Promise<T> | T): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(file) : e;
  }
}

/** Printable kids are shown as text too (a --kid), others only as hex (a thumbprint). */
function describeKid(kid: Uint8Array | undefined): Record<string, unknown> {
  if (!kid) return {};
  const text = Buffer.from(kid).toString('utf8');
  return { kid: toHex(kid), ...(/^[\x20-\x7e]+$/.test(text) ? { kidText: text } : {}) };
}

/**
 * Content detection, cheap and strict: [tag] array(4) bstr{map with a first label} map. A wrong tag
 * or indefinite array still counts as COSE-shaped, so verify can say what is wrong with it.
 */
function looksLikeSign1(b: Uint8Array): boolean {
  const at = (off: number) => {
    try {
      return readHead(b, off, 'COSE_Sign1');
    } catch {
      return undefined;
    }
  };
  let off = 0;
  if (b[0] !== undefined && b[0] >> 5 === MAJOR.TAG) {
    const tag = at(0);
    if (!tag) return false;
    off = tag.size;
  }
  if (b[off] !== 0x84 && b[off] !== 0x9f) return false;
  const prot = at(off + 1);
  if (!prot || prot.major !== MAJOR.BSTR || prot.value < 3) return false;
  const p = off + 1 + prot.size;
  const mapHead = b[p];
  const firstKey = b[p + 1];
  if (mapHead === undefined || firstKey === undefined) return true; // all there was matched
  const isMap = (x: number) => x >> 5 === MAJOR.MAP;
  const isShortLabel = (x: number) => x <= 0x17 || (x >= 0x20 && x <= 0x37) || (x >= 0x60 && x <= 0x77);
  if (!isMap(mapHead) || mapHead === 0xa0 || !isShortLabel(firstKey)) return false;
  const unprot = b[p + prot.value];
  return unprot === undefined || isMap(unprot);
}

export const cose: Format = {
  name: 'cose',
  description: 'COSE_Sign1 (RFC 9052) with ML-DSA (RFC 9964), attached or detached',
  suffix: '.cose',
  flags: {
    ...SHARED_FLAGS,
    aad: { type: 'string', for: ['sign', 'verify'], describe: 'COSE external_aad: HEX or @FILE (the verifier must give the same)' },
  },
  embedsPayload: (options) => !booleanOption(options, 'detached'),
  detect: looksLikeSign1,

  async beginSign(req) {
    requireEmptyContext(req.context, 'COSE');
    const cbor = await loadCbor();
    const detached = booleanOption(req.options, 'detached');
    const kidText = stringOption(req.options, 'kid');
    if (kidText === '') throw new PqsignError('ERR_USAGE', '--kid is empty');
    const contentType = stringOption(req.options, 'contentType');
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
      resolvedOptions: () => ({
        detached, aad: toHex(aad),
        ...(kidText !== undefined ? { kid: kidText } : {}),
        ...(contentType !== undefined ? { contentType } : {}),
      }),
    };
  },

  async verify(req) {
    requireEmptyContext(req.context, 'COSE');
    const cbor = await loadCbor();
    const file = await readSign1(cbor, req.container);
    const { headers, params } = await withFile(req.container, () => {
      const headers = checkHeaders(file.protectedMap, file.unprotected);
      return { headers, params: paramsOf(headers.alg) };
    });
    if (!req.key) throw new PqsignError('ERR_USAGE', 'a COSE_Sign1 names its key only by kid: give --key', { file: req.container });
    const { publicKey } = req.key;
    if (req.key.params !== params) {
      throw new PqsignError('ERR_ALGORITHM', `is signed with ${params.name} (alg ${headers.alg}) but the key is ${req.key.params.name}`, { file: req.container });
    }
    if (file.signature.length !== params.signatureBytes) {
      throw new PqsignError('ERR_SIGNATURE_FORMAT', `signature is ${file.signature.length} bytes; an ${params.name} signature is ${params.signatureBytes}`, { file: req.container });
    }
    const aad = await externalAad(req.options);
    const tbs = async (part: MessagePart & { path: string }, length: number) =>
      muOfParts(params, publicKey, EMPTY, [sigStructureHead(cbor, file.protectedBytes, aad, length), part]);

    let mu: Uint8Array;
    if (file.payload) {
      mu = await tbs({ path: req.container, ...file.payload }, file.payload.end - file.payload.start);
    } else {
      if (!req.payload) throw new PqsignError('ERR_USAGE', 'the payload is detached (nil): give the signed file with --payload', { file: req.container });
      mu = await tbs({ path: req.payload }, (await statInput(req.payload)).size);
    }
    if (!verifyMu(params, publicKey, mu, file.signature)) {
      throw new PqsignError('ERR_SIGNATURE_INVALID', 'signature does not verify (payload, protected header or external_aad differ from what was signed)', { file: req.container });
    }
    if (file.payload && req.payload) {
      checkSamePayload(mu, await tbs({ path: req.payload }, (await statInput(req.payload)).size), req.payload, req.container);
    }
    const thumbprint = await coseKeyThumbprint(req.key);
    return {
      params,
      keyFingerprint: keyFingerprint(publicKey),
      details: {
        ...describeKid(headers.kid),
        kidIsKeyThumbprint: headers.kid !== undefined && toHex(headers.kid) === toHex(thumbprint),
        ...(headers.contentType !== undefined ? { contentType: headers.contentType } : {}),
        detached: file.payload === null,
        tagged: file.tagged,
      },
    };
  },

  async inspect(container) {
    const cbor = await loadCbor();
    const file = await readSign1(cbor, container);
    const headers = await withFile(container, () => checkHeaders(file.protectedMap, file.unprotected));
    return {
      format: 'cose',
      tagged: file.tagged,
      alg: headers.alg,
      algorithm: paramByCoseAlg(headers.alg)?.name ?? null,
      ...describeKid(headers.kid),
      ...(headers.contentType !== undefined ? { contentType: headers.contentType } : {}),
      protectedHeaderBytes: file.protectedBytes.length,
      detached: file.payload === null,
      ...(file.payload ? { payloadOffset: file.payload.start, payloadBytes: file.payload.end - file.payload.start } : {}),
      signatureBytes: file.signature.length,
      bytes: file.size,
    };
  },

  async payload(container) {
    const file: Sign1File = await readSign1(await loadCbor(), container);
    if (!file.payload) throw new PqsignError('ERR_USAGE', 'is a detached COSE_Sign1 (payload nil): it carries no payload', { file: container });
    return file.payload;
  },
};
