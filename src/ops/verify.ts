// Verify one input: a container recognised by its content (COSE, JWS, CMS, UEFI, ...) or an artifact
// whose detached signature is --sig or the artifact's name plus a format's default suffix.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { FORMATS, detectFormat, formatByName } from '../../formats/index.js';
import type { Format, FormatOptions, VerifyResult } from '../../formats/types.js';
import { looksLikeAttestationBundle } from '../attest/detect.js';
import { PqsignError } from '../errors.js';
import { statInput } from '../io/read.js';
import { readRange } from '../io/range.js';
import type { PublicKey } from '../keys/spki.js';
import { parseFingerprint } from '../keys/fingerprint.js';
import { feedParts, type MessagePart } from './stream.js';

export interface VerifyOptions {
  key: PublicKey | undefined;
  sig?: string | undefined;
  payload?: string | undefined;
  format?: string | undefined;
  context: Uint8Array;
  formatOptions: FormatOptions;
  /** expected key fingerprint (release manifests): a valid signature by any other key fails */
  pin?: string | undefined;
}

export interface VerifyOutcome extends VerifyResult {
  file: string;
  signature: string;
  format: string;
}

const HEAD_BYTES = 64 * 1024;

export async function readHead(path: string): Promise<Uint8Array> {
  await statInput(path);
  return readRange(path, 0, HEAD_BYTES);
}

export async function verifyPath(file: string, opts: VerifyOptions): Promise<VerifyOutcome> {
  const forced = opts.format ? formatByName(opts.format) : undefined;
  if (opts.sig) {
    await statInput(file); // FILE is the artifact: only its existence matters before the signature is read
  } else {
    const head = await readHead(file);
    const asContainer = forced ? (forced.detect(head) ? forced : undefined) : detectFormat(head);
    if (asContainer) return run(asContainer, file, opts.payload, file, opts);
  }
  // FILE is the artifact: find its detached signature.
  let sigPath = opts.sig;
  if (!sigPath) {
    const candidates = (forced ? [forced] : FORMATS).map((f) => file + f.suffix);
    for (const c of candidates) if (existsSync(c)) { sigPath = c; break; }
    if (!sigPath) {
      if (!forced && looksLikeAttestationBundle(await readHead(file))) {
        throw new PqsignError('ERR_USAGE', `is an in-toto attestation bundle, not a signature: verify it with pqsign verify-attestation ${file} --key REF`, { file });
      }
      const looked = candidates.map((c) => c.slice(file.length)).join(', ');
      const sigLike = FORMATS.find((f) => file.length > f.suffix.length && file.endsWith(f.suffix));
      const hint = sigLike ? `; this looks like a ${sigLike.name} signature: give its artifact ${file.slice(0, -sigLike.suffix.length)}` : '; use --sig';
      throw new PqsignError('ERR_FILE', `no signature found (looked for ${looked})${hint}`, { file });
    }
  }
  const format = forced ?? detectFormat(await readHead(sigPath)) ?? formatByName('raw');
  // A container that carries its own payload (FILE.signed beside FILE): verify it, then FILE must be that payload.
  const embedded = format.payload ? await format.payload(sigPath).catch(() => undefined) : undefined;
  if (embedded) {
    const outcome = await run(format, sigPath, undefined, file, opts);
    if (await sha256Of([{ path: file }]) !== await sha256Of([{ path: sigPath, ...embedded }])) {
      throw new PqsignError('ERR_SIGNATURE_INVALID', `differs from the payload signed inside ${sigPath}`, { file });
    }
    return outcome;
  }
  return run(format, sigPath, file, file, opts);
}

const sha256Of = async (parts: MessagePart[]): Promise<string> => {
  const h = createHash('sha256');
  await feedParts(h, parts);
  return h.digest('hex');
};

async function run(format: Format, container: string, payload: string | undefined, file: string, opts: VerifyOptions): Promise<VerifyOutcome> {
  const pinned = parseFingerprint(opts.formatOptions.keySha256, '--key-sha256');
  const r = await format.verify({ container, payload, key: opts.key, context: opts.context, options: opts.formatOptions });
  // --key-sha256 pins the signer for every format, whatever the format itself checks
  if (pinned && r.keyFingerprint !== pinned) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', `verified under key sha256 ${r.keyFingerprint}, not the --key-sha256 key ${pinned}`, { file: container });
  }
  if (opts.pin !== undefined && r.keyFingerprint !== opts.pin) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', `signed by key ${r.keyFingerprint}, but the manifest pins key ${opts.pin}`, { file: container, detail: 'pinned-key' });
  }
  return { ...r, file, signature: container, format: format.name };
}
