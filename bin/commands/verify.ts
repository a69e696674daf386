import type { CommandModule } from 'yargs';
import { FORMATS } from '../../formats/index.js';
import { loadPublicKey } from '../../src/keyref.js';
import { verifyPath, type VerifyOutcome } from '../../src/ops/verify.js';
import { mapBounded } from '../../src/ops/pool.js';
import { errorJson, exitOfSettled } from '../../src/ops/describe.js';
import { worstExit } from '../../src/errors.js';
import { action, algOption, contextOption, jsonOption, keyRefOptions, parseContext, passphraseFileOption, printJson, reportError, usage, type KeyArgs } from '../cli.js';
import { formatFlags } from '../format-flags.js';
import { orderedEmitter } from '../ordered.js';

interface Args extends KeyArgs {
  files: string[];
  sig?: string;
  payload?: string;
  format?: string;
  context?: string;
  json: boolean;
}

export const verify: CommandModule<object, Args> = {
  command: 'verify <files..>',
  describe: 'verify signatures: containers are recognised by content, artifacts find FILE.sig etc.',
  builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true }).options({
    key: { type: 'string', describe: 'public key, private key, certificate, or awskms:// reference' },
    sig: { type: 'string', describe: 'detached signature file (one input only)' },
    payload: { type: 'string', alias: 'content', describe: 'detached payload for a container given as FILE' },
    format: { type: 'string', describe: `force a format: ${FORMATS.map((f) => f.name).join('|')}` },
    context: contextOption,
    json: jsonOption,
    'passphrase-file': passphraseFileOption,
    alg: algOption,
    ...formatFlags('verify'),
  }) as never,
  handler: action(async (a: Args) => {
    if (a.sig && a.files.length > 1) throw usage('--sig takes one input file');
    const context = parseContext(a.context);
    const key = a.key ? await loadPublicKey(a.key, keyRefOptions(a)) : undefined;
    const emit = orderedEmitter<VerifyOutcome>((r, i) => {
      const file = a.files[i]!;
      if (a.json) {
        printJson(r.ok
          ? { file, ok: true, format: r.value.format, signature: r.value.signature, algorithm: r.value.params.name, keyFingerprint: r.value.keyFingerprint, ...r.value.details }
          : { file, ok: false, error: errorJson(r.error) });
      } else if (r.ok) process.stderr.write(`OK ${file} (${r.value.params.name}, ${r.value.format})\n`);
      else reportError(r.error);
    });
    const results = await mapBounded(a.files, 4, (f) =>
      verifyPath(f, { key, sig: a.sig, payload: a.payload, format: a.format, context, formatOptions: a }), emit);
    return worstExit(results.map(exitOfSettled));
  }),
};
