import type { DemoContext, DemoStep } from './types.js';

/** The certificates the CMS step leaves in the demo directory, for later steps that sign with the chain. */
export const demoPki = (ctx: DemoContext) => ({
  root: `${ctx.dir}/root.pem`,
  issuing: `${ctx.dir}/issuing.pem`,
  release: `${ctx.dir}/release.pem`,
});

/** A private PKI (root → issuing CA → the release key's code-signing certificate) and a CMS signature carrying the chain. */
export const cmsStep: DemoStep = {
  title: 'CMS signature with a certificate chain (RFC 9882, private PKI)',
  async run(ctx) {
    const f = (name: string) => `${ctx.dir}/${name}`;
    const pki = demoPki(ctx);
    await ctx.pqsign(['keygen', '--alg', 'ML-DSA-87', '--out', f('root.key.pem')]);
    await ctx.pqsign([
      'cert',
      'create-ca',
      '--key',
      f('root.key.pem'),
      '--subject',
      'CN=Demo Root CA,O=pqsign demo',
      '--path-len',
      '1',
      '--out',
      pki.root,
    ]);
    await ctx.pqsign(['keygen', '--alg', 'ML-DSA-65', '--out', f('issuing.key.pem')]);
    await ctx.pqsign([
      'cert',
      'csr',
      '--key',
      f('issuing.key.pem'),
      '--subject',
      'CN=Demo Issuing CA,O=pqsign demo',
      '--out',
      f('issuing.csr'),
    ]);
    await ctx.pqsign([
      'cert',
      'issue',
      '--ca-key',
      f('root.key.pem'),
      '--ca-cert',
      pki.root,
      '--csr',
      f('issuing.csr'),
      '--ca',
      '--path-len',
      '0',
      '--out',
      pki.issuing,
    ]);
    await ctx.pqsign([
      'cert',
      'issue',
      '--ca-key',
      f('issuing.key.pem'),
      '--ca-cert',
      pki.issuing,
      '--key',
      ctx.publicKey,
      '--subject',
      'CN=Demo Release Signing,O=pqsign demo',
      '--code-signing',
      '--out',
      pki.release,
    ]);
    ctx.log('PKI: root (ML-DSA-87) -> issuing CA (ML-DSA-65, from a CSR) -> code-signing certificate for the release key');
    const sig = f('firmware-sample.bin.p7s');
    await ctx.pqsign([
      'sign',
      ctx.firmware,
      '--format',
      'cms',
      '--key',
      ctx.keyRef,
      '--cert',
      pki.release,
      '--chain',
      pki.issuing,
      '--out',
      sig,
    ]);
    const out = JSON.parse(await ctx.pqsign(['verify', sig, '--content', ctx.firmware, '--trust-anchor', pki.root, '--json']));
    ctx.log(`signed ${sig}; verified with only the root as trust anchor: ${out.signers[0].chain.join(' <- ')}`);
  },
};
