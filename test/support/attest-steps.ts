// `pqsign attest FILE... --key KEY --out BUNDLE --builder-id ID` run from DIR, in this process (set-up for
// tests whose subject is what reads a bundle): the statement, envelope and bundle line come from
// src/attest as attestFiles makes them; only the subjects are hashed here, since attestFiles hashes in
// worker threads whose entry exists only built (dist/). Subjects are named relative to DIR, as the CLI names them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePredicate } from '../../src/attest/attest.js';
import { appendLine } from '../../src/attest/bundle.js';
import { encodeEnvelope, signEnvelope } from '../../src/attest/envelope.js';
import { buildStatement, INTOTO_PAYLOAD_TYPE } from '../../src/attest/statement.js';
import { loadSigner } from '../../src/pipeline/keyref.js';

export async function attestIn(dir: string, files: string[], keyRef: string, out: string, builderId: string): Promise<void> {
  const { predicateType, predicate } = resolvePredicate({ env: {}, provenance: { builderId } });
  const subjects = files.map((name) => {
    const data = readFileSync(join(dir, name));
    const digest = (alg: string) => createHash(alg).update(data).digest('hex');
    return { name, digest: { sha256: digest('sha256'), sha512: digest('sha512') } };
  });
  const payload = new TextEncoder().encode(JSON.stringify(buildStatement(subjects, predicateType, predicate)));
  const signer = await loadSigner(keyRef);
  try {
    await appendLine(out, encodeEnvelope(await signEnvelope(INTOTO_PAYLOAD_TYPE, payload, signer)));
  } finally {
    await signer.close?.();
  }
}
