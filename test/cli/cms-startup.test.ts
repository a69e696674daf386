// Start-up: the CLI's static import graph must not reach pkijs or asn1js (CMS and cert code load them on
// first use), so a raw verify on a factory line does not pay for them.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT, pqsign } from '../support/helpers.js';

function staticImports(...entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (f: string) => {
    if (files.has(f)) return;
    files.add(f);
    const src = readFileSync(f, 'utf8');
    // static `import ... from '../...'` / `import '../...'` (not `import type`, which tsc erases; not `await import(...)`)
    for (const m of src.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) walk(resolve(dirname(f), spec));
      else packages.add(spec.replace(/^(@[^/]+\/[^/]+|[^/]+).*$/, '$1'));
    }
  };
  for (const e of entries) walk(e);
  return { files, packages };
}

describe('start-up', () => {
  it('bin/pqsign.js and every command module do not statically import pkijs or asn1js', () => {
    // commands are loaded on demand (bin/commands/index.ts): walk each one's static graph too
    const commands = readdirSync(join(ROOT, 'dist', 'bin', 'commands'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => join(ROOT, 'dist', 'bin', 'commands', f));
    const { files, packages } = staticImports(join(ROOT, 'dist', 'bin', 'pqsign.js'), ...commands);
    expect([...files].some((f) => f.endsWith(join('formats', 'cms.js')))).toBe(true);
    expect([...files].some((f) => f.endsWith(join('commands', 'cert.js')))).toBe(true);
    expect(packages.has('pkijs')).toBe(false);
    expect(packages.has('asn1js')).toBe(false);
  });
  it('cert and CMS commands load them when used', () => {
    const r = pqsign(['cert', 'show', join(ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package\.json: /);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
