// Distinguished names as text (RFC 4514): "CN=Release Signing,O=Example Corp" names the most specific RDN
// first, so its DER (RFC 5280 §4.1.2.4) holds O=Example Corp, then CN=Release Signing. The same order is
// used for parsing --subject and for printing, so what `cert show` prints can be pasted back.
import * as asn1js from 'asn1js';
import { PqsignError, opt } from '../base/errors.js';
import { TAG, tlv } from '../asn1/der.js';
import { concatList } from '../base/bytes.js';
import { derSetOf } from '../asn1/set-of.js';

interface AttributeType {
  short: string;
  oid: string;
  /** RFC 5280 Appendix A: countryName and serialNumber are PrintableString, DC and email IA5String */
  string: 'utf8' | 'printable' | 'ia5';
}

const TYPES: readonly AttributeType[] = [
  { short: 'CN', oid: '2.5.4.3', string: 'utf8' },
  { short: 'O', oid: '2.5.4.10', string: 'utf8' },
  { short: 'OU', oid: '2.5.4.11', string: 'utf8' },
  { short: 'C', oid: '2.5.4.6', string: 'printable' },
  { short: 'L', oid: '2.5.4.7', string: 'utf8' },
  { short: 'ST', oid: '2.5.4.8', string: 'utf8' },
  { short: 'STREET', oid: '2.5.4.9', string: 'utf8' },
  { short: 'serialNumber', oid: '2.5.4.5', string: 'printable' },
  { short: 'DC', oid: '0.9.2342.19200300.100.1.25', string: 'ia5' },
  { short: 'UID', oid: '0.9.2342.19200300.100.1.1', string: 'utf8' },
  { short: 'emailAddress', oid: '1.2.840.113549.1.9.1', string: 'ia5' },
];

const bad = (why: string) => new PqsignError('ERR_USAGE', `${opt('subject')}: ${why}`, { option: 'subject' });

/** Split on separators not escaped with a backslash (RFC 4514 §2.4). */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function unescapeValue(v: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\') {
      bytes.push(...enc.encode(c));
      continue;
    }
    const next = v.slice(i + 1, i + 3);
    if (/^[0-9a-fA-F]{2}$/.test(next)) {
      bytes.push(parseInt(next, 16));
      i += 2;
    } else if (i + 1 < v.length) {
      bytes.push(...enc.encode(v[i + 1]!));
      i++;
    } else throw bad('value ends with a lone backslash');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw bad('escaped bytes are not UTF-8');
  }
}

function stringValue(type: AttributeType, value: string): asn1js.BaseStringBlock {
  switch (type.string) {
    case 'printable':
      if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)) throw bad(`${type.short} must be a PrintableString`);
      if (type.short === 'C' && !/^[A-Z]{2}$/.test(value)) throw bad('C must be a two-letter country code (ISO 3166)');
      return new asn1js.PrintableString({ value });
    case 'ia5':
      // eslint-disable-next-line no-control-regex -- IA5String is exactly the 7-bit range, controls included
      if (!/^[\x00-\x7f]*$/.test(value)) throw bad(`${type.short} must be ASCII`);
      return new asn1js.IA5String({ value });
    default:
      return new asn1js.Utf8String({ value });
  }
}

/** Parse "CN=...,O=..." into a DER Name (RDN order reversed into DER order). Multi-valued RDNs use "+". */
export function parseName(text: string): Uint8Array {
  if (!text.trim()) throw bad('is empty');
  const rdns = splitUnescaped(text, ',').map((rdn) => {
    const atvs = splitUnescaped(rdn, '+').map((atv) => {
      const eq = atv.indexOf('=');
      if (eq <= 0) throw bad(`"${atv.trim()}" is not TYPE=VALUE`);
      const key = atv.slice(0, eq).trim();
      const type = TYPES.find((t) => t.short.toLowerCase() === key.toLowerCase());
      if (!type) throw bad(`unknown attribute type "${key}" (known: ${TYPES.map((t) => t.short).join(', ')})`);
      const value = unescapeValue(atv.slice(eq + 1).trim());
      if (!value) throw bad(`${type.short} is empty`);
      const atvDer = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type.oid }), stringValue(type, value)] }).toBER();
      return new Uint8Array(atvDer);
    });
    return derSetOf(atvs);
  });
  return tlv(TAG.SEQUENCE, concatList(rdns.reverse()));
}

function escapeValue(v: string): string {
  let out = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  out = out.replace(/^[ #]/, (c) => `\\${c}`).replace(/ $/, '\\ ');
  // eslint-disable-next-line no-control-regex -- control characters are what RFC 4514 escapes here
  return out.replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function atvText(atv: asn1js.AsnType, typeOid: string): string {
  const type = TYPES.find((t) => t.oid === typeOid);
  const block = atv as asn1js.BaseStringBlock;
  const value =
    typeof (block.valueBlock as { value?: unknown })?.value === 'string'
      ? escapeValue((block.valueBlock as { value: string }).value)
      : `#${Buffer.from(atv.toBER()).toString('hex')}`;
  return `${type?.short ?? typeOid}=${value}`;
}

/** The attributes of a DER Name, most specific RDN first, by short name (or OID when pqsign has none). */
export function nameAttributes(der: Uint8Array): Array<{ type: string; value: string }> {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return [];
  const out: Array<{ type: string; value: string }> = [];
  for (const set of asn.result.valueBlock.value) {
    for (const seq of (set as asn1js.Set).valueBlock.value ?? []) {
      const [type, value] = (seq as asn1js.Sequence).valueBlock.value;
      const text = (value as asn1js.BaseStringBlock | undefined)?.valueBlock as { value?: unknown } | undefined;
      if (!(type instanceof asn1js.ObjectIdentifier) || typeof text?.value !== 'string') continue;
      const oid = type.valueBlock.toString();
      out.push({ type: TYPES.find((t) => t.oid === oid)?.short ?? oid, value: text.value });
    }
  }
  return out.reverse();
}

/** A DER Name as RFC 4514 text. Multi-valued RDNs are joined with "+". */
export function formatName(der: Uint8Array): string {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return `#${Buffer.from(der).toString('hex')}`;
  const rdns: string[] = [];
  for (const set of asn.result.valueBlock.value) {
    const parts: string[] = [];
    for (const seq of (set as asn1js.Set).valueBlock.value ?? []) {
      const [type, value] = (seq as asn1js.Sequence).valueBlock.value;
      if (!(type instanceof asn1js.ObjectIdentifier) || !value) continue;
      parts.push(atvText(value, type.valueBlock.toString()));
    }
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(',');
}
