// The bench must not rot: run every row at smoke sizes (npm run bench -- --smoke) and check the report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROWS } from '../../bench/rows/index.js';
import { ROOT, tempDir } from '../support/helpers.js';

const out = join(tempDir('pqsign-bench-smoke-'), 'performance.md');

it('npm run bench -- --smoke runs every row, writes the report and removes its files', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--smoke', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 110_000,
  });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  for (const row of ROWS) expect(r.stderr, row.id).toContain(`bench: ${row.id}: done`);
  const report = readFileSync(out, 'utf8');
  expect(report).toContain('## Machine');
  expect(report).toContain(`Node (pqsign) | ${process.version}, OpenSSL ${process.versions.openssl}`);
  for (const row of ROWS) expect(report, row.id).toContain(`| ${row.title} |`);
  expect(report).toMatch(/\| μ throughput \| μ of 8 MiB \| [\d.]+ (ms|s) \([\d]+ MiB\/s\), peak RSS \d+ MB \|/);
  expect(report).not.toMatch(/\| error \|/);
  const scratch = /smoke run in (\S+)/.exec(r.stderr)?.[1];
  expect(scratch).toBeDefined();
  expect(existsSync(scratch!)).toBe(false);
});
