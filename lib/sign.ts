// `sign()` of the public API: one artifact (path, bytes or stream) into one container, written to a
// path or returned as bytes. A thin layer over src/pipeline/sign.ts: the same one streaming pass, the
// same local check of every signature before it is written.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPqsignError } from '../src/base/errors.js';
import { privateTempDir, sourceOf, type ArtifactInput } from '../src/io/source.js';
import type { OnProgress } from '../src/io/progress.js';
import type { Signer } from '../src/mldsa/signer.js';
import type { CompositeSigner } from '../src/composite/signer.js';
import type { Format, FormatOptions } from '../src/pipeline/format.js';
import { loadAnySigner, type KeyRefOptions } from '../src/pipeline/keyref.js';
import { formatByName, registerFormat } from '../src/pipeline/registry.js';
import { signSource } from '../src/pipeline/sign.js';

/** Options of {@link sign}. */
export interface SignOptions {
  /**
   * What to sign: a file path, bytes, a Node `Readable` (or any async iterable of bytes) or a web
   * `ReadableStream`. Read once, in chunks; memory stays flat in its size.
   */
  artifact: ArtifactInput;
  /**
   * The length of a stream artifact, when known: it is then signed as it arrives. Without it a stream
   * is first spooled to a private temporary file, because every format lays out its to-be-signed
   * bytes for a known length. A stream that delivers another length fails.
   */
  size?: number | undefined;
  /** Name for messages and results when the artifact is not a path (default `<bytes>` / `<stream>`). */
  name?: string | undefined;
  /**
   * The signing key: a key reference (private key file, `awskms://…`, `ML.pem+EC.pem` two-part
   * composite) opened and closed by this call, or a {@link Signer} / {@link CompositeSigner} the caller owns.
   */
  key: string | Signer | CompositeSigner;
  /** How a key reference is opened: `passphrase()` for an encrypted key, `alg` for raw key files, `deterministic`. */
  keyOptions?: KeyRefOptions | undefined;
  /** The signature format: a registered name (`raw`, `cose`, `jws`, `cms`, `uefi`, a plugin's) or a Format object (registered if new). Default `raw`. */
  format?: string | Format | undefined;
  /** The format's options (e.g. `{ detached: true }` for COSE, `{ monotonicCount: '7' }` for UEFI); see docs/api.md. */
  options?: FormatOptions | undefined;
  /** ML-DSA context string (raw signatures; formats with a fixed context refuse a non-empty one). */
  context?: Uint8Array | undefined;
  /** `mu` (default): external μ; `raw`: the whole to-be-signed message (KMS RAW, ≤ 4096 bytes). */
  messageType?: 'mu' | 'raw' | undefined;
  /** Write the container here, atomically (temporary file and rename). Without it the container is returned. */
  output?: string | undefined;
  /** Told how far the artifact has streamed (`done` of `total` bytes); the library draws nothing itself. */
  onProgress?: OnProgress | undefined;
}

/** What {@link sign} made. */
export interface SignOutput {
  /** the artifact as named: its path, or `name` / `<bytes>` / `<stream>` */
  file: string;
  /** the container's path, when `output` was given */
  output: string | undefined;
  /** the container, when no `output` was given */
  container: Uint8Array | undefined;
  format: string;
  /** the ML-DSA parameter set, or the composite algorithm */
  algorithm: string;
  /** SHA-256 of the signer's raw public key, hex */
  keyFingerprint: string;
  /** artifact length */
  bytes: number;
  signatureBytes: number;
}

export const formatOf = (f: string | Format | undefined): Format => {
  if (f === undefined) return formatByName('raw');
  if (typeof f === 'string') return formatByName(f);
  registerFormat(f);
  return f;
};

/**
 * Sign one artifact: it streams once through the format's to-be-signed bytes into μ, the signer signs
 * μ, the signature is verified against the signer's public key, then the container is written (or
 * returned). Nothing is written when any step fails.
 * @throws PqsignError with a stable `code` (ERR_FILE, ERR_USAGE, ERR_KEY_FORMAT, ERR_SIGNER, ERR_KMS, …)
 */
export async function sign(opts: SignOptions): Promise<SignOutput> {
  const format = formatOf(opts.format);
  const source = await sourceOf(opts.artifact, { size: opts.size, name: opts.name });
  const owned = typeof opts.key === 'string' ? await loadAnySigner(opts.key, { ...opts.keyOptions }) : undefined;
  const signer = owned ?? (opts.key as Signer | CompositeSigner);
  const tmp = opts.output === undefined ? await privateTempDir() : undefined;
  try {
    const output = opts.output ?? join(tmp!.dir, `container${format.suffix}`);
    const r = await signSource(source, output, format, signer, {
      context: opts.context ?? new Uint8Array(0),
      formatOptions: { ...opts.options },
      messageType: opts.messageType,
      onProgress: opts.onProgress,
    }).catch((e: unknown) => Promise.reject(isPqsignError(e) ? e.withFile(source.name) : e));
    return {
      file: r.file,
      output: opts.output,
      container: tmp ? new Uint8Array(await readFile(output)) : undefined,
      format: r.format,
      algorithm: r.algorithm,
      keyFingerprint: r.keyFingerprint,
      bytes: r.bytes,
      signatureBytes: r.signatureBytes,
    };
  } finally {
    await Promise.all([tmp?.remove(), owned?.close?.(), source.close()]);
  }
}
