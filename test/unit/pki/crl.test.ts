// Certificate revocation with X.509 v2 CRLs (RFC 5280 §5), in this process: the steps of `cert revoke` /
// `cert crl` (test/support/crl-ops.ts) issue ML-DSA CRLs (CRL number, authority key identifier) from a
// CA-signed state, which OpenSSL 3.5 must accept (`crl -verify -CAfile`, `verify -crl_check_all`); verifying
// with CRLs (verify --crl) then requires every certificate on the path but the anchor to be covered by a
// current CRL from its issuer and not revoked, attacks first: a revoked leaf or intermediate, a missing,
// stale, not-yet-valid or forged CRL, an edited state, CRLs pqsign cannot interpret completely. With a
// trusted time-stamp, a revocation after genTime fails only for a compromise (or unstated) reason.
// The flags, exit codes, stderr lines and files written are tested in test/cli/crl.test.ts.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editedCrlState, pkiWithSignedFirmware } from '../../support/crl-setup.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, tempDir } from '../../support/helpers.js';
import { buildPkiInProcess, createCaFile, failure, signWith, writeKeyPair } from '../../support/inproc.js';
import { crlInProcess, revokeInProcess, type CrlCa } from '../../support/crl-ops.js';
import { exitOfCode } from '../../support/exit-codes.js';
import type { Pki } from '../../support/pki-fixture.js';
import { mldsaTsa, openssl, opensslMissing } from '../../support/tsa-fixture.js';
import { verify } from '../../../lib/verify.js';
import { TAG, oid, tlv } from '../../../src/asn1/der.js';
import { encodeTime } from '../../../src/asn1/time.js';
import { loadSigner } from '../../../src/pipeline/keyref.js';
import { computeMu } from '../../../src/mldsa/mu.js';
import { readCrls } from '../../../src/pki/crl.js';
import { readCertificate } from '../../../src/pki/cert-file.js';
import { CRL_EXT } from '../../../src/pki/oids.js';
import { parseReason, parseSerial, readCrlState, withRevocation } from '../../../src/pki/crl-state.js';
import { signMuChecked } from '../../../src/mldsa/signer.js';
import { signatureAlgorithmId } from '../../../src/mldsa/asn1.js';

const DAY = 86_400_000;
const whole = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
const serialOf = async (cert: string) => Buffer.from((await readCertificate(cert)).serial).toString('hex');

const missing = HAVE_SHARED ? opensslMissing() : NO_SHARED;
if (missing) console.warn(`SKIP OpenSSL CRL checks: ${missing}`);

/** `cert revoke` / `cert crl` for one CA of `pki`, with its state in `dir` */
function ca(pki: Pki, which: 'root' | 'inter', dir: string) {
  const base: CrlCa = {
    caKey: which === 'root' ? pki.rootKey : pki.interKey,
    caCert: which === 'root' ? pki.root : pki.inter,
    crlState: join(dir, `${which}.state.pem`),
  };
  return {
    state: base.crlState,
    revoke: (serial: string, o: { reason?: string; date?: Date } = {}) => revokeInProcess({ ...base, serial, ...o }),
    crl: (out: string, o: { nextUpdate?: string; thisUpdate?: Date } = {}) => crlInProcess({ ...base, out, ...o }),
  };
}

/** `pqsign verify FW --trust-anchor ROOT [--crl C]... [--tsa-anchor T] [--at AT]`: the outcome */
const verifyFw = (fw: string, root: string, o: { crls?: string[]; tsaAnchor?: string; at?: Date } = {}) =>
  verify({
    input: fw,
    trustAnchors: [root],
    ...(o.crls ? { crls: o.crls } : {}),
    ...(o.tsaAnchor ? { tsaAnchors: [o.tsaAnchor] } : {}),
    options: o.at ? { cms: { at: o.at.toISOString() } } : {},
  });
const revocationOf = (v: Awaited<ReturnType<typeof verifyFw>>) => (v.details.signers as Array<{ revocation: unknown[] }>)[0]!.revocation;

describe('CRLs issued from the CA state, and verify with them', () => {
  const dir = tempDir('pqsign-crl-unit-');
  let pki: Pki;
  let root: ReturnType<typeof ca>;
  let inter: ReturnType<typeof ca>;
  const fw = join(dir, 'fw.bin');
  const rootCrl = join(dir, 'root.crl.pem');
  const interCrl = join(dir, 'inter.crl.pem');
  const check = (...crls: string[]) => verifyFw(fw, pki.root, { crls });

  beforeAll(async () => {
    pki = await pkiWithSignedFirmware(dir, fw);
    root = ca(pki, 'root', dir);
    inter = ca(pki, 'inter', dir);
  });

  it("issues CRLs with increasing numbers, the CA's authority key identifier, and no entries yet", async () => {
    expect(await root.crl(rootCrl)).toMatchObject({ issuer: 'CN=Test Root CA,O=pqsign tests', number: 1n, entries: [] });
    expect(await inter.crl(interCrl, { nextUpdate: '30d' })).toMatchObject({ number: 1n });
    expect(await inter.crl(interCrl, { nextUpdate: '30d' })).toMatchObject({ number: 2n });
    const [crl] = await readCrls(interCrl);
    const caCert = await readCertificate(pki.inter);
    expect(crl!.number).toBe(2n);
    expect(crl!.authorityKeyId).toEqual(caCert.subjectKeyId);
    expect(crl!.nextUpdate!.getTime() - crl!.thisUpdate.getTime()).toBe(30 * DAY);
    expect(readFileSync(interCrl)).toEqual(readFileSync(inter.state));
  });

  it('a current CRL for every certificate on the path: the signature verifies, and says what each CRL said', async () => {
    expect(revocationOf(await check(rootCrl, interCrl))).toEqual([
      expect.objectContaining({
        certificate: 'CN=Test Release Signing,O=pqsign tests',
        status: 'good',
        crl: expect.objectContaining({ number: '2' }),
      }),
      expect.objectContaining({ certificate: 'CN=Test Issuing CA,O=pqsign tests', status: 'good' }),
    ]);
  });

  it('a missing, stale, not yet valid or forged CRL fails when revocation checking is asked for', async () => {
    let f = await failure(check(interCrl));
    expect(f.code).toBe('ERR_CHAIN');
    expect(exitOfCode(f.code)).toBe(1);
    expect(f.message).toMatch(
      /certificate "CN=Test Issuing CA,O=pqsign tests": revocation: no usable CRL from its issuer "CN=Test Root CA/,
    );

    f = await failure(verifyFw(fw, pki.root, { crls: [rootCrl, interCrl], at: new Date(Date.now() + 8 * DAY) }));
    expect(f.code).toBe('ERR_CHAIN');
    expect(f.message).toMatch(/the CRL of "CN=Test Root CA,O=pqsign tests" is not current at .*nextUpdate/);

    // issued for later (thisUpdate in an hour): not current yet
    const early = join(dir, 'early.crl.pem');
    await crlInProcess({
      caKey: pki.interKey,
      caCert: pki.inter,
      crlState: join(dir, 'early.state.pem'),
      thisUpdate: whole(new Date(Date.now() + 3600_000)),
      out: early,
    });
    f = await failure(check(rootCrl, early));
    expect(f.code).toBe('ERR_CHAIN');
    expect(f.message).toMatch(/the CRL of "CN=Test Issuing CA,O=pqsign tests" is not current at .*thisUpdate/);

    // same issuer name, another key: a CRL an attacker can make (here: a CA that copies the issuing CA's name)
    writeKeyPair(join(dir, 'forger.key'), undefined);
    await createCaFile(join(dir, 'forger.key'), 'CN=Test Issuing CA,O=pqsign tests', join(dir, 'forger.pem'));
    const forged = join(dir, 'forged.crl.pem');
    await crlInProcess({
      caKey: join(dir, 'forger.key'),
      caCert: join(dir, 'forger.pem'),
      crlState: join(dir, 'forger.state.pem'),
      out: forged,
    });
    f = await failure(check(rootCrl, forged));
    expect(f.code).toBe('ERR_CHAIN');
    expect(f.message).toMatch(
      /no usable CRL from its issuer "CN=Test Issuing CA,O=pqsign tests".*(authorityKeyIdentifier names another key|does not verify)/,
    );
  });

  it('revocation inputs are checked: reason, serial, one revocation per serial unless it turns out a compromise', async () => {
    let f = await failure(Promise.resolve().then(() => parseSerial('zz')));
    expect(f).toMatchObject({ code: 'ERR_USAGE', message: expect.stringMatching(/"zz" is not a hexadecimal serial/) });
    f = await failure(inter.revoke('01', { reason: 'certificateHold' }));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/"certificateHold" is not one of/);
    expect(parseReason(undefined)).toBeUndefined();
    expect(parseSerial('0x0001')).toEqual(Uint8Array.of(1));
    const first = await inter.revoke('0x0001', { reason: 'superseded' });
    expect(first).toMatchObject({ replaced: false, crl: { number: 3n } });
    f = await failure(inter.revoke('01', { reason: 'cessationOfOperation' }));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/serial 01 is already revoked \(superseded/);
    const worse = await inter.revoke('01', { reason: 'keyCompromise' });
    expect(worse.replaced).toBe(true);
    expect(worse.crl.entries).toHaveLength(1);
    expect(worse.crl.entries[0]).toMatchObject({ serial: Uint8Array.of(1), reason: 'keyCompromise' });
    expect(worse.crl.number).toBe(4n);
    // the rule itself: a compromise replaces, nothing else does
    const state = await readCrlState(inter.state, await readCertificate(pki.inter));
    const again = { serial: Uint8Array.of(1), revocationDate: new Date() };
    expect(() => withRevocation(state, { ...again, reason: 'cACompromise' })).toThrow(/already revoked \(keyCompromise/);
  });

  it('a revoked leaf fails (ERR_REVOKED, exit 1) naming its serial and reason; without CRLs nothing is checked', async () => {
    const serial = await serialOf(pki.leaf);
    const r = await inter.revoke(serial, { reason: 'keyCompromise' });
    expect(r.crl.entries).toHaveLength(2);
    expect(r.crl.number).toBe(5n); // 3 and 4 went to serial 01 above
    await inter.crl(interCrl);
    const f = await failure(check(rootCrl, interCrl));
    expect(f.code).toBe('ERR_REVOKED');
    expect(await check(rootCrl, interCrl).catch((e: { detail?: string }) => e.detail)).toBe('revocation');
    expect(exitOfCode(f.code)).toBe(1);
    expect(f.message).toMatch(
      new RegExp(`certificate "CN=Test Release Signing,O=pqsign tests" \\(serial ${serial}\\) is revoked: keyCompromise since`),
    );
    // revocation checking is asked for, never implied
    await expect(verifyFw(fw, pki.root)).resolves.toMatchObject({ format: 'cms' });
  });

  it('a revoked intermediate fails too, whatever the leaf', async () => {
    await root.revoke(await serialOf(pki.inter));
    // the issuing CA's CRL from a fresh state lists nobody: only the intermediate is revoked
    const clean = join(dir, 'inter-clean.crl.pem');
    await crlInProcess({ caKey: pki.interKey, caCert: pki.inter, crlState: join(dir, 'inter-clean.state.pem'), out: clean });
    const f = await failure(check(root.state, clean));
    expect(f.code).toBe('ERR_REVOKED');
    expect(f.message).toMatch(/"CN=Test Issuing CA,O=pqsign tests" .*is revoked/);
  });

  it('a CRL state that was edited, or belongs to another CA, is refused before anything is signed', async () => {
    const edited = editedCrlState(inter.state, join(dir, 'edited.state.pem'));
    const before = readFileSync(edited);
    let f = await failure(crlInProcess({ caKey: pki.interKey, caCert: pki.inter, crlState: edited, out: join(dir, 'x.crl') }));
    expect(f).toMatchObject({ code: 'ERR_FILE', file: edited });
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/is not a CRL state pqsign can continue for "CN=Test Issuing CA,O=pqsign tests": signature does not verify/);
    expect(readFileSync(edited)).toEqual(before);
    f = await failure(revokeInProcess({ caKey: pki.rootKey, caCert: pki.root, crlState: inter.state, serial: '02' }));
    expect(f.code).toBe('ERR_FILE');
    expect(f.message).toMatch(/it is a CRL of "CN=Test Issuing CA,O=pqsign tests"/);
    f = await failure(crlInProcess({ caKey: pki.rootKey, caCert: pki.inter, crlState: join(dir, 'y.state'), out: join(dir, 'y.crl') }));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/is not the key of the CA certificate/);
  });

  describe('CRLs pqsign cannot interpret completely never call a certificate good (signed by the real CA key)', () => {
    /** A CRL of the issuing CA, correctly signed, with the given extensions and entries. */
    async function craft(name: string, o: { crlExts?: Uint8Array[]; entries?: Uint8Array[]; version?: boolean }): Promise<string> {
      const signer = await loadSigner(pki.interKey);
      const caCert = await readCertificate(pki.inter);
      const ext = (id: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(id), tlv(TAG.OCTET_STRING, value));
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
            ext(CRL_EXT.cRLNumber, tlv(TAG.INTEGER, Uint8Array.of(9))),
            ext(CRL_EXT.authorityKeyIdentifier, tlv(TAG.SEQUENCE, tlv(0x80, caCert.subjectKeyId!))),
            ...(o.crlExts ?? []),
          ),
        ),
      );
      const sig = await signMuChecked(signer, computeMu(signer.params, signer.publicKey, tbs));
      const file = join(dir, `${name}.crl`);
      writeFileSync(file, tlv(TAG.SEQUENCE, tbs, signatureAlgorithmId(signer.params), tlv(0x03, Uint8Array.of(0), sig)));
      return file;
    }
    /** verify with the root's CRL (it lists nobody) and the crafted one */
    const withCrafted = (file: string) => verifyFw(fw, pki.root, { crls: [rootCrl, file] });
    const critical = (id: string, value: Uint8Array) => tlv(TAG.SEQUENCE, oid(id), Uint8Array.of(1, 1, 0xff), tlv(TAG.OCTET_STRING, value));
    const entry = (serial: Uint8Array, exts: Uint8Array[]) =>
      tlv(
        TAG.SEQUENCE,
        tlv(TAG.INTEGER, serial),
        encodeTime(new Date(Date.now() - 120_000)),
        exts.length ? tlv(TAG.SEQUENCE, ...exts) : new Uint8Array(0),
      );

    it('control: a hand-made complete CRL is accepted', async () => {
      // the leaf is revoked in the issuing CA's own CRLs above; this one lists nobody
      const v = await withCrafted(await craft('control', {}));
      expect(revocationOf(v)[0]).toMatchObject({ status: 'good', crl: expect.objectContaining({ number: '9' }) });
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
        const f = await failure(withCrafted(await craft(what.replace(/\W+/g, '-'), make())));
        expect(f.code).toBe('ERR_CHAIN');
        expect(f.message).toMatch(message);
      });
    }
    it('a version 1 CRL is malformed (exit 2)', async () => {
      const f = await failure(withCrafted(await craft('v1', { version: false })));
      expect(exitOfCode(f.code)).toBe(2);
    });
  });

  describe.skipIf(!!missing)(`OpenSSL 3.5 accepts pqsign's CRLs ${missing ?? ''}`, () => {
    it('crl -verify -CAfile, and verify -crl_check_all before and after a revocation (ML-DSA-44, -65, -87)', async () => {
      let checks = 0;
      for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
        const d = tempDir(`pqsign-crl-${alg}-`);
        const p = await buildPkiInProcess(d, alg);
        const r = ca(p, 'root', d);
        const i = ca(p, 'inter', d);
        const rc = join(d, 'root.crl.pem');
        const ic = join(d, 'inter.crl.pem');
        await r.crl(rc);
        await i.crl(ic);
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
        await i.revoke(await serialOf(p.leaf), { reason: 'superseded' });
        await i.crl(ic);
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

describe('revocation after a trusted time-stamp', () => {
  const dir = tempDir('pqsign-crl-tsa-unit-');
  let pki: Pki;
  let tsa: Awaited<ReturnType<typeof mldsaTsa>>;
  const fw = join(dir, 'fw.bin');
  const LATER = whole(new Date(Date.now() + 730 * DAY));
  const ONE_DAY_BEFORE = new Date(LATER.getTime() - DAY);
  let genTime: Date;

  beforeAll(async () => {
    pki = await buildPkiInProcess(dir);
    tsa = await mldsaTsa(join(dir, 'tsa'));
    copyFileSync(FIRMWARE, fw);
    await signWith(fw, pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter], tsa: tsa.url } });
    const v = await verifyFw(fw, pki.root, { tsaAnchor: tsa.root });
    genTime = new Date((v.details.signers as Array<{ timestamps: Array<{ genTime: string }> }>)[0]!.timestamps[0]!.genTime);
  });
  afterAll(() => tsa?.close());

  /** Fresh CRLs two years on (thisUpdate a day before LATER), with the leaf revoked as asked. */
  async function crlsThen(name: string, reason: string | undefined, date: Date, thisUpdate = ONE_DAY_BEFORE): Promise<string[]> {
    const d = join(dir, name);
    const args = (which: 'root' | 'inter'): CrlCa => ({
      caKey: which === 'root' ? pki.rootKey : pki.interKey,
      caCert: which === 'root' ? pki.root : pki.inter,
      crlState: `${d}-${which}.state.pem`,
      thisUpdate,
      nextUpdate: '7d',
    });
    await revokeInProcess({ ...args('inter'), serial: await serialOf(pki.leaf), date: whole(date), ...(reason ? { reason } : {}) });
    await crlInProcess({ ...args('root'), out: `${d}-root.crl` });
    return [`${d}-root.crl`, `${d}-inter.state.pem`];
  }
  const verifyLater = (crls: string[]) => verifyFw(fw, pki.root, { tsaAnchor: tsa.root, at: LATER, crls });

  it('superseded after genTime: the time-stamped signature still verifies; the report says the certificate was revoked later', async () => {
    const v = await verifyLater(await crlsThen('superseded', 'superseded', new Date(Date.now() + 30 * DAY)));
    expect(revocationOf(v)[0]).toMatchObject({ status: 'revoked-after-validation-time', reason: 'superseded' });
  });

  it('keyCompromise after genTime still fails: whoever holds the key could have had a token made', async () => {
    const f = await failure(verifyLater(await crlsThen('compromise', 'keyCompromise', new Date(Date.now() + 30 * DAY))));
    expect(f.code).toBe('ERR_REVOKED');
    expect(f.message).toMatch(/keyCompromise .*a compromise \(or unstated\) reason revokes whenever it happened/);
  });

  it('no reason given counts as a compromise', async () => {
    const f = await failure(verifyLater(await crlsThen('noreason', undefined, new Date(Date.now() + 30 * DAY))));
    expect(f.code).toBe('ERR_REVOKED');
    expect(f.message).toMatch(/no reason given/);
  });

  it('superseded before genTime fails: the certificate was already revoked when the token was made', async () => {
    const f = await failure(verifyLater(await crlsThen('before', 'superseded', new Date(genTime.getTime() - 3600_000))));
    expect(f.code).toBe('ERR_REVOKED');
    expect(f.message).toMatch(/revoked at or before the validation time/);
  });

  it('without a trusted time-stamp the validation time is now: superseded is enough to fail', async () => {
    const now = whole(new Date());
    const f = await failure(verifyFw(fw, pki.root, { crls: await crlsThen('now', 'superseded', now, now) }));
    expect(f.code).toBe('ERR_REVOKED');
    expect(f.message).toMatch(/superseded since .*revoked at or before the validation time/);
  });
});
