// `pqsign cert verify CERT --trust-anchor ROOT [--chain CA]... [--at TIME] [--code-signing] [--json]` as a
// user runs it: the text and --json output, each flag wired, exit 1 with one line on stderr naming the
// certificate file when the path fails, exit 2 for usage errors. Which paths are accepted, every way one
// fails, and OpenSSL 3.5's agreement: test/unit/pki/verify-chain.test.ts. The PKIs are made in this process.
import { beforeAll, describe, expect, it } from 'vitest';
import { codeSigningAndPlainPki } from '../support/chain-pkis.js';
import type { Pki } from '../support/pki-fixture.js';
import { pqsign, tempDir } from '../support/helpers.js';

const dir = tempDir();
let pki: Pki;
let plain: Pki; // a leaf without extendedKeyUsage
const verify = (...args: string[]) => pqsign(['cert', 'verify', ...args]);
const json = (...args: string[]) => {
  const r = verify(...args, '--json');
  return { code: r.code, out: JSON.parse(r.stdout) };
};

beforeAll(async () => {
  ({ pki, plain } = await codeSigningAndPlainPki(dir));
});

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
    expect(out.chain[0].keyFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const text = verify(pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^OK .*leaf\.pem at \S+Z\n  cert    "CN=Test Release Signing,O=pqsign tests"  until \S+\n  CA      "CN=Test Issuing CA,O=pqsign tests"  until \S+\n  anchor  "CN=Test Root CA,O=pqsign tests"  until \S+\n$/,
    );
  });

  it('--code-signing without extendedKeyUsage codeSigning: exit 1, the error in JSON', () => {
    const { code, out } = json(plain.leaf, '--trust-anchor', plain.root, '--chain', plain.inter, '--code-signing');
    expect(code).toBe(1);
    expect(out).toMatchObject({
      ok: false,
      error: { code: 'ERR_CHAIN', message: expect.stringMatching(/extendedKeyUsage: has no extendedKeyUsage; codeSigning is required/) },
    });
  });

  // A failing path: exit 1, one line naming the certificate file and the rule (every case: the unit test).
  const failures: [string, () => string[], RegExp][] = [
    ['a missing intermediate', () => [pki.leaf, '--trust-anchor', pki.root], /issuer: no certificate for its issuer "CN=Test Issuing CA/],
    [
      'a validation time (--at) after the leaf expired',
      () => [pki.leaf, '--trust-anchor', pki.root, '--chain', pki.inter, '--at', '2099-01-01T00:00:00Z'],
      /validity: expired \(notAfter \S+ is before the validation time 2099-01-01T00:00:00Z\)/,
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

  it('usage errors are exit 2: no --trust-anchor, a bad --at', () => {
    expect(verify(pki.leaf).code).toBe(2);
    const at = verify(pki.leaf, '--trust-anchor', pki.root, '--at', 'yesterday');
    expect(at.code).toBe(2);
    expect(at.stderr).toMatch(/--at "yesterday" is not a time/);
  });
});
