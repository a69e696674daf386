// DSSE v1 Pre-Authentication Encoding (secure-systems-lab/dsse protocol.md, "Signature Definition"):
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
// LEN is the ASCII decimal byte length without leading zeros, type is UTF-8. The signature covers
// PAE, never the base64 text, so the payload type is authenticated and cannot be swapped.
import { concatBytes, utf8 } from '../base/bytes.js';

/** PAE as its parts (the body is not copied), for feeding a hasher without concatenating. */
export function paeParts(payloadType: string, body: Uint8Array): Uint8Array[] {
  const type = utf8(payloadType);
  return [utf8(`DSSEv1 ${type.length} `), type, utf8(` ${body.length} `), body];
}

/** PAE as one byte string (tests, oracle checks). */
export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  return concatBytes(...paeParts(payloadType, body));
}
