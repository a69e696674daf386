// RFC 3161 time-stamps through the command line, against a real TSA (OpenSSL 3.5's `ts -reply`, ECDSA P-256,
// test/support/tsa-fixture.ts): each flag reaches the library (sign --tsa, verify --tsa-anchor / --at /
// --trust-signing-time, timestamp --tsa-digest / --out, attach --tsa), the exit codes, the one-line
// messages in flag terms, --json output, and the refusals only the CLI makes (an existing --out, a file
// that is not CMS, --tsa with a format without a SignerInfo, tbs --tsa). What the tokens are and which
// ones are trusted is test/unit/cms/timestamp-openssl.test.ts and timestamp-mldsa.test.ts.
import { copyFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, pqsign, pqsignAsync, tempDir } from '../support/helpers.js';
import { buildPkiInProcess, inspectFile, signWith } from '../support/inproc.js';
import { openssl, opensslMissing, opensslTsa } from '../support/tsa-fixture.js';
import { firstSigner, iso, LATER, signerInfoOf } from '../support/tsa-steps.js';
import { verify as libVerify } from '../../lib/verify.js';

const missing = HAVE_SHARED ? opensslMissing() : NO_SHARED;
if (missing) console.warn(`SKIP RFC 3161 tests against OpenSSL: ${missing}`);

const json = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe.skipIf(!!missing)(`RFC 3161 time-stamps through the CLI ${missing ?? ''}`, async () => {
  if (missing) return;
  const dir = tempDir('pqsign-tsa-');
  const pki = await buildPkiInProcess(dir);
  const ec = await opensslTsa(join(dir, 'ec-tsa'), 'ec');
  afterAll(() => ec.close());
  const artifact = join(dir, 'firmware.bin');
  copyFileSync(FIRMWARE, artifact);
  const signArgs = ['--format', 'cms', '--key', pki.leafKey, '--cert', pki.leaf, '--chain', pki.inter];
  const sign = (out: string, ...extra: string[]) => pqsignAsync(['sign', artifact, ...signArgs, '--out', out, ...extra]);
  /** set-up: a CMS signature made in this process */
  const signed = (out: string, options: Record<string, unknown> = {}) =>
    signWith(artifact, pki.leafKey, { format: 'cms', out, options: { cert: pki.leaf, chain: [pki.inter], ...options } });
  const verify = (sig: string, ...extra: string[]) =>
    pqsignAsync(['verify', artifact, '--sig', sig, '--trust-anchor', pki.root, '--json', ...extra]);

  it('sign --tsa asks the TSA once; verify --tsa-anchor --at validates at the token, without --tsa-anchor the expired leaf fails', async () => {
    const out = join(dir, 'signed.p7s');
    const before = ec.served;
    const s = await sign(out, '--tsa', ec.url, '--json');
    expect(s.code, s.stderr).toBe(0);
    expect(ec.served).toBe(before + 1);
    expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1);

    const v = await verify(out, '--tsa-anchor', ec.root, '--at', LATER);
    expect(v.code, v.stderr).toBe(0);
    const signer = json(v.stdout).signers[0];
    expect(signer.validationTime).toMatchObject({ source: 'timestamp' });
    expect(signer.timestamps).toEqual([expect.objectContaining({ trusted: true, digest: 'sha512', algorithm: 'ecdsa-with-SHA256' })]);

    const without = await verify(out, '--at', LATER);
    expect(without.code).toBe(1);
    expect(json(without.stdout).error).toMatchObject({ code: 'ERR_CHAIN' });
    expect(json(without.stdout).error.message).toMatch(/expired.*validated at .*at: no time-stamp token is trusted/);
  });

  it('--trust-signing-time: a backdated signingTime counts only with it (the message names the flag)', async () => {
    const out = join(dir, 'backdated.p7s');
    await signed(out, { signingTime: iso(new Date()) });
    const v = await verify(out, '--at', LATER);
    expect(v.code).toBe(1);
    expect(json(v.stdout).error.message).toMatch(/signingTime attribute is not trusted without --trust-signing-time/);
    const trusted = await verify(out, '--at', LATER, '--trust-signing-time');
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(json(trusted.stdout).signers[0].validationTime).toMatchObject({ source: 'signingTime' });
  });

  it('pqsign timestamp: in place with --json; --tsa-digest and --out write elsewhere; an existing --out and a non-CMS file are refused', async () => {
    const out = join(dir, 'later.p7s');
    await signed(out);
    const t = await pqsignAsync(['timestamp', out, '--tsa', ec.url, '--json']);
    expect(t.code, t.stderr).toBe(0);
    expect(json(t.stdout)).toMatchObject({
      ok: true,
      output: out,
      signers: [{ index: 0, tokens: 1, tsa: 'CN=Test EC TSA,O=pqsign tests' }],
    });

    const again = join(dir, 'later-2.p7s');
    const r = await pqsignAsync(['timestamp', out, '--tsa', ec.url, '--tsa-digest', 'sha384', '--out', again]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^time-stamped .*later\.p7s SignerInfo #1 at .* by "CN=Test EC TSA,O=pqsign tests" -> .*later-2\.p7s \(2 tokens\)\n$/,
    );
    expect((await signerInfoOf(out)).timeStampTokens).toHaveLength(1); // --out leaves FILE alone
    const facts = (await inspectFile(again)) as { signerInfos: Array<{ timeStampTokens: Array<{ digest: string }> }> };
    expect(facts.signerInfos[0]!.timeStampTokens.map((x) => x.digest).sort()).toEqual(['sha384', 'sha512']);

    const refused = await pqsignAsync(['timestamp', out, '--tsa', ec.url, '--out', again]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists/);
    const notCms = pqsign(['timestamp', artifact, '--tsa', ec.url]);
    expect(notCms.code).toBe(2);
    expect(notCms.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a TSA that answers wrongly is exit 3, one line naming the file, nothing written; a bad URL and a format without a SignerInfo are exit 2', async () => {
    const out = join(dir, 'bad-nonce.p7s');
    ec.mode = 'other-nonce';
    try {
      const s = await sign(out, '--tsa', ec.url);
      expect(s.code, s.stderr).toBe(3);
      expect(s.stderr).toMatch(/^pqsign: .*firmware\.bin: .*does not carry the request's nonce.*\n$/);
      expect(() => statSync(out)).toThrow();
    } finally {
      ec.mode = 'ok';
    }
    const url = await sign(join(dir, 'bad-url.p7s'), '--tsa', 'ftp://tsa.example/');
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/--tsa "ftp:\/\/tsa\.example\/" is not an http:\/\/ or https:\/\/ URL/);
    const raw = pqsign(['sign', artifact, '--key', pki.leafKey, '--tsa', ec.url, '--out', join(dir, 'x.sig')]);
    expect(raw.code).toBe(2);
    expect(raw.stderr).toMatch(/--tsa time-stamps CMS signatures/);
  });

  it('offline ceremony: attach --tsa time-stamps the returned signature; tbs refuses --tsa', async () => {
    const req = join(dir, 'ceremony.tbs.json');
    expect(
      pqsign(['tbs', artifact, '--format', 'cms', '--key', pki.leaf, '--cert', pki.leaf, '--chain', pki.inter, '--out', req]).code,
    ).toBe(0);
    const sig = join(dir, 'ceremony.sig');
    expect(pqsign(['sign-request', req, '--key', pki.leafKey, '--out', sig]).code).toBe(0);
    const out = join(dir, 'ceremony.p7s');
    const a = await pqsignAsync(['attach', artifact, '--request', req, '--signature', sig, '--tsa', ec.url, '--out', out]);
    expect(a.code, a.stderr).toBe(0);
    // the token, checked by OpenSSL over the SignerInfo's signature value
    const info = await signerInfoOf(out);
    writeFileSync(join(dir, 'ceremony.tsr'), info.timeStampTokens[0]!);
    writeFileSync(join(dir, 'ceremony.sigvalue'), info.signature);
    expect(
      openssl([
        'ts',
        '-verify',
        '-data',
        join(dir, 'ceremony.sigvalue'),
        '-in',
        join(dir, 'ceremony.tsr'),
        '-token_in',
        '-CAfile',
        ec.root,
      ]),
    ).toMatch(/Verification: OK/);
    const v = await libVerify({
      input: artifact,
      signature: out,
      trustAnchors: [pki.root],
      tsaAnchors: [ec.root],
      options: { cms: { at: LATER } },
    });
    expect(firstSigner(v).validationTime.source).toBe('timestamp');
    const tbs = pqsign(['tbs', artifact, '--format', 'cms', '--key', pki.leaf, '--tsa', ec.url, '--out', join(dir, 'x.json')]);
    expect(tbs.code).toBe(2);
    expect(tbs.stderr).toMatch(/--tsa goes to `pqsign attach`/);
  });
});
