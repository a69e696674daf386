import type { CommandModule } from 'yargs';
import { FORMATS } from '../../formats/index.js';
import { containerFormat, inspectContainer } from '../../src/ops/container.js';
import { action, jsonOption, printJson } from '../cli.js';

interface Args {
  file: string;
  format?: string;
  json: boolean;
}

export const inspect: CommandModule<object, Args> = {
  command: 'inspect <file>',
  describe: 'show a container\'s structure (format, algorithm, key fingerprint, count, sizes, offsets) without a key; verifies nothing',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true }).options({
    format: { type: 'string', describe: `force a format (a raw signature needs --format raw): ${FORMATS.map((f) => f.name).join('|')}` },
    json: { ...jsonOption, describe: 'print one JSON object' },
  }) as never,
  handler: action(async (a: Args) => {
    const format = await containerFormat(a.file, a.format);
    const facts = await inspectContainer(a.file, format);
    if (a.json) {
      printJson({ file: a.file, format: format.name, ...facts });
      return;
    }
    const width = Math.max(...Object.keys(facts).map((k) => k.length));
    const lines = Object.entries(facts).map(([k, v]) => `  ${k.padEnd(width)}  ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`);
    process.stdout.write(`${a.file}: ${format.name}\n${lines.join('\n')}\n`);
  }),
};
