// The DSSE JSON envelope (secure-systems-lab/dsse envelope.md):
//   {"payloadType": TYPE, "payload": Base64(BODY), "signatures": [{"keyid": KEYID, "sig": Base64(SIG)}]}
// Each signature is pure ML-DSA (FIPS 204 Algorithm 2, empty context) over PAE(TYPE, BODY), computed
// through external μ so any Signer (local key or KMS EXTERNAL_MU) can produce it. The keyid is the
// SHA-256 fingerprint of the raw public key: a hint only (DSSE protocol.md: it MUST NOT be used for
// security decisions), so verification tries every signature against the given key.
import { PqsignError } from '../base/errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/spki.js';
import { verifyMu } from '../mldsa/mldsa.js';
import { MuHasher } from '../mldsa/mu.js';
import { signMuChecked, type Signer } from '../mldsa/signer.js';
import { isJsonObject as isObject } from './json.js';
import { paeParts } from './pae.js';

export interface EnvelopeSignature {
  keyid?: string;
  sig: Uint8Array;
}

export interface Envelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: EnvelopeSignature[];
}

/** More signatures than this on one envelope is not a real multi-signer case; refuse before any crypto. */
export const MAX_SIGNATURES = 64;

/** μ of PAE(payloadType, payload) under `publicKey`: the message pure ML-DSA signs (empty context). */
function paeMu(key: PublicKey, payloadType: string, payload: Uint8Array): Uint8Array {
  const h = new MuHasher(key.params, key.publicKey);
  for (const part of paeParts(payloadType, payload)) h.update(part);
  return h.digest();
}

/** Sign PAE(payloadType, payload) with any signer; the signature is checked before it is returned. */
export async function signEnvelope(payloadType: string, payload: Uint8Array, signer: Signer): Promise<Envelope> {
  const sig = await signMuChecked(signer, paeMu(signer, payloadType, payload));
  return { payloadType, payload, signatures: [{ keyid: keyFingerprint(signer.publicKey), sig }] };
}

/** One line of JSON (no newline): standard base64 with padding, fields in the spec's order. */
export function encodeEnvelope(env: Envelope): string {
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  return JSON.stringify({
    payloadType: env.payloadType,
    payload: b64(env.payload),
    signatures: env.signatures.map((s) => (s.keyid === undefined ? { sig: b64(s.sig) } : { keyid: s.keyid, sig: b64(s.sig) })),
  });
}

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);

/**
 * DSSE base64: "Either standard or URL-safe base64 encodings are allowed ... verifiers MUST accept
 * either" (protocol.md). One alphabet per value, padding optional but correct when present, and
 * canonical (no stray bits in the last character), so one byte string has one accepted text.
 */
export function decodeDsseBase64(text: string, what: string): Uint8Array {
  // No copies of the text (a payload may be megabytes): slice, test, decode once.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const body = text.slice(0, text.length - padding);
  if (padding && text.length % 4 !== 0) throw bad(`${what} has wrong base64 padding`);
  const urlSafe = /[-_]/.test(body);
  if (urlSafe && /[+/]/.test(body)) throw bad(`${what} mixes the standard and URL-safe base64 alphabets`);
  if (!(urlSafe ? /^[A-Za-z0-9_-]*$/ : /^[A-Za-z0-9+/]*$/).test(body) || body.length % 4 === 1) {
    throw bad(`${what} is not valid ${urlSafe ? 'base64url' : 'base64'}`);
  }
  // canonical: the bits of the last character that encode no byte must be zero
  const unused = [0, 0, 0x0f, 0x03][body.length % 4]!;
  if (unused && B64_VALUE.indexOf(body[body.length - 1]!.replace('-', '+').replace('_', '/')) & unused) {
    throw bad(`${what} is not canonical base64`);
  }
  const b = Buffer.from(body, urlSafe ? 'base64url' : 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const B64_VALUE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Parse one envelope, checking every field's type and encoding before any cryptography. */
export function parseEnvelope(text: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(`is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(json)) throw bad('a DSSE envelope must be a JSON object');
  const { payloadType, payload, signatures } = json;
  if (typeof payloadType !== 'string') throw bad('"payloadType" must be a string');
  if (typeof payload !== 'string') throw bad('"payload" must be a base64 string');
  if (!Array.isArray(signatures) || signatures.length === 0) throw bad('"signatures" must be a non-empty array');
  if (signatures.length > MAX_SIGNATURES) throw bad(`${signatures.length} signatures; at most ${MAX_SIGNATURES} are accepted`);
  return {
    payloadType,
    payload: decodeDsseBase64(payload, '"payload"'),
    signatures: signatures.map((s, i) => {
      if (!isObject(s)) throw bad(`signatures[${i}] must be an object`);
      if (typeof s.sig !== 'string' || s.sig.length === 0) throw bad(`signatures[${i}].sig must be a non-empty base64 string`);
      if (s.keyid !== undefined && typeof s.keyid !== 'string') throw bad(`signatures[${i}].keyid must be a string`);
      const sig = decodeDsseBase64(s.sig, `signatures[${i}].sig`);
      return s.keyid === undefined ? { sig } : { keyid: s.keyid, sig };
    }),
  };
}

export interface EnvelopeVerification {
  /** index in `signatures` of the signature that verified */
  index: number;
  keyFingerprint: string;
}

/**
 * The envelope is valid for `key` when at least one of its signatures verifies under it (DSSE
 * multi-signature verification with t = 1 and one trusted key). Signatures by other keys or
 * algorithms are skipped, not errors. Signatures whose keyid names this key are tried first.
 */
export function verifyEnvelope(env: Envelope, key: PublicKey): EnvelopeVerification {
  const fp = keyFingerprint(key.publicKey);
  const mu = paeMu(key, env.payloadType, env.payload);
  const order = env.signatures.map((s, index) => ({ s, index })).sort((a, b) => Number(b.s.keyid === fp) - Number(a.s.keyid === fp));
  for (const { s, index } of order) {
    if (verifyMu(key.params, key.publicKey, mu, s.sig)) return { index, keyFingerprint: fp };
  }
  const n = env.signatures.length;
  throw new PqsignError(
    'ERR_SIGNATURE_INVALID',
    n === 1
      ? `signature does not verify with ${key.params.name} key ${fp.slice(0, 16)}`
      : `none of the ${n} signatures verifies with ${key.params.name} key ${fp.slice(0, 16)}`,
  );
}
