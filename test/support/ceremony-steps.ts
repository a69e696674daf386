// The offline ceremony's three steps (`pqsign tbs | sign-request | attach`) in this process, through the
// library calls the commands make (src/batch/ceremony.ts), writing the same files: for unit tests whose
// subject is the container a ceremony builds. The CLI's side of the ceremony is tested in test/cli/.
import { writeFileSync } from 'node:fs';
import { fromHex } from '../../src/base/bytes.js';
import { attachSignature, createRequest, readRequest, readSignature, signRequest } from '../../src/batch/ceremony.js';
import type { FormatOptions } from '../../src/pipeline/format.js';
import { loadPublicKey, loadSigner } from '../../src/pipeline/keyref.js';
import { formatByName } from '../../src/pipeline/registry.js';
import type { SignResult } from '../../src/pipeline/sign.js';

export interface TbsOptions {
  /** --format (default raw) */
  format?: string;
  /** --context, hex */
  context?: string;
  /** the format's flags */
  options?: FormatOptions;
}

/** `pqsign tbs FILE --key PUB [--format F] [--context HEX] [format flags] --out OUT`: OUT. */
export async function tbsFile(file: string, pubRef: string, out: string, o: TbsOptions = {}): Promise<string> {
  const req = await createRequest(
    file,
    formatByName(o.format ?? 'raw'),
    await loadPublicKey(pubRef),
    fromHex(o.context ?? ''),
    o.options ?? {},
  );
  writeFileSync(out, `${JSON.stringify(req, null, 2)}\n`);
  return out;
}

/** `pqsign sign-request REQ --key KEY [--deterministic] --out OUT`: OUT. */
export async function signRequestFile(request: string, keyRef: string, out: string, o: { deterministic?: boolean } = {}): Promise<string> {
  const req = await readRequest(request);
  const signer = await loadSigner(keyRef, { deterministic: o.deterministic ?? false });
  try {
    writeFileSync(out, await signRequest(req, signer, request));
    return out;
  } finally {
    await signer.close?.();
  }
}

/** `pqsign attach FILE --request REQ --signature SIG --out OUT` (the overwrite checks are the CLI's) */
export async function attachFile(file: string, request: string, signature: string, out: string): Promise<SignResult> {
  const req = await readRequest(request);
  const sig = await readSignature(signature, req.key.params);
  return attachSignature(file, req, sig, out, { request, signature });
}

/** tbs → sign-request → attach: the container at OUT. */
export async function ceremony(file: string, format: string, pubRef: string, keyRef: string, out: string, options: FormatOptions = {}) {
  const req = await tbsFile(file, pubRef, `${out}.req.json`, { format, options });
  return attachFile(file, req, await signRequestFile(req, keyRef, `${out}.sig`), out);
}
