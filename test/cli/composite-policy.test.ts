// The trust policy's `requireComposite` (docs/verification.md, docs/hybrid.md): in a scope that requires
// composite ML-DSA, a signature that is ML-DSA alone — by a trusted key, or a certificate on a trusted
// path — fails (ERR_UNTRUSTED, exit 1, detail "algorithm"), whatever the format; the same input passes
// once the rule is dropped, and a composite signature passes with it. `sign --policy` refuses an ML-DSA
// key for such a scope before anything is signed; JWTs and attestations (ML-DSA only) never satisfy it.
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';

const dir = tempDir('pqsign-composite-policy-');
const at = (f: string) => join(dir, f);
function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}
const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);
const keygen = (alg: string, name: string) => run(['keygen', '--alg', alg, '--out', at(`${name}.key`), '--pub', at(`${name}.pub`)]);
function policy(name: string, scope: Record<string, unknown>): string {
  const file = at(`${name}.policy.json`);
  writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'hybrid', match: { artifacts: ['*'] }, ...scope }] }));
  return file;
}

// a composite key and an ML-DSA key (the same parameter set as its ML-DSA part), both trusted;
// a composite root issuing an ML-DSA leaf and a composite leaf
keygen('MLDSA65-ECDSA-P256-SHA512', 'comp');
keygen('ML-DSA-65', 'ml');
keygen('MLDSA87-ECDSA-P384-SHA512', 'root');
run(['cert', 'create-ca', '--key', at('root.key'), '--subject', 'CN=Hybrid Root', '--out', at('root.pem')]);
for (const k of ['comp', 'ml']) {
  run([
    'cert',
    'issue',
    '--ca-key',
    at('root.key'),
    '--ca-cert',
    at('root.pem'),
    '--key',
    at(`${k}.pub`),
    '--subject',
    `CN=${k} signer`,
    '--code-signing',
    '--out',
    at(`${k}.pem`),
  ]);
  copyFileSync(FIRMWARE, at(`${k}.bin`));
  run(['sign', at(`${k}.bin`), '--key', at(`${k}.key`)]); // raw
  run(['sign', at(`${k}.bin`), '--key', at(`${k}.key`), '--format', 'cms', '--cert', at(`${k}.pem`)]);
}
const keys = { keys: [{ key: at('comp.pub') }, { key: at('ml.pub') }] };
const anchors = { trustAnchors: [at('root.pem')] };

describe('requireComposite', () => {
  it('attack: an ML-DSA-only signature by a trusted key fails in a scope requiring composite (raw and CMS); the composite one passes', () => {
    const strict = policy('keys', { ...keys, requireComposite: true });
    const lax = policy('keys-lax', keys);
    for (const sig of [at('ml.bin.sig'), at('ml.bin.p7s')]) {
      const r = pqsign(['verify', at('ml.bin'), '--sig', sig, '--policy', strict, '--json']);
      expect(r.code, r.stdout).toBe(1);
      expect(json(r).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm', scope: 'hybrid' });
      expect(json(r).error.message).toMatch(/is signed with ML-DSA-65 alone; the policy scope requires composite ML-DSA/);
      // the rule decides: without it the same signature counts
      expect(pqsign(['verify', at('ml.bin'), '--sig', sig, '--policy', lax]).code).toBe(0);
    }
    for (const sig of [at('comp.bin.sig'), at('comp.bin.p7s')]) {
      const r = pqsign(['verify', at('comp.bin'), '--sig', sig, '--policy', strict, '--json']);
      expect(r.code, r.stdout).toBe(0);
      expect(json(r)).toMatchObject({ algorithm: 'MLDSA65-ECDSA-P256-SHA512', scope: 'hybrid' });
    }
  });

  it("attack: an ML-DSA leaf on a composite root's path fails too; the composite leaf passes", () => {
    const strict = policy('anchors', { ...anchors, requireComposite: true });
    const r = pqsign(['verify', at('ml.bin'), '--sig', at('ml.bin.p7s'), '--policy', strict, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm' });
    expect(pqsign(['verify', at('ml.bin'), '--sig', at('ml.bin.p7s'), '--policy', policy('anchors-lax', anchors)]).code).toBe(0);
    expect(pqsign(['verify', at('comp.bin'), '--sig', at('comp.bin.p7s'), '--policy', strict]).code).toBe(0);
  });

  it('with minAlgorithm it applies to the ML-DSA part: ML-DSA-87 refuses MLDSA65-* composites', () => {
    const r = pqsign([
      'verify',
      at('comp.bin'),
      '--sig',
      at('comp.bin.sig'),
      '--policy',
      policy('min', { ...keys, requireComposite: true, minAlgorithm: 'ML-DSA-87' }),
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ detail: 'algorithm' });
  });

  it('a JWT (ML-DSA only, as are attestations) cannot satisfy it: exit 1', () => {
    writeFileSync(at('claims.json'), '{"sub":"d"}');
    const signed = pqsign(['jwt', 'sign', '--key', at('ml.key'), '--claims', at('claims.json')]);
    expect(signed.code, signed.stderr).toBe(0);
    const token = signed.stdout.trim();
    const strict = policy('jwt', { keys: [{ key: at('ml.pub') }], requireComposite: true });
    const r = pqsign(['jwt', 'verify', token, '--policy', strict]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/requires composite ML-DSA/);
    expect(pqsign(['jwt', 'verify', token, '--policy', policy('jwt-lax', { keys: [{ key: at('ml.pub') }] })]).code).toBe(0);
  });

  it('sign --policy refuses an ML-DSA key for a scope requiring composite (exit 2, nothing written); a composite key signs', () => {
    const strict = policy('signing', { ...keys, requireComposite: true });
    copyFileSync(FIRMWARE, at('new.bin'));
    const r = pqsign(['sign', at('new.bin'), '--key', at('ml.key'), '--policy', strict, '--out', at('new.sig')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/requires composite ML-DSA signatures/);
    expect(existsSync(at('new.sig'))).toBe(false);
    run(['sign', at('new.bin'), '--key', at('comp.key'), '--policy', strict, '--out', at('new.sig')]);
  });

  it('is parsed strictly: only true or false (ERR_POLICY, exit 2)', () => {
    const bad = policy('bad', { ...keys, requireComposite: 'yes' });
    const r = pqsign(['verify', at('comp.bin'), '--sig', at('comp.bin.sig'), '--policy', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/requireComposite: must be true or false/);
  });
});
