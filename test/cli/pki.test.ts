// The private PKI (`pqsign cert ...`) and CMS certificate paths through the CLI: verify's output and exit codes
// for a missing intermediate, expired / not-yet-valid certificates (--at, --trust-signing-time), wrong EKU
// (--any-eku), too-weak digests, crafted SignerInfos, BER and PEM input. Every negative path case of the issue
// is also checked in-process in test/unit/pki/cms-path.test.ts (wrong anchor or issuer, CA flag, pathLen,
// tampered content and attributes).
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { buildPki, keygen, run, type Pki } from '../support/pki-fixture.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { craftDetached, craftWithoutSignedAttributes, mergeSignerInfos, toIndefiniteBer } from '../support/cms-craft.js';
import { encodePem, decodePem } from '../../src/asn1/pem.js';
import { cms } from '../../formats/cms.js';
import { readChunks } from '../../src/io/read.js';

const dir = tempDir('pqsign-pki-');
let pki: Pki;
let fw: string;

beforeAll(() => {
  pki = buildPki(dir);
  fw = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, fw);
});

/** a copy of `file` with one bit flipped at `offset` */
function flippedCopy(file: string, name: string, offset: number): string {
  const out = join(dir, name);
  const bytes = readFileSync(file);
  bytes[offset] ^= 0x01;
  writeFileSync(out, bytes);
  return out;
}

const show = (file: string) => JSON.parse(run(['cert', 'show', file, '--json']).split('\n')[0]!);
const signCms = (out: string, extra: string[], key = pki.leafKey, file = fw) =>
  run(['sign', file, '--format', 'cms', '--key', key, '--out', out, ...extra]);
const verify = (args: string[]) => pqsign(['verify', ...args]);

describe('pqsign cert', () => {
  it('create-ca: self-signed CA with keyCertSign, cRLSign, pathLen and SKI (RFC 9881 algorithm, no parameters)', () => {
    const f = show(pki.root);
    expect(f).toMatchObject({
      subject: 'CN=Test Root CA,O=pqsign tests',
      issuer: 'CN=Test Root CA,O=pqsign tests',
      selfSigned: true,
      selfSignatureValid: true,
      keyAlgorithm: 'ML-DSA-65',
      signatureAlgorithm: 'ML-DSA-65',
      basicConstraints: { ca: true, pathLen: 1, critical: true },
      keyUsage: { usages: ['keyCertSign', 'cRLSign'], critical: true },
      authorityKeyIdentifier: null,
    });
    expect(f.serial).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(f.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
    expect(Date.parse(f.notAfter) - Date.parse(f.notBefore)).toBe(3650 * 86_400_000);
  });

  it('issue: intermediate from a CSR and a code-signing leaf; AKI = issuer SKI', () => {
    const root = show(pki.root);
    const inter = show(pki.inter);
    const leaf = show(pki.leaf);
    expect(inter).toMatchObject({
      issuer: root.subject,
      basicConstraints: { ca: true, pathLen: 0 },
      authorityKeyIdentifier: root.subjectKeyIdentifier,
    });
    expect(leaf).toMatchObject({
      subject: 'CN=Test Release Signing,O=pqsign tests',
      issuer: inter.subject,
      authorityKeyIdentifier: inter.subjectKeyIdentifier,
      basicConstraints: { ca: false },
      keyUsage: { usages: ['digitalSignature'], critical: true },
      extKeyUsage: { purposes: ['codeSigning'] },
    });
    expect(Date.parse(leaf.notAfter) - Date.parse(leaf.notBefore)).toBe(365 * 86_400_000);
    expect(run(['cert', 'show', pki.leaf])).toMatch(/^subject: +CN=Test Release Signing,O=pqsign tests\n/);
  });

  it('writes DER with --der, and show reads it', () => {
    const out = join(dir, 'root.der');
    run(['cert', 'create-ca', '--key', pki.rootKey, '--subject', 'CN=DER Root', '--der', '--out', out]);
    expect(readFileSync(out)[0]).toBe(0x30);
    expect(show(out).subject).toBe('CN=DER Root');
  });

  it('refuses what a CA must not issue, a wrong CA key, and a forged request', () => {
    const cases: [string[], RegExp][] = [
      [
        ['--ca-key', pki.interKey, '--ca-cert', pki.inter, '--key', pki.leafKey, '--subject', 'CN=x', '--ca'],
        /pathLenConstraint 0: it may not issue CA/,
      ],
      [['--ca-key', pki.leafKey, '--ca-cert', pki.leaf, '--key', pki.leafKey, '--subject', 'CN=x'], /is not a CA certificate/],
      [
        ['--ca-key', pki.rootKey, '--ca-cert', pki.inter, '--key', pki.leafKey, '--subject', 'CN=x'],
        /is not the key of the CA certificate/,
      ],
      [
        ['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--csr', join(dir, 'inter.csr')],
        /exactly one of --key or --csr/,
      ],
      [['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--path-len', '1'], /add --ca/],
      [['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--ca', '--code-signing'], /not --ca/],
      [['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'Q=x'], /unknown attribute type/],
      [['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--days', '0'], /--days/],
    ];
    for (const [args, msg] of cases) {
      const r = pqsign(['cert', 'issue', ...args, '--out', join(dir, 'refused.pem')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const csr = decodePem(readFileSync(join(dir, 'inter.csr')))[0]!.der;
    csr[csr.length - 10] ^= 1;
    writeFileSync(join(dir, 'forged.csr'), encodePem('CERTIFICATE REQUEST', csr));
    const r = pqsign([
      'cert',
      'issue',
      '--ca-key',
      pki.rootKey,
      '--ca-cert',
      pki.root,
      '--csr',
      join(dir, 'forged.csr'),
      '--out',
      join(dir, 'x.pem'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certification request: signature does not verify/);
  });

  describe.skipIf(!HAVE_SHARED)(`pqsign certificates under the oracles${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
    it('root (self), intermediate (by root), leaf (by intermediate): OpenSSL 3.5, OpenSSL 4.0/cryptography and Bouncy Castle agree', () => {
      for (const [c, issuer] of [
        [pki.root, pki.root],
        [pki.inter, pki.root],
        [pki.leaf, pki.inter],
      ] as const) {
        const r = oracle(['cert', c, issuer]);
        expect(r.ok, r.stdout + r.stderr).toBe(true);
        expect(r.stdout.match(/issued-by: valid/g)).toHaveLength(3);
      }
      const wrong = oracle(['cert', pki.leaf, pki.root]);
      expect(wrong.ok).toBe(false);
    });
    it('self-signed CAs for ML-DSA-44 and ML-DSA-87', () => {
      for (const alg of ['ML-DSA-44', 'ML-DSA-87']) {
        const key = keygen(dir, `ca-${alg}`, alg);
        const out = join(dir, `ca-${alg}.pem`);
        run(['cert', 'create-ca', '--key', key, '--subject', `CN=${alg} Root`, '--out', out]);
        const r = oracle(['cert', out, out]);
        expect(r.ok, r.stdout).toBe(true);
      }
    });
  });
});

describe('CMS with a certificate chain', () => {
  let good: string;
  beforeAll(() => {
    good = join(dir, 'good.p7s');
    signCms(good, ['--cert', pki.leaf, '--chain', pki.inter]);
  });

  it('chains leaf → intermediate → root with only the root as anchor', () => {
    const r = verify([good, '--content', fw, '--trust-anchor', pki.root, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signers).toEqual([
      expect.objectContaining({
        valid: true,
        signer: 'CN=Test Release Signing,O=pqsign tests',
        digest: 'sha512',
        chain: ['CN=Test Release Signing,O=pqsign tests', 'CN=Test Issuing CA,O=pqsign tests', 'CN=Test Root CA,O=pqsign tests'],
      }),
    ]);
    // artifact + FILE.p7s beside it, and DER trust anchors
    copyFileSync(good, `${fw}.p7s`);
    const der = join(dir, 'root-anchor.der');
    writeFileSync(der, decodePem(readFileSync(pki.root))[0]!.der);
    expect(verify([fw, '--trust-anchor', der]).code).toBe(0);
  });

  it('missing intermediate', () => {
    const f = join(dir, 'no-inter.p7s');
    signCms(f, ['--cert', pki.leaf]);
    const r = verify([f, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /certificate "CN=Test Release Signing,O=pqsign tests": issuer: no certificate for its issuer "CN=Test Issuing CA,O=pqsign tests"/,
    );
  });

  it('expired and not-yet-valid certificates; validity is checked now (or --at), at signingTime only when trusted', () => {
    const key = keygen(dir, 'old', 'ML-DSA-65');
    const old = join(dir, 'old.pem');
    run([
      'cert',
      'issue',
      '--ca-key',
      pki.interKey,
      '--ca-cert',
      pki.inter,
      '--key',
      key,
      '--subject',
      'CN=Old Signer',
      '--code-signing',
      '--not-before',
      '2020-01-01T00:00:00Z',
      '--days',
      '30',
      '--out',
      old,
    ]);
    const expired = join(dir, 'expired.p7s');
    signCms(expired, ['--cert', old, '--chain', pki.inter], key);
    let r = verify([expired, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /certificate "CN=Old Signer": validity: expired \(notAfter 2020-01-31T00:00:00Z is before the validation time/,
    );

    // a signingTime inside the validity is the signer's claim: not trusted, the leaf is judged now
    const backdated = join(dir, 'backdated.p7s');
    signCms(backdated, ['--cert', old, '--chain', pki.inter, '--signing-time', '2020-01-15T12:00:00Z'], key);
    r = verify([backdated, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /certificate "CN=Old Signer": validity: expired .*signingTime attribute is not trusted without --trust-signing-time/,
    );
    // trusted: the root and intermediate must be valid then too
    r = verify([backdated, '--content', fw, '--trust-anchor', pki.root, '--trust-signing-time']);
    expect(r.stderr).toMatch(/certificate "CN=Test Issuing CA,O=pqsign tests": validity: not yet valid/);

    const future = join(dir, 'future.pem');
    run([
      'cert',
      'issue',
      '--ca-key',
      pki.interKey,
      '--ca-cert',
      pki.inter,
      '--key',
      key,
      '--subject',
      'CN=Future Signer',
      '--code-signing',
      '--not-before',
      '2099-01-01T00:00:00Z',
      '--out',
      future,
    ]);
    const early = join(dir, 'early.p7s');
    signCms(early, ['--cert', future, '--chain', pki.inter], key);
    r = verify([early, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate "CN=Future Signer": validity: not yet valid \(notBefore 2099-01-01T00:00:00Z/);
    // --at is the verification time
    r = verify([good, '--content', fw, '--trust-anchor', pki.root, '--at', '2100-01-01T00:00:00Z']);
    expect(r.stderr).toMatch(/certificate "CN=Test Release Signing,O=pqsign tests": validity: expired/);
  });

  it('wrong EKU: a leaf without codeSigning fails unless --any-eku', () => {
    const plain = join(dir, 'plain.pem');
    run([
      'cert',
      'issue',
      '--ca-key',
      pki.interKey,
      '--ca-cert',
      pki.inter,
      '--key',
      pki.leafKey,
      '--subject',
      'CN=No EKU',
      '--out',
      plain,
    ]);
    const f = join(dir, 'no-eku.p7s');
    signCms(f, ['--cert', plain, '--chain', pki.inter]);
    const r = verify([f, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate "CN=No EKU": extendedKeyUsage: has no extendedKeyUsage/);
    expect(verify([f, '--content', fw, '--trust-anchor', pki.root, '--any-eku']).code).toBe(0);
  });

  it('digest too weak for the parameter set: refused when signing and when verifying', async () => {
    const r = pqsign(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--digest', 'sha256', '--out', join(dir, 'weak.p7s')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--digest sha256 is too weak for ML-DSA-65; RFC 9882 allows sha384, sha512, sha3-384, sha3-512, shake256/);
    const weak = join(dir, 'weak-crafted.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: weak, digest: 'sha256' });
    const v = verify([weak, '--content', fw, '--key', pki.leaf]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/digest sha256 is too weak for ML-DSA-65/);
  });

  it('rejects a CMSAlgorithmProtection that disagrees with the SignerInfo (RFC 6211)', async () => {
    const f = join(dir, 'protection.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: f, digest: 'sha512', protectedDigest: 'shake256' });
    const r = verify([f, '--content', fw, '--key', pki.leaf]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CMSAlgorithmProtection digestAlgorithm disagrees with the SignerInfo/);
    const ok = join(dir, 'protection-ok.p7s');
    await craftDetached({ keyPath: pki.leafKey, contentPath: fw, out: ok, digest: 'sha512' });
    expect(verify([ok, '--content', fw, '--key', pki.leaf]).code).toBe(0);
  });

  it('SignerInfos without signed attributes: the signature covers the content (detached and attached)', async () => {
    const det = join(dir, 'no-attrs.p7s');
    const att = join(dir, 'no-attrs-attached.p7s');
    await craftWithoutSignedAttributes(pki.leafKey, fw, det, false);
    await craftWithoutSignedAttributes(pki.leafKey, fw, att, true);
    expect(verify([det, '--content', fw, '--key', pki.leaf]).code).toBe(0);
    const r = verify([att, '--key', pki.leaf, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const signer = JSON.parse(r.stdout).signers[0];
    expect(signer.valid).toBe(true);
    expect(signer.digest).toBeUndefined(); // digestAlgorithm has no meaning without signed attributes
    const changed = flippedCopy(fw, 'changed-no-attrs.bin', 5);
    const bad = verify([det, '--content', changed, '--key', pki.leaf]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/signature over the content does not verify/);
  });

  it('several SignerInfos: each is reported; valid when at least one chains', () => {
    const strangerKey = keygen(dir, 'stranger', 'ML-DSA-65');
    const strangerCa = join(dir, 'stranger-ca.pem');
    run(['cert', 'create-ca', '--key', strangerKey, '--subject', 'CN=Stranger CA', '--out', strangerCa]);
    const stranger = join(dir, 'stranger.pem');
    run([
      'cert',
      'issue',
      '--ca-key',
      strangerKey,
      '--ca-cert',
      strangerCa,
      '--key',
      strangerKey,
      '--subject',
      'CN=Stranger',
      '--code-signing',
      '--out',
      stranger,
    ]);
    const s2 = join(dir, 'stranger.p7s');
    signCms(s2, ['--cert', stranger], strangerKey);
    const both = join(dir, 'both.p7s');
    mergeSignerInfos([s2, good], both);
    const r = verify([both, '--content', fw, '--trust-anchor', pki.root, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const signers = JSON.parse(r.stdout).signers;
    expect(signers).toHaveLength(2);
    expect(signers[0]).toMatchObject({ valid: false, signer: 'CN=Stranger', error: { code: 'ERR_CHAIN' } });
    expect(signers[1]).toMatchObject({ valid: true, signer: 'CN=Test Release Signing,O=pqsign tests' });

    const none = join(dir, 'none.p7s');
    mergeSignerInfos([s2, s2], none);
    const n = verify([none, '--content', fw, '--trust-anchor', pki.root]);
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/no SignerInfo is valid: SignerInfo #1 \(CN=Stranger\): .*; SignerInfo #2 \(CN=Stranger\): /);
  });

  it('attached, PEM and BER (indefinite lengths, constructed OCTET STRING) all stream and verify; strip recovers the content', async () => {
    const att = join(dir, 'attached.p7s');
    signCms(att, ['--cert', pki.leaf, '--chain', pki.inter, '--attached']);
    const pem = join(dir, 'attached.pem');
    writeFileSync(pem, encodePem('PKCS7', readFileSync(att)));
    const ber = join(dir, 'attached.ber');
    writeFileSync(ber, toIndefiniteBer(new Uint8Array(readFileSync(att)), 777));
    const detachedPem = join(dir, 'detached.pem');
    signCms(detachedPem, ['--cert', pki.leaf, '--chain', pki.inter, '--pem']);
    expect(readFileSync(detachedPem, 'latin1')).toMatch(/^-----BEGIN CMS-----\n/);
    for (const f of [att, pem, ber]) {
      const r = verify([f, '--trust-anchor', pki.root, '--json']);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ attached: true, contentBytes: readFileSync(fw).length });
      const loc = await cms.payload!(f);
      const parts: Buffer[] = [];
      for await (const chunk of readChunks(f, { start: loc.start, end: loc.end, chunkSize: 1000 })) {
        if (loc.transform) loc.transform(chunk, (b) => parts.push(Buffer.from(b)));
        else parts.push(Buffer.from(chunk));
      }
      expect(Buffer.concat(parts).equals(readFileSync(fw)), f).toBe(true);
    }
    expect(verify([detachedPem, '--content', fw, '--trust-anchor', pki.root]).code).toBe(0);
    // an attached CMS checked against a file: the file must be the embedded content
    expect(verify([att, '--content', fw, '--trust-anchor', pki.root]).code).toBe(0);
    const other = verify([att, '--content', pki.leaf, '--trust-anchor', pki.root]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/is not the content embedded in the CMS/);
  });

  it('offline ceremony: resolved options (JSON) rebuild the same signed attributes and container without the certificate files', async () => {
    const leafKey = await loadPublicKey(pki.leafKey);
    const artifact = { path: fw, size: readFileSync(fw).length };
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

  it('input errors: no key or anchor, a certificate for another key, a detached CMS without content, garbage', () => {
    let r = verify([good, '--content', fw]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust: give --key, --key-sha256, --trust-anchor or --policy/);
    r = pqsign(['sign', fw, '--format', 'cms', '--key', pki.interKey, '--cert', pki.leaf, '--out', join(dir, 'mismatch.p7s')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the certificate "CN=Test Release Signing,O=pqsign tests" is not for the signing key/);
    r = verify([good, '--trust-anchor', pki.root, '--format', 'cms']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/this CMS is detached/);
    const junk = join(dir, 'junk.p7s');
    writeFileSync(junk, Buffer.concat([readFileSync(good).subarray(0, 200)]));
    r = verify([junk, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/junk\.p7s: malformed CMS: truncated/);
  });
});
