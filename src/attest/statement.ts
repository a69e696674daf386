// in-toto Statement v1 (in-toto/attestation spec/v1/statement.md) carried in a DSSE envelope with
// payloadType application/vnd.in-toto+json:
//   {"_type": "https://in-toto.io/Statement/v1", "subject": [{"name", "digest": {ALG: HEX}}],
//    "predicateType": URI, "predicate": {...}}
// Unknown fields are ignored (spec/v1 README "Parsing rules"); known fields are type-checked.
import { PqsignError } from '../base/errors.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../base/json.js';
import { isJsonObject as isObject } from './json.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** DigestSet algorithms pqsign computes and accepts (digest_set.md: lowercase hex). */
export const DIGEST_HEX_LENGTH = { sha256: 64, sha512: 128 } as const;
export type DigestAlg = keyof typeof DIGEST_HEX_LENGTH;
export const DIGEST_ALGS = Object.keys(DIGEST_HEX_LENGTH) as DigestAlg[];

export type DigestSet = Record<string, string>;

export interface Subject {
  name?: string;
  digest: DigestSet;
}

export interface Statement {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate?: Record<string, unknown>;
}

const bad = (message: string) => new PqsignError('ERR_SIGNATURE_FORMAT', message);

/** TypeURI (field_types.md): an absolute URI. */
export function isTypeUri(s: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export function buildStatement(subjects: Subject[], predicateType: string, predicate: Record<string, unknown>): Statement {
  if (subjects.length === 0) throw new PqsignError('ERR_USAGE', 'no subjects to attest');
  if (!isTypeUri(predicateType)) throw new PqsignError('ERR_USAGE', `predicate type "${predicateType}" is not an absolute URI`);
  return { _type: STATEMENT_TYPE, subject: subjects, predicateType, predicate };
}

/** Parse and validate a Statement v1 from the (already authenticated) payload bytes. */
export function parseStatement(payload: Uint8Array): Statement {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    throw bad(`payload is not UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (jsonTooDeep(json)) throw bad(`payload is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return validateStatement(json);
}

export function validateStatement(json: unknown): Statement {
  if (!isObject(json)) throw bad('the statement must be a JSON object');
  if (json._type !== STATEMENT_TYPE) throw bad(`statement _type is ${JSON.stringify(json._type)}, expected "${STATEMENT_TYPE}"`);
  if (typeof json.predicateType !== 'string' || !isTypeUri(json.predicateType))
    throw bad('statement predicateType must be an absolute URI');
  if (json.predicate !== undefined && !isObject(json.predicate)) throw bad('statement predicate must be an object');
  if (!Array.isArray(json.subject) || json.subject.length === 0) throw bad('statement subject must be a non-empty array');
  const names = new Set<string>();
  json.subject.forEach((s: unknown, i: number) => {
    if (!isObject(s)) throw bad(`subject[${i}] must be an object`);
    if (s.name !== undefined) {
      if (typeof s.name !== 'string') throw bad(`subject[${i}].name must be a string`);
      // statement.md: names SHOULD be unique; two digests under one name would make matching ambiguous
      if (names.has(s.name) && s.name !== '_') throw bad(`subject name ${JSON.stringify(s.name)} appears twice`);
      names.add(s.name);
    }
    validateDigestSet(s.digest, `subject[${i}].digest`);
  });
  return json as unknown as Statement;
}

function validateDigestSet(d: unknown, where: string): void {
  if (!isObject(d) || Object.keys(d).length === 0) throw bad(`${where} must be a non-empty object`);
  for (const [alg, value] of Object.entries(d)) {
    if (typeof value !== 'string') throw bad(`${where}.${alg} must be a string`);
    const len = DIGEST_HEX_LENGTH[alg as DigestAlg];
    if (len !== undefined && (value.length !== len || !/^[0-9a-f]*$/.test(value))) {
      throw bad(`${where}.${alg} must be ${len} lowercase hex digits`);
    }
  }
}
