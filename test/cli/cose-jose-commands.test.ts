// COSE and JWS through the generic container commands at the command line: tbs passing the format's
// flags into the request, sign-request, attach, then verify --json; inspect --json and strip --out; strip
// refusing a detached container (exit 2, one line, nothing written). The same steps for both formats run
// in-process in test/unit/formats/cose-jose-commands.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pqsign } from '../support/helpers.js';
import { firmwareDir } from '../support/firmware-dir.js';
import { signWith } from '../support/inproc.js';

const { dir, key, pub, fw, prepare } = firmwareDir('pqsign-cose-cmd-');

beforeAll(() => prepare('ML-DSA-87'));

describe('container commands', () => {
  it('cose offline ceremony: tbs --aad --kid --content-type with the public key, sign-request, attach; verify --aad --json', () => {
    const req = join(dir, 'fw.cose.req.json');
    const sig = join(dir, 'fw.cose.sig');
    const out = join(dir, 'fw.ceremony.cose');
    const t = pqsign([
      'tbs',
      fw,
      '--format',
      'cose',
      '--key',
      pub,
      '--out',
      req,
      '--aad',
      'c0ffee',
      '--kid',
      'offline-1',
      '--content-type',
      '42',
    ]);
    expect(t.code, t.stderr).toBe(0);
    const request = JSON.parse(readFileSync(req, 'utf8'));
    expect(request).toMatchObject({
      format: 'cose',
      signingContext: '',
      options: { detached: false, kid: 'offline-1', aad: 'c0ffee', contentType: '42' },
    });
    expect(pqsign(['sign-request', req, '--key', key, '--out', sig]).code).toBe(0);
    const a = pqsign(['attach', fw, '--request', req, '--signature', sig, '--out', out]);
    expect(a.code, a.stderr).toBe(0);
    const v = pqsign(['verify', out, '--key', pub, '--json', '--aad', 'c0ffee']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, format: 'cose', algorithm: 'ML-DSA-87' });
  });

  it('jws: inspect --json describes the container without a key; strip --out writes the exact payload', async () => {
    const container = join(dir, 'fw.plain.jws');
    await signWith(fw, key, { format: 'jws', out: container });
    const i = pqsign(['inspect', container, '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect(JSON.parse(i.stdout)).toMatchObject({
      format: 'jws',
      algorithm: 'ML-DSA-87',
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 4627,
    });
    const payload = join(dir, 'fw.stripped.jws.bin');
    const s = pqsign(['strip', container, '--out', payload]);
    expect(s.code, s.stderr).toBe(0);
    expect(readFileSync(payload).equals(readFileSync(fw))).toBe(true);
  });

  it('strip refuses a detached cose container (exit 2, one line naming it), writing nothing', async () => {
    const container = join(dir, 'fw.detached.cose');
    await signWith(fw, key, { format: 'cose', out: container, options: { detached: true } });
    const out = join(dir, 'nothing.cose');
    const s = pqsign(['strip', container, '--out', out]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(new RegExp(`^pqsign: ${container.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*carries no payload.*\\n$`));
    expect(existsSync(out)).toBe(false);
  });
});
