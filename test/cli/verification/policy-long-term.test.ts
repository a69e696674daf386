// The trust policy's long-term keys through `pqsign verify --policy` (docs/verification.md): a policy with
// tsaAnchors judged per file in one --json run (the time-stamped release verifies two years on, the plain
// one does not), --crl added to a policy (it only tightens), the refusals in flag terms (--tsa-anchor and
// --trust-signing-time widen trust, so they do not combine with --policy; path options need
// --trust-anchor) and a strict-parsing error as the user sees it. Which policies accept what is
// test/unit/policy/policy-long-term.test.ts.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../../support/helpers.js';
import { verifyEach } from '../../support/exit-codes.js';
import { buildPkiInProcess, signWith } from '../../support/inproc.js';
import { crlInProcess, revokeInProcess } from '../../support/crl-ops.js';
import { mldsaTsa } from '../../support/tsa-fixture.js';
import { LATER } from '../../support/tsa-steps.js';
import { readCertificate } from '../../../src/pki/cert-file.js';

const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);

describe('verify --policy with tsaAnchors, trustSigningTime, crls', async () => {
  const dir = tempDir('pqsign-policy-lt-');
  const p = (f: string) => join(dir, f);
  const pki = await buildPkiInProcess(dir);
  const tsa = await mldsaTsa(p('tsa'));
  afterAll(() => tsa.close());
  copyFileSync(FIRMWARE, p('stamped.bin'));
  copyFileSync(FIRMWARE, p('plain.bin'));
  const cms = { cert: pki.leaf, chain: [pki.inter] };
  await signWith(p('stamped.bin'), pki.leafKey, { format: 'cms', options: { ...cms, tsa: tsa.url } });
  await signWith(p('plain.bin'), pki.leafKey, { format: 'cms', options: cms });
  const inter = { caKey: pki.interKey, caCert: pki.inter, crlState: p('inter.state.pem') };
  await crlInProcess({ caKey: pki.rootKey, caCert: pki.root, crlState: p('root.state.pem'), out: p('root.crl') });
  await crlInProcess({ ...inter, out: p('inter.crl') });

  function policy(name: string, scope: Record<string, unknown>): string {
    const file = p(`${name}.policy.json`);
    writeFileSync(
      file,
      JSON.stringify({
        pqsignPolicy: 1,
        scopes: [{ name: 'release', match: { artifacts: ['*.bin'] }, trustAnchors: [pki.root], ...scope }],
      }),
    );
    return file;
  }

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
    await revokeInProcess({ ...inter, serial, reason: 'keyCompromise' });
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
