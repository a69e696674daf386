// A push parser for one BER/DER TLV tree fed in chunks of any size: it reports each element's header,
// the value bytes of primitive elements as they stream past (never buffered), and each element's end.
// Containers far larger than memory (an attached CMS around a multi-GB artifact) are walked in one pass;
// the consumer keeps only the small elements it cares about. Definite and indefinite lengths (X.690 §8.1.3)
// are accepted; multi-byte tags are not (nothing pqsign reads uses them).
import { PqsignError } from '../base/errors.js';

export interface TlvHeader {
  /** identifier octet (class, constructed bit, tag number) */
  tag: number;
  constructed: boolean;
  /** value length; undefined for the indefinite form */
  length: number | undefined;
  /** the identifier and length octets exactly as they appeared */
  header: Uint8Array;
  /** offset of the identifier octet in the stream */
  offset: number;
  /** offset of the first value octet */
  valueOffset: number;
  /** nesting depth: 0 for the outermost element */
  depth: number;
  /** position among its parent's children, from 0 */
  index: number;
}

export interface TlvEvents {
  start(h: TlvHeader): void;
  /** value bytes of a primitive element; the view is only valid during the call */
  data(chunk: Uint8Array, h: TlvHeader): void;
  /** `eoc` is the end-of-contents octets of an indefinite-length element (else empty) */
  end(h: TlvHeader, eoc: Uint8Array): void;
}

interface Frame {
  h: TlvHeader;
  /** stream offset where a definite-length value ends */
  end: number | undefined;
  children: number;
}

const MAX_LENGTH_OCTETS = 6; // 2^48 bytes: far beyond any file pqsign handles
const EOC = Uint8Array.of(0, 0);

export class BerStreamParser {
  private readonly stack: Frame[] = [];
  private pos = 0;
  private headerBuf: number[] = [];
  /** the primitive element whose value is streaming, and how many value bytes remain */
  private value: { h: TlvHeader; remaining: number } | undefined;
  private topDone = false;

  constructor(
    private readonly events: TlvEvents,
    private readonly label: string,
    private readonly maxDepth = 32,
  ) {}

  get offset(): number {
    return this.pos;
  }

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.value) {
        const n = Math.min(this.value.remaining, chunk.length - i);
        const v = this.value;
        this.events.data(chunk.subarray(i, i + n), v.h);
        i += n;
        this.pos += n;
        v.remaining -= n;
        if (v.remaining === 0) {
          this.value = undefined;
          this.events.end(v.h, new Uint8Array(0));
          this.closeFinished();
        }
        continue;
      }
      if (this.topDone) throw this.bad(`${chunk.length - i} bytes after the end of the structure`);
      this.headerBuf.push(chunk[i]!);
      i++;
      this.pos++;
      this.tryHeader();
    }
  }

  /** call after the last chunk */
  finish(): void {
    if (!this.topDone || this.headerBuf.length || this.value) throw this.bad('truncated');
  }

  private tryHeader(): void {
    const b = this.headerBuf;
    const tag = b[0]!;
    if ((tag & 0x1f) === 0x1f) throw this.bad('multi-byte tags are not supported');
    if (b.length < 2) return;
    const first = b[1]!;
    let length: number | undefined;
    if (first === 0x80) length = undefined;
    else if (first < 0x80) length = first;
    else {
      const n = first & 0x7f;
      if (n > MAX_LENGTH_OCTETS) throw this.bad('length too large');
      if (b.length < 2 + n) return;
      length = 0;
      for (let k = 0; k < n; k++) length = length * 256 + b[2 + k]!;
    }
    const header = Uint8Array.from(b);
    this.headerBuf = [];
    const offset = this.pos - header.length;
    const parent = this.stack[this.stack.length - 1];

    if (tag === 0 && parent && parent.end === undefined) {
      if (length !== 0) throw this.bad('malformed end-of-contents');
      this.stack.pop();
      this.events.end(parent.h, EOC);
      this.closeFinished();
      return;
    }
    const constructed = (tag & 0x20) !== 0;
    if (length === undefined && !constructed) throw this.bad('indefinite length on a primitive element');
    if (parent?.end !== undefined && length !== undefined && this.pos + length > parent.end) {
      throw this.bad(`element at offset ${offset} overruns its parent`);
    }
    if (this.stack.length >= this.maxDepth) throw this.bad('nested too deeply');
    const h: TlvHeader = {
      tag,
      constructed,
      length,
      header,
      offset,
      valueOffset: this.pos,
      depth: this.stack.length,
      index: parent ? parent.children++ : 0,
    };
    this.events.start(h);
    if (constructed) {
      this.stack.push({ h, end: length === undefined ? undefined : this.pos + length, children: 0 });
      this.closeFinished();
    } else if (length === 0) {
      this.events.end(h, new Uint8Array(0));
      this.closeFinished();
    } else {
      this.value = { h, remaining: length! };
    }
  }

  /** pop every definite-length element whose value is complete */
  private closeFinished(): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        this.topDone = true;
        return;
      }
      if (top.end === undefined || this.pos < top.end) return;
      this.stack.pop();
      this.events.end(top.h, new Uint8Array(0));
    }
  }

  private bad(why: string): PqsignError {
    return new PqsignError('ERR_SIGNATURE_FORMAT', `malformed ${this.label}: ${why}`);
  }
}
