// Sign one artifact: stream it once through the format's TBS bytes into μ, have the signer sign μ,
// check the signature against the signer's public key, then write the container atomically.
import type { ContainerLayout, Format, FormatOptions, SignSession } from './format.js';
import { PqsignError, opt } from '../base/errors.js';
import { AtomicWriter } from '../io/atomic.js';
import type { OnProgress } from '../io/progress.js';
import { readChunks, statInput } from '../io/read.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { MuHasher } from '../mldsa/mu.js';
import type { ParamSet } from '../mldsa/params.js';
import { RAW_MESSAGE_MAX, checkRawSigner, rawMessageTooBig, signMessageChecked, signMuChecked, type Signer } from '../mldsa/signer.js';
import { concatList } from '../base/bytes.js';
import { Block } from '../io/block.js';
import { EmbedWriter } from './embed.js';
import { CompositeHasher } from '../composite/message.js';
import { isCompositeSigner, type CompositeSigner } from '../composite/signer.js';

export interface SignFileOptions<O extends FormatOptions = FormatOptions> {
  context: Uint8Array;
  /** the format's own options (e.g. CoseOptions for the cose format) */
  formatOptions: O;
  /** 'mu' (default): external μ; 'raw': hand the whole TBS message to the signer (KMS RAW, ≤ 4096 bytes) */
  messageType?: 'mu' | 'raw';
  /** told how far the artifact has streamed (bytes); the CLI draws a bar, the library draws nothing */
  onProgress?: OnProgress | undefined;
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

export async function signFile<O extends FormatOptions>(path: string, output: string, format: Format<O>, signer: Signer | CompositeSigner, opts: SignFileOptions<O>): Promise<SignResult> {
  const composite = isCompositeSigner(signer) ? signer : undefined;
  const mldsa = composite ? undefined : (signer as Signer);
  if (composite && !format.composite) throw new PqsignError('ERR_USAGE', `the ${format.name} format cannot carry composite ${composite.alg.name} signatures (docs/hybrid.md)`);
  if (composite && opts.messageType === 'raw') throw new PqsignError('ERR_USAGE', `${opt('messageType', 'raw')} is for ML-DSA keys; a composite signer always signs M' (docs/hybrid.md)`, { option: 'messageType' });
  const { size } = await statInput(path);
  const session = await format.beginSign({
    artifact: { path, size }, params: signer.params, publicKey: signer.publicKey, composite: composite?.alg, context: opts.context, options: opts.formatOptions,
  });
  let signature: Uint8Array;
  if (composite) {
    signature = await inOnePass(path, output, session, async (embed) => {
      const hasher = new CompositeHasher(composite.alg, session.context);
      await tbsPass(path, size, session, hasher, { embed, onProgress: opts.onProgress });
      return composite.sign(hasher.digest());
    });
  } else if (opts.messageType === 'raw') {
    signature = await inOnePass(path, output, session, (embed) => signRaw(path, size, session, mldsa!, embed, opts.onProgress));
  } else {
    signature = await streamToContainer(path, size, output, session, signer.params, signer.publicKey, (mu) => signMuChecked(mldsa!, mu), { onProgress: opts.onProgress });
  }
  return {
    file: path, output, format: format.name, algorithm: composite ? composite.alg.name : signer.params.name,
    keyFingerprint: keyFingerprint(signer.publicKey), bytes: size, signatureBytes: signature.length,
  };
}

/** Where the TBS bytes go: μ's hasher, or the whole message for KMS RAW. */
interface TbsSink {
  update(tbs: Uint8Array): unknown;
}

export interface PassOptions {
  onChunk?: ((chunk: Uint8Array) => void) | undefined;
  embed?: EmbedWriter | undefined;
  onProgress?: OnProgress | undefined;
}

/**
 * The one streaming pass: the artifact through the session's TBS bytes into `sink`. `onChunk` sees each
 * artifact chunk as read (offline requests hash the artifact in the same pass); `embed` writes the
 * container's copy of the artifact in the same pass (see embed.ts).
 */
async function tbsPass(path: string, size: number, session: SignSession, sink: TbsSink, { onChunk, embed, onProgress }: PassOptions): Promise<void> {
  sink.update(session.head());
  const emit = (b: Uint8Array) => void sink.update(b);
  let seen = 0;
  const progress = onProgress && ((done: number) => onProgress({ label: path, unit: 'bytes', done, total: size }));
  for await (const chunk of readChunks(path, { onProgress: progress })) {
    seen += chunk.length;
    onChunk?.(chunk);
    if (!embed) {
      session.update(chunk, emit);
      continue;
    }
    const block = embed.begin();
    if (embed.embedding.source === 'artifact') {
      block.push(chunk);
      session.update(chunk, emit);
    } else {
      session.update(chunk, (b) => {
        sink.update(b);
        block.push(b);
      });
    }
    await embed.flush();
  }
  if (seen !== size) throw new PqsignError('ERR_FILE', `changed while being signed (${size} bytes before, ${seen} read)`, { file: path });
  sink.update(session.tail());
}

/** μ of the artifact's TBS bytes, in the one streaming pass. */
export async function muOfArtifact(path: string, size: number, session: SignSession, params: ParamSet, publicKey: Uint8Array, opts: PassOptions = {}): Promise<Uint8Array> {
  const hasher = new MuHasher(params, publicKey, session.context);
  await tbsPass(path, size, session, hasher, opts);
  return hasher.digest();
}

/**
 * The whole signing pass for one artifact: stream it into μ (writing the container's copy of it in the
 * same pass when the format declares where it goes), let `signatureFor` turn μ into a checked signature,
 * then complete the container. Nothing is left behind when any step fails.
 */
export function streamToContainer(path: string, size: number, output: string, session: SignSession, params: ParamSet, publicKey: Uint8Array,
  signatureFor: (mu: Uint8Array) => Promise<Uint8Array>, pass: Omit<PassOptions, 'embed'> = {}): Promise<Uint8Array> {
  return inOnePass(path, output, session, async (embed) => signatureFor(await muOfArtifact(path, size, session, params, publicKey, { ...pass, embed })));
}

/** Run a signing pass with the container's embedding writer (if the format has one), then complete the container. */
async function inOnePass(path: string, output: string, session: SignSession, pass: (embed: EmbedWriter | undefined) => Promise<Uint8Array>): Promise<Uint8Array> {
  const embed = session.embedding ? await EmbedWriter.open(output, session.embedding) : undefined;
  try {
    const signature = await pass(embed);
    const layout = await session.container(signature);
    if (embed) await embed.finish(layout);
    else await writeContainer(output, path, layout);
    return signature;
  } catch (e) {
    await embed?.abort();
    throw e;
  }
}

/** The whole TBS message for KMS RAW, refused as soon as it outgrows RAW_MESSAGE_MAX. */
class RawMessage implements TbsSink {
  private readonly parts: Uint8Array[] = [];
  private total = 0;

  constructor(private readonly path: string) {}

  update(tbs: Uint8Array): void {
    this.total += tbs.length;
    if (this.total > RAW_MESSAGE_MAX) throw rawMessageTooBig(this.total, this.path);
    this.parts.push(Uint8Array.from(tbs)); // chunks may be views into reused buffers
  }

  get bytes(): Uint8Array {
    return concatList(this.parts);
  }
}

/** KMS RAW: the whole TBS message goes to the signer. Only the TBS size is bounded (CMS signs ~200 bytes of any file). */
async function signRaw(path: string, size: number, session: SignSession, signer: Signer, embed: EmbedWriter | undefined, onProgress: OnProgress | undefined): Promise<Uint8Array> {
  checkRawSigner(signer);
  if (session.context.length) throw new PqsignError('ERR_USAGE', `${opt('messageType', 'raw')} cannot carry a context (KMS signs RAW with an empty context); use the default external μ`, { option: 'messageType' });
  const message = new RawMessage(path);
  await tbsPass(path, size, session, message, { embed, onProgress });
  return signMessageChecked(signer, message.bytes);
}

/** Write a container whose artifact copy needs a second read (formats without `embedding`, RAW signing). */
export async function writeContainer(output: string, artifact: string, layout: ContainerLayout): Promise<void> {
  const w = await AtomicWriter.create(output);
  try {
    await w.write(layout.prefix);
    if (layout.includeArtifact) {
      // a transform's output is gathered into one reused block per read chunk: its pieces die young
      const block = new Block();
      for await (const chunk of readChunks(artifact)) {
        if (!layout.artifactTransform) {
          await w.write(chunk);
          continue;
        }
        block.reset();
        layout.artifactTransform(chunk, (b) => block.push(b));
        await w.write(block.bytes);
      }
    }
    await w.write(layout.suffix);
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
