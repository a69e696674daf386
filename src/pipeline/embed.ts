// Writing an embedding container during the one streaming pass: the artifact's container bytes go to
// the temp output at the offset the format declared while the same chunk hashes into μ, and the
// prefix (which may hold the signature) and suffix are filled in once the signature exists. The
// output therefore holds exactly the bytes that were signed, read once; writes of earlier chunks overlap
// the hashing of later ones (a prefix that grew after signing moves them up: see Embedding.relocatable). WRITE_DEPTH blocks rotate, so a write that stalls for a moment (the disk
// busy with a background flush, see src/io/atomic.ts) does not stall the hashing.
import type { ContainerLayout, SignSession } from './format.js';
import { AtomicWriter } from '../io/atomic.js';
import { Block } from '../io/block.js';

export type Embedding = NonNullable<SignSession['embedding']>;

/** Blocks (of one read chunk each, 4 MiB) whose writes may be in flight at once. */
const WRITE_DEPTH = 4;

export class EmbedWriter {
  private readonly blocks = Array.from({ length: WRITE_DEPTH }, () => new Block());
  /** the write that last used each block */
  private readonly writes: Promise<void>[] = Array.from({ length: WRITE_DEPTH }, () => Promise.resolve());
  private which = 0;
  private pos: number;

  private constructor(
    private readonly w: AtomicWriter,
    readonly embedding: Embedding,
  ) {
    this.pos = embedding.offset;
  }

  static async open(output: string, embedding: Embedding): Promise<EmbedWriter> {
    return new EmbedWriter(await AtomicWriter.create(output), embedding);
  }

  /** the block the current chunk's container bytes are gathered into */
  begin(): Block {
    const b = this.blocks[this.which]!;
    b.reset();
    return b;
  }

  /** start writing the current block, then move to the next one once its previous write has finished */
  async flush(): Promise<void> {
    const bytes = this.blocks[this.which]!.bytes;
    const write = this.w.writeAt(bytes, this.pos);
    write.catch(() => undefined); // observed by the await below or in finish/abort, never unhandled
    this.writes[this.which] = write;
    this.pos += bytes.length;
    this.which = (this.which + 1) % WRITE_DEPTH;
    await this.writes[this.which];
  }

  private settled(): Promise<void[]> {
    return Promise.all(this.writes);
  }

  async finish(layout: ContainerLayout): Promise<void> {
    await this.settled();
    const offset = this.embedding.offset;
    if (layout.prefix.length !== offset) {
      if (!this.embedding.relocatable || layout.prefix.length < offset) {
        throw new Error(`format declared its payload at offset ${offset} but its prefix is ${layout.prefix.length} bytes`);
      }
      // a longer prefix (a time-stamp token in a CMS SignerInfo): move what was written, not re-read the artifact
      await this.w.moveUp(offset, this.pos, layout.prefix.length);
      this.pos += layout.prefix.length - offset;
    }
    await this.w.writeAt(layout.prefix, 0);
    await this.w.writeAt(layout.suffix, this.pos);
    await this.w.commit();
  }

  async abort(): Promise<void> {
    await this.settled().catch(() => undefined);
    await this.w.abort();
  }
}
