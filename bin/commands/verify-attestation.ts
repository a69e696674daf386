import type { CommandModule } from 'yargs';
import { loadPublicKey } from '../../src/keyref.js';
import { verifyAttestation, type EnvelopeReport, type SubjectReport } from '../../src/attest/verify.js';
import { errorJson, exitOf } from '../../src/ops/describe.js';
import { worstExit } from '../../src/errors.js';
import { action, algOption, jsonOption, keyOption, keyRefOptions, passphraseFileOption, printJson, reportError, type KeyArgs } from '../cli.js';
import { baseDirOption, checkJobs, jobsOption } from '../attest-options.js';

interface Args extends KeyArgs {
  file: string;
  subject?: string[];
  recursive: boolean;
  baseDir: string;
  predicateType?: string;
  jobs?: number;
  json: boolean;
}

const envelopeJson = (e: EnvelopeReport) => ({
  kind: 'envelope', line: e.line, ok: e.ok,
  ...(e.ok ? { keyid: e.keyid ?? null, predicateType: e.predicateType, subjects: e.subjects } : { error: errorJson(e.error) }),
});

const subjectJson = (s: SubjectReport) => ({
  kind: 'subject', file: s.file, name: s.name, ok: s.ok,
  ...(s.digests ? { sha256: s.digests.sha256, sha512: s.digests.sha512, size: s.digests.size } : {}),
  ...(s.ok ? { line: s.line } : { error: errorJson(s.error) }),
});

export const verifyAttestationCommand: CommandModule<object, Args> = {
  command: 'verify-attestation <file>',
  describe: 'verify a DSSE attestation bundle with a public key, and check files against its subjects',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'the .intoto.jsonl bundle' }).options({
    key: { ...keyOption, describe: 'public key, private key, certificate, or awskms:// reference the attestation must be signed by' },
    subject: { type: 'string', array: true, describe: 'files (directories with --recursive, globs) whose digests must match a subject of the same name; takes several, so give FILE first' },
    recursive: { type: 'boolean', default: false, describe: 'check every file below directories given with --subject' },
    'base-dir': baseDirOption,
    'predicate-type': { type: 'string', describe: 'only envelopes with this predicate type count' },
    jobs: jobsOption,
    json: { ...jsonOption, describe: 'one JSON object per envelope and per subject on stdout' },
    'passphrase-file': passphraseFileOption,
    alg: algOption,
  }) as never,
  handler: action(async (a: Args) => {
    checkJobs(a.jobs);
    const key = await loadPublicKey(a.key, keyRefOptions(a));
    const report = await verifyAttestation(a.file, {
      key, subjects: a.subject, recursive: a.recursive, baseDir: a.baseDir, predicateType: a.predicateType, jobs: a.jobs,
    });
    if (a.json) {
      for (const e of report.envelopes) printJson(envelopeJson(e));
      for (const s of report.subjects) printJson(subjectJson(s));
      if (report.error) printJson({ kind: 'attestation', file: a.file, ok: false, error: errorJson(report.error) });
    } else {
      // A bundle of one line that fails is reported once, by report.error (which names the line).
      const alone = report.error && report.envelopes.length === 1;
      for (const e of report.envelopes) if (!e.ok && !alone) process.stderr.write(`pqsign: ${a.file}: line ${e.line} ignored: ${e.error!.message}\n`);
      for (const s of report.subjects) if (!s.ok) reportError(s.error);
    }
    if (report.error) return a.json ? report.error.exitCode : reportError(report.error);
    const failed = report.subjects.filter((s) => !s.ok);
    if (!a.json && failed.length === 0) {
      const counted = report.envelopes.filter((e) => e.ok).length;
      const checked = report.subjects.length ? `, ${report.subjects.length} subject${report.subjects.length === 1 ? '' : 's'} match` : '';
      process.stderr.write(`OK ${a.file} (${counted} of ${report.envelopes.length} envelope${report.envelopes.length === 1 ? '' : 's'} by ${report.algorithm} key ${report.keyFingerprint.slice(0, 16)}${checked})\n`);
    }
    return worstExit(failed.map((s) => exitOf(s.error)));
  }),
};
