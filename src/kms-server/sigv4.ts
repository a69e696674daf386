// Authenticating requests as AWS does: an AWS Signature Version 4 Authorization header for the one
// credential pair this server accepts, scoped to its region and to "kms", dated within 5 minutes, whose
// SignedHeaders cover host, x-amz-date, x-amz-target (the operation: unsigned, a captured DescribeKey
// could be replayed as DisableKey) and content-type when sent. Two steps, so that a request that
// cannot be authentic is refused before its body is read: checkAuthorization (headers only), then
// checkSignature, which recomputes the signature with @smithy/signature-v4 (the signer the AWS SDK
// itself uses) over the signed headers and the body and compares it in constant time. Errors carry
// AWS's codes and messages; every response has a Date header, from which SDKs correct a skewed clock.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { KmsServiceError } from './errors.js';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ReceivedRequest {
  method: string;
  /** path and query as received */
  url: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

/** An Authorization header that passed every check that needs no body. */
export interface Authorization {
  signedHeaders: string[];
  /** SignedHeaders as given */
  signedHeadersText: string;
  signature: string;
  signingDate: Date;
}

/**
 * Headers a request must sign besides host (lower case, and as AWS's messages spell them): the date
 * (always sent), and the operation and content type when sent (a request without an operation is refused
 * by routing). The AWS SDKs and CLI sign all of them.
 */
const MUST_SIGN: [string, string][] = [
  ['x-amz-date', 'X-Amz-Date'],
  ['x-amz-target', 'X-Amz-Target'],
  ['content-type', 'Content-Type'],
];

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'kms';
/** SigV4 requests are valid for 5 minutes either side of the server's clock. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const incomplete = (m: string) => new KmsServiceError('IncompleteSignatureException', m);
const invalid = (m: string) => new KmsServiceError('InvalidSignatureException', m);

/** What the signer hands a hash (@smithy/types SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** SHA-256 / HMAC-SHA256 in the shape @smithy/signature-v4 expects (new Hash() or new Hash(secret)). */
class Sha256 {
  private readonly h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d);

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** 20240131T235959Z → Date, or undefined when not ISO 8601 basic format. */
function parseAmzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(d.getTime()) || d.toISOString().replace(/[-:]|\.\d{3}/g, '') !== s ? undefined : d;
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** Everything the headers alone decide: present and well formed, this credential, fresh, scoped here, the right headers signed. */
export function checkAuthorization(headers: IncomingHttpHeaders, credential: Credential, region: string, now = Date.now()): Authorization {
  const authorization = header(headers, 'authorization');
  if (!authorization) throw new KmsServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  const [algorithm = '', ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    if (algorithm.startsWith('AWS4-')) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'`);
    throw new KmsServiceError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  }
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((f) => !fields.get(f));
  if (missing.length)
    throw incomplete(`${missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' ')} Authorization=${authorization}`);
  const dateText = header(headers, 'x-amz-date');
  if (!dateText)
    throw incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`);
  const signingDate = parseAmzDate(dateText);
  if (!signingDate)
    throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${dateText}'. See http://en.wikipedia.org/wiki/ISO_8601`);

  const scope = fields.get('Credential')!.split('/');
  if (scope.length !== 5)
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${fields.get('Credential')}'`,
    );
  const [accessKeyId, scopeDate, scopeRegion, scopeService, terminator] = scope as [string, string, string, string, string];
  if (accessKeyId !== credential.accessKeyId || header(headers, 'x-amz-security-token') !== undefined) {
    // Only the one long-term credential pair exists here: no other keys, no session tokens.
    throw new KmsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const skew = signingDate.getTime() - now;
  if (skew < -MAX_SKEW_MS) {
    throw invalid(`Signature expired: ${dateText} is now earlier than ${amzDate(now - MAX_SKEW_MS)} (${amzDate(now)} - 5 min.)`);
  }
  if (skew > MAX_SKEW_MS) {
    throw invalid(`Signature not yet current: ${dateText} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 5 min.)`);
  }
  if (scopeDate !== dateText.slice(0, 8)) {
    throw invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateText.slice(0, 8)}', from '${dateText}'.`,
    );
  }
  if (scopeRegion !== region) throw invalid('Credential should be scoped to a valid region.');
  if (scopeService !== SERVICE) throw invalid(`Credential should be scoped to correct service: '${SERVICE}'.`);
  if (terminator !== 'aws4_request')
    throw invalid(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);

  const signedHeadersText = fields.get('SignedHeaders')!;
  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) throw invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  for (const [name, spelled] of MUST_SIGN) {
    if (headers[name] !== undefined && !signedHeaders.includes(name))
      throw invalid(`'${spelled}' must be a 'SignedHeader' in the AWS Authorization.`);
  }
  return { signedHeaders, signedHeadersText, signature: fields.get('Signature')!, signingDate };
}

/** The signature recomputed over the signed headers and the body must equal the one given. */
export async function checkSignature(auth: Authorization, req: ReceivedRequest, credential: Credential, region: string): Promise<void> {
  const { signedHeaders, signingDate } = auth;
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const claimedHash = header(req.headers, 'x-amz-content-sha256');
  if (signedHeaders.includes('x-amz-content-sha256') && claimedHash !== bodyHash) throw invalid(MISMATCH);

  const url = new URL(req.url, 'http://localhost');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const v = header(req.headers, name);
    if (v !== undefined) headers[name] = v;
  }
  const signer = new SignatureV4({ credentials: credential, region, service: SERVICE, sha256: Sha256, applyChecksum: false });
  const recomputed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: 'localhost',
      path: decodeURIComponent(url.pathname),
      query,
      headers,
      body: req.body,
    },
    { signingDate, signingRegion: region, signingService: SERVICE },
  );
  const expected = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})$/.exec(String(recomputed.headers.authorization));
  const given = Buffer.from(auth.signature, 'utf8');
  const want = Buffer.from(expected?.[2] ?? '', 'utf8');
  const same = expected?.[1] === auth.signedHeadersText && given.length === want.length && timingSafeEqual(given, want);
  if (!same) throw invalid(MISMATCH);
}
