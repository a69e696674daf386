// Asking a time-stamp authority over HTTP (RFC 3161 §3.4: POST application/timestamp-query, answer
// application/timestamp-reply) for a token over some data (a CMS signature value), and checking the
// answer before it is used: granted, the token valid by itself (token.ts), over our hash with our
// nonce. Whether the TSA is trusted is the verifier's decision (--tsa-anchor), not the signer's.
import { equalBytes } from '../../base/bytes.js';
import { DEFAULT_DIGEST, digestByName, DIGESTS } from '../digests.js';
import { PqsignError, isPqsignError, opt } from '../../base/errors.js';
import { encodeTimeStampReq, randomNonce } from './request.js';
import { tokenOfResponse } from './response.js';
import { imprintDigest, imprintOf, readTimeStampToken, type TimeStampToken } from './token.js';

export interface TsaOptions {
  /** the TSA's http:// or https:// URL */
  url: string;
  /** messageImprint hash: sha512 (default), sha384, sha256 or a SHA-3 */
  digest?: string | undefined;
}

const TIMEOUT_MS = 60_000;
const MAX_RESPONSE = 1024 * 1024;

export function tsaUrl(url: unknown): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    throw new PqsignError('ERR_USAGE', `${opt('tsa')} "${String(url)}" is not a URL`, { option: 'tsa' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new PqsignError('ERR_USAGE', `${opt('tsa')} "${String(url)}" is not an http:// or https:// URL`, { option: 'tsa' });
  return u.href;
}

export function tsaDigest(name: string | undefined) {
  const d = digestByName(name ?? DEFAULT_DIGEST);
  if (!d || !imprintDigest(d.oid)) {
    const known = DIGESTS.filter((x) => imprintDigest(x.oid))
      .map((x) => x.name)
      .join(', ');
    throw new PqsignError('ERR_USAGE', `${opt('tsaDigest')} "${name}" is not a time-stamp hash (known: ${known})`, { option: 'tsaDigest' });
  }
  return d;
}

/**
 * Connections dropped before any answer: most often a kept-alive socket the TSA was closing just as it was
 * reused (a batch signs one file after another). A time-stamp request may be sent again: a second token
 * over the same imprint and nonce is as good as the first, and the answer is checked either way.
 */
const DROPPED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

async function post(url: string, body: Uint8Array, retried = false): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: Buffer.from(body),
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    if (!retried && cause?.code && DROPPED.has(cause.code)) return post(url, body, true);
    throw new PqsignError(
      'ERR_TSA',
      `${url}: the TSA cannot be reached (${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))})`,
    );
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new PqsignError('ERR_TSA', `${url}: the TSA answered HTTP ${res.status}`);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.length;
    if (total > MAX_RESPONSE) throw new PqsignError('ERR_TSA', `${url}: the answer is larger than ${MAX_RESPONSE} bytes`);
    parts.push(chunk);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** A checked token over `data` from the TSA. Failures are ERR_TSA (exit 3): the back end, not the input. */
export async function requestTimestamp(data: Uint8Array, o: TsaOptions): Promise<TimeStampToken> {
  const url = tsaUrl(o.url);
  const digest = tsaDigest(o.digest);
  const hash = imprintOf(digest, data);
  const nonce = randomNonce();
  const token = tokenOfResponse(await post(url, encodeTimeStampReq(digest, hash, nonce)), url);
  let t: TimeStampToken;
  try {
    t = readTimeStampToken(token, 'the time-stamp token');
  } catch (e) {
    if (isPqsignError(e)) throw new PqsignError('ERR_TSA', `${url}: ${e.message}`);
    throw e;
  }
  if (t.tst.imprint.digest !== digest || !equalBytes(t.tst.imprint.hash, hash))
    throw new PqsignError('ERR_TSA', `${url}: the token time-stamps another hash than the one requested`);
  if (!t.tst.nonce || !equalBytes(t.tst.nonce, nonce))
    throw new PqsignError('ERR_TSA', `${url}: the token does not carry the request's nonce (a replayed or foreign answer)`);
  return t;
}
