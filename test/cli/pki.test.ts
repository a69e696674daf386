// `pqsign cert` and CMS certificate chains through the CLI: that each flag reaches the library (one run that
// takes effect, one that is refused), exit codes, the one-line messages naming the file or flag, --json
// output, and nothing written on a refusal. What the certificates contain, what a CA must not issue and the
// oracles on them: test/unit/pki/pki-issue.test.ts; CMS paths: test/unit/pki/cms-path.test.ts; CMS
// containers, digests, SignerInfos: test/unit/cms/cms-chain.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { verifyEach } from '../support/exit-codes.js';
import { buildPkiInProcess, issueFile, signWith, writeKeyPair } from '../support/inproc.js';
import { run, TEST_PKI_CHAIN, writeDerCertificate, type Pki } from '../support/pki-fixture.js';
import { decodePem, encodePem } from '../../src/asn1/pem.js';

const dir = tempDir('pqsign-pki-');
const at = (f: string) => join(dir, f);
let pki: Pki;
let fw: string;

beforeAll(async () => {
  pki = await buildPkiInProcess(dir);
  fw = at('firmware.bin');
  copyFileSync(FIRMWARE, fw);
});

const keygen = (name: string) => {
  writeKeyPair(at(`${name}.key`), undefined, 'ML-DSA-65');
  return at(`${name}.key`);
};
const jsonLines = (out: string) =>
  out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('pqsign cert', () => {
  it('create-ca --path-len, csr, issue --csr --ca --path-len --days, issue --key --subject --code-signing --not-before: --json reports', () => {
    const rootKey = keygen('cli-root');
    const interKey = keygen('cli-inter');
    const root = JSON.parse(
      run(['cert', 'create-ca', '--key', rootKey, '--subject', 'CN=CLI Root', '--path-len', '1', '--json', '--out', at('cli-root.pem')]),
    );
    expect(root).toMatchObject({
      out: at('cli-root.pem'),
      subject: 'CN=CLI Root',
      selfSigned: true,
      basicConstraints: { ca: true, pathLen: 1 },
    });
    const csr = JSON.parse(run(['cert', 'csr', '--key', interKey, '--subject', 'CN=CLI CA', '--json', '--out', at('cli-inter.csr')]));
    expect(csr).toMatchObject({ out: at('cli-inter.csr'), subject: 'CN=CLI CA', keyFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // without --json: one line on stderr naming the file
    const r = pqsign([
      'cert',
      'issue',
      '--ca-key',
      rootKey,
      '--ca-cert',
      at('cli-root.pem'),
      '--csr',
      at('cli-inter.csr'),
      '--ca',
      '--path-len',
      '0',
      '--days',
      '1825',
      '--out',
      at('cli-inter.pem'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote \S+cli-inter\.pem: "CN=CLI CA" issued by "CN=CLI Root", valid until \S+Z\n$/);
    const leaf = JSON.parse(
      run([
        'cert',
        'issue',
        '--ca-key',
        interKey,
        '--ca-cert',
        at('cli-inter.pem'),
        '--key',
        pki.leafKey,
        '--subject',
        'CN=CLI Leaf',
        '--code-signing',
        '--not-before',
        '2020-01-01T00:00:00Z',
        '--days',
        '30',
        '--json',
        '--out',
        at('cli-leaf.pem'),
      ]),
    );
    expect(leaf).toMatchObject({
      subject: 'CN=CLI Leaf',
      issuer: 'CN=CLI CA',
      notBefore: '2020-01-01T00:00:00.000Z',
      notAfter: '2020-01-31T00:00:00.000Z',
      extKeyUsage: { purposes: ['codeSigning'] },
    });
    // show: JSON lines and text
    const [inter] = jsonLines(run(['cert', 'show', at('cli-inter.pem'), '--json']));
    expect(inter).toMatchObject({ file: at('cli-inter.pem'), index: 0, subject: 'CN=CLI CA', basicConstraints: { ca: true, pathLen: 0 } });
    expect(Date.parse(inter.notAfter) - Date.parse(inter.notBefore)).toBe(1825 * 86_400_000);
    expect(run(['cert', 'show', pki.leaf])).toMatch(/^subject: +CN=Test Release Signing,O=pqsign tests\n/);
  });

  it('writes DER with --der, and show reads it', () => {
    const out = at('root.der');
    run(['cert', 'create-ca', '--key', pki.rootKey, '--subject', 'CN=DER Root', '--der', '--out', out]);
    expect(readFileSync(out)[0]).toBe(0x30);
    expect(jsonLines(run(['cert', 'show', out, '--json']))[0].subject).toBe('CN=DER Root');
  });

  it('refuses conflicting flags, what a CA must not issue, a bad --days and a forged request; writes nothing', () => {
    const out = at('refused.pem');
    const cases: [string[], number, RegExp][] = [
      [
        ['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--csr', at('inter.csr')],
        2,
        /exactly one of --key or --csr/,
      ],
      [['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--path-len', '1'], 2, /add --ca/],
      [
        ['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--ca', '--code-signing'],
        2,
        /not --ca/,
      ],
      [
        ['--ca-key', pki.interKey, '--ca-cert', pki.inter, '--key', pki.leafKey, '--subject', 'CN=x', '--ca'],
        2,
        /^pqsign: "CN=Test Issuing CA,O=pqsign tests" has pathLenConstraint 0: it may not issue CA certificates\n$/,
      ],
      [
        ['--ca-key', pki.rootKey, '--ca-cert', pki.root, '--key', pki.leafKey, '--subject', 'CN=x', '--days', '0'],
        2,
        /--days must be a whole number of days/,
      ],
    ];
    for (const [args, code, msg] of cases) {
      const r = pqsign(['cert', 'issue', ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(msg);
    }
    const csr = decodePem(readFileSync(at('inter.csr')))[0]!.der;
    csr[csr.length - 10]! ^= 1;
    writeFileSync(at('forged.csr'), encodePem('CERTIFICATE REQUEST', csr));
    const r = pqsign(['cert', 'issue', '--ca-key', pki.rootKey, '--ca-cert', pki.root, '--csr', at('forged.csr'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/forged\.csr: certification request: signature does not verify/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('CMS with a certificate chain (CLI)', () => {
  let good: string;
  let noInter: string;
  let noEku: string;
  let backdated: string;
  let junk: string;
  beforeAll(async () => {
    good = at('good.p7s');
    run(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter, '--out', good]);
    // set-up in this process: the inputs whose verdicts the CLI reports
    const cms = (out: string, cert: string, chain: string[], key = pki.leafKey) =>
      signWith(fw, key, { format: 'cms', out, options: { cert, chain } });
    noInter = at('no-inter.p7s');
    await cms(noInter, pki.leaf, []);
    const plain = await issueFile({ caKey: pki.interKey, caCert: pki.inter, key: pki.leafKey, subject: 'CN=No EKU', out: at('plain.pem') });
    noEku = at('no-eku.p7s');
    await cms(noEku, plain, [pki.inter]);
    const oldKey = keygen('old');
    const old = await issueFile({
      caKey: pki.interKey,
      caCert: pki.inter,
      key: oldKey,
      subject: 'CN=Old Signer',
      codeSigning: true,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      days: 30,
      out: at('old.pem'),
    });
    // --signing-time through the CLI: a claim inside the expired certificate's validity
    backdated = at('backdated.p7s');
    run([
      'sign',
      fw,
      '--format',
      'cms',
      '--key',
      oldKey,
      '--cert',
      old,
      '--chain',
      pki.inter,
      '--signing-time',
      '2020-01-15T12:00:00Z',
      '--out',
      backdated,
    ]);
    junk = at('junk.p7s');
    writeFileSync(junk, readFileSync(good).subarray(0, 200));
  });

  it('verify --trust-anchor --content --json: the signer and its chain up to the root', () => {
    const r = pqsign(['verify', good, '--content', fw, '--trust-anchor', pki.root, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signers).toEqual([
      expect.objectContaining({
        valid: true,
        signer: 'CN=Test Release Signing,O=pqsign tests',
        digest: 'sha512',
        chain: TEST_PKI_CHAIN,
      }),
    ]);
    // artifact + FILE.p7s beside it, and a DER trust anchor
    copyFileSync(good, `${fw}.p7s`);
    const der = writeDerCertificate(pki.root, at('root-anchor.der'));
    expect(pqsign(['verify', fw, '--trust-anchor', der]).code).toBe(0);
  });

  it('one verify --json run over chains that do and do not validate, and garbage; two alone pin the stderr line', () => {
    const v = verifyEach([good, noInter, noEku, backdated, junk], ['--content', fw, '--trust-anchor', pki.root]);
    expect(v.get(good)?.exit).toBe(0);
    expect(v.get(noInter)).toMatchObject({
      exit: 1,
      message: expect.stringMatching(/issuer: no certificate for its issuer "CN=Test Issuing CA,O=pqsign tests"/),
    });
    expect(v.get(noEku)).toMatchObject({
      exit: 1,
      message: expect.stringMatching(/"CN=No EKU": extendedKeyUsage: has no extendedKeyUsage/),
    });
    expect(v.get(backdated)).toMatchObject({
      exit: 1,
      message: expect.stringMatching(
        /"CN=Old Signer": validity: expired .*signingTime attribute is not trusted without --trust-signing-time/,
      ),
    });
    expect(v.get(junk)).toMatchObject({ exit: 2, message: expect.stringMatching(/junk\.p7s: malformed CMS: truncated/) });

    let r = pqsign(['verify', noInter, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(1);
    // the same line, but for the validation time (now)
    const untimed = (m: string) => m.replace(/validated at \S+Z/, 'validated at T');
    expect(untimed(r.stderr)).toBe(`pqsign: ${untimed(v.get(noInter)!.message!)}\n`);
    r = pqsign(['verify', junk, '--content', fw, '--trust-anchor', pki.root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`pqsign: ${v.get(junk)!.message}\n`);
  });

  it('--trust-signing-time, --at and --any-eku reach the path validation', () => {
    const trusted = verifyEach([backdated], ['--content', fw, '--trust-anchor', pki.root, '--trust-signing-time']).get(backdated)!;
    expect(trusted.message).toMatch(/certificate "CN=Test Issuing CA,O=pqsign tests": validity: not yet valid/);
    const later = verifyEach([good], ['--content', fw, '--trust-anchor', pki.root, '--at', '2100-01-01T00:00:00Z']).get(good)!;
    expect(later.message).toMatch(/certificate "CN=Test Release Signing,O=pqsign tests": validity: expired/);
    expect(pqsign(['verify', noEku, '--content', fw, '--trust-anchor', pki.root, '--any-eku']).code).toBe(0);
  });

  it('sign --attached and --pem: the containers verify (--json: attached, contentBytes); not both', () => {
    const att = at('attached.p7s');
    run(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter, '--attached', '--out', att]);
    const pem = at('detached.pem');
    run(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter, '--pem', '--out', pem]);
    expect(readFileSync(pem, 'latin1')).toMatch(/^-----BEGIN CMS-----\n/);
    const r = pqsign(['verify', att, pem, '--content', fw, '--trust-anchor', pki.root, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [a, p] = jsonLines(r.stdout);
    expect(a).toMatchObject({ file: att, ok: true, attached: true, contentBytes: readFileSync(fw).length });
    expect(p).toMatchObject({ file: pem, ok: true, format: 'cms', attached: false });
    const both = pqsign(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--attached', '--pem', '--out', at('both.p7s')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--pem works for detached/);
    expect(existsSync(at('both.p7s'))).toBe(false);
  });

  it('refusals: --digest too weak, --cert for another key, nothing to trust', () => {
    let r = pqsign(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--digest', 'sha256', '--out', at('weak.p7s')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--digest sha256 is too weak for ML-DSA-65; RFC 9882 allows sha384, sha512, sha3-384, sha3-512, shake256/);
    r = pqsign(['sign', fw, '--format', 'cms', '--key', pki.interKey, '--cert', pki.leaf, '--out', at('mismatch.p7s')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the certificate "CN=Test Release Signing,O=pqsign tests" is not for the signing key/);
    expect(existsSync(at('weak.p7s')) || existsSync(at('mismatch.p7s'))).toBe(false);
    r = pqsign(['verify', good, '--content', fw]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nothing to trust: give --key, --key-sha256, --trust-anchor or --policy/);
  });
});
