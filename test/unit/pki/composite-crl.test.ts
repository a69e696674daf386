// CRLs issued by a composite CA (RFC 5280 §5 with draft-ietf-lamps-pq-composite-sigs), in this process: the
// steps of `cert revoke` and `cert crl` sign the TBSCertList with the composite key (signatureAlgorithm = the
// composite OID, parameters absent; both parts over M = the DER TBSCertList, ctx empty). OpenSSL cannot check
// composites and the Bouncy Castle oracle has no CRL verb, so Bouncy Castle 1.86 checks the CRL's signature
// over the TBSCertList bytes directly (`oracle --impl bc186 verify`). Verifying a signature and a certificate
// path with them (verify --crl, cert verify --crl); attacks: a tampered CRL (a revoked serial edited, either
// signature part altered) and one by another composite key under the same name never vouch for a
// certificate; an edited state is refused. The CLI's part: test/cli/composite-crl.test.ts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure } from '../../support/inproc.js';
import { buildCompositeCrlPki, COMPOSITE_ROOT_ALG } from '../../support/composite-crl-fixture.js';
import { crlInProcess, revokeInProcess, type CrlCa } from '../../support/crl-ops.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { verify } from '../../../lib/verify.js';
import { decodePem, encodePem } from '../../../src/asn1/pem.js';
import { readCrls } from '../../../src/pki/crl.js';
import { readCertificate } from '../../../src/pki/cert-file.js';
import { verifyCertificateChain } from '../../../src/pki/verify-chain.js';

const dir = tempDir('pqsign-composite-crl-unit-');
const at = (f: string) => join(dir, f);
const serialOf = async (cert: string) => Buffer.from((await readCertificate(cert)).serial).toString('hex');
const ROOT_ALG = COMPOSITE_ROOT_ALG;
const content = at('fw.bin');
/** the root's CRL state, as buildCompositeCrlPki leaves it */
const rootCa: CrlCa = { caKey: at('root.key'), caCert: at('root.pem'), crlState: at('root.state.pem') };
const crlDer = (f: string) => decodePem(readFileSync(f)).find((b) => b.label === 'X509 CRL')!.der;
/** `pqsign verify FW --trust-anchor ROOT --crl C...` */
const verifyCms = (...crls: string[]) => verify({ input: content, trustAnchors: [at('root.pem')], crls });
/** `pqsign cert verify LEAF --chain CA --trust-anchor ROOT --crl C...` */
const certVerify = (...crls: string[]) =>
  verifyCertificateChain(at('leaf.pem'), {
    trustAnchors: [at('root.pem')],
    chain: [at('ca.pem')],
    at: undefined,
    codeSigning: false,
    crls,
  });
const revocationOf = (v: Awaited<ReturnType<typeof verifyCms>>) => (v.details.signers as Array<{ revocation: unknown[] }>)[0]!.revocation;

beforeAll(() => buildCompositeCrlPki(dir));

describe('CRLs of a composite CA', () => {
  it('are signed with the composite OID (parameters absent) and cover the path in verify and cert verify', async () => {
    const [crl] = await readCrls(at('root.crl.pem'));
    expect(crl!.signatureAlgorithm).toMatchObject({ oid: '1.3.6.1.5.5.7.6.49', paramsAbsent: true });
    expect(crl!.signatureFieldsMatch).toBe(true);
    expect(revocationOf(await verifyCms(at('root.crl.pem'), at('ca.crl.pem')))).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({
        certificate: 'CN=Issuing CA',
        status: 'good',
        crl: expect.objectContaining({ issuer: 'CN=Hybrid Root', number: '1' }),
      }),
    ]);
    expect((await certVerify(at('root.crl.pem'), at('ca.crl.pem'))).revocation).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({ certificate: 'CN=Issuing CA', status: 'good' }),
    ]);
    // revocation checking asked for but the composite CA's CRL missing: ERR_CHAIN, exit 1
    const f = await failure(certVerify(at('ca.crl.pem')));
    expect(f.code).toBe('ERR_CHAIN');
    expect(exitOfCode(f.code)).toBe(1);
  });

  it('attack: a tampered composite CRL never vouches (the revoked serial edited, either signature part altered)', async () => {
    // revoke the intermediate, then try to pass off edited copies of the CRL that lists it
    const serial = await serialOf(at('ca.pem'));
    await revokeInProcess({ ...rootCa, serial, reason: 'keyCompromise' });
    await crlInProcess({ ...rootCa, out: at('revoked.crl.pem') });
    expect((await failure(verifyCms(at('revoked.crl.pem'), at('ca.crl.pem')))).code).toBe('ERR_REVOKED');
    const revokedPath = await failure(certVerify(at('revoked.crl.pem'), at('ca.crl.pem')));
    expect(exitOfCode(revokedPath.code)).toBe(1);

    const der = crlDer(at('revoked.crl.pem'));
    const sigBytes = (await readCrls(at('revoked.crl.pem')))[0]!.signature.length;
    const serialAt = Buffer.from(der).indexOf(Buffer.from(serial, 'hex'));
    expect(serialAt).toBeGreaterThan(0);
    for (const [what, offset] of [
      ['revoked serial', serialAt + 3],
      ['ML-DSA part', der.length - sigBytes + 30],
      ['ECDSA part', der.length - 10],
    ] as const) {
      const t = Uint8Array.from(der);
      t[offset]! ^= 1;
      const f = at(`tampered-${offset}.crl.pem`);
      writeFileSync(f, encodePem('X509 CRL', t));
      const r = await failure(verifyCms(f, at('ca.crl.pem')));
      expect(r.code, what).toBe('ERR_CHAIN');
      expect(r.message, what).toMatch(/no usable CRL from its issuer "CN=Hybrid Root".*signature does not verify/);
      expect((await failure(certVerify(f, at('ca.crl.pem')))).code, what).toBe('ERR_CHAIN');
    }
  });

  it('attack: a CRL by another composite key under the same issuer name does not vouch', async () => {
    await crlInProcess({ caKey: at('forger.key'), caCert: at('forger.pem'), crlState: at('forger.state.pem'), out: at('forged.crl.pem') });
    const f = await failure(verifyCms(at('forged.crl.pem'), at('ca.crl.pem')));
    expect(f.code).toBe('ERR_CHAIN');
    expect(f.message).toMatch(/no usable CRL/);
  });

  it('an edited CRL state is refused before the composite CA signs anything (exit 2, nothing written)', async () => {
    const t = Uint8Array.from(crlDer(at('root.state.pem')));
    t[t.length - 15]! ^= 1; // in the ECDSA part of its signature
    writeFileSync(at('root.state.pem'), encodePem('X509 CRL', t));
    const before = readFileSync(at('root.state.pem'));
    const f = await failure(crlInProcess({ ...rootCa, out: at('never.crl.pem') }));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/is not a CRL state pqsign can continue/);
    expect(existsSync(at('never.crl.pem'))).toBe(false);
    expect(readFileSync(at('root.state.pem')).equals(before)).toBe(true);
  });
});

describe.skipIf(!HAVE_SHARED)(
  `Bouncy Castle 1.86 verifies the CRL signature over the TBSCertList${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`,
  () => {
    it(`${ROOT_ALG}: valid under the root's certificate, not under the forger's, not over an altered TBSCertList`, () => {
      const der = crlDer(at('revoked.crl.pem'));
      const [tbs, , sig] = (asn1js.fromBER(der).result as asn1js.Sequence).valueBlock.value;
      writeFileSync(at('crl.tbs'), new Uint8Array(tbs!.valueBeforeDecodeView));
      writeFileSync(at('crl.sig'), new Uint8Array((sig as asn1js.BitString).valueBlock.valueHexView));
      const ok = oracle(['--impl', 'bc186', 'verify', ROOT_ALG, at('root.pem'), at('crl.sig'), at('crl.tbs')]);
      expect(ok.ok, ok.stdout + ok.stderr).toBe(true);
      expect(oracle(['--impl', 'bc186', 'verify', ROOT_ALG, at('forger.pem'), at('crl.sig'), at('crl.tbs')]).ok).toBe(false);
      const t = readFileSync(at('crl.tbs'));
      t[t.length - 5]! ^= 1;
      writeFileSync(at('crl-bad.tbs'), t);
      expect(oracle(['--impl', 'bc186', 'verify', ROOT_ALG, at('root.pem'), at('crl.sig'), at('crl-bad.tbs')]).ok).toBe(false);
    });
  },
);
