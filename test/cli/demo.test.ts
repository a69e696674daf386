// `npm start` (bin/demo.ts): it prints every CLI run as a `pqsign …` line a newcomer can copy, and
// keeps its scratch directory (unencrypted keys inside) 0700 and says where it is.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../support/helpers.js';

describe('npm start', () => {
  const tmp = tempDir('pqsign-demo-test-'); // the demo's directory is made in it, and goes with it
  const env: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp };
  delete env.PQSIGN_DEMO_KMS_DIR;
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bin', 'demo.js')], { cwd: ROOT, env, encoding: 'utf8' });
  const lines = r.stdout.split('\n');
  const commands = lines.filter((l) => l.startsWith('  $ pqsign ')).map((l) => l.slice('  $ '.length));
  const [dir] = readdirSync(tmp)
    .filter((n) => n.startsWith('pqsign-demo-'))
    .map((n) => join(tmp, n));

  it('runs every step', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('demo finished: every signature verified');
  });

  it('prints each CLI run as a pqsign command line, the embedded KMS as `pqsign kms serve`', () => {
    const subcommands = new Set(commands.map((c) => c.split(' ').slice(1, 3).join(' ')));
    for (const c of [
      'kms serve',
      'kms create-key',
      'sign',
      'verify',
      'pubkey',
      'attest',
      'verify-attestation',
      'jwt sign',
      'jwt verify',
      'cert create-ca',
      'tbs',
      'attach',
    ]) {
      expect(
        [...subcommands].some((s) => s === c || s.startsWith(`${c} `)),
        c,
      ).toBe(true);
    }
  });

  it('the printed offline commands run as printed in a shell, after the demo', () => {
    const offline = commands.filter((c) => /^pqsign (verify|jwt verify|inspect) /.test(c) && !c.includes('awskms://'));
    expect(offline.length).toBeGreaterThanOrEqual(10);
    for (const c of offline) {
      const sh = spawnSync('bash', ['-c', `pqsign() { "${process.execPath}" "${CLI}" "$@"; }\n${c}`], { encoding: 'utf8' });
      expect(sh.status, `${c}\n${sh.stderr}`).toBe(0);
    }
  });

  it('keeps its directory 0700 and says where it is and what is inside', () => {
    expect(dir).toBeDefined();
    expect(statSync(dir!).mode & 0o777).toBe(0o700);
    expect(lines[0]).toBe(`pqsign demo in ${dir} (mode 0700)`);
    expect(r.stdout).toContain(`the demo's files stay in ${dir}: it holds unencrypted private keys`);
    expect(r.stdout).toContain(`remove it with: rm -rf ${dir}`);
  });
});
