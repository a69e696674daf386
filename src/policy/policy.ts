// Trust policies (`--policy FILE`, docs/verification.md, schema in docs/policy.schema.json): one reviewable
// JSON statement of whom a factory line or release gate trusts for what. Named scopes, matched by artifact
// path glob or manifest product; per scope the trusted keys and/or trust anchors with identity rules on
// the signer certificate, TSA anchors, whether signingTime is trusted, CRLs, allowed formats, required
// context, minimum parameter set, composite signatures required, an anti-rollback minimum MonotonicCount and attestation provenance
// requirements. Parsed strictly (an unknown key is an
// error, not a silently ignored rule), then resolved: key and certificate files relative to the policy's
// directory, awskms:// keys through their public key, so that workers receive plain TrustRules.
import { dirname, isAbsolute, resolve } from 'node:path';
import { fromHex } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { readSmallFile } from '../io/read.js';
import { keyFingerprint } from '../keys/fingerprint.js';
import { keyData, type PublicKey } from '../keys/spki.js';
import { MAX_CONTEXT_BYTES, paramByName, type ParamName } from '../mldsa/params.js';
import type { IdentityRule, Matcher } from './identity.js';
import type { AttestationRule, TrustedKey, TrustRules } from './rules.js';

export const POLICY_VERSION = 1;
const FORMAT_NAMES = ['raw', 'uefi', 'cose', 'jws', 'cms', 'dsse', 'jwt'] as const;

export interface PolicyScope {
  name: string;
  /** artifact path globs (picomatch; a pattern without "/" matches the base name) */
  artifacts: string[];
  /** manifest "product" values */
  products: string[];
  rules: TrustRules;
}

export interface Policy {
  file: string;
  scopes: PolicyScope[];
}

/** How key references are turned into public keys (files, awskms://): the caller's loadPublicKey. */
export type KeyLoader = (ref: string) => Promise<PublicKey>;

type Obj = Record<string, unknown>;

class Reader {
  constructor(readonly file: string) {}
  fail(at: string, why: string): PqsignError {
    return new PqsignError('ERR_POLICY', `${at}: ${why}`, { file: this.file });
  }
  object(v: unknown, at: string, allowed: readonly string[], required: readonly string[] = []): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.fail(at, 'must be a JSON object');
    const o = v as Obj;
    const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
    if (unknown.length)
      throw this.fail(
        at,
        `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed.join(', ')})`,
      );
    for (const k of required) if (o[k] === undefined) throw this.fail(at, `"${k}" is required`);
    return o;
  }
  string(v: unknown, at: string): string {
    if (typeof v !== 'string' || v === '') throw this.fail(at, 'must be a non-empty string');
    return v;
  }
  strings(v: unknown, at: string): string[] {
    if (!Array.isArray(v) || v.length === 0) throw this.fail(at, 'must be a non-empty array of strings');
    return v.map((x, i) => this.string(x, `${at}[${i}]`));
  }
  matcher(v: unknown, at: string): Matcher {
    if (typeof v === 'string') return this.string(v, at);
    const o = this.object(v, at, ['pattern'], ['pattern']);
    return { pattern: this.string(o.pattern, `${at}.pattern`) };
  }
}

/** Read, validate and resolve a policy file. */
export async function loadPolicy(file: string, loadKey: KeyLoader): Promise<Policy> {
  const r = new Reader(file);
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readSmallFile(file, 'policy', 4 * 1024 * 1024)));
  } catch (e) {
    if (isPqsignError(e)) throw e;
    throw new PqsignError('ERR_POLICY', `is not a JSON document (${e instanceof Error ? e.message : String(e)})`, { file });
  }
  const top = r.object(doc, 'policy', ['$schema', 'pqsignPolicy', 'scopes'], ['pqsignPolicy', 'scopes']);
  if (top.pqsignPolicy !== POLICY_VERSION)
    throw r.fail('pqsignPolicy', `version ${JSON.stringify(top.pqsignPolicy)} is not one this pqsign reads (${POLICY_VERSION})`);
  if (!Array.isArray(top.scopes) || top.scopes.length === 0) throw r.fail('scopes', 'must be a non-empty array');
  const dir = dirname(resolve(file));
  const scopes: PolicyScope[] = [];
  for (const [i, s] of top.scopes.entries()) {
    const scope = await readScope(r, s, `scopes[${i}]`, dir, loadKey);
    if (scopes.some((x) => x.name === scope.name)) throw r.fail(`scopes[${i}].name`, `"${scope.name}" is used twice`);
    scopes.push(scope);
  }
  return { file, scopes };
}

const SCOPE_KEYS = [
  'name',
  'match',
  'keys',
  'trustAnchors',
  'tsaAnchors',
  'trustSigningTime',
  'crls',
  'signer',
  'formats',
  'context',
  'minAlgorithm',
  'requireComposite',
  'minMonotonicCount',
  'attestation',
] as const;

async function readScope(r: Reader, v: unknown, at: string, dir: string, loadKey: KeyLoader): Promise<PolicyScope> {
  const o = r.object(v, at, SCOPE_KEYS, ['name', 'match']);
  const name = r.string(o.name, `${at}.name`);
  const m = r.object(o.match, `${at}.match`, ['artifacts', 'products']);
  if (m.artifacts === undefined && m.products === undefined) throw r.fail(`${at}.match`, 'needs "artifacts" and/or "products"');
  const artifacts = m.artifacts === undefined ? [] : r.strings(m.artifacts, `${at}.match.artifacts`);
  const products = m.products === undefined ? [] : r.strings(m.products, `${at}.match.products`);
  const local = (p: string) => (isAbsolute(p) || /^[a-z][a-z0-9+.-]*:\/\//i.test(p) ? p : resolve(dir, p));

  const keys: TrustedKey[] = [];
  if (o.keys !== undefined) {
    if (!Array.isArray(o.keys) || o.keys.length === 0) throw r.fail(`${at}.keys`, 'must be a non-empty array');
    for (const [j, k] of o.keys.entries()) {
      const kat = `${at}.keys[${j}]`;
      const ko = r.object(k, kat, ['key', 'sha256', 'formats']);
      if ((ko.key === undefined) === (ko.sha256 === undefined))
        throw r.fail(kat, 'needs exactly one of "key" (a key file or awskms:// reference) and "sha256"');
      const formats = ko.formats === undefined ? undefined : formatList(r, ko.formats, `${kat}.formats`);
      if (ko.sha256 !== undefined) {
        const fp = r.string(ko.sha256, `${kat}.sha256`);
        if (!/^[0-9a-f]{64}$/.test(fp)) throw r.fail(`${kat}.sha256`, 'must be 64 lowercase hex digits (SHA-256 of the raw public key)');
        keys.push({ sha256: fp, formats });
      } else {
        const pk = await loadKey(local(r.string(ko.key, `${kat}.key`)));
        keys.push({ sha256: keyFingerprint(pk.publicKey), key: keyData(pk), formats });
      }
    }
  }
  const certificates = async (field: 'trustAnchors' | 'tsaAnchors', what: string): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    if (o[field] === undefined) return out;
    const { readCertificates } = await import('../pki/cert-file.js');
    for (const [j, p] of r.strings(o[field], `${at}.${field}`).entries()) {
      for (const c of await readCertificates(local(p), `${what} (${at}.${field}[${j}])`)) out.push(c.der);
    }
    return out;
  };
  const anchors = await certificates('trustAnchors', 'trust anchor');
  if (!keys.length && !anchors.length) throw r.fail(at, 'trusts nothing: give "keys" and/or "trustAnchors"');
  // time-stamps, signing times and CRLs are about certificate paths: without anchors they would be ignored
  for (const field of ['tsaAnchors', 'trustSigningTime', 'crls'] as const) {
    if (o[field] !== undefined && !anchors.length) throw r.fail(`${at}.${field}`, 'applies to certificate paths: it needs "trustAnchors"');
  }
  const tsaAnchors = await certificates('tsaAnchors', 'TSA anchor');
  if (o.trustSigningTime !== undefined && typeof o.trustSigningTime !== 'boolean')
    throw r.fail(`${at}.trustSigningTime`, 'must be true or false');
  let crls: Uint8Array[] | undefined;
  if (o.crls !== undefined) {
    const { readCrls } = await import('../pki/crl.js');
    crls = [];
    for (const [j, p] of r.strings(o.crls, `${at}.crls`).entries()) {
      for (const c of await readCrls(local(p), `CRL (${at}.crls[${j}])`)) crls.push(c.der);
    }
  }
  const signer = o.signer === undefined ? undefined : readIdentity(r, o.signer, `${at}.signer`);
  if (signer && !anchors.length)
    throw r.fail(
      `${at}.signer`,
      'identity rules need "trustAnchors" (only a certificate that chains to an anchor has a vouched-for identity)',
    );

  let context: string | undefined;
  if (o.context !== undefined) {
    if (typeof o.context !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(o.context)) throw r.fail(`${at}.context`, 'must be lowercase hex');
    if (fromHex(o.context).length > MAX_CONTEXT_BYTES) throw r.fail(`${at}.context`, `is longer than ${MAX_CONTEXT_BYTES} bytes`);
    context = o.context;
  }
  let minAlgorithm: ParamName | undefined;
  if (o.minAlgorithm !== undefined) {
    const p = typeof o.minAlgorithm === 'string' ? paramByName(o.minAlgorithm) : undefined;
    if (!p) throw r.fail(`${at}.minAlgorithm`, 'must be ML-DSA-44, ML-DSA-65 or ML-DSA-87');
    minAlgorithm = p.name;
  }
  if (o.requireComposite !== undefined && typeof o.requireComposite !== 'boolean')
    throw r.fail(`${at}.requireComposite`, 'must be true or false');
  let minMonotonicCount: string | undefined;
  if (o.minMonotonicCount !== undefined) {
    const c = o.minMonotonicCount;
    const ok =
      (typeof c === 'number' && Number.isSafeInteger(c) && c >= 0) ||
      (typeof c === 'string' && /^(0|[1-9]\d{0,19})$/.test(c) && BigInt(c) < 2n ** 64n);
    if (!ok) throw r.fail(`${at}.minMonotonicCount`, 'must be a UINT64 (a number, or a decimal string for values past 2^53)');
    minMonotonicCount = String(c);
  }
  let attestation: AttestationRule | undefined;
  if (o.attestation !== undefined) {
    const a = r.object(o.attestation, `${at}.attestation`, ['predicateType', 'builderId', 'sourceUri']);
    attestation = {
      predicateType: a.predicateType === undefined ? undefined : r.string(a.predicateType, `${at}.attestation.predicateType`),
      builderId: a.builderId === undefined ? undefined : r.string(a.builderId, `${at}.attestation.builderId`),
      sourceUri: a.sourceUri === undefined ? undefined : r.string(a.sourceUri, `${at}.attestation.sourceUri`),
    };
  }
  const rules: TrustRules = {
    scope: name,
    keys,
    anchors,
    signer,
    ...(tsaAnchors.length ? { tsaAnchors } : {}),
    ...(o.trustSigningTime === true ? { trustSigningTime: true } : {}),
    ...(crls ? { crls } : {}),
    ...(o.requireComposite === true ? { requireComposite: true } : {}),
    formats: o.formats === undefined ? undefined : formatList(r, o.formats, `${at}.formats`),
    context,
    minAlgorithm,
    minMonotonicCount,
    attestation,
  };
  return { name, artifacts, products, rules };
}

function formatList(r: Reader, v: unknown, at: string): string[] {
  const list = r.strings(v, at);
  for (const [i, f] of list.entries()) {
    if (!(FORMAT_NAMES as readonly string[]).includes(f))
      throw r.fail(`${at}[${i}]`, `unknown format "${f}" (known: ${FORMAT_NAMES.join(', ')})`);
  }
  return list;
}

function readIdentity(r: Reader, v: unknown, at: string): IdentityRule {
  const o = r.object(v, at, ['subject', 'san', 'eku']);
  const rule: IdentityRule = {};
  if (o.subject !== undefined) {
    const s = r.object(o.subject, `${at}.subject`, Object.keys(o.subject as Obj));
    if (!Object.keys(s).length) throw r.fail(`${at}.subject`, 'names no attribute');
    rule.subject = Object.fromEntries(Object.entries(s).map(([k, m]) => [k, r.matcher(m, `${at}.subject.${k}`)]));
  }
  if (o.san !== undefined) {
    if (!Array.isArray(o.san) || !o.san.length) throw r.fail(`${at}.san`, 'must be a non-empty array');
    rule.san = o.san.map((e, i) => {
      const so = r.object(e, `${at}.san[${i}]`, ['type', 'value'], ['type', 'value']);
      if (so.type !== 'email' && so.type !== 'dns' && so.type !== 'uri')
        throw r.fail(`${at}.san[${i}].type`, 'must be "email", "dns" or "uri"');
      return { type: so.type, value: r.matcher(so.value, `${at}.san[${i}].value`) };
    });
  }
  if (o.eku !== undefined) {
    rule.eku = r.strings(o.eku, `${at}.eku`);
    for (const [i, e] of rule.eku.entries())
      if (e !== 'codeSigning' && !/^\d+(\.\d+)+$/.test(e)) throw r.fail(`${at}.eku[${i}]`, 'must be "codeSigning" or an OID');
  }
  return rule;
}
