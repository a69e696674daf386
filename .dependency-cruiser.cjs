// The layers, enforced (issue 14). Each folder may import only from folders before it in LAYERS; the core
// (src/) never imports formats/, lib/ or bin/; nothing below the KMS adapter loads the AWS SDK, so
// `import 'pqsign'` stays light. Run by `npm run lint:deps` (part of `npm test`).
const LAYERS = [
  'src/base', // errors, bytes, paths, bounded pools
  'src/io', // streaming reads, atomic writes
  'src/asn1',
  'src/cbor',
  'src/mldsa', // FIPS 204: parameters, μ, SHAKE, sign/verify back-ends, the Signer seam
  'src/composite', // LAMPS composite ML-DSA + ECDSA/EdDSA
  'src/keys', // PKCS#8, SPKI, JWK, COSE_Key, fingerprints
  'src/cose',
  'src/jose',
  'src/pki',
  'src/cms', // CMS SignedData and RFC 3161 time-stamps (cms/tsp)
  'src/uefi',
  'src/attest',
  'src/policy',
  'src/pipeline', // sign, verify, the format registry
  'formats',
  'src/batch',
  'src/kms',
  'src/kms-server',
  'lib', // the public entry points
  'bin', // the CLI
];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const above = (i) => LAYERS.slice(i + 1).map((l) => `^${esc(l)}/`);

module.exports = {
  forbidden: [
    ...LAYERS.map((layer, i) => ({
      name: `layer-${layer.replace('/', '-')}`,
      comment: `${layer} may import only from layers below it (see LAYERS in .dependency-cruiser.cjs)`,
      severity: 'error',
      from: { path: `^${esc(layer)}/` },
      to: { path: above(i) },
    })).filter((r) => r.to.path.length > 0),
    {
      name: 'core-not-formats',
      comment: 'the core (src/) never imports formats/: formats register themselves through src/pipeline/registry.ts',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(formats|lib|bin)/' },
    },
    {
      name: 'aws-sdk-only-in-adapters',
      comment: 'only the KMS adapter and the local KMS server load the AWS SDK',
      severity: 'error',
      from: { path: '^(src|formats)/', pathNot: '^src/(kms|kms-server)/' },
      to: { path: 'node_modules/@(aws-sdk|smithy)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
  },
};
