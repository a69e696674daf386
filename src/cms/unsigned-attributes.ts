// Time-stamp tokens in a SignerInfo's unsigned attributes (RFC 3161 Appendix A, RFC 5652 §5.3): they are
// outside the signature, so a token is added after signing — or years later, to re-timestamp — by
// re-encoding the SignerInfo with every byte up to the signature unchanged and a new unsignedAttrs [1].
// Several tokens are values of one id-aa-timeStampToken attribute.
import { TAG, oid, readChildren, readWhole, tlv, type Tlv } from '../asn1/der.js';
import { derSetOf } from '../asn1/set-of.js';
import { equalBytes } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { OID } from './oids.js';

const UNSIGNED_ATTRS_TAG = 0xa1; // unsignedAttrs [1] IMPLICIT SET OF Attribute
const SET = 0x31;
const TOKEN_OID = oid(OID.timeStampToken);

/** Attribute ::= SEQUENCE { id-aa-timeStampToken, SET OF TimeStampToken } */
const tokenAttribute = (tokens: readonly Uint8Array[]) => tlv(TAG.SEQUENCE, TOKEN_OID, derSetOf([...tokens]));

/** unsignedAttrs [1] holding the tokens: what a fresh SignerInfo ends with when it is time-stamped at signing. */
export const timeStampAttributes = (tokens: readonly Uint8Array[]): Uint8Array => derSetOf([tokenAttribute(tokens)], UNSIGNED_ATTRS_TAG);

function strict<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isPqsignError(e)) throw new PqsignError('ERR_SIGNATURE_FORMAT', `${what} is not DER, so pqsign does not rewrite it (${e.message})`);
    throw e;
  }
}

/** The SignerInfo with `tokens` added to its id-aa-timeStampToken attribute (made if absent). */
export function addTimeStampTokens(signerInfo: Uint8Array, tokens: readonly Uint8Array[]): Uint8Array {
  const fields = strict('the SignerInfo', () => readChildren(readWhole(signerInfo, TAG.SEQUENCE, 'SignerInfo').value));
  const last = fields[fields.length - 1];
  const head = last?.tag === UNSIGNED_ATTRS_TAG ? fields.slice(0, -1) : fields;
  const attrs: Uint8Array[] = [];
  let merged = false;
  if (last?.tag === UNSIGNED_ATTRS_TAG) {
    for (const a of strict('unsignedAttrs', () => readChildren(last.value))) {
      const [type, values] = strict('an unsigned attribute', () => readChildren(readWhole(a.raw, TAG.SEQUENCE, 'Attribute').value));
      if (type && values?.tag === SET && equalBytes(type.raw, TOKEN_OID)) {
        const existing = strict('the timeStampToken attribute', () => readChildren(values.value)).map((v: Tlv) => v.raw);
        attrs.push(tokenAttribute([...existing, ...tokens]));
        merged = true;
      } else attrs.push(a.raw);
    }
  }
  if (!merged) attrs.push(tokenAttribute(tokens));
  return tlv(TAG.SEQUENCE, ...head.map((f) => f.raw), derSetOf(attrs, UNSIGNED_ATTRS_TAG));
}
