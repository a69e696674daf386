// RFC 9882 Appendix B SignedData examples, verified in this process against the RFC 9881 example
// certificates: code and data nobody here wrote. Also inspect/strip on them, and tampering. The command
// line's side (--key with a certificate, --trust-anchor and --any-eku, --json, exit codes) is
// test/cli/cms-vectors.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flipByte, HAVE_SHARED, NO_SHARED, VECTORS, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { anchorRules, failure, verifyWith } from '../../support/inproc.js';
import { cms } from '../../../formats/cms.js';
import { readChunks } from '../../../src/io/read.js';
import { decodePem, encodePem } from '../../../src/asn1/pem.js';

const EX = join(VECTORS, 'lamps-cms-ml-dsa', 'examples');
const CERTS = join(VECTORS, 'lamps-dilithium-certificates', 'examples');
const CONTENT = (n: string) => `ML-DSA-${n} signed-data example with signed attributes`;

async function stripped(container: string): Promise<string> {
  const loc = await cms.payload!(container);
  const out: number[] = [];
  for await (const chunk of readChunks(container, { start: loc.start, end: loc.end })) {
    if (loc.transform) loc.transform(chunk, (b) => out.push(...b));
    else out.push(...chunk);
  }
  return Buffer.from(out).toString('latin1');
}

/** The exit code and message `pqsign verify` would end with. */
async function rejected(p: Promise<unknown>) {
  const f = await failure(p);
  return { exit: exitOfCode(f.code), message: f.message };
}

describe.skipIf(!HAVE_SHARED)(`RFC 9882 examples${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  const dir = tempDir();
  for (const n of ['44', '65', '87']) {
    const example = join(EX, `mldsa${n}-signed-attrs.pem`);
    const cert = join(CERTS, `ML-DSA-${n}.crt`);

    it(`ML-DSA-${n}: verifies with the RFC 9881 certificate as the key`, async () => {
      const v = await verifyWith(example, cert);
      expect(v).toMatchObject({ format: 'cms', params: { name: `ML-DSA-${n}` } });
      expect(v.details).toMatchObject({ attached: true, contentBytes: CONTENT(n).length });
      expect((v.details.signers as object[])[0]).toMatchObject({ valid: true, digest: 'sha512' });
    });

    it(`ML-DSA-${n}: chains to the certificate as trust anchor (no EKU in it: anyEku)`, async () => {
      const rules = await anchorRules(cert);
      const strict = await rejected(verifyWith(example, undefined, { rules }));
      expect(strict.exit).toBe(1);
      expect(strict.message).toMatch(/certificate "CN=LAMPS WG,O=IETF": extendedKeyUsage: has no extendedKeyUsage/);
      const v = await verifyWith(example, undefined, { rules, options: { cms: { anyEku: true } } });
      expect((v.details.signers as object[])[0]).toMatchObject({ signer: 'CN=LAMPS WG,O=IETF', chain: ['CN=LAMPS WG,O=IETF'] });
    });

    it(`ML-DSA-${n}: the same bytes as DER verify; the embedded content strips out of PEM and DER`, async () => {
      const der = join(dir, `ex${n}.p7s`);
      writeFileSync(der, decodePem(readFileSync(example))[0]!.der);
      expect(await verifyWith(der, cert)).toMatchObject({ format: 'cms' });
      expect(await stripped(example)).toBe(CONTENT(n));
      expect(await stripped(der)).toBe(CONTENT(n));
      const info = await cms.inspect!(der);
      expect(info).toMatchObject({ attached: true, contentBytes: CONTENT(n).length, digestAlgorithms: ['sha512'] });
      expect((info.signerInfos as object[])[0]).toMatchObject({
        version: 1,
        signatureAlgorithm: `ML-DSA-${n}`,
        signedAttributes: true,
        algorithmProtection: false,
      });
    });

    it(`ML-DSA-${n}: tampered content and a wrong key are rejected`, async () => {
      const der = decodePem(readFileSync(example))[0]!.der;
      const at = Buffer.from(der).indexOf(Buffer.from(CONTENT(n)));
      const bad = Uint8Array.from(der);
      flipByte(bad, at);
      const f = join(dir, `tampered${n}.pem`);
      writeFileSync(f, encodePem('CMS', bad));
      const r = await rejected(verifyWith(f, cert));
      expect(r.exit).toBe(1);
      expect(r.message).toMatch(/does not match the messageDigest attribute/);
      const other = n === '44' ? '65' : '44';
      const w = await rejected(verifyWith(example, join(CERTS, `ML-DSA-${other}.crt`)));
      expect(w.exit).toBe(1);
      expect(w.message).toMatch(/is an ML-DSA-\d\d signature but the pinned key is ML-DSA-\d\d/);
    });
  }
});
