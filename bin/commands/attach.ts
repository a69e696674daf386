import type { CommandModule } from 'yargs';
import { attachSignature, readRequest, readSignature } from '../../src/batch/ceremony.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { replacesSignature } from '../../src/pipeline/container.js';
import { action, forceOption, jsonOption, printJson } from '../cli.js';
import { checkTsa } from './sign.js';
import { terminalProgress } from '../progress.js';

interface Args {
  file: string;
  request: string;
  signature: string;
  out?: string;
  tsa?: string;
  tsaDigest?: string;
  json: boolean;
  force: boolean;
}

export const attach: CommandModule<object, Args> = {
  command: 'attach <file>',
  describe: 'offline ceremony, step 3: check the returned signature against the request and write the container',
  builder: (y) =>
    y.positional('file', { type: 'string', demandOption: true }).options({
      request: { type: 'string', demandOption: true, describe: 'the request `pqsign tbs` wrote for FILE' },
      signature: { type: 'string', demandOption: true, describe: "the signer's signature over the request's μ: raw bytes, hex or base64" },
      out: { type: 'string', describe: "output (default FILE plus the format's suffix)" },
      tsa: {
        type: 'string',
        describe: 'cms, uefi pkcs7: time-stamp the signature at this RFC 3161 TSA (http:// or https:// URL) before writing',
      },
      'tsa-digest': { type: 'string', describe: 'hash of the time-stamp request: sha512 (default) | sha384 | sha256 | sha3-*' },
      json: { ...jsonOption, describe: 'print a JSON summary' },
      force: { ...forceOption, describe: "replace an existing output that is not a signature in the request's format (never an input)" },
    }) as never,
  handler: action(async (a: Args) => {
    const req = await readRequest(a.request);
    checkTsa(a, req.format);
    const signature = await readSignature(a.signature, req.key.params);
    const out = a.out ?? a.file + req.format.suffix;
    // attach writes what sign would: it may replace an earlier signature in the same format, as sign does
    await checkOutputs([out], [a.file, a.request, a.signature], { force: a.force, replaceable: replacesSignature(req.format) });
    // the token is not signed: it is asked for here, over the returned signature, and never part of the request
    const tsa = a.tsa === undefined ? {} : { tsa: a.tsa, ...(a.tsaDigest === undefined ? {} : { tsaDigest: a.tsaDigest }) };
    const r = await attachSignature(a.file, req, signature, out, { request: a.request, signature: a.signature }, tsa, terminalProgress());
    if (a.json) printJson({ ok: true, ...r });
    else process.stderr.write(`attached ${a.signature} to ${a.file} -> ${r.output} (${r.algorithm}, ${r.format})\n`);
  }),
};
