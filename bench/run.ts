// `npm run bench`: every row of bench/rows/ in order, a table on stdout, and docs/performance.md.
//   --smoke        small sizes (well under a minute): checks the bench runs; writes no report unless --out
//   --out FILE     where to write the markdown report (default docs/performance.md for a full run)
//   --only a,b     run only these rows (ids: see --list)
//   --list         print the row ids
// Exit status: 0, or 1 when a row failed to run (a missed target is a result, not a failure).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchContext, FULL, SMOKE } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { markdownReport, terminalTable, type Section } from './lib/report.js';
import { ROWS } from './rows/index.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  if (values.list) {
    for (const r of ROWS) process.stdout.write(`${r.id}\t${r.title}\n`);
    return 0;
  }
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((id) => !ROWS.some((r) => r.id === id)) ?? [];
  if (unknown.length) {
    process.stderr.write(`bench: unknown row ${unknown.join(', ')} (see --list)\n`);
    return 2;
  }
  const smoke = values.smoke!;
  const log = (l: string) => process.stderr.write(`bench: ${l}\n`);
  const ctx = new BenchContext(smoke ? SMOKE : FULL, smoke, log);
  const machine = describeMachine();
  const started = Date.now();
  const sections: Section[] = [];
  let failed = false;
  const stop = () => {
    ctx.cleanup();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  log(`${smoke ? 'smoke run' : 'full run'} in ${ctx.tmp}`);
  try {
    await ctx.init();
    for (const row of ROWS.filter((r) => !only || only.includes(r.id))) {
      log(`${row.id}: ${row.title} ...`);
      const t = Date.now();
      try {
        const results = await row.run(ctx);
        // smoke sizes say nothing about the targets: show the figures, judge nothing
        sections.push({
          id: row.id,
          title: row.title,
          results: smoke ? results.map((r) => (r.ours === 'error' ? r : { ...r, met: undefined })) : results,
        });
      } catch (e) {
        failed = true;
        sections.push({
          id: row.id,
          title: row.title,
          results: [{ measurement: row.title, ours: 'error', baseline: '—', met: false, note: e instanceof Error ? e.message : String(e) }],
        });
      }
      if (sections.at(-1)!.results.some((r) => r.ours === 'error')) failed = true;
      log(`${row.id}: done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } finally {
    ctx.cleanup();
    process.off('SIGINT', stop);
  }
  machine.push([
    'load average at end (1/5/15 min)',
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' / '),
  ]);
  process.stdout.write(`${terminalTable(sections)}\n`);
  const out = values.out ?? (smoke ? undefined : join(ctx.root, 'docs', 'performance.md'));
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(
      out,
      markdownReport(sections, machine, {
        date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
        smoke,
        seconds: (Date.now() - started) / 1000,
      }),
    );
    log(`wrote ${out}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
