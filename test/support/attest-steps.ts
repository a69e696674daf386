// `pqsign attest FILE... --key KEY --out BUNDLE --builder-id ID` run from DIR, in this process (set-up for
// tests whose subject is what reads a bundle): attestFiles with one job, which hashes in this thread (no
// worker, whose entry exists only built). Subjects are named relative to DIR, as the CLI names them.
// Also what the attest and inspect tests (unit and CLI halves) read bundles with and build them from.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attestFiles } from '../../src/attest/attest.js';
import { loadSigner } from '../../src/pipeline/keyref.js';

export async function attestIn(dir: string, files: string[], keyRef: string, out: string, builderId: string): Promise<void> {
  const signer = await loadSigner(keyRef);
  try {
    await attestFiles(
      files.map((f) => join(dir, f)),
      signer,
      { baseDir: dir, env: {}, provenance: { builderId }, jobs: 1, out },
    );
  } finally {
    await signer.close?.();
  }
}

/** A DSSE envelope as one line of a bundle holds it. */
export interface EnvelopeJson {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

/** The envelopes of a JSON Lines bundle, in order. */
export const bundleLines = (file: string): EnvelopeJson[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** The in-toto statement an envelope signs. */
export const statementOf = (e: EnvelopeJson) => JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8'));

/** A GitHub Actions runner's environment for a tag push (the variables provenance reads). */
export const GITHUB_RELEASE_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'acme/firmware',
  GITHUB_REF: 'refs/tags/v2.1.0',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_WORKFLOW_REF: 'acme/firmware/.github/workflows/release.yml@refs/tags/v2.1.0',
  GITHUB_RUN_ID: '9000',
  GITHUB_RUN_ATTEMPT: '2',
  RUNNER_ENVIRONMENT: 'self-hosted',
  GITHUB_EVENT_NAME: 'push',
};

/** WORK/release.intoto.jsonl of two envelopes: a.bin and b.bin under the leaf key, then a.bin under the intermediate's. */
export async function twoEnvelopeBundle(work: string, pki: { leafKey: string; interKey: string }): Promise<string> {
  const bundle = join(work, 'release.intoto.jsonl');
  mkdirSync(work);
  writeFileSync(join(work, 'a.bin'), 'artifact a');
  writeFileSync(join(work, 'b.bin'), 'artifact b');
  await attestIn(work, ['a.bin', 'b.bin'], pki.leafKey, bundle, 'https://ci.example/b');
  await attestIn(work, ['a.bin'], pki.interKey, bundle, 'https://ci.example/b');
  return bundle;
}
