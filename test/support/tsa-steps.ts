// Steps the time-stamp tests share (unit and CLI): "two years later", the first SignerInfo's tokens, the
// first signer of a CMS verify outcome, and a loopback URL nothing listens on.
import { createServer } from 'node:net';
import { readCms } from '../../src/cms/reader.js';
import { parseSignerInfo } from '../../src/cms/signer-info.js';
import type { ValidationTime } from '../../src/cms/verify.js';
import type { TimestampReport } from '../../src/cms/tsp/token.js';
import type { VerifyOutcome } from '../../src/pipeline/verify.js';

export const DAY = 86_400_000;
/** ISO 8601 in whole seconds, as a user types --at */
export const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
/** two years from now: the test PKI's one-year leaf has expired */
export const LATER = iso(new Date(Date.now() + 730 * DAY));

/** The first SignerInfo's signature value and time-stamp tokens. */
export async function signerInfoOf(p7s: string) {
  const cms = await readCms(p7s);
  return parseSignerInfo(cms.signerInfos[0]!, 'SignerInfo #1');
}

/** What a CMS verify says about its first signer (`signers[0]` of `verify --json`). */
export const firstSigner = (v: VerifyOutcome) =>
  (v.details.signers as Array<{ validationTime: ValidationTime; timestamps?: TimestampReport[]; revocation?: unknown[] }>)[0]!;

/** A loopback URL nothing listens on. */
export async function closedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/tsa`;
}
