// RFC 9882's examples at the command line: a certificate as --key and --json's shape, --trust-anchor
// refusing a certificate without EKU (exit 1, one line) and --any-eku accepting it, and a tampered example
// (exit 1), judged with one verify --json run. The twelve vector checks run in-process in
// test/unit/cms/cms-vectors.test.ts.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flipByte, HAVE_SHARED, NO_SHARED, VECTORS, pqsign, tempDir } from '../support/helpers.js';
import { verifyEach } from '../support/exit-codes.js';
import { decodePem, encodePem } from '../../src/asn1/pem.js';

const EX = join(VECTORS, 'lamps-cms-ml-dsa', 'examples');
const CERTS = join(VECTORS, 'lamps-dilithium-certificates', 'examples');
const CONTENT = 'ML-DSA-65 signed-data example with signed attributes';

describe.skipIf(!HAVE_SHARED)(`RFC 9882 examples through the CLI${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  const dir = tempDir();
  const example = join(EX, 'mldsa65-signed-attrs.pem');
  const cert = join(CERTS, 'ML-DSA-65.crt');

  it('--key CERT --json: the example and its DER verify (exit 0), a tampered one is exit 1', () => {
    const der = join(dir, 'ex65.p7s');
    writeFileSync(der, decodePem(readFileSync(example))[0]!.der);
    const bad = Uint8Array.from(decodePem(readFileSync(example))[0]!.der);
    flipByte(bad, Buffer.from(bad).indexOf(Buffer.from(CONTENT)));
    const tampered = join(dir, 'tampered65.pem');
    writeFileSync(tampered, encodePem('CMS', bad));
    const v = verifyEach([example, der, tampered], ['--key', cert]);
    expect([...v.values()].map((x) => x.exit)).toEqual([0, 0, 1]);
    expect(v.get(tampered)!.message).toMatch(/does not match the messageDigest attribute/);
    const r = pqsign(['verify', example, '--key', cert, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, format: 'cms', algorithm: 'ML-DSA-65', attached: true, contentBytes: CONTENT.length });
    expect(j.signers[0]).toMatchObject({ valid: true, digest: 'sha512' });
  });

  it('--trust-anchor refuses a certificate without EKU (exit 1, one line); --any-eku accepts it', () => {
    const strict = pqsign(['verify', example, '--trust-anchor', cert]);
    expect(strict.code).toBe(1);
    expect(strict.stderr.startsWith(`pqsign: ${example}: `), strict.stderr).toBe(true);
    expect(strict.stderr.trimEnd()).not.toContain('\n');
    expect(strict.stderr).toMatch(/certificate "CN=LAMPS WG,O=IETF": extendedKeyUsage: has no extendedKeyUsage/);
    const r = pqsign(['verify', example, '--trust-anchor', cert, '--any-eku', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).signers[0]).toMatchObject({ signer: 'CN=LAMPS WG,O=IETF', chain: ['CN=LAMPS WG,O=IETF'] });
  });
});
