// Offline signing ceremonies for every format (docs/ceremony.md): `tbs` streams the artifact once
// into μ and writes a signing request (μ plus everything needed to rebuild the container); the
// signature comes back from an HSM or another machine; `attach` re-runs the format over the same
// artifact, checks that it yields the same μ, checks the signature against the request's key, and
// only then writes the container.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { formatByName } from '../pipeline/registry.js';
import type { Format, FormatOptions } from '../pipeline/format.js';
import { equalBytes, fromB64, fromHex, toHex } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { readSmallFile, statInput } from '../io/read.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/spki.js';
import { verifyMu } from '../mldsa/mldsa.js';
import { checkContext } from '../mldsa/mu.js';
import { MU_BYTES, paramByName, type ParamSet } from '../mldsa/params.js';
import { signMuChecked, type Signer } from '../mldsa/signer.js';
import { artifactInfo, muOfArtifact, streamToContainer, type SignResult } from '../pipeline/sign.js';
import { fileSource } from '../io/source.js';
import { checkFormatOptions } from '../pipeline/format-options.js';
import type { OnProgress } from '../io/progress.js';

export const REQUEST_TYPE = 'pqsign-signing-request';
export const REQUEST_VERSION = 1;
const REQUEST_MAX_BYTES = 1024 * 1024;

/** The request file (JSON): what must be signed and how to rebuild the container. */
export interface SigningRequest {
  type: typeof REQUEST_TYPE;
  version: typeof REQUEST_VERSION;
  format: string;
  algorithm: string;
  /** raw FIPS 204 public key, base64 */
  publicKey: string;
  keyFingerprint: string;
  /** the --context given to the format, hex */
  context: string;
  /** the ML-DSA context μ was computed with (the format may fix its own), hex */
  signingContext: string;
  /** the format's resolved options: a second beginSign with them yields the same TBS bytes */
  options: FormatOptions;
  artifact: { name: string; size: number; sha256: string };
  /** external μ, hex: what the signer signs */
  mu: string;
}

/** A request, decoded and checked. */
export interface ParsedRequest {
  raw: SigningRequest;
  format: Format;
  key: PublicKey;
  context: Uint8Array;
  mu: Uint8Array;
}

export async function createRequest(
  path: string,
  format: Format,
  key: PublicKey,
  context: Uint8Array,
  options: FormatOptions,
  onProgress?: OnProgress,
): Promise<SigningRequest> {
  const { size } = await statInput(path);
  const src = fileSource(path, size);
  const session = await format.beginSign({ artifact: artifactInfo(src), params: key.params, publicKey: key.publicKey, context, options });
  const sha = createHash('sha256');
  const mu = await muOfArtifact(src, session, key.params, key.publicKey, { onChunk: (c) => void sha.update(c), onProgress });
  return {
    type: REQUEST_TYPE,
    version: REQUEST_VERSION,
    format: format.name,
    algorithm: key.params.name,
    publicKey: Buffer.from(key.publicKey).toString('base64'),
    keyFingerprint: keyFingerprint(key.publicKey),
    context: toHex(context),
    signingContext: toHex(session.context),
    options: session.resolvedOptions(),
    artifact: { name: basename(path), size, sha256: sha.digest('hex') },
    mu: toHex(mu),
  };
}

export async function readRequest(file: string): Promise<ParsedRequest> {
  const text = new TextDecoder().decode(await readSmallFile(file, 'signing request', REQUEST_MAX_BYTES));
  const bad = (why: string) => new PqsignError('ERR_FILE', `is not a valid pqsign signing request: ${why}`, { file });
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (!isObject(r) || r.type !== REQUEST_TYPE) throw bad(`"type" must be "${REQUEST_TYPE}"`);
  if (r.version !== REQUEST_VERSION)
    throw bad(`version ${JSON.stringify(r.version)} is not supported (this pqsign reads version ${REQUEST_VERSION})`);
  const str = (name: string): string => {
    const v = r[name];
    if (typeof v !== 'string') throw bad(`"${name}" must be a string`);
    return v;
  };
  const hexField = (name: string, value: string): Uint8Array => {
    if (!/^(?:[0-9a-f]{2})*$/.test(value)) throw bad(`"${name}" must be lowercase hex`);
    return fromHex(value);
  };
  const formatName = str('format'); // outside the try: its own error is already a `bad` one
  let format: Format;
  try {
    format = formatByName(formatName);
  } catch (e) {
    throw bad(isPqsignError(e) ? e.message : String(e));
  }
  const params = paramByName(str('algorithm'));
  if (!params || params.name !== r.algorithm) throw bad(`"algorithm" must be ML-DSA-44, ML-DSA-65 or ML-DSA-87`);
  const publicKey = decodeB64(str('publicKey'));
  if (!publicKey) throw bad('"publicKey" is not base64');
  if (publicKey.length !== params.publicKeyBytes)
    throw bad(`"publicKey" is ${publicKey.length} bytes; an ${params.name} key is ${params.publicKeyBytes}`);
  if (str('keyFingerprint') !== keyFingerprint(publicKey)) throw bad('"keyFingerprint" is not the SHA-256 of "publicKey"');
  const context = hexField('context', str('context'));
  try {
    checkContext(context);
  } catch (e) {
    throw bad(isPqsignError(e) ? e.message : String(e));
  }
  hexField('signingContext', str('signingContext'));
  try {
    // the format sees typed options: a request's are data, so they are checked against its option specs
    checkFormatOptions(format, r.options, '"options"');
  } catch (e) {
    throw bad(isPqsignError(e) ? e.message : String(e));
  }
  const a = r.artifact;
  if (
    !isObject(a) ||
    typeof a.name !== 'string' ||
    !Number.isSafeInteger(a.size) ||
    (a.size as number) < 0 ||
    typeof a.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(a.sha256)
  ) {
    throw bad('"artifact" must be {name, size, sha256 (64 lowercase hex digits)}');
  }
  const mu = hexField('mu', str('mu'));
  if (mu.length !== MU_BYTES) throw bad(`"mu" must be ${MU_BYTES} bytes`);
  return { raw: r as unknown as SigningRequest, format, key: { params, publicKey }, context, mu };
}

/**
 * Rebuild the container for `path` from a request and the signature the signer returned: the
 * artifact must be the one the request was made for, the format must yield the request's μ again,
 * and the signature must verify under the request's key over that μ; nothing is written otherwise.
 */
/** `extra`: format options that do not change μ, given at attach time (--tsa). */
export async function attachSignature(
  path: string,
  req: ParsedRequest,
  signature: Uint8Array,
  output: string,
  labels: { request: string; signature: string },
  extra: FormatOptions = {},
  onProgress?: OnProgress,
): Promise<SignResult> {
  const { params, publicKey } = req.key;
  const want = req.raw.artifact;
  const { size } = await statInput(path);
  if (size !== want.size) {
    throw new PqsignError('ERR_FILE', `is ${size} bytes, but ${labels.request} was made for a ${want.size}-byte artifact (${want.name})`, {
      file: path,
    });
  }
  const src = fileSource(path, size);
  const session = await req.format.beginSign({
    artifact: artifactInfo(src),
    params,
    publicKey,
    context: req.context,
    options: { ...req.raw.options, ...extra },
  });
  const sha = createHash('sha256');
  await streamToContainer(
    src,
    output,
    session,
    params,
    publicKey,
    async (mu) => {
      const sha256 = sha.digest('hex');
      if (sha256 !== want.sha256) {
        throw new PqsignError(
          'ERR_FILE',
          `is not the artifact ${labels.request} was made for (sha256 ${sha256}, request has ${want.sha256})`,
          { file: path },
        );
      }
      if (!equalBytes(mu, req.mu)) {
        throw new PqsignError(
          'ERR_USAGE',
          `the ${req.format.name} format no longer yields the request's μ for this artifact (options or pqsign version changed); make a new request`,
          { file: labels.request },
        );
      }
      if (!verifyMu(params, publicKey, mu, signature)) {
        throw new PqsignError(
          'ERR_SIGNATURE_INVALID',
          `does not verify over the request's μ under its ${params.name} key (sha256 ${req.raw.keyFingerprint}); nothing was written`,
          { file: labels.signature },
        );
      }
      return signature;
    },
    { onChunk: (c) => void sha.update(c), onProgress },
  );
  return {
    file: path,
    output,
    format: req.format.name,
    algorithm: params.name,
    keyFingerprint: req.raw.keyFingerprint,
    bytes: size,
    signatureBytes: signature.length,
  };
}

/** The signer's side of a ceremony done with pqsign itself (an offline machine, KMS): sign the request's μ. */
export async function signRequest(req: ParsedRequest, signer: Signer, requestFile: string): Promise<Uint8Array> {
  if (signer.params !== req.key.params || !equalBytes(signer.publicKey, req.key.publicKey)) {
    throw new PqsignError(
      'ERR_KEY_MISMATCH',
      `was made for ${req.key.params.name} key sha256 ${req.raw.keyFingerprint}, but ${signer.description} is ${signer.params.name} key sha256 ${keyFingerprint(signer.publicKey)}`,
      { file: requestFile },
    );
  }
  return signMuChecked(signer, req.mu);
}

/** A signature file from a signer: the raw FIPS 204 bytes, or hex or base64 text of them. */
export async function readSignature(file: string, params: ParamSet): Promise<Uint8Array> {
  const data = await readSmallFile(file, 'signature', 64 * 1024);
  if (data.length === params.signatureBytes) return data;
  const text = new TextDecoder().decode(data).trim();
  const decoded = /^[0-9a-fA-F]+$/.test(text) ? fromHex(text) : decodeB64(text);
  if (decoded?.length === params.signatureBytes) return decoded;
  throw new PqsignError(
    'ERR_SIGNATURE_FORMAT',
    `is not an ${params.name} signature: expected ${params.signatureBytes} raw bytes, or hex or base64 text of them`,
    { file },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeB64(s: string): Uint8Array | undefined {
  try {
    return fromB64(s);
  } catch {
    return undefined;
  }
}
