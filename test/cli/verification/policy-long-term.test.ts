// The trust policy's long-term keys (docs/verification.md): tsaAnchors, trustSigningTime and crls per scope,
// parsed strictly and applied like their flags; --crl may be added to a policy (it only tightens),
// --tsa-anchor and --trust-signing-time may not (they widen trust).
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, pqsignAsync, tempDir } from '../../support/helpers.js';
import { buildPki, run } from '../../support/pki-fixture.js';
import { mldsaTsa } from '../../support/tsa-fixture.js';
import { readCertificate } from '../../../src/pki/cert-file.js';

const DAY = 86_400_000;
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
const LATER = iso(new Date(Date.now() + 730 * DAY));
const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);

describe('policy tsaAnchors, trustSigningTime, crls', async () => {
  const dir = tempDir('pqsign-policy-lt-');
  const p = (f: string) => join(dir, f);
  const pki = buildPki(dir);
  const tsa = await mldsaTsa(p('tsa'));
  afterAll(() => tsa.close());
  copyFileSync(FIRMWARE, p('stamped.bin'));
  copyFileSync(FIRMWARE, p('plain.bin'));
  const signArgs = ['--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter];
  expect((await pqsignAsync(['sign', p('stamped.bin'), ...signArgs, '--tsa', tsa.url])).code).toBe(0);
  run(['sign', p('plain.bin'), ...signArgs]);
  const ca = (which: 'root' | 'inter') => [
    '--ca-key',
    which === 'root' ? pki.rootKey : pki.interKey,
    '--ca-cert',
    which === 'root' ? pki.root : pki.inter,
    '--crl-state',
    p(`${which}.state.pem`),
  ];
  run(['cert', 'crl', ...ca('root'), '--out', p('root.crl')]);
  run(['cert', 'crl', ...ca('inter'), '--out', p('inter.crl')]);

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
  const verify = (file: string, pol: string, ...extra: string[]) => pqsign(['verify', p(file), '--policy', pol, '--json', ...extra]);

  it('tsaAnchors: two years on, the time-stamped release verifies under the policy, the plain one does not', () => {
    const pol = policy('tsa', { tsaAnchors: [tsa.root] });
    const ok = verify('stamped.bin', pol, '--at', LATER);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok)).toMatchObject({
      scope: 'release',
      signers: [expect.objectContaining({ validationTime: expect.objectContaining({ source: 'timestamp' }) })],
    });
    expect(verify('plain.bin', pol, '--at', LATER).code).toBe(1);
    expect(verify('stamped.bin', policy('no-tsa', {}), '--at', LATER).code).toBe(1);
  });

  it("trustSigningTime: the policy may accept the signer's own signingTime", () => {
    expect(verify('plain.bin', policy('st', { trustSigningTime: true }), '--at', LATER).code).toBe(0);
    expect(verify('plain.bin', policy('st-off', { trustSigningTime: false }), '--at', LATER).code).toBe(1);
  });

  it('crls: revocation checking from the policy; --crl adds to it', async () => {
    const pol = policy('crls', { crls: ['root.crl', 'inter.crl'] }); // relative to the policy's directory
    const ok = verify('plain.bin', pol);
    expect(ok.code, ok.stdout).toBe(0);
    expect(json(ok).signers[0].revocation).toHaveLength(2);
    // only the root's CRL in the policy: the intermediate's comes from --crl
    const partial = policy('crls-partial', { crls: ['root.crl'] });
    expect(verify('plain.bin', partial).code).toBe(1);
    expect(verify('plain.bin', partial, '--crl', p('inter.crl')).code).toBe(0);
    const serial = Buffer.from((await readCertificate(pki.leaf)).serial).toString('hex');
    run(['cert', 'revoke', ...ca('inter'), '--serial', serial, '--reason', 'keyCompromise']);
    const revoked = verify('plain.bin', partial, '--crl', p('inter.state.pem'));
    expect(revoked.code).toBe(1);
    expect(json(revoked).error).toMatchObject({ code: 'ERR_REVOKED' });
    // --crl with a scope that has no certificate path cannot be honoured
    const keysOnly = p('keys-only.policy.json');
    run(['pubkey', '--key', pki.leafKey, '--out', p('leaf.pub')]);
    writeFileSync(
      keysOnly,
      JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'k', match: { artifacts: ['*.bin'] }, keys: [{ key: p('leaf.pub') }] }] }),
    );
    const k = verify('plain.bin', keysOnly, '--crl', p('root.crl'));
    expect(k.code).toBe(1);
    expect(json(k).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'revocation' });
  });

  it('strict parsing: wrong types, no trustAnchors, unknown keys; widening flags do not combine with --policy', () => {
    const bad = (name: string, scope: Record<string, unknown>, message: RegExp) => {
      const file = p(`${name}.policy.json`);
      writeFileSync(file, JSON.stringify({ pqsignPolicy: 1, scopes: [{ name: 'release', match: { artifacts: ['*.bin'] }, ...scope }] }));
      const r = pqsign(['verify', p('plain.bin'), '--policy', file]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toMatch(message);
    };
    bad('st-type', { trustAnchors: [pki.root], trustSigningTime: 'yes' }, /scopes\[0\]\.trustSigningTime: must be true or false/);
    bad('tsa-type', { trustAnchors: [pki.root], tsaAnchors: 'x.pem' }, /scopes\[0\]\.tsaAnchors: must be a non-empty array of strings/);
    bad('crls-empty', { trustAnchors: [pki.root], crls: [] }, /scopes\[0\]\.crls: must be a non-empty array of strings/);
    bad(
      'tsa-no-anchor',
      { keys: [{ sha256: 'a'.repeat(64) }], tsaAnchors: [tsa.root] },
      /scopes\[0\]\.tsaAnchors: applies to certificate paths: it needs "trustAnchors"/,
    );
    bad('crl-not-a-crl', { trustAnchors: [pki.root], crls: [pki.root] }, /not an X\.509 CRL|no X509 CRL PEM block/);
    bad('typo', { trustAnchors: [pki.root], crl: ['root.crl'] }, /unknown key "crl"/);
    const pol = policy('tsa2', { tsaAnchors: [tsa.root] });
    expect(pqsign(['verify', p('plain.bin'), '--policy', pol, '--tsa-anchor', tsa.root]).code).toBe(2);
    expect(pqsign(['verify', p('plain.bin'), '--policy', pol, '--trust-signing-time']).code).toBe(2);
    const noAnchor = pqsign(['verify', p('plain.bin'), '--key', pki.leaf, '--tsa-anchor', tsa.root]);
    expect(noAnchor.code).toBe(2);
    expect(noAnchor.stderr).toMatch(/apply to certificate paths: give --trust-anchor too/);
  });
});
