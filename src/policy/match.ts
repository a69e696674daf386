// Which scope of a policy covers an artifact: the first, in file order, whose artifact globs match its
// path; else the first whose products include the manifest entry's product. A manifest line is data, so its
// product may narrow but never override the path: an entry whose path lies in a scope that does not list its
// product fails. An artifact no scope covers is not trusted (fail closed), and `--scope NAME` picks a scope
// by name where there is no path (jwt verify).
import picomatch from 'picomatch';
import { sep } from 'node:path';
import { PqsignError, opt } from '../base/errors.js';
import type { Policy, PolicyScope } from './policy.js';

const matchers = new WeakMap<PolicyScope, (path: string) => boolean>();

function globOf(scope: PolicyScope): (path: string) => boolean {
  let m = matchers.get(scope);
  if (!m) {
    // A pattern without "/" matches the base name wherever the file lies; one with "/" matches the whole path
    // as given. Two matchers: picomatch's basename option would apply to every pattern and make those with
    // "/" match nothing, silently handing their artifacts to a later scope.
    const names = scope.artifacts.filter((a) => !a.includes('/'));
    const paths = scope.artifacts.filter((a) => a.includes('/'));
    const byName = names.length ? picomatch(names, { basename: true, dot: true }) : () => false;
    const byPath = paths.length ? picomatch(paths, { dot: true }) : () => false;
    m = (path) => byName(path) || byPath(path);
    matchers.set(scope, m);
  }
  return m;
}

const normal = (p: string) => (sep === '/' ? p : p.split(sep).join('/')).replace(/^\.\//, '');

/** The first scope whose artifact globs match the path, if any. */
export const scopeByPath = (policy: Policy, path: string): PolicyScope | undefined => policy.scopes.find((x) => globOf(x)(normal(path)));

export function scopeFor(
  policy: Policy,
  what: { path?: string | undefined; product?: string | undefined; scope?: string | undefined },
): PolicyScope {
  if (what.scope !== undefined) {
    const s = policy.scopes.find((x) => x.name === what.scope);
    if (!s)
      throw new PqsignError(
        'ERR_USAGE',
        `${opt('scope')} ${what.scope}: the policy has no such scope (it has ${policy.scopes.map((x) => x.name).join(', ')})`,
        { file: policy.file, option: 'scope' },
      );
    return s;
  }
  const byPath = what.path === undefined ? undefined : scopeByPath(policy, what.path);
  if (byPath && what.product !== undefined && byPath.products.length && !byPath.products.includes(what.product)) {
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `the manifest says product "${what.product}", but the path lies in policy scope "${byPath.name}" (products ${byPath.products.join(', ')})`,
      { file: what.path, detail: 'scope', scope: byPath.name },
    );
  }
  const s = byPath ?? (what.product === undefined ? undefined : policy.scopes.find((x) => x.products.includes(what.product!)));
  if (!s) {
    const by = [what.path !== undefined ? `path ${what.path}` : '', what.product !== undefined ? `product "${what.product}"` : '']
      .filter(Boolean)
      .join(' or ');
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `no scope of the trust policy ${policy.file} covers it (by ${by || `nothing: give ${opt('scope')}`})`,
      { file: what.path, detail: 'scope' },
    );
  }
  return s;
}
