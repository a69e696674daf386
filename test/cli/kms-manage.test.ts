// `pqsign kms list | alias | enable | disable | schedule-deletion | cancel-deletion` through the real
// AWS SDK against the local KMS server, and the server's UpdateAlias as KMS answers it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ListAliasesCommand, ScheduleKeyDeletionCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { kmsError, REGION, startTestKms } from '../support/kms-fixture.js';
import { pqsignAsync, tempDir } from '../support/helpers.js';

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
  const sign = (ref: string) => run(['sign', artifact, '--key', ref, '--out', join(dir, 'fw.sig')]);
  const create = async (alias: string, spec = 'ML_DSA_65') =>
    (await json(['kms', 'create-key', '--spec', spec, '--alias', alias, '--endpoint', kms.authority]))[0];

  it('list: ML-DSA keys with state and aliases, as JSON lines and as text; --all adds nothing else here', async () => {
    const a = await create('alias/list-a');
    const b = await create('alias/list-b', 'ML_DSA_44');
    const listed = await json(['kms', 'list', '--endpoint', kms.authority]);
    expect(listed.find((k) => k.keyId === a.keyId)).toMatchObject({
      keySpec: 'ML_DSA_65',
      keyState: 'Enabled',
      aliases: ['alias/list-a'],
      keyRef: kms.ref('alias/list-a'),
    });
    expect(listed.find((k) => k.keyId === b.keyId)).toMatchObject({ algorithm: 'ML-DSA-44', aliases: ['alias/list-b'] });
    const text = await run(['kms', 'list', '--endpoint', kms.authority]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${a.keyId}  ML-DSA-65  Enabled          alias/list-a$`, 'm'));
    expect(text.stderr).toBe(`${listed.length} keys\n`);
    expect((await json(['kms', 'list', '--endpoint', kms.authority, '--all'])).length).toBe(listed.length);
  });

  it('alias create, update (moves the alias: signatures follow the new key), delete', async () => {
    const a = await create('alias/alias-a');
    const b = await create('alias/alias-b');
    const created = (await json(['kms', 'alias', 'create', 'alias/release', '--key', kms.ref('alias/alias-a')]))[0];
    expect(created).toEqual({ alias: 'alias/release', keyRef: kms.ref('alias/release'), keyId: a.keyId, arn: a.arn });
    const signedByA = await run(['sign', artifact, '--key', kms.ref('alias/release'), '--json']);
    expect(JSON.parse(signedByA.stdout).keyFingerprint).toBe(a.keyFingerprint);

    const taken = await run(['kms', 'alias', 'create', 'alias/release', '--key', kms.ref(b.arn)]);
    expect(taken.code).toBe(3);
    expect(taken.stderr).toMatch(/KMS CreateAlias failed for awskms:\/\/.+:alias\/release: AlreadyExistsException/);

    const moved = await run(['kms', 'alias', 'update', 'alias/release', '--key', kms.ref(b.arn)]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toBe(`updated alias/release -> ${b.arn}\n  key ref  ${kms.ref(b.arn).replace(/key\/.*$/, 'alias/release')}\n`);
    const signedByB = await run(['sign', artifact, '--key', kms.ref('alias/release'), '--json']);
    expect(JSON.parse(signedByB.stdout).keyFingerprint).toBe(b.keyFingerprint);
    expect((await json(['kms', 'describe', '--key', kms.ref(b.keyId)]))[0].aliases).toEqual(['alias/alias-b', 'alias/release']);

    const deleted = await json(['kms', 'alias', 'delete', 'alias/release', '--endpoint', kms.authority]);
    expect(deleted).toEqual([{ alias: 'alias/release', keyRef: kms.ref('alias/release'), deleted: true }]);
    const gone = await run(['kms', 'describe', '--key', kms.ref('alias/release')]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/NotFoundException/);
    const again = await run(['kms', 'alias', 'update', 'alias/release', '--key', kms.ref(a.keyId)]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(
      /KMS UpdateAlias failed .*: NotFoundException: Alias arn:aws:kms:us-east-1:\d+:alias\/release is not found\./,
    );
  });

  it('refuses a malformed alias name before any request (exit 2)', async () => {
    const before = kms.log.length;
    for (const args of [
      ['alias', 'create', 'release', '--key', kms.ref('alias/list-a')],
      ['alias', 'delete', 'alias/has space', '--endpoint', kms.authority],
    ]) {
      const r = await run(['kms', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the alias must look like alias\/NAME/);
    }
    expect(kms.log.length).toBe(before);
  });

  it('disable stops signing, enable restores it (by alias reference: resolved to the key ARN)', async () => {
    const k = await create('alias/toggle');
    const ref = kms.ref('alias/toggle');
    const off = await run(['kms', 'disable', '--key', ref]);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toBe(`disabled ${k.arn} (Disabled)\n`);
    expect(kms.log.slice(-3, -2)[0]).toMatch(/^DisableKey 200/);
    const refused = await sign(ref);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/DisabledException/);
    expect((await json(['kms', 'enable', '--key', ref]))[0]).toMatchObject({
      keyState: 'Enabled',
      enabled: true,
      keyFingerprint: k.keyFingerprint,
    });
    expect((await sign(ref)).code).toBe(0);
  });

  it('schedule-deletion --days 7 makes the key pending deletion; cancel-deletion brings it back disabled', async () => {
    const k = await create('alias/doomed');
    const ref = kms.ref('alias/doomed');
    const t0 = Date.now();
    const scheduled = (await json(['kms', 'schedule-deletion', '--key', ref, '--days', '7']))[0];
    expect(scheduled).toMatchObject({ keyState: 'PendingDeletion', enabled: false, keyFingerprint: null });
    const days = (Date.parse(scheduled.deletionDate) - t0) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const refused = await sign(ref);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/KMSInvalidStateException: .* is pending deletion/);
    // disabling a key pending deletion is refused by KMS, not hidden
    const disable = await run(['kms', 'disable', '--key', ref]);
    expect(disable.code).toBe(3);
    expect(disable.stderr).toMatch(/DisableKey failed .*KMSInvalidStateException/);

    const text = await run(['kms', 'cancel-deletion', '--key', ref]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe(`deletion of ${k.arn} canceled; the key is Disabled (pqsign kms enable --key ${ref} to sign with it)\n`);
    const again = await run(['kms', 'cancel-deletion', '--key', ref]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/KMSInvalidStateException: .* is not pending deletion/);
    expect((await json(['kms', 'enable', '--key', ref]))[0].keyState).toBe('Enabled');

    const human = await run(['kms', 'schedule-deletion', '--key', ref]);
    expect(human.stderr).toMatch(
      new RegExp(
        `is pending deletion; KMS deletes it on \\S+ unless you run: pqsign kms cancel-deletion --key ${ref.replace(/[/.]/g, '\\$&')}`,
      ),
    );
    expect((await json(['kms', 'describe', '--key', ref]))[0].deletionDate).toBeDefined();
  });

  it("--days outside KMS's 7-30 is a usage error before any request", async () => {
    const before = kms.log.length;
    for (const days of ['6', '31', '7.5']) {
      const r = await run(['kms', 'schedule-deletion', '--key', kms.ref('alias/list-a'), '--days', days]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--days must be a whole number of days from 7 to 30/);
    }
    expect(kms.log.length).toBe(before);
  });
});

describe('local KMS: UpdateAlias', async () => {
  const kms = await startTestKms();
  const c = kms.client();
  const aliases = async () => (await c.send(new ListAliasesCommand({}))).Aliases!;

  it("moves an alias, keeps its CreationDate, and answers KMS's errors", async () => {
    const a = await kms.createKey('ML_DSA_65', 'alias/moving');
    const b = await kms.createKey('ML_DSA_87');
    const [before] = await aliases();
    await new Promise((r) => setTimeout(r, 1100)); // dates are whole seconds
    await c.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: b.split('/')[1] }));
    const [after] = await aliases();
    expect(after).toMatchObject({ AliasName: 'alias/moving', TargetKeyId: b.split('/')[1], CreationDate: before!.CreationDate });
    expect(after!.LastUpdatedDate!.getTime()).toBeGreaterThan(before!.LastUpdatedDate!.getTime());

    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: a })))).toMatchObject({
      name: 'NotFoundException',
      message: `Alias arn:aws:kms:${REGION}:111122223333:alias/none is not found.`,
    });
    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: 'alias/moving' })))).toMatchObject({
      name: 'ValidationException',
      message: 'Aliases must refer to keys. Not aliases',
    });
    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'moving', TargetKeyId: a })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('alias/'),
    });
    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'alias/aws/x', TargetKeyId: a })))).toMatchObject({
      name: 'NotAuthorizedException',
    });
    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: '0000' })))).toMatchObject({
      name: 'NotFoundException',
    });
    await c.send(new ScheduleKeyDeletionCommand({ KeyId: a, PendingWindowInDays: 7 }));
    expect(await kmsError(c.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: a })))).toMatchObject({
      name: 'KMSInvalidStateException',
    });
  });
});
