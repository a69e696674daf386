// A local KMS for tests: the real server in this process, the real @aws-sdk/client-kms over HTTP,
// and the environment child pqsign processes need so that nothing reaches for the network.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { CreateAliasCommand, CreateKeyCommand, GetPublicKeyCommand, KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { encodePem } from '../../src/asn1/pem.js';
import { startKmsServer, type KmsServerOptions, type RunningKmsServer } from '../../src/kms-server/index.js';

// The SDK's notice about its own future Node requirement is noise in test output (pqsign does the same).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const CREDENTIAL = { accessKeyId: 'AKIAPQSIGNTEST000001', secretAccessKey: 'pqsign-test-secret-0123456789abcdefghijkl' };
export const REGION = 'us-east-1';

export interface TestKms {
  server: RunningKmsServer;
  /** every request the server answered: "Sign EXTERNAL_MU 200 3ms" */
  log: string[];
  /** HOST:PORT */
  authority: string;
  /** environment for child pqsign processes */
  env: Record<string, string>;
  client(config?: Partial<KMSClientConfig>): KMSClient;
  /** create a signing key, ML-DSA or ECC (and alias); returns the key ARN */
  createKey(
    spec: 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521',
    alias?: string,
  ): Promise<string>;
  ref(keyId: string): string;
}

/** Credentials, region and switches for a child process; no instance metadata, no session token. */
export const childEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: CREDENTIAL.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIAL.secretAccessKey,
  AWS_SESSION_TOKEN: '',
  AWS_REGION: REGION,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '8',
  ...extra,
});

/** Start a server for the current test file (closed after it). */
export async function startTestKms(opts: Partial<KmsServerOptions> = {}): Promise<TestKms> {
  const log: string[] = [];
  const server = await startKmsServer({ credential: CREDENTIAL, region: REGION, log: (l) => log.push(l), ...opts });
  const clients: KMSClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.close();
  });
  const authority = server.url.slice('http://'.length);
  const kms: TestKms = {
    server,
    log,
    authority,
    env: childEnv(),
    client(config = {}) {
      const c = new KMSClient({ endpoint: server.url, region: REGION, credentials: CREDENTIAL, ...config });
      clients.push(c);
      return c;
    },
    async createKey(spec, alias) {
      const c = kms.client();
      const out = await c.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
      if (alias) await c.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: out.KeyMetadata!.KeyId }));
      return out.KeyMetadata!.Arn!;
    },
    ref: (keyId) => `awskms://${authority}/${keyId}`,
  };
  return kms;
}

/** The error a KMS call failed with (name, message, HTTP status), or a failure if it did not fail. */
export async function kmsError(p: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the KMS call to fail');
}

export const ML_DSA_SPECS = ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const;
export type MlDsaSpec = (typeof ML_DSA_SPECS)[number];

/** One key per ML-DSA spec, alias/shared-44|65|87, made through the SDK for tests that sign rather than create
 * keys: its awskms:// reference and its public key as DIR/shared-SPEC.pub.pem. */
export async function sharedMlDsaKeys(kms: TestKms, dir: string): Promise<Record<MlDsaSpec, { ref: string; pub: string }>> {
  return Object.fromEntries(
    await Promise.all(
      ML_DSA_SPECS.map(async (spec) => {
        const alias = `alias/shared-${spec.slice(-2)}`;
        await kms.createKey(spec, alias);
        const out = await kms.client().send(new GetPublicKeyCommand({ KeyId: alias }));
        const pub = join(dir, `shared-${spec}.pub.pem`);
        writeFileSync(pub, encodePem('PUBLIC KEY', out.PublicKey!));
        return [spec, { ref: kms.ref(alias), pub }];
      }),
    ),
  ) as Record<MlDsaSpec, { ref: string; pub: string }>;
}

/** DIR/batch-0..2.bin, small enough for KMS RAW, and DIR/batch-empty.bin, which KMS RAW refuses (it needs
 * 1-4096 bytes) with ValidationException: a batch where exactly one file fails at KMS. */
export function batchWithOneKmsFailure(dir: string): { good: string[]; empty: string } {
  const good = [0, 1, 2].map((i) => {
    const f = join(dir, `batch-${i}.bin`);
    writeFileSync(f, `batch ${i}`);
    return f;
  });
  const empty = join(dir, 'batch-empty.bin');
  writeFileSync(empty, '');
  return { good, empty };
}
