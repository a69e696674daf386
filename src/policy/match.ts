// Which scope of a policy covers an artifact: the first, in file order, whose artifact globs match its
// path or whose products include the manifest entry's product. An artifact no scope covers is not
// trusted (fail closed), and `--scope NAME` picks a scope by name where there is no path (jwt verify).
import picomatch from 'picomatch';
import { sep } from 'node:path';
import { PqsignError } from '../errors.js';
import type { Policy, PolicyScope } from './policy.js';

const matchers = new WeakMap<PolicyScope, (path: string) => boolean>();

function globOf(scope: PolicyScope): (path: string) => boolean {
  let m = matchers.get(scope);
  if (!m) {
    // basename: a pattern without "/" matches the file's base name wherever it lies
    m = scope.artifacts.length ? picomatch(scope.artifacts, { basename: true, dot: true }) : () => false;
    matchers.set(scope, m);
  }
  return m;
}

const normal = (p: string) => (sep === '/' ? p : p.split(sep).join('/')).replace(/^\.\//, '');

export function scopeFor(policy: Policy, what: { path?: string | undefined; product?: string | undefined; scope?: string | undefined }): PolicyScope {
  if (what.scope !== undefined) {
    const s = policy.scopes.find((x) => x.name === what.scope);
    if (!s) throw new PqsignError('ERR_USAGE', `--scope ${what.scope}: the policy has no such scope (it has ${policy.scopes.map((x) => x.name).join(', ')})`, { file: policy.file });
    return s;
  }
  const s = policy.scopes.find((x) => (what.product !== undefined && x.products.includes(what.product)) || (what.path !== undefined && globOf(x)(normal(what.path))));
  if (!s) {
    const by = [what.path !== undefined ? `path ${what.path}` : '', what.product !== undefined ? `product "${what.product}"` : ''].filter(Boolean).join(' or ');
    throw new PqsignError('ERR_UNTRUSTED', `no scope of the trust policy ${policy.file} covers it (by ${by || 'nothing: give --scope'})`, { file: what.path, detail: 'scope' });
  }
  return s;
}
