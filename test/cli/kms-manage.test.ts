// `pqsign kms list | alias | enable | disable | schedule-deletion | cancel-deletion` as a user runs them:
// text and JSON output, flags, exit codes, through the real AWS SDK against the local KMS server. What the
// operations do at KMS is tested in process: test/unit/kms/kms-manage-ops.test.ts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKmsKey } from '../../src/kms/manage.js';
import { childEnv, startTestKms } from '../support/kms-fixture.js';
import { pqsignAsync, tempDir } from '../support/helpers.js';

// Keys are created through the library in this process (`kms create-key` is tested in kms-cli.test.ts).
Object.assign(process.env, childEnv());

describe('pqsign kms key management', async () => {
  const kms = await startTestKms();
  const dir = tempDir();
  const run = (args: string[]) => pqsignAsync(args, { env: kms.env });
  const json = async (args: string[]) => {
    const r = await run([...args, '--json']);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  };
  const artifact = join(dir, 'fw.bin');
  writeFileSync(artifact, 'firmware 3.1');
  const create = (alias: string, spec = 'ML_DSA_65') => createKmsKey({ spec, alias, endpoint: kms.authority, tags: [] });

  it('list: one line per key as text with the count on stderr; --all --json lists as many here', async () => {
    const a = await create('alias/list-a');
    await create('alias/list-b', 'ML_DSA_44');
    const text = await run(['kms', 'list', '--endpoint', kms.authority]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${a.keyId}  ML-DSA-65  Enabled          alias/list-a$`, 'm'));
    const count = text.stdout.trim().split('\n').length;
    expect(text.stderr).toBe(`${count} keys\n`);
    const all = await json(['kms', 'list', '--endpoint', kms.authority, '--all']);
    expect(all.length).toBe(count);
    expect(all.find((k) => k.keyId === a.keyId)).toMatchObject({
      keySpec: 'ML_DSA_65',
      aliases: ['alias/list-a'],
      keyRef: kms.ref('alias/list-a'),
    });
  });

  it('alias create, update (moves the alias: a new pqsign process signs with the new key), delete', async () => {
    const a = await create('alias/alias-a');
    const b = await create('alias/alias-b');
    const created = (await json(['kms', 'alias', 'create', 'alias/release', '--key', kms.ref('alias/alias-a')]))[0];
    expect(created).toEqual({ alias: 'alias/release', keyRef: kms.ref('alias/release'), keyId: a.keyId, arn: a.arn });
    const signedByA = await run(['sign', artifact, '--key', kms.ref('alias/release'), '--json']);
    expect(JSON.parse(signedByA.stdout).keyFingerprint).toBe(a.keyFingerprint);

    const taken = await run(['kms', 'alias', 'create', 'alias/release', '--key', kms.ref(b.arn)]);
    expect(taken.code).toBe(3);
    expect(taken.stderr).toMatch(/^pqsign: KMS CreateAlias failed for awskms:\/\/.+:alias\/release: AlreadyExistsException[^\n]*\n$/);

    const moved = await run(['kms', 'alias', 'update', 'alias/release', '--key', kms.ref(b.arn)]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toBe(`updated alias/release -> ${b.arn}\n  key ref  ${kms.ref(b.arn).replace(/key\/.*$/, 'alias/release')}\n`);
    const signedByB = await run(['sign', artifact, '--key', kms.ref('alias/release'), '--json']);
    expect(JSON.parse(signedByB.stdout).keyFingerprint).toBe(b.keyFingerprint);

    const deleted = await json(['kms', 'alias', 'delete', 'alias/release', '--endpoint', kms.authority]);
    expect(deleted).toEqual([{ alias: 'alias/release', keyRef: kms.ref('alias/release'), deleted: true }]);
  });

  it('refuses a malformed alias name before any request (exit 2)', async () => {
    const before = kms.log.length;
    const r = await run(['kms', 'alias', 'create', 'release', '--key', kms.ref('alias/list-a')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: the alias must look like alias\/NAME[^\n]*\n$/);
    expect(kms.log.length).toBe(before);
  });

  it('disable and enable say what they did, as text and as JSON', async () => {
    const k = await create('alias/toggle');
    const ref = kms.ref('alias/toggle');
    const off = await run(['kms', 'disable', '--key', ref]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toBe(`disabled ${k.arn} (Disabled)\n`);
    expect(kms.log.slice(-3, -2)[0]).toMatch(/^DisableKey 200/);
    expect((await json(['kms', 'enable', '--key', ref]))[0]).toMatchObject({
      keyState: 'Enabled',
      enabled: true,
      keyFingerprint: k.keyFingerprint,
    });
  });

  it('schedule-deletion --days 7, cancel-deletion as text, schedule-deletion with its default as text', async () => {
    const k = await create('alias/doomed');
    const ref = kms.ref('alias/doomed');
    const t0 = Date.now();
    const scheduled = (await json(['kms', 'schedule-deletion', '--key', ref, '--days', '7']))[0];
    expect(scheduled).toMatchObject({ keyState: 'PendingDeletion', enabled: false, keyFingerprint: null });
    const days = (Date.parse(scheduled.deletionDate) - t0) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);

    const text = await run(['kms', 'cancel-deletion', '--key', ref]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe(`deletion of ${k.arn} canceled; the key is Disabled (pqsign kms enable --key ${ref} to sign with it)\n`);

    const t1 = Date.now();
    const human = await run(['kms', 'schedule-deletion', '--key', ref]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stderr).toMatch(
      new RegExp(
        `is pending deletion; KMS deletes it on \\S+ unless you run: pqsign kms cancel-deletion --key ${ref.replace(/[/.]/g, '\\$&')}`,
      ),
    );
    const on = /deletes it on (\S+) unless/.exec(human.stderr)![1]!;
    expect((Date.parse(on) - t1) / 86_400_000).toBeGreaterThan(29.99); // --days defaults to 30
  });

  it("--days outside KMS's 7-30 is a usage error before any request", async () => {
    const before = kms.log.length;
    const r = await run(['kms', 'schedule-deletion', '--key', kms.ref('alias/list-a'), '--days', '6']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: --days must be a whole number of days from 7 to 30[^\n]*\n$/);
    expect(kms.log.length).toBe(before);
  });
});
