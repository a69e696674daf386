// Writing an embedding container during the one streaming pass: the artifact's container bytes go to
// the temp output at the offset the format declared while the same chunk hashes into μ, and the
// prefix (which may hold the signature) and suffix are filled in once the signature exists. The
// output therefore holds exactly the bytes that were signed, read once; writes of chunk N overlap the
// hashing of chunk N+1 (two blocks alternate).
import type { ContainerLayout, SignSession } from '../../formats/types.js';
import { AtomicWriter } from '../io/atomic.js';
import { Block } from '../io/block.js';

export type Embedding = NonNullable<SignSession['embedding']>;

export class EmbedWriter {
  private readonly blocks = [new Block(), new Block()];
  private which = 0;
  private pending: Promise<void> = Promise.resolve();
  private pos: number;

  private constructor(private readonly w: AtomicWriter, readonly embedding: Embedding) {
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

  /** write the current block (after the previous write finished), then switch blocks */
  async flush(): Promise<void> {
    await this.pending;
    const bytes = this.blocks[this.which]!.bytes;
    this.pending = this.w.writeAt(bytes, this.pos);
    this.pos += bytes.length;
    this.which ^= 1;
  }

  async finish(layout: ContainerLayout): Promise<void> {
    await this.pending;
    if (layout.prefix.length !== this.embedding.offset) {
      throw new Error(`format declared its payload at offset ${this.embedding.offset} but its prefix is ${layout.prefix.length} bytes`);
    }
    await this.w.writeAt(layout.prefix, 0);
    await this.w.writeAt(layout.suffix, this.pos);
    await this.w.commit();
  }

  async abort(): Promise<void> {
    await this.pending.catch(() => undefined);
    await this.w.abort();
  }
}
