// Streaming the to-be-signed bytes of a container into μ: in-memory parts and file ranges, one read pass.
import { PqsignError } from '../base/errors.js';
import { readChunks } from '../io/read.js';
import { messageVerifier } from './mldsa.js';
import { MuHasher } from './mu.js';
import type { ParamSet } from './params.js';
import type { RemoteMuVerifier } from './signer.js';

/** A part of a message: bytes, or a byte range of a file optionally transformed chunk by chunk. */
export type MessagePart =
  Uint8Array | { path: string; start?: number; end?: number; transform?: (chunk: Uint8Array, emit: (b: Uint8Array) => void) => void };

export async function feedParts(hasher: { update(b: Uint8Array): unknown }, parts: MessagePart[]): Promise<void> {
  const emit = (b: Uint8Array) => void hasher.update(b);
  for (const part of parts) {
    if (part instanceof Uint8Array) {
      hasher.update(part);
      continue;
    }
    for await (const chunk of readChunks(part.path, { start: part.start, end: part.end })) {
      if (part.transform) part.transform(chunk, emit);
      else hasher.update(chunk);
    }
  }
}

export async function muOfParts(params: ParamSet, publicKey: Uint8Array, ctx: Uint8Array, parts: MessagePart[]): Promise<Uint8Array> {
  const h = new MuHasher(params, publicKey, ctx);
  await feedParts(h, parts);
  return h.digest();
}

/**
 * Verify the message made of the parts (one read pass; μ streamed, or node:crypto one-shot for small
 * messages, see mldsa.ts; or μ handed to `remote`); throws ERR_SIGNATURE_INVALID naming `label`.
 */
export async function verifyStreamed(
  params: ParamSet,
  publicKey: Uint8Array,
  ctx: Uint8Array,
  parts: MessagePart[],
  sig: Uint8Array,
  label: string,
  remote?: RemoteMuVerifier,
): Promise<void> {
  let valid: boolean;
  if (remote) {
    valid = await remote.verifyMu(params, publicKey, await muOfParts(params, publicKey, ctx, parts), sig);
  } else {
    const verifier = messageVerifier(params, publicKey, ctx);
    await feedParts(verifier, parts);
    valid = verifier.verify(sig);
  }
  if (!valid) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', 'signature does not verify', { file: label });
  }
}
