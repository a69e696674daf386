// The trust policy's long-term keys (docs/verification.md) in this process, through the library's verify
// (the CLI's path: trust options resolved, then the policy scope's rules): tsaAnchors, trustSigningTime and
// crls per scope, parsed strictly and applied like their options; `crls` may be added to a policy (it only
// tightens), `tsaAnchors` and `trustSigningTime` may not (they widen trust). Error codes stand for exit
// codes; the flags and their messages are test/cli/verification/policy-long-term.test.ts.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/helpers.js';
import { failure } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { revokeInProcess } from '../../support/crl-ops.js';
import { longTermRelease } from '../../support/long-term-release.js';
import { firstSigner, LATER } from '../../support/tsa-steps.js';
import { verify } from '../../../lib/verify.js';
import type { TrustOptions } from '../../../lib/trust-options.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { encodeSpki } from '../../../src/mldsa/asn1.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { readCertificate } from '../../../src/pki/cert-file.js';

describe('policy tsaAnchors, trustSigningTime, crls', async () => {
  const dir = tempDir('pqsign-policy-lt-unit-');
  const { p, pki, tsa, ca, policy } = await longTermRelease(dir);
  afterAll(() => tsa.close());
  /** `pqsign verify FILE --policy POL [--at AT] [--crl C]...` (and other trust options, to see them refused) */
  const check = (file: string, pol: string | undefined, o: { at?: string } & Omit<TrustOptions, 'policy'> = {}) => {
    const { at, ...trust } = o;
    return verify({ input: p(file), policy: pol, ...trust, options: { cms: at ? { at } : {} } });
  };
  const exitOf = async (v: Promise<unknown>) => {
    try {
      await v;
      return 0;
    } catch (e) {
      return exitOfCode((e as { code: string }).code);
    }
  };

  it('tsaAnchors: two years on, the time-stamped release verifies under the policy, the plain one does not', async () => {
    const pol = policy('tsa', { tsaAnchors: [tsa.root] });
    const ok = await check('stamped.bin', pol, { at: LATER });
    expect(ok.scope).toBe('release');
    expect(firstSigner(ok).validationTime).toMatchObject({ source: 'timestamp' });
    expect(await exitOf(check('plain.bin', pol, { at: LATER }))).toBe(1);
    expect(await exitOf(check('stamped.bin', policy('no-tsa', {}), { at: LATER }))).toBe(1);
  });

  it("trustSigningTime: the policy may accept the signer's own signingTime", async () => {
    expect(await exitOf(check('plain.bin', policy('st', { trustSigningTime: true }), { at: LATER }))).toBe(0);
    expect(await exitOf(check('plain.bin', policy('st-off', { trustSigningTime: false }), { at: LATER }))).toBe(1);
  });

  it('crls: revocation checking from the policy; crls given with it add to it', async () => {
    const pol = policy('crls', { crls: ['root.crl', 'inter.crl'] }); // relative to the policy's directory
    expect(firstSigner(await check('plain.bin', pol)).revocation).toHaveLength(2);
    // only the root's CRL in the policy: the intermediate's comes from the crls option
    const partial = policy('crls-partial', { crls: ['root.crl'] });
    expect(await exitOf(check('plain.bin', partial))).toBe(1);
    expect(await exitOf(check('plain.bin', partial, { crls: [p('inter.crl')] }))).toBe(0);
    const serial = Buffer.from((await readCertificate(pki.leaf)).serial).toString('hex');
    await revokeInProcess({ ...ca('inter'), serial, reason: 'keyCompromise' });
    const revoked = await failure(check('plain.bin', partial, { crls: [p('inter.state.pem')] }));
    expect(revoked.code).toBe('ERR_REVOKED');
    expect(exitOfCode(revoked.code)).toBe(1);
    // crls with a scope that has no certificate path cannot be honoured
    const keysOnly = p('keys-only.policy.json');
    const leaf = await loadPublicKey(pki.leafKey);
    writeFileSync(p('leaf.pub'), encodePem('PUBLIC KEY', encodeSpki(leaf.params, leaf.publicKey)));
    writeFileSync(
      keysOnly,
      JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'k', match: { artifacts: ['*.bin'] }, keys: [{ key: p('leaf.pub') }] }] }),
    );
    await expect(check('plain.bin', keysOnly, { crls: [p('root.crl')] })).rejects.toMatchObject({
      code: 'ERR_UNTRUSTED',
      detail: 'revocation',
    });
    expect(exitOfCode('ERR_UNTRUSTED')).toBe(1);
  });

  it('strict parsing: wrong types, no trustAnchors, unknown keys; widening options do not combine with a policy', async () => {
    const bad = async (name: string, scope: Record<string, unknown>, message: RegExp) => {
      const file = p(`${name}.policy.json`);
      writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'release', match: { artifacts: ['*.bin'] }, ...scope }] }));
      const f = await failure(check('plain.bin', file));
      expect(exitOfCode(f.code), name).toBe(2);
      expect(f.message).toMatch(message);
    };
    await bad('st-type', { trustAnchors: [pki.root], trustSigningTime: 'yes' }, /scopes\[0\]\.trustSigningTime: must be true or false/);
    await bad(
      'tsa-type',
      { trustAnchors: [pki.root], tsaAnchors: 'x.pem' },
      /scopes\[0\]\.tsaAnchors: must be a non-empty array of strings/,
    );
    await bad('crls-empty', { trustAnchors: [pki.root], crls: [] }, /scopes\[0\]\.crls: must be a non-empty array of strings/);
    await bad(
      'tsa-no-anchor',
      { keys: [{ sha256: 'a'.repeat(64) }], tsaAnchors: [tsa.root] },
      /scopes\[0\]\.tsaAnchors: applies to certificate paths: it needs "trustAnchors"/,
    );
    await bad('crl-not-a-crl', { trustAnchors: [pki.root], crls: [pki.root] }, /not an X\.509 CRL|no X509 CRL PEM block/);
    await bad('typo', { trustAnchors: [pki.root], crl: ['root.crl'] }, /unknown key "crl"/);
    const pol = policy('tsa2', { tsaAnchors: [tsa.root] });
    expect(exitOfCode((await failure(check('plain.bin', pol, { tsaAnchors: [tsa.root] }))).code)).toBe(2);
    expect(exitOfCode((await failure(check('plain.bin', pol, { trustSigningTime: true }))).code)).toBe(2);
    const noAnchor = await failure(check('plain.bin', undefined, { keys: [pki.leaf], tsaAnchors: [tsa.root] }));
    expect(exitOfCode(noAnchor.code)).toBe(2);
    expect(noAnchor.message).toMatch(/apply to certificate paths: give `trustAnchors` too/);
  });
});
