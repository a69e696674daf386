import type { CommandModule } from 'yargs';
import { registeredFormats } from '../../src/pipeline/registry.js';
import { looksLikeAttestationBundle } from '../../src/attest/detect.js';
import { containerFormat, inspectContainer } from '../../src/pipeline/container.js';
import { readHead } from '../../src/pipeline/verify.js';
import { action, jsonOption, printJson } from '../cli.js';
import { inspectText } from '../inspect-text.js';

interface Args {
  file: string;
  format?: string;
  json: boolean;
}

/** An attestation bundle is not a signature format; it is described by the attest module. */
const BUNDLE = 'intoto-bundle';

export const inspect: CommandModule<object, Args> = {
  command: 'inspect <file>',
  describe:
    "show a container's or attestation bundle's structure (format, algorithm, key fingerprint, certificates, signers, sizes) without a key; verifies nothing",
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      format: {
        type: 'string',
        describe: `force a format (a raw signature needs --format raw): ${registeredFormats()
          .map((f) => f.name)
          .join('|')}`,
      },
      json: { ...jsonOption, describe: 'print one JSON object' },
    }) as never,
  handler: action(async (a: Args) => {
    let name: string;
    let facts: Record<string, unknown>;
    if (!a.format && looksLikeAttestationBundle(await readHead(a.file))) {
      const { inspectBundle } = await import('../../src/attest/inspect.js');
      [name, facts] = [BUNDLE, await inspectBundle(a.file)];
    } else {
      const format = await containerFormat(a.file, a.format);
      [name, facts] = [format.name, await inspectContainer(a.file, format)];
    }
    if (a.json) printJson({ file: a.file, format: name, ...facts });
    else process.stdout.write(inspectText(a.file, name, facts));
  }),
};
