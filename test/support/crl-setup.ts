// What both halves of the CRL tests (test/unit/pki/crl.test.ts, test/cli/crl.test.ts) start from, made in this
// process: the test PKI with a CMS-signed firmware to revoke, and a CRL state edited behind pqsign's back.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { FIRMWARE } from './helpers.js';
import { buildPkiInProcess, signWith } from './inproc.js';
import type { Pki } from './pki-fixture.js';

/** The test PKI in DIR, and FW (a copy of the firmware) signed as CMS by its leaf with the intermediate. */
export async function pkiWithSignedFirmware(dir: string, fw: string): Promise<Pki> {
  const pki = await buildPkiInProcess(dir);
  copyFileSync(FIRMWARE, fw);
  await signWith(fw, pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter] } });
  return pki;
}

/** STATE (a PEM CRL) with one bit of its signature flipped, written to OUT: a state pqsign must not continue. */
export function editedCrlState(state: string, out: string): string {
  const pem = readFileSync(state, 'latin1');
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  der[der.length - 100]! ^= 1; // the signature
  writeFileSync(out, `-----BEGIN X509 CRL-----\n${der.toString('base64')}\n-----END X509 CRL-----\n`);
  return out;
}
