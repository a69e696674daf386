import type { CommandModule } from 'yargs';
import { PqsignError } from '../../src/base/errors.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { containerFormat } from '../../src/pipeline/container.js';
import { action, forceOption, jsonOption, printJson } from '../cli.js';

interface Args {
  file: string;
  tsa: string;
  tsaDigest?: string;
  out?: string;
  json: boolean;
  force: boolean;
}

export const timestamp: CommandModule<object, Args> = {
  command: 'timestamp <file>',
  describe:
    'add an RFC 3161 time-stamp token to every SignerInfo of a CMS signature (FILE.p7s), in place unless --out; nothing signed changes',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      tsa: { type: 'string', demandOption: true, describe: 'the time-stamp authority: http:// or https:// URL (RFC 3161 over HTTP)' },
      'tsa-digest': { type: 'string', describe: 'hash of the time-stamp request: sha512 (default) | sha384 | sha256 | sha3-*' },
      out: { type: 'string', describe: 'write the time-stamped signature here instead of replacing FILE' },
      json: { ...jsonOption, describe: 'print one JSON object' },
      force: { ...forceOption, describe: 'replace an existing --out (never FILE itself)' },
    }) as never,
  handler: action(async (a: Args) => {
    // replacing FILE is what the command is for; another output follows the overwrite rule
    if (a.out !== undefined) await checkOutputs([a.out], [a.file], { force: a.force });
    const format = await containerFormat(a.file, undefined);
    if (format.name !== 'cms') {
      throw new PqsignError(
        'ERR_USAGE',
        `is a ${format.name} container; timestamp adds tokens to CMS signatures (FILE.p7s); sign UEFI pkcs7 images with --tsa`,
        { file: a.file },
      );
    }
    const [{ addTimestamps, tokenFromTsa }, { tsaDigest, tsaUrl }] = await Promise.all([
      import('../../src/pipeline/timestamp.js'),
      import('../../src/cms/tsp/client.js'),
    ]);
    const tsa = { url: tsaUrl(a.tsa), digest: tsaDigest(a.tsaDigest).name };
    const r = await addTimestamps(a.file, a.out ?? a.file, tokenFromTsa(tsa));
    if (a.json) printJson({ ok: true, ...r });
    else
      for (const s of r.signers)
        process.stderr.write(
          `time-stamped ${a.file} SignerInfo #${s.index + 1} at ${s.genTime} by "${s.tsa}" -> ${r.output} (${s.tokens} token${s.tokens > 1 ? 's' : ''})\n`,
        );
  }),
};
