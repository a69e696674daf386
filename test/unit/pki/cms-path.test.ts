// CMS certificate-path validation (src/pki, through the cms format) in this process, every negative case of
// the issue: missing intermediate, wrong trust anchor, wrong issuer, expired and not-yet-valid certificates
// (signingTime trusted only when asked), wrong EKU, CA flag missing, pathLen exceeded, tampered content and
// signed attributes. `pqsign cert` and verify's output and exit codes are tested in test/cli/pki.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, tempDir } from '../../support/helpers.js';
import {
  anchorRules,
  buildPkiInProcess,
  createCaFile,
  failure,
  issueFile,
  signWith,
  verifyWith,
  writeKeyPair,
} from '../../support/inproc.js';
import type { Pki } from '../../support/pki-fixture.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';
import { readCertificate } from '../../../src/pki/cert-file.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { parseName } from '../../../src/pki/name.js';
import { encodePem } from '../../../src/asn1/pem.js';

const dir = tempDir('pqsign-cms-path-');
let pki: Pki;
let fw: string;
let good: string;

const keygen = (name: string) => {
  const k = join(dir, `${name}.key`);
  writeKeyPair(k, undefined, 'ML-DSA-65');
  return k;
};
/** `pqsign sign FW --format cms --key KEY --cert CERT [--chain C]... [--signing-time T] --out OUT` */
const signCms = (out: string, cert: string, chain: string[], key = pki.leafKey, signingTime?: string) =>
  signWith(fw, key, { format: 'cms', out, options: { cert, chain, ...(signingTime ? { signingTime } : {}) } });
/** `pqsign verify FILE --content FW --trust-anchor ROOT... [--trust-signing-time] [--at T] [--any-eku]`, as the error it fails with */
const rejected = async (
  file: string,
  roots: string[],
  o: { trustSigningTime?: boolean; at?: string; anyEku?: boolean; content?: string } = {},
) =>
  failure(
    verifyWith(file, undefined, {
      payload: o.content ?? fw,
      rules: { ...(await anchorRules(...roots)), ...(o.trustSigningTime ? { trustSigningTime: true } : {}) },
      options: { cms: { ...(o.at ? { at: o.at } : {}), ...(o.anyEku ? { anyEku: true } : {}) } },
    }),
  );
const accepted = async (file: string, roots: string[], o: { anyEku?: boolean } = {}) =>
  verifyWith(file, undefined, { payload: fw, rules: await anchorRules(...roots), options: o.anyEku ? { cms: { anyEku: true } } : {} });

/** a certificate issued by the library, bypassing the CLI's own refusals */
async function libraryIssue(
  issuerCert: string,
  issuerKey: string,
  subjectKey: string,
  subject: string,
  profile: Parameters<typeof issueCertificate>[0]['profile'],
  out: string,
) {
  const { der } = await issueCertificate({
    subjectDer: parseName(subject),
    subjectKey: await loadPublicKey(subjectKey),
    issuer: await readCertificate(issuerCert),
    signer: await loadSigner(issuerKey),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    profile,
  });
  writeFileSync(out, encodePem('CERTIFICATE', der));
}

beforeAll(async () => {
  pki = await buildPkiInProcess(dir);
  fw = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, fw);
  good = join(dir, 'good.p7s');
  await signCms(good, pki.leaf, [pki.inter]);
  expect(await accepted(good, [pki.root])).toMatchObject({ format: 'cms' });
});

describe('CMS certificate paths that must not validate', () => {
  it('missing intermediate', async () => {
    const f = join(dir, 'no-inter.p7s');
    await signCms(f, pki.leaf, []);
    const r = await rejected(f, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(
      /certificate "CN=Test Release Signing,O=pqsign tests": issuer: no certificate for its issuer "CN=Test Issuing CA,O=pqsign tests"/,
    );
  });

  it('wrong trust anchor (an unrelated root), and an embedded root that is not an anchor', async () => {
    const other = await createCaFile(keygen('other-root'), 'CN=Other Root', join(dir, 'other-root.pem'));
    const r = await rejected(good, [other]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(/certificate "CN=Test Issuing CA,O=pqsign tests": issuer: no certificate for its issuer "CN=Test Root CA/);
    expect(await accepted(good, [other, pki.root])).toMatchObject({ format: 'cms' });
    const withRoot = join(dir, 'with-root.p7s');
    await signCms(withRoot, pki.leaf, [pki.inter, pki.root]);
    expect((await rejected(withRoot, [other])).message).toMatch(
      /certificate "CN=Test Root CA,O=pqsign tests": trust anchor: is self-signed but is not one of the trust anchors/,
    );
    expect(await accepted(withRoot, [pki.root])).toMatchObject({ format: 'cms' });
  });

  it('wrong issuer: an intermediate with the same name but another key', async () => {
    const impostor = join(dir, 'impostor.pem');
    await libraryIssue(
      pki.root,
      pki.rootKey,
      keygen('impostor'),
      'CN=Test Issuing CA,O=pqsign tests',
      { kind: 'ca', pathLen: 0 },
      impostor,
    );
    const f = join(dir, 'wrong-issuer.p7s');
    await signCms(f, pki.leaf, [impostor]);
    const r = await rejected(f, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(
      /certificate "CN=Test Release Signing,O=pqsign tests": signature: signature does not verify with the issuer key \("CN=Test Issuing CA/,
    );
  });

  it('expired and not-yet-valid certificates; validity is checked now (or at), at signingTime only when trusted', async () => {
    const key = keygen('old');
    const old = await issueFile({
      caKey: pki.interKey,
      caCert: pki.inter,
      key,
      subject: 'CN=Old Signer',
      codeSigning: true,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      days: 30,
      out: join(dir, 'old.pem'),
    });
    const expired = join(dir, 'expired.p7s');
    await signCms(expired, old, [pki.inter], key);
    let r = await rejected(expired, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(
      /certificate "CN=Old Signer": validity: expired \(notAfter 2020-01-31T00:00:00Z is before the validation time/,
    );

    // a signingTime inside the validity is the signer's claim: not trusted, the leaf is judged now
    const backdated = join(dir, 'backdated.p7s');
    await signCms(backdated, old, [pki.inter], key, '2020-01-15T12:00:00Z');
    r = await rejected(backdated, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(/certificate "CN=Old Signer": validity: expired .*signingTime attribute is not trusted/);
    // trusted: the root and intermediate must be valid then too
    r = await rejected(backdated, [pki.root], { trustSigningTime: true });
    expect(r.message).toMatch(/certificate "CN=Test Issuing CA,O=pqsign tests": validity: not yet valid/);

    const future = await issueFile({
      caKey: pki.interKey,
      caCert: pki.inter,
      key,
      subject: 'CN=Future Signer',
      codeSigning: true,
      notBefore: new Date('2099-01-01T00:00:00Z'),
      out: join(dir, 'future.pem'),
    });
    const early = join(dir, 'early.p7s');
    await signCms(early, future, [pki.inter], key);
    r = await rejected(early, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(/certificate "CN=Future Signer": validity: not yet valid \(notBefore 2099-01-01T00:00:00Z/);
    // the verification time can be given
    r = await rejected(good, [pki.root], { at: '2100-01-01T00:00:00Z' });
    expect(r.message).toMatch(/certificate "CN=Test Release Signing,O=pqsign tests": validity: expired/);
  });

  it('wrong EKU: a leaf without codeSigning fails unless any EKU is allowed', async () => {
    const plain = await issueFile({
      caKey: pki.interKey,
      caCert: pki.inter,
      key: pki.leafKey,
      subject: 'CN=No EKU',
      out: join(dir, 'plain.pem'),
    });
    const f = join(dir, 'no-eku.p7s');
    await signCms(f, plain, [pki.inter]);
    const r = await rejected(f, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(/certificate "CN=No EKU": extendedKeyUsage: has no extendedKeyUsage/);
    expect(await accepted(f, [pki.root], { anyEku: true })).toMatchObject({ format: 'cms' });
  });

  it('CA flag missing: a certificate issued by a non-CA', async () => {
    const subKey = keygen('sub');
    const sub = join(dir, 'issued-by-leaf.pem');
    await libraryIssue(pki.leaf, pki.leafKey, subKey, 'CN=Issued By Leaf', { kind: 'leaf', codeSigning: true }, sub);
    const f = join(dir, 'by-leaf.p7s');
    await signCms(f, sub, [pki.leaf, pki.inter], subKey);
    const r = await rejected(f, [pki.root]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(/certificate "CN=Test Release Signing,O=pqsign tests": basicConstraints: is not a CA certificate/);
  });

  it('pathLen exceeded: root with pathLen 0 above an intermediate', async () => {
    const r0Key = keygen('r0');
    const r0 = await createCaFile(r0Key, 'CN=PathLen Zero Root', join(dir, 'r0.pem'), 0);
    const i0 = join(dir, 'i0.pem');
    await libraryIssue(r0, r0Key, pki.interKey, 'CN=Too Deep CA', { kind: 'ca', pathLen: undefined }, i0);
    const l0 = await issueFile({
      caKey: pki.interKey,
      caCert: i0,
      key: pki.leafKey,
      subject: 'CN=Deep Leaf',
      codeSigning: true,
      out: join(dir, 'l0.pem'),
    });
    const f = join(dir, 'deep.p7s');
    await signCms(f, l0, [i0]);
    const r = await rejected(f, [r0]);
    expect(r.code).toBe('ERR_CHAIN');
    expect(r.message).toMatch(
      /certificate "CN=PathLen Zero Root": pathLenConstraint: allows 0 intermediate CA certificate\(s\) below it, the path has 1/,
    );
  });

  it('tampered content and tampered signed attributes', async () => {
    const changed = join(dir, 'changed.bin');
    const bytes = readFileSync(fw);
    bytes[1000]! ^= 0x01;
    writeFileSync(changed, bytes);
    let r = await rejected(good, [pki.root], { content: changed });
    expect(r.code).toBe('ERR_SIGNATURE_INVALID');
    expect(r.message).toMatch(/content does not match the messageDigest attribute \(sha512\)/);

    const p7 = readFileSync(good);
    // the signingTime attribute's UTCTime, inside the signed attributes
    const t = p7.indexOf(Buffer.from([0x17, 0x0d]), p7.indexOf(Buffer.from('06092a864886f70d010905', 'hex')));
    expect(t).toBeGreaterThan(0);
    p7[t + 3] = p7[t + 3] === 0x30 ? 0x31 : 0x30;
    const f = join(dir, 'attrs-tampered.p7s');
    writeFileSync(f, p7);
    r = await rejected(f, [pki.root]);
    expect(r.code).toBe('ERR_SIGNATURE_INVALID');
    expect(r.message).toMatch(/signature over the signed attributes does not verify/);
  });
});
