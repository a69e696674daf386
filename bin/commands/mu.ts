import type { CommandModule } from 'yargs';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { toHex } from '../../src/base/bytes.js';
import { muOfParts } from '../../src/mldsa/stream.js';
import { statInput } from '../../src/io/read.js';
import { action, algOption, contextOption, keyOption, keyRefOptions, parseContext, passphraseFileOption, type KeyArgs } from '../cli.js';

interface Args extends KeyArgs {
  file: string;
  context?: string;
}

export const mu: CommandModule<object, Args> = {
  command: 'mu <file>',
  describe: 'print the external μ of FILE for a key (hex), for HSM ceremonies and debugging',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      key: keyOption,
      context: contextOption,
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: Args) => {
    const ctx = parseContext(a.context);
    await statInput(a.file);
    const key = await loadPublicKey(a.key, keyRefOptions(a));
    const m = await muOfParts(key.params, key.publicKey, ctx, [{ path: a.file }]);
    process.stdout.write(`${toHex(m)}\n`);
  }),
};
