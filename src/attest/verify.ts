// Verify an attestation bundle against one public key, then check files against its subjects.
//
// Which envelopes count (a release gate's policy, following in-toto bundle.md: consumers ignore
// attestations they do not recognise, and order does not matter): an envelope counts when one of its
// signatures verifies with the key, its payloadType is in-toto, its Statement is well formed (and its
// SLSA predicate, when it is one) and its predicateType is the one asked for. Other lines are reported
// and ignored: a bundle may collect attestations from several builds and tools. At least one envelope
// must count. Each file given then passes when some counting envelope has a subject of the same name
// whose sha256/sha512 digests equal the file's. Ignoring a line can never turn a failure into a pass.
import { relative } from 'node:path';
import { PqsignError, isPqsignError, opt } from '../base/errors.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/spki.js';
import { readBundleLines } from './bundle.js';
import { parseEnvelope, verifyEnvelope, type Envelope } from './envelope.js';
import { hashFiles, type FileDigests } from './hash-pool.js';
import { SLSA_PROVENANCE_V1, validateProvenance } from './slsa.js';
import { DIGEST_ALGS, INTOTO_PAYLOAD_TYPE, parseStatement, type DigestSet, type Statement } from './statement.js';
import { collectSubjects } from './subjects.js';
import type { OnProgress } from '../io/progress.js';

export interface VerifyAttestationOptions {
  /** an envelope counts when one of its signatures verifies with one of these keys */
  keys: readonly PublicKey[];
  /** SLSA provenance: runDetails.builder.id must be exactly this */
  builderId?: string | undefined;
  /** SLSA provenance: a resolvedDependencies uri (or externalParameters.source) must be this, or this "@" a ref */
  sourceUri?: string | undefined;
  /** each "ALG:HEX" must be the digest of some attested subject, whatever its name */
  subjectDigests?: readonly string[] | undefined;
  /** --subject files match an attested subject by digest alone, whatever their names */
  ignoreNames?: boolean | undefined;
  /** files (directories with `recursive`, globs) to check against the subjects */
  subjects?: readonly string[] | undefined;
  recursive?: boolean | undefined;
  baseDir?: string | undefined;
  /** only envelopes with this predicateType count */
  predicateType?: string | undefined;
  jobs?: number | undefined;
  /** progress of hashing the subjects */
  onProgress?: OnProgress | undefined;
}

export interface EnvelopeReport {
  line: number;
  ok: boolean;
  /** keyid of the signature that verified */
  keyid?: string | undefined;
  predicateType?: string;
  subjects?: number;
  error?: PqsignError;
}

export interface SubjectReport {
  /** the file, relative to the current directory */
  file: string;
  /** the subject name it must have */
  name: string;
  ok: boolean;
  digests?: FileDigests;
  /** bundle line of the envelope whose subject matched */
  line?: number;
  error?: PqsignError;
}

export interface AttestationReport {
  file: string;
  /** the keys envelopes were checked against */
  keys: Array<{ algorithm: string; keyFingerprint: string }>;
  envelopes: EnvelopeReport[];
  subjects: SubjectReport[];
  /** set when the bundle as a whole fails (no envelope counts); subjects are then not checked */
  error?: PqsignError;
}

interface Attested {
  line: number;
  digest: DigestSet;
}

/** How far an envelope got before it was rejected: the furthest rejection explains a failed bundle best. */
const Stage = { Structure: 0, Signature: 1, PayloadType: 2, Statement: 3, PredicateType: 4, Provenance: 5 } as const;
type Stage = (typeof Stage)[keyof typeof Stage];

class Rejected extends Error {
  constructor(
    readonly stage: Stage,
    readonly error: PqsignError,
  ) {
    super(error.message);
  }
}

export async function verifyAttestation(file: string, opts: VerifyAttestationOptions): Promise<AttestationReport> {
  const keys = opts.keys.map((k) => ({ algorithm: k.params.name, keyFingerprint: keyFingerprint(k.publicKey) }));
  const envelopes: EnvelopeReport[] = [];
  const byName = new Map<string, Attested[]>();
  let best: { stage: Stage; line: number; error: PqsignError } | undefined;

  for await (const { line, text } of readBundleLines(file)) {
    try {
      const r = checkEnvelope(text, opts);
      envelopes.push({ line, ok: true, keyid: r.keyid, predicateType: r.predicateType, subjects: r.subjects.length });
      for (const s of opts.subjects?.length || opts.subjectDigests?.length ? r.subjects : []) {
        // kept only when needed
        if (s.name === undefined) continue;
        const list = byName.get(s.name);
        if (list) list.push({ line, digest: s.digest });
        else byName.set(s.name, [{ line, digest: s.digest }]);
      }
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      envelopes.push({ line, ok: false, error: e.error });
      if (!best || e.stage > best.stage) best = { stage: e.stage, line, error: e.error };
    }
  }
  const report = { file, keys, envelopes, subjects: [] as SubjectReport[] };
  if (envelopes.length === 0) return { ...report, error: new PqsignError('ERR_SIGNATURE_FORMAT', 'has no envelopes', { file }) };
  if (!envelopes.some((e) => e.ok)) {
    const { line, error } = best!;
    const by = keys.map((k) => k.keyFingerprint.slice(0, 16)).join(' or ');
    const where = envelopes.length === 1 ? '' : ` (no line of ${envelopes.length} is an attestation by key ${by}; furthest: line ${line})`;
    return {
      ...report,
      error: new PqsignError(error.code, `${envelopes.length === 1 ? `line ${line}: ` : ''}${error.message}${where}`, { file }),
    };
  }
  const digestError = missingDigests(opts.subjectDigests ?? [], byName, file);
  if (digestError) return { ...report, error: digestError };
  return { ...report, subjects: opts.subjects?.length ? await checkSubjects(opts, byName) : [] };
}

function checkEnvelope(text: string, opts: VerifyAttestationOptions) {
  const at = <T>(stage: Stage, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (isPqsignError(e)) throw new Rejected(stage, e);
      throw e;
    }
  };
  // structure first, then the signature over PAE, and only then is the payload interpreted
  const env = at(Stage.Structure, () => parseEnvelope(text));
  const verified = at(Stage.Signature, () => verifyWithAny(env, opts.keys));
  at(Stage.PayloadType, () => {
    if (env.payloadType !== INTOTO_PAYLOAD_TYPE) {
      throw new PqsignError('ERR_SIGNATURE_FORMAT', `payloadType is ${JSON.stringify(env.payloadType)}, not ${INTOTO_PAYLOAD_TYPE}`);
    }
  });
  const statement = at(Stage.Statement, () => {
    const s = parseStatement(env.payload);
    if (s.predicateType === SLSA_PROVENANCE_V1) validateProvenance(s.predicate);
    return s;
  });
  at(Stage.PredicateType, () => {
    if (opts.predicateType !== undefined && statement.predicateType !== opts.predicateType) {
      throw new PqsignError('ERR_CLAIMS', `predicateType is ${statement.predicateType}, not ${opts.predicateType}`);
    }
  });
  at(Stage.Provenance, () => checkProvenance(statement, opts));
  return { keyid: env.signatures[verified.index]!.keyid, predicateType: statement.predicateType, subjects: statement.subject };
}

function verifyWithAny(env: Envelope, keys: readonly PublicKey[]) {
  let first: unknown;
  for (const k of keys) {
    try {
      return verifyEnvelope(env, k);
    } catch (e) {
      first ??= e;
    }
  }
  throw first;
}

/** --builder-id / --source-uri (and the policy's): required provenance, read only from a verified SLSA v1 statement. */
function checkProvenance(statement: Statement, opts: VerifyAttestationOptions): void {
  if (opts.builderId === undefined && opts.sourceUri === undefined) return;
  const need = (rule: string, why: string) => new PqsignError('ERR_UNTRUSTED', why, { detail: rule });
  if (statement.predicateType !== SLSA_PROVENANCE_V1)
    throw need(
      'provenance',
      `predicateType is ${statement.predicateType}, not SLSA provenance v1: the builder and source cannot be checked`,
    );
  const p = statement.predicate as {
    buildDefinition?: { externalParameters?: { source?: unknown }; resolvedDependencies?: Array<{ uri?: unknown }> };
    runDetails?: { builder?: { id?: unknown } };
  };
  const builder = p.runDetails?.builder?.id;
  if (opts.builderId !== undefined && builder !== opts.builderId)
    throw need('builder-id', `built by ${JSON.stringify(builder)}, not ${opts.builderId}`);
  if (opts.sourceUri !== undefined) {
    const want = opts.sourceUri;
    const uris = [
      p.buildDefinition?.externalParameters?.source,
      ...(p.buildDefinition?.resolvedDependencies ?? []).map((d) => d.uri),
    ].filter((u): u is string => typeof u === 'string');
    if (!uris.some((u) => u === want || u.startsWith(`${want}@`)))
      throw need('source-uri', `built from ${uris.map((u) => JSON.stringify(u)).join(', ') || 'no recorded source'}, not ${want}`);
  }
}

/** Each "ALG:HEX" must be the digest of an attested subject (a downloaded file whose name differs). */
function missingDigests(wanted: readonly string[], byName: Map<string, Attested[]>, file: string): PqsignError | undefined {
  for (const w of wanted) {
    const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(w);
    if (!m)
      return new PqsignError('ERR_USAGE', `${opt('subjectDigests')} "${w}" must be sha256:HEX or sha512:HEX (lowercase)`, {
        option: 'subjectDigests',
      });
    const [, alg, hex] = m as unknown as [string, 'sha256' | 'sha512', string];
    if (![...byName.values()].some((list) => list.some((a) => a.digest[alg] === hex))) {
      return new PqsignError('ERR_SUBJECT', `no attested subject has ${alg} ${hex.slice(0, 16)}...`, { file });
    }
  }
  return undefined;
}

async function checkSubjects(opts: VerifyAttestationOptions, byName: Map<string, Attested[]>): Promise<SubjectReport[]> {
  const files = await collectSubjects(opts.subjects!, { baseDir: opts.baseDir ?? '.', recursive: opts.recursive ?? false });
  const hashed = await hashFiles(
    files.map((f) => f.path),
    { jobs: opts.jobs, progressLabel: 'hashing', onProgress: opts.onProgress },
  );
  let bySha256: Map<string, string> | undefined; // built only when a file's name is not attested
  return files.map(({ path, name }) => {
    const file = relative(process.cwd(), path) || path;
    const h = hashed.get(path)!;
    if (!h.ok) return { file, name, ok: false, error: h.error };
    const digests = h.digests;
    const fail = (message: string) => ({ file, name, ok: false, digests, error: new PqsignError('ERR_SUBJECT', message, { file }) });
    if (opts.ignoreNames) {
      bySha256 ??= indexBySha256(byName);
      const as = bySha256.get(digests.sha256);
      const match = as === undefined ? undefined : byName.get(as)!.find((a) => digestsMatch(a.digest, digests));
      return match
        ? { file, name: as!, ok: true, digests, line: match.line }
        : fail('its digests match no attested subject (names ignored)');
    }
    const attested = byName.get(name);
    if (!attested) {
      bySha256 ??= indexBySha256(byName);
      const other = bySha256.get(digests.sha256);
      return fail(`not among the attested subjects as "${name}"${other ? `; its content is attested as "${other}" (renamed?)` : ''}`);
    }
    const match = attested.find((a) => digestsMatch(a.digest, digests));
    if (match) return { file, name, ok: true, digests, line: match.line };
    const first = attested[0]!;
    const alg = DIGEST_ALGS.find((a) => first.digest[a] !== undefined);
    if (!alg) return fail(`"${name}" is attested without a sha256 or sha512 digest`);
    const n = attested.length === 1 ? '' : ` (and ${attested.length - 1} other attestation${attested.length > 2 ? 's' : ''} of this name)`;
    return fail(
      `${alg} is ${digests[alg].slice(0, 16)}..., the attestation on line ${first.line} says ${first.digest[alg]!.slice(0, 16)}...${n}`,
    );
  });
}

/**
 * A subject matches when it carries at least one digest pqsign accepts and every accepted digest it
 * carries equals the file's (stricter than digest_set.md's "any field matches": a subject whose sha256
 * matches but whose sha512 does not is contradictory and fails).
 */
export function digestsMatch(attested: DigestSet, file: FileDigests): boolean {
  const present = DIGEST_ALGS.filter((a) => attested[a] !== undefined);
  return present.length > 0 && present.every((a) => attested[a] === file[a]);
}

function indexBySha256(byName: Map<string, Attested[]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, list] of byName) for (const a of list) if (a.digest.sha256) m.set(a.digest.sha256, name);
  return m;
}
