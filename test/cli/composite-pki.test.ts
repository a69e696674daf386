// X.509 with composite ML-DSA (draft-ietf-lamps-pq-composite-sigs): a composite root issues a composite
// intermediate and an ML-DSA intermediate, which issue leaves (from a key and from a PKCS#10 request);
// `cert verify` accepts the chains and refuses tampered or mismatched links; Bouncy Castle 1.86 (`oracle
// --impl bc186 cert`) accepts pqsign's composite certificates; the draft's own composite certificates
// verify as trust anchors (CRLs by composite CAs: composite-crl.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, VECTORS, oracle, pqsign, tempDir } from '../support/helpers.js';
import { readJson } from '../support/vectors.js';
import { decodePem, encodePem } from '../../src/asn1/pem.js';
import { parseCertificate } from '../../src/pki/certificate.js';
import { validatePath } from '../../src/pki/path.js';
import { certificateFacts } from '../../src/pki/describe.js';
import { compositeByName } from '../../src/composite/params.js';

const dir = tempDir('pqsign-composite-pki-');
const at = (f: string) => join(dir, f);
function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}
const keygen = (alg: string, name: string) => (
  run(['keygen', '--alg', alg, '--out', at(`${name}.key`), '--pub', at(`${name}.pub`)]),
  at(`${name}.key`)
);
const der = (pem: string) => decodePem(readFileSync(pem)).find((b) => b.label === 'CERTIFICATE')!.der;
const verify = (leaf: string, anchor: string, chain: string[], code = 0) =>
  run(['cert', 'verify', leaf, '--trust-anchor', anchor, ...chain.flatMap((c) => ['--chain', c]), '--json'], code);

// root MLDSA87-ECDSA-P384 → intermediate MLDSA65-ECDSA-P256 (composite) → composite leaf from a CSR
//                          → intermediate ML-DSA-65 → ML-DSA-44 leaf from a key
const rootKey = keygen('MLDSA87-ECDSA-P384-SHA512', 'root');
const caKey = keygen('MLDSA65-ECDSA-P256-SHA512', 'ca');
const mlCaKey = keygen('ML-DSA-65', 'mlca');
const leafKey = keygen('MLDSA44-Ed25519-SHA512', 'leaf');
keygen('ML-DSA-44', 'mlleaf');
run(['cert', 'create-ca', '--key', rootKey, '--subject', 'CN=Composite Root,O=pqsign tests', '--out', at('root.pem')]);
run([
  'cert',
  'issue',
  '--ca-key',
  rootKey,
  '--ca-cert',
  at('root.pem'),
  '--key',
  at('ca.pub'),
  '--subject',
  'CN=Composite CA',
  '--ca',
  '--out',
  at('ca.pem'),
]);
run([
  'cert',
  'issue',
  '--ca-key',
  rootKey,
  '--ca-cert',
  at('root.pem'),
  '--key',
  at('mlca.pub'),
  '--subject',
  'CN=ML-DSA CA',
  '--ca',
  '--out',
  at('mlca.pem'),
]);
run(['cert', 'csr', '--key', leafKey, '--subject', 'CN=Composite Leaf', '--out', at('leaf.csr')]);
run(['cert', 'issue', '--ca-key', caKey, '--ca-cert', at('ca.pem'), '--csr', at('leaf.csr'), '--code-signing', '--out', at('leaf.pem')]);
run([
  'cert',
  'issue',
  '--ca-key',
  mlCaKey,
  '--ca-cert',
  at('mlca.pem'),
  '--key',
  at('mlleaf.pub'),
  '--subject',
  'CN=ML-DSA Leaf',
  '--code-signing',
  '--out',
  at('mlleaf.pem'),
]);

describe('composite certificates and requests (CLI)', () => {
  it("signatureAlgorithm is the issuer's composite OID with parameters absent; the subject key is composite", () => {
    const root = JSON.parse(run(['cert', 'show', at('root.pem'), '--json']).split('\n')[0]!);
    expect(root).toMatchObject({
      keyAlgorithm: 'MLDSA87-ECDSA-P384-SHA512',
      signatureAlgorithm: 'MLDSA87-ECDSA-P384-SHA512',
      selfSigned: true,
      selfSignatureValid: true,
    });
    const leaf = parseCertificate(der(at('leaf.pem')), 'leaf');
    expect(leaf.signatureAlgorithm).toMatchObject({ oid: '1.3.6.1.5.5.7.6.45', paramsAbsent: true });
    expect(leaf.compositeKey?.composite?.name).toBe('MLDSA44-Ed25519-SHA512');
    expect(leaf.publicKey).toBeUndefined(); // ML-DSA-only callers never see it as an ML-DSA key
    expect(parseCertificate(der(at('mlca.pem')), 'mlca').signatureAlgorithm.oid).toBe('1.3.6.1.5.5.7.6.49');
  });

  it('cert verify accepts composite root → composite CA → composite leaf, and composite root → ML-DSA CA → ML-DSA leaf', () => {
    const j = JSON.parse(verify(at('leaf.pem'), at('root.pem'), [at('ca.pem')]));
    expect(j.chain.map((c: { subject: string }) => c.subject)).toEqual([
      'CN=Composite Leaf',
      'CN=Composite CA',
      'CN=Composite Root,O=pqsign tests',
    ]);
    expect(JSON.parse(verify(at('mlleaf.pem'), at('root.pem'), [at('mlca.pem')])).ok).toBe(true);
  });

  it('attack: a flipped bit in either signature part, or in the TBS, is exit 1', () => {
    const d = der(at('ca.pem'));
    const sigLen = parseCertificate(d, 'ca').signature.length;
    const mldsaBytes = 4627; // ML-DSA-87 part of the root's signature
    for (const [what, offset] of [
      ['ML-DSA part', d.length - sigLen + 50],
      ['ECDSA part', d.length - sigLen + mldsaBytes + 20],
      ['TBS', 60],
    ] as const) {
      const t = Uint8Array.from(d);
      t[offset]! ^= 1;
      const f = at(`bad-${offset}.pem`);
      writeFileSync(f, encodePem('CERTIFICATE', t));
      const r = pqsign(['cert', 'verify', at('leaf.pem'), '--trust-anchor', at('root.pem'), '--chain', f]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
    }
  });

  it('attack: stripped to its ML-DSA part, or re-labelled as pure ML-DSA, the signature is refused', () => {
    const leaf = parseCertificate(der(at('leaf.pem')), 'leaf');
    const base = {
      anchors: [parseCertificate(der(at('root.pem')), 'root')],
      intermediates: [parseCertificate(der(at('ca.pem')), 'ca')],
      at: new Date(),
      anyEku: false,
    };
    expect(validatePath(leaf, base)).toHaveLength(3);
    const stripped = { ...leaf, signature: leaf.signature.subarray(0, 3309) }; // the ML-DSA-65 part alone
    expect(() => validatePath(stripped, base)).toThrow(/signature does not verify/);
    const relabelled = { ...stripped, signatureAlgorithm: { ...leaf.signatureAlgorithm, oid: '2.16.840.1.101.3.4.3.18' } };
    expect(() => validatePath(relabelled, base)).toThrow(/signed with ML-DSA-65 but the issuer key is MLDSA65-ECDSA-P256-SHA512/);
    const withParams = { ...leaf, signatureAlgorithm: { ...leaf.signatureAlgorithm, paramsAbsent: false } };
    expect(() => validatePath(withParams, base)).toThrow(/parameters/);
  });

  it("refuses a CA key that is not the CA certificate's key, and a request whose signature was altered", () => {
    expect(
      run(
        [
          'cert',
          'issue',
          '--ca-key',
          caKey,
          '--ca-cert',
          at('root.pem'),
          '--key',
          at('mlleaf.pub'),
          '--subject',
          'CN=X',
          '--out',
          at('x.pem'),
        ],
        2,
      ),
    ).toMatch(/is not the key of the CA certificate/);
    const csr = decodePem(readFileSync(at('leaf.csr')))[0]!.der;
    const t = Uint8Array.from(csr);
    t[t.length - 10]! ^= 1; // in the Ed25519 part
    writeFileSync(at('forged.csr'), encodePem('CERTIFICATE REQUEST', t));
    const r = pqsign(['cert', 'issue', '--ca-key', caKey, '--ca-cert', at('ca.pem'), '--csr', at('forged.csr'), '--out', at('y.pem')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/certification request: signature does not verify/);
  });

  it('a two-part key (ML-DSA file + EC file) is a composite CA; its certificate verifies under its own key', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    writeFileSync(at('ec.pem'), ec.export({ type: 'pkcs8', format: 'pem' }));
    const ref = `${mlCaKey}+${at('ec.pem')}`;
    run(['cert', 'create-ca', '--key', ref, '--subject', 'CN=Two-part Root', '--out', at('two.pem')]);
    const two = parseCertificate(der(at('two.pem')), 'two');
    expect(two.compositeKey?.composite?.name).toBe('MLDSA65-ECDSA-P256-SHA512');
    run([
      'cert',
      'issue',
      '--ca-key',
      ref,
      '--ca-cert',
      at('two.pem'),
      '--key',
      at('mlleaf.pub'),
      '--subject',
      'CN=Two-part Leaf',
      '--code-signing',
      '--out',
      at('twoleaf.pem'),
    ]);
    expect(JSON.parse(verify(at('twoleaf.pem'), at('two.pem'), [])).ok).toBe(true);
    // the ML-DSA part alone is not the composite CA's key
    expect(
      run(
        [
          'cert',
          'issue',
          '--ca-key',
          mlCaKey,
          '--ca-cert',
          at('two.pem'),
          '--key',
          at('mlleaf.pub'),
          '--subject',
          'CN=X',
          '--out',
          at('z.pem'),
        ],
        2,
      ),
    ).toMatch(/is not the key of the CA certificate/);
  });

  describe.skipIf(!HAVE_SHARED)(`Bouncy Castle 1.86 accepts them${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
    it('every composite-signed link verifies under its issuer, and not under another key', () => {
      for (const [cert, issuer] of [
        ['root', 'root'],
        ['ca', 'root'],
        ['mlca', 'root'],
        ['leaf', 'ca'],
      ]) {
        const r = oracle(['--impl', 'bc186', 'cert', at(`${cert}.pem`), at(`${issuer}.pem`)]);
        expect(r.ok, `${cert} under ${issuer}: ${r.stdout}${r.stderr}`).toBe(true);
      }
      expect(oracle(['--impl', 'bc186', 'cert', at('leaf.pem'), at('root.pem')]).ok).toBe(false);
    });
  });

  describe.skipIf(!HAVE_SHARED)(`the draft's composite certificates as trust anchors${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
    const tests = HAVE_SHARED
      ? readJson<{ tests: { tcId: string; x5c: string }[] }>(join(VECTORS, 'composite-sigs', 'testvectors.json')).tests
      : [];
    it('all 18 self-signed certificates: their composite self-signatures verify (both parts), and not once altered', () => {
      const certs = tests
        .filter((t) => compositeByName(t.tcId.replace(/^id-/, '')))
        .map((t) => parseCertificate(new Uint8Array(Buffer.from(t.x5c, 'base64')), t.tcId));
      expect(certs).toHaveLength(18);
      for (const c of certs) {
        expect(certificateFacts(c).selfSignatureValid, c.subject).toBe(true);
        // not an anchor: a verifying self-signature is what makes path validation call it an untrusted root
        expect(() => validatePath(c, { anchors: [], intermediates: [], at: c.notBefore, anyEku: true })).toThrow(
          /self-signed but is not one of the trust anchors/,
        );
        const sig = Uint8Array.from(c.signature);
        sig[sig.length - 8]! ^= 1;
        expect(certificateFacts({ ...c, signature: sig }).selfSignatureValid, c.subject).toBe(false);
      }
    });
  });
});
