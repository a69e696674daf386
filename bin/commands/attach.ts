import type { CommandModule } from 'yargs';
import { attachSignature, readRequest, readSignature } from '../../src/ops/ceremony.js';
import { action, jsonOption, printJson } from '../cli.js';

interface Args {
  file: string;
  request: string;
  signature: string;
  out?: string;
  json: boolean;
}

export const attach: CommandModule<object, Args> = {
  command: 'attach <file>',
  describe: 'offline ceremony, step 3: check the returned signature against the request and write the container',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true }).options({
    request: { type: 'string', demandOption: true, describe: 'the request `pqsign tbs` wrote for FILE' },
    signature: { type: 'string', demandOption: true, describe: 'the signer\'s signature over the request\'s μ: raw bytes, hex or base64' },
    out: { type: 'string', describe: 'output (default FILE plus the format\'s suffix)' },
    json: { ...jsonOption, describe: 'print a JSON summary' },
  }) as never,
  handler: action(async (a: Args) => {
    const req = await readRequest(a.request);
    const signature = await readSignature(a.signature, req.key.params);
    const out = a.out ?? a.file + req.format.suffix;
    const r = await attachSignature(a.file, req, signature, out, { request: a.request, signature: a.signature });
    if (a.json) printJson({ ok: true, ...r });
    else process.stderr.write(`attached ${a.signature} to ${a.file} -> ${r.output} (${r.algorithm}, ${r.format})\n`);
  }),
};
