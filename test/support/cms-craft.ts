// Test-only constructions of CMS files pqsign itself refuses to write (weak digests, disagreeing
// CMSAlgorithmProtection, several SignerInfos, BER with indefinite lengths) from the library's own parts.
import { readFileSync, writeFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import { TAG, oid, readChildren, readWhole, tlv } from '../../src/asn1/der.js';
import { derSetOf } from '../../src/asn1/set-of.js';
import { concatBytes } from '../../src/base/bytes.js';
import { encodeAlgorithmProtection } from '../../src/cms/algorithm-protection.js';
import { digestByName } from '../../src/cms/digests.js';
import { OID } from '../../src/cms/oids.js';
import { encodeSignedAttributes } from '../../src/cms/signed-attributes.js';
import { encodeSignerInfo, signedDataLayout } from '../../src/cms/signed-data.js';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { computeMu } from '../../src/mldsa/mu.js';
import { keyIdentifier } from '../../src/pki/key-id.js';
import { signMuChecked } from '../../src/mldsa/signer.js';

export interface CraftOptions {
  keyPath: string;
  contentPath: string;
  out: string;
  digest: string;
  /** digest named in CMSAlgorithmProtection (default: the real one) */
  protectedDigest?: string;
}

/** A detached CMS signed with any digest, identified by subjectKeyIdentifier. */
export async function craftDetached(o: CraftOptions): Promise<void> {
  const signer = await loadSigner(o.keyPath);
  const digest = digestByName(o.digest)!;
  const h = digest.create();
  h.update(readFileSync(o.contentPath));
  const protectedDigest = digestByName(o.protectedDigest ?? o.digest)!;
  const attribute = (type: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(type), derSetOf([value]));
  const attrs = o.protectedDigest
    ? derSetOf([
        attribute(OID.contentType, oid(OID.data)),
        attribute(OID.messageDigest, tlv(TAG.OCTET_STRING, h.digest())),
        attribute(OID.algorithmProtection, encodeAlgorithmProtection(protectedDigest, signer.params)),
      ])
    : encodeSignedAttributes({ contentType: OID.data, messageDigest: h.digest(), signingTime: new Date(), digest, params: signer.params });
  const signature = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, attrs));
  const sid = { kind: 'subjectKeyIdentifier' as const, keyId: keyIdentifier(signer.publicKey) };
  const signerInfo = encodeSignerInfo(sid, digest, attrs, signer.params, signature);
  writeFileSync(o.out, signedDataLayout({ digest, sid, certificates: [], signerInfo }).prefix);
}

/** Merge the SignerInfos and certificates of several detached CMS files over the same content. */
export function mergeSignerInfos(files: string[], out: string): void {
  const parsed = files.map((f) => {
    const ci = asn1js.fromBER(readFileSync(f)).result as asn1js.Sequence;
    const sd = (ci.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.Sequence;
    return sd.valueBlock.value;
  });
  const raw = (b: asn1js.AsnType) => new Uint8Array(b.valueBeforeDecodeView);
  const isCtx0 = (b: asn1js.AsnType) => b.idBlock.tagClass === 3 && b.idBlock.tagNumber === 0;
  const certs = parsed.flatMap((f) => f.filter(isCtx0).flatMap((c) => (c as asn1js.Constructed).valueBlock.value.map(raw)));
  const signerInfos = parsed.flatMap((f) => (f[f.length - 1] as asn1js.Set).valueBlock.value.map(raw));
  const [version, , encap] = parsed[0]!.map(raw);
  const algs = new Map<string, Uint8Array>();
  for (const f of parsed) for (const a of (f[1] as asn1js.Set).valueBlock.value) algs.set(Buffer.from(raw(a)).toString('hex'), raw(a));
  const signedData = tlv(
    TAG.SEQUENCE,
    version!,
    derSetOf([...algs.values()]),
    encap!,
    ...(certs.length ? [tlv(0xa0, ...certs)] : []),
    derSetOf(signerInfos),
  );
  writeFileSync(out, tlv(TAG.SEQUENCE, oid(OID.signedData), tlv(0xa0, signedData)));
}

/**
 * Re-encode an attached DER CMS as BER the way streaming encoders write it: indefinite lengths on the
 * outer structures and the content as a constructed OCTET STRING of `chunk`-byte pieces.
 */
export function toIndefiniteBer(der: Uint8Array, chunk = 1000): Uint8Array {
  const indef = (tag: number, ...parts: Uint8Array[]) => concatBytes(Uint8Array.of(tag, 0x80), ...parts, Uint8Array.of(0, 0));
  const [ctype, content] = readChildren(readWhole(der, TAG.SEQUENCE, 'ContentInfo').value);
  const [sd] = readChildren(content!.value);
  const [version, algs, encap, ...rest] = readChildren(sd!.value);
  const [etype, econtent] = readChildren(encap!.value);
  const [octets] = readChildren(econtent!.value);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < octets!.value.length; i += chunk) pieces.push(tlv(TAG.OCTET_STRING, octets!.value.subarray(i, i + chunk)));
  return indef(
    TAG.SEQUENCE,
    ctype!.raw,
    indef(
      0xa0,
      indef(
        TAG.SEQUENCE,
        version!.raw,
        algs!.raw,
        indef(TAG.SEQUENCE, etype!.raw, indef(0xa0, indef(0x24, ...pieces))),
        ...rest.map((r) => r.raw),
      ),
    ),
  );
}

/** RFC 9882 §3.2 without signed attributes: the ML-DSA signature is over the content itself. */
export async function craftWithoutSignedAttributes(keyPath: string, contentPath: string, out: string, attached: boolean): Promise<void> {
  const signer = await loadSigner(keyPath);
  const content = readFileSync(contentPath);
  const signature = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, content));
  const digest = digestByName('sha512')!; // RFC 9882 §3.3: MUST be sha512 here, and ignored by verifiers
  const sid = { kind: 'subjectKeyIdentifier' as const, keyId: keyIdentifier(signer.publicKey) };
  const signerInfo = tlv(
    TAG.SEQUENCE,
    Uint8Array.of(2, 1, 3),
    tlv(0x80, sid.keyId),
    tlv(TAG.SEQUENCE, oid(digest.oid)),
    tlv(TAG.SEQUENCE, tlv(TAG.OID, signer.params.oidDer)),
    tlv(TAG.OCTET_STRING, signature),
  );
  const layout = signedDataLayout({ digest, sid, certificates: [], signerInfo }, attached ? content.length : undefined);
  writeFileSync(out, attached ? concatBytes(layout.prefix, content, layout.suffix) : layout.prefix);
}
