// X.509 with composite ML-DSA (draft-ietf-lamps-pq-composite-sigs), in this process: a composite root issues a
// composite intermediate and an ML-DSA intermediate, which issue leaves (from a key and from a PKCS#10
// request); path validation (what `cert verify` runs) accepts the chains and refuses tampered or mismatched
// links; Bouncy Castle 1.86 (`oracle --impl bc186 cert`) accepts pqsign's composite certificates; the draft's
// own composite certificates verify as trust anchors (CRLs by composite CAs: composite-crl tests). The CLI's
// side (a two-part key reference, `cert verify`'s output and exit codes): test/cli/composite-pki.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, VECTORS, oracle, tempDir } from '../../support/helpers.js';
import { readJson } from '../../support/vectors.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { buildCompositePki } from '../../support/composite-pki.js';
import { createCaFile, failure, issueFile } from '../../support/inproc.js';
import { decodePem, encodePem } from '../../../src/asn1/pem.js';
import { parseCertificate } from '../../../src/pki/certificate.js';
import { validatePath } from '../../../src/pki/path.js';
import { certificateFacts } from '../../../src/pki/describe.js';
import { verifyCertificateChain } from '../../../src/pki/verify-chain.js';
import { compositeByName } from '../../../src/composite/params.js';

const dir = tempDir('pqsign-composite-pki-');
const at = (f: string) => join(dir, f);
const der = (pem: string) => decodePem(readFileSync(pem)).find((b) => b.label === 'CERTIFICATE')!.der;
/** `pqsign cert verify LEAF --trust-anchor ANCHOR [--chain C]...` */
const verify = (leaf: string, anchor: string, chain: string[]) =>
  verifyCertificateChain(leaf, { trustAnchors: [anchor], chain, at: undefined, codeSigning: false });
let keys: Awaited<ReturnType<typeof buildCompositePki>>;

beforeAll(async () => {
  keys = await buildCompositePki(dir);
});

describe('composite certificates and requests, in-process', () => {
  it("signatureAlgorithm is the issuer's composite OID with parameters absent; the subject key is composite", () => {
    const root = certificateFacts(parseCertificate(der(at('root.pem')), 'root'));
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

  it('path validation accepts composite root → composite CA → composite leaf, and composite root → ML-DSA CA → ML-DSA leaf', async () => {
    const j = await verify(at('leaf.pem'), at('root.pem'), [at('ca.pem')]);
    expect(j.chain.map((c) => c.subject)).toEqual(['CN=Composite Leaf', 'CN=Composite CA', 'CN=Composite Root,O=pqsign tests']);
    expect((await verify(at('mlleaf.pem'), at('root.pem'), [at('mlca.pem')])).chain).toHaveLength(3);
  });

  it('attack: a flipped bit in either signature part, or in the TBS, is ERR_CHAIN (exit 1)', async () => {
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
      const r = await failure(verify(at('leaf.pem'), at('root.pem'), [f]));
      expect(exitOfCode(r.code), `${what}: ${r.message}`).toBe(1);
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

  it("refuses a CA key that is not the CA certificate's key, and a request whose signature was altered", async () => {
    const wrong = await failure(
      issueFile({ caKey: keys.caKey, caCert: at('root.pem'), key: at('mlleaf.pub'), subject: 'CN=X', out: at('x.pem') }),
    );
    expect(exitOfCode(wrong.code)).toBe(2);
    expect(wrong.message).toMatch(/is not the key of the CA certificate/);
    const csr = decodePem(readFileSync(at('leaf.csr')))[0]!.der;
    const t = Uint8Array.from(csr);
    t[t.length - 10]! ^= 1; // in the Ed25519 part
    writeFileSync(at('forged.csr'), encodePem('CERTIFICATE REQUEST', t));
    const r = await failure(issueFile({ caKey: keys.caKey, caCert: at('ca.pem'), csr: at('forged.csr'), out: at('y.pem') }));
    expect(exitOfCode(r.code), r.message).toBe(1);
    expect(r.message).toMatch(/certification request: signature does not verify/);
  });

  it('a two-part key (ML-DSA file + EC file) is a composite CA; its certificate verifies under its own key', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    writeFileSync(at('ec.pem'), ec.export({ type: 'pkcs8', format: 'pem' }));
    const ref = `${keys.mlCaKey}+${at('ec.pem')}`;
    await createCaFile(ref, 'CN=Two-part Root', at('two.pem'));
    const two = parseCertificate(der(at('two.pem')), 'two');
    expect(two.compositeKey?.composite?.name).toBe('MLDSA65-ECDSA-P256-SHA512');
    await issueFile({
      caKey: ref,
      caCert: at('two.pem'),
      key: at('mlleaf.pub'),
      subject: 'CN=Two-part Leaf',
      codeSigning: true,
      out: at('twoleaf.pem'),
    });
    expect((await verify(at('twoleaf.pem'), at('two.pem'), [])).chain).toHaveLength(2);
    // the ML-DSA part alone is not the composite CA's key
    const r = await failure(
      issueFile({ caKey: keys.mlCaKey, caCert: at('two.pem'), key: at('mlleaf.pub'), subject: 'CN=X', out: at('z.pem') }),
    );
    expect(exitOfCode(r.code)).toBe(2);
    expect(r.message).toMatch(/is not the key of the CA certificate/);
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
