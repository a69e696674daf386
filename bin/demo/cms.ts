import type { DemoStep } from './types.js';

/** A private PKI (root → issuing CA → the release key's code-signing certificate) and a CMS signature carrying the chain. */
export const cmsStep: DemoStep = {
  title: 'CMS signature with a certificate chain (RFC 9882, private PKI)',
  async run(ctx) {
    const f = (name: string) => `${ctx.dir}/${name}`;
    await ctx.pqsign(['keygen', '--alg', 'ML-DSA-87', '--out', f('root.key.pem')]);
    await ctx.pqsign(['cert', 'create-ca', '--key', f('root.key.pem'), '--subject', 'CN=Demo Root CA,O=pqsign demo', '--path-len', '1', '--out', f('root.pem')]);
    await ctx.pqsign(['keygen', '--alg', 'ML-DSA-65', '--out', f('issuing.key.pem')]);
    await ctx.pqsign(['cert', 'csr', '--key', f('issuing.key.pem'), '--subject', 'CN=Demo Issuing CA,O=pqsign demo', '--out', f('issuing.csr')]);
    await ctx.pqsign(['cert', 'issue', '--ca-key', f('root.key.pem'), '--ca-cert', f('root.pem'), '--csr', f('issuing.csr'), '--ca', '--path-len', '0', '--out', f('issuing.pem')]);
    await ctx.pqsign(['cert', 'issue', '--ca-key', f('issuing.key.pem'), '--ca-cert', f('issuing.pem'), '--key', ctx.publicKey,
      '--subject', 'CN=Demo Release Signing,O=pqsign demo', '--code-signing', '--out', f('release.pem')]);
    ctx.log('PKI: root (ML-DSA-87) -> issuing CA (ML-DSA-65, from a CSR) -> code-signing certificate for the release key');
    const sig = f('firmware-sample.bin.p7s');
    await ctx.pqsign(['sign', ctx.firmware, '--format', 'cms', '--key', ctx.keyRef, '--cert', f('release.pem'), '--chain', f('issuing.pem'), '--out', sig]);
    const out = JSON.parse(await ctx.pqsign(['verify', sig, '--content', ctx.firmware, '--trust-anchor', f('root.pem'), '--json']));
    ctx.log(`signed ${sig}; verified with only the root as trust anchor: ${out.signers[0].chain.join(' <- ')}`);
  },
};
