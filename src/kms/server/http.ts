// HTTP and AWS JSON 1.1 framing: POST / with X-Amz-Target: TrentService.<Operation> and a JSON body;
// answers are application/x-amz-json-1.1 with an x-amzn-RequestId, errors {"__type", "message"}
// with KMS's HTTP status. Order per request: latency, authentication, routing, injected failures,
// the operation.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsServiceError, serialization } from './errors.js';
import { delay, injectFailure, type Faults } from './faults.js';
import type { Input } from './input.js';
import { OPERATIONS } from './operations.js';
import { verifySigV4, type Credential } from './sigv4.js';
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

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c); // past the limit: drain, keep nothing
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new KmsServiceError('SerializationException', `Request body is larger than ${MAX_BODY_BYTES} bytes`, 413));
      else resolve(new Uint8Array(Buffer.concat(chunks)));
    });
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
    throw new KmsServiceError('UnknownOperationException', `${typeof target === 'string' ? target : 'The request'} is not an operation this local KMS implements`);
  }
  return op;
}

function send(res: ServerResponse, status: number, requestId: string, body: unknown): void {
  const json = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': CONTENT_TYPE, 'Content-Length': json.length, 'x-amzn-RequestId': requestId });
  res.end(json);
}

export function kmsRequestHandler(ctx: HandlerContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    let logged = '-'; // the operation, and the message type of Sign / Verify

    const answer = async () => {
      const body = await readBody(req);
      await delay(ctx.faults);
      await verifySigV4({ method: req.method ?? '', url: req.url ?? '/', headers: req.headers, body }, ctx.credential, ctx.region);
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
        send(res, 200, requestId, result);
        ctx.log?.(`${logged} 200 ${Date.now() - started}ms`);
      },
      (e: unknown) => {
        const err = e instanceof KmsServiceError ? e
          : new KmsServiceError('KMSInternalException', 'The request was rejected because an internal exception occurred. The request can be retried.', 500);
        send(res, err.status, requestId, err.body);
        ctx.log?.(`${logged} ${err.status} ${err.type}${err === e ? '' : ` (${e instanceof Error ? e.message : String(e)})`} ${Date.now() - started}ms`);
      },
    );
  };
}
