// Reading compact JWS files in tests: base64url of text, bytes or JSON, the three segments, the header text.
import { readFileSync } from 'node:fs';

export const b64 = (s: string | Buffer | object) =>
  (Buffer.isBuffer(s) || typeof s === 'string' ? Buffer.from(s) : Buffer.from(JSON.stringify(s))).toString('base64url');
export const partsOf = (file: string) => readFileSync(file, 'latin1').split('.') as [string, string, string];
export const headerText = (file: string) => Buffer.from(partsOf(file)[0], 'base64url').toString('utf8');
