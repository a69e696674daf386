// COSE and JWS through the generic container steps in this process: the offline ceremony (tbs,
// sign-request, attach), inspect, strip. They reach the formats only through the Format interface. Each
// command's flags, exit codes and output are test/cli/cose-jose-commands.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { firmwareDir } from '../../support/firmware-dir.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { failure, inspectFile, signWith, stripFile, verifyWith } from '../../support/inproc.js';
import { attachFile, signRequestFile, tbsFile } from '../../support/ceremony-steps.js';

const { dir, key, pub, fw, prepare } = firmwareDir('pqsign-cose-cmd-unit-');

beforeAll(() => prepare('ML-DSA-87'));

describe.each([
  ['cose', { aad: 'c0ffee', kid: 'offline-1', contentType: '42' }, { aad: 'c0ffee' }],
  ['jws', { kid: 'offline-1', contentType: 'application/octet-stream' }, {}],
] as const)('%s', (format, signOptions, verifyOptions) => {
  it('offline ceremony: tbs with the public key, sign-request, attach; the container verifies', async () => {
    const req = join(dir, `fw.${format}.req.json`);
    const sig = join(dir, `fw.${format}.sig`);
    const out = join(dir, `fw.ceremony.${format}`);
    await tbsFile(fw, pub, req, { format, options: signOptions });
    const request = JSON.parse(readFileSync(req, 'utf8'));
    expect(request).toMatchObject({ format, signingContext: '', options: { detached: false, kid: 'offline-1' } });
    if (format === 'cose') expect(request.options).toMatchObject({ aad: 'c0ffee', contentType: '42' });
    await signRequestFile(req, key, sig);
    await attachFile(fw, req, sig, out);
    const v = await verifyWith(out, pub, { options: { [format]: verifyOptions } });
    expect(v).toMatchObject({ format, params: { name: 'ML-DSA-87' } });
  });

  it('inspect describes the container without a key; strip writes the exact payload', async () => {
    const container = join(dir, `fw.plain.${format}`);
    await signWith(fw, key, { format, out: container });
    expect(await inspectFile(container)).toMatchObject({
      format,
      algorithm: 'ML-DSA-87',
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 4627,
    });
    const payload = join(dir, `fw.stripped.${format}.bin`);
    await stripFile(container, payload);
    expect(readFileSync(payload).equals(readFileSync(fw))).toBe(true);
  });

  it('strip refuses a detached container (exit 2), writing nothing', async () => {
    const container = join(dir, `fw.detached.${format}`);
    await signWith(fw, key, { format, out: container, options: { detached: true } });
    const out = join(dir, `nothing.${format}`);
    const f = await failure(stripFile(container, out));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/carries no payload/);
    expect(existsSync(out)).toBe(false);
  });
});
