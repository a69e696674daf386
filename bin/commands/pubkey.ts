import type { CommandModule } from 'yargs';
import { loadPublicKey } from '../../src/pipeline/keyref.js';
import { COMPOSITE_ENCODINGS, PUBLIC_KEY_ENCODERS } from '../../src/keys/export.js';
import { DEFAULT_C_SYMBOL, cSymbolForFile, cSymbolProblem } from '../../src/keys/c-header.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { checkOutputs } from '../../src/io/outputs.js';
import {
  action,
  algOption,
  filesIn,
  forceOption,
  jsonOption,
  keyOption,
  keyRefOptions,
  passphraseFileOption,
  printJson,
  usage,
  type KeyArgs,
} from '../cli.js';

interface Args extends KeyArgs {
  format: string;
  out?: string;
  symbol?: string;
  json: boolean;
  force: boolean;
}

export const pubkey: CommandModule<object, Args> = {
  command: 'pubkey',
  describe: 'export the public key of a key reference (a composite key: pem, der, raw or hex)',
  builder: (y) =>
    y.options({
      key: keyOption,
      format: { type: 'string', default: 'pem', describe: `output encoding: ${Object.keys(PUBLIC_KEY_ENCODERS).join('|')}` },
      out: { type: 'string', describe: 'write here instead of stdout' },
      symbol: {
        type: 'string',
        describe: `--format c: C name of the key array (default: from the --out file name, else ${DEFAULT_C_SYMBOL})`,
      },
      json: { ...jsonOption, describe: 'print {algorithm, keyFingerprint, publicKey} as JSON' },
      force: forceOption,
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: Args) => {
    const enc = PUBLIC_KEY_ENCODERS[a.format];
    if (!enc) throw usage(`unknown --format "${a.format}" (use ${Object.keys(PUBLIC_KEY_ENCODERS).join(', ')})`);
    if (a.symbol !== undefined && a.format !== 'c') throw usage('--symbol is for --format c');
    const symbol = a.format !== 'c' ? undefined : (a.symbol ?? (a.out === undefined ? undefined : cSymbolForFile(a.out)));
    const problem = symbol === undefined ? undefined : cSymbolProblem(symbol);
    if (problem) throw usage(`--symbol "${symbol}" ${problem}`);
    if (a.out) await checkOutputs([a.out], filesIn(a.key, a.passphraseFile), { force: a.force });
    const key = await loadPublicKey(a.key, keyRefOptions(a), { composite: COMPOSITE_ENCODINGS.includes(a.format) });
    const encoded = await enc(key, { symbol });
    const bytes = typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded;
    if (a.json) {
      const text = typeof encoded === 'string' ? encoded : Buffer.from(encoded).toString('base64');
      const obj = {
        algorithm: key.composite?.name ?? key.params.name,
        keyFingerprint: keyFingerprint(key.publicKey),
        format: a.format,
        publicKey: text,
      };
      if (a.out) await writeFileAtomic(a.out, `${JSON.stringify(obj)}\n`);
      else printJson(obj);
      return;
    }
    if (a.out) await writeFileAtomic(a.out, bytes);
    else process.stdout.write(bytes);
  }),
};
