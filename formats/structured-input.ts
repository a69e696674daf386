// Cross-protocol guard for raw signatures. Raw, DSSE, JWS/JWT, COSE, CMS and X.509 all sign with the
// empty ML-DSA context, so a raw signature over bytes that happen to be another protocol's to-be-signed
// bytes IS a valid signature in that protocol: whoever can get a chosen file raw-signed could mint a JWT,
// an attestation or a certificate. `sign --format raw` therefore refuses such input unless a non-empty
// --context separates the domains or --allow-structured-input says it is intended. Each test below
// recognises the first bytes of one protocol's signing input.
import { fromB64url } from '../src/base/bytes.js';

const ascii = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString('latin1');

/** DSSE v1 PAE: "DSSEv1 " LEN SP type ... (secure-systems-lab/dsse protocol.md). */
const dssePae = (b: Uint8Array) => ascii(b, 7) === 'DSSEv1 ';

/**
 * A JWS signing input: BASE64URL(header) '.' ..., the header a JSON object with "alg" (RFC 7515 §5.1). The
 * head read covers any header pqsign's JWS reader accepts (MAX_HEADER_CHARS), so a padded header cannot
 * push the '.' out of sight.
 */
function jwsSigningInput(b: Uint8Array): boolean {
  const text = ascii(b, b.length);
  const dot = text.indexOf('.');
  if (dot < 4 || !/^[A-Za-z0-9_-]+$/.test(text.slice(0, dot))) return false;
  try {
    const header = JSON.parse(Buffer.from(fromB64url(text.slice(0, dot), 'header')).toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null && 'alg' in header;
  } catch {
    return false;
  }
}

/** COSE Sig_structure: a CBOR array of 4 or 5 whose first item is one of RFC 9052 §4.4's context strings. */
const COSE_CONTEXTS = ['Signature', 'Signature1', 'CounterSignature', 'CounterSignature0', 'CounterSignatureV2', 'CounterSignature0V2'];
function coseSigStructure(b: Uint8Array): boolean {
  if (b[0] !== 0x84 && b[0] !== 0x85) return false;
  const len = (b[1] ?? 0) - 0x60;
  if (len < 0 || len > 23) return false;
  return COSE_CONTEXTS.includes(ascii(b.subarray(2), len)) && b.length >= 2 + len;
}

/**
 * SignedAttributes (RFC 5652 §5.4): a SET whose first element is an Attribute, SEQUENCE { OID, SET }. Any
 * attribute type and BER indefinite lengths too: the guard must not depend on which attribute sorts first.
 */
function cmsSignedAttributes(b: Uint8Array): boolean {
  if (b[0] !== 0x31) return false;
  const attr = body(b, 0);
  if (attr === undefined || b[attr] !== 0x30) return false;
  const type = body(b, attr);
  return type !== undefined && b[type] === 0x06 && b[end(b, type) ?? -1] === 0x31;
}

/**
 * What X.509 PKIs sign: TBSCertificate v3 ([0] version first), v1 (serial INTEGER, then the signature
 * AlgorithmIdentifier), TBSCertList (an optional INTEGER version, then an AlgorithmIdentifier) and
 * CertificationRequestInfo (INTEGER 0, then a Name SEQUENCE).
 */
function x509ToBeSigned(b: Uint8Array): boolean {
  if (b[0] !== 0x30) return false;
  const first = body(b, 0);
  if (first === undefined) return false;
  if (b[first] === 0xa0) return true;
  const afterFirst = end(b, first);
  if (b[first] === 0x02 && afterFirst !== undefined && b[afterFirst] === 0x30) return true;
  return b[first] === 0x30 && b[body(b, first) ?? -1] === 0x06;
}

/** Offset of the contents of the BER TLV at `at` (definite or indefinite length), or undefined. */
function body(b: Uint8Array, at: number): number | undefined {
  const l = b[at + 1];
  if (l === undefined) return undefined;
  if (l <= 0x80) return at + 2;
  const n = l & 0x7f;
  return n <= 4 ? at + 2 + n : undefined;
}

/** Offset just past the definite-length TLV at `at`, or undefined. */
function end(b: Uint8Array, at: number): number | undefined {
  const l = b[at + 1];
  if (l === undefined || l === 0x80) return undefined;
  if (l < 0x80) return at + 2 + l;
  const n = l & 0x7f;
  if (n > 4 || at + 2 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i]!;
  return at + 2 + n + len;
}

const STRUCTURES: ReadonlyArray<[string, (b: Uint8Array) => boolean]> = [
  ["a DSSE pre-authentication encoding (an attestation's signing input)", dssePae],
  ['a JWS/JWT signing input', jwsSigningInput],
  ['a COSE Sig_structure', coseSigStructure],
  ['CMS signed attributes', cmsSignedAttributes],
  ['an X.509 to-be-signed structure (certificate, CRL or CSR)', x509ToBeSigned],
];

/** What the first bytes of an artifact are another protocol's signing input for, if anything. */
export function structuredInput(head: Uint8Array): string | undefined {
  return STRUCTURES.find(([, test]) => test(head))?.[0];
}
