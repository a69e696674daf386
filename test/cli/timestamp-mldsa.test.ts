// ML-DSA time-stamp tokens (built with pkijs and an ML-DSA-65 key, test/support/mldsa-tsa.ts: OpenSSL 3.5
// cannot sign them) and the verifier's checks on every token, attack first: a token only fixes the
// validation time when it is valid by itself, covers this signature, is not from the future, and its TSA
// chains to a TSA anchor at genTime. A token that fails any of these is reported and ignored — the leaf is
// then judged at the verification time, where (two years on) it has expired.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { buildPki } from '../support/pki-fixture.js';
import { mldsaTsa } from '../support/tsa-fixture.js';
import { mldsaCert, mldsaToken, mldsaTsaPki, TSA_NAME, TSA_ROOT_NAME, type TokenOptions } from '../support/mldsa-tsa.js';
import { digestByName } from '../../src/cms/digests.js';
import { addTimestamps } from '../../src/pipeline/timestamp.js';
import { KP } from '../../src/pki/oids.js';

const DAY = 86_400_000;
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
const LATER = iso(new Date(Date.now() + 730 * DAY));
const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe('ML-DSA time-stamp tokens', async () => {
  const dir = tempDir('pqsign-tsa-mldsa-');
  const pki = buildPki(dir);
  const tsa = await mldsaTsa(join(dir, 'tsa'));
  afterAll(() => tsa.close());
  const artifact = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, artifact);
  const signArgs = ['--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter];
  const verify = (sig: string, ...extra: string[]) =>
    pqsignAsync(['verify', artifact, '--sig', sig, '--trust-anchor', pki.root, '--json', ...extra]);

  it('sign --tsa with an ML-DSA TSA; two years later the signature verifies at its genTime', async () => {
    const out = join(dir, 'signed.p7s');
    const s = await pqsignAsync(['sign', artifact, ...signArgs, '--tsa', tsa.url, '--out', out]);
    expect(s.code, s.stderr).toBe(0);
    const v = await verify(out, '--tsa-anchor', tsa.root, '--at', LATER);
    expect(v.code, v.stderr).toBe(0);
    const signer = json(v.stdout).signers[0];
    expect(signer.validationTime).toMatchObject({ source: 'timestamp', reason: expect.stringContaining(TSA_NAME) });
    expect(signer.timestamps).toEqual([expect.objectContaining({ trusted: true, algorithm: 'ML-DSA-65', tsa: TSA_NAME })]);
    expect((await verify(out, '--at', LATER)).code).toBe(1);
  });

  // ---- tokens a verifier must not trust, added after signing (as anyone can: they are unsigned) ----
  const sha512 = digestByName('sha512')!;
  const now = new Date();
  const good = mldsaTsaPki(new Date(now.getTime() - 365 * DAY), 3650);
  writeFileSync(join(dir, 'good-root.pem'), good.rootPem);
  const hashOf = (b: Uint8Array) => {
    const h = sha512.create();
    h.update(b);
    return h.digest();
  };
  const base = (signature: Uint8Array): TokenOptions => ({
    imprint: { oid: sha512.oid, hash: hashOf(signature) },
    genTime: now,
    tsaCert: good.tsa,
  });
  const expiredTsa = mldsaTsaPki(new Date(now.getTime() - 3650 * DAY), 365); // expired 9 years ago
  writeFileSync(join(dir, 'expired-root.pem'), expiredTsa.rootPem);

  const attacks: Array<{ name: string; token: (signature: Uint8Array) => Uint8Array; error: RegExp; root?: string }> = [
    { name: 'a valid token (control)', token: (sig) => mldsaToken(base(sig)), error: /^$/ },
    {
      name: 'a token over another signature',
      token: (sig) => mldsaToken({ ...base(sig), imprint: { oid: sha512.oid, hash: hashOf(new Uint8Array([...sig, 0])) } }),
      error: /time-stamps something else/,
    },
    {
      name: 'a TSTInfo whose genTime was moved after the TSA signed it',
      token: (sig) => mldsaToken({ ...base(sig), alterTstInfo: (tst) => mldsaTstWithOtherTime(tst) }),
      error: /messageDigest attribute does not match the TSTInfo/,
    },
    {
      name: "a token signed with another key than its certificate's",
      token: (sig) => mldsaToken({ ...base(sig), signWith: 'other' }),
      error: /TSA's signature: signature does not verify/,
    },
    {
      name: 'an ESS signingCertificate naming another certificate',
      token: (sig) => mldsaToken({ ...base(sig), essCert: good.root }),
      error: /signingCertificate attribute names another certificate/,
    },
    {
      name: 'a TSA certificate whose timeStamping EKU is not critical',
      token: (sig) => mldsaToken({ ...base(sig), tsaCert: tsaCertWith({ purposes: [KP.timeStamping], critical: false }) }),
      error: /extendedKeyUsage timeStamping only, critical/,
    },
    {
      name: 'a TSA certificate for code signing',
      token: (sig) => mldsaToken({ ...base(sig), tsaCert: tsaCertWith({ purposes: [KP.codeSigning], critical: true }) }),
      error: /has critical 1\.3\.6\.1\.5\.5\.7\.3\.3/,
    },
    {
      name: 'a genTime after the verification time',
      token: (sig) => mldsaToken({ ...base(sig), genTime: new Date(Date.parse(LATER) + DAY) }),
      error: /after the verification time/,
    },
    {
      name: 'a TSA certificate expired at genTime',
      token: (sig) => mldsaToken({ ...base(sig), tsaCert: expiredTsa.tsa }),
      error: /validity: expired/,
      root: 'expired-root.pem',
    },
    {
      name: 'a TSA that is not under the TSA anchor (same names, other root key)',
      token: (sig) =>
        mldsaToken({
          ...base(sig),
          tsaCert: mldsaCert({
            subject: TSA_NAME,
            issuer: TSA_ROOT_NAME,
            key: 'tsa',
            signedBy: 'other',
            ca: false,
            notBefore: new Date(now.getTime() - DAY),
            notAfter: new Date(now.getTime() + 3650 * DAY),
            eku: { purposes: [KP.timeStamping], critical: true },
            serial: 9,
          }),
        }),
      error: /signature does not verify with the issuer key/,
    },
  ];

  /** the good TSA's certificate with other extendedKeyUsage */
  function tsaCertWith(eku: { purposes: string[]; critical: boolean }) {
    return mldsaCert({
      subject: TSA_NAME,
      issuer: TSA_ROOT_NAME,
      key: 'tsa',
      signedBy: 'root',
      ca: false,
      notBefore: new Date(now.getTime() - 365 * DAY),
      notAfter: new Date(now.getTime() + 3000 * DAY),
      eku,
      serial: 3,
    });
  }

  for (const [i, attack] of attacks.entries()) {
    it(`${attack.name}: ${i === 0 ? 'trusted' : 'reported, not trusted, and the expired leaf fails'}`, async () => {
      const out = join(dir, `attack-${i}.p7s`);
      expect(pqsign(['sign', artifact, ...signArgs, '--out', out]).code).toBe(0);
      await addTimestamps(out, out, async (signature) => ({ der: attack.token(signature), genTime: now, tsa: 'test' }));
      const anchor = join(dir, attack.root ?? 'good-root.pem');
      const later = await verify(out, '--tsa-anchor', anchor, '--at', LATER);
      if (i === 0) {
        expect(later.code, later.stderr).toBe(0);
        return;
      }
      expect(later.code).toBe(1);
      expect(json(later.stdout).error.message).toMatch(/expired/);
      // now the leaf is valid: the signature verifies, and says why the token does not count
      const today = await verify(out, '--tsa-anchor', anchor);
      expect(today.code, today.stderr).toBe(0);
      const signer = json(today.stdout).signers[0];
      expect(signer.validationTime).toMatchObject({ source: 'now', reason: expect.stringMatching(/^no time-stamp token is trusted;/) });
      expect(signer.timestamps).toEqual([expect.objectContaining({ trusted: false, error: expect.stringMatching(attack.error) })]);
    });
  }

  it('a valid token without a TSA anchor is reported, not trusted', async () => {
    const out = join(dir, 'attack-0.p7s');
    const v = await verify(out);
    expect(v.code, v.stderr).toBe(0);
    expect(json(v.stdout).signers[0].timestamps[0]).toMatchObject({
      trusted: false,
      error: expect.stringMatching(/no TSA anchor was given/),
    });
    expect((await verify(out, '--at', LATER)).code).toBe(1);
  });
});

/** The TSTInfo with its genTime's last digit changed (the GeneralizedTime ends "…SZ" or "…S.fffZ"). */
function mldsaTstWithOtherTime(tst: Uint8Array): Uint8Array {
  const out = Uint8Array.from(tst);
  const text = Buffer.from(out).toString('latin1');
  const m = /\d{14}(\.\d+)?Z/.exec(text)!;
  const at = m.index + 13;
  out[at] = out[at] === 0x30 ? 0x31 : 0x30;
  return out;
}
