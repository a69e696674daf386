// A private PKI built with the CLI for the CMS/PKI tests: offline root → issuing CA (from a CSR) →
// code-signing leaf, all local keys (the KMS variant swaps the key references).
import { join } from 'node:path';
import { expect } from 'vitest';
import { pqsign } from './helpers.js';

export interface Pki {
  rootKey: string;
  root: string;
  interKey: string;
  inter: string;
  leafKey: string;
  leaf: string;
}

export function run(args: string[]): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

export function keygen(dir: string, name: string, alg: string): string {
  const key = join(dir, `${name}.key`);
  run(['keygen', '--alg', alg, '--out', key]);
  return key;
}

/** `keys` may replace the intermediate's and leaf's key references (e.g. awskms://... for the KMS variant). */
export function buildPki(dir: string, alg = 'ML-DSA-65', leafArgs: string[] = ['--code-signing'], keys: { inter?: string; leaf?: string } = {}): Pki {
  const p = (f: string) => join(dir, f);
  const rootKey = keygen(dir, 'root', alg);
  const interKey = keys.inter ?? keygen(dir, 'inter', alg);
  const leafKey = keys.leaf ?? keygen(dir, 'leaf', alg);
  run(['cert', 'create-ca', '--key', rootKey, '--subject', 'CN=Test Root CA,O=pqsign tests', '--path-len', '1', '--out', p('root.pem')]);
  run(['cert', 'csr', '--key', interKey, '--subject', 'CN=Test Issuing CA,O=pqsign tests', '--out', p('inter.csr')]);
  run(['cert', 'issue', '--ca-key', rootKey, '--ca-cert', p('root.pem'), '--csr', p('inter.csr'), '--ca', '--path-len', '0', '--days', '1825', '--out', p('inter.pem')]);
  run(['cert', 'issue', '--ca-key', interKey, '--ca-cert', p('inter.pem'), '--key', leafKey, '--subject', 'CN=Test Release Signing,O=pqsign tests', ...leafArgs, '--out', p('leaf.pem')]);
  return { rootKey, root: p('root.pem'), interKey, inter: p('inter.pem'), leafKey, leaf: p('leaf.pem') };
}
