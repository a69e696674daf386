// PEM (RFC 7468) decoded chunk by chunk, so an armoured container of any size streams through in one pass
// with flat memory: text before the BEGIN line is skipped, the base64 body is decoded a quad at a time as
// it arrives, and the END line must carry the same label.
import { PqsignError } from '../base/errors.js';

const BEGIN = /-----BEGIN ([A-Z0-9 #]+)-----/;
const MAX_PREAMBLE = 64 * 1024;

export class PemStreamDecoder {
  private state: 'preamble' | 'body' | 'end' = 'preamble';
  private text = '';
  private quad = '';
  private padded = false;
  private label = '';

  constructor(
    private readonly labels: readonly string[],
    private readonly file: string,
    private readonly emit: (decoded: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const s = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    if (this.state === 'preamble') {
      this.text += s;
      const m = BEGIN.exec(this.text);
      if (!m) {
        if (this.text.length > MAX_PREAMBLE) throw this.bad('no PEM BEGIN line');
        return;
      }
      if (!this.labels.includes(m[1]!)) throw this.bad(`PEM label "${m[1]}" is not ${this.labels.join(' or ')}`);
      this.label = m[1]!;
      const rest = this.text.slice(m.index + m[0].length);
      this.text = '';
      this.state = 'body';
      this.body(rest);
    } else if (this.state === 'body') this.body(s);
    else this.tail(s);
  }

  finish(): void {
    if (this.state !== 'end') throw this.bad('PEM END line missing');
    if (!this.text.includes(`-----END ${this.label}-----`)) throw this.bad(`PEM END line does not match "BEGIN ${this.label}"`);
    if (this.quad.length) throw this.bad('PEM body is not a whole number of base64 quads');
  }

  private body(s: string): void {
    const dash = s.indexOf('-');
    const part = (dash < 0 ? s : s.slice(0, dash)).replace(/[ \t\r\n]+/g, '');
    if (!/^[A-Za-z0-9+/=]*$/.test(part)) throw this.bad('PEM body is not base64');
    const b64 = this.quad + part;
    const whole = b64.length - (b64.length % 4);
    const ready = b64.slice(0, whole);
    this.quad = b64.slice(whole);
    if (ready.length) {
      const pad = ready.indexOf('=');
      if (this.padded || (pad >= 0 && pad < ready.length - 2) || (pad >= 0 && !/={1,2}$/.test(ready)) || (pad >= 0 && this.quad.length)) {
        throw this.bad('PEM base64 padding in the middle of the body');
      }
      if (pad >= 0) this.padded = true;
      this.emit(new Uint8Array(Buffer.from(ready, 'base64')));
    }
    if (dash >= 0) {
      this.state = 'end';
      this.tail(s.slice(dash));
    }
  }

  private tail(s: string): void {
    if (this.text.length < 256) this.text += s.slice(0, 256);
  }

  private bad(why: string): PqsignError {
    return new PqsignError('ERR_SIGNATURE_FORMAT', why, { file: this.file });
  }
}
