// Key management behind `pqsign kms list | alias | enable | disable | schedule-deletion | cancel-deletion`
// (src/kms/manage.ts), in this process: the real @aws-sdk/client-kms over HTTP against the local KMS server.
// test/cli/kms-manage.test.ts keeps the commands' text and JSON output, flags and exit codes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../../src/kms/register.js';
import { changeKeyState, createKmsKey, deleteKmsAlias, describeKmsKey, listKmsKeys, setKmsAlias } from '../../../src/kms/manage.js';
import { startTestKms } from '../../support/kms-fixture.js';
import { tempDir } from '../../support/helpers.js';
import { useKmsEnvironment } from '../../support/kms-inproc.js';
import { failure, signWith } from '../../support/inproc.js';
import { exitOfCode } from '../../support/exit-codes.js';

useKmsEnvironment();

describe('KMS key management, in process', async () => {
  const kms = await startTestKms();
  const dir = tempDir();
  const artifact = join(dir, 'fw.bin');
  writeFileSync(artifact, 'firmware 3.1');
  const out = join(dir, 'fw.sig');
  const create = (alias: string, spec = 'ML_DSA_65') => createKmsKey({ spec, alias, endpoint: kms.authority, tags: [] });

  it('list: ML-DSA keys with state and aliases; all: adds nothing else here', async () => {
    const a = await create('alias/list-a');
    const b = await create('alias/list-b', 'ML_DSA_44');
    const listed = await listKmsKeys({ endpoint: kms.authority, all: false });
    expect(listed.find((k) => k.keyId === a.keyId)).toMatchObject({
      keySpec: 'ML_DSA_65',
      keyState: 'Enabled',
      aliases: ['alias/list-a'],
      keyRef: kms.ref('alias/list-a'),
    });
    expect(listed.find((k) => k.keyId === b.keyId)).toMatchObject({ algorithm: 'ML-DSA-44', aliases: ['alias/list-b'] });
    expect((await listKmsKeys({ endpoint: kms.authority, all: true })).length).toBe(listed.length);
  });

  it('alias create, update (moves the alias), delete; KMS refusals are ERR_KMS (exit 3)', async () => {
    const a = await create('alias/alias-a');
    const b = await create('alias/alias-b');
    const created = await setKmsAlias('alias/release', kms.ref('alias/alias-a'), 'create');
    expect(created).toEqual({ alias: 'alias/release', keyRef: kms.ref('alias/release'), keyId: a.keyId, arn: a.arn });
    expect((await describeKmsKey(kms.ref('alias/release'))).keyFingerprint).toBe(a.keyFingerprint);

    const taken = await failure(setKmsAlias('alias/release', kms.ref(b.arn), 'create'));
    expect(exitOfCode(taken.code)).toBe(3);
    expect(taken.message).toMatch(/KMS CreateAlias failed for awskms:\/\/.+:alias\/release: AlreadyExistsException/);

    const moved = await setKmsAlias('alias/release', kms.ref(b.arn), 'update');
    expect(moved).toMatchObject({ alias: 'alias/release', arn: b.arn, keyRef: kms.ref(b.arn).replace(/key\/.*$/, 'alias/release') });
    expect((await describeKmsKey(kms.ref('alias/release'))).keyFingerprint).toBe(b.keyFingerprint);
    expect((await describeKmsKey(kms.ref(b.keyId))).aliases).toEqual(['alias/alias-b', 'alias/release']);

    expect(await deleteKmsAlias('alias/release', kms.authority)).toEqual({ alias: 'alias/release', keyRef: kms.ref('alias/release') });
    const gone = await failure(describeKmsKey(kms.ref('alias/release')));
    expect(exitOfCode(gone.code)).toBe(3);
    expect(gone.message).toMatch(/NotFoundException/);
    const again = await failure(setKmsAlias('alias/release', kms.ref(a.keyId), 'update'));
    expect(exitOfCode(again.code)).toBe(3);
    expect(again.message).toMatch(
      /KMS UpdateAlias failed .*: NotFoundException: Alias arn:aws:kms:us-east-1:\d+:alias\/release is not found\./,
    );
  });

  it('refuses a malformed alias name before any request (exit 2)', async () => {
    const before = kms.log.length;
    for (const p of [setKmsAlias('release', kms.ref('alias/list-a'), 'create'), deleteKmsAlias('alias/has space', kms.authority)]) {
      const f = await failure(p);
      expect(exitOfCode(f.code)).toBe(2);
      expect(f.message).toMatch(/the alias must look like alias\/NAME/);
    }
    expect(kms.log.length).toBe(before);
  });

  it('disable stops signing, enable restores it (by alias reference: resolved to the key ARN)', async () => {
    const k = await create('alias/toggle');
    const ref = kms.ref('alias/toggle');
    expect(await changeKeyState(ref, 'disable')).toMatchObject({ arn: k.arn, keyState: 'Disabled', enabled: false });
    expect(kms.log.slice(-3, -2)[0]).toMatch(/^DisableKey 200/);
    const refused = await failure(signWith(artifact, ref, { out }));
    expect(exitOfCode(refused.code)).toBe(3);
    expect(refused.message).toMatch(/DisabledException/);
    expect(await changeKeyState(ref, 'enable')).toMatchObject({ keyState: 'Enabled', enabled: true, keyFingerprint: k.keyFingerprint });
    await signWith(artifact, ref, { out });
  });

  it('schedule-deletion for 7 days makes the key pending deletion; cancel-deletion brings it back disabled', async () => {
    const k = await create('alias/doomed');
    const ref = kms.ref('alias/doomed');
    const t0 = Date.now();
    const scheduled = await changeKeyState(ref, 'schedule-deletion', 7);
    expect(scheduled).toMatchObject({ keyState: 'PendingDeletion', enabled: false, keyFingerprint: null });
    const days = (Date.parse(scheduled.deletionDate!) - t0) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
    const refused = await failure(signWith(artifact, ref, { out }));
    expect(exitOfCode(refused.code)).toBe(3);
    expect(refused.message).toMatch(/KMSInvalidStateException: .* is pending deletion/);
    // disabling a key pending deletion is refused by KMS, not hidden
    const disable = await failure(changeKeyState(ref, 'disable'));
    expect(exitOfCode(disable.code)).toBe(3);
    expect(disable.message).toMatch(/DisableKey failed .*KMSInvalidStateException/);

    expect(await changeKeyState(ref, 'cancel-deletion')).toMatchObject({ arn: k.arn, keyState: 'Disabled', keyRef: ref });
    const again = await failure(changeKeyState(ref, 'cancel-deletion'));
    expect(exitOfCode(again.code)).toBe(3);
    expect(again.message).toMatch(/KMSInvalidStateException: .* is not pending deletion/);
    expect((await changeKeyState(ref, 'enable')).keyState).toBe('Enabled');

    // without days, KMS's default waiting period (30 days)
    const byDefault = await changeKeyState(ref, 'schedule-deletion');
    expect((Date.parse(byDefault.deletionDate!) - Date.now()) / 86_400_000).toBeGreaterThan(29.9);
    expect((await describeKmsKey(ref)).deletionDate).toBeDefined();
  });

  it("days outside KMS's 7-30 are a usage error before any request", async () => {
    const before = kms.log.length;
    for (const days of [6, 31, 7.5]) {
      const f = await failure(changeKeyState(kms.ref('alias/list-a'), 'schedule-deletion', days));
      expect(exitOfCode(f.code)).toBe(2);
      expect(f.message).toMatch(/`days` must be a whole number of days from 7 to 30/);
    }
    expect(kms.log.length).toBe(before);
  });
});
