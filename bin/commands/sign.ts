import type { CommandModule } from 'yargs';
import { basename, join } from 'node:path';
import { formatByName, registeredFormats } from '../../src/pipeline/registry.js';
import { loadAnySigner, loadPublicKey } from '../../src/pipeline/keyref.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { toHex } from '../../src/base/bytes.js';
import { isCompositeSigner, type CompositeSigner } from '../../src/composite/signer.js';
import { statInput } from '../../src/io/read.js';
import type { Signer } from '../../src/mldsa/signer.js';
import { signFile, type SignResult } from '../../src/pipeline/sign.js';
import { mapBounded } from '../../src/base/pool.js';
import { PqsignError, isPqsignError } from '../../src/base/errors.js';
import { errorJson } from '../errors.js';
import { exitOfSettled, worstExit } from '../exit-codes.js';
import { entryFor, looksLikeManifest, manifestLine } from '../../src/batch/manifest.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { checkOutputs, makeOutputDir, type OverwriteRule } from '../../src/io/outputs.js';
import { replacesSignature } from '../../src/pipeline/container.js';
import type { Format } from '../../src/pipeline/format.js';
import {
  action,
  algOption,
  contextOption,
  filesIn,
  forceOption,
  jsonOption,
  keyOption,
  keyRefOptions,
  parseContext,
  passphraseFileOption,
  printJson,
  reportError,
  usage,
  type KeyArgs,
} from '../cli.js';
import { formatFlags, formatOptions, refuseOtherFormatsFlags } from '../format-flags.js';
import { orderedEmitter } from '../ordered.js';
import { BatchReport } from '../summary.js';
import { terminalProgress } from '../progress.js';

interface Args extends KeyArgs {
  files: string[];
  format: string;
  context?: string;
  deterministic: boolean;
  out?: string;
  outDir?: string;
  json: boolean;
  concurrency: number;
  messageType: 'mu' | 'raw';
  dryRun: boolean;
  manifestOut?: string;
  force: boolean;
  tsa?: string;
  tsaDigest?: string;
  junit?: string;
  policy?: string;
  scope?: string;
}

export const sign: CommandModule<object, Args> = {
  command: 'sign <files..>',
  describe: 'sign files (μ is computed locally; only μ goes to the signer)',
  builder: (y) =>
    y.positional('files', { type: 'string', array: true, demandOption: true }).options({
      key: keyOption,
      format: {
        type: 'string',
        default: 'raw',
        describe: `signature format: ${registeredFormats()
          .map((f) => f.name)
          .join('|')}`,
      },
      context: contextOption,
      deterministic: { type: 'boolean', default: false, describe: 'deterministic ML-DSA (local keys; default is hedged)' },
      out: { type: 'string', describe: 'output file (one input only)' },
      'out-dir': { type: 'string', describe: 'write outputs into this directory' },
      json: { ...jsonOption, describe: 'one JSON object per file on stdout' },
      concurrency: { type: 'number', default: 8, describe: 'files signed at once (matters for remote signers)' },
      'manifest-out': {
        type: 'string',
        describe: 'also write a release manifest (JSON lines, docs/batch.md) of everything signed, for verify --manifest',
      },
      'message-type': {
        choices: ['mu', 'raw'] as const,
        default: 'mu' as const,
        describe: 'send external μ (default) or the raw message (≤ 4096 bytes, KMS only)',
      },
      'dry-run': {
        type: 'boolean',
        default: false,
        describe: 'KMS keys: check permissions, key state and inputs (KMS DryRun) without signing',
      },
      force: {
        ...forceOption,
        describe: 'replace existing outputs that are not signatures in this format (never an input); earlier ones are replaced anyway',
      },
      junit: { type: 'string', describe: 'also write a JUnit XML report here (one testcase per file)' },
      policy: {
        type: 'string',
        describe:
          "trust policy (docs/verification.md): refuse to sign unless each file's scope trusts this key for this format and context",
      },
      scope: { type: 'string', describe: 'with --policy: use this scope for every file' },
      'passphrase-file': passphraseFileOption,
      alg: algOption,
      ...formatFlags('sign'),
    }) as never,
  handler: action(async (a: Args) => {
    const format = formatByName(a.format);
    if (a.out && a.files.length > 1) throw usage('--out takes one input file; use --out-dir for several');
    if (a.out && a.outDir) throw usage('--out and --out-dir cannot be combined');
    if (!(a.concurrency >= 1)) throw usage('--concurrency must be at least 1');
    const context = parseContext(a.context);
    checkTsa(a, format);
    refuseOtherFormatsFlags(format, a, 'sign');
    const options = formatOptions(format, a, 'sign');
    const outputFor = (f: string) => a.out ?? (a.outDir ? join(a.outDir, basename(f) + format.suffix) : f + format.suffix);
    if (!a.dryRun) {
      // Before the key is loaded: a refusal costs no passphrase prompt and no KMS call.
      const outputs = [...a.files.map(outputFor), ...filesIn(a.manifestOut)];
      await checkOutputs(outputs, [...a.files, ...signInputs(a)], overwriteRule(a, format));
      if (a.outDir) await makeOutputDir(a.outDir);
    }
    const signer = await loadAnySigner(a.key, keyRefOptions(a));
    try {
      if (a.policy !== undefined) await checkPolicy(a, format.name, signer.publicKey, context, isCompositeSigner(signer));
      if (a.dryRun) return await dryRun(a, signer);
      const report = new BatchReport('pqsign sign', a.junit, a.files.length);
      const emit = orderedEmitter<SignResult>((r, i) => {
        const file = a.files[i]!;
        report.add(file, r, r.ok ? `${r.value.output} (${r.value.algorithm} ${r.value.format})` : undefined);
        if (a.json) printJson(r.ok ? { ok: true, ...r.value } : { ok: false, file, error: errorJson(r.error) });
        else if (r.ok) process.stderr.write(`signed ${file} -> ${r.value.output} (${r.value.algorithm}, ${r.value.format})\n`);
        else reportError(r.error);
      });
      const onProgress = terminalProgress();
      // A signer's failure (e.g. from KMS) does not know which file it was signing: name it.
      const results = await mapBounded(
        a.files,
        a.concurrency,
        (f) =>
          signFile(f, outputFor(f), format, signer, { context, formatOptions: options, messageType: a.messageType, onProgress }).catch(
            (e: unknown) => Promise.reject(isPqsignError(e) ? e.withFile(f) : e),
          ),
        emit,
      );
      const worst = worstExit(results.map(exitOfSettled));
      if (a.manifestOut) {
        // A partial manifest could be shipped as if the release were complete: all or nothing.
        if (worst !== 0) {
          process.stderr.write(`pqsign: ${a.manifestOut}: not written, because some files were not signed\n`);
        } else {
          const embedded = format.embedsPayload(options);
          const lines = results.flatMap((r) => (r.ok ? [manifestLine(entryFor(a.manifestOut!, r.value, embedded, context))] : []));
          await writeFileAtomic(a.manifestOut, lines.join(''));
          process.stderr.write(`wrote manifest ${a.manifestOut} (${lines.length} entr${lines.length === 1 ? 'y' : 'ies'})\n`);
        }
      }
      return await report.finish(worst);
    } finally {
      await signer.close?.();
    }
  }),
};

/** --tsa time-stamps a CMS SignerInfo: the cms format and the UEFI pkcs7 CertType (which refuses it for mldsa). */
export function checkTsa(a: { tsa?: string | undefined; tsaDigest?: string | undefined }, format: Format): void {
  if ((a.tsa !== undefined || a.tsaDigest !== undefined) && format.name !== 'cms' && format.name !== 'uefi') {
    throw usage(`--tsa time-stamps CMS signatures (--format cms, or uefi with the pkcs7 CertType), not ${format.name}`);
  }
}

/** `--policy`: every file's scope must trust this key for this format and context, before anything is signed. */
async function checkPolicy(a: Args, format: string, publicKey: Uint8Array, context: Uint8Array, composite: boolean): Promise<void> {
  const [{ loadPolicy }, { scopeFor }, { signingProblem }] = await Promise.all([
    import('../../src/policy/policy.js'),
    import('../../src/policy/match.js'),
    import('../../src/policy/rules.js'),
  ]);
  const policy = await loadPolicy(a.policy!, (ref) => loadPublicKey(ref, keyRefOptions({ ...a, key: ref }), { composite: true }));
  const fp = keyFingerprint(publicKey);
  for (const f of a.files) {
    const { rules } = scopeFor(policy, { path: f, scope: a.scope });
    const problem = signingProblem(rules, format, fp, toHex(context), composite);
    if (problem)
      throw new PqsignError('ERR_USAGE', `${problem.message} (policy scope "${rules.scope}"): nothing was signed`, {
        file: f,
        detail: problem.rule,
        scope: rules.scope,
      });
  }
}

/** The files signing reads besides the artifacts: key, passphrase, format inputs (certificates, --aad @FILE). */
function signInputs(a: Args): string[] {
  const aad = typeof a.aad === 'string' && a.aad.startsWith('@') ? a.aad.slice(1) : undefined;
  return filesIn(a.key, a.passphraseFile, a.cert, a.chain, aad);
}

/** The overwrite rule's exception for sign: re-signing in place replaces earlier signatures (and manifest). */
function overwriteRule(a: Args, format: Format): OverwriteRule {
  const own = replacesSignature(format);
  if (!a.manifestOut) return { force: a.force, replaceable: own };
  const manifest = a.manifestOut;
  return {
    force: a.force,
    replaceable: { what: `${own.what} or a pqsign manifest`, test: (o) => (o === manifest ? looksLikeManifest(o) : own.test(o)) },
  };
}

/** --dry-run: the inputs exist and KMS would accept the Sign calls; nothing is read or written. */
async function dryRun(a: Args, signer: Signer | CompositeSigner): Promise<number> {
  if (isCompositeSigner(signer)) {
    if (!signer.mldsa.dryRun && !signer.trad.dryRun) throw usage('--dry-run needs a KMS key (--key awskms://...)');
    await signer.dryRun();
  } else {
    if (!signer.dryRun) throw usage('--dry-run needs a KMS key (--key awskms://...)');
    await signer.dryRun(a.messageType);
  }
  const algorithm = isCompositeSigner(signer) ? signer.alg.name : signer.params.name;
  const results = await mapBounded(
    a.files,
    a.concurrency,
    (f) => statInput(f),
    (r, i) => {
      const file = a.files[i]!;
      if (a.json)
        printJson(
          r.ok ? { ok: true, dryRun: true, file, algorithm, messageType: a.messageType } : { ok: false, file, error: errorJson(r.error) },
        );
      else if (r.ok)
        process.stderr.write(
          `dry run: would sign ${file} with ${signer.description} (${algorithm}, ${a.messageType === 'mu' ? 'EXTERNAL_MU' : 'RAW'})\n`,
        );
      else reportError(r.error);
    },
  );
  return worstExit(results.map(exitOfSettled));
}
