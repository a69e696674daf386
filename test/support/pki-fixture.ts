// A private PKI built with the CLI for the CMS/PKI/UEFI tests: offline root → issuing CA (from a CSR) →
// code-signing leaf, local keys unless the intermediate's and leaf's references are swapped (the KMS
// variant passes awskms:// ones and builds it with buildPkiAsync).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { pqsign, startingCli, type RunResult } from './helpers.js';
import { writeKeyPair } from './keygen.js';
import { decodePem } from '../../src/asn1/pem.js';

export interface Pki {
  rootKey: string;
  root: string;
  interKey: string;
  inter: string;
  leafKey: string;
  leaf: string;
}

/** The test PKI's subjects, leaf first (every builder of it gives these): the chain verify reports for its leaf. */
export const TEST_PKI_CHAIN = [
  'CN=Test Release Signing,O=pqsign tests',
  'CN=Test Issuing CA,O=pqsign tests',
  'CN=Test Root CA,O=pqsign tests',
];

/** A PEM certificate written to OUT as DER (trust anchors are accepted in either form); OUT. */
export function writeDerCertificate(pem: string, out: string): string {
  writeFileSync(out, decodePem(readFileSync(pem))[0]!.der);
  return out;
}

export function run(args: string[]): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const keygenArgs = (key: string, alg: string) => ['keygen', '--alg', alg, '--out', key];

/** `pqsign keygen --alg ALG --out DIR/NAME.key`, in this process (set-up, not the subject). */
export function keygen(dir: string, name: string, alg: string): string {
  const key = join(dir, `${name}.key`);
  writeKeyPair(key, undefined, alg);
  return key;
}

/** The CLI steps that build the PKI, and the files they leave. */
function pkiSteps(dir: string, alg: string, leafArgs: string[], keys: { inter?: string; leaf?: string }): { pki: Pki; steps: string[][] } {
  const p = (f: string) => join(dir, f);
  const steps: string[][] = [];
  const key = (name: string, given: string | undefined) => {
    if (given) return given;
    steps.push(keygenArgs(p(`${name}.key`), alg));
    return p(`${name}.key`);
  };
  const rootKey = key('root', undefined);
  const interKey = key('inter', keys.inter);
  const leafKey = key('leaf', keys.leaf);
  steps.push(
    ['cert', 'create-ca', '--key', rootKey, '--subject', 'CN=Test Root CA,O=pqsign tests', '--path-len', '1', '--out', p('root.pem')],
    ['cert', 'csr', '--key', interKey, '--subject', 'CN=Test Issuing CA,O=pqsign tests', '--out', p('inter.csr')],
    [
      'cert',
      'issue',
      '--ca-key',
      rootKey,
      '--ca-cert',
      p('root.pem'),
      '--csr',
      p('inter.csr'),
      '--ca',
      '--path-len',
      '0',
      '--days',
      '1825',
      '--out',
      p('inter.pem'),
    ],
    [
      'cert',
      'issue',
      '--ca-key',
      interKey,
      '--ca-cert',
      p('inter.pem'),
      '--key',
      leafKey,
      '--subject',
      'CN=Test Release Signing,O=pqsign tests',
      ...leafArgs,
      '--out',
      p('leaf.pem'),
    ],
  );
  return { pki: { rootKey, root: p('root.pem'), interKey, inter: p('inter.pem'), leafKey, leaf: p('leaf.pem') }, steps };
}

/** `keys` may replace the intermediate's and leaf's key references (e.g. awskms://... for the KMS variant). */
export function buildPki(
  dir: string,
  alg = 'ML-DSA-65',
  leafArgs: string[] = ['--code-signing'],
  keys: { inter?: string; leaf?: string } = {},
): Pki {
  const { pki, steps } = pkiSteps(dir, alg, leafArgs, keys);
  const oneProcess = !keys.inter && !keys.leaf && leafArgs.every((a) => a === '--code-signing');
  if (!oneProcess) {
    for (const s of steps) run(s);
    return pki;
  }
  // the same files from one process running the same library calls (test/support/build-pki.mjs)
  startingCli();
  const r = spawnSync(process.execPath, [join(import.meta.dirname, 'build-pki.mjs'), dir, alg, leafArgs.length ? '1' : '0'], {
    encoding: 'utf8',
  });
  expect(r.status, `build-pki.mjs ${dir} ${alg}: ${r.stderr}`).toBe(0);
  return pki;
}

/** The same PKI through a runner that does not block the event loop (needed when this process hosts the KMS). */
export async function buildPkiAsync(
  runner: (args: string[]) => Promise<RunResult>,
  dir: string,
  alg = 'ML-DSA-65',
  leafArgs: string[] = ['--code-signing'],
  keys: { inter?: string; leaf?: string } = {},
): Promise<Pki> {
  const { pki, steps } = pkiSteps(dir, alg, leafArgs, keys);
  for (const s of steps) {
    const r = await runner(s);
    expect(r.code, `pqsign ${s.join(' ')}: ${r.stderr}`).toBe(0);
  }
  return pki;
}
