// Sign one artifact: stream it once through the format's TBS bytes into μ, have the signer sign μ,
// check the signature against the signer's public key, then write the container atomically.
import type { ArtifactInfo, ContainerLayout, Format, FormatOptions, SignSession } from './format.js';
import { PqsignError, opt } from '../base/errors.js';
import { AtomicWriter } from '../io/atomic.js';
import type { OnProgress } from '../io/progress.js';
import { statInput } from '../io/read.js';
import { fileSource, spool, type Source } from '../io/source.js';
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

export async function signFile<O extends FormatOptions>(
  path: string,
  output: string,
  format: Format<O>,
  signer: Signer | CompositeSigner,
  opts: SignFileOptions<O>,
): Promise<SignResult> {
  return signSource(fileSource(path, (await statInput(path)).size), output, format, signer, opts);
}

/**
 * Sign any artifact source (src/io/source.ts). A stream is read in the one pass like a file, except where
 * it has to be spooled to a temporary file first: its size is not known (the formats lay out their TBS
 * bytes for a known length), or the container copies it in a second read (a format without `embedding`).
 */
export async function signSource<O extends FormatOptions>(
  artifact: Source,
  output: string,
  format: Format<O>,
  signer: Signer | CompositeSigner,
  opts: SignFileOptions<O>,
): Promise<SignResult> {
  const composite = isCompositeSigner(signer) ? signer : undefined;
  const mldsa = composite ? undefined : (signer as Signer);
  if (composite && !format.composite)
    throw new PqsignError(
      'ERR_USAGE',
      `the ${format.name} format cannot carry composite ${composite.alg.name} signatures (docs/hybrid.md)`,
    );
  if (composite && opts.messageType === 'raw')
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('messageType', 'raw')} is for ML-DSA keys; a composite signer always signs M' (docs/hybrid.md)`,
      { option: 'messageType' },
    );
  let src = artifact.size === undefined ? await spool(artifact) : artifact;
  try {
    const size = src.size!;
    const session = await format.beginSign({
      artifact: artifactInfo(src),
      params: signer.params,
      publicKey: signer.publicKey,
      composite: composite?.alg,
      context: opts.context,
      options: opts.formatOptions,
    });
    if (!session.embedding && format.embedsPayload(opts.formatOptions)) src = await spool(src);
    let signature: Uint8Array;
    if (composite) {
      signature = await inOnePass(src, output, session, async (embed) => {
        const hasher = new CompositeHasher(composite.alg, session.context);
        await tbsPass(src, session, hasher, { embed, onProgress: opts.onProgress });
        return composite.sign(hasher.digest());
      });
    } else if (opts.messageType === 'raw') {
      signature = await inOnePass(src, output, session, (embed) => signRaw(src, session, mldsa!, embed, opts.onProgress));
    } else {
      signature = await streamToContainer(src, output, session, signer.params, signer.publicKey, (mu) => signMuChecked(mldsa!, mu), {
        onProgress: opts.onProgress,
      });
    }
    return {
      file: src.name,
      output,
      format: format.name,
      algorithm: composite ? composite.alg.name : signer.params.name,
      keyFingerprint: keyFingerprint(signer.publicKey),
      bytes: size,
      signatureBytes: signature.length,
    };
  } finally {
    await Promise.all([src.close(), artifact.close()]);
  }
}

/** What a format is told about the artifact: a name for messages, its length, and a look at its first bytes. */
export const artifactInfo = (src: Source): ArtifactInfo => ({ path: src.name, size: src.size!, head: (max) => src.head(max) });

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
async function tbsPass(src: Source, session: SignSession, sink: TbsSink, { onChunk, embed, onProgress }: PassOptions): Promise<void> {
  const size = src.size!;
  sink.update(session.head());
  const emit = (b: Uint8Array) => void sink.update(b);
  let seen = 0;
  const progress = onProgress && ((done: number) => onProgress({ label: src.name, unit: 'bytes', done, total: size }));
  for await (const chunk of src.chunks(progress)) {
    seen += chunk.length;
    if (seen > size && !src.rereadable) break; // a stream longer than declared may not end: stop at once, refused below
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
  if (seen !== size) {
    if (src.rereadable)
      throw new PqsignError('ERR_FILE', `changed while being signed (${size} bytes before, ${seen} read)`, { file: src.name });
    throw new PqsignError('ERR_FILE', `was declared as ${size} bytes but ${seen > size ? `more than ${size}` : seen} arrived`, {
      file: src.name,
    });
  }
  sink.update(session.tail());
}

/** μ of the artifact's TBS bytes, in the one streaming pass. */
export async function muOfArtifact(
  src: Source,
  session: SignSession,
  params: ParamSet,
  publicKey: Uint8Array,
  opts: PassOptions = {},
): Promise<Uint8Array> {
  const hasher = new MuHasher(params, publicKey, session.context);
  await tbsPass(src, session, hasher, opts);
  return hasher.digest();
}

/**
 * The whole signing pass for one artifact: stream it into μ (writing the container's copy of it in the
 * same pass when the format declares where it goes), let `signatureFor` turn μ into a checked signature,
 * then complete the container. Nothing is left behind when any step fails.
 */
export function streamToContainer(
  src: Source,
  output: string,
  session: SignSession,
  params: ParamSet,
  publicKey: Uint8Array,
  signatureFor: (mu: Uint8Array) => Promise<Uint8Array>,
  pass: Omit<PassOptions, 'embed'> = {},
): Promise<Uint8Array> {
  return inOnePass(src, output, session, async (embed) =>
    signatureFor(await muOfArtifact(src, session, params, publicKey, { ...pass, embed })),
  );
}

/** Run a signing pass with the container's embedding writer (if the format has one), then complete the container. */
async function inOnePass(
  src: Source,
  output: string,
  session: SignSession,
  pass: (embed: EmbedWriter | undefined) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const embed = session.embedding ? await EmbedWriter.open(output, session.embedding) : undefined;
  try {
    const signature = await pass(embed);
    const layout = await session.container(signature);
    if (embed) await embed.finish(layout);
    else await writeContainer(output, src, layout);
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
async function signRaw(
  src: Source,
  session: SignSession,
  signer: Signer,
  embed: EmbedWriter | undefined,
  onProgress: OnProgress | undefined,
): Promise<Uint8Array> {
  checkRawSigner(signer);
  if (session.context.length)
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('messageType', 'raw')} cannot carry a context (KMS signs RAW with an empty context); use the default external μ`,
      { option: 'messageType' },
    );
  const message = new RawMessage(src.name);
  await tbsPass(src, session, message, { embed, onProgress });
  return signMessageChecked(signer, message.bytes);
}

/** Write a container whose artifact copy needs a second read (formats without `embedding`, RAW signing). */
export async function writeContainer(output: string, artifact: Source, layout: ContainerLayout): Promise<void> {
  if (layout.includeArtifact && !artifact.rereadable) {
    // embedsPayload() said no, yet the container holds the artifact: a format bug, caught before any write
    throw new PqsignError('ERR_USAGE', 'this format copies the artifact into its container in a second read, which a stream cannot give', {
      file: artifact.name,
    });
  }
  const w = await AtomicWriter.create(output);
  try {
    await w.write(layout.prefix);
    if (layout.includeArtifact) {
      // a transform's output is gathered into one reused block per read chunk: its pieces die young
      const block = new Block();
      for await (const chunk of artifact.chunks()) {
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
