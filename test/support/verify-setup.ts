// Set-up steps made in this process for CLI tests: `pqsign pubkey --json`'s fingerprint, `pqsign jwt sign`, a
// policy file (the offline ceremony's steps: ceremony-steps.ts). What they make is input to the CLI run under
// test, not its subject (`pqsign pubkey --out`: writePublicKey in kms-inproc.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJwt } from '../../src/jose/jwt.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { loadPublicKey, loadSigner } from '../../src/pipeline/keyref.js';

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
