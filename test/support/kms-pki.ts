// The PKI fixture's names and files with the issuing CA's and the leaf's keys in KMS, made in this process:
// offline root (local key) → issuing CA certified from a CSR its KMS key signed → code-signing leaf issued
// by the KMS issuing CA key. Needs the test KMS's credentials in this process (kms-inproc.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePem } from '../../src/asn1/pem.js';
import { createRequest } from '../../src/pki/ops.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import { createCaFile, issueFile } from './inproc.js';
import { writeKeyPair } from './keygen.js';
import type { Pki } from './pki-fixture.js';

/** `keys`: awskms:// references of the issuing CA's and the leaf's keys. */
export async function buildKmsPki(dir: string, keys: { inter: string; leaf: string }, alg = 'ML-DSA-65'): Promise<Pki> {
  const p = (f: string) => join(dir, f);
  const rootKey = p('root.key');
  writeKeyPair(rootKey, undefined, alg);
  const root = await createCaFile(rootKey, 'CN=Test Root CA,O=pqsign tests', p('root.pem'), 1);
  const interSigner = await loadAnySigner(keys.inter);
  try {
    writeFileSync(p('inter.csr'), encodePem('CERTIFICATE REQUEST', await createRequest(interSigner, 'CN=Test Issuing CA,O=pqsign tests')));
  } finally {
    await interSigner.close?.();
  }
  const inter = await issueFile({
    caKey: rootKey,
    caCert: root,
    csr: p('inter.csr'),
    ca: true,
    pathLen: 0,
    days: 1825,
    out: p('inter.pem'),
  });
  const leaf = await issueFile({
    caKey: keys.inter,
    caCert: inter,
    key: keys.leaf,
    subject: 'CN=Test Release Signing,O=pqsign tests',
    codeSigning: true,
    out: p('leaf.pem'),
  });
  return { rootKey, root, interKey: keys.inter, inter, leafKey: keys.leaf, leaf };
}
