// `pqsign cert revoke` and `pqsign cert crl` in this process: parse the options as bin/commands/cert.ts does,
// then the same library call (issueNextCrl, src/pki/crl-state.ts: read the state, add the revocation, issue
// CRL number + 1, write it back as the state). The CLI's own part (flags, the --date rule, --force, messages on
// stderr) stays in test/cli/crl.test.ts.
import { writeFileSync } from 'node:fs';
import { encodePem } from '../../src/asn1/pem.js';
import { wholeSeconds } from '../../src/asn1/time.js';
import { parseDuration } from '../../src/jose/jwt.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import { readCertificate } from '../../src/pki/cert-file.js';
import type { ParsedCrl, RevokedEntry } from '../../src/pki/crl.js';
import { issueNextCrl, parseReason, parseSerial } from '../../src/pki/crl-state.js';

export interface CrlCa {
  caKey: string;
  caCert: string;
  crlState: string;
  /** default now */
  thisUpdate?: Date;
  /** default 7d */
  nextUpdate?: string;
}

async function nextCrl(a: CrlCa, thisUpdate: Date, revoke?: RevokedEntry) {
  const ca = await readCertificate(a.caCert, 'CA certificate');
  const nextUpdate = new Date(thisUpdate.getTime() + parseDuration(a.nextUpdate ?? '7d') * 1000);
  const signer = await loadAnySigner(a.caKey);
  try {
    return await issueNextCrl({ ca, signer, crlState: a.crlState, thisUpdate, nextUpdate, revoke });
  } finally {
    await signer.close?.();
  }
}

/** `pqsign cert revoke --ca-key K --ca-cert C --crl-state S --serial HEX [--reason R] [--date D]`: the new CRL and what it replaced. */
export async function revokeInProcess(
  a: CrlCa & { serial: string; reason?: string; date?: Date },
): Promise<{ crl: ParsedCrl; replaced: boolean }> {
  const serial = parseSerial(a.serial);
  const reason = parseReason(a.reason);
  const thisUpdate = a.thisUpdate ?? wholeSeconds(new Date());
  const { crl, replaced } = await nextCrl(a, thisUpdate, { serial, revocationDate: a.date ?? thisUpdate, reason });
  return { crl, replaced: !!replaced };
}

/** `pqsign cert crl --ca-key K --ca-cert C --crl-state S --out OUT [--der]`: the CRL written to `out`. */
export async function crlInProcess(a: CrlCa & { out: string; der?: boolean }): Promise<ParsedCrl> {
  const { der, crl } = await nextCrl(a, a.thisUpdate ?? wholeSeconds(new Date()));
  writeFileSync(a.out, a.der ? der : encodePem('X509 CRL', der));
  return crl;
}
