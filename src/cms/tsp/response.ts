// TimeStampResp (RFC 3161 §2.4.2): a PKIStatusInfo and, when granted, the token (kept byte for byte: it
// is embedded as is). A refusal is reported with the TSA's status, text and failure reasons.
import * as asn1js from 'asn1js';
import { PqsignError } from '../../base/errors.js';

const STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
/** PKIFailureInfo bits (RFC 3161 §2.4.2) */
const FAILURES: Record<number, string> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

/** The token of a granted response; throws ERR_TSA naming the TSA's reasons otherwise. */
export function tokenOfResponse(der: Uint8Array, tsa: string): Uint8Array {
  const bad = (why: string) => new PqsignError('ERR_TSA', `${tsa}: ${why}`);
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || asn.offset !== der.length || !(asn.result instanceof asn1js.Sequence))
    throw bad('the answer is not a TimeStampResp');
  const [statusInfo, token, ...rest] = asn.result.valueBlock.value;
  const [statusB, ...more] = statusInfo instanceof asn1js.Sequence ? statusInfo.valueBlock.value : [];
  if (!(statusB instanceof asn1js.Integer) || rest.length) throw bad('the answer is not a TimeStampResp');
  const status = statusB.valueBlock.valueDec;
  if (status === 0 || status === 1) {
    if (!(token instanceof asn1js.Sequence)) throw bad(`status ${STATUS[status]} but no time-stamp token`);
    return new Uint8Array(token.valueBeforeDecodeView);
  }
  const texts: string[] = [];
  for (const b of more) {
    if (b instanceof asn1js.Sequence)
      for (const t of b.valueBlock.value) if (t instanceof asn1js.Utf8String) texts.push(t.valueBlock.value);
    if (b instanceof asn1js.BitString) {
      const bits = b.valueBlock.valueHexView;
      for (const [bit, name] of Object.entries(FAILURES)) if ((bits[Number(bit) >> 3] ?? 0) & (0x80 >> (Number(bit) & 7))) texts.push(name);
    }
  }
  throw bad(`refused the request: ${STATUS[status] ?? `status ${status}`}${texts.length ? ` (${texts.join('; ')})` : ''}`);
}
