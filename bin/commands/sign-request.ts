import type { CommandModule } from 'yargs';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { readRequest, signRequest } from '../../src/batch/ceremony.js';
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
  type KeyArgs,
} from '../cli.js';

interface Args extends KeyArgs {
  request: string;
  out?: string;
  deterministic: boolean;
  json: boolean;
  force: boolean;
}

export const signRequestCommand: CommandModule<object, Args> = {
  command: 'sign-request <request>',
  describe: "offline ceremony, step 2 with pqsign as the signer: sign the request's μ (the key must be the request's)",
  builder: (y) =>
    y.positional('request', { type: 'string', demandOption: true }).options({
      key: keyOption,
      out: { type: 'string', describe: 'signature file, raw FIPS 204 bytes (default REQUEST.sig)' },
      deterministic: { type: 'boolean', default: false, describe: 'deterministic ML-DSA (local keys; default is hedged)' },
      json: { ...jsonOption, describe: 'print a JSON summary' },
      force: forceOption,
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: Args) => {
    const out = a.out ?? `${a.request}.sig`;
    await checkOutputs([out], filesIn(a.request, a.key, a.passphraseFile), { force: a.force });
    const req = await readRequest(a.request);
    const signer = await loadSigner(a.key, keyRefOptions(a));
    try {
      const signature = await signRequest(req, signer, a.request);
      await writeFileAtomic(out, signature);
      if (a.json) printJson({ request: a.request, output: out, algorithm: req.key.params.name, keyFingerprint: req.raw.keyFingerprint });
      else process.stderr.write(`signed the μ of ${a.request} -> ${out} (${req.key.params.name})\n`);
    } finally {
      await signer.close?.();
    }
  }),
};
