// Cross-protocol guard for raw signatures. Raw, DSSE, JWS/JWT, COSE, CMS and X.509 all sign with the
// empty ML-DSA context, so a raw signature over bytes that happen to be another protocol's to-be-signed
// bytes IS a valid signature in that protocol: whoever can get a chosen file raw-signed could mint a JWT,
// an attestation or a certificate. `sign --format raw` therefore refuses such input unless a non-empty
// --context separates the domains or --allow-structured-input says it is intended. Each test below
// recognises the first bytes of one protocol's signing input.
import { fromB64url } from '../src/bytes.js';

const ascii = (b: Uint8Array, n: number) => Buffer.from(b.subarray(0, n)).toString('latin1');

/** DSSE v1 PAE: "DSSEv1 " LEN SP type ... (secure-systems-lab/dsse protocol.md). */
const dssePae = (b: Uint8Array) => ascii(b, 7) === 'DSSEv1 ';

/** A JWS signing input: BASE64URL(header) '.' ..., the header a JSON object with "alg" (RFC 7515 §5.1). */
function jwsSigningInput(b: Uint8Array): boolean {
  const text = ascii(b, Math.min(b.length, 8192));
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

/** DER(SignedAttributes) (RFC 5652 §5.4): a SET whose first attribute has a PKCS #9 attribute type. */
const PKCS9 = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09];
function cmsSignedAttributes(b: Uint8Array): boolean {
  if (b[0] !== 0x31) return false;
  const body = derBody(b);
  if (body === undefined || b[body] !== 0x30) return false;
  const attr = derBody(b, body);
  return attr !== undefined && PKCS9.every((x, i) => b[attr + i] === x);
}

/** TBSCertificate (v2/v3), TBSCertList (v2) and CertificationRequestInfo (v1): what X.509 PKIs sign. */
function x509ToBeSigned(b: Uint8Array): boolean {
  if (b[0] !== 0x30) return false;
  const body = derBody(b);
  if (body === undefined) return false;
  const v = Array.from(b.subarray(body, body + 5));
  const tbsCertificate = v[0] === 0xa0 && v[1] === 0x03 && v[2] === 0x02 && v[3] === 0x01 && (v[4] === 1 || v[4] === 2);
  const versioned = v[0] === 0x02 && v[1] === 0x01 && (v[2] === 0 || v[2] === 1) && b[body + 3] === 0x30;
  return tbsCertificate || versioned;
}

/** Offset of the contents of the DER TLV at `at`, or undefined when its header is not a valid length. */
function derBody(b: Uint8Array, at = 0): number | undefined {
  const l = b[at + 1];
  if (l === undefined) return undefined;
  if (l < 0x80) return at + 2;
  const n = l & 0x7f;
  return n >= 1 && n <= 4 ? at + 2 + n : undefined;
}

const STRUCTURES: ReadonlyArray<[string, (b: Uint8Array) => boolean]> = [
  ['a DSSE pre-authentication encoding (an attestation\'s signing input)', dssePae],
  ['a JWS/JWT signing input', jwsSigningInput],
  ['a COSE Sig_structure', coseSigStructure],
  ['CMS signed attributes', cmsSignedAttributes],
  ['an X.509 to-be-signed structure (certificate, CRL or CSR)', x509ToBeSigned],
];

/** What the first bytes of an artifact are another protocol's signing input for, if anything. */
export function structuredInput(head: Uint8Array): string | undefined {
  return STRUCTURES.find(([, test]) => test(head))?.[0];
}
