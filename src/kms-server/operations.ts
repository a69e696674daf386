// The KMS operations the local server implements, with KMS's request validation, key-state rules,
// response shapes and error names. Only signing keys exist here (KeyUsage SIGN_VERIFY): ML-DSA
// (KeySpec ML_DSA_44/65/87, SigningAlgorithms [ML_DSA_SHAKE_256]) and ECC (ECC_NIST_P256/P384/P521, each
// with its one ECDSA_SHA_256/384/512, for composite signatures); signing is hedged, as in KMS.
import { signMu, verifyMu } from '../mldsa/mldsa.js';
import { computeMu } from '../mldsa/mu.js';
import { MU_BYTES } from '../mldsa/params.js';
import { KmsServiceError, invalidState, notFound, validation } from './errors.js';
import { blob, boolean, integer, oneOf, string, tags, type Input } from './input.js';
import { isSupportedSpec, type KeyRecord, type KeyStore } from './store.js';
import { eccDigest, eccSignDigest, eccSpki, eccVerifyDigest } from './ecc.js';
import { encodeSpki } from '../mldsa/asn1.js';

export interface OpContext {
  store: KeyStore;
  /** epoch seconds */
  now(): number;
}

export type Operation = (input: Input, ctx: OpContext) => Promise<Record<string, unknown>>;

// Enum value sets as KMS declares them (its validation messages list them).
const KEY_SPECS = [
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_KEM_512',
  'ML_KEM_768',
  'ML_KEM_1024',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
  'ECC_NIST_EDWARDS25519',
] as const;
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT', 'ENCAPSULATE_DECAPSULATE'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
const SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
  'SM2DSA',
  'ML_DSA_SHAKE_256',
  'ED25519_SHA_512',
  'ED25519_PH_SHA_512',
] as const;
const MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;
const ML_DSA = 'ML_DSA_SHAKE_256';

const KEY_ID = { required: true, min: 1, max: 2048 } as const;
const ALIAS_NAME = { required: true, min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ } as const;
const RAW_MAX = 4096;
const SIGNATURE_MAX = 6144;

const unsupported = (what: string) =>
  new KmsServiceError(
    'UnsupportedOperationException',
    `${what} is not supported by this local KMS; it holds ML-DSA and ECC_NIST signing keys only.`,
  );

const algorithmOf = (key: KeyRecord): string => (key.kind === 'ecc' ? key.ecc.algorithm : ML_DSA);

function keyMetadata(key: KeyRecord, store: KeyStore): Record<string, unknown> {
  return {
    AWSAccountId: store.where.accountId,
    KeyId: key.keyId,
    Arn: store.keyArn(key.keyId),
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'SIGN_VERIFY',
    KeyState: key.state,
    ...(key.state === 'PendingDeletion' ? { DeletionDate: key.deletionDate, PendingDeletionWindowInDays: key.pendingWindowInDays } : {}),
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    SigningAlgorithms: [algorithmOf(key)],
    MultiRegion: false,
  };
}

const createKey: Operation = async (input, { store, now }) => {
  string(input, 'Policy', { min: 1, max: 32768 }); // accepted; this server evaluates no policies
  const description = string(input, 'Description', { min: 0, max: 8192 }) ?? '';
  const usage = oneOf(input, 'KeyUsage', KEY_USAGES, false);
  const keySpec = oneOf(input, 'KeySpec', KEY_SPECS, false);
  const legacySpec = oneOf(
    input,
    'CustomerMasterKeySpec',
    KEY_SPECS.filter((s) => !s.startsWith('ML_')),
    false,
  );
  const origin = oneOf(input, 'Origin', ORIGINS, false) ?? 'AWS_KMS';
  const keyTags = tags(input);
  boolean(input, 'BypassPolicyLockoutSafetyCheck');
  if (keySpec && legacySpec) {
    throw validation('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.');
  }
  const spec = keySpec ?? legacySpec ?? 'SYMMETRIC_DEFAULT';
  if (!isSupportedSpec(spec)) throw unsupported(`KeySpec ${spec}`);
  if (origin !== 'AWS_KMS') throw unsupported(`Origin ${origin}`);
  if (boolean(input, 'MultiRegion')) throw unsupported('A multi-Region key');
  if (input.CustomKeyStoreId !== undefined || input.XksKeyId !== undefined) throw unsupported('A custom key store');
  if (usage === undefined) throw validation('You must specify a KeyUsage value for an asymmetric KMS key.');
  if (usage !== 'SIGN_VERIFY') throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}.`);
  const key = await store.createKey(spec, description, keyTags, now());
  return { KeyMetadata: keyMetadata(key, store) };
};

const describeKey: Operation = async (input, { store }) => {
  const key = store.find(string(input, 'KeyId', KEY_ID), { aliases: true });
  return { KeyMetadata: keyMetadata(key, store) };
};

const getPublicKey: Operation = async (input, { store }) => {
  const key = store.usable(store.find(string(input, 'KeyId', KEY_ID), { aliases: true }));
  return {
    KeyId: store.keyArn(key.keyId),
    PublicKey: Buffer.from(key.kind === 'ecc' ? eccSpki(key.privateKey) : encodeSpki(key.params, key.publicKey)).toString('base64'),
    CustomerMasterKeySpec: key.spec,
    KeySpec: key.spec,
    KeyUsage: 'SIGN_VERIFY',
    SigningAlgorithms: [algorithmOf(key)],
  };
};

/** What Sign/Verify work on: μ for an ML-DSA key, the digest for an ECC key. */
type SigningRequest =
  { key: Extract<KeyRecord, { kind: 'ml-dsa' }>; mu: Uint8Array } | { key: Extract<KeyRecord, { kind: 'ecc' }>; digest: Uint8Array };

/** Checks shared by Sign and Verify, in KMS's order; DryRun stops after all of them. */
function signingRequest(input: Input, store: KeyStore): SigningRequest {
  const keyId = string(input, 'KeyId', KEY_ID);
  const message = blob(input, 'Message', { min: 1, max: RAW_MAX });
  const messageType = oneOf(input, 'MessageType', MESSAGE_TYPES, false) ?? 'RAW';
  const algorithm = oneOf(input, 'SigningAlgorithm', SIGNING_ALGORITHMS, true)!;
  const key = store.usable(store.find(keyId, { aliases: true }));
  const expected = algorithmOf(key);
  if (algorithm !== expected) {
    throw new KmsServiceError(
      'InvalidKeyUsageException',
      `Signing algorithm ${algorithm} is not compatible with key ${store.keyArn(key.keyId)} (KeySpec ${key.spec}); use ${expected}.`,
    );
  }
  if (key.kind === 'ecc') {
    if (messageType === 'EXTERNAL_MU') throw validation(`Message type EXTERNAL_MU is incompatible with key spec ${key.spec}.`);
    if (messageType === 'DIGEST' && message.length !== key.ecc.digestBytes)
      throw validation(`Digest is invalid length for algorithm ${algorithm}.`);
    return { key, digest: eccDigest(key.ecc, message, messageType) };
  }
  if (messageType === 'DIGEST') throw validation(`Message type DIGEST is incompatible with key spec ${key.spec}.`);
  if (messageType === 'EXTERNAL_MU' && message.length !== MU_BYTES)
    throw validation(`External Mu is invalid length for algorithm ${ML_DSA}.`);
  return { key, mu: messageType === 'EXTERNAL_MU' ? message : computeMu(key.params, key.publicKey, message) };
}

function dryRunStop(input: Input): void {
  if (boolean(input, 'DryRun')) {
    throw new KmsServiceError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 412);
  }
}

const sign: Operation = async (input, { store }) => {
  const req = signingRequest(input, store);
  dryRunStop(input);
  // hedged: fresh randomness per signature
  const signature =
    'mu' in req ? signMu(req.key.params, req.key.secretKey, req.mu) : eccSignDigest(req.key.ecc, req.key.privateKey, req.digest);
  return {
    KeyId: store.keyArn(req.key.keyId),
    Signature: Buffer.from(signature).toString('base64'),
    SigningAlgorithm: algorithmOf(req.key),
  };
};

const verify: Operation = async (input, { store }) => {
  const signature = blob(input, 'Signature', { min: 1, max: SIGNATURE_MAX });
  const req = signingRequest(input, store);
  dryRunStop(input);
  const valid =
    'mu' in req
      ? verifyMu(req.key.params, req.key.publicKey, req.mu, signature)
      : eccVerifyDigest(req.key.ecc, req.key.privateKey, req.digest, signature);
  // KMS never answers SignatureValid: false; an invalid signature is an error without a message.
  if (!valid) throw new KmsServiceError('KMSInvalidSignatureException', undefined);
  return { KeyId: store.keyArn(req.key.keyId), SignatureValid: true, SigningAlgorithm: algorithmOf(req.key) };
};

/** Opaque pagination markers: the index of the next item. */
function page<T>(items: T[], input: Input): { items: T[]; more: Record<string, unknown> } {
  const limit = integer(input, 'Limit', { min: 1, max: 1000 }) ?? 100;
  const marker = string(input, 'Marker', { min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ });
  let start = 0;
  if (marker !== undefined) {
    start = Number(Buffer.from(marker, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0 || Buffer.from(String(start)).toString('base64url') !== marker) {
      throw new KmsServiceError('InvalidMarkerException', 'Invalid marker');
    }
  }
  const slice = items.slice(start, start + limit);
  const next = start + slice.length;
  return {
    items: slice,
    more: next < items.length ? { Truncated: true, NextMarker: Buffer.from(String(next)).toString('base64url') } : { Truncated: false },
  };
}

const listKeys: Operation = async (input, { store }) => {
  const { items, more } = page(store.listKeys(), input);
  return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: store.keyArn(k.keyId) })), ...more };
};

const listAliases: Operation = async (input, { store }) => {
  const keyId = string(input, 'KeyId', { min: 1, max: 2048 });
  const target = keyId === undefined ? undefined : store.find(keyId, { aliases: false }).keyId;
  const all = store.listAliases().filter((a) => target === undefined || a.targetKeyId === target);
  const { items, more } = page(all, input);
  return {
    Aliases: items.map((a) => ({
      AliasName: a.aliasName,
      AliasArn: store.aliasArn(a.aliasName),
      TargetKeyId: a.targetKeyId,
      CreationDate: a.creationDate,
      LastUpdatedDate: a.lastUpdatedDate,
    })),
    ...more,
  };
};

function aliasNameOf(input: Input): string {
  const name = string(input, 'AliasName', ALIAS_NAME);
  if (!name.startsWith('alias/') || name.length === 'alias/'.length) {
    throw validation(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  return name;
}

const createAlias: Operation = async (input, { store, now }) => {
  const name = aliasNameOf(input);
  const targetKeyId = string(input, 'TargetKeyId', KEY_ID);
  if (name.startsWith('alias/aws/'))
    throw new KmsServiceError(
      'NotAuthorizedException',
      `${store.aliasArn(name)}: alias names beginning with alias/aws/ are reserved for AWS managed keys.`,
    );
  if (name.includes(':')) throw validation(`${name} contains invalid characters for an alias`);
  if (/(^|:)alias\//.test(targetKeyId)) throw validation('Aliases must refer to keys. Not aliases');
  const key = store.find(targetKeyId, { aliases: false });
  if (key.state === 'PendingDeletion') throw invalidState(`${store.keyArn(key.keyId)} is pending deletion.`);
  if (store.alias(name))
    throw new KmsServiceError('AlreadyExistsException', `An alias with the name ${store.aliasArn(name)} already exists`);
  await store.addAlias(name, key.keyId, now());
  return {};
};

/**
 * UpdateAlias points an existing alias at another key of the same type and key usage (here every key
 * is an asymmetric SIGN_VERIFY key); the alias keeps its CreationDate and gets a new LastUpdatedDate.
 */
const updateAlias: Operation = async (input, { store, now }) => {
  const name = aliasNameOf(input);
  const targetKeyId = string(input, 'TargetKeyId', KEY_ID);
  if (name.startsWith('alias/aws/'))
    throw new KmsServiceError(
      'NotAuthorizedException',
      `${store.aliasArn(name)}: alias names beginning with alias/aws/ are reserved for AWS managed keys.`,
    );
  if (/(^|:)alias\//.test(targetKeyId)) throw validation('Aliases must refer to keys. Not aliases');
  if (!store.alias(name)) throw notFound(`Alias ${store.aliasArn(name)} is not found.`);
  const key = store.find(targetKeyId, { aliases: false });
  if (key.state === 'PendingDeletion') throw invalidState(`${store.keyArn(key.keyId)} is pending deletion.`);
  await store.updateAlias(name, key.keyId, now());
  return {};
};

const deleteAlias: Operation = async (input, { store }) => {
  const name = aliasNameOf(input);
  if (!store.alias(name)) throw notFound(`Alias ${store.aliasArn(name)} is not found.`);
  await store.deleteAlias(name);
  return {};
};

/** Key-management operations take a key id or key ARN only, and refuse keys pending deletion. */
function managedKey(input: Input, store: KeyStore): KeyRecord {
  const key = store.find(string(input, 'KeyId', KEY_ID), { aliases: false });
  if (key.state === 'PendingDeletion') throw invalidState(`${store.keyArn(key.keyId)} is pending deletion.`);
  return key;
}

const setEnabled =
  (enabled: boolean): Operation =>
  async (input, { store }) => {
    const key = managedKey(input, store);
    key.state = enabled ? 'Enabled' : 'Disabled';
    await store.saveKey(key);
    return {};
  };

const DAY = 86_400;

const scheduleKeyDeletion: Operation = async (input, { store, now }) => {
  const key = managedKey(input, store);
  const days = integer(input, 'PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
  key.state = 'PendingDeletion';
  key.deletionDate = now() + days * DAY;
  key.pendingWindowInDays = days;
  await store.saveKey(key);
  return { KeyId: store.keyArn(key.keyId), DeletionDate: key.deletionDate, KeyState: key.state, PendingWindowInDays: days };
};

const cancelKeyDeletion: Operation = async (input, { store }) => {
  const key = store.find(string(input, 'KeyId', KEY_ID), { aliases: false });
  if (key.state !== 'PendingDeletion') throw invalidState(`${store.keyArn(key.keyId)} is not pending deletion.`);
  key.state = 'Disabled'; // as in KMS: a key whose deletion is canceled comes back disabled
  key.deletionDate = undefined;
  key.pendingWindowInDays = undefined;
  await store.saveKey(key);
  return { KeyId: store.keyArn(key.keyId) };
};

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  GetPublicKey: getPublicKey,
  Sign: sign,
  Verify: verify,
  ListKeys: listKeys,
  CreateAlias: createAlias,
  ListAliases: listAliases,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  EnableKey: setEnabled(true),
  DisableKey: setEnabled(false),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
};
