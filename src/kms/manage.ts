// `pqsign kms create-key` and `pqsign kms describe`, through the AWS SDK like everything else.
import {
  CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetPublicKeyCommand, ListAliasesCommand,
  type KeyMetadata, type KMSClient,
} from '@aws-sdk/client-kms';
import { PqsignError } from '../errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { paramByKmsSpec, PARAM_SETS } from '../params.js';
import { openKmsClient } from './client.js';
import { kmsErrorName, kmsFailure } from './errors.js';
import { checkPublicKey } from './public-key.js';
import { endpointUrl, parseKmsRef, SCHEME } from './uri.js';

export interface CreateKeyOptions {
  spec: string;
  alias?: string | undefined;
  description?: string | undefined;
  /** K=V */
  tags: string[];
  /** HOST[:PORT] of a KMS endpoint; default: the SDK's configuration */
  endpoint?: string | undefined;
}

export interface KmsKeyFacts {
  keyRef: string;
  keyId: string;
  arn: string;
  keySpec: string;
  algorithm: string | undefined;
  keyUsage: string;
  keyState: string;
  enabled: boolean;
  description: string;
  creationDate: string | undefined;
  deletionDate: string | undefined;
  signingAlgorithms: string[];
  aliases: string[];
  /** SHA-256 of the raw public key; null when KMS cannot hand it out (disabled, pending deletion) */
  keyFingerprint: string | null;
}

const ALIAS = /^alias\/[a-zA-Z0-9/_-]+$/;

function parseTags(tags: string[]): { TagKey: string; TagValue: string }[] {
  return tags.map((t) => {
    const eq = t.indexOf('=');
    if (eq < 1) throw new PqsignError('ERR_USAGE', `--tag takes KEY=VALUE, got "${t}"`);
    return { TagKey: t.slice(0, eq), TagValue: t.slice(eq + 1) };
  });
}

async function call<T>(op: string, key: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw kmsFailure(e, op, key);
  }
}

export async function createKmsKey(opts: CreateKeyOptions): Promise<KmsKeyFacts> {
  const params = paramByKmsSpec(opts.spec);
  if (!params) throw new PqsignError('ERR_USAGE', `--spec must be one of ${PARAM_SETS.map((p) => p.kmsKeySpec).join(', ')}, got "${opts.spec}"`);
  if (opts.alias !== undefined && !ALIAS.test(opts.alias)) throw new PqsignError('ERR_USAGE', `--alias must look like alias/NAME (letters, digits, / _ -), got "${opts.alias}"`);
  const tags = parseTags(opts.tags);
  const authority = opts.endpoint ?? '';
  const endpoint = opts.endpoint ? endpointUrl(opts.endpoint, '--endpoint') : undefined;
  const where = `${SCHEME}${authority}/`;
  const client = await openKmsClient({ endpoint, region: undefined });
  try {
    if (opts.alias) {
      // Refuse before creating a key, so a taken alias does not leave an orphaned key behind.
      const taken = await client.send(new DescribeKeyCommand({ KeyId: opts.alias })).then(() => true, (e: unknown) => {
        if (kmsErrorName(e) === 'NotFoundException') return false;
        throw kmsFailure(e, 'DescribeKey', `${where}${opts.alias}`);
      });
      if (taken) throw new PqsignError('ERR_USAGE', `alias ${opts.alias} already exists; choose another or delete it first`, { file: `${where}${opts.alias}` });
    }
    const created = await call('CreateKey', where, () => client.send(new CreateKeyCommand({
      KeySpec: params.kmsKeySpec, KeyUsage: 'SIGN_VERIFY', Description: opts.description, Tags: tags.length ? tags : undefined,
    })));
    const meta = created.KeyMetadata!;
    if (opts.alias) {
      await call('CreateAlias', `${where}${opts.alias}`, () => client.send(new CreateAliasCommand({ AliasName: opts.alias, TargetKeyId: meta.KeyId })))
        .catch((e: PqsignError) => {
          throw new PqsignError('ERR_KMS', `created key ${meta.Arn} but not its alias: ${e.message}`, { detail: e.detail, cause: e });
        });
    }
    return await facts(client, `${where}${opts.alias ?? meta.Arn}`, meta);
  } finally {
    client.destroy();
  }
}

export async function describeKmsKey(refText: string): Promise<KmsKeyFacts> {
  const ref = parseKmsRef(refText);
  const client = await openKmsClient(ref);
  try {
    const out = await call('DescribeKey', ref.ref, () => client.send(new DescribeKeyCommand({ KeyId: ref.keyId })));
    return await facts(client, ref.ref, out.KeyMetadata!);
  } finally {
    client.destroy();
  }
}

async function facts(client: KMSClient, keyRef: string, meta: KeyMetadata): Promise<KmsKeyFacts> {
  const aliases = await call('ListAliases', keyRef, () => client.send(new ListAliasesCommand({ KeyId: meta.KeyId })));
  let fingerprint: string | null = null;
  if (meta.KeyState === 'Enabled') {
    const pub = await call('GetPublicKey', keyRef, () => client.send(new GetPublicKeyCommand({ KeyId: meta.Arn })));
    fingerprint = keyFingerprint(checkPublicKey(pub, keyRef).publicKey);
  }
  return {
    keyRef,
    keyId: meta.KeyId!,
    arn: meta.Arn!,
    keySpec: meta.KeySpec ?? 'unknown',
    algorithm: paramByKmsSpec(meta.KeySpec ?? '')?.name,
    keyUsage: meta.KeyUsage ?? 'unknown',
    keyState: meta.KeyState ?? 'unknown',
    enabled: meta.Enabled === true,
    description: meta.Description ?? '',
    creationDate: meta.CreationDate?.toISOString(),
    deletionDate: meta.DeletionDate?.toISOString(),
    signingAlgorithms: meta.SigningAlgorithms ?? [],
    aliases: (aliases.Aliases ?? []).map((a) => a.AliasName!).filter(Boolean),
    keyFingerprint: fingerprint,
  };
}
