import type { Argv, CommandModule } from 'yargs';
import type { KmsKeyFacts } from '../../src/kms/manage.js';
import { action, jsonOption, printJson, usage } from '../cli.js';

interface ServeArgs {
  host: string;
  port: number;
  dataDir?: string;
  region?: string;
  accountId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  secretAccessKeyFile?: string;
  latency: number;
  throttleRate: number;
  failRate: number;
  quiet: boolean;
}

interface CreateArgs {
  spec: string;
  alias?: string;
  description?: string;
  tag: string[];
  endpoint?: string;
  json: boolean;
}

interface DescribeArgs {
  key: string;
  json: boolean;
}

const endpointOption = {
  type: 'string',
  describe: 'HOST:PORT of the KMS endpoint (http for loopback, https otherwise); default: AWS SDK configuration',
} as const;
const kmsKeyOption = {
  type: 'string',
  demandOption: true,
  describe: 'awskms:///KEY or awskms://HOST:PORT/KEY (key id, key ARN, alias/NAME or alias ARN)',
} as const;

const serve: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'run a KMS-compatible server for ML-DSA keys (AWS JSON 1.1 + SigV4; the AWS SDK and CLI work against it)',
  builder: (y) =>
    y.options({
      host: { type: 'string', default: '127.0.0.1', describe: 'listen address (loopback unless you mean otherwise: plain HTTP)' },
      port: { type: 'number', default: 4599, describe: 'port (0: any free port)' },
      'data-dir': { type: 'string', describe: 'keep keys and aliases here across restarts (key material 0600); default: in memory' },
      region: { type: 'string', describe: 'region in ARNs and credential scopes (default $AWS_REGION, else us-east-1)' },
      'account-id': { type: 'string', describe: 'account id in ARNs (default 111122223333)' },
      'access-key-id': { type: 'string', describe: 'the access key id requests must be signed with (default $AWS_ACCESS_KEY_ID)' },
      'secret-access-key': {
        type: 'string',
        describe:
          'its secret (default $AWS_SECRET_ACCESS_KEY); visible to other users in ps: prefer the environment or --secret-access-key-file',
      },
      'secret-access-key-file': { type: 'string', describe: 'read the secret from the first line of this file' },
      latency: { type: 'number', default: 0, describe: 'fault injection: delay every answer by MS milliseconds' },
      'throttle-rate': { type: 'number', default: 0, describe: 'fault injection: answer ThrottlingException with probability F' },
      'fail-rate': { type: 'number', default: 0, describe: 'fault injection: answer HTTP 500 KMSInternalException with probability F' },
      quiet: { type: 'boolean', default: false, describe: 'no per-request log lines on stderr' },
    }) as never,
  handler: action(async (a: ServeArgs) => {
    if (a.secretAccessKey !== undefined && a.secretAccessKeyFile !== undefined)
      throw usage('give --secret-access-key or --secret-access-key-file, not both');
    const accessKeyId = a.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey =
      a.secretAccessKeyFile !== undefined
        ? await readSecretFile(a.secretAccessKeyFile)
        : (a.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY);
    if (!accessKeyId || !secretAccessKey) {
      throw usage(
        'kms serve needs the credential pair it will accept: --access-key-id and --secret-access-key(-file), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
    }
    if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw usage(`--port must be 0-65535, got ${a.port}`);
    const { startKmsServer } = await import('../../src/kms-server/index.js');
    const { isLoopback } = await import('../../src/kms/uri.js');
    const server = await startKmsServer({
      credential: { accessKeyId, secretAccessKey },
      host: a.host,
      port: a.port,
      dataDir: a.dataDir,
      region: a.region ?? process.env.AWS_REGION,
      accountId: a.accountId,
      faults: { latencyMs: a.latency, throttleRate: a.throttleRate, failRate: a.failRate },
      log: a.quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
      warn: (line) => process.stderr.write(`pqsign kms: warning: ${line}\n`),
    });
    // stdout carries exactly the URL, so scripts can read where it listens (--port 0).
    process.stdout.write(`${server.url}\n`);
    const authority = server.url.slice('http://'.length);
    process.stderr.write(
      `pqsign kms: listening on ${server.url} (region ${server.region}, account ${server.accountId}, ${server.dataDir ? `data in ${server.dataDir}` : 'keys in memory only'})\n` +
        `  key references: awskms://${authority}/alias/NAME  (create one: pqsign kms create-key --endpoint ${authority} --alias alias/NAME)\n`,
    );
    if (!isLoopback(server.host))
      process.stderr.write('pqsign kms: warning: listening beyond loopback over plain HTTP; put TLS in front of it\n');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  }),
};

/** The first line of a secret file (a trailing newline is not part of the secret), bounded like a passphrase file. */
async function readSecretFile(path: string): Promise<string> {
  const { readSmallFile } = await import('../../src/io/read.js');
  const secret = Buffer.from(await readSmallFile(path, 'secret access key file', 64 * 1024))
    .toString('utf8')
    .split(/\r?\n/)[0];
  if (!secret) throw usage(`--secret-access-key-file ${path} is empty`);
  return secret;
}

const createKey: CommandModule<object, CreateArgs> = {
  command: 'create-key',
  describe: 'create an ML-DSA (or ECC, for composites) signing key in KMS (optionally under an alias)',
  builder: (y) =>
    y.options({
      spec: {
        type: 'string',
        default: 'ML_DSA_65',
        describe: 'ML_DSA_44, ML_DSA_65, ML_DSA_87, or ECC_NIST_P256/P384/P521 for the ECDSA part of a composite key',
      },
      alias: { type: 'string', describe: 'alias/NAME for the new key' },
      description: { type: 'string', describe: 'key description' },
      tag: { type: 'string', array: true, default: [] as string[], describe: 'KEY=VALUE tag (repeatable)' },
      endpoint: endpointOption,
      json: jsonOption,
    }) as never,
  handler: action(async (a: CreateArgs) => {
    const { createKmsKey } = await import('../../src/kms/manage.js');
    const facts = await createKmsKey({ spec: a.spec, alias: a.alias, description: a.description, tags: a.tag, endpoint: a.endpoint });
    if (a.json) printJson(facts);
    else
      process.stdout.write(
        `created ${facts.keySpec} key ${facts.arn}\n  key ref  ${facts.keyRef}\n${facts.keyFingerprint ? `  sha256   ${facts.keyFingerprint}\n` : ''}`,
      );
  }),
};

// The SDK loads only when a kms command runs.
const manage = () => import('../../src/kms/manage.js');

function printFacts(f: KmsKeyFacts): void {
  const rows: [string, string | undefined][] = [
    ['arn', f.arn],
    ['key spec', `${f.keySpec}${f.algorithm ? ` (${f.algorithm})` : ''}`],
    ['usage', `${f.keyUsage} ${f.signingAlgorithms.join(', ')}`],
    ['state', f.keyState + (f.deletionDate ? ` (deletion on ${f.deletionDate})` : '')],
    ['created', f.creationDate],
    ['description', f.description || undefined],
    ['aliases', f.aliases.join(', ') || undefined],
    ['sha256', f.keyFingerprint ?? undefined],
  ];
  process.stdout.write(
    `${f.keyRef}\n${rows
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `  ${k.padEnd(12)} ${v}`)
      .join('\n')}\n`,
  );
}

const describe: CommandModule<object, DescribeArgs> = {
  command: 'describe',
  describe: 'show a KMS key: ARN, spec, state, aliases, public key fingerprint',
  builder: (y) => y.options({ key: kmsKeyOption, json: jsonOption }) as never,
  handler: action(async (a: DescribeArgs) => {
    const f = await (await manage()).describeKmsKey(a.key);
    if (a.json) printJson(f);
    else printFacts(f);
  }),
};

interface ListArgs {
  endpoint?: string;
  all: boolean;
  json: boolean;
}

const list: CommandModule<object, ListArgs> = {
  command: 'list',
  describe: 'list the ML-DSA and ECC signing keys in KMS with their state and aliases',
  builder: (y) =>
    y.options({
      endpoint: endpointOption,
      all: { type: 'boolean', default: false, describe: 'list keys of every spec, not only ML-DSA and ECC_NIST signing keys' },
      json: { ...jsonOption, describe: 'one JSON object per key' },
    }) as never,
  handler: action(async (a: ListArgs) => {
    const keys = await (await manage()).listKmsKeys({ endpoint: a.endpoint, all: a.all });
    if (a.json) {
      for (const k of keys) printJson(k);
      return;
    }
    for (const k of keys) {
      const spec = k.algorithm ?? k.keySpec;
      process.stdout.write(`${k.keyId}  ${spec.padEnd(9)}  ${k.keyState.padEnd(15)}  ${k.aliases.join(', ') || '-'}\n`);
    }
    process.stderr.write(`${keys.length} key${keys.length === 1 ? '' : 's'}\n`);
  }),
};

interface StateArgs {
  key: string;
  days?: number;
  json: boolean;
}

/** enable, disable, schedule-deletion, cancel-deletion: one KMS call on the key a reference names. */
function stateCommand(
  change: 'enable' | 'disable' | 'schedule-deletion' | 'cancel-deletion',
  describe: string,
  done: (f: KmsKeyFacts) => string,
): CommandModule<object, StateArgs> {
  return {
    command: change,
    describe,
    builder: (y) =>
      y.options({
        key: kmsKeyOption,
        ...(change === 'schedule-deletion'
          ? { days: { type: 'number', default: 30, describe: 'waiting period before KMS deletes the key, 7-30 days' } }
          : {}),
        json: jsonOption,
      }) as never,
    handler: action(async (a: StateArgs) => {
      const f = await (await manage()).changeKeyState(a.key, change, a.days);
      if (a.json) printJson(f);
      else process.stderr.write(`${done(f)}\n`);
    }),
  };
}

const enable = stateCommand('enable', 'enable a KMS key (it can sign again)', (f) => `enabled ${f.arn} (${f.keyState})`);
const disable = stateCommand('disable', 'disable a KMS key: it refuses to sign until enabled', (f) => `disabled ${f.arn} (${f.keyState})`);
const scheduleDeletion = stateCommand(
  'schedule-deletion',
  'schedule the deletion of a KMS key after a waiting period (--days 7-30, default 30)',
  (f) => `${f.arn} is pending deletion; KMS deletes it on ${f.deletionDate} unless you run: pqsign kms cancel-deletion --key ${f.keyRef}`,
);
const cancelDeletion = stateCommand(
  'cancel-deletion',
  'cancel a scheduled deletion; the key comes back disabled',
  (f) => `deletion of ${f.arn} canceled; the key is ${f.keyState} (pqsign kms enable --key ${f.keyRef} to sign with it)`,
);

interface AliasArgs {
  name: string;
  key?: string;
  endpoint?: string;
  json: boolean;
}

function aliasSet(mode: 'create' | 'update'): CommandModule<object, AliasArgs> {
  return {
    command: `${mode} <name>`,
    describe: mode === 'create' ? 'create alias/NAME for the key --key names' : 'point the existing alias/NAME at the key --key names',
    builder: (y) =>
      y.positional('name', { type: 'string', describe: 'alias/NAME' }).options({
        key: {
          ...kmsKeyOption,
          describe: "the target key: awskms:///KEY or awskms://HOST:PORT/KEY (its endpoint and region are the alias's)",
        },
        json: jsonOption,
      }) as never,
    handler: action(async (a: AliasArgs) => {
      const r = await (await manage()).setKmsAlias(a.name, a.key!, mode);
      if (a.json) printJson(r);
      else process.stderr.write(`${mode === 'create' ? 'created' : 'updated'} ${r.alias} -> ${r.arn}\n  key ref  ${r.keyRef}\n`);
    }),
  };
}

const aliasDelete: CommandModule<object, AliasArgs> = {
  command: 'delete <name>',
  describe: 'delete alias/NAME (the key it points at is not affected)',
  builder: (y) =>
    y.positional('name', { type: 'string', describe: 'alias/NAME' }).options({ endpoint: endpointOption, json: jsonOption }) as never,
  handler: action(async (a: AliasArgs) => {
    const r = await (await manage()).deleteKmsAlias(a.name, a.endpoint);
    if (a.json) printJson({ ...r, deleted: true });
    else process.stderr.write(`deleted ${r.alias}\n`);
  }),
};

const alias: CommandModule = {
  command: 'alias',
  describe: 'create, update or delete a KMS alias',
  builder: (y: Argv) =>
    y
      .command(aliasSet('create') as never)
      .command(aliasSet('update') as never)
      .command(aliasDelete as never)
      .demandCommand(1, 'give an alias command: create, update or delete'),
  handler: () => undefined,
};

const COMMANDS = [serve, createKey, describe, list, alias, enable, disable, scheduleDeletion, cancelDeletion];

export const kms: CommandModule = {
  command: 'kms',
  describe: 'AWS KMS keys and a local KMS-compatible server',
  builder: (y: Argv) =>
    COMMANDS.reduce((acc, c) => acc.command(c as never), y).demandCommand(
      1,
      'give a kms command: serve, create-key, describe, list, alias, enable, disable, schedule-deletion or cancel-deletion',
    ),
  handler: () => undefined,
};
