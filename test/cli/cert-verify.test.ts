// `pqsign cert verify CERT --trust-anchor ROOT [--chain CA]... [--at TIME] [--code-signing]`: a
// certificate path checked on its own, with exit 1 (ERR_CHAIN) when it does not chain; cross-checked
// with OpenSSL 3.5's `verify`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPki } from '../support/pki-fixture.js';
import { HAVE_SHARED, NO_SHARED, SHARED, pqsign, tempDir } from '../support/helpers.js';

const dir = tempDir();
const sub = (name: string) => {
  mkdirSync(join(dir, name));
  return join(dir, name);
};
const pki = buildPki(sub('a'));
const plain = buildPki(sub('b'), 'ML-DSA-44', []); // a leaf without extendedKeyUsage
const verify = (...args: string[]) => pqsign(['cert', 'verify', ...args]);
const json = (...args: string[]) => {
  const r = verify(...args, '--json');
  return { code: r.code, out: JSON.parse(r.stdout) };
};

describe('pqsign cert verify', () => {
  it('a leaf chains through its intermediate to the root: exit 0, the path in JSON and in text', () => {
    const { code, out } = json(pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter, '--code-signing');
    expect(code).toBe(0);
    expect(out).toMatchObject({ file: pki.leaf, ok: true, codeSigning: true });
    expect(out.chain.map((c: { subject: string }) => c.subject)).toEqual([
      'CN=Test Release Signing,O=pqsign tests',
      'CN=Test Issuing CA,O=pqsign tests',
      'CN=Test Root CA,O=pqsign tests',
    ]);
    expect(out.chain[0].keyFingerprint).toBe(JSON.parse(pqsign(['pubkey', '--key', pki.leafKey, '--json']).stdout).keyFingerprint);
    const text = verify(pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^OK .*leaf\.pem at \S+Z\n  cert    "CN=Test Release Signing,O=pqsign tests"  until \S+\n  CA      "CN=Test Issuing CA,O=pqsign tests"  until \S+\n  anchor  "CN=Test Root CA,O=pqsign tests"  until \S+\n$/,
    );
  });

  it('intermediates bundled after the certificate in its own file complete the path', () => {
    const bundle = join(dir, 'leaf+inter.pem');
    writeFileSync(bundle, readFileSync(pki.leaf, 'utf8') + readFileSync(pki.inter, 'utf8'));
    expect(json(bundle, '--trust-anchor', pki.root).code).toBe(0);
  });

  it('--code-signing requires extendedKeyUsage codeSigning; without it any EKU is accepted', () => {
    expect(json(plain.leaf, '--trust-anchor', plain.root, '--chain', plain.inter).code).toBe(0);
    const { code, out } = json(plain.leaf, '--trust-anchor', plain.root, '--chain', plain.inter, '--code-signing');
    expect(code).toBe(1);
    expect(out).toMatchObject({
      ok: false,
      error: { code: 'ERR_CHAIN', message: expect.stringMatching(/extendedKeyUsage: has no extendedKeyUsage; codeSigning is required/) },
    });
  });

  // Each failure: exit 1, one line naming the certificate file and the rule.
  const failures: [string, () => string[], RegExp][] = [
    ['a missing intermediate', () => [pki.leaf, '--trust-anchor', pki.root], /issuer: no certificate for its issuer "CN=Test Issuing CA/],
    [
      "another PKI's root as the anchor",
      () => [pki.leaf, '--trust-anchor', plain.root, '--chain', pki.inter],
      /no certificate for its issuer "CN=Test Root CA|signature/,
    ],
    [
      'its own root offered only as an untrusted --chain certificate',
      () => [pki.leaf, '--trust-anchor', plain.root, '--chain', pki.inter, '--chain', pki.root],
      /"CN=Test Root CA,O=pqsign tests": trust anchor: is self-signed but is not one of the trust anchors/,
    ],
    [
      'an intermediate of another PKI with the same name',
      () => [plain.leaf, '--trust-anchor', plain.root, '--chain', pki.inter],
      /signature/,
    ],
    [
      'a validation time after the leaf expired',
      () => [pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter, '--at', '2099-01-01T00:00:00Z'],
      /validity: expired \(notAfter \S+ is before the validation time 2099-01-01T00:00:00Z\)/,
    ],
    [
      'a validation time before it was issued',
      () => [pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter, '--at', '2001-01-01T00:00:00Z'],
      /validity: not yet valid/,
    ],
  ];
  for (const [name, args, message] of failures) {
    it(`refuses ${name} (exit 1)`, () => {
      const r = verify(...args());
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toMatch(/^pqsign: \S+\.pem: certificate "/);
    });
  }

  it('usage errors are exit 2: no --trust-anchor, a bad --at, a certificate file that is not one', () => {
    expect(verify(pki.leaf).code).toBe(2);
    const at = verify(pki.leaf, '--trust-anchor', pki.root, '--at', 'yesterday');
    expect(at.code).toBe(2);
    expect(at.stderr).toMatch(/--at "yesterday" is not a time/);
    const notCert = verify(pki.leafKey, '--trust-anchor', pki.root);
    expect(notCert.code).toBe(2);
  });
});

const OPENSSL35 = join(SHARED, 'oracles', 'openssl35');

describe.skipIf(!HAVE_SHARED)(`agrees with OpenSSL 3.5 verify ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  const openssl = (...args: string[]) => spawnSync('bash', [OPENSSL35, 'verify', ...args], { encoding: 'utf8' });
  const cases: [string, string[], string[], boolean][] = [
    [
      'full chain',
      ['-CAfile', pki.root, '-untrusted', pki.inter, pki.leaf],
      [pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter],
      true,
    ],
    ['missing intermediate', ['-CAfile', pki.root, pki.leaf], [pki.leaf, '--trust-anchor', pki.root], false],
    [
      'wrong root',
      ['-CAfile', plain.root, '-untrusted', pki.inter, pki.leaf],
      [pki.leaf, '--trust-anchor', plain.root, '--chain', pki.inter],
      false,
    ],
    [
      'codesign purpose, leaf without EKU',
      ['-purpose', 'codesign', '-CAfile', plain.root, '-untrusted', plain.inter, plain.leaf],
      [plain.leaf, '--trust-anchor', plain.root, '--chain', plain.inter, '--code-signing'],
      false,
    ],
    [
      'codesign purpose, code-signing leaf',
      ['-purpose', 'codesign', '-CAfile', pki.root, '-untrusted', pki.inter, pki.leaf],
      [pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter, '--code-signing'],
      true,
    ],
  ];
  for (const [name, sslArgs, ours, opensslOk] of cases) {
    it(name, () => {
      const o = openssl(...sslArgs);
      expect(o.status === 0, `${o.stdout}${o.stderr}`).toBe(opensslOk);
      expect(verify(...ours).code).toBe(opensslOk ? 0 : 1);
    });
  }
});
