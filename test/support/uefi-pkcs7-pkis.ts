// The PKIs both halves of the UEFI pkcs7 tests sign under (made in this process, set-up): root → issuing CA →
// code-signing leaf for each ML-DSA parameter set, and a stranger's PKI whose root must vouch for none of them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPkiInProcess } from './inproc.js';
import type { Pki } from './pki-fixture.js';
import { ALGS, type Alg } from './uefi-image.js';

/** the monotonic count the pkcs7 tests sign with: 8 distinct bytes, so byte order shows */
export const PKCS7_COUNT = '0x1122334455667788';

export async function buildPkcs7Pkis(dir: string): Promise<{ pkis: Record<Alg, Pki>; stranger: Pki }> {
  const pkis = {} as Record<Alg, Pki>;
  for (const alg of ALGS) {
    mkdirSync(join(dir, alg));
    pkis[alg] = await buildPkiInProcess(join(dir, alg), alg);
  }
  mkdirSync(join(dir, 'stranger'));
  return { pkis, stranger: await buildPkiInProcess(join(dir, 'stranger')) };
}
