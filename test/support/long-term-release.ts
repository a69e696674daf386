// The release both halves of the trust policy's long-term tests judge (test/unit/policy/policy-long-term.test.ts
// and test/cli/verification/policy-long-term.test.ts), made in this process: the test PKI, an ML-DSA TSA, the
// firmware signed as CMS with a time-stamp (stamped.bin) and without (plain.bin), a first CRL from each CA,
// and a writer for policies of one 'release' scope anchored at the root.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRMWARE } from './helpers.js';
import { buildPkiInProcess, signWith } from './inproc.js';
import { crlInProcess } from './crl-ops.js';
import { mldsaTsa } from './tsa-fixture.js';

/** DIR/root.crl and DIR/inter.crl are issued; the caller closes `tsa`. */
export async function longTermRelease(dir: string) {
  const p = (f: string) => join(dir, f);
  const pki = await buildPkiInProcess(dir);
  const tsa = await mldsaTsa(p('tsa'));
  copyFileSync(FIRMWARE, p('stamped.bin'));
  copyFileSync(FIRMWARE, p('plain.bin'));
  const cms = { cert: pki.leaf, chain: [pki.inter] };
  await signWith(p('stamped.bin'), pki.leafKey, { format: 'cms', options: { ...cms, tsa: tsa.url } });
  await signWith(p('plain.bin'), pki.leafKey, { format: 'cms', options: cms });
  // the CA and CRL state `cert crl` / `cert revoke` take, per CA
  const ca = (which: 'root' | 'inter') => ({
    caKey: which === 'root' ? pki.rootKey : pki.interKey,
    caCert: which === 'root' ? pki.root : pki.inter,
    crlState: p(`${which}.state.pem`),
  });
  await crlInProcess({ ...ca('root'), out: p('root.crl') });
  await crlInProcess({ ...ca('inter'), out: p('inter.crl') });

  /** DIR/NAME.policy.json: one 'release' scope for *.bin anchored at the root, plus `scope`. */
  function policy(name: string, scope: Record<string, unknown>): string {
    const file = p(`${name}.policy.json`);
    writeFileSync(
      file,
      JSON.stringify({
        pqsignPolicy: 1,
        scopes: [{ name: 'release', match: { artifacts: ['*.bin'] }, trustAnchors: [pki.root], ...scope }],
      }),
    );
    return file;
  }
  return { p, pki, tsa, ca, policy };
}
