import type { CommandModule } from 'yargs';
import { registeredFormats } from '../../src/pipeline/registry.js';
import { containerFormat, stripPayload } from '../../src/pipeline/container.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { action, forceOption, jsonOption, printJson } from '../cli.js';

interface Args {
  file: string;
  out: string;
  format?: string;
  json: boolean;
  force: boolean;
}

export const strip: CommandModule<object, Args> = {
  command: 'strip <file>',
  describe:
    'write the exact payload an embedding container carries (UEFI, attached COSE/CMS), for reproducible-build comparison; verifies nothing',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      out: { type: 'string', demandOption: true, describe: 'payload output file' },
      format: {
        type: 'string',
        describe: `force a format: ${registeredFormats()
          .map((f) => f.name)
          .join('|')}`,
      },
      json: { ...jsonOption, describe: 'print one JSON object' },
      force: forceOption,
    }) as never,
  handler: action(async (a: Args) => {
    await checkOutputs([a.out], [a.file], { force: a.force });
    const format = await containerFormat(a.file, a.format);
    const { bytes } = await stripPayload(a.file, format, a.out);
    if (a.json) printJson({ file: a.file, format: format.name, output: a.out, bytes });
    else process.stderr.write(`wrote the ${bytes}-byte payload of ${a.file} (${format.name}) to ${a.out}\n`);
  }),
};
