// JSON from files others wrote. JSON.parse copes with any nesting, but what is done with the value
// afterwards recurses (JSON.stringify for --json output, error messages): a JOSE header of 20,000 nested
// arrays made `inspect` fail with "Maximum call stack size exceeded". Callers refuse values nested
// deeper than MAX_JSON_DEPTH, far beyond any header, claims set or in-toto statement.
export const MAX_JSON_DEPTH = 64;

/** Is `value` nested deeper than `max` arrays/objects? Walks iteratively, stopping at the first too-deep value. */
export function jsonTooDeep(value: unknown, max = MAX_JSON_DEPTH): boolean {
  // containers still to look into, and their depths (two stacks: no pair allocated per value)
  const values: object[] = [];
  const depths: number[] = [];
  const visit = (v: unknown, depth: number): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (depth > max) return true;
    values.push(v);
    depths.push(depth);
    return false;
  };
  if (visit(value, 1)) return true;
  while (values.length) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (visit(child, depth + 1)) return true;
  }
  return false;
}
