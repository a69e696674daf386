// `verify()` and `inspect()` of the public API: the same core the CLI runs for one input
// (src/batch/verify-job.ts → src/pipeline/verify.ts), with trust given as typed options.
// Containers are read with random access (headers, trailers, payload ranges), so an input given as
// bytes or a stream is first written to a private temporary file; paths are read in place.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PqsignError, isPqsignError } from '../src/base/errors.js';
import { privateTempDir, sourceOf, spool, type ArtifactInput } from '../src/io/source.js';
import { looksLikeAttestationBundle } from '../src/attest/detect.js';
import { containerFormat, inspectContainer } from '../src/pipeline/container.js';
import type { Format, OptionsByFormat } from '../src/pipeline/format.js';
import type { RemoteMuVerifier } from '../src/mldsa/signer.js';
import { readHead, type VerifyOutcome } from '../src/pipeline/verify.js';
import { runVerifyJob } from '../src/batch/verify-job.js';
import { formatOf } from './sign.js';
import { resolveTrustOptions } from './trust.js';
import type { TrustOptions } from './trust-options.js';

/** Options of {@link verify}: what to verify, and whom to trust ({@link TrustOptions}). */
export interface VerifyOptions extends TrustOptions {
  /**
   * A container that carries its payload or names it (COSE, JWS, CMS, UEFI, a plugin's format), or, with
   * `signature`, the signed artifact. A path, bytes or a stream. A path with neither `signature` nor a
   * container format is an artifact whose signatures lie beside it (`FILE.sig`, `FILE.cose`, …): every one
   * found is checked, all must verify and at least one must satisfy the trust options.
   */
  input: ArtifactInput;
  /** A detached signature or container over `input`. */
  signature?: ArtifactInput | undefined;
  /** The detached payload of a container given as `input`. */
  payload?: ArtifactInput | undefined;
  /** Name of `input` in results and errors when it is not a path (default `<input>`). */
  name?: string | undefined;
  /** Force a format instead of recognising containers by content (a raw signature is recognised by nothing). */
  format?: string | Format | undefined;
  /** Verify options by format name, for the formats the verification may meet (e.g. `{ cms: { at: '2026-01-01T00:00:00Z', anyEku: true } }`). */
  options?: OptionsByFormat | undefined;
  /** The ML-DSA context the signature was made with (raw signatures). */
  context?: Uint8Array | undefined;
  /** Expected key fingerprint (hex): the key that verified must be this one. */
  pin?: string | undefined;
  /** Judge (μ, signature) here instead of locally, e.g. a KMS key (`pqsign/kms`). */
  verifier?: RemoteMuVerifier | undefined;
}

export type { VerifyOutcome };

/**
 * Verify one input against the trust options. Resolves with what verified (format, parameter set, key
 * fingerprint, format details); rejects with a {@link PqsignError} otherwise, whose `code` says why:
 * ERR_SIGNATURE_INVALID, ERR_UNTRUSTED, ERR_CHAIN, ERR_REVOKED, ERR_ROLLBACK (not valid or not trusted),
 * ERR_FILE, ERR_SIGNATURE_FORMAT, ERR_USAGE, … (bad input).
 */
export async function verify(opts: VerifyOptions): Promise<VerifyOutcome> {
  const trust = await resolveTrustOptions(opts);
  const files = new TempFiles();
  try {
    const file = await files.path(opts.input, opts.name ?? '<input>', 'input');
    const sig = opts.signature === undefined ? undefined : await files.path(opts.signature, '<signature>', 'signature');
    const payload = opts.payload === undefined ? undefined : await files.path(opts.payload, '<payload>', 'payload');
    const format = opts.format === undefined ? undefined : formatOf(opts.format).name;
    const outcome = await runVerifyJob(
      { file, sig, payload, format, context: opts.context ?? new Uint8Array(0), pin: opts.pin },
      { rules: trust.rules, policy: trust.policy, scope: opts.scope, formatOptions: { ...opts.options } },
      opts.verifier,
    );
    return files.relabelOutcome(outcome);
  } catch (e) {
    throw files.relabel(e);
  } finally {
    await files.remove();
  }
}

/** What {@link inspect} reads from a container without a key. */
export interface Inspection {
  /** the format's name, or `intoto-bundle` for an attestation bundle */
  format: string;
  /** structure facts (algorithm, kid, key fingerprint, certificates, sizes, offsets, …); verifies nothing */
  [fact: string]: unknown;
}

/** Describe a container's structure without a key. Verifies nothing. */
export async function inspect(
  input: ArtifactInput,
  opts: { format?: string | Format | undefined; name?: string | undefined } = {},
): Promise<Inspection> {
  const files = new TempFiles();
  try {
    const file = await files.path(input, opts.name ?? '<input>', 'input');
    if (opts.format === undefined && looksLikeAttestationBundle(await readHead(file))) {
      const { inspectBundle } = await import('../src/attest/inspect.js');
      return { ...(await inspectBundle(file)), format: 'intoto-bundle' };
    }
    const format = await containerFormat(file, opts.format === undefined ? undefined : formatOf(opts.format).name);
    return { ...(await inspectContainer(file, format)), format: format.name };
  } catch (e) {
    throw files.relabel(e);
  } finally {
    await files.remove();
  }
}

/** Inputs given as bytes or streams, as files in one private temporary directory; their names in messages. */
class TempFiles {
  private readonly labels = new Map<string, string>();
  private readonly cleanups: Array<() => Promise<void>> = [];

  async path(input: ArtifactInput, label: string, base: string): Promise<string> {
    if (typeof input === 'string') return input;
    let path: string;
    if (input instanceof Uint8Array) {
      const tmp = await privateTempDir();
      this.cleanups.push(tmp.remove);
      path = join(tmp.dir, base);
      await writeFile(path, input, { mode: 0o600, flag: 'wx' });
    } else {
      const spooled = await spool(await sourceOf(input, { name: label }));
      this.cleanups.push(() => spooled.close());
      path = spooled.path!;
    }
    this.labels.set(path, label);
    return path;
  }

  private text(s: string): string {
    for (const [path, label] of this.labels) s = s.replaceAll(path, label);
    return s;
  }

  relabelOutcome(o: VerifyOutcome): VerifyOutcome {
    return {
      ...o,
      file: this.text(o.file),
      signature: this.text(o.signature),
      ...(o.containers
        ? {
            containers: o.containers.map((c) => ({
              ...c,
              signature: this.text(c.signature),
              ...(c.error ? { error: { ...c.error, message: this.text(c.error.message) } } : {}),
            })),
          }
        : {}),
    };
  }

  /** An error about a temporary file names the input it holds instead. */
  relabel(e: unknown): unknown {
    if (!this.labels.size || !isPqsignError(e)) return e;
    return new PqsignError(e.code, this.text(e.message), {
      file: e.file === undefined ? undefined : this.text(e.file),
      detail: e.detail,
      scope: e.scope,
      cause: e.cause,
    });
  }

  async remove(): Promise<void> {
    await Promise.all(this.cleanups.map((c) => c()));
  }
}
