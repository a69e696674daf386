// The trust policy's `requireComposite` (docs/verification.md, docs/hybrid.md) in this process: in a scope
// that requires composite ML-DSA, a signature that is ML-DSA alone — by a trusted key, or a certificate on a
// trusted path — fails (ERR_UNTRUSTED, exit 1, detail "algorithm"), whatever the format; the same input
// passes once the rule is dropped, and a composite signature passes with it. Signing under such a scope
// refuses an ML-DSA key; JWTs (ML-DSA only, as are attestations) never satisfy it; the rule is parsed
// strictly. The command line's side is test/cli/composite-policy.test.ts.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTrustOptions } from '../../../lib/trust.js';
import { verify } from '../../../lib/verify.js';
import { isPqsignError, type PqsignError } from '../../../src/base/errors.js';
import { signJwt, verifyJwtWithAny } from '../../../src/jose/jwt.js';
import { keyFingerprint } from '../../../src/keys/fingerprint.js';
import { type LocalSigner } from '../../../src/mldsa/signer.js';
import { loadAnySigner, loadPublicKey } from '../../../src/pipeline/keyref.js';
import { scopeFor } from '../../../src/policy/match.js';
import { checkKeyOnlyFormat, signingProblem } from '../../../src/policy/rules.js';
import { compositeKeyFiles } from '../../support/composite-keys.js';
import { hybridRoot } from '../../support/composite-pki.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { FIRMWARE, tempDir } from '../../support/helpers.js';
import { keygenFiles, signWith } from '../../support/inproc.js';

const dir = tempDir('pqsign-composite-policy-unit-');
const at = (f: string) => join(dir, f);
function policy(name: string, scope: Record<string, unknown>): string {
  const file = at(`${name}.policy.json`);
  writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'hybrid', match: { artifacts: ['*'] }, ...scope }] }));
  return file;
}
/** the PqsignError a promise rejects with */
async function rejection(p: Promise<unknown>): Promise<PqsignError> {
  try {
    await p;
  } catch (e) {
    if (isPqsignError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure, got success');
}
/** `verify ARTIFACT --sig SIG --policy POLICY` */
const verifyUnder = (artifact: string, sig: string, policyFile: string) =>
  verify({ input: at(artifact), signature: at(sig), policy: policyFile });
/** the scope's rules, as `sign --policy` and `jwt verify --policy` pick them */
const scopeRules = async (policyFile: string) =>
  scopeFor((await resolveTrustOptions({ policy: policyFile })).policy!, { scope: 'hybrid' }).rules;

// a composite key and an ML-DSA key (the same parameter set as its ML-DSA part), both trusted;
// a composite root issuing an ML-DSA leaf and a composite leaf; each signs raw and CMS
const comp = compositeKeyFiles(dir, 'comp', 'MLDSA65-ECDSA-P256-SHA512');
const ml = keygenFiles(dir, 'ml');
const root = hybridRoot(dir);
const keys = { keys: [{ key: comp.pub }, { key: ml.pub }] };
const anchors = { trustAnchors: [at('root.pem')] };
beforeAll(async () => {
  await root.create();
  for (const [name, k] of [
    ['comp', comp],
    ['ml', ml],
  ] as const) {
    await root.issueSigner(k.pub, name, at(`${name}.crt`));
    copyFileSync(FIRMWARE, at(`${name}.bin`));
    await signWith(at(`${name}.bin`), k.key); // raw
    await signWith(at(`${name}.bin`), k.key, { format: 'cms', options: { cert: at(`${name}.crt`) } });
  }
});

describe('requireComposite', () => {
  it('attack: an ML-DSA-only signature by a trusted key fails in a scope requiring composite (raw and CMS); the composite one passes', async () => {
    const strict = policy('keys', { ...keys, requireComposite: true });
    const lax = policy('keys-lax', keys);
    for (const sig of ['ml.bin.sig', 'ml.bin.p7s']) {
      const e = await rejection(verifyUnder('ml.bin', sig, strict));
      expect(e).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm', scope: 'hybrid' });
      expect(exitOfCode(e.code)).toBe(1);
      expect(e.message).toMatch(/is signed with ML-DSA-65 alone; the policy scope requires composite ML-DSA/);
      // the rule decides: without it the same signature counts
      await verifyUnder('ml.bin', sig, lax);
    }
    for (const sig of ['comp.bin.sig', 'comp.bin.p7s']) {
      const v = await verifyUnder('comp.bin', sig, strict);
      expect(v).toMatchObject({ scope: 'hybrid', details: { composite: 'MLDSA65-ECDSA-P256-SHA512' } });
    }
  });

  it("attack: an ML-DSA leaf on a composite root's path fails too; the composite leaf passes", async () => {
    const strict = policy('anchors', { ...anchors, requireComposite: true });
    const e = await rejection(verifyUnder('ml.bin', 'ml.bin.p7s', strict));
    expect(e).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm' });
    await verifyUnder('ml.bin', 'ml.bin.p7s', policy('anchors-lax', anchors));
    await verifyUnder('comp.bin', 'comp.bin.p7s', strict);
  });

  it('with minAlgorithm it applies to the ML-DSA part: ML-DSA-87 refuses MLDSA65-* composites', async () => {
    const e = await rejection(
      verifyUnder('comp.bin', 'comp.bin.sig', policy('min', { ...keys, requireComposite: true, minAlgorithm: 'ML-DSA-87' })),
    );
    expect(e).toMatchObject({ detail: 'algorithm' });
    expect(exitOfCode(e.code)).toBe(1);
  });

  it('a JWT (ML-DSA only, as are attestations) cannot satisfy it', async () => {
    const signer = await loadAnySigner(ml.key);
    const token = await signJwt(signer as LocalSigner, { sub: 'd' });
    await signer.close?.();
    const strict = await scopeRules(policy('jwt', { keys: [{ key: ml.pub }], requireComposite: true }));
    let e: unknown;
    try {
      checkKeyOnlyFormat(strict, 'jwt');
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm' });
    expect(exitOfCode((e as PqsignError).code)).toBe(1);
    expect((e as Error).message).toMatch(/requires composite ML-DSA/);
    // without the rule the token verifies under the scope's key
    const lax = await scopeRules(policy('jwt-lax', { keys: [{ key: ml.pub }] }));
    checkKeyOnlyFormat(lax, 'jwt');
    expect(verifyJwtWithAny(token, [await loadPublicKey(ml.pub)]).claims).toMatchObject({ sub: 'd' });
  });

  it('signing refuses an ML-DSA key for a scope requiring composite (rule "algorithm"); a composite key may sign', async () => {
    const strict = await scopeRules(policy('signing', { ...keys, requireComposite: true }));
    expect(signingProblem(strict, 'raw', keyFingerprint(ml.publicKey), '', false)).toEqual({
      rule: 'algorithm',
      message: 'the policy scope requires composite ML-DSA signatures; this key is ML-DSA alone',
    });
    expect(signingProblem(strict, 'raw', keyFingerprint(comp.priv.publicKey), '', true)).toBeUndefined();
  });

  it('is parsed strictly: only true or false (ERR_POLICY, exit 2)', async () => {
    const e = await rejection(resolveTrustOptions({ policy: policy('bad', { ...keys, requireComposite: 'yes' }) }));
    expect(e.code).toBe('ERR_POLICY');
    expect(exitOfCode(e.code)).toBe(2);
    expect(e.message).toMatch(/requireComposite: must be true or false/);
  });
});
