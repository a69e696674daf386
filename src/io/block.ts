// A growable byte block reused across chunks: gathers the small pieces a transform emits into one
// write (and copies reader chunks, whose buffers are reused by read-ahead).
export class Block {
  private buf = new Uint8Array(0);
  private fill = 0;

  reset(): void {
    this.fill = 0;
  }

  push(b: Uint8Array): void {
    if (this.fill + b.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(2 * this.buf.length, this.fill + b.length));
      grown.set(this.buf.subarray(0, this.fill));
      this.buf = grown;
    }
    this.buf.set(b, this.fill);
    this.fill += b.length;
  }

  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.fill);
  }
}
