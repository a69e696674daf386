// Trust policies (docs/verification.md): strict parsing, scope matching, anti-rollback, format binding,
// minimum parameter set, signer identity, manifests by product, attestation provenance and JWTs. Each
// rule is shown to decide: the same input passes under a policy that allows it and fails (exit 1, the
// rule in `detail`, the scope named) under one that does not.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../../support/helpers.js';
import { keygen, run, type Pki } from '../../support/pki-fixture.js';
import { verifyEach } from '../../support/exit-codes.js';
import { buildPkiInProcess, signWith } from '../../support/inproc.js';
import { fingerprintOf, jwtOf, policyFile } from '../../support/verify-setup.js';
import { writePublicKey } from '../../support/kms-inproc.js';

// Keys, certificates, signed files, tokens and attestations are set-up, made in this process; each rule is
// judged by the CLI. Cases that differ only in the input file share one `verify --json` run (verifyEach):
// one policy whose scopes each cover one of the files. Parsing (no attack angle) is test/unit/policy/policy-rules.test.ts.
const dir = tempDir('pqsign-policy-');
const p = (f: string) => join(dir, f);
let pki: Pki;
let k44: string;

const policy = (name: string, scopes: unknown[]) => policyFile(dir, name, scopes);
const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!);
/** copies of FILE and the signature beside it (SUFFIX) under another base name */
const copySigned = (from: string, to: string, suffix: string) => {
  copyFileSync(p(from), p(to));
  copyFileSync(p(from + suffix), p(to + suffix));
  return p(to);
};

beforeAll(async () => {
  mkdirSync(p('pki'));
  pki = await buildPkiInProcess(p('pki'), 'ML-DSA-65');
  await writePublicKey(pki.leafKey, p('leaf.pub'));
  k44 = keygen(dir, 'k44', 'ML-DSA-44');
  await writePublicKey(k44, p('k44.pub'));
  copyFileSync(FIRMWARE, p('board-a-1.bin'));
  await signWith(p('board-a-1.bin'), pki.leafKey, { format: 'uefi', options: { monotonicCount: '41' } });
  copyFileSync(FIRMWARE, p('bl2.bin'));
  await signWith(p('bl2.bin'), pki.leafKey, { format: 'cms', options: { cert: pki.leaf, chain: [pki.inter] } });
});

describe('policy files are parsed strictly (ERR_POLICY, exit 2, naming the JSON path; every case: test/unit/policy)', () => {
  const cases: Array<[string, unknown]> = [
    ['unknown top-level key', { pqsignPolicy: 1, scopes: [], extra: true }],
    [
      'duplicate scope names',
      { pqsignPolicy: 1, scopes: [1, 2].map(() => ({ name: 'a', match: { artifacts: ['*'] }, keys: [{ sha256: 'a'.repeat(64) }] })) },
    ],
  ];
  for (const [what, doc] of cases) {
    it(`${what}: one line on stderr naming the policy file`, () => {
      writeFileSync(p('bad.policy.json'), JSON.stringify(doc));
      const r = pqsign(['verify', p('board-a-1.bin.signed'), '--policy', p('bad.policy.json')]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/bad\.policy\.json: (policy|pqsignPolicy|scopes)/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
  it('--policy does not combine with --key', () => {
    const file = policy('any', [{ name: 'a', match: { artifacts: ['*'] }, keys: [{ key: p('leaf.pub') }] }]);
    expect(pqsign(['verify', p('board-a-1.bin.signed'), '--policy', file, '--key', p('leaf.pub')]).code).toBe(2);
  });
});

describe('scopes and rules decide', () => {
  it('an artifact no scope covers fails (detail "scope"); the covering scope is named in the result', () => {
    const file = policy('scoped', [{ name: 'board-a', match: { artifacts: ['board-a-*.bin.signed'] }, keys: [{ key: p('leaf.pub') }] }]);
    copyFileSync(p('board-a-1.bin.signed'), p('board-b-1.bin.signed'));
    const v = verifyEach([p('board-a-1.bin.signed'), p('board-b-1.bin.signed')], ['--policy', file]);
    const ok = v.get(p('board-a-1.bin.signed'))!;
    expect(ok.exit, ok.message).toBe(0);
    expect(ok.report).toMatchObject({ ok: true, scope: 'board-a' });
    const r = v.get(p('board-b-1.bin.signed'))!;
    expect(r.exit).toBe(1);
    expect(r.report.error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'scope' });
  });

  it('anti-rollback: MonotonicCount 41 below the scope minimum 42 fails with ERR_ROLLBACK; --min-monotonic-count too', () => {
    const file = policy('rollback', [
      { name: 'board-a', match: { artifacts: ['*.signed'] }, keys: [{ key: p('leaf.pub') }], minMonotonicCount: 42 },
    ]);
    const r = pqsign(['verify', p('board-a-1.bin.signed'), '--policy', file, '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'ERR_ROLLBACK', detail: 'monotonic-count', scope: 'board-a' });
    expect(json(r).error.message).toMatch(/rollback: MonotonicCount 41 is below the minimum 42/);
    const flag = pqsign(['verify', p('board-a-1.bin.signed'), '--key', p('leaf.pub'), '--min-monotonic-count', '42']);
    expect(flag.code).toBe(1);
    // at the minimum passes; a format without a signed count cannot satisfy an anti-rollback minimum
    // (not even 1: test/unit/policy/policy-rules.test.ts)
    const at = verifyEach([p('board-a-1.bin.signed'), p('bl2.bin')], ['--key', p('leaf.pub'), '--min-monotonic-count', '41']);
    expect(at.get(p('board-a-1.bin.signed'))!.exit).toBe(0);
    expect(at.get(p('bl2.bin'))!).toMatchObject({ exit: 1, code: 'ERR_ROLLBACK' });
  });

  it('a key bound to uefi does not vouch for a raw signature it made (detail "format")', async () => {
    await signWith(p('board-a-1.bin'), pki.leafKey);
    const file = policy('bound', [{ name: 'fw', match: { artifacts: ['*'] }, keys: [{ key: p('leaf.pub'), formats: ['uefi'] }] }]);
    const r = pqsign(['verify', p('board-a-1.bin'), '--sig', p('board-a-1.bin.sig'), '--policy', file, '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'format' });
    const free = policy('free', [{ name: 'fw', match: { artifacts: ['*'] }, keys: [{ key: p('leaf.pub') }] }]);
    expect(pqsign(['verify', p('board-a-1.bin'), '--sig', p('board-a-1.bin.sig'), '--policy', free]).code).toBe(0);
  });

  it('minAlgorithm ML-DSA-65 refuses an ML-DSA-44 signature by a trusted key (detail "algorithm")', async () => {
    copyFileSync(FIRMWARE, p('small.bin'));
    await signWith(p('small.bin'), k44);
    const file = policy('min', [{ name: 'fw', match: { artifacts: ['*'] }, keys: [{ key: p('k44.pub') }], minAlgorithm: 'ML-DSA-65' }]);
    const r = pqsign(['verify', p('small.bin'), '--policy', file, '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'algorithm' });
  });

  it('a fingerprint-only key trusts a compact UEFI image that embeds that key', async () => {
    const fp = await fingerprintOf(p('leaf.pub'));
    const [same, other] = ['fp-same.bin.signed', 'fp-other.bin.signed'].map((f) => {
      copyFileSync(p('board-a-1.bin.signed'), p(f));
      return p(f);
    });
    const file = policy('fp', [
      { name: 'fw', match: { artifacts: ['fp-same.*.signed'] }, keys: [{ sha256: fp }] },
      { name: 'fw2', match: { artifacts: ['fp-other.*.signed'] }, keys: [{ sha256: 'ab'.repeat(32) }] },
    ]);
    const v = verifyEach([same!, other!], ['--policy', file]);
    expect(v.get(same!)!.exit).toBe(0);
    expect(v.get(other!)!.exit).toBe(1);
  });

  it('signer identity on the chained certificate: subject pattern and EKU pass, another CN fails (detail "signer-identity")', () => {
    const [good, bad, san] = ['id-ok.bin', 'id-bad.bin', 'id-san.bin'].map((f) => copySigned('bl2.bin', f, '.p7s')) as [
      string,
      string,
      string,
    ];
    const file = policy('id', [
      {
        name: 'id-ok',
        match: { artifacts: ['id-ok*'] },
        trustAnchors: [pki.root],
        signer: { subject: { O: 'pqsign tests', CN: { pattern: 'Test Release *' } }, eku: ['codeSigning'] },
        formats: ['cms'],
      },
      { name: 'id-bad', match: { artifacts: ['id-bad*'] }, trustAnchors: [pki.root], signer: { subject: { CN: 'Someone Else' } } },
      {
        name: 'id-san',
        match: { artifacts: ['id-san*'] },
        trustAnchors: [pki.root],
        signer: { san: [{ type: 'uri', value: { pattern: 'https://*' } }] },
      },
    ]);
    const v = verifyEach([good, bad, san], ['--policy', file]);
    const ok = v.get(good)!;
    expect(ok.exit, ok.message).toBe(0);
    expect(ok.report).toMatchObject({ scope: 'id-ok', format: 'cms' });
    const r = v.get(bad)!;
    expect(r.exit).toBe(1);
    expect(r.report.error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'signer-identity', scope: 'id-bad' });
    expect(v.get(san)!.exit).toBe(1);
  });

  it('manifest entries pick their scope by product, only from a signed manifest, never against their path', async () => {
    const d = p('rel');
    mkdirSync(d);
    copyFileSync(FIRMWARE, join(d, 'fw.bin'));
    run(['sign', join(d, 'fw.bin'), '--key', k44, '--manifest-out', join(d, 'm.jsonl')]);
    const line = JSON.parse(readFileSync(join(d, 'm.jsonl'), 'utf8'));
    writeFileSync(join(d, 'm.jsonl'), `${JSON.stringify({ ...line, product: 'gadget' })}\n`);
    const manifests = { name: 'manifests', match: { artifacts: ['m.jsonl'] }, keys: [{ key: p('leaf.pub'), formats: ['raw'] }] };
    const file = policy('prod', [
      manifests,
      { name: 'other', match: { products: ['widget'] }, keys: [{ key: p('leaf.pub') }] },
      { name: 'gadget', match: { products: ['gadget'] }, keys: [{ key: p('k44.pub') }] },
    ]);
    // an unsigned manifest could name any product: its products choose nothing
    const unsigned = pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--policy', file]);
    expect(unsigned.code, unsigned.stderr).toBe(1);
    expect(unsigned.stderr).toMatch(/the manifest must be signed by a key its own scope trusts/);
    await signWith(join(d, 'm.jsonl'), pki.leafKey);
    const r = pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--policy', file, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ scope: 'gadget' });
    // a manifest line is data: its product cannot pull an artifact out of the scope its path lies in
    const pathFirst = policy('prod-path', [
      manifests,
      { name: 'widget-fw', match: { artifacts: ['fw.bin'], products: ['widget'] }, keys: [{ key: p('leaf.pub') }] },
      { name: 'gadget', match: { products: ['gadget'] }, keys: [{ key: p('k44.pub') }] },
    ]);
    const swapped = pqsign(['verify', '--manifest', join(d, 'm.jsonl'), '--policy', pathFirst, '--json']);
    expect(swapped.code, swapped.stdout).toBe(1);
    expect(json(swapped).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'scope', scope: 'widget-fw' });
  });

  it('patterns with "/" match the path as given; a stripped payload beside an old image cannot move it to a laxer scope', async () => {
    const d = p('images');
    mkdirSync(d);
    copyFileSync(FIRMWARE, join(d, 'board-a-1.bin'));
    await signWith(join(d, 'board-a-1.bin'), pki.leafKey, { format: 'uefi', options: { monotonicCount: '5' } });
    const file = policy('slash', [
      { name: 'board-a', match: { artifacts: ['**/images/board-a-*.bin.signed'] }, keys: [{ key: p('leaf.pub') }], minMonotonicCount: 42 },
      { name: 'everything-else', match: { artifacts: ['**'] }, keys: [{ key: p('leaf.pub') }] },
    ]);
    const direct = pqsign(['verify', join(d, 'board-a-1.bin.signed'), '--policy', file, '--json']);
    expect(direct.code, direct.stdout).toBe(1);
    expect(json(direct).error).toMatchObject({ code: 'ERR_ROLLBACK', scope: 'board-a' });
    // the artifact (the old image's payload) lies in the lax scope, its container in the strict one
    const recursive = pqsign(['verify', '--recursive', d, '--policy', file, '--json']);
    expect(recursive.code, recursive.stdout).toBe(1);
    expect(json(recursive).error).toMatchObject({ code: 'ERR_UNTRUSTED', detail: 'scope' });
  });
});

describe('attestations and JWTs under a policy', () => {
  it('verify-attestation: builder id and source uri from the policy or flags; subject by digest', () => {
    copyFileSync(FIRMWARE, p('app.bin'));
    // the CLI makes the attestation: the library's hashing workers are built files (dist/), not sources
    run([
      'attest',
      p('app.bin'),
      '--key',
      k44,
      '--base-dir',
      dir,
      '--builder-id',
      'https://ci.example.com/builder',
      '--source-uri',
      'git+https://git.example.com/app',
      '--out',
      p('app.intoto.jsonl'),
    ]);
    const ok = policy('att', [
      {
        name: 'ci',
        match: { artifacts: ['*.intoto.jsonl'] },
        keys: [{ key: p('k44.pub'), formats: ['dsse'] }],
        attestation: { builderId: 'https://ci.example.com/builder', sourceUri: 'git+https://git.example.com/app' },
      },
    ]);
    expect(pqsign(['verify-attestation', p('app.intoto.jsonl'), '--policy', ok, '--subject', p('app.bin'), '--base-dir', dir]).code).toBe(
      0,
    );
    const wrong = policy('att2', [
      {
        name: 'ci',
        match: { artifacts: ['*.intoto.jsonl'] },
        keys: [{ key: p('k44.pub') }],
        attestation: { builderId: 'https://evil.example.com/builder' },
      },
    ]);
    const r = pqsign(['verify-attestation', p('app.intoto.jsonl'), '--policy', wrong]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/built by/);
    expect(
      pqsign(['verify-attestation', p('app.intoto.jsonl'), '--key', p('k44.pub'), '--source-uri', 'git+https://git.example.com/other'])
        .code,
    ).toBe(1);
    // a key bound to uefi does not vouch for attestations
    const bound = policy('att3', [{ name: 'ci', match: { artifacts: ['*'] }, keys: [{ key: p('k44.pub'), formats: ['uefi'] }] }]);
    expect(pqsign(['verify-attestation', p('app.intoto.jsonl'), '--policy', bound]).code).toBe(1);
    // a downloaded copy under another name matches by digest
    copyFileSync(FIRMWARE, p('downloaded-app.bin'));
    const sha = createHash('sha256').update(readFileSync(FIRMWARE)).digest('hex');
    expect(pqsign(['verify-attestation', p('app.intoto.jsonl'), '--key', p('k44.pub'), '--subject-digest', `sha256:${sha}`]).code).toBe(0);
    expect(
      pqsign(['verify-attestation', p('app.intoto.jsonl'), '--key', p('k44.pub'), '--subject-digest', `sha256:${'0'.repeat(64)}`]).code,
    ).toBe(1);
    const renamed = [
      'verify-attestation',
      p('app.intoto.jsonl'),
      '--key',
      p('k44.pub'),
      '--base-dir',
      dir,
      '--subject',
      p('downloaded-app.bin'),
    ];
    expect(pqsign(renamed).code).toBe(1);
    expect(pqsign([...renamed, '--ignore-names']).code).toBe(0);
  });

  it("jwt verify --policy uses the scope's keys allowed for jwt", async () => {
    const token = await jwtOf({ sub: 'device-1' }, k44);
    const ok = policy('jwt', [{ name: 'tokens', match: { artifacts: ['none'] }, keys: [{ key: p('k44.pub'), formats: ['jwt'] }] }]);
    const v = pqsign(['jwt', 'verify', token, '--policy', ok]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ sub: 'device-1' });
    const notJwt = policy('jwt2', [{ name: 'fw', match: { artifacts: ['none'] }, keys: [{ key: p('k44.pub'), formats: ['uefi'] }] }]);
    expect(pqsign(['jwt', 'verify', token, '--policy', notJwt]).code).toBe(1);
    // rules a JWT cannot satisfy fail it, as they fail a container under verify
    for (const [name, extra] of [
      ['ctx', { context: 'aabb' }],
      ['anchor', { trustAnchors: [pki.root] }],
      ['min', { minAlgorithm: 'ML-DSA-65' }],
      ['count', { minMonotonicCount: 1 }],
    ] as const) {
      const strict = policy(`jwt-${name}`, [{ name: 'tokens', match: { artifacts: ['none'] }, keys: [{ key: p('k44.pub') }], ...extra }]);
      expect(pqsign(['jwt', 'verify', token, '--policy', strict]).code, name).toBe(1);
    }
    // and the same for attestations
    const attMin = policy('att-min', [
      { name: 'ci', match: { artifacts: ['*.intoto.jsonl'] }, keys: [{ key: p('k44.pub') }], minAlgorithm: 'ML-DSA-65' },
    ]);
    expect(pqsign(['verify-attestation', p('app.intoto.jsonl'), '--policy', attMin]).code).toBe(1);
  });
});

describe('sign --policy: a key bound to formats signs nothing else', () => {
  it('refuses (exit 2, nothing written) a format, key or context the scope does not trust', () => {
    const file = policy('signing', [
      { name: 'fw', match: { artifacts: ['*.bin'] }, keys: [{ key: p('leaf.pub'), formats: ['uefi'] }], minMonotonicCount: 1 },
    ]);
    copyFileSync(FIRMWARE, p('sp.bin'));
    const raw = pqsign(['sign', p('sp.bin'), '--key', pki.leafKey, '--policy', file, '--out', p('sp.sig'), '--json']);
    expect(raw.code, raw.stderr).toBe(2);
    expect(raw.stderr).toMatch(/may sign only uefi signatures, not raw/);
    expect(() => readFileSync(p('sp.sig'))).toThrow();
    const other = pqsign(['sign', p('sp.bin'), '--key', k44, '--policy', file, '--format', 'uefi', '--monotonic-count', '2']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/is not a key the policy scope trusts/);
    const ok = pqsign(['sign', p('sp.bin'), '--key', pki.leafKey, '--policy', file, '--format', 'uefi', '--monotonic-count', '2']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(
      pqsign([
        'verify',
        p('sp.bin.signed'),
        '--policy',
        policy('signing-v', [{ name: 'fw', match: { artifacts: ['*.signed'] }, keys: [{ key: p('leaf.pub'), formats: ['uefi'] }] }]),
      ]).code,
    ).toBe(0);
  });
});
