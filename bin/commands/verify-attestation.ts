import type { CommandModule } from 'yargs';
import { verifyAttestation, type EnvelopeReport, type SubjectReport } from '../../src/attest/verify.js';
import { cliMessage, errorJson } from '../errors.js';
import { exitOf, worstExit } from '../exit-codes.js';
import { action, algOption, jsonOption, passphraseFileOption, printJson, reportError } from '../cli.js';
import { baseDirOption, jobsOption } from '../attest-options.js';
import { checkJobs } from '../jobs.js';
import { attestationTrust, trustOptions, type TrustArgs } from '../trust-options.js';
import { terminalProgress } from '../progress.js';

interface Args extends TrustArgs {
  file: string;
  subject?: string[];
  recursive: boolean;
  baseDir: string;
  predicateType?: string;
  builderId?: string;
  sourceUri?: string;
  subjectDigest?: string[];
  ignoreNames: boolean;
  jobs?: number;
  json: boolean;
}

const envelopeJson = (e: EnvelopeReport) => ({
  kind: 'envelope',
  line: e.line,
  ok: e.ok,
  ...(e.ok ? { keyid: e.keyid ?? null, predicateType: e.predicateType, subjects: e.subjects } : { error: errorJson(e.error) }),
});

const subjectJson = (s: SubjectReport) => ({
  kind: 'subject',
  file: s.file,
  name: s.name,
  ok: s.ok,
  ...(s.digests ? { sha256: s.digests.sha256, sha512: s.digests.sha512, size: s.digests.size } : {}),
  ...(s.ok ? { line: s.line } : { error: errorJson(s.error) }),
});

export const verifyAttestationCommand: CommandModule<object, Args> = {
  command: 'verify-attestation <file>',
  describe: 'verify a DSSE attestation bundle with a public key, and check files against its subjects',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true, describe: 'the .intoto.jsonl bundle' }).options({
      key: {
        type: 'string',
        describe: 'trusted key: public key, private key, certificate, or awskms:// reference (repeatable: a key set)',
        group: 'Trust:',
      },
      policy: trustOptions.policy,
      scope: trustOptions.scope,
      subject: {
        type: 'string',
        array: true,
        describe:
          'files (directories with --recursive, globs) whose digests must match a subject of the same name; takes several, so give FILE first',
      },
      recursive: { type: 'boolean', default: false, describe: 'check every file below directories given with --subject' },
      'base-dir': baseDirOption,
      'predicate-type': { type: 'string', describe: 'only envelopes with this predicate type count' },
      'builder-id': { type: 'string', describe: 'only SLSA provenance whose runDetails.builder.id is exactly this counts' },
      'source-uri': {
        type: 'string',
        describe: 'only SLSA provenance built from this source counts (a resolvedDependencies uri equal to it, or to it followed by @REF)',
      },
      'subject-digest': {
        type: 'string',
        array: true,
        describe: 'ALG:HEX (sha256 or sha512): some attested subject must have this digest, whatever its name (a downloaded file)',
      },
      'ignore-names': {
        type: 'boolean',
        default: false,
        describe: '--subject files match attested subjects by digest alone (downloaded under another name)',
      },
      jobs: jobsOption,
      json: { ...jsonOption, describe: 'one JSON object per envelope and per subject on stdout' },
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: Args) => {
    a.jobs = checkJobs(a.jobs);
    const t = await attestationTrust(a, a.file);
    const report = await verifyAttestation(a.file, {
      keys: t.keys,
      subjects: a.subject,
      recursive: a.recursive,
      baseDir: a.baseDir,
      jobs: a.jobs,
      predicateType: t.predicateType,
      builderId: t.builderId,
      sourceUri: t.sourceUri,
      subjectDigests: a.subjectDigest,
      ignoreNames: a.ignoreNames,
      onProgress: terminalProgress(),
    });
    if (a.json) {
      for (const e of report.envelopes) printJson(envelopeJson(e));
      for (const s of report.subjects) printJson(subjectJson(s));
      if (report.error) printJson({ kind: 'attestation', file: a.file, ok: false, error: errorJson(report.error) });
    } else {
      // A bundle of one line that fails is reported once, by report.error (which names the line).
      const alone = report.error && report.envelopes.length === 1;
      for (const e of report.envelopes)
        if (!e.ok && !alone) process.stderr.write(`pqsign: ${a.file}: line ${e.line} ignored: ${cliMessage(e.error!.message)}\n`);
      for (const s of report.subjects) if (!s.ok) reportError(s.error);
    }
    if (report.error) return a.json ? exitOf(report.error) : reportError(report.error);
    const failed = report.subjects.filter((s) => !s.ok);
    if (!a.json && failed.length === 0) {
      const counted = report.envelopes.filter((e) => e.ok).length;
      const checked = report.subjects.length ? `, ${report.subjects.length} subject${report.subjects.length === 1 ? '' : 's'} match` : '';
      const keys = report.keys.map((k) => `${k.algorithm} key ${k.keyFingerprint.slice(0, 16)}`).join(' or ');
      const scope = t.scope !== undefined ? `, policy scope ${t.scope}` : '';
      process.stderr.write(
        `OK ${a.file} (${counted} of ${report.envelopes.length} envelope${report.envelopes.length === 1 ? '' : 's'} by ${keys}${checked}${scope})\n`,
      );
    }
    return worstExit(failed.map((s) => exitOf(s.error)));
  }),
};
