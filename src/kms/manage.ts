// `pqsign kms` key management: create-key, describe, list, alias create|update|delete, enable,
// disable, schedule-deletion, cancel-deletion — through the AWS SDK like everything else, so they
// work against AWS KMS and the local server alike.
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetPublicKeyCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
  type AliasListEntry,
  type KeyMetadata,
  type KeySpec,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { PqsignError, opt } from '../base/errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { paramByKmsSpec, PARAM_SETS } from '../mldsa/params.js';
import { mapBounded } from '../base/pool.js';
import { openKmsClient } from './client.js';
import { kmsErrorName, kmsFailure } from './errors.js';
import { checkPublicKey } from './public-key.js';
import { ECC_SPECS, eccSpec } from './ecc-specs.js';
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

function checkAlias(alias: string, flag: string): void {
  if (!ALIAS.test(alias)) throw new PqsignError('ERR_USAGE', `${flag} must look like alias/NAME (letters, digits, / _ -), got "${alias}"`);
}

function parseTags(tags: string[]): { TagKey: string; TagValue: string }[] {
  return tags.map((t) => {
    const eq = t.indexOf('=');
    if (eq < 1) throw new PqsignError('ERR_USAGE', `${opt('tag')} takes KEY=VALUE, got "${t}"`, { option: 'tag' });
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
  // ECC keys are the traditional part of composite keys (docs/hybrid.md)
  const spec = paramByKmsSpec(opts.spec)?.kmsKeySpec ?? (eccSpec(opts.spec) ? opts.spec : undefined);
  if (!spec)
    throw new PqsignError(
      'ERR_USAGE',
      `${opt('spec')} must be one of ${[...PARAM_SETS.map((p) => p.kmsKeySpec), ...Object.keys(ECC_SPECS)].join(', ')}, got "${opts.spec}"`,
      { option: 'spec' },
    );
  if (opts.alias !== undefined) checkAlias(opts.alias, opt('alias'));
  const tags = parseTags(opts.tags);
  const authority = opts.endpoint ?? '';
  const endpoint = opts.endpoint ? endpointUrl(opts.endpoint, opt('endpoint')) : undefined;
  const where = `${SCHEME}${authority}/`;
  const client = await openKmsClient({ endpoint, region: undefined });
  try {
    if (opts.alias) {
      // Refuse before creating a key, so a taken alias does not leave an orphaned key behind.
      const taken = await client.send(new DescribeKeyCommand({ KeyId: opts.alias })).then(
        () => true,
        (e: unknown) => {
          if (kmsErrorName(e) === 'NotFoundException') return false;
          throw kmsFailure(e, 'DescribeKey', `${where}${opts.alias}`);
        },
      );
      if (taken)
        throw new PqsignError('ERR_USAGE', `alias ${opts.alias} already exists; choose another or delete it first`, {
          file: `${where}${opts.alias}`,
        });
    }
    const created = await call('CreateKey', where, () =>
      client.send(
        new CreateKeyCommand({
          KeySpec: spec as KeySpec,
          KeyUsage: 'SIGN_VERIFY',
          Description: opts.description,
          Tags: tags.length ? tags : undefined,
        }),
      ),
    );
    const meta = created.KeyMetadata!;
    if (opts.alias) {
      await call('CreateAlias', `${where}${opts.alias}`, () =>
        client.send(new CreateAliasCommand({ AliasName: opts.alias, TargetKeyId: meta.KeyId })),
      ).catch((e: PqsignError) => {
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
  // an ECC key has no fingerprint of its own here: verifiers pin the composite key it is part of
  if (meta.KeyState === 'Enabled' && !eccSpec(meta.KeySpec ?? '')) {
    const pub = await call('GetPublicKey', keyRef, () => client.send(new GetPublicKeyCommand({ KeyId: meta.Arn })));
    fingerprint = keyFingerprint(checkPublicKey(pub, keyRef).publicKey);
  }
  return { ...summary(keyRef, meta, (aliases.Aliases ?? []).map((a) => a.AliasName!).filter(Boolean)), keyFingerprint: fingerprint };
}

/** What KMS says about a key without asking for its public key (fingerprint null). */
function summary(keyRef: string, meta: KeyMetadata, aliases: string[]): KmsKeyFacts {
  return {
    keyRef,
    keyId: meta.KeyId!,
    arn: meta.Arn!,
    keySpec: meta.KeySpec ?? 'unknown',
    algorithm: paramByKmsSpec(meta.KeySpec ?? '')?.name ?? eccSpec(meta.KeySpec ?? '')?.algorithm,
    keyUsage: meta.KeyUsage ?? 'unknown',
    keyState: meta.KeyState ?? 'unknown',
    enabled: meta.Enabled === true,
    description: meta.Description ?? '',
    creationDate: meta.CreationDate?.toISOString(),
    deletionDate: meta.DeletionDate?.toISOString(),
    signingAlgorithms: meta.SigningAlgorithms ?? [],
    aliases,
    keyFingerprint: null,
  };
}

/** A client for a reference, closed after `fn`. */
async function withClient<T>(refText: string, fn: (client: KMSClient, ref: ReturnType<typeof parseKmsRef>) => Promise<T>): Promise<T> {
  const ref = parseKmsRef(refText);
  const client = await openKmsClient(ref);
  try {
    return await fn(client, ref);
  } finally {
    client.destroy();
  }
}

/** Key-state operations take a key id or ARN only: an alias reference is resolved first. */
async function keyArnOf(client: KMSClient, ref: ReturnType<typeof parseKmsRef>): Promise<string> {
  const out = await call('DescribeKey', ref.ref, () => client.send(new DescribeKeyCommand({ KeyId: ref.keyId })));
  return out.KeyMetadata!.Arn!;
}

export type KeyStateChange = 'enable' | 'disable' | 'schedule-deletion' | 'cancel-deletion';

/** Enable, disable, schedule or cancel deletion; returns the key's facts afterwards. */
export async function changeKeyState(refText: string, change: KeyStateChange, days?: number): Promise<KmsKeyFacts> {
  if (days !== undefined && !(Number.isInteger(days) && days >= 7 && days <= 30)) {
    throw new PqsignError('ERR_USAGE', `${opt('days')} must be a whole number of days from 7 to 30 (KMS's waiting period), got ${days}`, {
      option: 'days',
    });
  }
  return withClient(refText, async (client, ref) => {
    const KeyId = await keyArnOf(client, ref);
    const op = {
      enable: ['EnableKey', () => client.send(new EnableKeyCommand({ KeyId }))],
      disable: ['DisableKey', () => client.send(new DisableKeyCommand({ KeyId }))],
      'schedule-deletion': ['ScheduleKeyDeletion', () => client.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: days }))],
      'cancel-deletion': ['CancelKeyDeletion', () => client.send(new CancelKeyDeletionCommand({ KeyId }))],
    } as const;
    const [name, send] = op[change];
    await call(name, ref.ref, send as () => Promise<unknown>);
    const out = await call('DescribeKey', ref.ref, () => client.send(new DescribeKeyCommand({ KeyId })));
    return facts(client, ref.ref, out.KeyMetadata!);
  });
}

export interface AliasResult {
  alias: string;
  /** awskms:// reference of the alias */
  keyRef: string;
  keyId: string;
  arn: string;
}

/** CreateAlias or UpdateAlias: `alias` names the key `refText` points at (same endpoint and region). */
export async function setKmsAlias(alias: string, refText: string, mode: 'create' | 'update'): Promise<AliasResult> {
  checkAlias(alias, 'the alias');
  return withClient(refText, async (client, ref) => {
    const arn = await keyArnOf(client, ref);
    const target = aliasRef(ref, alias);
    if (mode === 'create')
      await call('CreateAlias', target, () => client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn })));
    else await call('UpdateAlias', target, () => client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: arn })));
    return { alias, keyRef: target, keyId: arn.slice(arn.lastIndexOf('/') + 1), arn };
  });
}

export async function deleteKmsAlias(alias: string, endpoint: string | undefined): Promise<{ alias: string; keyRef: string }> {
  checkAlias(alias, 'the alias');
  const keyRef = `${SCHEME}${endpoint ?? ''}/${alias}`;
  return withClient(keyRef, async (client) => {
    await call('DeleteAlias', keyRef, () => client.send(new DeleteAliasCommand({ AliasName: alias })));
    return { alias, keyRef };
  });
}

/** The reference of `alias` on the endpoint of `ref` (an alias ARN when `ref` is an ARN: same region and account). */
function aliasRef(ref: ReturnType<typeof parseKmsRef>, alias: string): string {
  const id = ref.keyId.startsWith('arn:') ? ref.keyId.replace(/:(?:key|alias)\/.*$/, `:${alias}`) : alias;
  return ref.ref.slice(0, ref.ref.length - ref.keyId.length) + id;
}

export interface ListOptions {
  endpoint?: string | undefined;
  /** keys of every spec, not only ML-DSA */
  all: boolean;
}

/** Every key (ML-DSA keys unless `all`), with state and aliases; one ListKeys/ListAliases walk, DescribeKey per key. */
export async function listKmsKeys(opts: ListOptions): Promise<KmsKeyFacts[]> {
  const where = `${SCHEME}${opts.endpoint ?? ''}/`;
  const endpoint = opts.endpoint ? endpointUrl(opts.endpoint, opt('endpoint')) : undefined;
  const client = await openKmsClient({ endpoint, region: undefined });
  try {
    const keyIds: string[] = [];
    const aliases: AliasListEntry[] = [];
    for (let marker: string | undefined, more = true; more;) {
      const page = await call('ListKeys', where, () => client.send(new ListKeysCommand({ Marker: marker })));
      keyIds.push(...(page.Keys ?? []).map((k) => k.KeyId!));
      [marker, more] = [page.NextMarker, page.Truncated === true];
    }
    for (let marker: string | undefined, more = true; more;) {
      const page = await call('ListAliases', where, () => client.send(new ListAliasesCommand({ Marker: marker })));
      aliases.push(...(page.Aliases ?? []));
      [marker, more] = [page.NextMarker, page.Truncated === true];
    }
    const described = await mapBounded(keyIds, 8, (KeyId) =>
      call('DescribeKey', `${where}${KeyId}`, () => client.send(new DescribeKeyCommand({ KeyId }))),
    );
    const out: KmsKeyFacts[] = [];
    for (const r of described) {
      if (!r.ok) throw r.error;
      const meta = r.value.KeyMetadata!;
      if (!opts.all && !paramByKmsSpec(meta.KeySpec ?? '') && !eccSpec(meta.KeySpec ?? '')) continue;
      const names = aliases
        .filter((a) => a.TargetKeyId === meta.KeyId)
        .map((a) => a.AliasName!)
        .sort();
      out.push(summary(`${where}${names[0] ?? meta.Arn}`, meta, names));
    }
    return out;
  } finally {
    client.destroy();
  }
}
