// Key documents in JSON or CBOR: a JWK or JWK Set ({"keys": [...]}, RFC 7517 §5), a COSE_Key or
// COSE_KeySet (an array of COSE_Keys, RFC 9052 §7). One ML-DSA key is taken: the only one, or the
// one a selector names (`FILE#KID`: its kid, or for a JWK its RFC 7638 thumbprint). Several keys and
// no selector is an error listing the kids, never a silent first pick.
import { toHex } from '../base/bytes.js';
import { loadCbor } from '../cbor/cbor.js';
import { readCoseKey } from './cose-key.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { jwkThumbprint, readAkpJwk, type AkpKeyMaterial } from './jwk.js';
import { PARAM_SETS, SEED_BYTES } from '../mldsa/params.js';

const bad = (why: string) => new PqsignError('ERR_KEY_FORMAT', why);

/** A raw key file (public key, seed, expanded key) has one of these sizes; see load.ts. */
const isRawSize = (n: number) => n === SEED_BYTES || PARAM_SETS.some((p) => p.publicKeyBytes === n || p.secretKeyBytes === n);

interface Candidate {
  key: AkpKeyMaterial | undefined;
  /** why the entry is not a usable ML-DSA key */
  error: PqsignError | undefined;
  /** the kid as a user would type it */
  kids: string[];
}

/**
 * The key in a JSON or CBOR key document, or undefined when `data` is neither (then it may be a raw
 * key). Throws ERR_KEY_FORMAT for a document that is malformed or holds no single matching key.
 */
export async function readKeyDocument(data: Uint8Array, selector: string | undefined): Promise<AkpKeyMaterial | undefined> {
  const first = data.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
  if (data[first] === 0x7b) {
    const json = parseJson(data);
    if (json === undefined) return undefined;
    const doc = json as Record<string, unknown>;
    if (doc.keys === undefined) return pick([jwkCandidate(json, 'JWK')], selector, 'JWK');
    if (!Array.isArray(doc.keys)) throw bad('JWK Set "keys" is not an array');
    return pick(
      doc.keys.map((k, i) => jwkCandidate(k, `JWK Set key #${i + 1}`)),
      selector,
      'JWK Set',
    );
  }
  const major = (data[0] ?? 0) >> 5;
  if (major !== 4 && major !== 5) return undefined;
  const cbor = await loadCbor();
  let item: unknown;
  try {
    item = cbor.decode(data, 'COSE_Key');
  } catch (e) {
    if (isRawSize(data.length)) return undefined;
    throw bad(`not a recognised ML-DSA key: read as a COSE_Key, it ${isPqsignError(e) ? e.message.replace(/^COSE_Key /, '') : String(e)}`);
  }
  if (item instanceof Map) return pick([coseCandidate(item, 'COSE_Key')], selector, 'COSE_Key');
  if (Array.isArray(item) && item.every((k) => k instanceof Map)) {
    return pick(
      item.map((k: Map<unknown, unknown>, i) => coseCandidate(k, `COSE_KeySet key #${i + 1}`)),
      selector,
      'COSE_KeySet',
    );
  }
  if (isRawSize(data.length)) return undefined;
  throw bad('not a recognised ML-DSA key: CBOR that is neither a COSE_Key map nor a COSE_KeySet array');
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (e) {
    if (isRawSize(data.length)) return undefined; // a raw key that happens to start with "{"
    throw bad(`starts like a JWK but is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function jwkCandidate(json: unknown, what: string): Candidate {
  const kid = (json as { kid?: unknown } | null)?.kid;
  const kids = typeof kid === 'string' ? [kid] : [];
  try {
    const key = readAkpJwk(json, what);
    return { key, error: undefined, kids: [...kids, jwkThumbprint(key)] };
  } catch (e) {
    if (!isPqsignError(e)) throw e;
    return { key: undefined, error: e, kids };
  }
}

function coseCandidate(map: Map<unknown, unknown>, what: string): Candidate {
  const kid = map.get(2);
  // a COSE kid is bytes: selectable as hex, or as text when it is UTF-8
  const kids = kid instanceof Uint8Array ? [toHex(kid), ...utf8Text(kid)] : [];
  try {
    return { key: readCoseKey(map, what), error: undefined, kids };
  } catch (e) {
    if (!isPqsignError(e)) throw e;
    return { key: undefined, error: e, kids };
  }
}

function utf8Text(b: Uint8Array): string[] {
  try {
    return [new TextDecoder('utf-8', { fatal: true }).decode(b)];
  } catch {
    return [];
  }
}

function pick(candidates: Candidate[], selector: string | undefined, what: string): AkpKeyMaterial {
  const single = candidates.length === 1;
  if (selector !== undefined) {
    const hits = candidates.filter((c) => c.kids.includes(selector));
    if (hits.length === 0) {
      const known = candidates.flatMap((c) => c.kids.slice(0, 1));
      throw bad(`${what} has no key with kid "${selector}"${known.length ? ` (kids: ${known.join(', ')})` : ''}`);
    }
    if (hits.length > 1) throw bad(`${what} has ${hits.length} keys with kid "${selector}"`);
    if (hits[0]!.error) throw hits[0]!.error;
    return hits[0]!.key!;
  }
  if (single) {
    if (candidates[0]!.error) throw candidates[0]!.error;
    return candidates[0]!.key!;
  }
  const usable = candidates.filter((c) => c.key);
  if (usable.length === 1) return usable[0]!.key!;
  if (usable.length === 0) throw bad(`${what} holds no ML-DSA key${candidates.length ? ` (${candidates[0]!.error!.message})` : ''}`);
  const kids = usable.map((c) => c.kids[0] ?? '(no kid)').join(', ');
  throw bad(`${what} holds ${usable.length} ML-DSA keys (kids: ${kids}); name one as FILE#KID`);
}
