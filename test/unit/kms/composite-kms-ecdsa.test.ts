// Composite signing with both parts in KMS, in this process: `awskms://…/alias/mldsa+awskms://…/alias/ecdsa`
// through the real @aws-sdk/client-kms over HTTP against the local server (EXTERNAL_MU + DIGEST), verified
// by pqsign and Bouncy Castle 1.86; keys that do not fit the composite are refused before signing, and a
// KMS answering an ECDSA signature that does not verify is caught before anything is written. Error codes
// stand for exit codes (README's table). The command line's side is test/cli/composite-kms-ecdsa.test.ts.
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOfCode } from '../../support/exit-codes.js';
import { flipByte, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, signWith, verifyWith } from '../../support/inproc.js';
import { startInProcessKms, writePublicKey } from '../../support/kms-inproc.js';

const dir = tempDir('pqsign-kms-ecdsa-unit-');
const kms = await startInProcessKms({ dataDir: join(dir, 'kms') });
const ALG = 'MLDSA65-ECDSA-P256-SHA512';

describe('composite with both parts in KMS', () => {
  const msg = join(dir, 'fw.bin');
  writeFileSync(msg, Buffer.alloc(200_000, 7));

  it('ML_DSA_65 + ECC_NIST_P256 sign MLDSA65-ECDSA-P256-SHA512 (EXTERNAL_MU + DIGEST); pqsign verifies, and refuses other content', async () => {
    await kms.createKey('ML_DSA_65', 'alias/fw-mldsa');
    await kms.createKey('ECC_NIST_P256', 'alias/fw-ecdsa');
    const ref = `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-ecdsa')}`;
    const sig = join(dir, 'fw.sig');
    expect((await signWith(msg, ref, { alg: ALG, out: sig })).algorithm).toBe(ALG);
    expect(kms.log.some((l) => l.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    expect(kms.log.some((l) => l.startsWith('Sign DIGEST 200'))).toBe(true);
    const spki = await writePublicKey(ref, join(dir, 'fw-composite.pub'));
    await verifyWith(msg, spki, { sig });
    const tampered = join(dir, 'fw-tampered.bin');
    writeFileSync(tampered, Buffer.concat([Buffer.alloc(200_000, 7), Buffer.of(0)]));
    expect(exitOfCode((await failure(verifyWith(tampered, spki, { sig }))).code)).toBe(1);
  });

  it.skipIf(!HAVE_SHARED)(`Bouncy Castle 1.86 verifies it (${HAVE_SHARED ? 'oracle --impl bc186' : NO_SHARED})`, () => {
    const r = oracle(['--impl', 'bc186', 'verify', ALG, join(dir, 'fw-composite.pub'), join(dir, 'fw.sig'), msg]);
    expect(r.ok, r.stderr).toBe(true);
  });

  it('a KMS key that does not fit the composite is refused before signing (exit 2), nothing written', async () => {
    await kms.createKey('ECC_NIST_P384', 'alias/fw-p384');
    const out = join(dir, 'never.sig');
    const wrong = await failure(signWith(msg, `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-p384')}`, { alg: ALG, out }));
    expect(exitOfCode(wrong.code), wrong.message).toBe(2);
    // an ML-DSA key as the traditional part is not an ECC key
    const notEcc = await failure(signWith(msg, `${kms.ref('alias/fw-mldsa')}+${kms.ref('alias/fw-mldsa')}`, { out }));
    expect(exitOfCode(notEcc.code), notEcc.message).toBe(2);
    expect(notEcc.message).toMatch(/ECC_NIST_P256/);
    expect(existsSync(out)).toBe(false);
  });

  it('a KMS answering an ECDSA signature that does not verify (a tampering endpoint) is caught: ERR_SIGNER (exit 3), nothing written', async () => {
    // a proxy in front of the local KMS that flips a bit in every DIGEST signature it relays
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const tamper = String(req.headers['x-amz-target']).endsWith('.Sign') && JSON.parse(body.toString()).MessageType === 'DIGEST';
        const up = request(kms.server.url, { method: req.method, path: req.url, headers: req.headers }, (r) => {
          const out: Buffer[] = [];
          r.on('data', (c: Buffer) => out.push(c));
          r.on('end', () => {
            let text = Buffer.concat(out).toString();
            if (tamper && r.statusCode === 200) {
              const j = JSON.parse(text);
              const sig = Buffer.from(j.Signature, 'base64');
              text = JSON.stringify({ ...j, Signature: flipByte(sig, sig.length - 1).toString('base64') });
            }
            res.writeHead(r.statusCode!, { ...r.headers, 'content-length': Buffer.byteLength(text) });
            res.end(text);
          });
        });
        up.end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const at = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const out = join(dir, 'tampered.sig');
      const r = await failure(signWith(msg, `awskms://${at}/alias/fw-mldsa+awskms://${at}/alias/fw-ecdsa`, { out }));
      expect(r.code).toBe('ERR_SIGNER');
      expect(exitOfCode(r.code)).toBe(3);
      expect(r.message).toMatch(/does not verify against its public key; nothing was written/);
      expect(existsSync(out)).toBe(false);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
