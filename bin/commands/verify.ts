import type { CommandModule } from 'yargs';
import { availableParallelism } from 'node:os';
import { loadedPlugins, registeredFormats } from '../../src/pipeline/registry.js';
import { VERIFY_WORKER_URL } from '../../lib/worker-url.js';
import type { VerifyOutcome } from '../../src/pipeline/verify.js';
import { verifyJobs } from '../../src/batch/batch.js';
import { manifestJobs, treeJobs } from '../../src/batch/jobs.js';
import { readManifest } from '../../src/batch/manifest.js';
import { cliMessage, errorJson } from '../errors.js';
import type { ContainerReport } from '../../src/pipeline/verify.js';
import { exitOfSettled } from '../exit-codes.js';
import { mapBounded } from '../../src/base/pool.js';
import { PqsignError } from '../../src/base/errors.js';
import { isKmsRef } from '../../src/kms/uri.js';
import { runVerifyJob, type VerifyJob, type VerifyShared } from '../../src/batch/verify-job.js';
import { action, algOption, contextOption, jsonOption, parseContext, passphraseFileOption, printJson, reportError, usage } from '../cli.js';
import { formatFlags, optionsByFormat } from '../format-flags.js';
import { orderedEmitter } from '../ordered.js';
import { resolveTrust, trustOptions, type TrustArgs } from '../trust-options.js';
import { BatchReport } from '../summary.js';
import { checkJobs } from '../jobs.js';

interface Args extends TrustArgs {
  files?: string[];
  manifest?: string;
  recursive?: string;
  jobs: number;
  sig?: string;
  payload?: string;
  format?: string;
  context?: string;
  json: boolean;
  kms: boolean;
  junit?: string;
}

export const verify: CommandModule<object, Args> = {
  command: 'verify [files..]',
  describe: 'verify signatures: containers are recognised by content, artifacts find FILE.sig etc.; many files use all cores',
  builder: (y) =>
    y.positional('files', { type: 'string', array: true }).options({
      key: {
        type: 'string',
        describe: 'trusted key: public key, private key, certificate, or awskms:// reference (repeatable: a key set)',
        group: 'Trust:',
      },
      ...trustOptions,
      manifest: { type: 'string', describe: 'verify every entry of a release manifest (JSON lines, docs/batch.md) against its pinned key' },
      recursive: { type: 'string', describe: "verify every file below DIR, paired with its signatures by the formats' suffixes" },
      jobs: {
        type: 'number',
        default: availableParallelism(),
        defaultDescription: 'the number of CPUs',
        describe: 'verifying threads: this one plus worker threads',
      },
      sig: { type: 'string', describe: 'detached signature file (one input only)' },
      payload: { type: 'string', alias: 'content', describe: 'detached payload for a container given as FILE' },
      format: {
        type: 'string',
        describe: `force a format: ${registeredFormats()
          .map((f) => f.name)
          .join('|')}`,
      },
      context: contextOption,
      json: jsonOption,
      kms: {
        type: 'boolean',
        default: false,
        describe: 'ask KMS Verify (EXTERNAL_MU) instead of verifying offline; --key must be awskms://',
      },
      junit: { type: 'string', describe: 'also write a JUnit XML report here (one testcase per file), for CI dashboards and MES' },
      'passphrase-file': passphraseFileOption,
      alg: algOption,
      ...formatFlags('verify'),
    }) as never,
  handler: action(async (a: Args) => {
    const files = a.files ?? [];
    const sources = [files.length > 0, a.manifest !== undefined, a.recursive !== undefined].filter(Boolean).length;
    if (sources !== 1) throw usage('give files to verify, or --manifest FILE, or --recursive DIR (one of them)');
    if (a.sig && files.length !== 1) throw usage('--sig takes one input file');
    a.jobs = checkJobs(a.jobs)!;
    if (a.manifest && a.context !== undefined)
      throw usage('--context does not apply to --manifest: each entry records the context it was signed with');
    if (a.manifest && a.format !== undefined) throw usage('--format does not apply to --manifest: each entry names its format');
    if (a.payload !== undefined && files.length === 0) throw usage('--payload goes with a container given as FILE');

    const refs = a.key === undefined ? [] : Array.isArray(a.key) ? a.key : [a.key];
    if (a.kms && !(refs.length === 1 && isKmsRef(refs[0]!) && a.policy === undefined))
      throw usage('--kms needs --key awskms://... (one key, no --policy)');
    const kms = a.kms ? await openKms(refs[0]!) : undefined;
    const trust = await resolveTrust(a, kms ? [kms] : undefined);
    const shared: VerifyShared = {
      rules: trust.rules,
      policy: trust.policy,
      scope: a.scope,
      formatOptions: optionsByFormat(a, 'verify'),
      plugins: loadedPlugins(),
    };
    const jobs = await plan(a, files, shared);
    const report = new BatchReport('pqsign verify', a.junit, jobs.length);
    let worst = 0;
    // a composite signature names its composite algorithm (details.composite), else the ML-DSA set
    const algOf = (v: VerifyOutcome) => (typeof v.details.composite === 'string' ? v.details.composite : v.params.name);
    const emit = orderedEmitter<VerifyOutcome>((r, i) => {
      const file = jobs[i]!.file;
      worst = Math.max(worst, exitOfSettled(r));
      report.add(
        file,
        r,
        r.ok ? `${algOf(r.value)} ${r.value.format} ${r.value.signature}, key sha256 ${r.value.keyFingerprint}` : undefined,
      );
      if (a.json) {
        printJson(
          r.ok
            ? {
                file,
                ok: true,
                format: r.value.format,
                signature: r.value.signature,
                algorithm: algOf(r.value),
                keyFingerprint: r.value.keyFingerprint,
                ...(r.value.scope !== undefined ? { scope: r.value.scope } : {}),
                ...(kms ? { verifiedBy: 'kms' } : {}),
                ...r.value.details,
                ...(r.value.containers ? { containers: r.value.containers.map(containerJson) } : {}),
              }
            : { file, ok: false, error: errorJson(r.error) },
        );
      } else if (r.ok) {
        const scope = r.value.scope !== undefined ? `, policy scope ${r.value.scope}` : '';
        process.stderr.write(`OK ${file} (${algOf(r.value)}, ${r.value.format}${scope}${kms ? ', verified by KMS' : ''})\n`);
        for (const c of r.value.containers ?? [])
          if (!c.ok) process.stderr.write(`pqsign: ${c.signature}: does not count: ${cliMessage(c.error!.message)}\n`);
      } else reportError(r.error);
    });
    if (kms) {
      // KMS Verify is a network call from this process: no workers, bounded concurrency instead.
      try {
        await mapBounded(jobs, 8, (job) => runVerifyJob(job, shared, kms), emit);
      } finally {
        await kms.close();
      }
      return report.finish(worst);
    }
    // Workers get plain data: the resolved trust rules and the parsed options, never a REF.
    await verifyJobs(jobs, shared, { threads: a.jobs, workerUrl: VERIFY_WORKER_URL }, emit);
    return report.finish(worst);
  }),
};

/**
 * Manifest products choose policy scopes, so they are trusted only from a manifest that is itself signed by
 * a key its own scope trusts (MANIFEST.sig, .p7s, ... beside it): an unsigned line could name any product.
 */
async function requireSignedManifest(manifest: string, shared: VerifyShared): Promise<void> {
  try {
    await runVerifyJob({ file: manifest, context: new Uint8Array(0) }, shared);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `its entries name products, which choose trust-policy scopes, so the manifest must be signed by a key its own scope trusts: ${why}`,
      { file: manifest, detail: 'scope' },
    );
  }
}

/** A container's outcome for --json, its message in CLI terms. */
const containerJson = (c: ContainerReport): ContainerReport =>
  c.error ? { ...c, error: { ...c.error, message: cliMessage(c.error.message) } } : c;

const openKms = async (ref: string) => (await import('../../src/kms/signer.js')).KmsSigner.open(ref);

async function plan(a: Args, files: string[], shared: VerifyShared): Promise<VerifyJob[]> {
  const context = parseContext(a.context);
  if (a.manifest) {
    const entries = await readManifest(a.manifest);
    if (shared.policy && shared.scope === undefined && entries.some((e) => e.product !== undefined))
      await requireSignedManifest(a.manifest, shared);
    return manifestJobs(entries);
  }
  if (a.recursive) return treeJobs(a.recursive, context, a.format);
  return files.map((file) => ({ file, sig: a.sig, payload: a.payload, format: a.format, context }));
}
