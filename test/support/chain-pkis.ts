// The two test PKIs `cert verify` is judged against, in-process and at the command line: a code-signing
// one, and an ML-DSA-44 one whose leaf is reissued without extendedKeyUsage (what --code-signing refuses).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildPkiInProcess, issueFile } from './inproc.js';
import type { Pki } from './pki-fixture.js';

/** `pki` in DIR/a, `plain` in DIR/b. */
export async function codeSigningAndPlainPki(dir: string): Promise<{ pki: Pki; plain: Pki }> {
  const sub = (name: string) => {
    mkdirSync(join(dir, name));
    return join(dir, name);
  };
  const pki = await buildPkiInProcess(sub('a'));
  const plain = await buildPkiInProcess(sub('b'), 'ML-DSA-44');
  await issueFile({
    caKey: plain.interKey,
    caCert: plain.inter,
    key: plain.leafKey,
    subject: 'CN=Test Release Signing,O=pqsign tests',
    out: plain.leaf,
  });
  return { pki, plain };
}
