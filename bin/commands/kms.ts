import type { Argv, CommandModule } from 'yargs';
import { action, jsonOption, printJson, usage } from '../cli.js';

interface ServeArgs {
  host: string;
  port: number;
  dataDir?: string;
  region?: string;
  accountId?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
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

const serve: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'run a KMS-compatible server for ML-DSA keys (AWS JSON 1.1 + SigV4; the AWS SDK and CLI work against it)',
  builder: (y) => y.options({
    host: { type: 'string', default: '127.0.0.1', describe: 'listen address (loopback unless you mean otherwise: plain HTTP)' },
    port: { type: 'number', default: 4599, describe: 'port (0: any free port)' },
    'data-dir': { type: 'string', describe: 'keep keys and aliases here across restarts (key material 0600); default: in memory' },
    region: { type: 'string', describe: 'region in ARNs and credential scopes (default $AWS_REGION, else us-east-1)' },
    'account-id': { type: 'string', describe: 'account id in ARNs (default 111122223333)' },
    'access-key-id': { type: 'string', describe: 'the access key id requests must be signed with (default $AWS_ACCESS_KEY_ID)' },
    'secret-access-key': { type: 'string', describe: 'its secret (default $AWS_SECRET_ACCESS_KEY; prefer the environment)' },
    latency: { type: 'number', default: 0, describe: 'fault injection: delay every answer by MS milliseconds' },
    'throttle-rate': { type: 'number', default: 0, describe: 'fault injection: answer ThrottlingException with probability F' },
    'fail-rate': { type: 'number', default: 0, describe: 'fault injection: answer HTTP 500 KMSInternalException with probability F' },
    quiet: { type: 'boolean', default: false, describe: 'no per-request log lines on stderr' },
  }) as never,
  handler: action(async (a: ServeArgs) => {
    const accessKeyId = a.accessKeyId ?? process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = a.secretAccessKey ?? process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw usage('kms serve needs the credential pair it will accept: --access-key-id and --secret-access-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    }
    if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) throw usage(`--port must be 0-65535, got ${a.port}`);
    const { startKmsServer } = await import('../../src/kms/server/index.js');
    const { isLoopback } = await import('../../src/kms/uri.js');
    const server = await startKmsServer({
      credential: { accessKeyId, secretAccessKey },
      host: a.host, port: a.port, dataDir: a.dataDir,
      region: a.region ?? process.env.AWS_REGION, accountId: a.accountId,
      faults: { latencyMs: a.latency, throttleRate: a.throttleRate, failRate: a.failRate },
      log: a.quiet ? undefined : (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
    // stdout carries exactly the URL, so scripts can read where it listens (--port 0).
    process.stdout.write(`${server.url}\n`);
    const authority = server.url.slice('http://'.length);
    process.stderr.write(`pqsign kms: listening on ${server.url} (region ${server.region}, account ${server.accountId}, ${server.dataDir ? `data in ${server.dataDir}` : 'keys in memory only'})\n`
      + `  key references: awskms://${authority}/alias/NAME  (create one: pqsign kms create-key --endpoint ${authority} --alias alias/NAME)\n`);
    if (!isLoopback(server.host)) process.stderr.write('pqsign kms: warning: listening beyond loopback over plain HTTP; put TLS in front of it\n');
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  }),
};

const createKey: CommandModule<object, CreateArgs> = {
  command: 'create-key',
  describe: 'create an ML-DSA signing key in KMS (optionally under an alias)',
  builder: (y) => y.options({
    spec: { type: 'string', default: 'ML_DSA_65', describe: 'ML_DSA_44, ML_DSA_65 or ML_DSA_87' },
    alias: { type: 'string', describe: 'alias/NAME for the new key' },
    description: { type: 'string', describe: 'key description' },
    tag: { type: 'string', array: true, default: [] as string[], describe: 'KEY=VALUE tag (repeatable)' },
    endpoint: { type: 'string', describe: 'HOST:PORT of the KMS endpoint (http for loopback, https otherwise); default: AWS SDK configuration' },
    json: jsonOption,
  }) as never,
  handler: action(async (a: CreateArgs) => {
    const { createKmsKey } = await import('../../src/kms/manage.js');
    const facts = await createKmsKey({ spec: a.spec, alias: a.alias, description: a.description, tags: a.tag, endpoint: a.endpoint });
    if (a.json) printJson(facts);
    else process.stdout.write(`created ${facts.keySpec} key ${facts.arn}\n  key ref  ${facts.keyRef}\n  sha256   ${facts.keyFingerprint}\n`);
  }),
};

const describe: CommandModule<object, DescribeArgs> = {
  command: 'describe',
  describe: 'show a KMS key: ARN, spec, state, aliases, public key fingerprint',
  builder: (y) => y.options({
    key: { type: 'string', demandOption: true, describe: 'awskms:///KEY or awskms://HOST:PORT/KEY' },
    json: jsonOption,
  }) as never,
  handler: action(async (a: DescribeArgs) => {
    const { describeKmsKey } = await import('../../src/kms/manage.js');
    const f = await describeKmsKey(a.key);
    if (a.json) {
      printJson(f);
      return;
    }
    const rows: [string, string | undefined][] = [
      ['arn', f.arn], ['key spec', `${f.keySpec}${f.algorithm ? ` (${f.algorithm})` : ''}`], ['usage', `${f.keyUsage} ${f.signingAlgorithms.join(', ')}`],
      ['state', f.keyState + (f.deletionDate ? ` (deletion on ${f.deletionDate})` : '')], ['created', f.creationDate],
      ['description', f.description || undefined], ['aliases', f.aliases.join(', ') || undefined], ['sha256', f.keyFingerprint ?? undefined],
    ];
    process.stdout.write(`${f.keyRef}\n${rows.filter(([, v]) => v !== undefined).map(([k, v]) => `  ${k.padEnd(12)} ${v}`).join('\n')}\n`);
  }),
};

export const kms: CommandModule = {
  command: 'kms',
  describe: 'AWS KMS keys and a local KMS-compatible server',
  builder: (y: Argv) => y.command(serve as never).command(createKey as never).command(describe as never).demandCommand(1, 'give a kms command: serve, create-key or describe'),
  handler: () => undefined,
};
