// A bench row: one module in bench/rows/, listed once in bench/rows/index.ts. Each result compares
// pqsign with a baseline measured in the same run.
import type { BenchContext } from '../lib/context.js';

export interface RowResult {
  /** what was measured, e.g. "μ of 1 GiB" */
  measurement: string;
  ours: string;
  /** the same-run baseline it is compared with */
  baseline: string;
  ratio?: string;
  target?: string;
  /** undefined: no target, or not measurable here */
  met?: boolean;
  /** why a result is missing or how to read it */
  note?: string;
}

export interface BenchRow {
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<RowResult[]>;
}

/** A result standing for a row that could not run here (a missing tool), with the reason. */
export const skipped = (measurement: string, why: string): RowResult => ({
  measurement,
  ours: '—',
  baseline: '—',
  note: `skipped: ${why}`,
});
