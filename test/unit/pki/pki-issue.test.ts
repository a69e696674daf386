// The private PKI behind `pqsign cert create-ca | csr | issue | show`, in this process: what a CA, an
// intermediate (from a request) and a code-signing leaf contain, DER files, what a CA must not issue (error
// codes stand for exit codes), and the certificates under the oracles (OpenSSL 3.5, OpenSSL 4.0/cryptography,
// Bouncy Castle). The flags, messages and files of `pqsign cert` are tested in test/cli/pki.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { buildPkiInProcess, createCaFile, failure, issueFile, writeKeyPair } from '../../support/inproc.js';
import type { Pki } from '../../support/pki-fixture.js';
import { decodePem, encodePem } from '../../../src/asn1/pem.js';
import { wholeSeconds } from '../../../src/asn1/time.js';
import { readCertificates } from '../../../src/pki/cert-file.js';
import { certificateFacts, formatFacts } from '../../../src/pki/describe.js';
import { createCa } from '../../../src/pki/ops.js';
import { loadAnySigner } from '../../../src/pipeline/keyref.js';

const dir = tempDir('pqsign-pki-issue-');
let pki: Pki;

beforeAll(async () => {
  pki = await buildPkiInProcess(dir);
});

/** `pqsign cert show FILE --json`: the first certificate's facts, as JSON carries them */
const show = async (file: string) => JSON.parse(JSON.stringify(certificateFacts((await readCertificates(file))[0]!)));

describe('pqsign cert, in-process', () => {
  it('create-ca: self-signed CA with keyCertSign, cRLSign, pathLen and SKI (RFC 9881 algorithm, no parameters)', async () => {
    const f = await show(pki.root);
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

  it('issue: intermediate from a CSR and a code-signing leaf; AKI = issuer SKI', async () => {
    const root = await show(pki.root);
    const inter = await show(pki.inter);
    const leaf = await show(pki.leaf);
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
    // `cert show` without --json
    expect(formatFacts(certificateFacts((await readCertificates(pki.leaf))[0]!))).toMatch(
      /^subject: +CN=Test Release Signing,O=pqsign tests\n/,
    );
  });

  it('a DER certificate file reads as the PEM one does', async () => {
    const signer = await loadAnySigner(pki.rootKey);
    const { der } = await createCa(signer, 'CN=DER Root', { notBefore: wholeSeconds(new Date()), days: 3650 }, undefined);
    const out = join(dir, 'root.der');
    writeFileSync(out, der);
    expect(readFileSync(out)[0]).toBe(0x30);
    expect((await show(out)).subject).toBe('CN=DER Root');
  });

  it('refuses what a CA must not issue, a wrong CA key, a bad subject or validity, and a forged request', async () => {
    const refused = join(dir, 'refused.pem');
    const leafOf = (o: Partial<Parameters<typeof issueFile>[0]>) =>
      issueFile({ caKey: pki.rootKey, caCert: pki.root, key: pki.leafKey, subject: 'CN=x', out: refused, ...o });
    const cases: [string, Promise<unknown>, string, RegExp][] = [
      [
        'CA under pathLen 0',
        leafOf({ caKey: pki.interKey, caCert: pki.inter, ca: true }),
        'ERR_USAGE',
        /pathLenConstraint 0: it may not issue CA/,
      ],
      ['issuer is a leaf', leafOf({ caKey: pki.leafKey, caCert: pki.leaf }), 'ERR_USAGE', /is not a CA certificate/],
      ['CA key of another certificate', leafOf({ caCert: pki.inter }), 'ERR_KEY_MISMATCH', /is not the key of the CA certificate/],
      ['unknown name attribute', leafOf({ subject: 'Q=x' }), 'ERR_USAGE', /unknown attribute type/],
      ['zero days', leafOf({ days: 0 }), 'ERR_USAGE', /`days` must be a whole number of days/],
    ];
    for (const [what, p, code, msg] of cases) {
      const f = await failure(p);
      expect(f.code, what).toBe(code);
      expect(exitOfCode(f.code), what).toBe(2);
      expect(f.message, what).toMatch(msg);
    }
    const csr = decodePem(readFileSync(join(dir, 'inter.csr')))[0]!.der;
    csr[csr.length - 10]! ^= 1;
    writeFileSync(join(dir, 'forged.csr'), encodePem('CERTIFICATE REQUEST', csr));
    const f = await failure(issueFile({ caKey: pki.rootKey, caCert: pki.root, csr: join(dir, 'forged.csr'), out: join(dir, 'x.pem') }));
    expect(f.code).toBe('ERR_SIGNATURE_INVALID');
    expect(exitOfCode(f.code)).toBe(1);
    expect(f.message).toMatch(/certification request: signature does not verify/);
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
    it('self-signed CAs for ML-DSA-44 and ML-DSA-87', async () => {
      for (const alg of ['ML-DSA-44', 'ML-DSA-87']) {
        const key = join(dir, `ca-${alg}.key`);
        writeKeyPair(key, undefined, alg);
        const out = await createCaFile(key, `CN=${alg} Root`, join(dir, `ca-${alg}.pem`));
        const r = oracle(['cert', out, out]);
        expect(r.ok, r.stdout).toBe(true);
      }
    });
  });
});
