// Readers for the vector files in ../shared/vectors (read in place, never copied).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS } from './helpers.js';

export const ACVP = join(VECTORS, 'acvp-server', 'gen-val', 'json-files');
export const WYCHEPROOF = join(VECTORS, 'wycheproof', 'testvectors_v1');
export const LAMPS_CERTS = join(VECTORS, 'lamps-dilithium-certificates', 'examples');

export const readJson = <T = any>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** ACVP prompt + expectedResults joined by tgId/tcId. */
export function acvp(name: string): { group: any; tests: { prompt: any; expected: any }[] }[] {
  const prompt = readJson(join(ACVP, name, 'prompt.json'));
  const expected = readJson(join(ACVP, name, 'expectedResults.json'));
  return prompt.testGroups.map((g: any) => {
    const eg = expected.testGroups.find((x: any) => x.tgId === g.tgId);
    return {
      group: g,
      tests: g.tests.map((t: any) => ({ prompt: t, expected: eg.tests.find((x: any) => String(x.tcId) === String(t.tcId)) })),
    };
  });
}
