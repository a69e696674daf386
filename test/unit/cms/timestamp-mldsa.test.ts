// ML-DSA time-stamp tokens in this process (built with pkijs and an ML-DSA-65 key, test/support/mldsa-tsa.ts:
// OpenSSL 3.5 cannot sign them) and the verifier's checks on every token, attack first: a token only fixes
// the validation time when it is valid by itself, covers this signature, is not from the future, and its TSA
// chains to a TSA anchor at genTime. A token that fails any of these is reported and ignored — the leaf is
// then judged at the verification time, where (two years on) it has expired. Error codes stand for exit
// codes; the flags are test/cli/timestamp.test.ts.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, tempDir } from '../../support/helpers.js';
import { buildPkiInProcess, failure, signWith } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';
import type { Pki } from '../../support/pki-fixture.js';
import { mldsaTsa, type TestTsa } from '../../support/tsa-fixture.js';
import { mldsaCert, mldsaToken, mldsaTsaPki, TSA_NAME, TSA_ROOT_NAME, type TokenOptions } from '../../support/mldsa-tsa.js';
import { DAY, firstSigner, LATER } from '../../support/tsa-steps.js';
import { digestByName } from '../../../src/cms/digests.js';
import { addTimestamps } from '../../../src/pipeline/timestamp.js';
import { KP } from '../../../src/pki/oids.js';
import { verify } from '../../../lib/verify.js';

describe('ML-DSA time-stamp tokens', async () => {
  const dir = tempDir('pqsign-tsa-mldsa-unit-');
  const artifact = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, artifact);
  // before the tokens' genTime below (the leaf's notBefore is the second it is issued)
  const pki: Pki = await buildPkiInProcess(dir);
  const tsa: TestTsa = await mldsaTsa(join(dir, 'tsa'));
  afterAll(() => tsa.close());
  /** `pqsign sign ARTIFACT --format cms --key LEAF --cert LEAF --chain INTER --out OUT [--tsa URL]` */
  const sign = (out: string, tsaUrl?: string) =>
    signWith(artifact, pki.leafKey, {
      format: 'cms',
      out,
      options: { cert: pki.leaf, chain: [pki.inter], ...(tsaUrl ? { tsa: tsaUrl } : {}) },
    });
  /** `pqsign verify ARTIFACT --sig SIG --trust-anchor ROOT [--tsa-anchor A] [--at AT]` */
  const check = (sig: string, o: { anchor?: string; at?: string } = {}) =>
    verify({
      input: artifact,
      signature: sig,
      trustAnchors: [pki.root],
      tsaAnchors: o.anchor ? [o.anchor] : undefined,
      options: { cms: o.at ? { at: o.at } : {} },
    });

  it('sign with an ML-DSA TSA; two years later the signature verifies at its genTime', async () => {
    const out = join(dir, 'signed.p7s');
    await sign(out, tsa.url);
    const signer = firstSigner(await check(out, { anchor: tsa.root, at: LATER }));
    expect(signer.validationTime).toMatchObject({ source: 'timestamp', reason: expect.stringContaining(TSA_NAME) });
    expect(signer.timestamps).toEqual([expect.objectContaining({ trusted: true, algorithm: 'ML-DSA-65', tsa: TSA_NAME })]);
    expect(exitOfCode((await failure(check(out, { at: LATER }))).code)).toBe(1);
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
      await sign(out);
      await addTimestamps(out, out, async (signature) => ({ der: attack.token(signature), genTime: now, tsa: 'test' }));
      const anchor = join(dir, attack.root ?? 'good-root.pem');
      if (i === 0) {
        await check(out, { anchor, at: LATER });
        return;
      }
      const later = await failure(check(out, { anchor, at: LATER }));
      expect(exitOfCode(later.code)).toBe(1);
      expect(later.message).toMatch(/expired/);
      // now the leaf is valid: the signature verifies, and says why the token does not count
      const signer = firstSigner(await check(out, { anchor }));
      expect(signer.validationTime).toMatchObject({ source: 'now', reason: expect.stringMatching(/^no time-stamp token is trusted;/) });
      expect(signer.timestamps).toEqual([expect.objectContaining({ trusted: false, error: expect.stringMatching(attack.error) })]);
    });
  }

  it('a valid token without a TSA anchor is reported, not trusted', async () => {
    const out = join(dir, 'attack-0.p7s');
    expect(firstSigner(await check(out)).timestamps![0]).toMatchObject({
      trusted: false,
      error: expect.stringMatching(/no TSA anchor was given/),
    });
    expect(exitOfCode((await failure(check(out, { at: LATER }))).code)).toBe(1);
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
