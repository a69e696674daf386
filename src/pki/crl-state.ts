// The CA's revocation state for `cert revoke` and `cert crl` (--crl-state FILE): the last CRL pqsign issued
// for the CA, itself. It holds everything the next CRL needs (the revoked serials, dates and reasons, and the
// CRL number to continue from) and is signed by the CA key, so a state that was edited — a revocation
// dropped to quietly un-revoke a certificate — or belongs to another CA is refused before anything is
// signed. Each command issues the next CRL (number + 1) and writes it back as the new state.
import { equalBytes, fromHex, toHex } from '../base/bytes.js';
import { PqsignError, opt } from '../base/errors.js';
import { fsPath } from '../base/fspath.js';
import { stat } from 'node:fs/promises';
import { encodePem } from '../asn1/pem.js';
import type { CompositeSigner } from '../composite/signer.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Signer } from '../mldsa/signer.js';
import type { ParsedCertificate } from './certificate.js';
import { readCrls, REASONS, type ParsedCrl, type ReasonName, type RevokedEntry } from './crl.js';
import { issueCrl } from './crl-issue.js';
import { mlDsaSignatureProblem } from './signature.js';

export interface CrlState {
  /** the last CRL number issued (0 before the first) */
  number: bigint;
  entries: RevokedEntry[];
}

/** The state in `path` for `ca`; a file that does not exist yet is the empty state. */
export async function readCrlState(path: string, ca: ParsedCertificate): Promise<CrlState> {
  if (!(await stat(fsPath(path)).catch(() => undefined))) return { number: 0n, entries: [] };
  const crls = await readCrls(path, 'CRL state');
  const bad = (why: string) =>
    new PqsignError('ERR_FILE', `is not a CRL state pqsign can continue for "${ca.subject}": ${why}`, { file: path });
  if (crls.length !== 1) throw bad(`it holds ${crls.length} CRLs`);
  const crl = crls[0]!;
  if (!equalBytes(crl.issuerDer, ca.subjectDer)) throw bad(`it is a CRL of "${crl.issuer}"`);
  const caKey = ca.publicKey ?? ca.compositeKey;
  const problem = !caKey
    ? 'the CA certificate holds no ML-DSA or composite key'
    : mlDsaSignatureProblem(crl.tbs, crl.signatureAlgorithm, crl.signature, caKey);
  if (problem) throw bad(`${problem} (edited, or signed by another key)`);
  if (crl.unsupported) throw bad(crl.unsupported);
  if (crl.number === undefined) throw bad('it has no CRL number');
  return { number: crl.number, entries: crl.entries };
}

/** A serial number as `cert show` prints it (hex; 0x, colons and spaces allowed), as minimal INTEGER octets. */
export function parseSerial(text: string): Uint8Array {
  const hex = text.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex))
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('serial')} "${text}" is not a hexadecimal serial number (as \`pqsign cert show\` prints it)`,
      { option: 'serial' },
    );
  let bytes = fromHex(hex.length % 2 ? `0${hex}` : hex);
  while (bytes.length > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) bytes = bytes.subarray(1);
  if (bytes[0]! & 0x80) bytes = Uint8Array.of(0, ...bytes); // serials are positive (RFC 5280 §4.1.2.2)
  if (bytes.length > 21)
    throw new PqsignError('ERR_USAGE', `${opt('serial')} "${text}" is longer than 20 octets (RFC 5280 §4.1.2.2)`, { option: 'serial' });
  return bytes;
}

/** Reasons `cert revoke` records: RFC 5280 §5.3.1 without certificateHold (pqsign never un-revokes) and removeFromCRL (delta CRLs). */
export const REVOKE_REASONS = REASONS.filter((r): r is ReasonName => !!r && r !== 'certificateHold' && r !== 'removeFromCRL');

export function parseReason(text: string | undefined): ReasonName | undefined {
  if (text === undefined) return undefined;
  const r = REVOKE_REASONS.find((x) => x.toLowerCase() === text.toLowerCase());
  if (!r) throw new PqsignError('ERR_USAGE', `${opt('reason')} "${text}" is not one of ${REVOKE_REASONS.join(', ')}`, { option: 'reason' });
  return r === 'unspecified' ? undefined : r;
}

const COMPROMISE = ['keyCompromise', 'cACompromise', 'aACompromise'];
const stronger = (next: RevokedEntry, prev: RevokedEntry) =>
  COMPROMISE.includes(next.reason ?? '') && !COMPROMISE.includes(prev.reason ?? '');

/**
 * The state with `entry` added. A serial already revoked may only be revoked again for a compromise (the
 * reason found out later: a key retired as superseded turns out to have leaked); returns what it replaced.
 */
export function withRevocation(state: CrlState, entry: RevokedEntry): { entries: RevokedEntry[]; replaced: RevokedEntry | undefined } {
  const prev = state.entries.find((e) => equalBytes(e.serial, entry.serial));
  if (!prev) return { entries: [...state.entries, entry], replaced: undefined };
  if (!stronger(entry, prev)) {
    throw new PqsignError(
      'ERR_USAGE',
      `serial ${toHex(entry.serial)} is already revoked (${prev.reason ?? 'no reason given'}, ${prev.revocationDate.toISOString()}); ` +
        'only a compromise reason (keyCompromise, cACompromise, aACompromise) may replace that',
    );
  }
  return { entries: state.entries.map((e) => (e === prev ? entry : e)), replaced: prev };
}

export interface NextCrlRequest {
  ca: ParsedCertificate;
  /** holds the CA's private key (ML-DSA or composite) */
  signer: Signer | CompositeSigner;
  /** the state file (--crl-state): read, then replaced by the new CRL */
  crlState: string;
  thisUpdate: Date;
  nextUpdate: Date;
  /** a revocation to add first (`cert revoke`); none for `cert crl` */
  revoke?: RevokedEntry;
}

/**
 * `cert revoke` and `cert crl`: the CA's next CRL (number + 1) over its state, plus `revoke`, signed and
 * written back as the new state before the caller publishes it, so a CRL number is never issued twice.
 */
export async function issueNextCrl(req: NextCrlRequest): Promise<{ der: Uint8Array; crl: ParsedCrl; replaced: RevokedEntry | undefined }> {
  const state = await readCrlState(req.crlState, req.ca);
  const { entries, replaced } = req.revoke ? withRevocation(state, req.revoke) : { entries: state.entries, replaced: undefined };
  const { ca, signer, thisUpdate, nextUpdate } = req;
  const issued = await issueCrl({ ca, signer, entries, number: state.number + 1n, thisUpdate, nextUpdate });
  await writeFileAtomic(req.crlState, encodePem('X509 CRL', issued.der));
  return { ...issued, replaced };
}
