// `pqsign attest` / `pqsign verify-attestation` end to end through the built CLI: envelopes checked by
// the three oracle implementations over the PAE bytes, an oracle-signed envelope accepted, tampering
// and renamed artifacts rejected with the documented codes, bundles with several envelopes, and
// 10,000 subjects.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';

const NOT_GITHUB = { GITHUB_ACTIONS: '' }; // the tests may themselves run on GitHub Actions
const BUILDER = ['--builder-id', 'https://ci.example.com/builders/release'];

interface EnvelopeJson {
  payloadType: string;
  payload: string;
  signatures: { keyid?: string; sig: string }[];
}

const dir = tempDir('pqsign-attest-');
const at = (...p: string[]) => join(dir, ...p);
const run = (args: string[], env: Record<string, string> = {}) => pqsign(args, { cwd: dir, env: { ...NOT_GITHUB, ...env } });
const lines = (file: string): EnvelopeJson[] =>
  readFileSync(at(file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const writeLines = (file: string, envs: EnvelopeJson[]) => writeFileSync(at(file), envs.map((e) => JSON.stringify(e)).join('\n') + '\n');
const statementOf = (e: EnvelopeJson) => JSON.parse(Buffer.from(e.payload, 'base64').toString('utf8'));
const paeOf = (e: EnvelopeJson) => {
  const body = Buffer.from(e.payload, 'base64');
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(e.payloadType)} ${e.payloadType} ${body.length} `), body]);
};

beforeAll(() => {
  for (const [name, alg] of [
    ['k65', 'ML-DSA-65'],
    ['other', 'ML-DSA-65'],
    ['k44', 'ML-DSA-44'],
    ['k87', 'ML-DSA-87'],
  ]) {
    const r = run(['keygen', '--alg', alg!, '--out', `${name}.key`, '--pub', `${name}.pub`]);
    expect(r.code, r.stderr).toBe(0);
  }
  mkdirSync(at('dist', 'fw'), { recursive: true });
  writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
  writeFileSync(at('dist', 'fw', 'boot.img'), Buffer.alloc(300_000, 7)); // more than one read chunk of small buffers
  writeFileSync(at('dist', 'fw', 'empty.bin'), '');
  writeFileSync(at('dist', '.build-info'), 'ref=v1\n');
});

describe('attest', () => {
  it('attests a directory tree: sorted names relative to --base-dir, both digests, SLSA provenance', () => {
    const r = run(['attest', 'dist', '--recursive', '--key', 'k65.key', ...BUILDER, '--out', 'tree.intoto.jsonl', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      output: 'tree.intoto.jsonl',
      subjects: 4,
      algorithm: 'ML-DSA-65',
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    const [env] = lines('tree.intoto.jsonl');
    expect(env!.payloadType).toBe('application/vnd.in-toto+json');
    expect(env!.signatures).toHaveLength(1);
    expect(env!.signatures[0]!.keyid).toBe(out.keyid);
    const st = statementOf(env!);
    expect(st._type).toBe('https://in-toto.io/Statement/v1');
    expect(st.subject.map((s: { name: string }) => s.name)).toEqual([
      'dist/.build-info',
      'dist/app.bin',
      'dist/fw/boot.img',
      'dist/fw/empty.bin',
    ]);
    const empty = st.subject[3].digest;
    expect(empty.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(empty.sha512).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
    expect(st.predicate.runDetails.builder.id).toBe(BUILDER[1]);
    const withBase = run([
      'attest',
      'dist/fw/boot.img',
      '--base-dir',
      'dist',
      '--key',
      'k65.key',
      ...BUILDER,
      '--out',
      'base.intoto.jsonl',
    ]);
    expect(withBase.code, withBase.stderr).toBe(0);
    expect(statementOf(lines('base.intoto.jsonl')[0]!).subject[0].name).toBe('fw/boot.img');
  });

  it('key id is the SHA-256 fingerprint of the raw public key (as the oracle computes it)', { skip: !HAVE_SHARED && NO_SHARED }, () => {
    const info = oracle(['--impl', 'openssl40', 'keyinfo', at('k65.pub')]);
    expect(info.ok, info.stdout + info.stderr).toBe(true);
    expect(info.stdout).toContain(lines('tree.intoto.jsonl')[0]!.signatures[0]!.keyid);
  });

  it('expands glob patterns and leaves dot files to the pattern', () => {
    const r = run(['attest', 'dist/**/*.bin', '--key', 'k65.key', ...BUILDER, '--out', 'glob.intoto.jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(statementOf(lines('glob.intoto.jsonl')[0]!).subject.map((s: { name: string }) => s.name)).toEqual([
      'dist/app.bin',
      'dist/fw/empty.bin',
    ]);
  });

  it('appends one envelope per line atomically, keeps the bundle mode, and never attests the bundle itself', () => {
    writeFileSync(at('dist', 'notes.intoto.jsonl'), '{"foreign": true}'); // no trailing newline
    chmodSync(at('dist', 'notes.intoto.jsonl'), 0o600);
    for (let i = 0; i < 2; i++) {
      const r = run(['attest', 'dist', '--recursive', '--key', 'k65.key', ...BUILDER, '--out', 'dist/notes.intoto.jsonl']);
      expect(r.code, r.stderr).toBe(0);
    }
    const text = readFileSync(at('dist', 'notes.intoto.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(4); // foreign line, two envelopes, final newline
    expect(text.endsWith('\n')).toBe(true);
    expect(statSync(at('dist', 'notes.intoto.jsonl')).mode & 0o777).toBe(0o600);
    const envs = text
      .split('\n')
      .slice(1, 3)
      .map((l) => JSON.parse(l) as EnvelopeJson);
    for (const e of envs) expect(statementOf(e).subject.map((s: { name: string }) => s.name)).not.toContain('dist/notes.intoto.jsonl');
    expect(readdirSync(at('dist')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    renameSync(at('dist', 'notes.intoto.jsonl'), at('notes.intoto.jsonl'));
  });

  it('takes a custom predicate with its type', () => {
    writeFileSync(at('scan.json'), JSON.stringify({ scanner: 'novulnz', critical: 0 }));
    const r = run([
      'attest',
      'dist/app.bin',
      '--key',
      'k65.key',
      '--predicate',
      'scan.json',
      '--predicate-type',
      'https://example.com/VulnScan/v1',
      '--out',
      'scan.intoto.jsonl',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const st = statementOf(lines('scan.intoto.jsonl')[0]!);
    expect(st.predicateType).toBe('https://example.com/VulnScan/v1');
    expect(st.predicate).toEqual({ scanner: 'novulnz', critical: 0 });
  });

  it('writes GitHub Actions provenance from the runner environment', () => {
    const env = {
      GITHUB_ACTIONS: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/firmware',
      GITHUB_REF: 'refs/tags/v2.1.0',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_WORKFLOW_REF: 'acme/firmware/.github/workflows/release.yml@refs/tags/v2.1.0',
      GITHUB_RUN_ID: '9000',
      GITHUB_RUN_ATTEMPT: '2',
      RUNNER_ENVIRONMENT: 'self-hosted',
      GITHUB_EVENT_NAME: 'push',
    };
    const r = run(['attest', 'dist/app.bin', '--key', 'k65.key', '--out', 'gh.intoto.jsonl'], env);
    expect(r.code, r.stderr).toBe(0);
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

  it.each([
    ['a directory without --recursive', ['dist', ...BUILDER], /is a directory/],
    ['a missing file', ['dist/nope.bin', ...BUILDER], /nope\.bin: no such file/],
    ['a pattern matching nothing', ['dist/*.exe', ...BUILDER], /no files match/],
    ['a file outside --base-dir', ['dist/app.bin', '--base-dir', 'dist/fw', ...BUILDER], /outside the base directory/],
    ['no --builder-id outside CI', ['dist/app.bin', '--builder-id', ''], /--builder-id/],
    ['--predicate without its type', ['dist/app.bin', '--predicate', 'scan.json'], /--predicate-type/],
    ['a non-SLSA type without --predicate', ['dist/app.bin', '--predicate-type', 'https://example.com/x', ...BUILDER], /needs --predicate/],
    ['an --out in a missing directory', ['dist/app.bin', ...BUILDER, '--out', 'no/such/dir.jsonl'], /cannot write output \(ENOENT\)/],
    [
      'provenance flags with --predicate',
      ['dist/app.bin', '--predicate', 'scan.json', '--predicate-type', 'https://example.com/x', ...BUILDER],
      /cannot be combined/,
    ],
  ])('refuses %s with exit 2 and writes nothing', (_name, args, message) => {
    const r = run(['attest', ...args, '--key', 'k65.key', ...(args.includes('--out') ? [] : ['--out', 'refused.intoto.jsonl'])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(at('refused.intoto.jsonl'))).toBe(false);
  });
});

describe.skipIf(!HAVE_SHARED)('envelope signatures verify with the oracles over the PAE bytes', () => {
  it.each([
    ['ML-DSA-44', 'k44'],
    ['ML-DSA-65', 'k65'],
    ['ML-DSA-87', 'k87'],
  ])('%s (openssl35, openssl40, bc)', (alg, key) => {
    const out = `oracle-${key}.intoto.jsonl`;
    const r = run(['attest', 'dist/app.bin', '--key', `${key}.key`, ...BUILDER, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const env = lines(out)[0]!;
    writeFileSync(at(`${key}.pae`), paeOf(env));
    writeFileSync(at(`${key}.dsse.sig`), Buffer.from(env.signatures[0]!.sig, 'base64'));
    const v = oracle(['verify', alg, at(`${key}.pub`), at(`${key}.dsse.sig`), at(`${key}.pae`)]);
    expect(v.ok, v.stdout + v.stderr).toBe(true);
    expect(v.stdout.split('\n').filter(Boolean)).toHaveLength(3);
  });

  it('the oracles reject the signature over the base64 text instead of PAE (the check can fail)', () => {
    const env = lines('oracle-k65.intoto.jsonl')[0]!;
    writeFileSync(at('k65.b64'), env.payload);
    expect(oracle(['--impl', 'openssl40', 'verify', 'ML-DSA-65', at('k65.pub'), at('k65.dsse.sig'), at('k65.b64')]).ok).toBe(false);
  });

  it('an envelope signed by the oracle (OpenSSL 4.0) over our PAE verifies with verify-attestation', () => {
    const k = oracle(['--impl', 'openssl40', 'keygen', 'ML-DSA-65', at('ossl.key'), at('ossl.pub')]);
    expect(k.ok, k.stdout + k.stderr).toBe(true);
    const ours = lines('oracle-k65.intoto.jsonl')[0]!;
    writeFileSync(at('ossl.pae'), paeOf(ours));
    const s = oracle(['--impl', 'openssl40', 'sign', 'ML-DSA-65', at('ossl.key'), at('ossl.pae'), at('ossl.sig')]);
    expect(s.ok, s.stdout + s.stderr).toBe(true);
    writeLines('ossl.intoto.jsonl', [{ ...ours, signatures: [{ sig: readFileSync(at('ossl.sig')).toString('base64') }] }]);
    const v = run(['verify-attestation', 'ossl.intoto.jsonl', '--key', 'ossl.pub', '--subject', 'dist/app.bin']);
    expect(v.code, v.stderr).toBe(0);
    expect(run(['verify-attestation', 'ossl.intoto.jsonl', '--key', 'k65.pub']).code).toBe(1);
  });
});

describe('verify-attestation', () => {
  it('verifies the signature, the statement and each subject; --json reports every envelope and subject', () => {
    const r = run([
      'verify-attestation',
      'tree.intoto.jsonl',
      '--key',
      'k65.pub',
      '--subject',
      'dist',
      '--recursive',
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ kind: 'envelope', line: 1, ok: true, subjects: 4, predicateType: 'https://slsa.dev/provenance/v1' });
    expect(out.slice(1).map((s) => [s.kind, s.name, s.ok, s.line])).toEqual([
      ['subject', 'dist/.build-info', true, 1],
      ['subject', 'dist/app.bin', true, 1],
      ['subject', 'dist/fw/boot.img', true, 1],
      ['subject', 'dist/fw/empty.bin', true, 1],
    ]);
    expect(out[2].sha256).toBe(statementOf(lines('tree.intoto.jsonl')[0]!).subject[1].digest.sha256);
    // the private key works as the key reference too, and so does a subset of subjects
    expect(run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.key', '--subject', 'dist/fw/boot.img']).code).toBe(0);
  });

  it('fails with the wrong key (exit 1)', () => {
    const r = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'other.pub']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tree\.intoto\.jsonl: line 1: signature does not verify/);
    expect(r.stderr.trim().split('\n'), 'a one-line bundle fails with one line').toHaveLength(1);
  });

  describe('tampering is rejected', () => {
    const tamper = (name: string, f: (e: EnvelopeJson) => EnvelopeJson) => {
      writeLines(`${name}.intoto.jsonl`, [f(structuredClone(lines('tree.intoto.jsonl')[0]!))]);
      return run(['verify-attestation', `${name}.intoto.jsonl`, '--key', 'k65.pub', '--subject', 'dist/app.bin']);
    };
    it.each([
      ['payloadType', (e: EnvelopeJson) => ({ ...e, payloadType: 'application/vnd.in-toto.provenance+json' })],
      [
        'one payload byte',
        (e: EnvelopeJson) => {
          const b = Buffer.from(e.payload, 'base64');
          b[b.length - 3] ^= 0x01;
          return { ...e, payload: b.toString('base64') };
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
          s[100] ^= 0x80;
          return { ...e, signatures: [{ ...e.signatures[0]!, sig: s.toString('base64') }] };
        },
      ],
      [
        'the signature length',
        (e: EnvelopeJson) => ({ ...e, signatures: [{ sig: Buffer.from(e.signatures[0]!.sig, 'base64').subarray(1).toString('base64') }] }),
      ],
    ])('%s (exit 1, ERR_SIGNATURE_INVALID)', (name, f) => {
      const r = tamper(name.replace(/\W/g, '-'), f);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/line 1: signature does not verify/);
    });

    it('a broken envelope is a format error (exit 2), caught before any signature check', () => {
      const r = tamper('broken', (e) => ({ ...e, payload: `${e.payload.slice(0, 10)}*${e.payload.slice(11)}` }));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/"payload" is not valid base64/);
    });
  });

  it('a renamed artifact fails naming the file (ERR_SUBJECT, exit 1), and says where its content went', () => {
    writeFileSync(at('dist', 'app-renamed.bin'), readFileSync(at('dist', 'app.bin')));
    const r = run([
      'verify-attestation',
      'tree.intoto.jsonl',
      '--key',
      'k65.pub',
      '--subject',
      'dist/app-renamed.bin',
      '--subject',
      'dist/app.bin',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const subjects = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((o) => o.kind === 'subject');
    expect(subjects.map((s) => [s.file, s.ok])).toEqual([
      ['dist/app-renamed.bin', false],
      ['dist/app.bin', true],
    ]);
    expect(subjects[0].error.code).toBe('ERR_SUBJECT');
    expect(subjects[0].error.message).toMatch(
      /dist\/app-renamed\.bin: not among the attested subjects.*attested as "dist\/app\.bin" \(renamed\?\)/,
    );
  });

  it('a changed artifact fails naming the file and both digests (exit 1); a missing one is an input error (exit 2)', () => {
    writeFileSync(at('dist', 'app-renamed.bin'), 'something else');
    renameSync(at('dist', 'app-renamed.bin'), at('dist', 'changed.bin'));
    writeFileSync(at('dist', 'app.bin'), 'application image v1 -- patched\n');
    const changed = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.pub', '--subject', 'dist/app.bin']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(
      /^pqsign: dist\/app\.bin: sha256 is [0-9a-f]{16}\.\.\., the attestation on line 1 says [0-9a-f]{16}\.\.\.$/m,
    );
    writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
    const missing = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.pub', '--subject', 'dist/gone.bin']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/dist\/gone\.bin: no such file/);
  });

  it('--predicate-type selects envelopes: a mismatch is ERR_CLAIMS (exit 1)', () => {
    const json = run([
      'verify-attestation',
      'scan.intoto.jsonl',
      '--key',
      'k65.pub',
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
      '--json',
    ]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!).error.code).toBe('ERR_CLAIMS');
    const r = run(['verify-attestation', 'scan.intoto.jsonl', '--key', 'k65.pub', '--predicate-type', 'https://slsa.dev/provenance/v1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/predicateType is https:\/\/example\.com\/VulnScan\/v1, not https:\/\/slsa\.dev\/provenance\/v1/);
    expect(
      run([
        'verify-attestation',
        'scan.intoto.jsonl',
        '--key',
        'k65.pub',
        '--predicate-type',
        'https://example.com/VulnScan/v1',
        '--subject',
        'dist/app.bin',
      ]).code,
    ).toBe(0);
  });

  describe('bundles with several envelopes', () => {
    it("lines by other keys, with other payloads or unparseable are ignored and reported; the key's envelope counts", () => {
      const foreign = run(['attest', 'dist/app.bin', '--key', 'other.key', ...BUILDER, '--out', 'mixed.intoto.jsonl']);
      expect(foreign.code, foreign.stderr).toBe(0);
      const text = readFileSync(at('mixed.intoto.jsonl'), 'utf8') + 'not json at all\n\n' + readFileSync(at('scan.intoto.jsonl'), 'utf8');
      writeFileSync(at('mixed.intoto.jsonl'), text);
      const r = run(['verify-attestation', 'mixed.intoto.jsonl', '--key', 'k65.pub', '--subject', 'dist/app.bin', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(out.map((o) => [o.kind, o.line, o.ok, o.error?.code])).toEqual([
        ['envelope', 1, false, 'ERR_SIGNATURE_INVALID'],
        ['envelope', 2, false, 'ERR_SIGNATURE_FORMAT'],
        ['envelope', 4, true, undefined],
        ['subject', 4, true, undefined],
      ]);
      const human = run(['verify-attestation', 'mixed.intoto.jsonl', '--key', 'k65.pub', '--subject', 'dist/app.bin']);
      expect(human.stderr).toMatch(/line 1 ignored: signature does not verify/);
      expect(human.stderr).toMatch(/^OK mixed\.intoto\.jsonl \(1 of 3 envelopes/m);
    });

    it('with no envelope by the key, the bundle fails (exit 1) naming the furthest reason', () => {
      const r = run(['verify-attestation', 'mixed.intoto.jsonl', '--key', 'k87.pub']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/no line of 3 is an attestation by key/);
      const json = run(['verify-attestation', 'mixed.intoto.jsonl', '--key', 'k87.pub', '--json']);
      expect(json.code).toBe(1);
      const out = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(out.map((o) => [o.kind, o.ok])).toEqual([
        ['envelope', false],
        ['envelope', false],
        ['envelope', false],
        ['attestation', false],
      ]);
      expect(out[3].error.code).toBe('ERR_SIGNATURE_INVALID');
    });

    it('successive builds appended to one bundle: the file matches the envelope that attests its current content', () => {
      writeFileSync(at('dist', 'app.bin'), 'application image v2\n');
      expect(run(['attest', 'dist/app.bin', '--key', 'k65.key', ...BUILDER, '--out', 'tree.intoto.jsonl']).code).toBe(0);
      const r = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.pub', '--subject', 'dist/app.bin', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({ name: 'dist/app.bin', ok: true, line: 2 });
      writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
    });

    it('one envelope signed by two keys verifies with either (valid when one signature is by the key)', () => {
      expect(run(['attest', 'dist/app.bin', '--key', 'other.key', ...BUILDER, '--out', 'two.intoto.jsonl']).code).toBe(0);
      expect(run(['attest', 'dist/app.bin', '--key', 'k65.key', ...BUILDER, '--out', 'two.intoto.jsonl']).code).toBe(0);
      const [a, b] = lines('two.intoto.jsonl');
      expect(b!.payload).toBe(a!.payload); // same subjects and provenance: the same statement bytes
      writeLines('two.intoto.jsonl', [{ ...a!, signatures: [...a!.signatures, ...b!.signatures] }]);
      for (const key of ['k65.pub', 'other.pub']) {
        const r = run(['verify-attestation', 'two.intoto.jsonl', '--key', key, '--subject', 'dist/app.bin', '--json']);
        expect(r.code, r.stderr).toBe(0);
      }
      expect(run(['verify-attestation', 'two.intoto.jsonl', '--key', 'k44.pub']).stderr).toMatch(/none of the 2 signatures verifies/);
    });
  });

  it('an empty bundle and a missing bundle are input errors (exit 2)', () => {
    writeFileSync(at('empty.intoto.jsonl'), '\n\n');
    expect(run(['verify-attestation', 'empty.intoto.jsonl', '--key', 'k65.pub']).stderr).toMatch(/has no envelopes/);
    expect(run(['verify-attestation', 'none.intoto.jsonl', '--key', 'k65.pub']).code).toBe(2);
  });
});

describe('the library: any signer, nothing written on failure', () => {
  it('a signer returning a bad signature fails with ERR_SIGNER and leaves no bundle', async () => {
    const { attestFiles } = await import('../../dist/src/attest/attest.js');
    const { loadSigner } = await import('../../dist/src/pipeline/keyref.js');
    const real = await loadSigner(at('k65.key'));
    const broken = {
      params: real.params,
      publicKey: real.publicKey,
      description: 'broken signer',
      signMu: async () => new Uint8Array(real.params.signatureBytes),
    };
    const opts = { out: at('bad-signer.intoto.jsonl'), baseDir: dir, env: {}, provenance: { builderId: BUILDER[1] } };
    await expect(attestFiles([at('dist', 'app.bin')], broken, opts)).rejects.toMatchObject({ code: 'ERR_SIGNER' });
    expect(existsSync(at('bad-signer.intoto.jsonl'))).toBe(false);
    // a signer that only has signMu (as a KMS signer does) is all attest needs
    const muOnly = { params: real.params, publicKey: real.publicKey, description: 'μ-only', signMu: (mu: Uint8Array) => real.signMu(mu) };
    await expect(attestFiles([at('dist', 'app.bin')], muOnly, opts)).resolves.toMatchObject({ subjects: 1 });
  });
});

describe('10,000 small subjects', () => {
  it('attest and verify them all', () => {
    const many = at('many');
    mkdirSync(many);
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(many, `d${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(many, `d${d}`, `f${f}.bin`), `artifact ${d}/${f}\n`);
    }
    const t0 = performance.now();
    const a = run(['attest', 'many', '--recursive', '--key', 'k65.key', ...BUILDER, '--out', 'many.intoto.jsonl', '--json']);
    const t1 = performance.now();
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).subjects).toBe(10_000);
    expect(a.stderr).not.toContain('\r'); // no progress when stderr is not a TTY
    const v = run(['verify-attestation', 'many.intoto.jsonl', '--key', 'k65.pub', '--subject', 'many', '--recursive', '--json']);
    const t2 = performance.now();
    expect(v.code, v.stderr).toBe(0);
    const out = v.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(10_001);
    expect(out.filter((o) => o.kind === 'subject' && o.ok)).toHaveLength(10_000);
    console.log(`10,000 subjects: attest ${(t1 - t0).toFixed(0)} ms, verify ${(t2 - t1).toFixed(0)} ms (CLI wall time, informational)`);
    writeFileSync(join(many, 'd42', 'f42.bin'), 'tampered\n');
    const bad = run(['verify-attestation', 'many.intoto.jsonl', '--key', 'k65.pub', '--subject', 'many', '--recursive']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^pqsign: many\/d42\/f42\.bin: sha256 is/m);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
