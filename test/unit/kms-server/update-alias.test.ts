// The local KMS server's UpdateAlias as KMS answers it, through the real @aws-sdk/client-kms over HTTP.
import { describe, expect, it } from 'vitest';
import { ListAliasesCommand, ScheduleKeyDeletionCommand, UpdateAliasCommand } from '@aws-sdk/client-kms';
import { kmsError, REGION, startTestKms } from '../../support/kms-fixture.js';

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
