// test/support/pki-fixture.ts's PKI in one process instead of seven CLI runs: the library calls behind
// `pqsign keygen`, `cert create-ca`, `cert csr` and `cert issue`, from the build in dist/ (the CLI tests need
// it anyway). Usage: node build-pki.mjs DIR ALG CODE_SIGNING(0|1); writes the files pkiSteps names.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const dist = new URL('../../dist/src/', import.meta.url);
const load = (m) => import(new URL(m, dist).href);
const [
  { paramByName, SEED_BYTES },
  { keygenFromSeed },
  { encodePkcs8 },
  { encodePem },
  { wholeSeconds },
  { createCa, createRequest, issueFromCa },
  { loadAnySigner, loadPublicKey },
] = await Promise.all(
  ['mldsa/params.js', 'mldsa/mldsa.js', 'keys/pkcs8.js', 'asn1/pem.js', 'asn1/time.js', 'pki/ops.js', 'pipeline/keyref.js'].map(load),
);

const [dir, alg, codeSigning] = process.argv.slice(2);
const params = paramByName(alg);
const p = (f) => join(dir, f);
const keygen = (name) => {
  const seed = new Uint8Array(randomBytes(SEED_BYTES));
  const kp = keygenFromSeed(params, seed);
  writeFileSync(p(`${name}.key`), encodePem('PRIVATE KEY', encodePkcs8({ params, seed, ...kp, form: 'seed' }, 'seed')), { mode: 0o600 });
  return p(`${name}.key`);
};
const validity = (days) => ({ notBefore: wholeSeconds(new Date()), days });
const [rootKey, interKey, leafKey] = ['root', 'inter', 'leaf'].map(keygen);
const root = await loadAnySigner(rootKey);
writeFileSync(p('root.pem'), encodePem('CERTIFICATE', (await createCa(root, 'CN=Test Root CA,O=pqsign tests', validity(3650), 1)).der));
const inter = await loadAnySigner(interKey);
writeFileSync(p('inter.csr'), encodePem('CERTIFICATE REQUEST', await createRequest(inter, 'CN=Test Issuing CA,O=pqsign tests')));
const issue = async (caSigner, caCert, subject, validityDays, profile, out) =>
  writeFileSync(
    p(out),
    encodePem(
      'CERTIFICATE',
      (await issueFromCa({ caSigner, caCertPath: p(caCert), subject, validity: validity(validityDays), profile })).der,
    ),
  );
await issue(root, 'root.pem', { csrPath: p('inter.csr'), name: undefined }, 1825, { kind: 'ca', pathLen: 0 }, 'inter.pem');
await issue(
  inter,
  'inter.pem',
  { key: await loadPublicKey(leafKey), name: 'CN=Test Release Signing,O=pqsign tests' },
  365,
  { kind: 'leaf', codeSigning: codeSigning === '1' },
  'leaf.pem',
);
