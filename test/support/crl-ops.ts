// The library steps behind `pqsign cert revoke` and `pqsign cert crl` (bin/commands/cert.ts), in this
// process: read the CA's CRL state (refused when edited or another CA's), add the revocation, issue the next
// CRL (number + 1) with the CA key and write it back as the state, then as --out. The CLI's own part (flags,
// the --date rule, --force, messages on stderr) stays in test/cli/crl.test.ts.
import { writeFileSync } from 'node:fs';
import { encodePem } from '../../src/asn1/pem.js';
import { wholeSeconds } from '../../src/asn1/time.js';
import { parseDuration } from '../../src/jose/jwt.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import { readCertificate } from '../../src/pki/cert-file.js';
import type { ParsedCrl } from '../../src/pki/crl.js';
import { issueCrl } from '../../src/pki/crl-issue.js';
import { parseReason, parseSerial, readCrlState, withRevocation } from '../../src/pki/crl-state.js';

export interface CrlCa {
  caKey: string;
  caCert: string;
  crlState: string;
  /** default now */
  thisUpdate?: Date;
  /** default 7d */
  nextUpdate?: string;
}

async function nextCrl(a: CrlCa, entries: Awaited<ReturnType<typeof readCrlState>>['entries'], number: bigint) {
  const ca = await readCertificate(a.caCert, 'CA certificate');
  const thisUpdate = a.thisUpdate ?? wholeSeconds(new Date());
  const nextUpdate = new Date(thisUpdate.getTime() + parseDuration(a.nextUpdate ?? '7d') * 1000);
  const signer = await loadAnySigner(a.caKey);
  try {
    const issued = await issueCrl({ ca, signer, entries, number: number + 1n, thisUpdate, nextUpdate });
    writeFileSync(a.crlState, encodePem('X509 CRL', issued.der));
    return issued;
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
  const state = await readCrlState(a.crlState, await readCertificate(a.caCert, 'CA certificate'));
  const { entries, replaced } = withRevocation(state, { serial, revocationDate: a.date ?? thisUpdate, reason });
  const { crl } = await nextCrl({ ...a, thisUpdate }, entries, state.number);
  return { crl, replaced: !!replaced };
}

/** `pqsign cert crl --ca-key K --ca-cert C --crl-state S --out OUT [--der]`: the CRL written to `out`. */
export async function crlInProcess(a: CrlCa & { out: string; der?: boolean }): Promise<ParsedCrl> {
  const state = await readCrlState(a.crlState, await readCertificate(a.caCert, 'CA certificate'));
  const { der, crl } = await nextCrl(a, state.entries, state.number);
  writeFileSync(a.out, a.der ? der : encodePem('X509 CRL', der));
  return crl;
}
