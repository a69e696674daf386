// `requireComposite` through the command line (docs/verification.md, docs/hybrid.md): `verify --policy --json`
// reports an ML-DSA-only signature in such a scope as ERR_UNTRUSTED (exit 1, detail "algorithm", the scope)
// and a composite one as verified in that scope; `sign --policy` refuses an ML-DSA key before anything is
// written (exit 2); `jwt verify --policy` cannot be satisfied by a JWT (exit 1). Which signatures the rule
// accepts, on keys and on certificate paths, and how it is parsed, is tested in-process in
// test/unit/policy/composite-policy.test.ts.
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signJwt } from '../../src/jose/jwt.js';
import type { LocalSigner } from '../../src/mldsa/signer.js';
import { loadAnySigner } from '../../src/pipeline/keyref.js';
import { compositeKeyFiles } from '../support/composite-keys.js';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { keygenFiles, signWith } from '../support/inproc.js';

const dir = tempDir('pqsign-composite-policy-');
const at = (f: string) => join(dir, f);
const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);
function policy(name: string, scope: Record<string, unknown>): string {
  const file = at(`${name}.policy.json`);
  writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'hybrid', match: { artifacts: ['*'] }, ...scope }] }));
  return file;
}

// a composite key and an ML-DSA key, both trusted, each with a raw signature of its own copy of the firmware
const comp = compositeKeyFiles(dir, 'comp', 'MLDSA65-ECDSA-P256-SHA512');
const ml = keygenFiles(dir, 'ml');
for (const [name, k] of [
  ['comp', comp],
  ['ml', ml],
] as const) {
  copyFileSync(FIRMWARE, at(`${name}.bin`));
  await signWith(at(`${name}.bin`), k.key);
}
const strict = policy('strict', { keys: [{ key: comp.pub }, { key: ml.pub }], requireComposite: true });

describe('requireComposite (CLI)', () => {
  it('verify --policy --json: an ML-DSA-only signature is ERR_UNTRUSTED (exit 1, detail, scope); a composite one verifies in the scope', () => {
    const r = pqsign(['verify', at('ml.bin'), '--sig', at('ml.bin.sig'), '--policy', strict, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(json(r)).toMatchObject({
      file: at('ml.bin'),
      ok: false,
      error: { code: 'ERR_UNTRUSTED', detail: 'algorithm', scope: 'hybrid' },
    });
    expect(json(r).error.message).toMatch(/is signed with ML-DSA-65 alone; the policy scope requires composite ML-DSA/);
    const ok = pqsign(['verify', at('comp.bin'), '--sig', at('comp.bin.sig'), '--policy', strict, '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok)).toMatchObject({ ok: true, algorithm: 'MLDSA65-ECDSA-P256-SHA512', scope: 'hybrid' });
  });

  it('sign --policy refuses an ML-DSA key for a scope requiring composite (exit 2, nothing written); a composite key signs', () => {
    copyFileSync(FIRMWARE, at('new.bin'));
    const r = pqsign(['sign', at('new.bin'), '--key', ml.key, '--policy', strict, '--out', at('new.sig')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: .*new\.bin: .*requires composite ML-DSA signatures.*nothing was signed\n$/);
    expect(existsSync(at('new.sig'))).toBe(false);
    const s = pqsign(['sign', at('new.bin'), '--key', comp.key, '--policy', strict, '--out', at('new.sig')]);
    expect(s.code, s.stderr).toBe(0);
    expect(existsSync(at('new.sig'))).toBe(true);
  });

  it('jwt verify --policy: a JWT (ML-DSA only) cannot satisfy it (exit 1); without the rule it verifies', async () => {
    const signer = await loadAnySigner(ml.key);
    const token = await signJwt(signer as LocalSigner, { sub: 'd' });
    await signer.close?.();
    const r = pqsign(['jwt', 'verify', token, '--policy', policy('jwt', { keys: [{ key: ml.pub }], requireComposite: true })]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/requires composite ML-DSA/);
    const lax = pqsign(['jwt', 'verify', token, '--policy', policy('jwt-lax', { keys: [{ key: ml.pub }] })]);
    expect(lax.code, lax.stderr).toBe(0);
  });
});
