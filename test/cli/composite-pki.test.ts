// Composite ML-DSA X.509 through the CLI: a two-part key reference (ML-DSA file + EC file) as `cert create-ca
// --key`, and `cert verify` on a composite chain (--json output; a tampered link is exit 1 with one line). What
// the certificates contain, which links are refused and Bouncy Castle on them: test/unit/pki/composite-pki.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign, tempDir } from '../support/helpers.js';
import { buildCompositePki } from '../support/composite-pki.js';
import { run } from '../support/pki-fixture.js';
import { decodePem, encodePem } from '../../src/asn1/pem.js';
import { parseCertificate } from '../../src/pki/certificate.js';

const dir = tempDir('pqsign-composite-pki-');
const at = (f: string) => join(dir, f);
let mlCaKey: string;

beforeAll(async () => {
  ({ mlCaKey } = await buildCompositePki(dir)); // set-up in this process
});

describe('composite certificates (CLI)', () => {
  it('create-ca --key ML-DSA-FILE+EC-FILE: a composite CA, reported with --json', () => {
    writeFileSync(
      at('ec.pem'),
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const j = JSON.parse(
      run(['cert', 'create-ca', '--key', `${mlCaKey}+${at('ec.pem')}`, '--subject', 'CN=Two-part Root', '--json', '--out', at('two.pem')]),
    );
    expect(j).toMatchObject({
      out: at('two.pem'),
      keyAlgorithm: 'MLDSA65-ECDSA-P256-SHA512',
      signatureAlgorithm: 'MLDSA65-ECDSA-P256-SHA512',
      selfSigned: true,
      selfSignatureValid: true,
    });
  });

  it('cert verify --chain --json: composite root → composite CA → composite leaf; a flipped ECDSA bit is exit 1', () => {
    const j = JSON.parse(run(['cert', 'verify', at('leaf.pem'), '--trust-anchor', at('root.pem'), '--chain', at('ca.pem'), '--json']));
    expect(j.ok).toBe(true);
    expect(j.chain.map((c: { subject: string }) => c.subject)).toEqual([
      'CN=Composite Leaf',
      'CN=Composite CA',
      'CN=Composite Root,O=pqsign tests',
    ]);
    const d = decodePem(readFileSync(at('ca.pem')))[0]!.der;
    const t = Uint8Array.from(d);
    t[d.length - parseCertificate(d, 'ca').signature.length + 4627 + 20]! ^= 1; // after the ML-DSA-87 part
    writeFileSync(at('bad-ca.pem'), encodePem('CERTIFICATE', t));
    const r = pqsign(['cert', 'verify', at('leaf.pem'), '--trust-anchor', at('root.pem'), '--chain', at('bad-ca.pem')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^pqsign: \S+leaf\.pem: certificate "CN=Composite CA": signature: .*\n$/);
  });
});
