// RFC 3161 time-stamps (RFC 5816) on CMS signatures, against a real TSA: OpenSSL 3.5's `ts -reply`
// (ECDSA P-256 and RSA-2048 TSA keys) behind a loopback HTTP handler (test/tsa-fixture.ts). Tokens pqsign
// adds must pass `openssl35 ts -verify` against the TSA root, and `openssl35 cms -verify` must still accept
// the signed file. The release story: a code-signing leaf valid for a year signs and time-stamps; two years
// later (--at) the signature still verifies with the TSA's root, and only with it — the signer's own
// signingTime is not trusted unless the policy says so.
import { readFileSync, writeFileSync, copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { buildPki } from '../support/pki-fixture.js';
import { openssl, opensslMissing, opensslTsa, type TestTsa } from '../support/tsa-fixture.js';
import { readCms } from '../../src/cms/reader.js';
import { parseSignerInfo } from '../../src/cms/signer-info.js';

const missing = HAVE_SHARED ? opensslMissing() : NO_SHARED;
if (missing) console.warn(`SKIP RFC 3161 tests against OpenSSL: ${missing}`);

const DAY = 86_400_000;
const iso = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString();
/** two years from now: the one-year leaf has expired */
const LATER = iso(new Date(Date.now() + 730 * DAY));

/** The first SignerInfo's signature value and time-stamp tokens. */
async function signerInfoOf(p7s: string) {
  const cms = await readCms(p7s);
  return parseSignerInfo(cms.signerInfos[0]!, 'SignerInfo #1');
}

const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe.skipIf(!!missing)(`RFC 3161 time-stamps from OpenSSL 3.5's TSA ${missing ?? ''}`, async () => {
  if (missing) return;
  const dir = tempDir('pqsign-tsa-');
  const pki = buildPki(dir);
  const ec = await opensslTsa(join(dir, 'ec-tsa'), 'ec');
  const rsa = await opensslTsa(join(dir, 'rsa-tsa'), 'rsa');
  afterAll(async () => {
    await ec.close();
    await rsa.close();
  });
  const artifact = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, artifact);
  const signArgs = ['--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter];
  const sign = (out: string, ...extra: string[]) => pqsignAsync(['sign', artifact, ...signArgs, '--out', out, ...extra]);
  const verify = (sig: string, ...extra: string[]) =>
    pqsignAsync(['verify', artifact, '--sig', sig, '--trust-anchor', pki.root, '--json', ...extra]);

  /** `openssl35 ts -verify` of the token over the SignerInfo's signature value, against the TSA root */
  async function opensslTsVerify(p7s: string, tsa: TestTsa, index = 0): Promise<string> {
    const info = await signerInfoOf(p7s);
    const token = join(dir, `token-${Date.now()}-${index}.der`);
    const data = join(dir, `sigvalue-${Date.now()}-${index}.bin`);
    writeFileSync(token, info.timeStampTokens[index]!);
    writeFileSync(data, info.signature);
    return openssl(['ts', '-verify', '-data', data, '-in', token, '-token_in', '-CAfile', tsa.root]);
  }
  const opensslCmsVerify = (p7s: string, content: string | undefined, inform = 'DER') =>
    openssl([
      'cms',
      '-verify',
      '-binary',
      '-inform',
      inform,
      '-in',
      p7s,
      ...(content ? ['-content', content] : []),
      '-CAfile',
      pki.root,
      '-purpose',
      'any',
      '-out',
      join(dir, 'cms-out.bin'),
    ]);

  for (const [name, tsa] of [
    ['ECDSA P-256', () => ec],
    ['RSA-2048', () => rsa],
  ] as const) {
    it(`sign --tsa (${name} TSA): one request, a token OpenSSL verifies, and the CMS still verifies in OpenSSL`, async () => {
      const t = tsa();
      const out = join(dir, `signed-${t === ec ? 'ec' : 'rsa'}.p7s`);
      const before = t.served;
      const s = await sign(out, '--tsa', t.url, '--json');
      expect(s.code, s.stderr).toBe(0);
      expect(t.served).toBe(before + 1);
      expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1);
      expect(await opensslTsVerify(out, t)).toMatch(/Verification: OK/);
      expect(opensslCmsVerify(out, artifact)).toMatch(/Verification successful/);

      const v = await verify(out, '--tsa-anchor', t.root);
      expect(v.code, v.stderr).toBe(0);
      const signer = json(v.stdout).signers[0];
      expect(signer.validationTime).toMatchObject({ source: 'timestamp' });
      expect(signer.timestamps).toEqual([
        expect.objectContaining({ trusted: true, digest: 'sha512', algorithm: t === ec ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption' }),
      ]);
    });
  }

  it('two years later the leaf has expired: the signature verifies at the time-stamp, and only with the TSA root', async () => {
    const out = join(dir, 'signed-ec.p7s');
    const v = await verify(out, '--tsa-anchor', ec.root, '--at', LATER);
    expect(v.code, v.stderr).toBe(0);
    const signer = json(v.stdout).signers[0];
    expect(signer.validationTime.source).toBe('timestamp');
    expect(new Date(signer.validationTime.time).getTime()).toBeLessThan(Date.now() + 60_000);

    const without = await verify(out, '--at', LATER);
    expect(without.code).toBe(1);
    expect(json(without.stdout).error).toMatchObject({ code: 'ERR_CHAIN' });
    expect(json(without.stdout).error.message).toMatch(/expired.*validated at .*at: no time-stamp token is trusted/);

    // the RSA TSA's root does not vouch for the ECDSA TSA's token
    const wrong = await verify(out, '--tsa-anchor', rsa.root, '--at', LATER);
    expect(wrong.code).toBe(1);
    const now = await verify(out, '--tsa-anchor', rsa.root);
    expect(now.code, now.stderr).toBe(0);
    expect(json(now.stdout).signers[0].timestamps[0]).toMatchObject({
      trusted: false,
      error: expect.stringMatching(/issuer|trust anchor/),
    });
    expect(json(now.stdout).signers[0].validationTime.source).toBe('now');
  });

  it('a backdated --signing-time does not rescue an expired leaf unless --trust-signing-time', async () => {
    const out = join(dir, 'backdated.p7s');
    const s = await sign(out, '--signing-time', iso(new Date()));
    expect(s.code, s.stderr).toBe(0);
    const v = await verify(out, '--at', LATER);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/signingTime attribute is not trusted without --trust-signing-time/);
    const trusted = await verify(out, '--at', LATER, '--trust-signing-time');
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(json(trusted.stdout).signers[0].validationTime).toMatchObject({ source: 'signingTime' });
  });

  it('pqsign timestamp adds a token in place; re-timestamping adds a second one; nothing signed changes', async () => {
    const out = join(dir, 'later.p7s');
    expect((await sign(out)).code).toBe(0);
    const signedBefore = await signerInfoOf(out);
    const t = await pqsignAsync(['timestamp', out, '--tsa', ec.url, '--json']);
    expect(t.code, t.stderr).toBe(0);
    expect(json(t.stdout)).toMatchObject({
      ok: true,
      output: out,
      signers: [{ index: 0, tokens: 1, tsa: 'CN=Test EC TSA,O=pqsign tests' }],
    });
    expect(await opensslTsVerify(out, ec)).toMatch(/Verification: OK/);
    expect(opensslCmsVerify(out, artifact)).toMatch(/Verification successful/);
    const after = await signerInfoOf(out);
    expect(after.signature).toEqual(signedBefore.signature);
    expect(after.signedAttributesDer).toEqual(signedBefore.signedAttributesDer);
    const facts = JSON.parse(pqsign(['inspect', out, '--json']).stdout);
    expect(facts.signerInfos[0].timeStampTokens).toEqual([
      expect.objectContaining({ tsa: 'CN=Test EC TSA,O=pqsign tests', digest: 'sha512', algorithm: 'ecdsa-with-SHA256' }),
    ]);

    const again = join(dir, 'later-2.p7s');
    const r = await pqsignAsync(['timestamp', out, '--tsa', rsa.url, '--tsa-digest', 'sha384', '--out', again]);
    expect(r.code, r.stderr).toBe(0);
    expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1); // --out leaves FILE alone
    expect((await signerInfoOf(again)).timeStampTokens).toHaveLength(2);
    expect(await opensslTsVerify(again, rsa, 1)).toMatch(/Verification: OK/);
    expect(opensslCmsVerify(again, artifact)).toMatch(/Verification successful/);
    const v = await verify(again, '--tsa-anchor', rsa.root, '--at', LATER);
    expect(v.code, v.stderr).toBe(0);
    const stamps = json(v.stdout).signers[0].timestamps;
    expect(stamps.map((x: { trusted: boolean }) => x.trusted).sort()).toEqual([false, true]);
    expect(stamps.find((x: { trusted: boolean }) => x.trusted).digest).toBe('sha384');

    const refused = await pqsignAsync(['timestamp', out, '--tsa', rsa.url, '--out', again]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists/);
  });

  it('PEM and attached signatures are time-stamped too, at signing or later', async () => {
    const pem = join(dir, 'pem.p7s');
    expect((await sign(pem, '--pem')).code).toBe(0);
    expect((await pqsignAsync(['timestamp', pem, '--tsa', ec.url])).code).toBe(0);
    expect(readFileSync(pem, 'latin1')).toMatch(/^-----BEGIN CMS-----/);
    expect((await verify(pem, '--tsa-anchor', ec.root, '--at', LATER)).code).toBe(0);
    expect(opensslCmsVerify(pem, artifact, 'PEM')).toMatch(/Verification successful/);

    const attached = join(dir, 'attached.p7s');
    expect((await sign(attached, '--attached', '--tsa', ec.url)).code).toBe(0);
    const v = await pqsignAsync(['verify', attached, '--trust-anchor', pki.root, '--tsa-anchor', ec.root, '--at', LATER]);
    expect(v.code, v.stderr).toBe(0);
    expect(opensslCmsVerify(attached, undefined)).toMatch(/Verification successful/);
    expect(readFileSync(join(dir, 'cms-out.bin'))).toEqual(readFileSync(artifact));
    expect((await pqsignAsync(['timestamp', attached, '--tsa', rsa.url])).code).toBe(0);
    expect(opensslCmsVerify(attached, undefined)).toMatch(/Verification successful/);
    expect((await pqsignAsync(['verify', attached, '--trust-anchor', pki.root, '--tsa-anchor', rsa.root, '--at', LATER])).code).toBe(0);
  });

  it('attached: when the token pushes the CMS past 64 KiB its DER lengths grow a byte, and the content written in the signing pass moves up', async () => {
    // size the content so that the CMS without a token is just under 65536 bytes
    const probe = join(dir, 'probe.bin');
    writeFileSync(probe, Buffer.alloc(1000, 7));
    expect(pqsign(['sign', probe, ...signArgs, '--attached', '--out', join(dir, 'probe.p7s')]).code).toBe(0);
    const overhead = statSync(join(dir, 'probe.p7s')).size - 1000;
    const edge = join(dir, 'edge.bin');
    writeFileSync(edge, Buffer.from(Array.from({ length: 65_535 - overhead - 20 }, (_, i) => i % 251)));
    const plain = join(dir, 'edge-plain.p7s');
    expect(pqsign(['sign', edge, ...signArgs, '--attached', '--out', plain]).code).toBe(0);
    expect(readFileSync(plain)[1]).toBe(0x82);
    for (const how of ['sign', 'timestamp'] as const) {
      const out = join(dir, `edge-${how}.p7s`);
      if (how === 'sign')
        expect((await pqsignAsync(['sign', edge, ...signArgs, '--attached', '--tsa', ec.url, '--out', out])).code).toBe(0);
      else {
        copyFileSync(plain, out);
        expect((await pqsignAsync(['timestamp', out, '--tsa', ec.url])).code).toBe(0);
      }
      expect(readFileSync(out)[1], how).toBe(0x83);
      expect(opensslCmsVerify(out, undefined)).toMatch(/Verification successful/);
      expect(readFileSync(join(dir, 'cms-out.bin'))).toEqual(readFileSync(edge));
      const v = await pqsignAsync(['verify', out, '--trust-anchor', pki.root, '--tsa-anchor', ec.root, '--at', LATER]);
      expect(v.code, `${how}: ${v.stderr}`).toBe(0);
    }
  });

  it('a UEFI image with the pkcs7 CertType is time-stamped while it is signed', async () => {
    const out = join(dir, 'fw.signed');
    const s = await pqsignAsync([
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--monotonic-count',
      '3',
      '--key',
      pki.leafKey,
      '--cert',
      pki.leaf,
      '--chain',
      pki.inter,
      '--tsa',
      ec.url,
      '--out',
      out,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const v = await pqsignAsync(['verify', out, '--trust-anchor', pki.root, '--tsa-anchor', ec.root, '--at', LATER, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(json(v.stdout).signers[0].validationTime.source).toBe('timestamp');
    const stripped = join(dir, 'fw.payload');
    expect(pqsign(['strip', out, '--out', stripped]).code).toBe(0);
    expect(readFileSync(stripped)).toEqual(readFileSync(FIRMWARE));
    const mldsa = await pqsignAsync([
      'sign',
      FIRMWARE,
      '--format',
      'uefi',
      '--monotonic-count',
      '3',
      '--key',
      pki.leafKey,
      '--tsa',
      ec.url,
      '--out',
      join(dir, 'fw2.signed'),
    ]);
    expect(mldsa.code).toBe(2);
    expect(mldsa.stderr).toMatch(/mldsa CertType has no room for a time-stamp token/);
  });

  it('offline ceremony: attach --tsa time-stamps the returned signature', async () => {
    const req = join(dir, 'ceremony.tbs.json');
    expect(
      pqsign(['tbs', artifact, '--format', 'cms', '--key', pki.leaf, '--cert', pki.leaf, '--chain', pki.inter, '--out', req]).code,
    ).toBe(0);
    const sig = join(dir, 'ceremony.sig');
    expect(pqsign(['sign-request', req, '--key', pki.leafKey, '--out', sig]).code).toBe(0);
    const out = join(dir, 'ceremony.p7s');
    const a = await pqsignAsync(['attach', artifact, '--request', req, '--signature', sig, '--tsa', rsa.url, '--out', out]);
    expect(a.code, a.stderr).toBe(0);
    expect(await opensslTsVerify(out, rsa)).toMatch(/Verification: OK/);
    expect((await verify(out, '--tsa-anchor', rsa.root, '--at', LATER)).code).toBe(0);
    const tbs = pqsign(['tbs', artifact, '--format', 'cms', '--key', pki.leaf, '--tsa', rsa.url, '--out', join(dir, 'x.json')]);
    expect(tbs.code).toBe(2);
    expect(tbs.stderr).toMatch(/--tsa goes to `pqsign attach`/);
  });

  describe('the signer checks what the TSA answers; nothing is written when it does not hold', () => {
    const cases: Array<[string, TestTsa['mode'], RegExp]> = [
      ['a token with another nonce (replayed or foreign)', 'other-nonce', /does not carry the request's nonce/],
      ['a token over another hash', 'other-imprint', /time-stamps another hash/],
      ['an HTTP error', 'http-error', /answered HTTP 500/],
      ['an answer that is not a TimeStampResp', 'garbage', /not a TimeStampResp/],
    ];
    for (const [what, mode, message] of cases) {
      it(what, async () => {
        const out = join(dir, `bad-${mode}.p7s`);
        ec.mode = mode;
        try {
          const s = await sign(out, '--tsa', ec.url);
          expect(s.code, s.stderr).toBe(3);
          expect(s.stderr).toMatch(message);
          expect(() => statSync(out)).toThrow();
        } finally {
          ec.mode = 'ok';
        }
      });
    }

    it("a refusal names the TSA's reason (OpenSSL's TSA does not take SHA3-512 here: badAlg)", async () => {
      const s = await sign(join(dir, 'bad-alg.p7s'), '--tsa', ec.url, '--tsa-digest', 'sha3-512');
      expect(s.code).toBe(3);
      expect(s.stderr).toMatch(/refused the request: rejection.*badAlg/);
    });

    it('an unreachable TSA, a URL that is not http(s), --tsa with a format without a SignerInfo', async () => {
      const closed = await opensslTsaClosedUrl();
      const s = await sign(join(dir, 'bad-conn.p7s'), '--tsa', closed);
      expect(s.code).toBe(3);
      expect(s.stderr).toMatch(/cannot be reached/);
      expect((await sign(join(dir, 'bad-url.p7s'), '--tsa', 'ftp://tsa.example/')).code).toBe(2);
      const raw = pqsign(['sign', artifact, '--key', pki.leafKey, '--tsa', ec.url, '--out', join(dir, 'x.sig')]);
      expect(raw.code).toBe(2);
      expect(raw.stderr).toMatch(/--tsa time-stamps CMS signatures/);
      const ts = pqsign(['timestamp', artifact, '--tsa', ec.url]);
      expect(ts.code).toBe(2);
    });
  });
});

/** A loopback URL nothing listens on. */
async function opensslTsaClosedUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/tsa`;
}
