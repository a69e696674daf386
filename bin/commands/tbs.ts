import type { CommandModule } from 'yargs';
import { registeredFormats, formatByName } from '../../src/pipeline/registry.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { createRequest } from '../../src/batch/ceremony.js';
import { checkOutputs } from '../../src/io/outputs.js';
import {
  action,
  usage,
  algOption,
  contextOption,
  filesIn,
  forceOption,
  jsonOption,
  keyRefOptions,
  parseContext,
  passphraseFileOption,
  printJson,
  type KeyArgs,
} from '../cli.js';
import { formatFlags, formatOptions, refuseOtherFormatsFlags } from '../format-flags.js';
import { terminalProgress } from '../progress.js';

interface Args extends KeyArgs {
  file: string;
  format: string;
  context?: string;
  out?: string;
  json: boolean;
  force: boolean;
}

export const tbs: CommandModule<object, Args> = {
  command: 'tbs <file>',
  describe: 'offline ceremony, step 1: write a signing request (μ plus what attach needs to rebuild the container)',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      key: {
        type: 'string',
        demandOption: true,
        describe: "the signer's public key: public/private key or certificate file, or awskms:// reference",
      },
      format: {
        type: 'string',
        default: 'raw',
        describe: `signature format: ${registeredFormats()
          .map((f) => f.name)
          .join('|')}`,
      },
      context: contextOption,
      out: { type: 'string', describe: 'request file (default FILE.tbs.json)' },
      json: { ...jsonOption, describe: 'print a JSON summary' },
      force: forceOption,
      'passphrase-file': passphraseFileOption,
      alg: algOption,
      ...formatFlags('sign'),
    }) as never,
  handler: action(async (a: Args) => {
    const format = formatByName(a.format);
    if (a.tsa !== undefined) throw usage('--tsa goes to `pqsign attach`: the time-stamp token is asked for over the finished signature');
    refuseOtherFormatsFlags(format, a, 'sign');
    const options = formatOptions(format, a, 'sign');
    const context = parseContext(a.context);
    const out = a.out ?? `${a.file}.tbs.json`;
    await checkOutputs([out], filesIn(a.file, a.key, a.passphraseFile, a.cert, a.chain), { force: a.force });
    const key = await loadPublicKey(a.key, keyRefOptions(a));
    const req = await createRequest(a.file, format, key, context, options, terminalProgress());
    await writeFileAtomic(out, `${JSON.stringify(req, null, 2)}\n`);
    if (a.json)
      printJson({
        file: a.file,
        request: out,
        format: req.format,
        algorithm: req.algorithm,
        keyFingerprint: req.keyFingerprint,
        mu: req.mu,
      });
    else process.stderr.write(`wrote signing request ${out} (${req.algorithm}, ${req.format}); μ = ${req.mu}\n`);
  }),
};
