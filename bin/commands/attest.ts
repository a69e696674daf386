import type { CommandModule } from 'yargs';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { attestFiles, readPredicateFile } from '../../src/attest/attest.js';
import { DEFAULT_BUNDLE } from '../../src/attest/bundle.js';
import { SLSA_PROVENANCE_V1 } from '../../src/attest/slsa.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { action, algOption, filesIn, jsonOption, keyOption, keyRefOptions, passphraseFileOption, printJson, type KeyArgs } from '../cli.js';
import { baseDirOption, jobsOption } from '../attest-options.js';
import { checkJobs } from '../jobs.js';
import { terminalProgress } from '../progress.js';

interface Args extends KeyArgs {
  subjects: string[];
  out: string;
  baseDir: string;
  recursive: boolean;
  predicateType?: string;
  predicate?: string;
  builderId?: string;
  buildType?: string;
  sourceUri?: string;
  sourceDigest?: string[];
  entryPoint?: string;
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
  jobs?: number;
  json: boolean;
}

const provenance = 'SLSA provenance (see docs/ci.md):';

export const attest: CommandModule<object, Args> = {
  command: 'attest <subjects..>',
  describe: 'attest files: an in-toto Statement (SLSA provenance by default) in a DSSE envelope signed with ML-DSA',
  builder: (y) =>
    y
      .positional('subjects', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'files, directories (with --recursive) or glob patterns',
      })
      .options({
        key: keyOption,
        out: { type: 'string', default: DEFAULT_BUNDLE, describe: 'bundle to append the envelope to (JSON Lines)' },
        'base-dir': baseDirOption,
        recursive: { type: 'boolean', default: false, describe: 'attest every file below directories given as subjects' },
        'predicate-type': { type: 'string', describe: `predicate type URI (default ${SLSA_PROVENANCE_V1}; required with --predicate)` },
        predicate: { type: 'string', describe: 'JSON file with the predicate (default: SLSA provenance from the CI environment)' },
        'builder-id': {
          type: 'string',
          describe: 'runDetails.builder.id URI (required outside GitHub Actions; overrides it there)',
          group: provenance,
        },
        'build-type': { type: 'string', describe: 'buildDefinition.buildType URI', group: provenance },
        'source-uri': {
          type: 'string',
          describe: 'the source that was built (externalParameters.source, resolvedDependencies)',
          group: provenance,
        },
        'source-digest': {
          type: 'string',
          array: true,
          nargs: 1,
          describe: 'ALG:HEX digest of the source, e.g. gitCommit:abc123... (repeatable)',
          group: provenance,
        },
        'entry-point': { type: 'string', describe: 'externalParameters.entryPoint (build script, target, ...)', group: provenance },
        'invocation-id': { type: 'string', describe: 'runDetails.metadata.invocationId', group: provenance },
        'started-on': { type: 'string', describe: 'runDetails.metadata.startedOn (RFC 3339)', group: provenance },
        'finished-on': { type: 'string', describe: 'runDetails.metadata.finishedOn (RFC 3339)', group: provenance },
        jobs: jobsOption,
        json: { ...jsonOption, describe: 'print the result as one JSON object on stdout' },
        'passphrase-file': passphraseFileOption,
        alg: algOption,
      }) as never,
  handler: action(async (a: Args) => {
    a.jobs = checkJobs(a.jobs);
    // The bundle is appended to, which is no overwrite (every line stays), but it is never an input.
    await checkOutputs([a.out], filesIn(a.key, a.passphraseFile, a.predicate), { force: true });
    const predicate = a.predicate ? await readPredicateFile(a.predicate) : undefined;
    const signer = await loadSigner(a.key, keyRefOptions(a));
    try {
      const r = await attestFiles(a.subjects, signer, {
        out: a.out,
        baseDir: a.baseDir,
        recursive: a.recursive,
        predicateType: a.predicateType,
        predicate,
        jobs: a.jobs,
        env: process.env,
        onProgress: terminalProgress(),
        provenance: {
          builderId: a.builderId,
          buildType: a.buildType,
          sourceUri: a.sourceUri,
          sourceDigest: a.sourceDigest,
          entryPoint: a.entryPoint,
          invocationId: a.invocationId,
          startedOn: a.startedOn,
          finishedOn: a.finishedOn,
        },
      });
      if (a.json) printJson({ ok: true, ...r });
      else
        process.stderr.write(
          `attested ${r.subjects} subject${r.subjects === 1 ? '' : 's'} -> ${r.output} (${r.algorithm}, keyid ${r.keyid.slice(0, 16)}, ${r.predicateType})\n`,
        );
    } finally {
      await signer.close?.();
    }
  }),
};
