// `pqsign cert revoke` / `cert crl` and `verify --crl` as a user runs them (RFC 5280 §5 CRLs): the flags
// (--ca-key, --ca-cert, --crl-state, --serial, --reason, --date, --this-update, --next-update, --out,
// --force, --json, verify's --crl), exit codes, the one line on stderr, nothing written on failure, and the
// release flow of docs/pki.md with a CA key in KMS (OpenSSL 3.5 checks the CRL it signs). What the CRLs
// hold, which CRLs and revocations verification accepts (missing, stale, forged, crafted CRLs, edited
// states, revocation after a time-stamp) and OpenSSL's checks of them: test/unit/pki/crl.test.ts.
import { readFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editedCrlState, pkiWithSignedFirmware } from '../support/crl-setup.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { buildPkiAsync, type Pki } from '../support/pki-fixture.js';
import { startTestKms } from '../support/kms-fixture.js';
import { mldsaTsa, openssl, opensslMissing } from '../support/tsa-fixture.js';
import { readCrls } from '../../src/pki/crl.js';
import { readCertificate } from '../../src/pki/cert-file.js';

const DAY = 86_400_000;
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
const serialOf = async (cert: string) => Buffer.from((await readCertificate(cert)).serial).toString('hex');

const missing = HAVE_SHARED ? opensslMissing() : NO_SHARED;
if (missing) console.warn(`SKIP OpenSSL CRL checks: ${missing}`);

/** CRL commands for one CA of `pki`. */
function ca(pki: Pki, which: 'root' | 'inter', dir: string) {
  const args = [
    '--ca-key',
    which === 'root' ? pki.rootKey : pki.interKey,
    '--ca-cert',
    which === 'root' ? pki.root : pki.inter,
    '--crl-state',
    join(dir, `${which}.state.pem`),
  ];
  return {
    state: join(dir, `${which}.state.pem`),
    revoke: (serial: string, ...extra: string[]) => pqsign(['cert', 'revoke', ...args, '--serial', serial, ...extra]),
    crl: (out: string, ...extra: string[]) => pqsign(['cert', 'crl', ...args, '--out', out, ...extra]),
  };
}

describe('cert revoke, cert crl and verify --crl', () => {
  const dir = tempDir('pqsign-crl-');
  const fw = join(dir, 'fw.bin');
  const rootCrl = join(dir, 'root.crl.pem');
  const interCrl = join(dir, 'inter.crl.pem');
  let pki: Pki;
  let root: ReturnType<typeof ca>;
  let inter: ReturnType<typeof ca>;
  const verify = (...extra: string[]) => pqsign(['verify', fw, '--trust-anchor', pki.root, '--json', ...extra]);

  // set-up in this process: the PKI and the signature are not the subject here
  beforeAll(async () => {
    pki = await pkiWithSignedFirmware(dir, fw);
    root = ca(pki, 'root', dir);
    inter = ca(pki, 'inter', dir);
  });

  it('cert crl: --json, --next-update, --out written once unless --force, the state updated in place', async () => {
    let r = root.crl(rootCrl, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ issuer: 'CN=Test Root CA,O=pqsign tests', number: '1', revoked: 0 });
    r = inter.crl(interCrl, '--json', '--next-update', '30d');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ number: '1', out: interCrl, crlState: inter.state });
    expect(inter.crl(interCrl).code).toBe(2); // --out exists: --force
    r = inter.crl(interCrl, '--json', '--force', '--next-update', '30d');
    expect(json(r.stdout)).toMatchObject({ number: '2' });
    const [crl] = await readCrls(interCrl);
    expect(crl!.nextUpdate!.getTime() - crl!.thisUpdate.getTime()).toBe(30 * DAY);
    expect(readFileSync(interCrl)).toEqual(readFileSync(inter.state));
  });

  it('cert crl --this-update sets thisUpdate; a value that is not a time is exit 2', async () => {
    const early = join(dir, 'early.crl.pem');
    const at = iso(new Date(Date.now() + 3600_000));
    const args = ['cert', 'crl', '--ca-key', pki.interKey, '--ca-cert', pki.inter, '--crl-state', join(dir, 'early.state.pem')];
    expect(pqsign([...args, '--this-update', at, '--out', early]).code).toBe(0);
    expect((await readCrls(early))[0]!.thisUpdate.toISOString()).toBe(at);
    const bad = pqsign([...args, '--this-update', 'soon', '--out', join(dir, 'never.crl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--this-update "soon" is not a time/);
    expect(existsSync(join(dir, 'never.crl'))).toBe(false);
  });

  it('verify --crl: a current CRL for every certificate on the path verifies, and --json says what each CRL said', () => {
    const v = verify('--crl', rootCrl, '--crl', interCrl);
    expect(v.code, v.stderr).toBe(0);
    expect(json(v.stdout).signers[0].revocation).toEqual([
      expect.objectContaining({
        certificate: 'CN=Test Release Signing,O=pqsign tests',
        status: 'good',
        crl: expect.objectContaining({ number: '2' }),
      }),
      expect.objectContaining({ certificate: 'CN=Test Issuing CA,O=pqsign tests', status: 'good' }),
    ]);
  });

  it('cert revoke: --serial, --reason and --date are checked (exit 2, one line); --json says what was replaced', () => {
    const bad = inter.revoke('zz');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--serial "zz" is not a hexadecimal serial/);
    const hold = inter.revoke('01', '--reason', 'certificateHold');
    expect(hold.code).toBe(2);
    expect(hold.stderr).toMatch(/--reason "certificateHold" is not one of/);
    expect(hold.stderr.trim().split('\n')).toHaveLength(1);
    expect(inter.revoke('01', '--date', iso(new Date(Date.now() + DAY))).stderr).toMatch(/--date is after thisUpdate/);
    const first = inter.revoke('0x0001', '--reason', 'superseded');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^revoked serial 01 \(superseded\) in .*inter\.state\.pem: CRL number 3 of "CN=Test Issuing CA/);
    const worse = inter.revoke('01', '--reason', 'keyCompromise', '--json');
    expect(worse.code, worse.stderr).toBe(0);
    expect(json(worse.stdout)).toMatchObject({ serial: '01', reason: 'keyCompromise', replaced: true, revoked: 1, number: '4' });
  });

  it('a revoked leaf: verify --crl exits 1 with one line naming the file, its serial and reason', async () => {
    const serial = await serialOf(pki.leaf);
    const r = inter.revoke(serial, '--reason', 'keyCompromise', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ serial, revoked: 2, number: '5' }); // 3 and 4 went to serial 01 above
    expect(inter.crl(interCrl, '--force').code).toBe(0);
    const plain = pqsign(['verify', fw, '--trust-anchor', pki.root, '--crl', rootCrl, '--crl', interCrl]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(
      new RegExp(
        `^pqsign: .*fw\\.bin.*: certificate "CN=Test Release Signing,O=pqsign tests" \\(serial ${serial}\\) is revoked: keyCompromise`,
      ),
    );
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    const j = verify('--crl', rootCrl, '--crl', interCrl);
    expect(j.code).toBe(1);
    expect(json(j.stdout).error).toMatchObject({ code: 'ERR_REVOKED', detail: 'revocation' });
  });

  it('an edited CRL state is refused before anything is signed: exit 2, one line, nothing written', () => {
    const edited = editedCrlState(inter.state, join(dir, 'edited.state.pem'));
    const before = readFileSync(edited);
    const r = pqsign(['cert', 'crl', '--ca-key', pki.interKey, '--ca-cert', pki.inter, '--crl-state', edited, '--out', join(dir, 'x.crl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a CRL state pqsign can continue for "CN=Test Issuing CA,O=pqsign tests": signature does not verify/);
    expect(r.stderr).toContain(edited);
    expect(existsSync(join(dir, 'x.crl'))).toBe(false);
    expect(readFileSync(edited)).toEqual(before);
  });
});

describe('CRLs signed by a CA key in KMS', async () => {
  const kms = await startTestKms();
  const dir = tempDir('pqsign-crl-kms-');
  await kms.createKey('ML_DSA_65', 'alias/issuing-ca');
  await kms.createKey('ML_DSA_65', 'alias/release');
  const keys = { inter: kms.ref('alias/issuing-ca'), leaf: kms.ref('alias/release') };
  const pki = await buildPkiAsync((args) => pqsignAsync(args, { env: kms.env }), dir, 'ML-DSA-65', ['--code-signing'], keys);
  const tsa = await mldsaTsa(join(dir, 'tsa'));
  afterAll(() => tsa.close());

  it('the release flow of docs/pki.md: sign with the KMS leaf, time-stamp, expire, revoke, verify again', async () => {
    const k = (args: string[]) => pqsignAsync(args, { env: kms.env });
    const fw = join(dir, 'fw-1.4.2.bin');
    copyFileSync(FIRMWARE, fw);
    // 1. sign (KMS) without a token, then time-stamp the existing signature
    expect((await k(['sign', fw, '--format', 'cms', '--key', keys.leaf, '--cert', pki.leaf, '--chain', pki.inter])).code).toBe(0);
    expect((await pqsignAsync(['timestamp', `${fw}.p7s`, '--tsa', tsa.url])).code).toBe(0);
    // 2. today
    const base = ['verify', fw, '--trust-anchor', pki.root, '--json'];
    expect((await pqsignAsync([...base, '--tsa-anchor', tsa.root])).code).toBe(0);
    // 3. years later: expired without the TSA root, valid at genTime with it
    const later = iso(new Date(Date.now() + 3 * 365 * DAY));
    expect((await pqsignAsync([...base, '--at', later])).code).toBe(1);
    expect((await pqsignAsync([...base, '--tsa-anchor', tsa.root, '--at', later])).code).toBe(0);
    // 4. then the release key is retired: CRLs issued then (rehearsed with --this-update)
    const then = ['--this-update', iso(new Date(Date.parse(later) - DAY))];
    const issuing = ['--ca-key', keys.inter, '--ca-cert', pki.inter, '--crl-state', join(dir, 'flow-issuing.state.pem'), ...then];
    expect((await k(['cert', 'revoke', ...issuing, '--serial', await serialOf(pki.leaf), '--reason', 'superseded'])).code).toBe(0);
    expect((await k(['cert', 'crl', ...issuing, '--out', join(dir, 'issuing.crl')])).code).toBe(0);
    expect(
      (
        await k([
          'cert',
          'crl',
          '--ca-key',
          pki.rootKey,
          '--ca-cert',
          pki.root,
          '--crl-state',
          join(dir, 'flow-root.state.pem'),
          ...then,
          '--next-update',
          '90d',
          '--out',
          join(dir, 'root.crl'),
        ])
      ).code,
    ).toBe(0);
    // 5. verify again
    const crls = ['--crl', join(dir, 'root.crl'), '--crl', join(dir, 'issuing.crl')];
    const ok = await pqsignAsync([...base, '--tsa-anchor', tsa.root, '--at', later, ...crls]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok.stdout).signers[0].revocation[0]).toMatchObject({ status: 'revoked-after-validation-time', reason: 'superseded' });
    expect((await k(['cert', 'revoke', ...issuing, '--serial', await serialOf(pki.leaf), '--reason', 'keyCompromise'])).code).toBe(0);
    const bad = await pqsignAsync([
      ...base,
      '--tsa-anchor',
      tsa.root,
      '--at',
      later,
      '--crl',
      join(dir, 'root.crl'),
      '--crl',
      join(dir, 'flow-issuing.state.pem'),
    ]);
    expect(bad.code).toBe(1);
    expect(json(bad.stdout).error).toMatchObject({ code: 'ERR_REVOKED' });
  });

  it('cert revoke and cert crl sign the TBSCertList through KMS (μ only); OpenSSL and pqsign accept the CRL', async () => {
    const before = kms.log.length;
    const common = ['--ca-key', pki.interKey, '--ca-cert', pki.inter, '--crl-state', join(dir, 'inter.state.pem')];
    let r = await pqsignAsync(['cert', 'revoke', ...common, '--serial', '0badc0de', '--reason', 'superseded'], { env: kms.env });
    expect(r.code, r.stderr).toBe(0);
    r = await pqsignAsync(['cert', 'crl', ...common, '--out', join(dir, 'inter.crl.pem')], { env: kms.env });
    expect(r.code, r.stderr).toBe(0);
    expect(kms.log.slice(before).filter((l) => l.startsWith('Sign EXTERNAL_MU 200')).length).toBe(2);
    const [crl] = await readCrls(join(dir, 'inter.crl.pem'));
    expect(crl).toMatchObject({ number: 2n, entries: [expect.objectContaining({ reason: 'superseded' })] });
    if (!missing)
      expect(openssl(['crl', '-in', join(dir, 'inter.crl.pem'), '-noout', '-verify', '-CAfile', pki.inter])).toMatch(/verify OK/);
    const rootCrl = join(dir, 'root.crl.pem');
    expect(
      (
        await pqsignAsync([
          'cert',
          'crl',
          '--ca-key',
          pki.rootKey,
          '--ca-cert',
          pki.root,
          '--crl-state',
          join(dir, 'root.state.pem'),
          '--out',
          rootCrl,
        ])
      ).code,
    ).toBe(0);
    const fw = join(dir, 'fw.bin');
    copyFileSync(FIRMWARE, fw);
    expect(
      (await pqsignAsync(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter], { env: kms.env }))
        .code,
    ).toBe(0);
    const v = await pqsignAsync(['verify', fw, '--trust-anchor', pki.root, '--crl', rootCrl, '--crl', join(dir, 'inter.crl.pem')]);
    expect(v.code, v.stderr).toBe(0);
  });
});
