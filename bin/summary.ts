// The end of a batch (`verify`, `sign` of several files): one summary line on stderr,
// "N ok, M failed, K errors in T s", and with --junit FILE a JUnit report written atomically.
// failed = an invalid signature or chain (exit 1); errors = anything else (exit 2, 3).
import { writeFileAtomic } from '../src/io/atomic.js';
import { errorJson } from './errors.js';
import { exitOfSettled } from './exit-codes.js';
import type { Settled } from '../src/base/pool.js';
import { junitXml, type JunitCase } from './junit.js';

export class BatchReport {
  private readonly started = performance.now();
  private readonly startedAt = new Date();
  private readonly cases: JunitCase[] = [];

  /** `suite`: "pqsign verify"; `expected`: how many files the batch has (a summary for more than one) */
  constructor(
    private readonly suite: string,
    private readonly junit: string | undefined,
    private readonly expected: number,
  ) {}

  /** One file's result; `ok` says what succeeded, for the report. */
  add(file: string, r: Settled<unknown>, ok?: string): void {
    const exit = exitOfSettled(r);
    if (r.ok) this.cases.push({ name: file, outcome: 'ok', message: ok });
    else {
      const e = errorJson(r.error);
      this.cases.push({ name: file, outcome: exit === 1 ? 'failed' : 'error', code: e.code, message: e.message });
    }
  }

  line(): string {
    const n = (o: JunitCase['outcome']) => this.cases.filter((c) => c.outcome === o).length;
    return `${n('ok')} ok, ${n('failed')} failed, ${n('error')} errors in ${this.seconds().toFixed(1)} s`;
  }

  /** Print the summary (several files) and write the JUnit report; returns `exit` for the caller to return. */
  async finish(exit: number): Promise<number> {
    if (this.expected > 1) process.stderr.write(`${this.line()}\n`);
    if (this.junit) await writeFileAtomic(this.junit, junitXml(this.suite, this.cases, this.seconds(), this.startedAt));
    return exit;
  }

  private seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}
