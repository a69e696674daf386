// Identity rules on a signer certificate (trust policy "signer"): subject attributes, subjectAltName
// entries and extendedKeyUsage purposes, each value exact or a wildcard pattern. Checked only on a
// certificate that already chained to a trust anchor, so what it matches was vouched for by the anchor.
import { PqsignError } from '../base/errors.js';
import type { ParsedCertificate, SubjectAltName } from '../pki/certificate.js';
import { nameAttributes } from '../pki/name.js';
import { KP } from '../pki/oids.js';

/** An exact string, or {"pattern": "..."} where * matches any run of characters and ? one character. */
export type Matcher = string | { pattern: string };

export interface IdentityRule {
  /** every listed attribute (CN, O, OU, ...) must be present with a matching value */
  subject?: Record<string, Matcher> | undefined;
  /** every entry must be matched by one subjectAltName of its type */
  san?: Array<{ type: SubjectAltName['type']; value: Matcher }> | undefined;
  /** every purpose (an OID, or "codeSigning") must be in extendedKeyUsage */
  eku?: string[] | undefined;
}

const EKU_NAMES: Record<string, string> = { codeSigning: KP.codeSigning };

export function matches(m: Matcher, value: string): boolean {
  if (typeof m === 'string') return m === value;
  const re = m.pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(value);
}

const show = (m: Matcher) => (typeof m === 'string' ? JSON.stringify(m) : `pattern ${JSON.stringify(m.pattern)}`);

/** Why the certificate does not have the identity, or undefined when it does. */
export function identityProblem(rule: IdentityRule, cert: ParsedCertificate): string | undefined {
  const attrs = nameAttributes(cert.subjectDer);
  for (const [type, m] of Object.entries(rule.subject ?? {})) {
    const values = attrs.filter((a) => a.type.toLowerCase() === type.toLowerCase()).map((a) => a.value);
    if (!values.some((v) => matches(m, v))) {
      return `signer certificate "${cert.subject}" has ${values.length ? `${type}=${values.map((v) => JSON.stringify(v)).join(', ')}` : `no ${type}`}; the policy requires ${type} ${show(m)}`;
    }
  }
  for (const want of rule.san ?? []) {
    if (!cert.subjectAltNames.some((s) => s.type === want.type && matches(want.value, s.value))) {
      const have = cert.subjectAltNames.filter((s) => s.type === want.type).map((s) => s.value);
      return `signer certificate "${cert.subject}" has no subjectAltName ${want.type} ${show(want.value)}${have.length ? ` (has ${have.join(', ')})` : ''}`;
    }
  }
  for (const purpose of rule.eku ?? []) {
    const oid = EKU_NAMES[purpose] ?? purpose;
    if (!cert.extKeyUsage?.purposes.includes(oid)) return `signer certificate "${cert.subject}" lacks extendedKeyUsage ${purpose}`;
  }
  return undefined;
}

/** A signerCheck for the formats: parses the DER the CMS verifier hands over and applies the rule. */
export function identityCheck(
  rule: IdentityRule,
  scope: string | undefined,
  parse: (der: Uint8Array) => ParsedCertificate,
): (der: Uint8Array) => void {
  return (der) => {
    const problem = identityProblem(rule, parse(der));
    if (problem)
      throw new PqsignError('ERR_UNTRUSTED', scope === undefined ? problem : `${problem} (policy scope "${scope}")`, {
        detail: 'signer-identity',
        scope,
      });
  };
}
