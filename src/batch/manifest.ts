// Release manifests (docs/batch.md): JSON Lines, one signed artifact per line, written by
// `pqsign sign --manifest-out` and checked by `pqsign verify --manifest`:
//   {"pqsignManifest":1,"artifact":"fw/app.bin","signature":"fw/app.bin.sig","format":"raw","keyFingerprint":"<sha256 hex>"}
// Paths are relative to the manifest's directory, with "/" separators, and never leave it (no "..", not
// absolute): a swapped line must not point the check at a file elsewhere. "signature":"embedded" means the
// artifact is a container carrying its own payload. "context" (hex) is present when one was signed with;
// "product" (optional) selects the trust-policy scope.
// Every line carries the version, so manifests can be concatenated and filtered line by line; a line
// with an unknown version or unknown fields is refused rather than half-understood.
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatByName } from '../pipeline/registry.js';
import { fromHex, toHex } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { readRange } from '../io/range.js';
import { MAX_CONTEXT_BYTES } from '../mldsa/params.js';

export const MANIFEST_VERSION = 1;
export const EMBEDDED = 'embedded';
/** Large enough for ~200,000 entries, bounded so a wrong path cannot eat memory. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export interface ManifestEntry {
  /** relative to the manifest's directory */
  artifact: string;
  /** relative path of the detached signature, or EMBEDDED */
  signature: string;
  format: string;
  /** SHA-256 of the raw public key, lowercase hex (src/keys/fingerprint.ts) */
  keyFingerprint: string;
  /** ML-DSA context, hex; absent when empty */
  context?: string;
  /** product name, for trust-policy scopes */
  product?: string;
}

/** An entry resolved against the manifest's location, ready to verify. */
export interface ResolvedEntry {
  line: number;
  artifact: string;
  signature: string | undefined;
  format: string;
  keyFingerprint: string;
  context: Uint8Array;
  product: string | undefined;
}

const FIELDS = new Set(['pqsignManifest', 'artifact', 'signature', 'format', 'keyFingerprint', 'context', 'product']);

export function manifestLine(e: ManifestEntry): string {
  const { artifact, signature, format, keyFingerprint, context, product } = e;
  return `${JSON.stringify({ pqsignManifest: MANIFEST_VERSION, artifact, signature, format, keyFingerprint, ...(context ? { context } : {}), ...(product ? { product } : {}) })}\n`;
}

/** A manifest-relative path for `path` (as the user named it) in a manifest written to `manifestPath`. */
export function manifestPath(manifestFile: string, path: string): string {
  const rel = relative(dirname(resolve(manifestFile)), resolve(path));
  if (isAbsolute(rel) || rel.split(sep).includes('..')) {
    throw new PqsignError(
      'ERR_USAGE',
      `${path} is outside the manifest's directory: write the manifest in a directory that holds every artifact`,
      { file: manifestFile },
    );
  }
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** The entry for one signed file: a detached signature, or a container that embeds its artifact. */
export function entryFor(
  manifestFile: string,
  r: { file: string; output: string; format: string; keyFingerprint: string },
  embedded: boolean,
  context: Uint8Array,
): ManifestEntry {
  return {
    artifact: manifestPath(manifestFile, embedded ? r.output : r.file),
    signature: embedded ? EMBEDDED : detachedPath(manifestPath(manifestFile, r.output)),
    format: r.format,
    keyFingerprint: r.keyFingerprint,
    ...(context.length ? { context: toHex(context) } : {}),
  };
}

/** A detached signature file literally named "embedded" is written "./embedded". */
const detachedPath = (p: string) => (p === EMBEDDED ? `./${p}` : p);

/** Does `file` start as a manifest pqsign writes (which `sign --manifest-out` may replace)? */
export async function looksLikeManifest(file: string): Promise<boolean> {
  const head = await readRange(file, 0, 32).catch(() => undefined);
  return head !== undefined && new TextDecoder().decode(head).startsWith(`{"pqsignManifest":${MANIFEST_VERSION},`);
}

export async function readManifest(file: string): Promise<ResolvedEntry[]> {
  const text = new TextDecoder('utf-8', { fatal: true });
  let body: string;
  try {
    body = text.decode(await readSmallFile(file, 'manifest', MAX_MANIFEST_BYTES));
  } catch (e) {
    if (isPqsignError(e)) throw e;
    throw new PqsignError('ERR_MANIFEST', 'is not UTF-8 text', { file });
  }
  const dir = dirname(file);
  const entries: ResolvedEntry[] = [];
  body.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    entries.push(parseLine(raw, i + 1, dir, file));
  });
  if (entries.length === 0) throw new PqsignError('ERR_MANIFEST', 'lists no artifacts', { file });
  return entries;
}

function parseLine(raw: string, line: number, dir: string, file: string): ResolvedEntry {
  const bad = (why: string) => new PqsignError('ERR_MANIFEST', `line ${line}: ${why}`, { file });
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad('is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.pqsignManifest === undefined) throw bad('has no "pqsignManifest" version: not a pqsign manifest line');
  if (o.pqsignManifest !== MANIFEST_VERSION)
    throw bad(`manifest version ${JSON.stringify(o.pqsignManifest)} is not one this pqsign reads (${MANIFEST_VERSION})`);
  const unknown = Object.keys(o).filter((k) => !FIELDS.has(k));
  if (unknown.length) throw bad(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
  const artifact = relPath(o.artifact, 'artifact', bad);
  const signature = o.signature === EMBEDDED ? undefined : relPath(o.signature, 'signature', bad);
  if (typeof o.format !== 'string') throw bad('"format" must be a string');
  try {
    formatByName(o.format);
  } catch (e) {
    throw bad(e instanceof Error ? e.message : String(e));
  }
  if (typeof o.keyFingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(o.keyFingerprint))
    throw bad('"keyFingerprint" must be 64 lowercase hex digits (SHA-256 of the public key)');
  let context: Uint8Array = new Uint8Array(0);
  if (o.context !== undefined) {
    if (typeof o.context !== 'string') throw bad('"context" must be a hex string');
    try {
      context = fromHex(o.context, '"context"');
    } catch (e) {
      throw bad(e instanceof Error ? e.message : String(e));
    }
    if (context.length > MAX_CONTEXT_BYTES) throw bad(`"context" is ${context.length} bytes; FIPS 204 allows at most ${MAX_CONTEXT_BYTES}`);
  }
  if (o.product !== undefined && (typeof o.product !== 'string' || o.product === '')) throw bad('"product" must be a non-empty string');
  return {
    line,
    artifact: join(dir, artifact),
    signature: signature === undefined ? undefined : join(dir, signature),
    format: o.format,
    keyFingerprint: o.keyFingerprint,
    context,
    product: o.product,
  };
}

function relPath(v: unknown, field: string, bad: (why: string) => PqsignError): string {
  if (typeof v !== 'string' || v === '') throw bad(`"${field}" must be a non-empty path`);
  if (isAbsolute(v) || /^[a-zA-Z]:/.test(v) || v.includes('\0'))
    throw bad(`"${field}" must be a path relative to the manifest's directory`);
  if (v.split(/[\\/]/).includes('..')) throw bad(`"${field}" ${JSON.stringify(v)} leaves the manifest's directory ("..")`);
  return v;
}
