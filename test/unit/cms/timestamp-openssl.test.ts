// RFC 3161 time-stamps (RFC 5816) on CMS signatures in this process, against a real TSA: OpenSSL 3.5's
// `ts -reply` (ECDSA P-256 and RSA-2048 TSA keys) behind a loopback HTTP handler (test/support/tsa-fixture.ts).
// Tokens the cms format adds at signing, or addTimestamps adds later, must pass `openssl35 ts -verify`
// against the TSA root, and `openssl35 cms -verify` must still accept the signed file. The release story:
// a code-signing leaf valid for a year signs and time-stamps; two years later (`at`) the signature still
// verifies with the TSA's root, and only with it — the signer's own signingTime is not trusted unless asked.
// The signer checks what the TSA answers (ERR_TSA, nothing written). The flags, exit codes and the
// `timestamp` command's surface are test/cli/timestamp.test.ts.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, tempDir } from '../../support/helpers.js';
import { buildPkiInProcess, failure, inspectFile, signWith, stripFile } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';
import type { Pki } from '../../support/pki-fixture.js';
import { openssl, opensslMissing, opensslTsa, type TestTsa } from '../../support/tsa-fixture.js';
import { closedUrl, firstSigner, iso, LATER, signerInfoOf } from '../../support/tsa-steps.js';
import { addTimestamps, tokenFromTsa } from '../../../src/pipeline/timestamp.js';
import { verify } from '../../../lib/verify.js';
import type { FormatOptions } from '../../../src/pipeline/format.js';

const missing = HAVE_SHARED ? opensslMissing() : NO_SHARED;
if (missing) console.warn(`SKIP RFC 3161 tests against OpenSSL: ${missing}`);

describe.skipIf(!!missing)(`RFC 3161 time-stamps from OpenSSL 3.5's TSA ${missing ?? ''}`, () => {
  const dir = tempDir('pqsign-tsa-unit-');
  const artifact = join(dir, 'firmware.bin');
  let pki: Pki;
  let ec: TestTsa;
  let rsa: TestTsa;
  beforeAll(async () => {
    pki = await buildPkiInProcess(dir);
    ec = await opensslTsa(join(dir, 'ec-tsa'), 'ec');
    rsa = await opensslTsa(join(dir, 'rsa-tsa'), 'rsa');
    copyFileSync(FIRMWARE, artifact);
  });
  afterAll(async () => {
    await ec?.close();
    await rsa?.close();
  });

  /** `pqsign sign FILE --format cms --key LEAF --cert LEAF --chain INTER --out OUT [cms options]` */
  const sign = (out: string, options: FormatOptions = {}, file = artifact) =>
    signWith(file, pki.leafKey, { format: 'cms', out, options: { cert: pki.leaf, chain: [pki.inter], ...options } });
  /** `pqsign verify ARTIFACT --sig SIG --trust-anchor ROOT [--tsa-anchor T] [--at AT] [--trust-signing-time]` (attached: SIG alone) */
  const check = (sig: string, o: { tsa?: TestTsa; at?: string; trustSigningTime?: boolean; attached?: boolean } = {}) =>
    verify({
      input: o.attached ? sig : artifact,
      signature: o.attached ? undefined : sig,
      trustAnchors: [pki.root],
      tsaAnchors: o.tsa ? [o.tsa.root] : undefined,
      trustSigningTime: o.trustSigningTime,
      options: { cms: o.at ? { at: o.at } : {} },
    });
  /** `pqsign timestamp FILE --tsa URL [--tsa-digest D] [--out OUT]` */
  const timestamp = (file: string, tsa: TestTsa, o: { digest?: string; out?: string } = {}) =>
    addTimestamps(file, o.out ?? file, tokenFromTsa({ url: tsa.url, digest: o.digest }));

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

  for (const name of ['ECDSA P-256', 'RSA-2048'] as const) {
    it(`sign with tsa (${name} TSA): one request, a token OpenSSL verifies, and the CMS still verifies in OpenSSL`, async () => {
      const t = name === 'ECDSA P-256' ? ec : rsa;
      const out = join(dir, `signed-${t === ec ? 'ec' : 'rsa'}.p7s`);
      const before = t.served;
      await sign(out, { tsa: t.url });
      expect(t.served).toBe(before + 1);
      expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1);
      expect(await opensslTsVerify(out, t)).toMatch(/Verification: OK/);
      expect(opensslCmsVerify(out, artifact)).toMatch(/Verification successful/);

      const signer = firstSigner(await check(out, { tsa: t }));
      expect(signer.validationTime).toMatchObject({ source: 'timestamp' });
      expect(signer.timestamps).toEqual([
        expect.objectContaining({ trusted: true, digest: 'sha512', algorithm: t === ec ? 'ecdsa-with-SHA256' : 'sha256WithRSAEncryption' }),
      ]);
    });
  }

  it('two years later the leaf has expired: the signature verifies at the time-stamp, and only with the TSA root', async () => {
    const out = join(dir, 'signed-ec.p7s');
    const signer = firstSigner(await check(out, { tsa: ec, at: LATER }));
    expect(signer.validationTime.source).toBe('timestamp');
    expect(new Date(signer.validationTime.time).getTime()).toBeLessThan(Date.now() + 60_000);

    const without = await failure(check(out, { at: LATER }));
    expect(without.code).toBe('ERR_CHAIN');
    expect(exitOfCode(without.code)).toBe(1);
    expect(without.message).toMatch(/expired.*validated at .*at: no time-stamp token is trusted/);

    // the RSA TSA's root does not vouch for the ECDSA TSA's token
    expect(exitOfCode((await failure(check(out, { tsa: rsa, at: LATER }))).code)).toBe(1);
    const now = firstSigner(await check(out, { tsa: rsa }));
    expect(now.timestamps![0]).toMatchObject({ trusted: false, error: expect.stringMatching(/issuer|trust anchor/) });
    expect(now.validationTime.source).toBe('now');
  });

  it('a backdated signingTime does not rescue an expired leaf unless trustSigningTime', async () => {
    const out = join(dir, 'backdated.p7s');
    await sign(out, { signingTime: iso(new Date()) });
    const f = await failure(check(out, { at: LATER }));
    expect(exitOfCode(f.code)).toBe(1);
    expect(f.message).toMatch(/signingTime attribute is not trusted without `trustSigningTime`/);
    expect(firstSigner(await check(out, { at: LATER, trustSigningTime: true })).validationTime).toMatchObject({ source: 'signingTime' });
  });

  it('addTimestamps adds a token in place; re-timestamping adds a second one; nothing signed changes', async () => {
    const out = join(dir, 'later.p7s');
    await sign(out);
    const signedBefore = await signerInfoOf(out);
    const r = await timestamp(out, ec);
    expect(r).toMatchObject({ output: out, signers: [{ index: 0, tokens: 1, tsa: 'CN=Test EC TSA,O=pqsign tests' }] });
    expect(await opensslTsVerify(out, ec)).toMatch(/Verification: OK/);
    expect(opensslCmsVerify(out, artifact)).toMatch(/Verification successful/);
    const after = await signerInfoOf(out);
    expect(after.signature).toEqual(signedBefore.signature);
    expect(after.signedAttributesDer).toEqual(signedBefore.signedAttributesDer);
    const facts = (await inspectFile(out)) as { signerInfos: Array<{ timeStampTokens: unknown[] }> };
    expect(facts.signerInfos[0]!.timeStampTokens).toEqual([
      expect.objectContaining({ tsa: 'CN=Test EC TSA,O=pqsign tests', digest: 'sha512', algorithm: 'ecdsa-with-SHA256' }),
    ]);

    const again = join(dir, 'later-2.p7s');
    await timestamp(out, rsa, { digest: 'sha384', out: again });
    expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1); // another output leaves FILE alone
    expect((await signerInfoOf(again)).timeStampTokens).toHaveLength(2);
    expect(await opensslTsVerify(again, rsa, 1)).toMatch(/Verification: OK/);
    expect(opensslCmsVerify(again, artifact)).toMatch(/Verification successful/);
    const stamps = firstSigner(await check(again, { tsa: rsa, at: LATER })).timestamps!;
    expect(stamps.map((x) => x.trusted).sort()).toEqual([false, true]);
    expect(stamps.find((x) => x.trusted)!.digest).toBe('sha384');
  });

  it('PEM and attached signatures are time-stamped too, at signing or later', async () => {
    const pem = join(dir, 'pem.p7s');
    await sign(pem, { pem: true });
    await timestamp(pem, ec);
    expect(readFileSync(pem, 'latin1')).toMatch(/^-----BEGIN CMS-----/);
    await check(pem, { tsa: ec, at: LATER });
    expect(opensslCmsVerify(pem, artifact, 'PEM')).toMatch(/Verification successful/);

    const attached = join(dir, 'attached.p7s');
    await sign(attached, { attached: true, tsa: ec.url });
    await check(attached, { attached: true, tsa: ec, at: LATER });
    expect(opensslCmsVerify(attached, undefined)).toMatch(/Verification successful/);
    expect(readFileSync(join(dir, 'cms-out.bin'))).toEqual(readFileSync(artifact));
    await timestamp(attached, rsa);
    expect(opensslCmsVerify(attached, undefined)).toMatch(/Verification successful/);
    await check(attached, { attached: true, tsa: rsa, at: LATER });
  });

  it('attached: when the token pushes the CMS past 64 KiB its DER lengths grow a byte, and the content written in the signing pass moves up', async () => {
    // size the content so that the CMS without a token is just under 65536 bytes
    const probe = join(dir, 'probe.bin');
    writeFileSync(probe, Buffer.alloc(1000, 7));
    await sign(join(dir, 'probe.p7s'), { attached: true }, probe);
    const overhead = statSync(join(dir, 'probe.p7s')).size - 1000;
    const edge = join(dir, 'edge.bin');
    writeFileSync(edge, Buffer.from(Array.from({ length: 65_535 - overhead - 20 }, (_, i) => i % 251)));
    const plain = join(dir, 'edge-plain.p7s');
    await sign(plain, { attached: true }, edge);
    expect(readFileSync(plain)[1]).toBe(0x82);
    for (const how of ['sign', 'timestamp'] as const) {
      const out = join(dir, `edge-${how}.p7s`);
      if (how === 'sign') await sign(out, { attached: true, tsa: ec.url }, edge);
      else {
        copyFileSync(plain, out);
        await timestamp(out, ec);
      }
      expect(readFileSync(out)[1], how).toBe(0x83);
      expect(opensslCmsVerify(out, undefined)).toMatch(/Verification successful/);
      expect(readFileSync(join(dir, 'cms-out.bin'))).toEqual(readFileSync(edge));
      await check(out, { attached: true, tsa: ec, at: LATER });
    }
  });

  it('a UEFI image with the pkcs7 CertType is time-stamped while it is signed', async () => {
    const out = join(dir, 'fw.signed');
    const uefi = { monotonicCount: '3', tsa: ec.url };
    await signWith(FIRMWARE, pki.leafKey, { format: 'uefi', out, options: { ...uefi, cert: pki.leaf, chain: [pki.inter] } });
    const v = await verify({ input: out, trustAnchors: [pki.root], tsaAnchors: [ec.root], options: { uefi: { at: LATER } } });
    expect(firstSigner(v).validationTime.source).toBe('timestamp');
    const stripped = join(dir, 'fw.payload');
    await stripFile(out, stripped);
    expect(readFileSync(stripped)).toEqual(readFileSync(FIRMWARE));
    const mldsa = await failure(signWith(FIRMWARE, pki.leafKey, { format: 'uefi', out: join(dir, 'fw2.signed'), options: uefi }));
    expect(exitOfCode(mldsa.code)).toBe(2);
    expect(mldsa.message).toMatch(/mldsa CertType has no room for a time-stamp token/);
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
          const f = await failure(sign(out, { tsa: ec.url }));
          expect(f.code).toBe('ERR_TSA');
          expect(exitOfCode(f.code)).toBe(3);
          expect(f.message).toMatch(message);
          expect(() => statSync(out)).toThrow();
        } finally {
          ec.mode = 'ok';
        }
      });
    }

    it("a refusal names the TSA's reason (OpenSSL's TSA does not take SHA3-512 here: badAlg)", async () => {
      const f = await failure(sign(join(dir, 'bad-alg.p7s'), { tsa: ec.url, tsaDigest: 'sha3-512' }));
      expect(exitOfCode(f.code)).toBe(3);
      expect(f.message).toMatch(/refused the request: rejection.*badAlg/);
    });

    it('a connection dropped without an answer is tried once more (a reused keep-alive socket the TSA was closing)', async () => {
      const out = join(dir, 'reset-once.p7s');
      const before = ec.served;
      ec.mode = 'reset-once';
      await sign(out, { tsa: ec.url });
      expect(ec.served - before).toBe(2);
      expect(firstSigner(await check(out, { tsa: ec, at: LATER })).validationTime.source).toBe('timestamp');
    });

    it('a TSA that drops every connection: ERR_TSA after the second try, nothing written', async () => {
      const out = join(dir, 'reset.p7s');
      const before = ec.served;
      ec.mode = 'reset';
      try {
        const f = await failure(sign(out, { tsa: ec.url }));
        expect(f.code).toBe('ERR_TSA');
        expect(f.message).toMatch(/cannot be reached/);
        expect(ec.served - before).toBe(2);
        expect(() => statSync(out)).toThrow();
      } finally {
        ec.mode = 'ok';
      }
    });

    it('an unreachable TSA (ERR_TSA), a URL that is not http(s) (ERR_USAGE)', async () => {
      const f = await failure(sign(join(dir, 'bad-conn.p7s'), { tsa: await closedUrl() }));
      expect(exitOfCode(f.code)).toBe(3);
      expect(f.message).toMatch(/cannot be reached/);
      const url = await failure(sign(join(dir, 'bad-url.p7s'), { tsa: 'ftp://tsa.example/' }));
      expect(exitOfCode(url.code)).toBe(2);
      expect(() => statSync(join(dir, 'bad-url.p7s'))).toThrow();
    });
  });
});
