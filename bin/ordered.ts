// Emit per-file results in input order as soon as each prefix of the list is complete.
import type { Settled } from '../src/base/pool.js';

export function orderedEmitter<T>(emit: (r: Settled<T>, index: number) => void): (r: Settled<T>, index: number) => void {
  const pending = new Map<number, Settled<T>>();
  let next = 0;
  return (r, i) => {
    pending.set(i, r);
    while (pending.has(next)) {
      emit(pending.get(next)!, next);
      pending.delete(next);
      next++;
    }
  };
}
