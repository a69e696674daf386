// The trust options of a verify (lib/trust-options.ts) turned into the TrustRules (or policy) the verifying
// core is held to; the CLI's trust flags (bin/trust-options.ts) come here too. Nothing to trust is an error,
// a policy excludes the other inputs, path rules (TSA anchors, signing time, CRLs) need trust anchors.
// Messages name options (opt()), which the CLI renders as its flags.
import { PqsignError, opt } from '../src/base/errors.js';
import { keyFingerprint, parseFingerprint } from '../src/keys/fingerprint.js';
import { keyData, type PublicKey } from '../src/keys/spki.js';
import type { DerInput, TrustOptions } from './trust-options.js';
import { loadPublicKey } from '../src/pipeline/keyref.js';
import { loadPolicy, type Policy } from '../src/policy/policy.js';
import type { TrustRules } from '../src/policy/rules.js';
import { parseMonotonicCount } from '../src/uefi/image.js';

export interface Trust {
  rules: TrustRules;
  policy: Policy | undefined;
}

const list = <T>(v: ReadonlyArray<T> | T | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T]);

export async function resolveTrustOptions(t: TrustOptions): Promise<Trust> {
  const keysGiven = list(t.keys);
  const anchorsGiven = list(t.trustAnchors);
  const tsaGiven = list(t.tsaAnchors);
  if (t.scope !== undefined && t.policy === undefined) throw usage(`${opt('scope')} goes with ${opt('policy')}`);
  const minMonotonicCount =
    t.minMonotonicCount === undefined ? undefined : parseMonotonicCount(String(t.minMonotonicCount), 'minMonotonicCount').toString();
  const crls = t.crls?.length ? await derList(t.crls, 'crl') : undefined;
  const empty: TrustRules = { keys: [], anchors: [], minMonotonicCount, crls };
  const load = (ref: string) => loadPublicKey(ref, { ...t.keyOptions }, { composite: true });
  if (t.policy !== undefined) {
    if (keysGiven.length || anchorsGiven.length || t.keySha256 !== undefined || tsaGiven.length || t.trustSigningTime) {
      throw usage(
        `${opt('policy')} names the trusted keys, anchors and times: do not combine it with ${['keys', 'keySha256', 'trustAnchors', 'tsaAnchors'].map((o) => opt(o)).join(', ')} or ${opt('trustSigningTime')}`,
      );
    }
    return { rules: empty, policy: await loadPolicy(t.policy, load) };
  }
  if ((tsaGiven.length || t.trustSigningTime || crls) && !anchorsGiven.length) {
    throw usage(
      `${opt('tsaAnchors')}, ${opt('trustSigningTime')} and ${opt('crls')} apply to certificate paths: give ${opt('trustAnchors')} too`,
    );
  }
  const keys: PublicKey[] = [];
  for (const k of keysGiven) keys.push(typeof k === 'string' ? await load(k) : k);
  const pinned = parseFingerprint(t.keySha256, opt('keySha256'));
  if (pinned && keys.length && !keys.some((k) => keyFingerprint(k.publicKey) === pinned)) {
    const fingerprints = keys.map((k) => keyFingerprint(k.publicKey)).join(', ');
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `${opt('keySha256')} ${pinned} is not the SHA-256 of the ${opt('keys')} key (${fingerprints}): nothing can satisfy both`,
      {
        detail: 'pinned-key',
      },
    );
  }
  const rules: TrustRules = {
    ...empty,
    ...(tsaGiven.length ? { tsaAnchors: await derList(tsaGiven, 'TSA anchor') } : {}),
    ...(t.trustSigningTime ? { trustSigningTime: true } : {}),
    keys: keys.length
      ? keys
          .filter((k) => !pinned || keyFingerprint(k.publicKey) === pinned)
          .map((k) => ({ sha256: keyFingerprint(k.publicKey), key: keyData(k) }))
      : pinned
        ? [{ sha256: pinned }]
        : [],
    anchors: await derList(anchorsGiven, 'trust anchor'),
  };
  if (!rules.keys.length && !rules.anchors.length) {
    throw usage(
      `nothing to trust: give ${opt('keys')}, ${opt('keySha256')}, ${opt('trustAnchors')} or ${opt('policy')} (a signature proves nothing without one)`,
    );
  }
  return { rules, policy: undefined };
}

const usage = (message: string) => new PqsignError('ERR_USAGE', message);

/** Certificates (or CRLs) from files or DER bytes, checked as the CLI checks its files. */
async function derList(items: readonly DerInput[], what: string): Promise<Uint8Array[]> {
  if (!items.length) return [];
  const out: Uint8Array[] = [];
  if (what === 'crl') {
    const { readCrls, parseCrl } = await import('../src/pki/crl.js');
    for (const i of items) {
      if (typeof i === 'string') for (const c of await readCrls(i)) out.push(c.der);
      else out.push(parseCrl(i, 'CRL').der);
    }
    return out;
  }
  const [{ readCertificates }, { parseCertificate }] = await Promise.all([
    import('../src/pki/cert-file.js'),
    import('../src/pki/certificate.js'),
  ]);
  for (const i of items) {
    if (typeof i === 'string') for (const c of await readCertificates(i, what)) out.push(c.der);
    else out.push(parseCertificate(i, what).der);
  }
  return out;
}
