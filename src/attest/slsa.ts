// SLSA Provenance v1 predicate (slsa.dev/provenance/v1):
//   {buildDefinition: {buildType, externalParameters, internalParameters?, resolvedDependencies?},
//    runDetails: {builder: {id}, metadata?: {invocationId?, startedOn?, finishedOn?}}}
// On GitHub Actions the fields follow GitHub's workflow build type (actions/buildtypes workflow/v1),
// from the runner's environment variables; elsewhere they come from --builder-id and friends.
// docs/ci.md has the field-by-field mapping.
import { PqsignError, opt } from '../base/errors.js';
import { isJsonObject } from './json.js';
import { isTypeUri } from './statement.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const GITHUB_WORKFLOW_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
/** pqsign's build type for builds outside GitHub Actions; its parameters are described in docs/ci.md. */
export const GENERIC_BUILD_TYPE = 'urn:pqsign:buildtype:generic:v1';

/** The variables GitHub Actions provenance is made from (all set by the runner on every job). */
export const GITHUB_REQUIRED_ENV = [
  'GITHUB_SERVER_URL',
  'GITHUB_REPOSITORY',
  'GITHUB_REF',
  'GITHUB_SHA',
  'GITHUB_WORKFLOW_REF',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'RUNNER_ENVIRONMENT',
] as const;
const GITHUB_OPTIONAL_ENV = {
  event_name: 'GITHUB_EVENT_NAME',
  repository_id: 'GITHUB_REPOSITORY_ID',
  repository_owner_id: 'GITHUB_REPOSITORY_OWNER_ID',
} as const;

export interface ProvenanceFlags {
  builderId?: string | undefined;
  buildType?: string | undefined;
  sourceUri?: string | undefined;
  /** ALG:HEX, e.g. gitCommit:0123abcd... */
  sourceDigest?: string[] | undefined;
  entryPoint?: string | undefined;
  invocationId?: string | undefined;
  startedOn?: string | undefined;
  finishedOn?: string | undefined;
}

/** Options that describe the build itself; on GitHub Actions the environment does, so they are refused there. */
const GENERIC_ONLY: (keyof ProvenanceFlags)[] = ['buildType', 'sourceUri', 'sourceDigest', 'entryPoint'];

const usage = (m: string) => new PqsignError('ERR_USAGE', m);
const isGithubActions = (env: NodeJS.ProcessEnv) => env.GITHUB_ACTIONS === 'true';

export function provenanceSource(env: NodeJS.ProcessEnv): 'github-actions' | 'flags' {
  return isGithubActions(env) ? 'github-actions' : 'flags';
}

export function buildProvenance(env: NodeJS.ProcessEnv, flags: ProvenanceFlags): Record<string, unknown> {
  for (const f of ['builderId', 'buildType', 'sourceUri'] as const) {
    const v = flags[f];
    if (v !== undefined && !isTypeUri(v)) throw usage(`${opt(f)} must be an absolute URI, got "${v}"`);
  }
  const metadata = {
    ...(flags.invocationId !== undefined ? { invocationId: flags.invocationId } : {}),
    ...(flags.startedOn !== undefined ? { startedOn: timestamp(flags.startedOn, opt('startedOn')) } : {}),
    ...(flags.finishedOn !== undefined ? { finishedOn: timestamp(flags.finishedOn, opt('finishedOn')) } : {}),
  };
  const predicate = isGithubActions(env) ? githubProvenance(env, flags, metadata) : genericProvenance(flags, metadata);
  validateProvenance(predicate);
  return predicate;
}

function githubProvenance(env: NodeJS.ProcessEnv, flags: ProvenanceFlags, metadata: Record<string, string>): Record<string, unknown> {
  const refused = GENERIC_ONLY.filter((f) => flags[f] !== undefined).map((f) => opt(f));
  if (refused.length)
    throw usage(
      `${refused.join(', ')}: on GitHub Actions the build is described by the runner's environment (docs/ci.md); only ${opt('builderId')}, ${opt('invocationId')}, ${opt('startedOn')} and ${opt('finishedOn')} apply`,
    );
  const missing = GITHUB_REQUIRED_ENV.filter((v) => !env[v]);
  if (missing.length)
    throw usage(
      `GITHUB_ACTIONS is true but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set; cannot describe the build`,
    );
  const e = env as Record<(typeof GITHUB_REQUIRED_ENV)[number], string>;
  const server = e.GITHUB_SERVER_URL.replace(/\/+$/, '');
  const repository = `${server}/${e.GITHUB_REPOSITORY}`;
  const internal: Record<string, string> = {};
  for (const [field, variable] of Object.entries(GITHUB_OPTIONAL_ENV)) if (env[variable]) internal[field] = env[variable];
  internal.runner_environment = e.RUNNER_ENVIRONMENT;
  return {
    buildDefinition: {
      buildType: GITHUB_WORKFLOW_BUILD_TYPE,
      externalParameters: {
        workflow: { ref: e.GITHUB_REF, repository, path: workflowPath(e.GITHUB_WORKFLOW_REF, e.GITHUB_REPOSITORY, e.GITHUB_REF) },
      },
      internalParameters: { github: internal },
      resolvedDependencies: [{ uri: `git+${repository}@${e.GITHUB_REF}`, digest: { gitCommit: e.GITHUB_SHA } }],
    },
    runDetails: {
      // workflow/v1: server_url + "/" + job_workflow_ref. The runner exports only the top-level
      // workflow's ref; inside a reusable workflow pass that workflow's ref with --builder-id.
      builder: { id: flags.builderId ?? `${server}/${e.GITHUB_WORKFLOW_REF}` },
      metadata: {
        invocationId: `${repository}/actions/runs/${e.GITHUB_RUN_ID}/attempts/${e.GITHUB_RUN_ATTEMPT}`,
        ...metadata,
      },
    },
  };
}

/**
 * workflow/v1 "workflow.path": GITHUB_WORKFLOW_REF without the "OWNER/REPO/" prefix and the
 * "@REF" suffix (the path and the ref may both contain "@").
 */
export function workflowPath(workflowRef: string, repository: string, ref: string): string {
  const prefix = `${repository}/`;
  if (!workflowRef.startsWith(prefix))
    throw usage(`GITHUB_WORKFLOW_REF "${workflowRef}" does not start with GITHUB_REPOSITORY "${prefix}"`);
  const rest = workflowRef.slice(prefix.length);
  const suffix = `@${ref}`;
  if (rest.endsWith(suffix)) return rest.slice(0, -suffix.length);
  const at = rest.lastIndexOf('@');
  if (at <= 0) throw usage(`GITHUB_WORKFLOW_REF "${workflowRef}" has no "@REF" part`);
  return rest.slice(0, at);
}

function genericProvenance(flags: ProvenanceFlags, metadata: Record<string, string>): Record<string, unknown> {
  if (!flags.builderId) {
    throw usage(
      `outside GitHub Actions, SLSA provenance needs ${opt('builderId')} URI (or give your own ${opt('predicate')} and ${opt('predicateType')})`,
    );
  }
  const digest = parseDigests(flags.sourceDigest ?? []);
  if (Object.keys(digest).length && !flags.sourceUri) throw usage(`${opt('sourceDigest')} needs ${opt('sourceUri')}`);
  const external: Record<string, unknown> = {};
  if (flags.sourceUri) external.source = flags.sourceUri;
  if (flags.entryPoint !== undefined) external.entryPoint = flags.entryPoint;
  return {
    buildDefinition: {
      buildType: flags.buildType ?? GENERIC_BUILD_TYPE,
      externalParameters: external,
      ...(flags.sourceUri ? { resolvedDependencies: [{ uri: flags.sourceUri, ...(Object.keys(digest).length ? { digest } : {}) }] } : {}),
    },
    runDetails: { builder: { id: flags.builderId }, ...(Object.keys(metadata).length ? { metadata } : {}) },
  };
}

function parseDigests(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const m = /^([A-Za-z][A-Za-z0-9_]*)[:=]([0-9a-f]+)$/.exec(item);
    if (!m) throw usage(`${opt('sourceDigest')} "${item}" must be ALG:HEX with lowercase hex (e.g. gitCommit:0123abcd...)`);
    if (out[m[1]!] !== undefined) throw usage(`${opt('sourceDigest')} gives ${m[1]} twice`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function timestamp(value: string, flag: string): string {
  const t = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(t))
    throw usage(`${flag} must be an RFC 3339 timestamp such as 2025-01-31T12:00:00Z, got "${value}"`);
  return new Date(t).toISOString();
}

const bad = (m: string) => new PqsignError('ERR_SIGNATURE_FORMAT', `SLSA provenance: ${m}`);

/** The required shape of a provenance v1 predicate (unknown fields are allowed, per the parsing rules). */
export function validateProvenance(p: unknown): void {
  if (!isJsonObject(p)) throw bad('predicate must be an object');
  const bd = p.buildDefinition;
  if (!isJsonObject(bd)) throw bad('buildDefinition must be an object');
  if (typeof bd.buildType !== 'string' || !isTypeUri(bd.buildType)) throw bad('buildDefinition.buildType must be an absolute URI');
  if (!isJsonObject(bd.externalParameters)) throw bad('buildDefinition.externalParameters must be an object');
  if (bd.internalParameters !== undefined && !isJsonObject(bd.internalParameters))
    throw bad('buildDefinition.internalParameters must be an object');
  checkDescriptors(bd.resolvedDependencies, 'buildDefinition.resolvedDependencies');
  const rd = p.runDetails;
  if (!isJsonObject(rd)) throw bad('runDetails must be an object');
  if (!isJsonObject(rd.builder) || typeof rd.builder.id !== 'string' || !isTypeUri(rd.builder.id))
    throw bad('runDetails.builder.id must be an absolute URI');
  if (rd.metadata !== undefined) {
    if (!isJsonObject(rd.metadata)) throw bad('runDetails.metadata must be an object');
    const { invocationId, startedOn, finishedOn } = rd.metadata;
    if (invocationId !== undefined && typeof invocationId !== 'string') throw bad('runDetails.metadata.invocationId must be a string');
    for (const [k, v] of Object.entries({ startedOn, finishedOn })) {
      if (v !== undefined && (typeof v !== 'string' || !RFC3339.test(v)))
        throw bad(`runDetails.metadata.${k} must be an RFC 3339 timestamp`);
    }
  }
  checkDescriptors(rd.byproducts, 'runDetails.byproducts');
}

/** ResourceDescriptor lists (in-toto resource_descriptor.md): each names a uri, a digest or content. */
function checkDescriptors(list: unknown, where: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw bad(`${where} must be an array`);
  list.forEach((d: unknown, i) => {
    if (!isJsonObject(d) || (d.uri === undefined && d.digest === undefined && d.content === undefined)) {
      throw bad(`${where}[${i}] must be an object with uri, digest or content`);
    }
    if (d.uri !== undefined && typeof d.uri !== 'string') throw bad(`${where}[${i}].uri must be a string`);
    if (d.digest !== undefined && !isJsonObject(d.digest)) throw bad(`${where}[${i}].digest must be an object`);
  });
}
