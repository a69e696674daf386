// A certificate path checked on its own (src/pki/verify-chain.ts, what `pqsign cert verify` runs), in this
// process: the path and its facts, intermediates bundled in the certificate's file, extendedKeyUsage
// codeSigning when asked, each way a path fails (ERR_CHAIN, exit 1) naming the certificate and the rule,
// and OpenSSL 3.5's `verify` agreeing on the same files. The command line's part (text and --json output,
// the stderr line, usage errors): test/cli/cert-verify.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, SHARED, tempDir } from '../../support/helpers.js';
import { failure } from '../../support/inproc.js';
import { codeSigningAndPlainPki } from '../../support/chain-pkis.js';
import { exitOfCode } from '../../support/exit-codes.js';
import type { Pki } from '../../support/pki-fixture.js';
import { verifyCertificateChain } from '../../../src/pki/verify-chain.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';

const dir = tempDir('pqsign-verify-chain-');
let pki: Pki;
let plain: Pki; // a leaf without extendedKeyUsage

/** `pqsign cert verify CERT --trust-anchor ROOT [--chain C]... [--at T] [--code-signing]` */
const check = (cert: string, o: { anchors: string[]; chain?: string[]; at?: string; codeSigning?: boolean }) =>
  verifyCertificateChain(cert, { trustAnchors: o.anchors, chain: o.chain ?? [], at: o.at, codeSigning: !!o.codeSigning });

beforeAll(async () => {
  ({ pki, plain } = await codeSigningAndPlainPki(dir));
});

describe('verifyCertificateChain (cert verify)', () => {
  it('a leaf chains through its intermediate to the root: the path, certificate first, with its key fingerprint', async () => {
    const r = await check(pki.leaf, { anchors: [pki.root], chain: [pki.inter], codeSigning: true });
    expect(r.codeSigning).toBe(true);
    expect(r.chain.map((c) => c.subject)).toEqual([
      'CN=Test Release Signing,O=pqsign tests',
      'CN=Test Issuing CA,O=pqsign tests',
      'CN=Test Root CA,O=pqsign tests',
    ]);
    expect(r.chain[0]!.keyFingerprint).toBe(keyFingerprint((await loadPublicKey(pki.leafKey)).publicKey));
  });

  it('intermediates bundled after the certificate in its own file complete the path', async () => {
    const bundle = join(dir, 'leaf+inter.pem');
    writeFileSync(bundle, readFileSync(pki.leaf, 'utf8') + readFileSync(pki.inter, 'utf8'));
    expect((await check(bundle, { anchors: [pki.root] })).chain).toHaveLength(3);
  });

  it('codeSigning requires extendedKeyUsage codeSigning; without it any EKU is accepted', async () => {
    await expect(check(plain.leaf, { anchors: [plain.root], chain: [plain.inter] })).resolves.toMatchObject({ codeSigning: false });
    const f = await failure(check(plain.leaf, { anchors: [plain.root], chain: [plain.inter], codeSigning: true }));
    expect(f.code).toBe('ERR_CHAIN');
    expect(f.message).toMatch(/extendedKeyUsage: has no extendedKeyUsage; codeSigning is required/);
  });

  // Each failure: ERR_CHAIN (exit 1), naming the certificate file and the rule.
  const failures: [string, () => [string, Parameters<typeof check>[1]], RegExp][] = [
    ['a missing intermediate', () => [pki.leaf, { anchors: [pki.root] }], /issuer: no certificate for its issuer "CN=Test Issuing CA/],
    [
      "another PKI's root as the anchor",
      () => [pki.leaf, { anchors: [plain.root], chain: [pki.inter] }],
      /no certificate for its issuer "CN=Test Root CA|signature/,
    ],
    [
      'its own root offered only as an untrusted --chain certificate',
      () => [pki.leaf, { anchors: [plain.root], chain: [pki.inter, pki.root] }],
      /"CN=Test Root CA,O=pqsign tests": trust anchor: is self-signed but is not one of the trust anchors/,
    ],
    ['an intermediate of another PKI with the same name', () => [plain.leaf, { anchors: [plain.root], chain: [pki.inter] }], /signature/],
    [
      'a validation time after the leaf expired',
      () => [pki.leaf, { anchors: [pki.root], chain: [pki.inter], at: '2099-01-01T00:00:00Z' }],
      /validity: expired \(notAfter \S+ is before the validation time 2099-01-01T00:00:00Z\)/,
    ],
    [
      'a validation time before it was issued',
      () => [pki.leaf, { anchors: [pki.root], chain: [pki.inter], at: '2001-01-01T00:00:00Z' }],
      /validity: not yet valid/,
    ],
  ];
  for (const [name, args, message] of failures) {
    it(`refuses ${name} (ERR_CHAIN, exit 1)`, async () => {
      const [cert, o] = args();
      const f = await failure(check(cert, o));
      expect(f.code).toBe('ERR_CHAIN');
      expect(exitOfCode(f.code)).toBe(1);
      expect(f.file).toBe(cert);
      expect(f.message).toMatch(message);
      expect(f.message).toMatch(/^certificate "/);
      expect(f.message).not.toContain('\n');
    });
  }

  it('a certificate file that is not one is an input error (exit 2)', async () => {
    const f = await failure(check(pki.leafKey, { anchors: [pki.root] }));
    expect(exitOfCode(f.code)).toBe(2);
  });
});

const OPENSSL35 = join(SHARED, 'oracles', 'openssl35');

describe.skipIf(!HAVE_SHARED)(`agrees with OpenSSL 3.5 verify ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  const openssl = (...args: string[]) => spawnSync('bash', [OPENSSL35, 'verify', ...args], { encoding: 'utf8' });
  const cases: [string, () => [string[], [string, Parameters<typeof check>[1]]], boolean][] = [
    [
      'full chain',
      () => [
        ['-CAfile', pki.root, '-untrusted', pki.inter, pki.leaf],
        [pki.leaf, { anchors: [pki.root], chain: [pki.inter] }],
      ],
      true,
    ],
    [
      'missing intermediate',
      () => [
        ['-CAfile', pki.root, pki.leaf],
        [pki.leaf, { anchors: [pki.root] }],
      ],
      false,
    ],
    [
      'wrong root',
      () => [
        ['-CAfile', plain.root, '-untrusted', pki.inter, pki.leaf],
        [pki.leaf, { anchors: [plain.root], chain: [pki.inter] }],
      ],
      false,
    ],
    [
      'codesign purpose, leaf without EKU',
      () => [
        ['-purpose', 'codesign', '-CAfile', plain.root, '-untrusted', plain.inter, plain.leaf],
        [plain.leaf, { anchors: [plain.root], chain: [plain.inter], codeSigning: true }],
      ],
      false,
    ],
    [
      'codesign purpose, code-signing leaf',
      () => [
        ['-purpose', 'codesign', '-CAfile', pki.root, '-untrusted', pki.inter, pki.leaf],
        [pki.leaf, { anchors: [pki.root], chain: [pki.inter], codeSigning: true }],
      ],
      true,
    ],
  ];
  for (const [name, args, opensslOk] of cases) {
    it(name, async () => {
      const [sslArgs, [cert, o]] = args();
      const ssl = openssl(...sslArgs);
      expect(ssl.status === 0, `${ssl.stdout}${ssl.stderr}`).toBe(opensslOk);
      const ours = await check(cert, o).then(
        () => 'ok',
        (e: { code: string }) => e.code,
      );
      expect(ours).toBe(opensslOk ? 'ok' : 'ERR_CHAIN');
    });
  }
});
