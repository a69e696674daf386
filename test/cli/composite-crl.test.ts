// CRLs issued by a composite CA (RFC 5280 §5 with draft-ietf-lamps-pq-composite-sigs): `cert revoke` and
// `cert crl` sign the TBSCertList with the composite key (signatureAlgorithm = the composite OID,
// parameters absent; both parts over M = the DER TBSCertList, ctx empty). OpenSSL cannot check composites
// and the Bouncy Castle oracle has no CRL verb, so Bouncy Castle 1.86 checks the CRL's signature over the
// TBSCertList bytes directly (`oracle --impl bc186 verify`). `verify --crl` and `cert verify --crl` use
// them; attacks: a tampered CRL (a revoked serial edited, either signature part altered) and one by another
// composite key under the same name never vouch for a certificate.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as asn1js from 'asn1js';
import { decodePem, encodePem } from '../../src/asn1/pem.js';
import { readCrls } from '../../src/pki/crl.js';
import { readCertificate } from '../../src/pki/cert-file.js';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';

const dir = tempDir('pqsign-composite-crl-');
const at = (f: string) => join(dir, f);
function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}
const json = (out: string) =>
  JSON.parse(
    out
      .trim()
      .split('\n')
      .find((l) => l.startsWith('{'))!,
  );
const keygen = (alg: string, name: string) => run(['keygen', '--alg', alg, '--out', at(`${name}.key`), '--pub', at(`${name}.pub`)]);
const serialOf = async (cert: string) => Buffer.from((await readCertificate(cert)).serial).toString('hex');
const ROOT_ALG = 'MLDSA87-ECDSA-P384-SHA512';

// composite root → ML-DSA-65 intermediate (its own CRL is ML-DSA) → composite leaf; a second root key under the same name
keygen(ROOT_ALG, 'root');
keygen('ML-DSA-65', 'ca');
keygen('MLDSA65-Ed25519-SHA512', 'leaf');
keygen(ROOT_ALG, 'forger');
run(['cert', 'create-ca', '--key', at('root.key'), '--subject', 'CN=Hybrid Root', '--out', at('root.pem')]);
run(['cert', 'create-ca', '--key', at('forger.key'), '--subject', 'CN=Hybrid Root', '--out', at('forger.pem')]);
run([
  'cert',
  'issue',
  '--ca-key',
  at('root.key'),
  '--ca-cert',
  at('root.pem'),
  '--key',
  at('ca.pub'),
  '--subject',
  'CN=Issuing CA',
  '--ca',
  '--out',
  at('ca.pem'),
]);
run([
  'cert',
  'issue',
  '--ca-key',
  at('ca.key'),
  '--ca-cert',
  at('ca.pem'),
  '--key',
  at('leaf.pub'),
  '--subject',
  'CN=Hybrid Leaf',
  '--code-signing',
  '--out',
  at('leaf.pem'),
]);
const content = at('fw.bin');
writeFileSync(content, Buffer.alloc(50_000, 3));
run(['sign', content, '--format', 'cms', '--key', at('leaf.key'), '--cert', at('leaf.pem'), '--chain', at('ca.pem')]);

const rootCa = ['--ca-key', at('root.key'), '--ca-cert', at('root.pem'), '--crl-state', at('root.state.pem')];
const interCa = ['--ca-key', at('ca.key'), '--ca-cert', at('ca.pem'), '--crl-state', at('ca.state.pem')];
run(['cert', 'crl', ...rootCa, '--out', at('root.crl.pem')]);
run(['cert', 'crl', ...interCa, '--out', at('ca.crl.pem')]);
const crlDer = (f: string) => decodePem(readFileSync(f)).find((b) => b.label === 'X509 CRL')!.der;
const verifyCms = (...crls: string[]) =>
  pqsign(['verify', content, '--trust-anchor', at('root.pem'), ...crls.flatMap((c) => ['--crl', c]), '--json']);
const certVerify = (...crls: string[]) =>
  pqsign([
    'cert',
    'verify',
    at('leaf.pem'),
    '--chain',
    at('ca.pem'),
    '--trust-anchor',
    at('root.pem'),
    ...crls.flatMap((c) => ['--crl', c]),
    '--json',
  ]);

describe('CRLs of a composite CA', () => {
  it('are signed with the composite OID (parameters absent) and cover the path in verify --crl and cert verify --crl', async () => {
    const [crl] = await readCrls(at('root.crl.pem'));
    expect(crl!.signatureAlgorithm).toMatchObject({ oid: '1.3.6.1.5.5.7.6.49', paramsAbsent: true });
    expect(crl!.signatureFieldsMatch).toBe(true);
    const v = verifyCms(at('root.crl.pem'), at('ca.crl.pem'));
    expect(v.code, v.stderr).toBe(0);
    expect(json(v.stdout).signers[0].revocation).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({
        certificate: 'CN=Issuing CA',
        status: 'good',
        crl: expect.objectContaining({ issuer: 'CN=Hybrid Root', number: '1' }),
      }),
    ]);
    const c = certVerify(at('root.crl.pem'), at('ca.crl.pem'));
    expect(c.code, c.stdout).toBe(0);
    expect(json(c.stdout).revocation).toEqual([
      expect.objectContaining({ certificate: 'CN=Hybrid Leaf', status: 'good' }),
      expect.objectContaining({ certificate: 'CN=Issuing CA', status: 'good' }),
    ]);
    // revocation checking asked for but the composite CA's CRL missing: exit 1
    expect(certVerify(at('ca.crl.pem')).code).toBe(1);
  });

  it('attack: a tampered composite CRL never vouches (the revoked serial edited, either signature part altered): exit 1', async () => {
    // revoke the intermediate, then try to pass off edited copies of the CRL that lists it
    const serial = await serialOf(at('ca.pem'));
    run(['cert', 'revoke', ...rootCa, '--serial', serial, '--reason', 'keyCompromise']);
    run(['cert', 'crl', ...rootCa, '--out', at('revoked.crl.pem')]);
    const revoked = verifyCms(at('revoked.crl.pem'), at('ca.crl.pem'));
    expect(revoked.code).toBe(1);
    expect(json(revoked.stdout).error).toMatchObject({ code: 'ERR_REVOKED' });
    expect(certVerify(at('revoked.crl.pem'), at('ca.crl.pem')).code).toBe(1);

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
      const r = verifyCms(f, at('ca.crl.pem'));
      expect(r.code, what).toBe(1);
      expect(json(r.stdout).error, what).toMatchObject({ code: 'ERR_CHAIN' });
      expect(json(r.stdout).error.message, what).toMatch(/no usable CRL from its issuer "CN=Hybrid Root".*signature does not verify/);
      const c = certVerify(f, at('ca.crl.pem'));
      expect(c.code, what).toBe(1);
      expect(json(c.stdout).error.code, what).toBe('ERR_CHAIN');
    }
  });

  it('attack: a CRL by another composite key under the same issuer name does not vouch', () => {
    run([
      'cert',
      'crl',
      '--ca-key',
      at('forger.key'),
      '--ca-cert',
      at('forger.pem'),
      '--crl-state',
      at('forger.state.pem'),
      '--out',
      at('forged.crl.pem'),
    ]);
    const r = verifyCms(at('forged.crl.pem'), at('ca.crl.pem'));
    expect(r.code).toBe(1);
    expect(json(r.stdout).error.message).toMatch(/no usable CRL/);
  });

  it('an edited CRL state is refused before the composite CA signs anything (exit 2, nothing written)', () => {
    const state = crlDer(at('root.state.pem'));
    const t = Uint8Array.from(state);
    t[t.length - 15]! ^= 1; // in the ECDSA part of its signature
    writeFileSync(at('root.state.pem'), encodePem('X509 CRL', t));
    const before = readFileSync(at('root.state.pem'));
    const r = pqsign(['cert', 'crl', ...rootCa, '--out', at('never.crl.pem'), '--force']);
    expect(r.code).toBe(2);
    expect(existsSync(at('never.crl.pem'))).toBe(false);
    expect(r.stderr).toMatch(/is not a CRL state pqsign can continue/);
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
