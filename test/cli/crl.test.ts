// Certificate revocation with X.509 v2 CRLs (RFC 5280 §5): `cert revoke` / `cert crl` issue ML-DSA CRLs
// (CRL number, authority key identifier) from a CA-signed state, which OpenSSL 3.5 must accept
// (`crl -verify -CAfile`, `verify -crl_check_all`); `verify --crl` then requires every certificate on the
// path but the anchor to be covered by a current CRL from its issuer and not revoked, attacks first:
// a revoked leaf or intermediate, a missing, stale, not-yet-valid or forged CRL, an edited state.
// With a trusted time-stamp, a revocation after genTime fails only for a compromise (or unstated) reason.
import { readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { buildPki, buildPkiAsync, run, type Pki } from '../support/pki-fixture.js';
import { startTestKms } from '../support/kms-fixture.js';
import { mldsaTsa, openssl, opensslMissing } from '../support/tsa-fixture.js';
import { TAG, oid, tlv } from '../../src/asn1/der.js';
import { encodeTime } from '../../src/asn1/time.js';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { computeMu } from '../../src/mldsa/mu.js';
import { readCrls } from '../../src/pki/crl.js';
import { readCertificate } from '../../src/pki/cert-file.js';
import { CRL_EXT } from '../../src/pki/oids.js';
import { signMuChecked } from '../../src/mldsa/signer.js';
import { signatureAlgorithmId } from '../../src/mldsa/asn1.js';

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

describe('cert revoke and cert crl', () => {
  const dir = tempDir('pqsign-crl-');
  const pki = buildPki(dir);
  const root = ca(pki, 'root', dir);
  const inter = ca(pki, 'inter', dir);
  const fw = join(dir, 'fw.bin');
  copyFileSync(FIRMWARE, fw);
  run(['sign', fw, '--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter]);
  const verify = (...extra: string[]) => pqsign(['verify', fw, '--trust-anchor', pki.root, '--json', ...extra]);
  const rootCrl = join(dir, 'root.crl.pem');
  const interCrl = join(dir, 'inter.crl.pem');

  it("issues CRLs with increasing numbers, the CA's authority key identifier, and no entries yet", async () => {
    let r = root.crl(rootCrl, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ issuer: 'CN=Test Root CA,O=pqsign tests', number: '1', revoked: 0 });
    r = inter.crl(interCrl, '--json', '--next-update', '30d');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ number: '1' });
    expect(inter.crl(interCrl).code).toBe(2); // --out exists: --force
    r = inter.crl(interCrl, '--json', '--force', '--next-update', '30d');
    expect(json(r.stdout)).toMatchObject({ number: '2' });
    const [crl] = await readCrls(interCrl);
    const caCert = await readCertificate(pki.inter);
    expect(crl!.authorityKeyId).toEqual(caCert.subjectKeyId);
    expect(crl!.nextUpdate!.getTime() - crl!.thisUpdate.getTime()).toBe(30 * DAY);
    expect(readFileSync(interCrl)).toEqual(readFileSync(inter.state));
  });

  it('a current CRL for every certificate on the path: the signature verifies, and says what each CRL said', () => {
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

  it('a missing, stale, not yet valid or forged CRL fails when revocation checking is asked for', () => {
    let v = verify('--crl', interCrl);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error).toMatchObject({ code: 'ERR_CHAIN' });
    expect(json(v.stdout).error.message).toMatch(
      /certificate "CN=Test Issuing CA,O=pqsign tests": revocation: no usable CRL from its issuer "CN=Test Root CA/,
    );

    v = verify('--crl', rootCrl, '--crl', interCrl, '--at', iso(new Date(Date.now() + 8 * DAY)));
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/the CRL of "CN=Test Root CA,O=pqsign tests" is not current at .*nextUpdate/);

    // issued for later (thisUpdate in an hour): not current yet
    const early = join(dir, 'early.crl.pem');
    run([
      'cert',
      'crl',
      '--ca-key',
      pki.interKey,
      '--ca-cert',
      pki.inter,
      '--crl-state',
      join(dir, 'early.state.pem'),
      '--this-update',
      iso(new Date(Date.now() + 3600_000)),
      '--out',
      early,
    ]);
    v = verify('--crl', rootCrl, '--crl', early);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/the CRL of "CN=Test Issuing CA,O=pqsign tests" is not current at .*thisUpdate/);

    // same issuer name, another key: a CRL an attacker can make (here: a CA that copies the issuing CA's name)
    const forgerDir = join(dir, 'forger');
    run(['keygen', '--out', join(dir, 'forger.key')]);
    run([
      'cert',
      'create-ca',
      '--key',
      join(dir, 'forger.key'),
      '--subject',
      'CN=Test Issuing CA,O=pqsign tests',
      '--out',
      join(dir, 'forger.pem'),
    ]);
    const forged = join(dir, 'forged.crl.pem');
    run([
      'cert',
      'crl',
      '--ca-key',
      join(dir, 'forger.key'),
      '--ca-cert',
      join(dir, 'forger.pem'),
      '--crl-state',
      `${forgerDir}.state.pem`,
      '--out',
      forged,
    ]);
    v = verify('--crl', rootCrl, '--crl', forged);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(
      /no usable CRL from its issuer "CN=Test Issuing CA,O=pqsign tests".*(authorityKeyIdentifier names another key|does not verify)/,
    );
  });

  it('revocation inputs are checked: reason, serial, date, one revocation per serial unless it turns out a compromise', () => {
    expect(inter.revoke('zz').stderr).toMatch(/not a hexadecimal serial/);
    const hold = inter.revoke('01', '--reason', 'certificateHold');
    expect(hold.code).toBe(2);
    expect(hold.stderr).toMatch(/--reason "certificateHold" is not one of/);
    expect(inter.revoke('01', '--date', iso(new Date(Date.now() + DAY))).stderr).toMatch(/--date is after thisUpdate/);
    expect(inter.revoke('0x0001', '--reason', 'superseded').code).toBe(0);
    const again = inter.revoke('01', '--reason', 'cessationOfOperation');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/serial 01 is already revoked \(superseded/);
    const worse = inter.revoke('01', '--reason', 'keyCompromise', '--json');
    expect(worse.code, worse.stderr).toBe(0);
    expect(json(worse.stdout)).toMatchObject({ serial: '01', reason: 'keyCompromise', replaced: true, revoked: 1 });
  });

  it('a revoked leaf fails with exit 1 naming its serial and reason', async () => {
    const serial = await serialOf(pki.leaf);
    const r = inter.revoke(serial, '--reason', 'keyCompromise', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ serial, revoked: 2, number: '5' }); // 3 and 4 went to serial 01 above
    expect(inter.crl(interCrl, '--force').code).toBe(0);
    const v = verify('--crl', rootCrl, '--crl', interCrl);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error).toMatchObject({ code: 'ERR_REVOKED', detail: 'revocation' });
    expect(json(v.stdout).error.message).toMatch(
      new RegExp(`certificate "CN=Test Release Signing,O=pqsign tests" \\(serial ${serial}\\) is revoked: keyCompromise since`),
    );
    const plain = pqsign(['verify', fw, '--trust-anchor', pki.root, '--crl', rootCrl, '--crl', interCrl]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/is revoked: keyCompromise/);
    // without --crl nothing is checked (revocation checking is asked for, never implied)
    expect(verify().code).toBe(0);
  });

  it('a revoked intermediate fails too, whatever the leaf', async () => {
    const r = root.revoke(await serialOf(pki.inter));
    expect(r.code, r.stderr).toBe(0);
    const v = verify('--crl', root.state, '--crl', join(dir, 'inter.state.pem'));
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/is revoked/);
  });

  it('a CRL state that was edited, or belongs to another CA, is refused before anything is signed', () => {
    const pem = readFileSync(inter.state, 'latin1');
    const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const der = Buffer.from(b64, 'base64');
    der[der.length - 100]! ^= 1; // the signature
    const edited = join(dir, 'edited.state.pem');
    writeFileSync(edited, `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`);
    const args = ['--ca-key', pki.interKey, '--ca-cert', pki.inter, '--crl-state', edited];
    let r = pqsign(['cert', 'crl', ...args, '--out', join(dir, 'x.crl')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a CRL state pqsign can continue for "CN=Test Issuing CA,O=pqsign tests": signature does not verify/);
    expect(existsSync(join(dir, 'x.crl'))).toBe(false);
    r = pqsign(['cert', 'revoke', '--ca-key', pki.rootKey, '--ca-cert', pki.root, '--crl-state', inter.state, '--serial', '02']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/it is a CRL of "CN=Test Issuing CA,O=pqsign tests"/);
    r = pqsign([
      'cert',
      'crl',
      '--ca-key',
      pki.rootKey,
      '--ca-cert',
      pki.inter,
      '--crl-state',
      join(dir, 'y.state'),
      '--out',
      join(dir, 'y.crl'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not the key of the CA certificate/);
  });

  describe('CRLs pqsign cannot interpret completely never call a certificate good (signed by the real CA key)', () => {
    const good = () => pqsign(['verify', fw, '--trust-anchor', pki.root, '--crl', rootCrl, '--json', '--crl', craftedCrl]);
    let craftedCrl = '';
    /** A CRL of the issuing CA, correctly signed, with the given extensions and entries. */
    async function craft(name: string, o: { crlExts?: Uint8Array[]; entries?: Uint8Array[]; version?: boolean }): Promise<string> {
      const signer = await loadSigner(pki.interKey);
      const caCert = await readCertificate(pki.inter);
      const ext = (id: string, critical: boolean, value: Uint8Array) =>
        tlv(TAG.SEQUENCE, oid(id), critical ? Uint8Array.of(1, 1, 0xff) : new Uint8Array(0), tlv(TAG.OCTET_STRING, value));
      const now = new Date();
      const tbs = tlv(
        TAG.SEQUENCE,
        o.version === false ? new Uint8Array(0) : tlv(TAG.INTEGER, Uint8Array.of(1)),
        signatureAlgorithmId(signer.params),
        caCert.subjectDer,
        encodeTime(new Date(now.getTime() - 60_000)),
        encodeTime(new Date(now.getTime() + DAY)),
        o.entries?.length ? tlv(TAG.SEQUENCE, ...o.entries) : new Uint8Array(0),
        tlv(
          0xa0,
          tlv(
            TAG.SEQUENCE,
            ext(CRL_EXT.cRLNumber, false, tlv(TAG.INTEGER, Uint8Array.of(9))),
            ext(CRL_EXT.authorityKeyIdentifier, false, tlv(TAG.SEQUENCE, tlv(0x80, caCert.subjectKeyId!))),
            ...(o.crlExts ?? []).map((e) => e),
          ),
        ),
      );
      const sig = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, tbs));
      const file = join(dir, `${name}.crl`);
      writeFileSync(file, tlv(TAG.SEQUENCE, tbs, signatureAlgorithmId(signer.params), tlv(0x03, Uint8Array.of(0), sig)));
      craftedCrl = file;
      return file;
    }
    const critical = (id: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(id), Uint8Array.of(1, 1, 0xff), tlv(TAG.OCTET_STRING, value));
    const entry = (serial: Uint8Array, exts: Uint8Array[]) =>
      tlv(
        TAG.SEQUENCE,
        tlv(TAG.INTEGER, serial),
        encodeTime(new Date(Date.now() - 120_000)),
        exts.length ? tlv(TAG.SEQUENCE, ...exts) : new Uint8Array(0),
      );

    it('control: a hand-made complete CRL is accepted', async () => {
      await craft('control', {});
      const r = good();
      expect(r.code, r.stdout).toBe(0);
    });
    const cases: Array<[string, () => Parameters<typeof craft>[1], RegExp]> = [
      [
        'a delta CRL (it lists only what changed)',
        () => ({ crlExts: [critical(CRL_EXT.deltaCRLIndicator, tlv(TAG.INTEGER, Uint8Array.of(1)))] }),
        /it is a delta CRL/,
      ],
      [
        'a partitioned CRL (issuingDistributionPoint: only some certificates)',
        () => ({ crlExts: [critical(CRL_EXT.issuingDistributionPoint, tlv(TAG.SEQUENCE, tlv(0x81, Uint8Array.of(0xff))))] }),
        /issuingDistributionPoint/,
      ],
      [
        'an unknown critical CRL extension',
        () => ({ crlExts: [critical('1.2.3.4.5', tlv(TAG.NULL))] }),
        /unsupported critical extension 1\.2\.3\.4\.5/,
      ],
      [
        'an indirect entry (certificateIssuer)',
        () => ({ entries: [entry(Uint8Array.of(5), [critical(CRL_EXT.certificateIssuer, tlv(TAG.SEQUENCE))])] }),
        /indirect CRL/,
      ],
      [
        'removeFromCRL in a complete CRL',
        () => ({
          entries: [
            entry(Uint8Array.of(5), [tlv(TAG.SEQUENCE, oid(CRL_EXT.reasonCode), tlv(TAG.OCTET_STRING, tlv(0x0a, Uint8Array.of(8))))]),
          ],
        }),
        /removeFromCRL/,
      ],
    ];
    for (const [what, make, message] of cases) {
      it(what, async () => {
        await craft(what.replace(/\W+/g, '-'), make());
        const r = good();
        expect(r.code).toBe(1);
        expect(json(r.stdout).error).toMatchObject({ code: 'ERR_CHAIN' });
        expect(json(r.stdout).error.message).toMatch(message);
      });
    }
    it('a version 1 CRL is malformed (exit 2)', async () => {
      await craft('v1', { version: false });
      expect(good().code).toBe(2);
    });
  });

  describe.skipIf(!!missing)(`OpenSSL 3.5 accepts pqsign's CRLs ${missing ?? ''}`, () => {
    it('crl -verify -CAfile, and verify -crl_check_all before and after a revocation (ML-DSA-44, -65, -87)', async () => {
      let checks = 0;
      for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
        const d = tempDir(`pqsign-crl-${alg}-`);
        const p = buildPki(d, alg);
        const r = ca(p, 'root', d);
        const i = ca(p, 'inter', d);
        const rc = join(d, 'root.crl.pem');
        const ic = join(d, 'inter.crl.pem');
        expect(r.crl(rc).code).toBe(0);
        expect(i.crl(ic).code).toBe(0);
        expect(openssl(['crl', '-in', rc, '-noout', '-verify', '-CAfile', p.root])).toMatch(/verify OK/);
        expect(openssl(['crl', '-in', ic, '-noout', '-verify', '-CAfile', p.inter])).toMatch(/verify OK/);
        const both = join(d, 'crls.pem');
        writeFileSync(both, readFileSync(rc, 'latin1') + readFileSync(ic, 'latin1'));
        const chain = [
          'verify',
          '-crl_check_all',
          '-CRLfile',
          both,
          '-CAfile',
          p.root,
          '-untrusted',
          p.inter,
          '-purpose',
          'codesign',
          p.leaf,
        ];
        expect(openssl(chain)).toMatch(/: OK/);
        expect(i.revoke(await serialOf(p.leaf), '--reason', 'superseded').code).toBe(0);
        expect(i.crl(ic, '--force').code).toBe(0);
        expect(openssl(['crl', '-in', ic, '-noout', '-verify', '-CAfile', p.inter])).toMatch(/verify OK/);
        writeFileSync(both, readFileSync(rc, 'latin1') + readFileSync(ic, 'latin1'));
        expect(() => openssl(chain)).toThrow(/certificate revoked/);
        checks += 5;
      }
      expect(checks).toBe(15);
    });

    it('the CRL state itself is a CRL OpenSSL accepts', () => {
      expect(openssl(['crl', '-in', inter.state, '-noout', '-verify', '-CAfile', pki.inter])).toMatch(/verify OK/);
    });
  });
});

describe('revocation after a trusted time-stamp', async () => {
  const dir = tempDir('pqsign-crl-tsa-');
  const pki = buildPki(dir);
  const tsa = await mldsaTsa(join(dir, 'tsa'));
  afterAll(() => tsa.close());
  const fw = join(dir, 'fw.bin');
  copyFileSync(FIRMWARE, fw);
  const LATER = iso(new Date(Date.now() + 730 * DAY));
  const ONE_DAY_BEFORE = iso(new Date(Date.parse(LATER) - DAY));
  let genTime: Date;

  beforeAll(async () => {
    const s = await pqsignAsync([
      'sign',
      fw,
      '--format',
      'cms',
      '--key',
      pki.leafKey,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--tsa',
      tsa.url,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const v = await pqsignAsync(['verify', fw, '--trust-anchor', pki.root, '--tsa-anchor', tsa.root, '--json']);
    genTime = new Date(json(v.stdout).signers[0].timestamps[0].genTime);
  });

  /** Fresh CRLs two years on (thisUpdate a day before LATER), with the leaf revoked as asked. */
  async function crlsThen(name: string, reason: string | undefined, date: string, thisUpdate = ONE_DAY_BEFORE): Promise<string[]> {
    const d = join(dir, name);
    const args = (which: 'root' | 'inter') => [
      '--ca-key',
      which === 'root' ? pki.rootKey : pki.interKey,
      '--ca-cert',
      which === 'root' ? pki.root : pki.inter,
      '--crl-state',
      `${d}-${which}.state.pem`,
      '--this-update',
      thisUpdate,
      '--next-update',
      '7d',
    ];
    run([
      'cert',
      'revoke',
      ...args('inter'),
      '--serial',
      await serialOf(pki.leaf),
      '--date',
      date,
      ...(reason ? ['--reason', reason] : []),
    ]);
    run(['cert', 'crl', ...args('root'), '--out', `${d}-root.crl`]);
    return ['--crl', `${d}-root.crl`, '--crl', `${d}-inter.state.pem`];
  }
  const verifyLater = (crls: string[]) =>
    pqsignAsync(['verify', fw, '--trust-anchor', pki.root, '--tsa-anchor', tsa.root, '--at', LATER, '--json', ...crls]);

  it('superseded after genTime: the time-stamped signature still verifies; the JSON says the certificate was revoked later', async () => {
    const v = await verifyLater(await crlsThen('superseded', 'superseded', iso(new Date(Date.now() + 30 * DAY))));
    expect(v.code, v.stdout).toBe(0);
    expect(json(v.stdout).signers[0].revocation[0]).toMatchObject({ status: 'revoked-after-validation-time', reason: 'superseded' });
  });

  it('keyCompromise after genTime still fails: whoever holds the key could have had a token made', async () => {
    const v = await verifyLater(await crlsThen('compromise', 'keyCompromise', iso(new Date(Date.now() + 30 * DAY))));
    expect(v.code).toBe(1);
    expect(json(v.stdout).error).toMatchObject({ code: 'ERR_REVOKED' });
    expect(json(v.stdout).error.message).toMatch(/keyCompromise .*a compromise \(or unstated\) reason revokes whenever it happened/);
  });

  it('no reason given counts as a compromise', async () => {
    const v = await verifyLater(await crlsThen('noreason', undefined, iso(new Date(Date.now() + 30 * DAY))));
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/no reason given/);
  });

  it('superseded before genTime fails: the certificate was already revoked when the token was made', async () => {
    const v = await verifyLater(await crlsThen('before', 'superseded', iso(new Date(genTime.getTime() - 3600_000))));
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/revoked at or before the validation time/);
  });

  it('without a trusted time-stamp the validation time is now: superseded is enough to fail', async () => {
    const now = iso(new Date());
    const crls = await crlsThen('now', 'superseded', now, now);
    const v = await pqsignAsync(['verify', fw, '--trust-anchor', pki.root, '--json', ...crls]);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error).toMatchObject({ code: 'ERR_REVOKED' });
    expect(json(v.stdout).error.message).toMatch(/superseded since .*revoked at or before the validation time/);
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
