// The temp dir the COSE and JWS format tests start from, unit and CLI halves alike: the sample firmware as
// fw.bin, a local key pair k.pem / p.pem, and crafted files written beside them.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRMWARE, tempDir } from './helpers.js';
import { writeKeyPair } from './keygen.js';

export function firmwareDir(prefix: string) {
  const dir = tempDir(prefix);
  const key = join(dir, 'k.pem');
  const pub = join(dir, 'p.pem');
  const fw = join(dir, 'fw.bin');
  return {
    dir,
    key,
    pub,
    fw,
    /** DIR/NAME holding DATA; its path */
    write(name: string, data: string | Uint8Array): string {
      const p = join(dir, name);
      writeFileSync(p, data);
      return p;
    },
    /** copy the firmware in and write an ALG key pair (for a beforeAll: set-up, not the subject) */
    prepare(alg: string): void {
      copyFileSync(FIRMWARE, fw);
      writeKeyPair(key, pub, alg);
    },
  };
}
