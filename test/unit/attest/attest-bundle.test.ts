// Attestations in this process (src/attest: attestFiles, verifyAttestation — what `pqsign attest` and
// `pqsign verify-attestation` call): statements and SLSA provenance, subjects from trees and globs, envelopes
// checked by the three oracle implementations over the PAE bytes, an oracle-signed envelope accepted,
// refusals, tampering and renamed or changed artifacts rejected with the documented codes (exit codes by
// README's table), bundles with several envelopes, any signer, and 10,000 subjects. The command line's part
// (flags, --json lines, messages, exit codes, the environment) is test/cli/attest.test.ts. Hashing runs in this
// thread (`jobs: 1`): the hash pool's worker entry exists only built, in dist/.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flipByte, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { keygenFiles, type KeyFiles } from '../../support/keygen.js';
import { bundleLines, GITHUB_RELEASE_ENV, statementOf, type EnvelopeJson } from '../../support/attest-steps.js';
import { attestFiles, readPredicateFile, type AttestOptions } from '../../../src/attest/attest.js';
import { verifyAttestation, type VerifyAttestationOptions } from '../../../src/attest/verify.js';
import { loadPublicKey, loadSigner } from '../../../src/pipeline/keyref.js';

const BUILDER = 'https://ci.example.com/builders/release';

const dir = tempDir('pqsign-attest-unit-');
const at = (...p: string[]) => join(dir, ...p);
const lines = (file: string) => bundleLines(at(file));
const writeLines = (file: string, envs: EnvelopeJson[]) => writeFileSync(at(file), envs.map((e) => JSON.stringify(e)).join('\n') + '\n');
const paeOf = (e: EnvelopeJson) => {
  const body = Buffer.from(e.payload, 'base64');
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(e.payloadType)} ${e.payloadType} ${body.length} `), body]);
};
const names = (st: { subject: Array<{ name: string }> }) => st.subject.map((s) => s.name);

const keys = {} as Record<'k65' | 'other' | 'k44' | 'k87', KeyFiles>;

/** `pqsign attest SUBJECT... --key KEY --out OUT [flags]` run in DIR (outside CI): subject names relative to DIR */
async function attest(subjects: string[], out: string, o: Partial<AttestOptions> & { key?: keyof typeof keys } = {}) {
  const { key = 'k65', ...opts } = o;
  const signer = await loadSigner(keys[key].key);
  try {
    return await attestFiles(
      subjects.map((s) => at(s)),
      signer,
      { baseDir: dir, env: {}, provenance: { builderId: BUILDER }, jobs: 1, ...opts, out: at(out) },
    );
  } finally {
    await signer.close?.();
  }
}
/** `pqsign verify-attestation FILE --key PUB [--subject S...] [flags]` run in DIR */
async function check(file: string, key: string | string[], o: Partial<VerifyAttestationOptions> = {}) {
  const refs = Array.isArray(key) ? key : [key];
  return verifyAttestation(at(file), {
    keys: await Promise.all(refs.map((r) => loadPublicKey(r))),
    baseDir: dir,
    jobs: 1,
    ...o,
    subjects: o.subjects?.map((s) => at(s)),
  });
}
/** the error a bundle as a whole fails with: the report's, or the one verifyAttestation throws */
async function bundleError(file: string, key: string, o: Partial<VerifyAttestationOptions> = {}) {
  try {
    const r = await check(file, key, o);
    if (!r.error) throw new Error('expected the bundle to fail');
    return r.error;
  } catch (e) {
    if (typeof (e as { code?: unknown }).code !== 'string') throw e;
    return e as { code: string; message: string };
  }
}

beforeAll(() => {
  for (const [name, alg] of [
    ['k65', 'ML-DSA-65'],
    ['other', 'ML-DSA-65'],
    ['k44', 'ML-DSA-44'],
    ['k87', 'ML-DSA-87'],
  ] as const)
    keys[name] = keygenFiles(dir, name, alg);
  mkdirSync(at('dist', 'fw'), { recursive: true });
  writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
  writeFileSync(at('dist', 'fw', 'boot.img'), Buffer.alloc(300_000, 7)); // more than one read chunk of small buffers
  writeFileSync(at('dist', 'fw', 'empty.bin'), '');
  writeFileSync(at('dist', '.build-info'), 'ref=v1\n');
});

describe('attest', () => {
  it('attests a directory tree: sorted names relative to the base directory, both digests, SLSA provenance', async () => {
    const r = await attest(['dist'], 'tree.intoto.jsonl', { recursive: true });
    expect(r).toMatchObject({ subjects: 4, algorithm: 'ML-DSA-65', predicateType: 'https://slsa.dev/provenance/v1' });
    const [env] = lines('tree.intoto.jsonl');
    expect(env!.payloadType).toBe('application/vnd.in-toto+json');
    expect(env!.signatures).toHaveLength(1);
    expect(env!.signatures[0]!.keyid).toBe(r.keyid);
    const st = statementOf(env!);
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(names(st)).toEqual(['dist/.build-info', 'dist/app.bin', 'dist/fw/boot.img', 'dist/fw/empty.bin']);
    const empty = st.subject[3].digest;
    expect(empty.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(empty.sha512).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
    expect(st.predicate.runDetails.builder.id).toBe(BUILDER);
    await attest(['dist/fw/boot.img'], 'base.intoto.jsonl', { baseDir: at('dist') });
    expect(statementOf(lines('base.intoto.jsonl')[0]!).subject[0].name).toBe('fw/boot.img');
  });

  it.skipIf(!HAVE_SHARED)(
    `key id is the SHA-256 fingerprint of the raw public key (as the oracle computes it)${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`,
    () => {
      const info = oracle(['--impl', 'openssl40', 'keyinfo', keys.k65.pub]);
      expect(info.ok, info.stdout + info.stderr).toBe(true);
      expect(info.stdout).toContain(lines('tree.intoto.jsonl')[0]!.signatures[0]!.keyid);
    },
  );

  it('expands glob patterns and leaves dot files to the pattern', async () => {
    await attest(['dist/**/*.bin'], 'glob.intoto.jsonl');
    expect(names(statementOf(lines('glob.intoto.jsonl')[0]!))).toEqual(['dist/app.bin', 'dist/fw/empty.bin']);
  });

  it('takes a custom predicate with its type', async () => {
    writeFileSync(at('scan.json'), JSON.stringify({ scanner: 'novulnz', critical: 0 }));
    const predicate = await readPredicateFile(at('scan.json'));
    await attest(['dist/app.bin'], 'scan.intoto.jsonl', { predicate, predicateType: 'https://example.com/VulnScan/v1', provenance: {} });
    const st = statementOf(lines('scan.intoto.jsonl')[0]!);
    expect(st.predicateType).toBe('https://example.com/VulnScan/v1');
    expect(st.predicate).toEqual({ scanner: 'novulnz', critical: 0 });
  });

  it('writes GitHub Actions provenance from the runner environment', async () => {
    const env = GITHUB_RELEASE_ENV;
    await attest(['dist/app.bin'], 'gh.intoto.jsonl', { env, provenance: {} });
    const p = statementOf(lines('gh.intoto.jsonl')[0]!).predicate;
    expect(p.buildDefinition.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(p.buildDefinition.externalParameters.workflow).toEqual({
      ref: 'refs/tags/v2.1.0',
      repository: 'https://github.com/acme/firmware',
      path: '.github/workflows/release.yml',
    });
    expect(p.buildDefinition.resolvedDependencies[0].digest.gitCommit).toBe(env.GITHUB_SHA);
    expect(p.buildDefinition.internalParameters.github.runner_environment).toBe('self-hosted');
    expect(p.runDetails.metadata.invocationId).toBe('https://github.com/acme/firmware/actions/runs/9000/attempts/2');
  });

  const scan = { predicate: { scanner: 'novulnz', critical: 0 } };
  it.each([
    ['a directory without recursive', ['dist'], {}, /is a directory/],
    ['a missing file', ['dist/nope.bin'], {}, /nope\.bin: no such file|no such file/],
    ['a pattern matching nothing', ['dist/*.exe'], {}, /no files match/],
    ['a file outside the base directory', ['dist/app.bin'], { baseDir: at('dist', 'fw') }, /outside the base directory/],
    ['no builderId outside CI', ['dist/app.bin'], { provenance: { builderId: '' } }, /`builderId`/],
    ['a predicate without its type', ['dist/app.bin'], { ...scan, provenance: {} }, /`predicateType`/],
    ['a non-SLSA type without a predicate', ['dist/app.bin'], { predicateType: 'https://example.com/x' }, /needs `predicate`/],
    ['an output in a missing directory', ['dist/app.bin'], { out: 'no/such/dir.jsonl' }, /cannot write output \(ENOENT\)/],
    ['provenance options with a predicate', ['dist/app.bin'], { ...scan, predicateType: 'https://example.com/x' }, /cannot be combined/],
  ] as const)('refuses %s as an input error (exit 2) and writes nothing', async (_name, subjects, o, message) => {
    const { out = 'refused.intoto.jsonl', ...opts } = o as Partial<AttestOptions>;
    const e = await attest([...subjects], out, opts).then(
      () => undefined,
      (x: { code: string; message: string; file?: string }) => x,
    );
    expect(e, 'refused').toBeDefined();
    expect(exitOfCode(e!.code)).toBe(2);
    expect(`${e!.file ?? ''}: ${e!.message}`).toMatch(message);
    expect(existsSync(at('refused.intoto.jsonl'))).toBe(false);
  });
});

describe.skipIf(!HAVE_SHARED)('envelope signatures verify with the oracles over the PAE bytes', () => {
  it.each([
    ['ML-DSA-44', 'k44'],
    ['ML-DSA-65', 'k65'],
    ['ML-DSA-87', 'k87'],
  ] as const)('%s (openssl35, openssl40, bc)', async (alg, key) => {
    const out = `oracle-${key}.intoto.jsonl`;
    await attest(['dist/app.bin'], out, { key });
    const env = lines(out)[0]!;
    writeFileSync(at(`${key}.pae`), paeOf(env));
    writeFileSync(at(`${key}.dsse.sig`), Buffer.from(env.signatures[0]!.sig, 'base64'));
    const v = oracle(['verify', alg, keys[key].pub, at(`${key}.dsse.sig`), at(`${key}.pae`)]);
    expect(v.ok, v.stdout + v.stderr).toBe(true);
    expect(v.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('the oracles reject the signature over the base64 text instead of PAE (the check can fail)', () => {
    const env = lines('oracle-k65.intoto.jsonl')[0]!;
    writeFileSync(at('k65.b64'), env.payload);
    expect(oracle(['--impl', 'openssl40', 'verify', 'ML-DSA-65', keys.k65.pub, at('k65.dsse.sig'), at('k65.b64')]).ok).toBe(false);
  });

  it('an envelope signed by the oracle (OpenSSL 4.0) over our PAE verifies', async () => {
    const k = oracle(['--impl', 'openssl40', 'keygen', 'ML-DSA-65', at('ossl.key'), at('ossl.pub')]);
    expect(k.ok, k.stdout + k.stderr).toBe(true);
    const ours = lines('oracle-k65.intoto.jsonl')[0]!;
    writeFileSync(at('ossl.pae'), paeOf(ours));
    const s = oracle(['--impl', 'openssl40', 'sign', 'ML-DSA-65', at('ossl.key'), at('ossl.pae'), at('ossl.sig')]);
    expect(s.ok, s.stdout + s.stderr).toBe(true);
    writeLines('ossl.intoto.jsonl', [{ ...ours, signatures: [{ sig: readFileSync(at('ossl.sig')).toString('base64') }] }]);
    const v = await check('ossl.intoto.jsonl', at('ossl.pub'), { subjects: ['dist/app.bin'] });
    expect(v.error).toBeUndefined();
    expect(v.subjects.map((x) => x.ok)).toEqual([true]);
    expect(exitOfCode((await bundleError('ossl.intoto.jsonl', keys.k65.pub)).code)).toBe(1);
  });
});

describe('verify-attestation', () => {
  it('verifies the signature, the statement and each subject; reports every envelope and subject', async () => {
    const r = await check('tree.intoto.jsonl', keys.k65.pub, {
      subjects: ['dist'],
      recursive: true,
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(r.error).toBeUndefined();
    expect(r.envelopes).toEqual([
      expect.objectContaining({ line: 1, ok: true, subjects: 4, predicateType: 'https://slsa.dev/provenance/v1' }),
    ]);
    expect(r.subjects.map((s) => [s.name, s.ok, s.line])).toEqual([
      ['dist/.build-info', true, 1],
      ['dist/app.bin', true, 1],
      ['dist/fw/boot.img', true, 1],
      ['dist/fw/empty.bin', true, 1],
    ]);
    expect(r.subjects[1]!.digests!.sha256).toBe(statementOf(lines('tree.intoto.jsonl')[0]!).subject[1].digest.sha256);
    // the private key works as the key reference too, and so does a subset of subjects
    const priv = await check('tree.intoto.jsonl', keys.k65.key, { subjects: ['dist/fw/boot.img'] });
    expect([priv.error, priv.subjects.map((s) => s.ok)]).toEqual([undefined, [true]]);
  });

  it('fails with the wrong key (ERR_SIGNATURE_INVALID, exit 1)', async () => {
    const e = await bundleError('tree.intoto.jsonl', keys.other.pub);
    expect(e.code).toBe('ERR_SIGNATURE_INVALID');
    expect(exitOfCode(e.code)).toBe(1);
    expect(e.message).toMatch(/^line 1: signature does not verify/);
  });

  describe('tampering is rejected', () => {
    const tamper = (name: string, f: (e: EnvelopeJson) => EnvelopeJson) => {
      writeLines(`${name}.intoto.jsonl`, [f(structuredClone(lines('tree.intoto.jsonl')[0]!))]);
      return bundleError(`${name}.intoto.jsonl`, keys.k65.pub, { subjects: ['dist/app.bin'] });
    };
    it.each([
      ['payloadType', (e: EnvelopeJson) => ({ ...e, payloadType: 'application/vnd.in-toto.provenance+json' })],
      [
        'one payload byte',
        (e: EnvelopeJson) => {
          const b = Buffer.from(e.payload, 'base64');
          return { ...e, payload: flipByte(b, b.length - 3).toString('base64') };
        },
      ],
      [
        'a subject digest',
        (e: EnvelopeJson) => {
          const st = statementOf(e);
          st.subject[1].digest.sha256 = 'f'.repeat(64);
          return { ...e, payload: Buffer.from(JSON.stringify(st)).toString('base64') };
        },
      ],
      [
        'the signature',
        (e: EnvelopeJson) => {
          const s = Buffer.from(e.signatures[0]!.sig, 'base64');
          return { ...e, signatures: [{ ...e.signatures[0]!, sig: flipByte(s, 100, 0x80).toString('base64') }] };
        },
      ],
      [
        'the signature length',
        (e: EnvelopeJson) => ({ ...e, signatures: [{ sig: Buffer.from(e.signatures[0]!.sig, 'base64').subarray(1).toString('base64') }] }),
      ],
    ])('%s (exit 1, ERR_SIGNATURE_INVALID)', async (name, f) => {
      const e = await tamper(name.replace(/\W/g, '-'), f);
      expect(e.code).toBe('ERR_SIGNATURE_INVALID');
      expect(exitOfCode(e.code)).toBe(1);
      expect(e.message).toMatch(/line 1: signature does not verify/);
    });

    it('a broken envelope is a format error (exit 2), caught before any signature check', async () => {
      const e = await tamper('broken', (x) => ({ ...x, payload: `${x.payload.slice(0, 10)}*${x.payload.slice(11)}` }));
      expect(exitOfCode(e.code)).toBe(2);
      expect(e.message).toMatch(/"payload" is not valid base64/);
    });
  });

  it('a renamed artifact fails naming the file (ERR_SUBJECT, exit 1), and says where its content went', async () => {
    writeFileSync(at('dist', 'app-renamed.bin'), readFileSync(at('dist', 'app.bin')));
    const r = await check('tree.intoto.jsonl', keys.k65.pub, { subjects: ['dist/app-renamed.bin', 'dist/app.bin'] });
    expect(r.subjects.map((s) => [s.name, s.ok])).toEqual([
      ['dist/app-renamed.bin', false],
      ['dist/app.bin', true],
    ]);
    const e = r.subjects[0]!.error!;
    expect(e.code).toBe('ERR_SUBJECT');
    expect(exitOfCode(e.code)).toBe(1);
    expect(`${e.file}: ${e.message}`).toMatch(
      /dist\/app-renamed\.bin: not among the attested subjects.*attested as "dist\/app\.bin" \(renamed\?\)/,
    );
  });

  it('a changed artifact fails naming both digests (exit 1); a missing one is an input error (exit 2)', async () => {
    writeFileSync(at('dist', 'app-renamed.bin'), 'something else');
    renameSync(at('dist', 'app-renamed.bin'), at('dist', 'changed.bin'));
    writeFileSync(at('dist', 'app.bin'), 'application image v1 -- patched\n');
    const changed = (await check('tree.intoto.jsonl', keys.k65.pub, { subjects: ['dist/app.bin'] })).subjects[0]!;
    expect(changed.ok).toBe(false);
    expect(exitOfCode(changed.error!.code)).toBe(1);
    expect(changed.error!.message).toMatch(/^sha256 is [0-9a-f]{16}\.\.\., the attestation on line 1 says [0-9a-f]{16}\.\.\.$/);
    writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
    const missing = await check('tree.intoto.jsonl', keys.k65.pub, { subjects: ['dist/gone.bin'] }).then(
      (r) => r.subjects[0]!.error!,
      (e: { code: string; message: string; file?: string }) => e,
    );
    expect(exitOfCode(missing.code)).toBe(2);
    expect(`${missing.file}: ${missing.message}`).toMatch(/dist\/gone\.bin: no such file/);
  });

  it('a predicateType selects envelopes: a mismatch is ERR_CLAIMS (exit 1)', async () => {
    const e = await bundleError('scan.intoto.jsonl', keys.k65.pub, { predicateType: 'https://slsa.dev/provenance/v1' });
    expect(e.code).toBe('ERR_CLAIMS');
    expect(exitOfCode(e.code)).toBe(1);
    expect(e.message).toMatch(/predicateType is https:\/\/example\.com\/VulnScan\/v1, not https:\/\/slsa\.dev\/provenance\/v1/);
    const ok = await check('scan.intoto.jsonl', keys.k65.pub, {
      predicateType: 'https://example.com/VulnScan/v1',
      subjects: ['dist/app.bin'],
    });
    expect([ok.error, ok.subjects.map((s) => s.ok)]).toEqual([undefined, [true]]);
  });

  describe('bundles with several envelopes', () => {
    it("lines by other keys, with other payloads or unparseable are ignored and reported; the key's envelope counts", async () => {
      await attest(['dist/app.bin'], 'mixed.intoto.jsonl', { key: 'other' });
      const text = readFileSync(at('mixed.intoto.jsonl'), 'utf8') + 'not json at all\n\n' + readFileSync(at('scan.intoto.jsonl'), 'utf8');
      writeFileSync(at('mixed.intoto.jsonl'), text);
      const r = await check('mixed.intoto.jsonl', keys.k65.pub, { subjects: ['dist/app.bin'] });
      expect(r.error).toBeUndefined();
      expect(r.envelopes.map((o) => [o.line, o.ok, o.error?.code])).toEqual([
        [1, false, 'ERR_SIGNATURE_INVALID'],
        [2, false, 'ERR_SIGNATURE_FORMAT'],
        [4, true, undefined],
      ]);
      expect(r.subjects.map((s) => [s.line, s.ok])).toEqual([[4, true]]);
    });

    it('with no envelope by the key, the bundle fails (exit 1) naming the furthest reason', async () => {
      const r = await check('mixed.intoto.jsonl', keys.k87.pub);
      expect(r.envelopes.map((o) => o.ok)).toEqual([false, false, false]);
      expect(r.error!.code).toBe('ERR_SIGNATURE_INVALID');
      expect(exitOfCode(r.error!.code)).toBe(1);
      expect(r.error!.message).toMatch(/no line of 3 is an attestation by key/);
    });

    it('successive builds appended to one bundle: the file matches the envelope that attests its current content', async () => {
      writeFileSync(at('dist', 'app.bin'), 'application image v2\n');
      await attest(['dist/app.bin'], 'tree.intoto.jsonl');
      const r = await check('tree.intoto.jsonl', keys.k65.pub, { subjects: ['dist/app.bin'] });
      expect(r.subjects).toEqual([expect.objectContaining({ name: 'dist/app.bin', ok: true, line: 2 })]);
      writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
    });

    it('one envelope signed by two keys verifies with either (valid when one signature is by the key)', async () => {
      await attest(['dist/app.bin'], 'two.intoto.jsonl', { key: 'other' });
      await attest(['dist/app.bin'], 'two.intoto.jsonl');
      const [a, b] = lines('two.intoto.jsonl');
      expect(b!.payload).toBe(a!.payload); // same subjects and provenance: the same statement bytes
      writeLines('two.intoto.jsonl', [{ ...a!, signatures: [...a!.signatures, ...b!.signatures] }]);
      for (const key of [keys.k65.pub, keys.other.pub]) {
        const r = await check('two.intoto.jsonl', key, { subjects: ['dist/app.bin'] });
        expect([r.error, r.subjects.map((s) => s.ok)]).toEqual([undefined, [true]]);
      }
      expect((await bundleError('two.intoto.jsonl', keys.k44.pub)).message).toMatch(/none of the 2 signatures verifies/);
    });
  });

  it('an empty bundle and a missing bundle are input errors (exit 2)', async () => {
    writeFileSync(at('empty.intoto.jsonl'), '\n\n');
    const empty = await bundleError('empty.intoto.jsonl', keys.k65.pub);
    expect(empty.message).toMatch(/has no envelopes/);
    expect(exitOfCode(empty.code)).toBe(2);
    expect(exitOfCode((await bundleError('none.intoto.jsonl', keys.k65.pub)).code)).toBe(2);
  });
});

describe('the library: any signer, nothing written on failure', () => {
  it('a signer returning a bad signature fails with ERR_SIGNER and leaves no bundle', async () => {
    const real = await loadSigner(keys.k65.key);
    const broken = {
      params: real.params,
      publicKey: real.publicKey,
      description: 'broken signer',
      signMu: async () => new Uint8Array(real.params.signatureBytes),
    };
    const opts = { out: at('bad-signer.intoto.jsonl'), baseDir: dir, env: {}, provenance: { builderId: BUILDER }, jobs: 1 };
    await expect(attestFiles([at('dist', 'app.bin')], broken, opts)).rejects.toMatchObject({ code: 'ERR_SIGNER' });
    expect(existsSync(at('bad-signer.intoto.jsonl'))).toBe(false);
    // a signer that only has signMu (as a KMS signer does) is all attest needs
    const muOnly = { params: real.params, publicKey: real.publicKey, description: 'μ-only', signMu: (mu: Uint8Array) => real.signMu(mu) };
    await expect(attestFiles([at('dist', 'app.bin')], muOnly, opts)).resolves.toMatchObject({ subjects: 1 });
  });
});

describe('10,000 small subjects', () => {
  it('attest and verify them all; one changed file is the one subject that fails', async () => {
    const many = at('many');
    mkdirSync(many);
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(many, `d${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(many, `d${d}`, `f${f}.bin`), `artifact ${d}/${f}\n`);
    }
    const t0 = performance.now();
    expect((await attest(['many'], 'many.intoto.jsonl', { recursive: true })).subjects).toBe(10_000);
    const t1 = performance.now();
    const r = await check('many.intoto.jsonl', keys.k65.pub, { subjects: ['many'], recursive: true });
    const t2 = performance.now();
    expect(r.envelopes).toHaveLength(1);
    expect(r.subjects.filter((s) => s.ok)).toHaveLength(10_000);
    console.log(
      `10,000 subjects: attest ${(t1 - t0).toFixed(0)} ms, verify ${(t2 - t1).toFixed(0)} ms (in-process wall time, informational)`,
    );
    writeFileSync(join(many, 'd42', 'f42.bin'), 'tampered\n');
    const bad = await check('many.intoto.jsonl', keys.k65.pub, { subjects: ['many'], recursive: true });
    const failed = bad.subjects.filter((s) => !s.ok);
    expect(failed.map((s) => s.name)).toEqual(['many/d42/f42.bin']);
    expect(exitOfCode(failed[0]!.error!.code)).toBe(1);
    expect(failed[0]!.error!.message).toMatch(/^sha256 is/);
  });
});
