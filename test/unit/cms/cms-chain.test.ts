// CMS SignedData with a certificate chain, verified in this process: the signers and their chains, digests too
// weak for the parameter set, CMSAlgorithmProtection (RFC 6211), SignerInfos without signed attributes, several
// SignerInfos, attached / PEM / BER containers, offline ceremonies, input errors (error codes stand for exit
// codes), and the detached-SignedData builder other formats reuse (UEFI) under Bouncy Castle. Path rules are in
// test/unit/pki/cms-path.test.ts; `pqsign sign|verify`'s flags and output in test/cli/pki.test.ts.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, hex, oracle, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import {
  anchorRules,
  buildPkiInProcess,
  createCaFile,
  failure,
  issueFile,
  signWith,
  verifyWith,
  writeKeyPair,
  type VerifyWithOptions,
} from '../../support/inproc.js';
import { TEST_PKI_CHAIN, writeDerCertificate, type Pki } from '../../support/pki-fixture.js';
import { craftDetached, craftWithoutSignedAttributes, mergeSignerInfos, toIndefiniteBer } from '../../support/cms-craft.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { buildDetachedSignedData } from '../../../src/cms/builder.js';
import { readChunks } from '../../../src/io/read.js';
import { fileSource } from '../../../src/io/source.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';
import { artifactInfo } from '../../../src/pipeline/sign.js';
import { readCertificates } from '../../../src/pki/cert-file.js';
import { cms } from '../../../formats/cms.js';

const dir = tempDir('pqsign-cms-chain-');
let pki: Pki;
let fw: string;
let good: string;

/** a copy of `file` with one bit flipped at `offset` */
function flippedCopy(file: string, name: string, offset: number): string {
  const out = join(dir, name);
  const bytes = readFileSync(file);
  bytes[offset]! ^= 0x01;
  writeFileSync(out, bytes);
  return out;
}

/** `pqsign sign FW --format cms --key KEY [format flags] --out OUT` */
const signCms = (out: string, options: Record<string, unknown>, key = pki.leafKey, file = fw) =>
  signWith(file, key, { format: 'cms', out, options });
/** `pqsign verify FILE [--content C] --trust-anchor ROOT [--format F]` */
const anchored = async (file: string, o: Omit<VerifyWithOptions, 'rules'> = {}) =>
  verifyWith(file, undefined, { ...o, rules: await anchorRules(pki.root) });
/** `pqsign verify FILE [--content C] --key LEAF-CERT` */
const keyed = (file: string, content?: string) => verifyWith(file, pki.leaf, content ? { payload: content } : {});
/** the error a verification fails with, and the exit code it stands for */
const rejected = async (p: Promise<unknown>) => {
  const f = await failure(p);
  return { ...f, exit: exitOfCode(f.code) };
};
/** details as `verify --json` prints them */
const json = (details: unknown) => JSON.parse(JSON.stringify(details));

beforeAll(async () => {
  pki = await buildPkiInProcess(dir);
  fw = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, fw);
  good = join(dir, 'good.p7s');
  await signCms(good, { cert: pki.leaf, chain: [pki.inter] });
});

describe('CMS with a certificate chain, in-process', () => {
  it('chains leaf → intermediate → root with only the root as anchor; FILE.p7s beside the artifact; DER anchors', async () => {
    const v = await anchored(good, { payload: fw });
    expect(json(v.details).signers).toEqual([
      expect.objectContaining({
        valid: true,
        signer: 'CN=Test Release Signing,O=pqsign tests',
        digest: 'sha512',
        chain: TEST_PKI_CHAIN,
      }),
    ]);
    copyFileSync(good, `${fw}.p7s`);
    const der = writeDerCertificate(pki.root, join(dir, 'root-anchor.der'));
    expect(await verifyWith(fw, undefined, { rules: await anchorRules(der) })).toMatchObject({ format: 'cms' });
  });

  it('digest too weak for the parameter set: refused when signing and when verifying', async () => {
    const s = await rejected(signCms(join(dir, 'weak.p7s'), { digest: 'sha256' }, pki.leafKey));
    expect(s.exit).toBe(2);
    expect(s.message).toMatch(/`digest` sha256 is too weak for ML-DSA-65; RFC 9882 allows sha384, sha512, sha3-384, sha3-512, shake256/);
    const weak = join(dir, 'weak-crafted.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: weak, digest: 'sha256' });
    const v = await rejected(keyed(weak, fw));
    expect(v.exit).toBe(2);
    expect(v.message).toMatch(/digest sha256 is too weak for ML-DSA-65/);
  });

  it('rejects a CMSAlgorithmProtection that disagrees with the SignerInfo (RFC 6211)', async () => {
    const f = join(dir, 'protection.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: f, digest: 'sha512', protectedDigest: 'shake256' });
    const r = await rejected(keyed(f, fw));
    expect(r.exit).toBe(1);
    expect(r.message).toMatch(/CMSAlgorithmProtection digestAlgorithm disagrees with the SignerInfo/);
    const ok = join(dir, 'protection-ok.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: ok, digest: 'sha512' });
    expect(await keyed(ok, fw)).toMatchObject({ format: 'cms' });
  });

  it('SignerInfos without signed attributes: the signature covers the content (detached and attached)', async () => {
    const det = join(dir, 'no-attrs.p7s');
    const att = join(dir, 'no-attrs-attached.p7s');
    await craftWithoutSignedAttributes(pki.leafKey, fw, det, false);
    await craftWithoutSignedAttributes(pki.leafKey, fw, att, true);
    expect(await keyed(det, fw)).toMatchObject({ format: 'cms' });
    const signer = json((await keyed(att)).details).signers[0];
    expect(signer.valid).toBe(true);
    expect(signer.digest).toBeUndefined(); // digestAlgorithm has no meaning without signed attributes
    const changed = flippedCopy(fw, 'changed-no-attrs.bin', 5);
    const bad = await rejected(keyed(det, changed));
    expect(bad.exit).toBe(1);
    expect(bad.message).toMatch(/signature over the content does not verify/);
  });

  it('several SignerInfos: each is reported; valid when at least one chains', async () => {
    const strangerKey = join(dir, 'stranger.key');
    writeKeyPair(strangerKey, undefined, 'ML-DSA-65');
    const strangerCa = await createCaFile(strangerKey, 'CN=Stranger CA', join(dir, 'stranger-ca.pem'));
    const stranger = await issueFile({
      caKey: strangerKey,
      caCert: strangerCa,
      key: strangerKey,
      subject: 'CN=Stranger',
      codeSigning: true,
      out: join(dir, 'stranger.pem'),
    });
    const s2 = join(dir, 'stranger.p7s');
    await signCms(s2, { cert: stranger }, strangerKey);
    const both = join(dir, 'both.p7s');
    mergeSignerInfos([s2, good], both);
    const signers = json((await anchored(both, { payload: fw })).details).signers;
    expect(signers).toHaveLength(2);
    expect(signers[0]).toMatchObject({ valid: false, signer: 'CN=Stranger', error: { code: 'ERR_CHAIN' } });
    expect(signers[1]).toMatchObject({ valid: true, signer: 'CN=Test Release Signing,O=pqsign tests' });

    const none = join(dir, 'none.p7s');
    mergeSignerInfos([s2, s2], none);
    const n = await rejected(anchored(none, { payload: fw }));
    expect(n.exit).toBe(1);
    expect(n.message).toMatch(/no SignerInfo is valid: SignerInfo #1 \(CN=Stranger\): .*; SignerInfo #2 \(CN=Stranger\): /);
  });

  it('attached, PEM and BER (indefinite lengths, constructed OCTET STRING) all stream and verify; strip recovers the content', async () => {
    const att = join(dir, 'attached.p7s');
    await signCms(att, { cert: pki.leaf, chain: [pki.inter], attached: true });
    const pem = join(dir, 'attached.pem');
    writeFileSync(pem, encodePem('PKCS7', readFileSync(att)));
    const ber = join(dir, 'attached.ber');
    writeFileSync(ber, toIndefiniteBer(new Uint8Array(readFileSync(att)), 777));
    const detachedPem = join(dir, 'detached.pem');
    await signCms(detachedPem, { cert: pki.leaf, chain: [pki.inter], pem: true });
    expect(readFileSync(detachedPem, 'latin1')).toMatch(/^-----BEGIN CMS-----\n/);
    for (const f of [att, pem, ber]) {
      expect(json((await anchored(f)).details), f).toMatchObject({ attached: true, contentBytes: readFileSync(fw).length });
      const loc = await cms.payload!(f);
      const parts: Buffer[] = [];
      for await (const chunk of readChunks(f, { start: loc.start, end: loc.end, chunkSize: 1000 })) {
        if (loc.transform) loc.transform(chunk, (b) => parts.push(Buffer.from(b)));
        else parts.push(Buffer.from(chunk));
      }
      expect(Buffer.concat(parts).equals(readFileSync(fw)), f).toBe(true);
    }
    expect(await anchored(detachedPem, { payload: fw })).toMatchObject({ format: 'cms' });
    // an attached CMS checked against a file: the file must be the embedded content
    expect(await anchored(att, { payload: fw })).toMatchObject({ format: 'cms' });
    const other = await rejected(anchored(att, { payload: pki.leaf }));
    expect(other.exit).toBe(1);
    expect(other.message).toMatch(/is not the content embedded in the CMS/);
  });

  it('offline ceremony: resolved options (JSON) rebuild the same signed attributes and container without the certificate files', async () => {
    const leafKey = await loadPublicKey(pki.leafKey);
    const artifact = artifactInfo(fileSource(fw, statSync(fw).size));
    const feed = async (options: Record<string, unknown>) => {
      const s = await cms.beginSign({
        artifact,
        params: leafKey.params,
        publicKey: leafKey.publicKey,
        context: new Uint8Array(0),
        options,
      });
      for await (const chunk of readChunks(fw)) s.update(chunk, () => undefined);
      return s;
    };
    const first = await feed({ cert: pki.leaf, chain: [pki.inter], attached: true, digest: 'shake256' });
    const tbs = first.tail();
    const resolved = JSON.parse(JSON.stringify(first.resolvedOptions()));
    expect(resolved).toMatchObject({
      digest: 'shake256',
      attached: true,
      pem: false,
      signingTime: expect.any(String),
      certificates: [expect.any(String), expect.any(String)],
    });
    const again = await feed(resolved);
    expect(Buffer.from(again.tail()).equals(Buffer.from(tbs))).toBe(true);
    const signature = new Uint8Array(3309).fill(1);
    const a = await first.container(signature);
    const b = await again.container(signature);
    expect(Buffer.from(b.prefix).equals(Buffer.from(a.prefix)) && Buffer.from(b.suffix).equals(Buffer.from(a.suffix))).toBe(true);
    await expect(
      cms.beginSign({
        artifact,
        params: leafKey.params,
        publicKey: leafKey.publicKey,
        context: new Uint8Array(0),
        options: { ...resolved, cert: pki.leaf },
      }),
    ).rejects.toThrow(/not both/);
  });

  it('input errors: a certificate for another key, a detached CMS without content, garbage', async () => {
    let r = await rejected(signCms(join(dir, 'mismatch.p7s'), { cert: pki.leaf }, pki.interKey));
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/the certificate "CN=Test Release Signing,O=pqsign tests" is not for the signing key/);
    r = await rejected(anchored(good, { format: 'cms' }));
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/this CMS is detached/);
    const junk = join(dir, 'junk.p7s');
    writeFileSync(junk, Buffer.concat([readFileSync(good).subarray(0, 200)]));
    r = await rejected(anchored(junk, { payload: fw }));
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/malformed CMS: truncated/);
    expect(r.file).toBe(junk);
  });
});

describe('buildDetachedSignedData (reused by formats that embed PKCS#7, e.g. UEFI)', () => {
  it('signs payload ‖ MonotonicCount; DER header is 30 82 .. .. 06 09 <signedData> A0 82; verifies with pqsign', async () => {
    const signer = await loadSigner(pki.leafKey);
    const certificates = [...(await readCertificates(pki.leaf)), ...(await readCertificates(pki.inter))];
    const payload = Buffer.from('capsule payload bytes '.repeat(100));
    const count = Buffer.from('0100000000000000', 'hex'); // UINT64 MonotonicCount, little endian
    const der = await buildDetachedSignedData(signer, [payload, count], { certificates });
    expect(hex(der.subarray(0, 2))).toBe('3082');
    expect((der[2]! << 8) | der[3]!).toBe(der.length - 4);
    expect(hex(der.subarray(4, 17))).toBe('06092a864886f70d010702a082');
    const p7 = join(dir, 'capsule.p7');
    const signed = join(dir, 'capsule.signed');
    writeFileSync(p7, der);
    writeFileSync(signed, Buffer.concat([payload, count]));
    expect(await anchored(p7, { payload: signed })).toMatchObject({ format: 'cms' });
    if (HAVE_SHARED) expect(oracle(['cms', p7, signed]).ok).toBe(true);
    else console.warn(`SKIP oracle check: ${NO_SHARED}`);
  });
});
