// The extensions pqsign writes into the certificates it issues (RFC 5280 §4.2.1): CA and code-signing
// profiles. Encoded with pkijs; KeyUsage as a DER named-bit BIT STRING (trailing zero bits dropped).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EXT, KEY_USAGE_BITS, KP, type KeyUsageName } from './oids.js';

export type Profile = { kind: 'ca'; pathLen: number | undefined } | { kind: 'leaf'; codeSigning: boolean };

/** X.690 §11.2.2: a named bit list is encoded without trailing zero bits. */
export function keyUsageBitString(usages: readonly KeyUsageName[]): asn1js.BitString {
  const bits = usages.map((u) => KEY_USAGE_BITS.indexOf(u));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: bytes.length * 8 - (highest + 1) });
}

const ext = (extnID: string, critical: boolean, value: { toBER(): ArrayBuffer }) =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });

export function profileExtensions(profile: Profile, subjectKeyId: Uint8Array, authorityKeyId: Uint8Array | undefined): pkijs.Extension[] {
  const out: pkijs.Extension[] = [];
  if (profile.kind === 'ca') {
    const bc = new pkijs.BasicConstraints({ cA: true, ...(profile.pathLen === undefined ? {} : { pathLenConstraint: profile.pathLen }) });
    out.push(ext(EXT.basicConstraints, true, bc.toSchema()));
    out.push(ext(EXT.keyUsage, true, keyUsageBitString(['keyCertSign', 'cRLSign'])));
  } else {
    out.push(ext(EXT.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()));
    out.push(ext(EXT.keyUsage, true, keyUsageBitString(['digitalSignature'])));
    if (profile.codeSigning) out.push(ext(EXT.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [KP.codeSigning] }).toSchema()));
  }
  out.push(ext(EXT.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: subjectKeyId })));
  if (authorityKeyId) {
    out.push(
      ext(
        EXT.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) }).toSchema(),
      ),
    );
  }
  return out;
}
