// HTTP and AWS JSON 1.1 framing: POST / with X-Amz-Target: TrentService.<Operation> and a JSON body;
// answers are application/x-amz-json-1.1 with an x-amzn-RequestId, errors {"__type", "message"}
// with KMS's HTTP status. Order per request: latency, the Authorization header (before any of the body
// is read: an unauthenticated sender cannot make the server read megabytes), the body (its declared
// length checked before reading, the bytes counted while reading), the signature over it, routing,
// injected failures, the operation. A request answered before its body was read closes the connection.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsServiceError, serialization } from './errors.js';
import { delay, injectFailure, type Faults } from './faults.js';
import type { Input } from './input.js';
import { OPERATIONS } from './operations.js';
import { checkAuthorization, checkSignature, type Credential } from './sigv4.js';
import type { KeyStore } from './store.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'TrentService.';
/** Far above any KMS request (Sign messages are ≤ 4096 bytes, key policies ≤ 32 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HandlerContext {
  credential: Credential;
  region: string;
  store: KeyStore;
  /** read on every request, so a running server's faults can be changed */
  faults: Faults;
  log: ((line: string) => void) | undefined;
}

const tooLarge = () => new KmsServiceError('SerializationException', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413);

/** The body, refused by its Content-Length, or as soon as a body without one outgrows the limit. */
function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.pause(); // read no further: the answer closes the connection
        reject(tooLarge());
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function parseInput(body: Uint8Array): Input {
  if (body.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw serialization('Invalid JSON in the request body');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw serialization('Start of structure or map found where not expected.');
  return v as Input;
}

function operationOf(req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  const op = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== '/' || !op || !Object.hasOwn(OPERATIONS, op)) {
    throw new KmsServiceError(
      'UnknownOperationException',
      `${typeof target === 'string' ? target : 'The request'} is not an operation this local KMS implements`,
    );
  }
  return op;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, requestId: string, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body));
  // An unread body would otherwise be drained after the answer to keep the connection alive.
  const close = req.complete ? {} : { Connection: 'close' };
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': json.length, 'x-amzn-RequestId': requestId, ...close });
  res.end(json);
}

export function kmsRequestHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    let logged = '-'; // the operation, and the message type of Sign / Verify

    const answer = async () => {
      await delay(ctx.faults);
      const auth = checkAuthorization(req.headers, ctx.credential, ctx.region);
      const body = await readBody(req);
      await checkSignature(auth, { method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, ctx.credential, ctx.region);
      const op = operationOf(req);
      logged = op;
      const input = parseInput(body);
      if (typeof input.MessageType === 'string') logged += ` ${input.MessageType}`;
      injectFailure(ctx.faults);
      const now = () => Date.now() / 1000;
      await ctx.store.purgeExpired(now());
      return OPERATIONS[op]!(input, { store: ctx.store, now });
    };
    answer().then(
      (result) => {
        send(req, res, 200, requestId, result);
        ctx.log?.(`${logged} 200 ${Date.now() - started}ms`);
      },
      (e: unknown) => {
        const err =
          e instanceof KmsServiceError
            ? e
            : new KmsServiceError(
                'KMSInternalException',
                'The request was rejected because an internal exception occurred. The request can be retried.',
                500,
              );
        send(req, res, err.status, requestId, err.body);
        ctx.log?.(
          `${logged} ${err.status} ${err.type}${err === e ? '' : ` (${e instanceof Error ? e.message : String(e)})`} ${Date.now() - started}ms`,
        );
      },
    );
  };
}
