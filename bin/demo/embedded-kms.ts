// The demo's signing back-end: the local KMS-compatible server, in-process on a free port, with a
// generated credential pair that the child pqsign processes sign their requests with.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isPqsignError } from '../../src/base/errors.js';
import { startKmsServer, type RunningKmsServer } from '../../src/kms-server/index.js';

export const DEMO_ALIAS = 'alias/pqsign-demo';

export interface EmbeddedKms {
  server: RunningKmsServer;
  /** awskms://127.0.0.1:PORT/alias/pqsign-demo */
  keyRef: string;
  /** SHA-256 of the raw public key */
  keyFingerprint: string;
}

/**
 * Start the server, point this process (and so its children) at it, and create the demo key under
 * DEMO_ALIAS unless the data dir already holds it. PQSIGN_DEMO_KMS_DIR keeps the key across runs.
 */
export async function startEmbeddedKms(
  scratch: string,
  pqsign: (args: string[]) => Promise<string>,
  log: (l: string) => void,
): Promise<EmbeddedKms> {
  const dataDir = process.env.PQSIGN_DEMO_KMS_DIR || join(scratch, 'kms-data');
  const credential = {
    accessKeyId: `AKIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  const server = await startKmsServer({ credential, dataDir });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: credential.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
    AWS_REGION: server.region,
    AWS_EC2_METADATA_DISABLED: 'true', // nothing may reach for instance metadata on the network
  });
  delete process.env.AWS_SESSION_TOKEN;
  // the server runs in this process; this is the command that runs the same server on its own
  log(`$ pqsign kms serve --port ${new URL(server.url).port} --data-dir ${dataDir} &   # in-process here`);
  log(
    `embedded KMS on ${server.url} (region ${server.region}, data in ${dataDir}, generated credential ${credential.accessKeyId} in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)`,
  );
  const keyRef = `awskms://${server.url.slice('http://'.length)}/${DEMO_ALIAS}`;
  const { describeKmsKey } = await import('../../src/kms/manage.js');
  let facts;
  try {
    facts = await describeKmsKey(keyRef);
    log(`reusing ${facts.keySpec} key ${facts.arn} (${DEMO_ALIAS})`);
  } catch (e) {
    if (!(isPqsignError(e) && e.detail === 'NotFoundException')) throw e;
    await pqsign([
      'kms',
      'create-key',
      '--spec',
      'ML_DSA_65',
      '--alias',
      DEMO_ALIAS,
      '--description',
      'pqsign demo release key',
      '--endpoint',
      server.url.slice('http://'.length),
    ]);
    facts = await describeKmsKey(keyRef);
    log(`created ${facts.keySpec} key ${facts.arn} as ${DEMO_ALIAS} (pqsign kms create-key)`);
  }
  if (facts.keyState !== 'Enabled' || !facts.keyFingerprint) throw new Error(`the demo key ${facts.arn} is ${facts.keyState}`);
  return { server, keyRef, keyFingerprint: facts.keyFingerprint };
}
