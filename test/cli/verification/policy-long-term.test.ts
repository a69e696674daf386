// The trust policy's long-term keys through `pqsign verify --policy` (docs/verification.md): a policy with
// tsaAnchors judged per file in one --json run (the time-stamped release verifies two years on, the plain
// one does not), --crl added to a policy (it only tightens), the refusals in flag terms (--tsa-anchor and
// --trust-signing-time widen trust, so they do not combine with --policy; path options need
// --trust-anchor) and a strict-parsing error as the user sees it. Which policies accept what is
// test/unit/policy/policy-long-term.test.ts.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { pqsign, tempDir } from '../../support/helpers.js';
import { verifyEach } from '../../support/exit-codes.js';
import { revokeInProcess } from '../../support/crl-ops.js';
import { longTermRelease } from '../../support/long-term-release.js';
import { LATER } from '../../support/tsa-steps.js';
import { readCertificate } from '../../../src/pki/cert-file.js';

const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);

describe('verify --policy with tsaAnchors, trustSigningTime, crls', async () => {
  const dir = tempDir('pqsign-policy-lt-');
  const { p, pki, tsa, ca, policy } = await longTermRelease(dir);
  afterAll(() => tsa.close());

  it('--policy with tsaAnchors --at: per file, the time-stamped release verifies (scope in --json), the plain one does not', () => {
    const files = [p('stamped.bin'), p('plain.bin')];
    const pol = policy('tsa', { tsaAnchors: [tsa.root] });
    const verdicts = verifyEach(files, ['--policy', pol, '--at', LATER]);
    expect(verdicts.get(files[0]!)?.exit).toBe(0);
    expect(verdicts.get(files[1]!)).toMatchObject({ exit: 1, code: 'ERR_CHAIN' });
    const ok = pqsign(['verify', files[0]!, '--policy', pol, '--at', LATER, '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok)).toMatchObject({
      scope: 'release',
      signers: [expect.objectContaining({ validationTime: expect.objectContaining({ source: 'timestamp' }) })],
    });
  });

  it('--crl adds to the policy: the intermediate CRL given on the command line; a revoked leaf is exit 1 ERR_REVOKED', async () => {
    const partial = policy('crls-partial', { crls: ['root.crl'] });
    const ok = pqsign(['verify', p('plain.bin'), '--policy', partial, '--crl', p('inter.crl'), '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok).signers[0].revocation).toHaveLength(2);
    const serial = Buffer.from((await readCertificate(pki.leaf)).serial).toString('hex');
    await revokeInProcess({ ...ca('inter'), serial, reason: 'keyCompromise' });
    const revoked = pqsign(['verify', p('plain.bin'), '--policy', partial, '--crl', p('inter.state.pem'), '--json']);
    expect(revoked.code).toBe(1);
    expect(json(revoked).error).toMatchObject({ code: 'ERR_REVOKED' });
  });

  it('refusals in flag terms: a bad policy key, widening flags with --policy, --tsa-anchor without --trust-anchor (exit 2)', () => {
    const file = p('st-type.policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        pqsignPolicy: 1,
        scopes: [{ name: 'release', match: { artifacts: ['*.bin'] }, trustAnchors: [pki.root], trustSigningTime: 'yes' }],
      }),
    );
    const bad = pqsign(['verify', p('plain.bin'), '--policy', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^pqsign: .*st-type\.policy\.json: .*scopes\[0\]\.trustSigningTime: must be true or false\n$/);
    const pol = policy('tsa2', { tsaAnchors: [tsa.root] });
    const tsaAnchor = pqsign(['verify', p('plain.bin'), '--policy', pol, '--tsa-anchor', tsa.root]);
    expect(tsaAnchor.code).toBe(2);
    expect(tsaAnchor.stderr).toMatch(/--policy names the trusted keys, anchors and times: do not combine it with .*--tsa-anchor/);
    const signingTime = pqsign(['verify', p('plain.bin'), '--policy', pol, '--trust-signing-time']);
    expect(signingTime.code).toBe(2);
    expect(signingTime.stderr).toMatch(/or --trust-signing-time/);
    const noAnchor = pqsign(['verify', p('plain.bin'), '--key', pki.leaf, '--tsa-anchor', tsa.root]);
    expect(noAnchor.code).toBe(2);
    expect(noAnchor.stderr).toMatch(/apply to certificate paths: give --trust-anchor too/);
  });
});
