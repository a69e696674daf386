// The trust rules one verification is held to, as plain data (they cross the worker_threads boundary):
// from the command line (--key, --key-sha256, --trust-anchor, --min-monotonic-count) or from the scope of
// a trust policy that covers the artifact (src/policy/policy.ts). A container counts only when it
// satisfies every rule given; checkOutcome applies the rules that need the verified result.
import { PqsignError } from '../base/errors.js';
import { PARAM_SETS, type ParamName, type ParamSet } from '../mldsa/params.js';
import type { IdentityRule } from './identity.js';
import type { KeyData } from '../keys/spki.js';

export interface TrustedKey {
  /** SHA-256 of the raw public key, lowercase hex */
  sha256: string;
  /** the key itself, when known (a file or awskms:// reference); a fingerprint-only entry has none */
  key?: KeyData | undefined;
  /** formats this key may be trusted for (policy); any when absent */
  formats?: string[] | undefined;
}

export interface AttestationRule {
  predicateType?: string | undefined;
  builderId?: string | undefined;
  sourceUri?: string | undefined;
}

export interface TrustRules {
  /** the policy scope these rules come from; undefined for command-line trust inputs */
  scope?: string | undefined;
  /** the signer must be one of these keys (empty: no key rule) */
  keys: TrustedKey[];
  /** trust anchors, DER */
  anchors: Uint8Array[];
  /** TSA anchors, DER: a time-stamp token chaining to one fixes the path's validation time (needs anchors) */
  tsaAnchors?: Uint8Array[] | undefined;
  /** without a trusted time-stamp token, validate paths at the signer's signingTime attribute (needs anchors) */
  trustSigningTime?: boolean | undefined;
  /** CRLs, DER: revocation checking is asked for; every certificate on a path must be covered (needs anchors) */
  crls?: Uint8Array[] | undefined;
  /** identity rules for a signer certificate that chained to an anchor */
  signer?: IdentityRule | undefined;
  /** formats a container may be in */
  formats?: string[] | undefined;
  /** required ML-DSA context, hex (raw signatures are the only format with a caller-chosen context) */
  context?: string | undefined;
  /** weakest acceptable parameter set (of the ML-DSA part, for a composite signature) */
  minAlgorithm?: ParamName | undefined;
  /** only composite ML-DSA signatures count (both parts verified): an ML-DSA signature alone fails */
  requireComposite?: boolean | undefined;
  /** anti-rollback: lowest acceptable UEFI MonotonicCount, decimal */
  minMonotonicCount?: string | undefined;
  attestation?: AttestationRule | undefined;
}

/** Does the rule set name anything at all to trust? Verification without one is a usage error. */
export const hasTrustInput = (r: TrustRules): boolean => r.keys.length > 0 || r.anchors.length > 0;

export const untrusted = (rules: TrustRules, rule: string, message: string, file?: string) =>
  new PqsignError(
    rule === 'monotonic-count' ? 'ERR_ROLLBACK' : 'ERR_UNTRUSTED',
    rules.scope === undefined ? message : `${message} (policy scope "${rules.scope}")`,
    {
      file,
      detail: rule,
      scope: rules.scope,
    },
  );

/** Rules that need only the format, checked before any signature work. */
export function checkFormat(rules: TrustRules, format: string, file: string): void {
  if (rules.formats && !rules.formats.includes(format)) {
    throw untrusted(rules, 'format', `is a ${format} signature; the trusted formats are ${rules.formats.join(', ')}`, file);
  }
  if (rules.context !== undefined && rules.context !== '' && format !== 'raw') {
    throw untrusted(rules, 'context', `a ${format} signature cannot carry the required ML-DSA context ${rules.context}`, file);
  }
  if (rules.keys.length && rules.keys.every((k) => k.formats && !k.formats.includes(format))) {
    throw untrusted(rules, 'format', `no trusted key may sign ${format} signatures`, file);
  }
}

/**
 * `sign --policy`: would a signature by this key, in this format and context, count under the rules? The
 * policy binds keys to the formats they may sign (one key per purpose), so a release key is not used to sign
 * a raw file that another protocol could borrow. Undefined when it would; else the rule and why not.
 */
export function signingProblem(
  rules: TrustRules,
  format: string,
  fingerprint: string,
  contextHex: string,
  composite = false,
): { rule: string; message: string } | undefined {
  if (rules.formats && !rules.formats.includes(format))
    return { rule: 'format', message: `the policy scope trusts ${rules.formats.join(', ')} signatures, not ${format}` };
  if (rules.requireComposite && !composite)
    return { rule: 'algorithm', message: 'the policy scope requires composite ML-DSA signatures; this key is ML-DSA alone' };
  if (rules.context !== undefined && contextHex !== rules.context) {
    return {
      rule: 'context',
      message: `the policy scope requires the ML-DSA context ${rules.context || '(empty)'}; this signature would use ${contextHex || 'the empty context'}`,
    };
  }
  if (!rules.keys.length) return undefined; // anchors only: the certificate path decides at verification
  const k = rules.keys.find((x) => x.sha256 === fingerprint);
  if (!k) return { rule: 'pinned-key', message: `the signing key (sha256 ${fingerprint}) is not a key the policy scope trusts` };
  if (k.formats && !k.formats.includes(format))
    return {
      rule: 'format',
      message: `the signing key (sha256 ${fingerprint}) may sign only ${k.formats.join(', ')} signatures, not ${format}`,
    };
  return undefined;
}

const strength = (p: ParamSet | ParamName) => PARAM_SETS.findIndex((x) => x.name === (typeof p === 'string' ? p : p.name));

/**
 * Formats that carry neither a certificate, nor a monotonic count, nor a caller's context (JWT, DSSE): every
 * rule they cannot satisfy fails them, as it does a container under `verify`.
 */
export function checkKeyOnlyFormat(rules: TrustRules, format: string, file?: string): void {
  checkFormat(rules, format, file ?? format);
  if (rules.anchors.length)
    throw untrusted(rules, 'trust-anchor', `a ${format} signature carries no certificate, so the trust anchors cannot vouch for it`, file);
  if (rules.minMonotonicCount !== undefined)
    throw untrusted(
      rules,
      'monotonic-count',
      `a ${format} signature carries no monotonic count, so the anti-rollback minimum ${rules.minMonotonicCount} cannot be checked`,
      file,
    );
  if (rules.requireComposite)
    throw untrusted(
      rules,
      'algorithm',
      `a ${format} signature is ML-DSA alone; the policy scope requires composite ML-DSA signatures`,
      file,
    );
}

/** Rules on what verified: which key, which parameter set, composite or not, which monotonic count. */
export function checkOutcome(
  rules: TrustRules,
  r: { format: string; params: ParamSet; composite?: string | undefined; keyFingerprint: string; monotonicCount?: string | undefined },
  file: string,
): void {
  if (rules.keys.length) {
    const k = rules.keys.find((x) => x.sha256 === r.keyFingerprint);
    if (!k) throw untrusted(rules, 'pinned-key', `verified under key sha256 ${r.keyFingerprint}, which is not a trusted key`, file);
    if (k.formats && !k.formats.includes(r.format)) {
      throw untrusted(
        rules,
        'format',
        `key sha256 ${r.keyFingerprint} is trusted for ${k.formats.join(', ')} signatures, not ${r.format}`,
        file,
      );
    }
  }
  if (rules.minAlgorithm && strength(r.params) < strength(rules.minAlgorithm)) {
    throw untrusted(rules, 'algorithm', `is signed with ${r.composite ?? r.params.name}; at least ${rules.minAlgorithm} is required`, file);
  }
  if (rules.requireComposite && !r.composite) {
    throw untrusted(
      rules,
      'algorithm',
      `is signed with ${r.params.name} alone; the policy scope requires composite ML-DSA signatures (both parts)`,
      file,
    );
  }
  if (rules.minMonotonicCount !== undefined) {
    if (r.monotonicCount === undefined) {
      throw untrusted(
        rules,
        'monotonic-count',
        `a ${r.format} signature carries no signed monotonic count, so the anti-rollback minimum ${rules.minMonotonicCount} cannot be checked`,
        file,
      );
    }
    if (BigInt(r.monotonicCount) < BigInt(rules.minMonotonicCount)) {
      throw untrusted(
        rules,
        'monotonic-count',
        `rollback: MonotonicCount ${r.monotonicCount} is below the minimum ${rules.minMonotonicCount}`,
        file,
      );
    }
  }
}
