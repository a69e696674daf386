// Start-up: the COSE/JOSE formats are registered statically, but cbor2 is only imported when a
// COSE container or COSE_Key is actually handled; a raw verify never loads it.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { loadedModules } from '../support/module-trace.js';

const dir = tempDir('pqsign-startup-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');
const run = (args: string[]) => loadedModules(process.execPath, args);

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-44');
  expect(pqsign(['sign', fw, '--key', key]).code).toBe(0);
  expect(pqsign(['sign', fw, '--key', key, '--format', 'cose', '--out', join(dir, 'fw.cose')]).code).toBe(0);
});

describe('lazy cbor2', () => {
  it('a raw verify does not load cbor2; a COSE verify does (so the trace works)', () => {
    const raw = run(['verify', fw, '--sig', `${fw}.sig`, '--key', pub]);
    expect(raw.own.has('dist/formats/cose.js')).toBe(true);
    expect(raw.packages.has('cbor2')).toBe(false);
    const viaCose = run(['verify', join(dir, 'fw.cose'), '--key', pub]);
    expect(viaCose.packages.has('cbor2')).toBe(true);
  });
});
