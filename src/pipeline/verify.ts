// Verify one input against trust rules (src/policy/rules.ts): a container recognised by its content
// (COSE, JWS, CMS, UEFI, ...), or an artifact whose signatures lie beside it (--sig, or the artifact's
// name plus each format's default suffix). docs/verification.md states the rules this file implements:
//   - a container counts only if it satisfies every trust rule given; a container that cannot check a
//     rule (a raw signature and a trust anchor) does not count, and says why;
//   - beside an artifact, every signature found is checked: one that fails (bad signature, wrong key)
//     fails the artifact, and at least one must count.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { registeredFormats, detectFormat, formatByName } from './registry.js';
import type { Format, OptionsByFormat, VerifyResult } from './format.js';
import { looksLikeAttestationBundle } from '../attest/detect.js';
import { fromHex, toHex } from '../base/bytes.js';
import { PqsignError, isPqsignError, opt } from '../base/errors.js';
import { fsPath } from '../base/fspath.js';
import { statInput } from '../io/read.js';
import { readRange } from '../io/range.js';
import { keyFromData, type PublicKey } from '../keys/spki.js';
import { paramBySignatureLength } from '../mldsa/params.js';
import { checkFormat, checkOutcome, untrusted, type TrustRules } from '../policy/rules.js';
import type { RemoteMuVerifier } from '../mldsa/signer.js';
import { feedParts, type MessagePart } from '../mldsa/stream.js';

export interface VerifyOptions {
  rules: TrustRules;
  sig?: string | undefined;
  payload?: string | undefined;
  format?: string | undefined;
  context: Uint8Array;
  /** each format's options, by format name (a container's format is known only once it is read) */
  formatOptions: OptionsByFormat;
  /** expected key fingerprint (release manifests): the key that verified must be this one */
  pin?: string | undefined;
  /** where (μ, signature) is judged (verify --kms); locally when absent */
  verifier?: RemoteMuVerifier | undefined;
  /**
   * Under a policy: the scope a container's own path lies in, if any. A container in another scope than its
   * artifact fails (a stripped payload beside an old image must not move it to a laxer scope).
   */
  scopeOf?: ((path: string) => string | undefined) | undefined;
}

/** One container found for an input and what became of it. */
export interface ContainerReport {
  signature: string;
  format: string;
  ok: boolean;
  error?: { code: string; message: string; detail?: string | undefined };
}

export interface VerifyOutcome extends VerifyResult {
  file: string;
  signature: string;
  format: string;
  /** the policy scope whose rules were applied */
  scope?: string | undefined;
  /** every signature found beside an artifact, with its outcome */
  containers?: ContainerReport[];
}

const HEAD_BYTES = 64 * 1024;

export async function readHead(path: string): Promise<Uint8Array> {
  await statInput(path);
  return readRange(path, 0, HEAD_BYTES);
}

/** Failures that say "this container cannot check a rule you gave", not "this signature is bad". */
const cannotCheck = (e: unknown) =>
  isPqsignError(e) &&
  e.code === 'ERR_UNTRUSTED' &&
  (e.detail === 'trust-anchor' || e.detail === 'key' || e.detail === 'context' || e.detail === 'format');

export async function verifyPath(file: string, opts: VerifyOptions): Promise<VerifyOutcome> {
  const forced = opts.format ? formatByName(opts.format) : undefined;
  let self: Format | undefined;
  if (opts.sig) {
    await statInput(file); // FILE is the artifact: only its existence matters before the signature is read
  } else {
    const head = await readHead(file);
    self = forced ? (forced.detect(head) ? forced : undefined) : detectFormat(head);
  }
  // Every signature beside FILE, also when FILE is a container itself: a JWT or an old image put in the
  // artifact's place must not hide the signatures that were made over the artifact.
  const beside = opts.sig
    ? [opts.sig]
    : (forced ? [forced] : registeredFormats()).map((f) => file + f.suffix).filter((c) => existsSync(fsPath(c)));
  if (self && !beside.length) return run(self, file, opts.payload, file, opts);
  if (!beside.length) {
    if (!forced && looksLikeAttestationBundle(await readHead(file))) {
      throw new PqsignError(
        'ERR_USAGE',
        `is an in-toto attestation bundle, not a signature: verify it with verify-attestation and a trusted ${opt('key')}`,
        { file },
      );
    }
    throw await noSignature(file, forced);
  }
  const checks = [
    ...(self ? [{ signature: file, format: async () => self, verify: (f: Format) => run(f, file, opts.payload, file, opts) }] : []),
    ...beside.map((sigPath) => ({
      signature: sigPath,
      format: async () => forced ?? detectFormat(await readHead(sigPath)) ?? formatByName('raw'),
      verify: (f: Format) => besideArtifact(f, sigPath, file, opts),
    })),
  ];
  const reports: ContainerReport[] = [];
  let first: VerifyOutcome | undefined;
  let failure: unknown;
  let skipped: unknown;
  for (const c of checks) {
    let format: Format | undefined;
    try {
      format = await c.format();
      const outcome = await c.verify(format);
      first ??= outcome;
      reports.push({ signature: c.signature, format: format.name, ok: true });
    } catch (e) {
      if (!isPqsignError(e)) throw e;
      reports.push({
        signature: c.signature,
        format: format?.name ?? 'unknown',
        ok: false,
        error: { code: e.code, message: e.message, detail: e.detail },
      });
      if (cannotCheck(e)) skipped ??= e;
      else failure ??= e;
    }
  }
  const summary = () => reports.map((r) => `${r.signature}: ${r.ok ? 'OK' : r.error!.message}`).join('; ');
  if (failure) {
    if (checks.length === 1) throw failure;
    const f = failure as PqsignError;
    throw new PqsignError(f.code, `of ${checks.length} signatures found for it, not all verify: ${summary()}`, {
      file,
      detail: f.detail,
      scope: f.scope,
      option: f.option,
    });
  }
  if (!first) {
    if (checks.length === 1) throw skipped;
    throw untrusted(
      opts.rules,
      (skipped as PqsignError).detail ?? 'trust-anchor',
      `no signature found for it can satisfy the trust inputs: ${summary()}`,
      file,
    );
  }
  return { ...first, containers: reports };
}

/** A detached signature, or a container that carries its own payload (FILE.signed beside FILE). */
async function besideArtifact(format: Format, sigPath: string, file: string, opts: VerifyOptions): Promise<VerifyOutcome> {
  const embedded = format.payload ? await format.payload(sigPath).catch(() => undefined) : undefined;
  if (!embedded) return run(format, sigPath, file, file, opts);
  const outcome = await run(format, sigPath, undefined, file, opts);
  if ((await sha256Of([{ path: file }])) !== (await sha256Of([{ path: sigPath, ...embedded }]))) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', `differs from the payload signed inside ${sigPath}`, { file });
  }
  return outcome;
}

/** No signature beside FILE: say so, judging a FILE named like a signature by its content, not its name. */
async function noSignature(file: string, forced: Format | undefined): Promise<PqsignError> {
  const looked = (forced ? [forced] : registeredFormats()).map((f) => f.suffix).join(', ');
  const named = registeredFormats().find((f) => file.length > f.suffix.length && file.endsWith(f.suffix));
  let hint = `; use ${opt('sig')}`;
  if (named?.name === 'raw') {
    const params = paramBySignatureLength((await statInput(file)).size);
    if (params) hint = `; it is the size of an ${params.name} signature: give its artifact ${file.slice(0, -named.suffix.length)}`;
  } else if (named) {
    hint = `; it is named like a ${named.name} signature but its content is not one`;
  }
  return new PqsignError('ERR_FILE', `no signature found (looked for ${looked})${hint}`, { file });
}

const sha256Of = async (parts: MessagePart[]): Promise<string> => {
  const h = createHash('sha256');
  await feedParts(h, parts);
  return h.digest('hex');
};

/** The keys to try: the pinned ones (a manifest entry narrows them to the one it names), else none. */
function candidateKeys(rules: TrustRules, pin: string | undefined, file: string): Array<PublicKey | undefined> {
  let keys = rules.keys;
  if (pin !== undefined && keys.length) {
    keys = keys.filter((k) => k.sha256 === pin);
    if (!keys.length)
      throw new PqsignError('ERR_KEY_MISMATCH', `the manifest pins key ${pin}, which is not one of the trusted keys`, {
        file,
        detail: 'pinned-key',
        scope: rules.scope,
      });
  }
  const withKey = keys.filter((k) => k.key).map((k) => keyFromData(k.key!)!);
  // fingerprint-only entries, or no key rule at all: formats that carry their own key or certificate decide
  return keys.some((k) => !k.key) || !keys.length ? [...withKey, undefined] : withKey;
}

async function run(
  format: Format,
  container: string,
  payload: string | undefined,
  file: string,
  opts: VerifyOptions,
): Promise<VerifyOutcome> {
  const { rules } = opts;
  const containerScope = container === file ? undefined : opts.scopeOf?.(container);
  if (containerScope !== undefined && containerScope !== rules.scope) {
    throw untrusted(
      rules,
      'scope',
      `its signature ${container} lies in policy scope "${containerScope}", the artifact in "${rules.scope}"`,
      file,
    );
  }
  checkFormat(rules, format.name, container);
  let context = opts.context;
  if (rules.context !== undefined) {
    if (context.length && toHex(context) !== rules.context) {
      throw untrusted(
        rules,
        'context',
        `was checked with context ${toHex(context)}; the policy requires ${rules.context || 'the empty context'}`,
        container,
      );
    }
    context = fromHex(rules.context);
  }
  const fingerprints = rules.keys.filter((k) => !k.key).map((k) => k.sha256);
  const signerCheck = rules.signer ? await identityCheckFor(rules) : undefined;
  const candidates = candidateKeys(rules, opts.pin, container);
  let r: VerifyResult | undefined;
  let firstError: unknown;
  for (const key of candidates) {
    try {
      if (key?.composite && !format.composite) {
        // this container cannot be by a composite key: it does not count for that key (docs/hybrid.md)
        throw untrusted(
          rules,
          'key',
          `a ${format.name} signature cannot be checked with the composite ${key.composite.name} key`,
          container,
        );
      }
      r = await format.verify({
        container,
        payload,
        key,
        trustAnchors: rules.anchors,
        tsaAnchors: rules.tsaAnchors,
        trustSigningTime: rules.trustSigningTime,
        crls: rules.crls,
        signerCheck,
        verifier: opts.verifier,
        context,
        keyFingerprints: key ? [] : fingerprints,
        options: opts.formatOptions[format.name] ?? {},
      });
      break;
    } catch (e) {
      // another trusted key may be the signer; anything else (malformed input, a back-end failure) is final
      const wrongKey =
        isPqsignError(e) && (e.code === 'ERR_SIGNATURE_INVALID' || (e.code === 'ERR_UNTRUSTED' && e.detail !== 'trust-anchor'));
      firstError ??= e;
      if (!wrongKey) throw e;
    }
  }
  if (!r) throw firstError;
  const monotonicCount = typeof r.details.monotonicCount === 'string' ? r.details.monotonicCount : undefined;
  checkOutcome(
    rules,
    { format: format.name, params: r.params, composite: r.composite?.name, keyFingerprint: r.keyFingerprint, monotonicCount },
    container,
  );
  if (opts.pin !== undefined && r.keyFingerprint !== opts.pin) {
    throw untrusted(rules, 'pinned-key', `signed by key ${r.keyFingerprint}, but the manifest pins key ${opts.pin}`, container);
  }
  return { ...r, file, signature: container, format: format.name, ...(rules.scope !== undefined ? { scope: rules.scope } : {}) };
}

async function identityCheckFor(rules: TrustRules): Promise<(der: Uint8Array) => void> {
  const [{ identityCheck }, { parseCertificate }] = await Promise.all([import('../policy/identity.js'), import('../pki/certificate.js')]);
  return identityCheck(rules.signer!, rules.scope, (der) => parseCertificate(der, 'signer certificate'));
}
