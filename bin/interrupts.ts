// SIGINT, SIGTERM and SIGHUP end pqsign at once, as the shell expects (exit 128 + signal number, one
// line on stderr), but not before every temp file of an output being written is removed (the registry
// in src/io/atomic.ts): an interrupted run leaves the outputs as they were. A command that handles a
// signal itself (kms serve shuts down cleanly) adds its own listener, and this one then stands aside.
// Any other way out of the process (an error, a crash) removes the temp files too.
import { removeTempFilesSync } from '../src/io/atomic.js';

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

export function cleanUpOnExit(): void {
  for (const [name, number] of Object.entries(SIGNALS)) {
    const signal = name as NodeJS.Signals;
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return; // the command handles it
      const removed = removeTempFilesSync();
      const note = removed ? `; removed ${removed} unfinished output${removed === 1 ? '' : 's'}` : '';
      process.stderr.write(`pqsign: interrupted by ${signal}${note}\n`);
      process.exit(128 + number);
    });
  }
  process.on('exit', () => void removeTempFilesSync());
}
