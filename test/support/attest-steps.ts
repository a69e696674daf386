// `pqsign attest FILE... --key KEY --out BUNDLE --builder-id ID` run from DIR, in this process (set-up for
// tests whose subject is what reads a bundle): attestFiles with one job, which hashes in this thread (no
// worker, whose entry exists only built). Subjects are named relative to DIR, as the CLI names them.
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
