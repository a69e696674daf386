// The composite PKI of the composite-CA CRL tests, made in this process (set-up, not their subject):
// composite root (MLDSA87-ECDSA-P384) → ML-DSA-65 issuing CA (its own CRLs are ML-DSA) → composite leaf
// (MLDSA65-Ed25519), a second root key under the same name (a forger), a CMS signature by the leaf over
// fw.bin, and each CA's first CRL (root.crl.pem, ca.crl.pem) from its state (root.state.pem, ca.state.pem).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCaFile, issueFile, signWith, writeKeyPair } from './inproc.js';
import { crlInProcess, type CrlCa } from './crl-ops.js';

export const COMPOSITE_ROOT_ALG = 'MLDSA87-ECDSA-P384-SHA512';

export interface CompositeCrlPki {
  at: (file: string) => string;
  /** the signed content (fw.bin; its signature fw.bin.p7s) */
  content: string;
  rootCa: CrlCa;
  interCa: CrlCa;
}

export async function buildCompositeCrlPki(dir: string): Promise<CompositeCrlPki> {
  const at = (f: string) => join(dir, f);
  writeKeyPair(at('root.key'), at('root.pub'), COMPOSITE_ROOT_ALG);
  writeKeyPair(at('ca.key'), at('ca.pub'), 'ML-DSA-65');
  writeKeyPair(at('leaf.key'), at('leaf.pub'), 'MLDSA65-Ed25519-SHA512');
  writeKeyPair(at('forger.key'), at('forger.pub'), COMPOSITE_ROOT_ALG);
  await createCaFile(at('root.key'), 'CN=Hybrid Root', at('root.pem'));
  await createCaFile(at('forger.key'), 'CN=Hybrid Root', at('forger.pem'));
  await issueFile({
    caKey: at('root.key'),
    caCert: at('root.pem'),
    key: at('ca.pub'),
    subject: 'CN=Issuing CA',
    ca: true,
    out: at('ca.pem'),
  });
  await issueFile({
    caKey: at('ca.key'),
    caCert: at('ca.pem'),
    key: at('leaf.pub'),
    subject: 'CN=Hybrid Leaf',
    codeSigning: true,
    out: at('leaf.pem'),
  });
  const content = at('fw.bin');
  writeFileSync(content, Buffer.alloc(50_000, 3));
  await signWith(content, at('leaf.key'), { format: 'cms', options: { cert: at('leaf.pem'), chain: [at('ca.pem')] } });
  const rootCa: CrlCa = { caKey: at('root.key'), caCert: at('root.pem'), crlState: at('root.state.pem') };
  const interCa: CrlCa = { caKey: at('ca.key'), caCert: at('ca.pem'), crlState: at('ca.state.pem') };
  await crlInProcess({ ...rootCa, out: at('root.crl.pem') });
  await crlInProcess({ ...interCa, out: at('ca.crl.pem') });
  return { at, content, rootCa, interCa };
}
