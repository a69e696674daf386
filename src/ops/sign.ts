// Sign one artifact: stream it once through the format's TBS bytes into μ, have the signer sign μ,
// check the signature against the signer's public key, then write the container atomically.
import type { ContainerLayout, Format, FormatOptions, SignSession } from '../../formats/types.js';
import { PqsignError } from '../errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { progressFor } from '../io/progress.js';
import { readChunks, statInput } from '../io/read.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { MuHasher } from '../mu.js';
import { computeMu } from '../mu.js';
import type { ParamSet } from '../params.js';
import { checkSignature, signMuChecked, type Signer } from '../signer.js';
import { concatBytes } from '../bytes.js';

export interface SignFileOptions {
  context: Uint8Array;
  formatOptions: FormatOptions;
  /** 'mu' (default): external μ; 'raw': hand the whole TBS message to the signer (KMS RAW, ≤ 4096 bytes) */
  messageType?: 'mu' | 'raw';
}

export interface SignResult {
  file: string;
  output: string;
  format: string;
  algorithm: string;
  keyFingerprint: string;
  bytes: number;
  signatureBytes: number;
}

/** KMS RAW messages are at most 4096 bytes. */
export const RAW_MESSAGE_MAX = 4096;

export async function signFile(path: string, output: string, format: Format, signer: Signer, opts: SignFileOptions): Promise<SignResult> {
  const { size } = await statInput(path);
  const session = await format.beginSign({
    artifact: { path, size }, params: signer.params, publicKey: signer.publicKey, context: opts.context, options: opts.formatOptions,
  });
  let signature: Uint8Array;
  if (opts.messageType === 'raw') {
    signature = await signRaw(path, size, session, signer);
  } else {
    signature = await signMuChecked(signer, await muOfArtifact(path, size, session, signer.params, signer.publicKey));
  }
  await writeContainer(output, path, session.container(signature));
  return {
    file: path, output, format: format.name, algorithm: signer.params.name,
    keyFingerprint: keyFingerprint(signer.publicKey), bytes: size, signatureBytes: signature.length,
  };
}

/**
 * The one streaming pass: the artifact through the session's TBS bytes into μ. `onChunk` sees each
 * artifact chunk as read (offline requests hash the artifact in the same pass).
 */
export async function muOfArtifact(path: string, size: number, session: SignSession, params: ParamSet, publicKey: Uint8Array,
  onChunk?: (chunk: Uint8Array) => void): Promise<Uint8Array> {
  const hasher = new MuHasher(params, publicKey, session.context);
  hasher.update(session.head());
  const emit = (b: Uint8Array) => void hasher.update(b);
  for await (const chunk of readChunks(path, { onProgress: progressFor(path, size) })) {
    onChunk?.(chunk);
    session.update(chunk, emit);
  }
  hasher.update(session.tail());
  return hasher.digest();
}

async function signRaw(path: string, size: number, session: Awaited<ReturnType<Format['beginSign']>>, signer: Signer): Promise<Uint8Array> {
  if (!signer.signMessage) throw new PqsignError('ERR_USAGE', `--message-type raw is not supported by ${signer.description}`);
  if (session.context.length) throw new PqsignError('ERR_USAGE', '--message-type raw cannot carry a context (KMS signs RAW with an empty context); use the default external μ');
  const parts: Uint8Array[] = [session.head()];
  let total = parts[0]!.length;
  if (size > RAW_MESSAGE_MAX) throw tooBig(path, size);
  for await (const chunk of readChunks(path)) {
    session.update(chunk, (b) => {
      total += b.length;
      if (total > RAW_MESSAGE_MAX) throw tooBig(path, total);
      parts.push(Uint8Array.from(b));
    });
  }
  parts.push(session.tail());
  const message = concatBytes(...parts);
  if (message.length > RAW_MESSAGE_MAX) throw tooBig(path, message.length);
  const sig = await signer.signMessage(message);
  return checkSignature(signer, computeMu(signer.params, signer.publicKey, message), sig);
}

const tooBig = (path: string, n: number) =>
  new PqsignError('ERR_USAGE', `--message-type raw allows at most ${RAW_MESSAGE_MAX} bytes to sign, this is ${n}; use the default external μ`, { file: path });

export async function writeContainer(output: string, artifact: string, layout: ContainerLayout): Promise<void> {
  const w = await AtomicWriter.create(output);
  try {
    await w.write(layout.prefix);
    if (layout.includeArtifact) {
      // a transform's output is gathered into one reused block per read chunk: its pieces die young
      let block = new Uint8Array(0);
      for await (const chunk of readChunks(artifact)) {
        if (!layout.artifactTransform) {
          await w.write(chunk);
          continue;
        }
        let fill = 0;
        layout.artifactTransform(chunk, (b) => {
          if (fill + b.length > block.length) {
            const grown = new Uint8Array(Math.max(2 * block.length, fill + b.length, 2 * chunk.length));
            grown.set(block.subarray(0, fill));
            block = grown;
          }
          block.set(b, fill);
          fill += b.length;
        });
        await w.write(block.subarray(0, fill));
      }
    }
    await w.write(layout.suffix);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
