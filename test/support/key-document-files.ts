// Key documents (JWK, JWK Set, COSE_Key, PEM) the key-documents tests write, unit and CLI halves alike: each
// to a fresh file in DIR (k0, k1, ... unless named), so a test's documents never overwrite another's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function keyDocumentFiles(dir: string) {
  let n = 0;
  /** CONTENT as DIR/NAME; its path */
  const file = (content: string | Uint8Array, name = `k${n++}`) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  /** O as indented JSON in a fresh file */
  const json = (o: unknown) => file(JSON.stringify(o, null, 2));
  return { file, json };
}
