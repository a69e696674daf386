// Library messages name options in library terms (`monotonicCount`, `format: uefi`: opt() in
// src/base/errors.ts); the CLI shows them as the flags its users type (--monotonic-count, --format uefi).
// This is the one table from option to flag: format options follow one rule (contentType ↔ --content-type),
// every other option the library can name is listed.
import { registeredFormats } from '../src/pipeline/registry.js';
import type { OptionSpec } from '../src/pipeline/format.js';

/** The flag for a format option property: `contentType` → `content-type`. */
export const flagOf = (option: string): string => option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Library option → flag, for every option a library message can name that is not a format's own option
 * (those are `--` + kebab-case of the name). test/no-flags-in-core.test.ts checks that
 * every option the library names is here or a format option.
 */
export const OPTION_FLAGS: Readonly<Record<string, string>> = {
  // trust inputs
  key: '--key',
  keyFingerprints: '--key-sha256',
  trustAnchors: '--trust-anchor',
  tsaAnchors: '--tsa-anchor',
  trustSigningTime: '--trust-signing-time',
  crls: '--crl',
  scope: '--scope',
  minMonotonicCount: '--min-monotonic-count',
  // signing and verifying
  context: '--context',
  format: '--format',
  messageType: '--message-type',
  payload: '--payload',
  sig: '--sig',
  verifier: '--kms',
  force: '--force',
  alg: '--alg',
  passphrase: '--passphrase-file',
  // attestations
  predicate: '--predicate',
  predicateType: '--predicate-type',
  builderId: '--builder-id',
  buildType: '--build-type',
  sourceUri: '--source-uri',
  sourceDigest: '--source-digest',
  entryPoint: '--entry-point',
  invocationId: '--invocation-id',
  startedOn: '--started-on',
  finishedOn: '--finished-on',
  subjectDigests: '--subject-digest',
  recursive: '--recursive',
  baseDir: '--base-dir',
  // certificates, CRLs, KMS keys
  serial: '--serial',
  reason: '--reason',
  subject: '--subject',
  days: '--days',
  pathLen: '--path-len',
  tag: '--tag',
  spec: '--spec',
  alias: '--alias',
  endpoint: '--endpoint',
};

/** The flag for a library option, or undefined for a name the CLI does not know. */
export function flagFor(option: string): string | undefined {
  if (Object.hasOwn(OPTION_FLAGS, option)) return OPTION_FLAGS[option];
  const formatOption = registeredFormats().some((f) => Object.hasOwn((f.options ?? {}) as Record<string, OptionSpec>, option));
  return formatOption ? `--${flagOf(option)}` : undefined;
}

const MENTION = /`([a-z][A-Za-z0-9]*)(?:: ([^`\n]+))?`/g;

/** A library message in CLI terms: `monotonicCount` → --monotonic-count, `format: uefi` → --format uefi, `b64: false` → --no-b64. */
export function cliMessage(message: string): string {
  return message.replace(MENTION, (whole, name: string, value: string | undefined) => {
    const flag = flagFor(name);
    if (!flag) return whole;
    if (value === undefined) return flag;
    return value === 'false' ? `--no-${flag.slice(2)}` : `${flag} ${value}`;
  });
}
