// The library steps behind `pqsign keygen | sign | verify | mu`, called in this process: for unit tests
// whose subject is a format or the pipeline, and for set-up, where a CLI process per step only costs
// start-up time. Real keys, real signing and verifying; the CLI's own surface is tested in test/cli/.
// Format options are each format's typed options (CmsOptions, JwsOptions, ...; docs/formats/*.md).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatByName } from '../../src/pipeline/registry.js';
import { encodePem } from '../../src/asn1/pem.js';
import { fromHex } from '../../src/base/bytes.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { keyData, type PublicKey } from '../../src/keys/spki.js';
import { computeMu } from '../../src/mldsa/mu.js';
import type { FormatOptions, OptionsByFormat } from '../../src/pipeline/format.js';
import { loadAnySigner, loadPublicKey } from '../../src/pipeline/keyref.js';
import { signFile, type SignResult } from '../../src/pipeline/sign.js';
import { verifyPath, type VerifyOutcome } from '../../src/pipeline/verify.js';
import { readChunks } from '../../src/io/read.js';
import type { TrustRules } from '../../src/policy/rules.js';
import { wholeSeconds } from '../../src/asn1/time.js';
import { createCa, createRequest, issueFromCa } from '../../src/pki/ops.js';
import { readCertificates } from '../../src/pki/cert-file.js';
import type { Pki } from './pki-fixture.js';
import type { Profile } from '../../src/pki/extensions.js';
import { containerFormat, inspectContainer, stripPayload } from '../../src/pipeline/container.js';

import { writeKeyPair } from './keygen.js';

export { keygenFiles, writeKeyPair, type KeyFiles } from './keygen.js';

const contextOf = (c: string | Uint8Array | undefined) => (typeof c === 'string' ? fromHex(c) : (c ?? new Uint8Array(0)));

export interface SignOptions {
  format?: string;
  /** default: FILE + the format's suffix, as the CLI */
  out?: string;
  /** hex or bytes */
  context?: string | Uint8Array;
  deterministic?: boolean;
  /** `--alg`: the composite algorithm of a two-part key */
  alg?: string;
  /** the format's options (detached, digest, cert, ...) */
  options?: FormatOptions;
}

/** `pqsign sign FILE --key KEY [--format F] [--out OUT] [--context HEX] [format flags]` */
export async function signWith(file: string, keyRef: string, o: SignOptions = {}): Promise<SignResult> {
  const format = formatByName(o.format ?? 'raw');
  const signer = await loadAnySigner(keyRef, { deterministic: o.deterministic, alg: o.alg });
  try {
    return await signFile(file, o.out ?? file + format.suffix, format, signer, {
      context: contextOf(o.context),
      formatOptions: o.options ?? {},
    });
  } finally {
    await signer.close?.();
  }
}

export interface VerifyWithOptions {
  sig?: string;
  payload?: string;
  format?: string;
  context?: string | Uint8Array;
  /** options by format name, e.g. `{ cms: { anyEku: true } }` */
  options?: OptionsByFormat;
  /** extra trust rules (anchors, minimums); the key, when given, is added */
  rules?: Partial<TrustRules>;
}

/** Trust rules for `--key REF` (a key or certificate file). */
export async function keyRules(ref: string): Promise<TrustRules> {
  const k: PublicKey = await loadPublicKey(ref, {}, { composite: true });
  return { keys: [{ sha256: keyFingerprint(k.publicKey), key: keyData(k) }], anchors: [] };
}

/** `pqsign verify FILE --key REF [--sig S] [--payload P] [--context HEX]`: the outcome, or the PqsignError it throws. */
export async function verifyWith(file: string, keyRef: string | undefined, o: VerifyWithOptions = {}): Promise<VerifyOutcome> {
  const base: TrustRules = keyRef ? await keyRules(keyRef) : { keys: [], anchors: [] };
  const rules: TrustRules = { ...base, ...o.rules, keys: [...base.keys, ...(o.rules?.keys ?? [])], anchors: o.rules?.anchors ?? [] };
  return verifyPath(file, {
    rules,
    sig: o.sig,
    payload: o.payload,
    format: o.format,
    context: contextOf(o.context),
    formatOptions: o.options ?? {},
  });
}

/** The error code a promise rejects with ('ok' when it resolves): the in-process counterpart of an exit code. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') throw e;
    return code;
  }
}

/** `pqsign mu FILE --key PUB --context HEX`: external μ in hex. */
export async function muOf(file: string, pubRef: string, context: string | Uint8Array = ''): Promise<string> {
  const k = await loadPublicKey(pubRef);
  const chunks: Uint8Array[] = [];
  for await (const c of readChunks(file)) chunks.push(c);
  return Buffer.from(computeMu(k.params, k.publicKey, Buffer.concat(chunks), contextOf(context))).toString('hex');
}

/** `pqsign cert create-ca --key KEY --subject S [--path-len N] --out OUT` */
export async function createCaFile(keyRef: string, subject: string, out: string, pathLen?: number, days = 3650): Promise<string> {
  const signer = await loadAnySigner(keyRef);
  try {
    const { der } = await createCa(signer, subject, { notBefore: wholeSeconds(new Date()), days }, pathLen);
    writeFileSync(out, encodePem('CERTIFICATE', der));
    return out;
  } finally {
    await signer.close?.();
  }
}

/** `pqsign cert issue --ca-key K --ca-cert C (--key REF --subject S | --csr F) [--ca [--path-len N] | --code-signing] --out OUT` */
export async function issueFile(o: {
  caKey: string;
  caCert: string;
  key?: string;
  csr?: string;
  subject?: string;
  ca?: boolean;
  pathLen?: number;
  codeSigning?: boolean;
  days?: number;
  notBefore?: Date;
  out: string;
}): Promise<string> {
  const caSigner = await loadAnySigner(o.caKey);
  try {
    const subject = o.key
      ? { key: await loadPublicKey(o.key, {}, { composite: true }), name: o.subject! }
      : { csrPath: o.csr!, name: o.subject };
    const profile: Profile = o.ca ? { kind: 'ca', pathLen: o.pathLen } : { kind: 'leaf', codeSigning: !!o.codeSigning };
    const { der } = await issueFromCa({
      caSigner,
      caCertPath: o.caCert,
      subject,
      validity: { notBefore: o.notBefore ?? wholeSeconds(new Date()), days: o.days ?? 365 },
      profile,
    });
    writeFileSync(o.out, encodePem('CERTIFICATE', der));
    return o.out;
  } finally {
    await caSigner.close?.();
  }
}

/** The error a promise rejects with, as `{ code, message }` (the CLI prints the message after the file). */
export async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; file?: string }> {
  try {
    await p;
  } catch (e) {
    if (typeof (e as { code?: unknown }).code !== 'string') throw e;
    const { code, message, file } = e as { code: string; message: string; file?: string };
    return { code, message, ...(file !== undefined ? { file } : {}) };
  }
  throw new Error('expected a failure, got success');
}

/** `pqsign inspect FILE [--format F] --json` */
export async function inspectFile(file: string, format?: string): Promise<Record<string, unknown>> {
  return inspectContainer(file, await containerFormat(file, format));
}

/** `pqsign strip FILE --out OUT [--format F]` */
export async function stripFile(file: string, out: string, format?: string): Promise<{ bytes: number }> {
  return stripPayload(file, await containerFormat(file, format), out);
}

/** Trust rules for `--trust-anchor ROOT...` */
export async function anchorRules(...roots: string[]): Promise<Partial<TrustRules>> {
  const anchors: Uint8Array[] = [];
  for (const r of roots) for (const c of await readCertificates(r, 'trust anchor')) anchors.push(c.der);
  return { anchors };
}

/**
 * test/support/pki-fixture.ts's PKI (root → issuing CA → code-signing leaf, same names and files) for unit
 * tests, which run without a build: the key and certificate files `buildPki` writes, made in this process.
 */
export async function buildPkiInProcess(dir: string, alg = 'ML-DSA-65'): Promise<Pki> {
  const p = (f: string) => join(dir, f);
  const [rootKey, interKey, leafKey] = ['root', 'inter', 'leaf'].map((n) => {
    writeKeyPair(p(`${n}.key`), undefined, alg);
    return p(`${n}.key`);
  }) as [string, string, string];
  await createCaFile(rootKey, 'CN=Test Root CA,O=pqsign tests', p('root.pem'), 1);
  const inter = await loadAnySigner(interKey);
  writeFileSync(p('inter.csr'), encodePem('CERTIFICATE REQUEST', await createRequest(inter, 'CN=Test Issuing CA,O=pqsign tests')));
  await inter.close?.();
  await issueFile({ caKey: rootKey, caCert: p('root.pem'), csr: p('inter.csr'), ca: true, pathLen: 0, days: 1825, out: p('inter.pem') });
  await issueFile({
    caKey: interKey,
    caCert: p('inter.pem'),
    key: leafKey,
    subject: 'CN=Test Release Signing,O=pqsign tests',
    codeSigning: true,
    out: p('leaf.pem'),
  });
  return { rootKey, root: p('root.pem'), interKey, inter: p('inter.pem'), leafKey, leaf: p('leaf.pem') };
}
