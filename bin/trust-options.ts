// The trust inputs every verifying command takes (--key, --key-sha256, --trust-anchor, --policy, --scope,
// --min-monotonic-count, and for certificate paths --tsa-anchor, --trust-signing-time, --crl), turned into
// TrustRules or a loaded Policy by lib/trust.ts, as a library verify's trust options are. A trust input the user gave is never
// dropped: one a command cannot use is refused here with a usage error, and one a container cannot check
// makes that container not count (src/pipeline/verify.ts).
import type { Options } from 'yargs';
import type { PublicKey } from '../src/keys/spki.js';
import { checkKeyOnlyFormat, untrusted, type TrustRules } from '../src/policy/rules.js';
import { PARAM_SETS, paramByName } from '../src/mldsa/params.js';
import { resolveTrustOptions, type Trust } from '../lib/trust.js';
import { keyRefOptions, usage, type KeyArgs } from './cli.js';

export const trustOptions = {
  'key-sha256': {
    type: 'string',
    describe: 'trust the key with this SHA-256 (hex of the raw public key): enough for containers that carry their key or certificate',
    group: 'Trust:',
  },
  'trust-anchor': {
    type: 'string',
    describe: 'trusted root certificate, PEM or DER (repeatable): certificate paths are validated up to it (cms, uefi pkcs7)',
    group: 'Trust:',
  },
  policy: {
    type: 'string',
    describe: 'trust policy file (docs/verification.md): trusted keys, anchors, identities, formats and minimums per scope',
    group: 'Trust:',
  },
  scope: {
    type: 'string',
    describe: 'with --policy: use this scope for every input instead of matching by path or product',
    group: 'Trust:',
  },
  'min-monotonic-count': {
    type: 'string',
    describe: 'anti-rollback: refuse UEFI images whose MonotonicCount is below N (UINT64, decimal or 0x hex)',
    group: 'Trust:',
  },
  'tsa-anchor': {
    type: 'string',
    describe:
      'trusted TSA root, PEM or DER (repeatable): a time-stamp token from a TSA it vouches for fixes the time the path is validated at',
    group: 'Trust:',
  },
  'trust-signing-time': {
    type: 'boolean',
    describe: "without a trusted time-stamp, validate paths at the signer's own signingTime attribute (which the signer can backdate)",
    group: 'Trust:',
  },
  crl: {
    type: 'string',
    describe: 'CRL file, PEM or DER (repeatable): check revocation; every certificate on the path needs a current CRL from its issuer',
    group: 'Trust:',
  },
} as const satisfies Record<string, Options>;

export interface TrustArgs extends Omit<KeyArgs, 'key'> {
  key?: string | string[] | undefined;
  keySha256?: string | undefined;
  trustAnchor?: string | string[] | undefined;
  policy?: string | undefined;
  scope?: string | undefined;
  minMonotonicCount?: string | undefined;
  tsaAnchor?: string | string[] | undefined;
  trustSigningTime?: boolean | undefined;
  crl?: string | string[] | undefined;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Resolve the trust flags once, in the main thread (passphrases asked once, KMS public keys fetched once). */
export async function resolveTrust(a: TrustArgs, given?: PublicKey[]): Promise<Trust> {
  if (Array.isArray(a.keySha256)) throw usage('--key-sha256 is given more than once');
  return resolveTrustOptions({
    keys: given ?? list(a.key),
    keySha256: a.keySha256,
    trustAnchors: list(a.trustAnchor),
    tsaAnchors: list(a.tsaAnchor),
    trustSigningTime: a.trustSigningTime,
    crls: list(a.crl),
    minMonotonicCount: a.minMonotonicCount,
    policy: a.policy,
    scope: a.scope,
    keyOptions: keyRefOptions({ ...a, key: '' }),
  });
}

/**
 * The ML-DSA keys that may verify a JWT or DSSE signature under these rules (allowed for the format, of the
 * minimum parameter set), after every rule such a signature cannot satisfy has failed it.
 */
export function keyOnlyFormatKeys(rules: TrustRules, format: 'jwt' | 'dsse', file?: string): PublicKey[] {
  checkKeyOnlyFormat(rules, format, file);
  const min = PARAM_SETS.findIndex((p) => p.name === rules.minAlgorithm);
  // composite keys have no parameter set here: JWT and DSSE carry ML-DSA signatures only
  const keys = rules.keys
    .filter(
      (k) => k.key && (!k.formats || k.formats.includes(format)) && PARAM_SETS.findIndex((p) => p.name === k.key!.alg) >= Math.max(min, 0),
    )
    .map((k) => ({ params: paramByName(k.key!.alg)!, publicKey: k.key!.publicKey }));
  if (!keys.length)
    throw untrusted(
      rules,
      'key',
      `no trusted key can verify a ${format} signature here (it needs the key itself, allowed for ${format}, of the minimum parameter set)`,
      file,
    );
  return keys;
}

/** What verify-attestation is held to: keys and provenance from the flags, or from the policy scope. */
export async function attestationTrust(
  a: TrustArgs & { predicateType?: string | undefined; builderId?: string | undefined; sourceUri?: string | undefined },
  bundle: string,
) {
  if (
    a.trustAnchor !== undefined ||
    a.keySha256 !== undefined ||
    a.minMonotonicCount !== undefined ||
    a.tsaAnchor !== undefined ||
    a.crl !== undefined ||
    a.trustSigningTime
  ) {
    throw usage('attestations (DSSE) carry no certificate and no monotonic count: give --key or --policy');
  }
  const { rules, policy } = await resolveTrust(a);
  const scoped = policy ? (await import('../src/policy/match.js')).scopeFor(policy, { path: bundle, scope: a.scope }).rules : rules;
  const keys = keyOnlyFormatKeys(scoped, 'dsse', bundle);
  const rule = scoped.attestation ?? {};
  const both = (flag: string | undefined, policyValue: string | undefined, name: string) => {
    if (flag !== undefined && policyValue !== undefined && flag !== policyValue)
      throw usage(`--${name} ${flag} contradicts the policy's ${policyValue}`);
    return flag ?? policyValue;
  };
  return {
    keys,
    scope: scoped.scope,
    predicateType: both(a.predicateType, rule.predicateType, 'predicate-type'),
    builderId: both(a.builderId, rule.builderId, 'builder-id'),
    sourceUri: both(a.sourceUri, rule.sourceUri, 'source-uri'),
  };
}
