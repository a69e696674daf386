// COSE and JWS through the generic container commands: offline ceremony (tbs, sign-request, attach),
// inspect, strip. They reach the formats only through the Format interface.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

const dir = tempDir('pqsign-cose-cmd-');
const key = join(dir, 'k.pem');
const pub = join(dir, 'p.pem');
const fw = join(dir, 'fw.bin');

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key, pub, 'ML-DSA-87');
});

describe.each([
  ['cose', ['--aad', 'c0ffee', '--kid', 'offline-1', '--content-type', '42'], ['--aad', 'c0ffee']],
  ['jws', ['--kid', 'offline-1', '--content-type', 'application/octet-stream'], []],
] as const)('%s', (format, signFlags, verifyFlags) => {
  it('offline ceremony: tbs with the public key, sign-request, attach; the container verifies', () => {
    const req = join(dir, `fw.${format}.req.json`);
    const sig = join(dir, `fw.${format}.sig`);
    const out = join(dir, `fw.ceremony.${format}`);
    const t = pqsign(['tbs', fw, '--format', format, '--key', pub, '--out', req, ...signFlags]);
    expect(t.code, t.stderr).toBe(0);
    const request = JSON.parse(readFileSync(req, 'utf8'));
    expect(request).toMatchObject({ format, signingContext: '', options: { detached: false, kid: 'offline-1' } });
    if (format === 'cose') expect(request.options).toMatchObject({ aad: 'c0ffee', contentType: '42' });
    expect(pqsign(['sign-request', req, '--key', key, '--out', sig]).code).toBe(0);
    const a = pqsign(['attach', fw, '--request', req, '--signature', sig, '--out', out]);
    expect(a.code, a.stderr).toBe(0);
    const v = pqsign(['verify', out, '--key', pub, '--json', ...verifyFlags]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, format, algorithm: 'ML-DSA-87' });
  });

  it('inspect describes the container without a key; strip writes the exact payload', () => {
    const container = join(dir, `fw.plain.${format}`);
    expect(pqsign(['sign', fw, '--key', key, '--format', format, '--out', container]).code).toBe(0);
    const i = pqsign(['inspect', container, '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect(JSON.parse(i.stdout)).toMatchObject({
      format,
      algorithm: 'ML-DSA-87',
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 4627,
    });
    const payload = join(dir, `fw.stripped.${format}.bin`);
    const s = pqsign(['strip', container, '--out', payload]);
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(payload).equals(readFileSync(fw))).toBe(true);
  });

  it('strip refuses a detached container (exit 2), writing nothing', () => {
    const container = join(dir, `fw.detached.${format}`);
    expect(pqsign(['sign', fw, '--key', key, '--format', format, '--detached', '--out', container]).code).toBe(0);
    const out = join(dir, `nothing.${format}`);
    const s = pqsign(['strip', container, '--out', out]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/carries no payload/);
    expect(existsSync(out)).toBe(false);
  });
});
