// CRLs of a composite CA through the command line: `cert revoke` and `cert crl` with a composite --ca-key,
// and their CRLs in `verify --crl` and `cert verify --crl` (exit codes, --json, the one line on stderr). What
// the CRLs hold, the attacks on them (tampered, forged, edited state) and Bouncy Castle's check of their
// signature: test/unit/pki/composite-crl.test.ts. The PKI is made in this process (set-up, not the subject).
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign, tempDir } from '../support/helpers.js';
import { buildCompositeCrlPki, type CompositeCrlPki } from '../support/composite-crl-fixture.js';
import { readCertificate } from '../../src/pki/cert-file.js';
import { readCrls } from '../../src/pki/crl.js';

const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
let p: CompositeCrlPki;
const caArgs = (which: 'root' | 'inter') => {
  const c = which === 'root' ? p.rootCa : p.interCa;
  return ['--ca-key', c.caKey, '--ca-cert', c.caCert, '--crl-state', c.crlState];
};
const verifyCms = (...crls: string[]) =>
  pqsign(['verify', p.content, '--trust-anchor', p.at('root.pem'), ...crls.flatMap((c) => ['--crl', c]), '--json']);
const certVerify = (...args: string[]) =>
  pqsign(['cert', 'verify', p.at('leaf.pem'), '--chain', p.at('ca.pem'), '--trust-anchor', p.at('root.pem'), ...args]);
const crls = (...files: string[]) => files.flatMap((c) => ['--crl', c]);

beforeAll(async () => {
  p = await buildCompositeCrlPki(tempDir('pqsign-composite-crl-'));
});

describe('CRLs of a composite CA on the command line', () => {
  it('cert crl with a composite --ca-key; verify --crl and cert verify --crl accept the CRLs it writes', async () => {
    const r = pqsign(['cert', 'crl', ...caArgs('root'), '--out', p.at('root2.crl.pem'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout)).toMatchObject({ issuer: 'CN=Hybrid Root', number: '2', revoked: 0 });
    expect((await readCrls(p.at('root2.crl.pem')))[0]!.signatureAlgorithm).toMatchObject({ oid: '1.3.6.1.5.5.7.6.49' });
    const v = verifyCms(p.at('root2.crl.pem'), p.at('ca.crl.pem'));
    expect(v.code, v.stderr).toBe(0);
    expect(json(v.stdout).signers[0].revocation).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({
        certificate: 'CN=Issuing CA',
        status: 'good',
        crl: expect.objectContaining({ issuer: 'CN=Hybrid Root', number: '2' }),
      }),
    ]);
    const c = certVerify(...crls(p.at('root2.crl.pem'), p.at('ca.crl.pem')), '--json');
    expect(c.code, c.stdout).toBe(0);
    expect(json(c.stdout).revocation).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({ certificate: 'CN=Issuing CA', status: 'good' }),
    ]);
  });

  it("cert verify --crl without the composite CA's CRL: exit 1, one line naming the certificate file", () => {
    const r = certVerify(...crls(p.at('ca.crl.pem')));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^pqsign: \S+leaf\.pem: certificate "CN=Issuing CA": revocation: no usable CRL from its issuer "CN=Hybrid Root"/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('cert revoke with a composite --ca-key: the intermediate is revoked in verify --crl and cert verify --crl (exit 1)', async () => {
    const serial = Buffer.from((await readCertificate(p.at('ca.pem'))).serial).toString('hex');
    const r = pqsign(['cert', 'revoke', ...caArgs('root'), '--serial', serial, '--reason', 'keyCompromise']);
    expect(r.code, r.stderr).toBe(0);
    const revoked = verifyCms(p.rootCa.crlState, p.at('ca.crl.pem'));
    expect(revoked.code).toBe(1);
    expect(json(revoked.stdout).error).toMatchObject({ code: 'ERR_REVOKED' });
    const c = certVerify(...crls(p.rootCa.crlState, p.at('ca.crl.pem')), '--json');
    expect(c.code).toBe(1);
    expect(json(c.stdout)).toMatchObject({ ok: false, error: { code: 'ERR_REVOKED' } });
  });
});
