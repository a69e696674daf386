// Set-up steps made in this process for CLI tests: `pqsign pubkey --json`'s fingerprint, `pqsign jwt sign`, a
// policy file, the offline ceremony's `tbs` and `sign-request`. What they make is input to the CLI run under
// test, not its subject (`pqsign pubkey --out`: writePublicKey in kms-inproc.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJwt } from '../../src/jose/jwt.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { loadPublicKey, loadSigner } from '../../src/pipeline/keyref.js';
import { createRequest, readRequest, signRequest } from '../../src/batch/ceremony.js';
import { formatByName } from '../../src/pipeline/registry.js';

/** `pqsign pubkey --key REF --json`'s keyFingerprint */
export async function fingerprintOf(ref: string): Promise<string> {
  return keyFingerprint((await loadPublicKey(ref)).publicKey);
}

/** `pqsign jwt sign --claims FILE --key KEY`: the token */
export async function jwtOf(claims: Record<string, unknown>, key: string): Promise<string> {
  const signer = await loadSigner(key);
  try {
    return await signJwt(signer, claims);
  } finally {
    await signer.close?.();
  }
}

/** A `{pqsignPolicy: 1, scopes}` file DIR/NAME.policy.json */
export function policyFile(dir: string, name: string, scopes: unknown[]): string {
  const file = join(dir, `${name}.policy.json`);
  writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes }));
  return file;
}

/** `pqsign tbs FILE --key PUB [--format F] --out OUT` (no context, no format options) */
export async function tbsFile(file: string, pub: string, out: string, format = 'raw'): Promise<string> {
  const req = await createRequest(file, formatByName(format), await loadPublicKey(pub), new Uint8Array(0), {});
  writeFileSync(out, `${JSON.stringify(req, null, 2)}\n`);
  return out;
}

/** `pqsign sign-request REQ --key KEY --out OUT` */
export async function signRequestFile(request: string, key: string, out: string): Promise<string> {
  const signer = await loadSigner(key);
  try {
    writeFileSync(out, await signRequest(await readRequest(request), signer, request));
    return out;
  } finally {
    await signer.close?.();
  }
}
