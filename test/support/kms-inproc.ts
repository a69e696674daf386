// The test KMS for in-process `awskms://` signers: they find credentials and region as the CLI does, through
// the AWS SDK's standard chain (the environment), so this file's process gets the same environment a child
// pqsign gets from test/support/kms-fixture.ts. The SDK stays real; nothing is stubbed.
import { afterAll } from 'vitest';
import { encodePem } from '../../src/asn1/pem.js';
import { encodePublicKey } from '../../src/keys/spki.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import '../../src/kms/register.js';
import { writeFileSync } from 'node:fs';
import { startTestKms, type TestKms } from './kms-fixture.js';
import type { KmsServerOptions } from '../../src/kms-server/index.js';

/** startTestKms, with its credentials in this process's environment until the file ends. */
export async function startInProcessKms(opts: Partial<KmsServerOptions> = {}): Promise<TestKms> {
  const kms = await startTestKms(opts);
  const saved = Object.fromEntries(Object.keys(kms.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, kms.env);
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  return kms;
}

/** `pqsign pubkey --key REF --out OUT` (PEM SPKI; composite and two-part references too) */
export async function writePublicKey(ref: string, out: string, alg?: string): Promise<string> {
  writeFileSync(out, encodePem('PUBLIC KEY', encodePublicKey(await loadPublicKey(ref, { alg }, { composite: true }))));
  return out;
}
