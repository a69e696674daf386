// Keys and aliases of the local KMS, in memory and (with a data dir) on disk:
//   DIR/keys/<key id>.json   metadata, tags and the key material, 0600: the 32-byte ML-DSA seed ξ
//                            (FIPS 204 Algorithm 1), or an ECC key's PKCS#8 DER
//   DIR/aliases.json         alias → key id
// Every write is atomic (temp file, fsync, rename) and writes are applied in order, so a crash
// leaves the previous or the new state, never a torn file. Across files, the order keeps the state on
// disk consistent at every instant: a key file exists before any alias names it (CreateKey answers only
// once it is written) and aliases.json drops a key's aliases before its file is deleted, so a kill -9
// at any moment leaves no alias naming a missing key. Loading is tolerant all the same: a dangling
// alias (a directory edited by hand, or written by an older version) is dropped with a warning, and
// temp files of writes a crash interrupted are removed. ARNs are derived from the server's region and
// account on each start, not stored.
import { randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PqsignError } from '../base/errors.js';
import { isTempName, writeFileAtomic } from '../io/atomic.js';
import { keygenFromSeed } from '../mldsa/mldsa.js';
import { paramByKmsSpec, SEED_BYTES, type KmsKeySpec, type ParamSet } from '../mldsa/params.js';
import { eccKeyFromPkcs8, eccPkcs8, eccSpec, generateEccKey, type EccKeySpec, type EccSpec } from './ecc.js';
import { invalidState, KmsServiceError, notFound } from './errors.js';
import type { Tag } from './input.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

interface KeyRecordBase {
  readonly keyId: string;
  /** epoch seconds */
  readonly creationDate: number;
  readonly description: string;
  readonly tags: Tag[];
  state: KeyState;
  /** epoch seconds, while PendingDeletion */
  deletionDate: number | undefined;
  pendingWindowInDays: number | undefined;
}

export interface MlDsaKeyRecord extends KeyRecordBase {
  readonly kind: 'ml-dsa';
  readonly spec: KmsKeySpec;
  readonly params: ParamSet;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface EccKeyRecord extends KeyRecordBase {
  readonly kind: 'ecc';
  readonly spec: EccKeySpec;
  readonly ecc: EccSpec;
  readonly privateKey: KeyObject;
}

export type KeyRecord = MlDsaKeyRecord | EccKeyRecord;

/** Key specs this server creates. */
export const isSupportedSpec = (spec: string): spec is KmsKeySpec | EccKeySpec =>
  paramByKmsSpec(spec) !== undefined || eccSpec(spec) !== undefined;

export interface AliasRecord {
  readonly aliasName: string;
  readonly targetKeyId: string;
  readonly creationDate: number;
  readonly lastUpdatedDate: number;
}

export interface Location {
  region: string;
  accountId: string;
}

const KEY_FORMAT = 'pqsign-kms-key/1';
const ALIASES_FORMAT = 'pqsign-kms-aliases/1';
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class KeyStore {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly aliases = new Map<string, AliasRecord>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly dataDir: string | undefined,
    readonly where: Location,
  ) {}

  /** `warn` hears what loading repaired (one line each). */
  static async open(dataDir: string | undefined, where: Location, warn: (line: string) => void = () => undefined): Promise<KeyStore> {
    const store = new KeyStore(dataDir, where);
    if (dataDir) await store.load(dataDir, warn);
    return store;
  }

  keyArn(keyId: string): string {
    return `arn:aws:kms:${this.where.region}:${this.where.accountId}:key/${keyId}`;
  }

  aliasArn(aliasName: string): string {
    return `arn:aws:kms:${this.where.region}:${this.where.accountId}:${aliasName}`;
  }

  /**
   * KeyId as the cryptographic operations take it: key id, key ARN, alias name or alias ARN
   * (`aliases: false` for operations that take only key id or key ARN). Errors read like KMS's.
   */
  find(keyId: string, opts: { aliases: boolean }): KeyRecord {
    const arn = /^arn:aws[a-z-]*:kms:([^:]*):([^:]*):((?:key|alias)\/.*)$/.exec(keyId);
    const here = arn && arn[1] === this.where.region && arn[2] === this.where.accountId;
    const resource = arn ? arn[3]! : keyId;
    if (opts.aliases && resource.startsWith('alias/')) {
      const alias = here || !arn ? this.aliases.get(resource) : undefined;
      if (!alias) throw notFound(`Alias ${arn ? keyId : this.aliasArn(resource)} is not found.`);
      return this.keys.get(alias.targetKeyId)!;
    }
    const id = arn ? resource.replace(/^key\//, '') : resource;
    if (!KEY_ID.test(id) || (arn && !resource.startsWith('key/'))) throw notFound(`Invalid keyId ${keyId}`);
    const key = here || !arn ? this.keys.get(id) : undefined;
    if (!key) throw notFound(`Key '${arn ? keyId : this.keyArn(id)}' does not exist`);
    return key;
  }

  /** The key must be usable for cryptographic operations (KMS checks pending deletion first). */
  usable(key: KeyRecord): KeyRecord {
    if (key.state === 'PendingDeletion') throw invalidState(`${this.keyArn(key.keyId)} is pending deletion.`);
    if (key.state === 'Disabled') throw new KmsServiceError('DisabledException', `${this.keyArn(key.keyId)} is disabled.`);
    return key;
  }

  listKeys(): KeyRecord[] {
    return [...this.keys.values()].sort((a, b) => a.creationDate - b.creationDate || a.keyId.localeCompare(b.keyId));
  }

  listAliases(): AliasRecord[] {
    return [...this.aliases.values()].sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  }

  alias(name: string): AliasRecord | undefined {
    return this.aliases.get(name);
  }

  async createKey(spec: KmsKeySpec | EccKeySpec, description: string, tags: Tag[], now: number): Promise<KeyRecord> {
    const base = {
      keyId: randomUUID(),
      creationDate: now,
      description,
      tags,
      state: 'Enabled' as const,
      deletionDate: undefined,
      pendingWindowInDays: undefined,
    };
    const ecc = eccSpec(spec);
    let key: KeyRecord;
    if (ecc) {
      key = { ...base, kind: 'ecc', spec: spec as EccKeySpec, ecc, privateKey: generateEccKey(ecc) };
    } else {
      const params = paramByKmsSpec(spec)!;
      const seed = new Uint8Array(randomBytes(SEED_BYTES));
      key = { ...base, kind: 'ml-dsa', spec: spec as KmsKeySpec, params, seed, ...keygenFromSeed(params, seed) };
    }
    await this.writeKey(key);
    this.keys.set(key.keyId, key); // visible (to ListKeys, CreateAlias) only once it is on disk
    return key;
  }

  saveKey(key: KeyRecord): Promise<void> {
    // a key purged meanwhile stays deleted: writing it again would bring it back
    return this.keys.get(key.keyId) === key ? this.writeKey(key) : Promise.resolve();
  }

  private writeKey(key: KeyRecord): Promise<void> {
    const dir = this.dataDir;
    if (!dir) return Promise.resolve();
    const doc = {
      format: KEY_FORMAT,
      keyId: key.keyId,
      keySpec: key.spec,
      creationDate: key.creationDate,
      description: key.description,
      tags: key.tags,
      keyState: key.state,
      deletionDate: key.deletionDate ?? null,
      pendingWindowInDays: key.pendingWindowInDays ?? null,
      ...(key.kind === 'ecc'
        ? { privateKey: Buffer.from(eccPkcs8(key.privateKey)).toString('base64') }
        : { seed: Buffer.from(key.seed).toString('base64') }),
    };
    return this.persist(() => writeFileAtomic(this.keyPath(dir, key.keyId), `${JSON.stringify(doc, null, 2)}\n`, 0o600));
  }

  async addAlias(aliasName: string, targetKeyId: string, now: number): Promise<void> {
    this.aliases.set(aliasName, { aliasName, targetKeyId, creationDate: now, lastUpdatedDate: now });
    await this.saveAliases();
  }

  async updateAlias(aliasName: string, targetKeyId: string, now: number): Promise<void> {
    const old = this.aliases.get(aliasName)!;
    this.aliases.set(aliasName, { ...old, targetKeyId, lastUpdatedDate: now });
    await this.saveAliases();
  }

  async deleteAlias(aliasName: string): Promise<void> {
    this.aliases.delete(aliasName);
    await this.saveAliases();
  }

  /**
   * KMS deletes a key (and its aliases) once its waiting period is over. The aliases go first, so that
   * a crash between the two writes leaves an unaliased key file that is purged again on the next start.
   */
  async purgeExpired(now: number): Promise<void> {
    const expired = [...this.keys.values()].filter((k) => k.state === 'PendingDeletion' && k.deletionDate! <= now);
    if (!expired.length) return;
    for (const k of expired) {
      this.keys.delete(k.keyId);
      for (const [name, a] of this.aliases) if (a.targetKeyId === k.keyId) this.aliases.delete(name);
    }
    const saved = this.saveAliases();
    const dir = this.dataDir;
    const unlinked = dir ? expired.map((k) => this.persist(() => unlink(this.keyPath(dir, k.keyId)).catch(ignoreMissing))) : [];
    await Promise.all([saved, ...unlinked]);
  }

  /** Wait for every write so far. */
  flush(): Promise<void> {
    return this.writes;
  }

  private saveAliases(): Promise<void> {
    const dir = this.dataDir;
    if (!dir) return Promise.resolve();
    const doc = { format: ALIASES_FORMAT, aliases: this.listAliases() };
    return this.persist(() => writeFileAtomic(join(dir, 'aliases.json'), `${JSON.stringify(doc, null, 2)}\n`, 0o600));
  }

  // Writes run one after another in call order; a failed write fails its caller, not the next write.
  private persist(write: () => Promise<void>): Promise<void> {
    const p = this.writes.then(write);
    this.writes = p.catch(() => undefined);
    return p;
  }

  private keyPath(dir: string, keyId: string): string {
    return join(dir, 'keys', `${keyId}.json`);
  }

  private async load(dir: string, warn: (line: string) => void): Promise<void> {
    try {
      await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new PqsignError('ERR_FILE', `cannot create the data directory (${(e as NodeJS.ErrnoException).code ?? e})`, { file: dir });
    }
    await removeStaleTemps(dir);
    await removeStaleTemps(join(dir, 'keys'));
    for (const name of (await readdir(join(dir, 'keys'))).sort()) {
      if (!name.endsWith('.json')) continue;
      const key = parseKey(await readJson(join(dir, 'keys', name)), join(dir, 'keys', name));
      this.keys.set(key.keyId, key);
    }
    const aliasesPath = join(dir, 'aliases.json');
    const doc = (await readJson(aliasesPath, { missingOk: true })) ?? { format: ALIASES_FORMAT, aliases: [] };
    const dangling: string[] = [];
    for (const a of parseAliases(doc, aliasesPath)) {
      if (this.keys.has(a.targetKeyId)) this.aliases.set(a.aliasName, a);
      else dangling.push(`${a.aliasName} (key ${a.targetKeyId})`);
    }
    if (dangling.length) {
      warn(
        `${aliasesPath}: dropped ${dangling.length === 1 ? 'an alias' : `${dangling.length} aliases`} naming a key that does not exist: ${dangling.join(', ')}`,
      );
      await this.saveAliases();
    }
  }
}

/** Temp files of atomic writes (`.NAME.tmp-*`) that a crash left behind: never a committed state. */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (isTempName(name)) await unlink(join(dir, name)).catch(ignoreMissing);
  }
}

const ignoreMissing = (e: NodeJS.ErrnoException) => {
  if (e.code !== 'ENOENT') throw e;
};

const corrupt = (file: string, why: string) => new PqsignError('ERR_FILE', `not a valid local KMS state file: ${why}`, { file });

async function readJson(file: string, opts: { missingOk?: boolean } = {}): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.missingOk) return undefined;
    throw new PqsignError('ERR_FILE', `cannot read (${code ?? e})`, { file, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(file, 'not JSON');
  }
}

function parseKey(doc: unknown, file: string): KeyRecord {
  const d = doc as Record<string, unknown>;
  if (d?.format !== KEY_FORMAT) throw corrupt(file, `format is not ${KEY_FORMAT}`);
  const keyId = d.keyId;
  if (typeof keyId !== 'string' || !KEY_ID.test(keyId) || !file.endsWith(`${keyId}.json`)) throw corrupt(file, 'bad keyId');
  const state = d.keyState;
  if (state !== 'Enabled' && state !== 'Disabled' && state !== 'PendingDeletion') throw corrupt(file, 'bad keyState');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const creationDate = num(d.creationDate);
  if (creationDate === undefined) throw corrupt(file, 'bad creationDate');
  const deletionDate = num(d.deletionDate);
  if (state === 'PendingDeletion' && deletionDate === undefined) throw corrupt(file, 'pending deletion without deletionDate');
  const tags = Array.isArray(d.tags)
    ? (d.tags as Tag[]).filter((t) => typeof t?.TagKey === 'string' && typeof t?.TagValue === 'string')
    : [];
  const base: KeyRecordBase = {
    keyId,
    creationDate,
    description: typeof d.description === 'string' ? d.description : '',
    tags,
    state,
    deletionDate: state === 'PendingDeletion' ? deletionDate : undefined,
    pendingWindowInDays: num(d.pendingWindowInDays),
  };
  return { ...base, ...keyMaterial(d, file) } as KeyRecord;
}

/** The key spec and its material, checked: an ML-DSA seed, or an ECC PKCS#8 on the spec's curve. */
function keyMaterial(
  d: Record<string, unknown>,
  file: string,
): Omit<MlDsaKeyRecord, keyof KeyRecordBase> | Omit<EccKeyRecord, keyof KeyRecordBase> {
  const spec = String(d.keySpec);
  const ecc = eccSpec(spec);
  if (ecc) {
    try {
      const der = typeof d.privateKey === 'string' ? new Uint8Array(Buffer.from(d.privateKey, 'base64')) : new Uint8Array(0);
      return { kind: 'ecc', spec: spec as EccKeySpec, ecc, privateKey: eccKeyFromPkcs8(ecc, der) };
    } catch {
      throw corrupt(file, `privateKey is not a ${spec} PKCS#8 key`);
    }
  }
  const params = paramByKmsSpec(spec);
  if (!params) throw corrupt(file, `unsupported keySpec ${spec}`);
  const seed = typeof d.seed === 'string' ? new Uint8Array(Buffer.from(d.seed, 'base64')) : new Uint8Array(0);
  if (seed.length !== SEED_BYTES) throw corrupt(file, `seed is not ${SEED_BYTES} bytes`);
  return { kind: 'ml-dsa', spec: params.kmsKeySpec, params, seed, ...keygenFromSeed(params, seed) };
}

function parseAliases(doc: unknown, file: string): AliasRecord[] {
  const d = doc as { format?: unknown; aliases?: unknown };
  if (d?.format !== ALIASES_FORMAT || !Array.isArray(d.aliases)) throw corrupt(file, `format is not ${ALIASES_FORMAT}`);
  return d.aliases.map((a: Record<string, unknown>) => {
    if (
      typeof a?.aliasName !== 'string' ||
      !a.aliasName.startsWith('alias/') ||
      typeof a.targetKeyId !== 'string' ||
      typeof a.creationDate !== 'number' ||
      typeof a.lastUpdatedDate !== 'number'
    )
      throw corrupt(file, 'bad alias entry');
    return { aliasName: a.aliasName, targetKeyId: a.targetKeyId, creationDate: a.creationDate, lastUpdatedDate: a.lastUpdatedDate };
  });
}
