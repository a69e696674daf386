// Composite ML-DSA keys and a composite PKI for tests, made in this process (set-up, not the subject): keys as
// `pqsign keygen --alg COMPOSITE` writes them (the draft's PKCS#8 PEM 0600, SPKI PEM), and
//   root MLDSA87-ECDSA-P384 → CA MLDSA65-ECDSA-P256 (composite) → composite leaf from a CSR
//                           → CA ML-DSA-65 → ML-DSA-44 leaf from a key
// as `pqsign cert create-ca | csr | issue` make them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePem } from '../../src/asn1/pem.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import { createRequest } from '../../src/pki/ops.js';
import { compositeKeyFiles } from './composite-keys.js';
import { createCaFile, issueFile } from './inproc.js';
import { writeKeyPair } from './keygen.js';

/** DIR/NAME.key, .pub and .pem (certificate) for root, ca, mlca, leaf (with leaf.csr) and mlleaf. */
export async function buildCompositePki(dir: string): Promise<Record<'rootKey' | 'caKey' | 'mlCaKey' | 'leafKey', string>> {
  const at = (f: string) => join(dir, f);
  const rootKey = compositeKeyFiles(dir, 'root', 'MLDSA87-ECDSA-P384-SHA512').key;
  const caKey = compositeKeyFiles(dir, 'ca', 'MLDSA65-ECDSA-P256-SHA512').key;
  const leafKey = compositeKeyFiles(dir, 'leaf', 'MLDSA44-Ed25519-SHA512').key;
  writeKeyPair(at('mlca.key'), at('mlca.pub'), 'ML-DSA-65');
  writeKeyPair(at('mlleaf.key'), at('mlleaf.pub'), 'ML-DSA-44');
  const mlCaKey = at('mlca.key');
  await createCaFile(rootKey, 'CN=Composite Root,O=pqsign tests', at('root.pem'));
  await issueFile({ caKey: rootKey, caCert: at('root.pem'), key: at('ca.pub'), subject: 'CN=Composite CA', ca: true, out: at('ca.pem') });
  await issueFile({ caKey: rootKey, caCert: at('root.pem'), key: at('mlca.pub'), subject: 'CN=ML-DSA CA', ca: true, out: at('mlca.pem') });
  const leafSigner = await loadAnySigner(leafKey);
  writeFileSync(at('leaf.csr'), encodePem('CERTIFICATE REQUEST', await createRequest(leafSigner, 'CN=Composite Leaf')));
  await leafSigner.close?.();
  await issueFile({ caKey, caCert: at('ca.pem'), csr: at('leaf.csr'), codeSigning: true, out: at('leaf.pem') });
  await issueFile({
    caKey: mlCaKey,
    caCert: at('mlca.pem'),
    key: at('mlleaf.pub'),
    subject: 'CN=ML-DSA Leaf',
    codeSigning: true,
    out: at('mlleaf.pem'),
  });
  return { rootKey, caKey, mlCaKey, leafKey };
}

/** The composite root the hybrid CMS and policy tests chain to: DIR/root.key and .pub (MLDSA87-ECDSA-P384),
 * self-signed as DIR/root.pem 'CN=Hybrid Root' by `create`; `issueSigner` gives a public key a code-signing
 * certificate 'CN=NAME signer' under it. */
export function hybridRoot(dir: string) {
  const root = compositeKeyFiles(dir, 'root', 'MLDSA87-ECDSA-P384-SHA512');
  const cert = join(dir, 'root.pem');
  return {
    key: root.key,
    cert,
    create: () => createCaFile(root.key, 'CN=Hybrid Root', cert),
    issueSigner: (pub: string, name: string, out: string) =>
      issueFile({ caKey: root.key, caCert: cert, key: pub, subject: `CN=${name} signer`, codeSigning: true, out }),
  };
}
