// The offline ceremony's three steps (`pqsign tbs | sign-request | attach`) in this process, through the
// library calls the commands make (src/batch/ceremony.ts), writing the same files: for unit tests whose
// subject is the container a ceremony builds. The CLI's side of the ceremony is tested in test/cli/.
import { writeFileSync } from 'node:fs';
import { fromHex } from '../../src/base/bytes.js';
import { attachSignature, createRequest, readRequest, readSignature, signRequest, type SigningRequest } from '../../src/batch/ceremony.js';
import type { FormatOptions } from '../../src/pipeline/format.js';
import { loadPublicKey, loadSigner } from '../../src/pipeline/keyref.js';
import { formatByName } from '../../src/pipeline/registry.js';
import type { SignResult } from '../../src/pipeline/sign.js';

/** `pqsign tbs FILE --format F --key PUB --out OUT [--context HEX] [format flags]`: the request written. */
export async function tbsFile(
  file: string,
  format: string,
  pubRef: string,
  out: string,
  options: FormatOptions = {},
  context = '',
): Promise<SigningRequest> {
  const req = await createRequest(file, formatByName(format), await loadPublicKey(pubRef), fromHex(context), options);
  writeFileSync(out, `${JSON.stringify(req, null, 2)}\n`);
  return req;
}

/** `pqsign sign-request REQ --key KEY --out OUT` */
export async function signRequestFile(request: string, keyRef: string, out: string): Promise<string> {
  const req = await readRequest(request);
  const signer = await loadSigner(keyRef);
  try {
    writeFileSync(out, await signRequest(req, signer, request));
    return out;
  } finally {
    await signer.close?.();
  }
}

/** `pqsign attach FILE --request REQ --signature SIG --out OUT` */
export async function attachFile(file: string, request: string, signature: string, out: string): Promise<SignResult> {
  const req = await readRequest(request);
  const sig = await readSignature(signature, req.key.params);
  return attachSignature(file, req, sig, out, { request, signature });
}

/** tbs → sign-request → attach: the container at OUT. */
export async function ceremony(file: string, format: string, pubRef: string, keyRef: string, out: string, options: FormatOptions = {}) {
  const req = `${out}.req.json`;
  const sig = `${out}.sig`;
  const request = await tbsFile(file, format, pubRef, req, options);
  await signRequestFile(req, keyRef, sig);
  return { request, result: await attachFile(file, req, sig, out) };
}
