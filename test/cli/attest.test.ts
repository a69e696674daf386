// `pqsign attest` / `pqsign verify-attestation` through the built CLI: what the command line owns — each
// flag reaching the library (--recursive, --base-dir, --predicate/--predicate-type, --builder-id, --out,
// --subject, --key, the runner's environment), --json output, the human lines on stderr, exit codes,
// one-line refusals that write nothing, and the bundle appended to atomically with its mode kept. What the
// statements hold, which envelopes and subjects are accepted, the oracle checks and 10,000 subjects are
// test/unit/attest/attest-bundle.test.ts.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign, tempDir } from '../support/helpers.js';
import { keygenFiles } from '../support/keygen.js';
import { bundleLines, GITHUB_RELEASE_ENV, statementOf, type EnvelopeJson } from '../support/attest-steps.js';
import { attestFiles } from '../../src/attest/attest.js';
import { loadSigner } from '../../src/pipeline/keyref.js';

const NOT_GITHUB = { GITHUB_ACTIONS: '' }; // the tests may themselves run on GitHub Actions
const BUILDER = ['--builder-id', 'https://ci.example.com/builders/release'];

const dir = tempDir('pqsign-attest-');
const at = (...p: string[]) => join(dir, ...p);
const run = (args: string[], env: Record<string, string> = {}) => pqsign(args, { cwd: dir, env: { ...NOT_GITHUB, ...env } });
const lines = (file: string) => bundleLines(at(file));
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

beforeAll(() => {
  keygenFiles(dir, 'k65');
  keygenFiles(dir, 'other');
  mkdirSync(at('dist', 'fw'), { recursive: true });
  writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
  writeFileSync(at('dist', 'fw', 'boot.img'), Buffer.alloc(300_000, 7));
  writeFileSync(at('dist', 'fw', 'empty.bin'), '');
  writeFileSync(at('dist', '.build-info'), 'ref=v1\n');
});

describe('attest', () => {
  it('--recursive --builder-id --out --json: one JSON object, the envelope written', () => {
    const r = run(['attest', 'dist', '--recursive', '--key', 'k65.pem', ...BUILDER, '--out', 'tree.intoto.jsonl', '--json']);
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
    expect(env!.signatures[0]!.keyid).toBe(out.keyid);
    expect(statementOf(env!).predicate.runDetails.builder.id).toBe(BUILDER[1]);
  });

  it('no progress line when stderr is not a TTY, even with the 200 subjects that show one on a terminal', () => {
    mkdirSync(at('many'));
    for (let f = 0; f < 250; f++) writeFileSync(at('many', `f${f}.bin`), `artifact ${f}\n`);
    const r = run(['attest', 'many', '--recursive', '--key', 'k65.pem', ...BUILDER, '--out', 'many.intoto.jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).toMatch(/^attested 250 subjects -> many\.intoto\.jsonl/);
  });

  it('--base-dir with a glob: names relative to it; one line on stderr', () => {
    const r = run(['attest', 'dist/fw/*.img', '--base-dir', 'dist', '--key', 'k65.pem', ...BUILDER, '--out', 'base.intoto.jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^attested 1 subject -> base\.intoto\.jsonl \(ML-DSA-65, keyid [0-9a-f]{16}, https:\/\/slsa\.dev\/provenance\/v1\)\n$/,
    );
    expect(statementOf(lines('base.intoto.jsonl')[0]!).subject.map((s: { name: string }) => s.name)).toEqual(['fw/boot.img']);
  });

  it('appends one envelope per line atomically, keeps the bundle mode, and never attests the bundle itself', () => {
    writeFileSync(at('dist', 'notes.intoto.jsonl'), '{"foreign": true}'); // no trailing newline
    chmodSync(at('dist', 'notes.intoto.jsonl'), 0o600);
    for (let i = 0; i < 2; i++) {
      const r = run(['attest', 'dist', '--recursive', '--key', 'k65.pem', ...BUILDER, '--out', 'dist/notes.intoto.jsonl']);
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

  it('--predicate FILE --predicate-type URI', () => {
    writeFileSync(at('scan.json'), JSON.stringify({ scanner: 'novulnz', critical: 0 }));
    const r = run([
      'attest',
      'dist/app.bin',
      '--key',
      'k65.pem',
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

  it("reads GitHub Actions provenance from the runner's environment", () => {
    const env = GITHUB_RELEASE_ENV;
    const r = run(['attest', 'dist/app.bin', '--key', 'k65.pem', '--out', 'gh.intoto.jsonl'], env);
    expect(r.code, r.stderr).toBe(0);
    const p = statementOf(lines('gh.intoto.jsonl')[0]!).predicate;
    expect(p.buildDefinition.buildType).toBe('https://actions.github.io/buildtypes/workflow/v1');
    expect(p.buildDefinition.resolvedDependencies[0].digest.gitCommit).toBe(env.GITHUB_SHA);
    expect(p.runDetails.metadata.invocationId).toBe('https://github.com/acme/firmware/actions/runs/9000/attempts/2');
  });

  it.each([
    [
      'a directory without --recursive',
      ['dist', ...BUILDER],
      /^pqsign: dist: is a directory \(add --recursive to attest the files in it\)$/,
    ],
    ['no --builder-id outside CI', ['dist/app.bin', '--builder-id', ''], /--builder-id/],
  ])('refuses %s: exit 2, one line naming the flag, nothing written', (_name, args, message) => {
    const r = run(['attest', ...args, '--key', 'k65.pem', '--out', 'refused.intoto.jsonl']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(at('refused.intoto.jsonl'))).toBe(false);
  });
});

describe('verify-attestation', () => {
  it('--subject DIR --recursive --predicate-type --json: one JSON line per envelope and per subject', () => {
    const r = run([
      'verify-attestation',
      'tree.intoto.jsonl',
      '--key',
      'k65.pub.pem',
      '--subject',
      'dist',
      '--recursive',
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonLines(r.stdout);
    expect(out[0]).toMatchObject({ kind: 'envelope', line: 1, ok: true, subjects: 4, predicateType: 'https://slsa.dev/provenance/v1' });
    expect(out.slice(1).map((s) => [s.kind, s.name, s.ok, s.line])).toEqual([
      ['subject', 'dist/.build-info', true, 1],
      ['subject', 'dist/app.bin', true, 1],
      ['subject', 'dist/fw/boot.img', true, 1],
      ['subject', 'dist/fw/empty.bin', true, 1],
    ]);
    expect(out[2].sha256).toBe(statementOf(lines('tree.intoto.jsonl')[0]!).subject[1].digest.sha256);
  });

  it('the wrong key is exit 1 with one line naming the bundle and its line', () => {
    const r = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'other.pub.pem']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tree\.intoto\.jsonl: line 1: signature does not verify/);
    expect(r.stderr.trim().split('\n'), 'a one-line bundle fails with one line').toHaveLength(1);
  });

  it('--json: a subject that fails is its own line with the error (ERR_SUBJECT), exit 1', () => {
    writeFileSync(at('dist', 'app-renamed.bin'), readFileSync(at('dist', 'app.bin')));
    const r = run([
      'verify-attestation',
      'tree.intoto.jsonl',
      '--key',
      'k65.pub.pem',
      '--subject',
      'dist/app-renamed.bin',
      '--subject',
      'dist/app.bin',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const subjects = jsonLines(r.stdout).filter((o) => o.kind === 'subject');
    expect(subjects.map((s) => [s.file, s.ok])).toEqual([
      ['dist/app-renamed.bin', false],
      ['dist/app.bin', true],
    ]);
    expect(subjects[0].error.code).toBe('ERR_SUBJECT');
    expect(subjects[0].error.message).toMatch(/dist\/app-renamed\.bin: not among the attested subjects/);
  });

  it('a changed artifact is one line naming the file and both digests (exit 1); a missing one is exit 2', () => {
    writeFileSync(at('dist', 'app.bin'), 'application image v1 -- patched\n');
    const changed = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.pub.pem', '--subject', 'dist/app.bin']);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(
      /^pqsign: dist\/app\.bin: sha256 is [0-9a-f]{16}\.\.\., the attestation on line 1 says [0-9a-f]{16}\.\.\.$/m,
    );
    expect(changed.stderr.trim().split('\n')).toHaveLength(1);
    writeFileSync(at('dist', 'app.bin'), 'application image v1\n');
    const missing = run(['verify-attestation', 'tree.intoto.jsonl', '--key', 'k65.pub.pem', '--subject', 'dist/gone.bin']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/dist\/gone\.bin: no such file/);
  });

  it('--predicate-type mismatch with --json: the last line is the attestation error (ERR_CLAIMS), exit 1', () => {
    const r = run([
      'verify-attestation',
      'scan.intoto.jsonl',
      '--key',
      'k65.pub.pem',
      '--predicate-type',
      'https://slsa.dev/provenance/v1',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ kind: 'attestation', ok: false, error: { code: 'ERR_CLAIMS' } });
  });

  it('a bundle with lines that do not count: each is reported on stderr, then the OK line (exit 0)', async () => {
    const signer = await loadSigner(at('other.pem'));
    await attestFiles([at('dist', 'app.bin')], signer, {
      out: at('mixed.intoto.jsonl'),
      baseDir: dir,
      env: {},
      provenance: { builderId: BUILDER[1] },
      jobs: 1,
    });
    writeFileSync(
      at('mixed.intoto.jsonl'),
      readFileSync(at('mixed.intoto.jsonl'), 'utf8') + 'not json at all\n\n' + readFileSync(at('scan.intoto.jsonl'), 'utf8'),
    );
    const human = run(['verify-attestation', 'mixed.intoto.jsonl', '--key', 'k65.pub.pem', '--subject', 'dist/app.bin']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/line 1 ignored: signature does not verify/);
    expect(human.stderr).toMatch(/^OK mixed\.intoto\.jsonl \(1 of 3 envelopes/m);
  });
});
