// pqsign sign/verify --format cose at the command line: each flag once taking effect (--content-type, --kid,
// --detached, --aad hex and @FILE, --payload) and refused (--context), pubkey --format cose-key, --json, and
// the exit codes and one-line messages; tampered and malformed files judged with one verify --json run.
// What the containers hold, detection, tampering and malformed CBOR case by case, and the oracle checks run
// in-process in test/unit/formats/cose.test.ts.
import { readFileSync, existsSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'cbor2';
import { hex, pqsign, unhex } from '../support/helpers.js';
import { firmwareDir } from '../support/firmware-dir.js';
import { verifyEach } from '../support/exit-codes.js';
import { signWith, writeKeyPair } from '../support/inproc.js';
import { cat, coseItems as items, readBytes as read } from '../support/cose-files.js';

const { dir, key: key44, pub: pub44, fw, write, prepare } = firmwareDir('pqsign-cose-');
const attached = join(dir, 'fw.bin.cose');

beforeAll(async () => {
  prepare('ML-DSA-44');
  await signWith(fw, key44, { format: 'cose' });
});

describe('COSE_Sign1 flags', () => {
  it('pubkey --format cose-key --out writes the AKP COSE_Key whose thumbprint is the kid', () => {
    const keyFile = join(dir, 'k.cosekey');
    const r = pqsign(['pubkey', '--key', key44, '--format', 'cose-key', '--out', keyFile]);
    expect(r.code, r.stderr).toBe(0);
    const k = decode(read(keyFile), { preferMap: true }) as Map<number, unknown>;
    expect(k.get(1)).toBe(7);
    expect(k.get(3)).toBe(-48);
    const header = decode(items(attached).prot, { preferMap: true }) as Map<number, unknown>;
    expect(hex(header.get(4) as Uint8Array)).toBe(hex(k.get(2) as Uint8Array));
  });

  it('--content-type and --kid go into the protected header; verify --json reports them', () => {
    const out = join(dir, 'ct.cose');
    const s = pqsign([
      'sign',
      fw,
      '--key',
      key44,
      '--format',
      'cose',
      '--content-type',
      'application/octet-stream',
      '--kid',
      'release-2026',
      '--out',
      out,
    ]);
    expect(s.code, s.stderr).toBe(0);
    const header = decode(items(out).prot, { preferMap: true }) as Map<number, unknown>;
    expect(header.get(3)).toBe('application/octet-stream');
    expect(Buffer.from(header.get(4) as Uint8Array).toString()).toBe('release-2026');
    const v = pqsign(['verify', out, '--key', pub44, '--json']);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({
      ok: true,
      kidText: 'release-2026',
      kidIsKeyThumbprint: false,
      contentType: 'application/octet-stream',
    });
  });
});

describe('verify', () => {
  it('--json: a COSE_Sign1 recognised by content whatever it is called, and FILE.cose found for FILE', () => {
    const odd = join(dir, 'container.dat');
    copyFileSync(attached, odd);
    const r = pqsign(['verify', odd, fw, '--key', pub44, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [a, b] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(a).toMatchObject({ ok: true, format: 'cose', signature: odd });
    expect(b).toMatchObject({ ok: true, format: 'cose', signature: attached });
  });

  it('--detached --aad: payload nil; verify --payload with --aad hex or @FILE; without --payload exit 2; a wrong --aad exit 1', () => {
    const out = join(dir, 'det.cose');
    expect(pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--detached', '--aad', 'c0ffee', '--out', out]).code).toBe(0);
    expect(items(out).payload).toBeNull();
    expect(pqsign(['verify', out, '--key', pub44, '--payload', fw, '--aad', 'c0ffee']).code).toBe(0);
    const aadFile = write('aad.bin', unhex('c0ffee'));
    expect(pqsign(['verify', out, '--key', pub44, '--payload', fw, '--aad', `@${aadFile}`]).code).toBe(0);
    const none = pqsign(['verify', out, '--key', pub44]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/det\.cose: the payload is detached \(nil\): give the signed file with --payload/);
    const wrong = pqsign(['verify', out, '--key', pub44, '--payload', fw, '--aad', 'c0ffef']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/det\.cose: signature does not verify/);
  });

  it('refuses --context (RFC 9964 §5) on sign and verify, writing nothing', () => {
    const out = join(dir, 'ctx.cose');
    const s = pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--context', '01', '--out', out]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/empty ML-DSA context \(RFC 9964 §5\)/);
    expect(existsSync(out)).toBe(false);
    expect(pqsign(['verify', attached, '--key', pub44, '--context', '01']).code).toBe(2);
  });

  it('needs a trust input (exit 2), and a key of the parameter set the alg names (else exit 1)', () => {
    const noKey = pqsign(['verify', attached]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/nothing to trust/);
    const k65 = join(dir, 'k65.pem');
    writeKeyPair(k65, undefined, 'ML-DSA-65');
    const wrong = pqsign(['verify', attached, '--key', k65]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/signed with ML-DSA-44 \(alg -48\) but the pinned key is ML-DSA-65/);
  });

  it('tampered (exit 1), malformed (exit 2) and untagged (exit 0) files in one verify --json run; one alone is one line; a different --payload', () => {
    const whole = read(attached);
    const { prot, payload, sig } = items(attached);
    const sig2 = Uint8Array.from(sig);
    sig2[10]! ^= 1;
    const cases: [string, Uint8Array, number][] = [
      ['t-sig.cose', cat('d284', encode(prot), 'a0', encode(payload!), encode(sig2)), 1],
      ['tag-17.cose', cat('d1', whole.subarray(1)), 2],
      ['truncated.cose', whole.subarray(0, 100_000), 2],
      ['trailing-bytes.cose', cat(whole, '00'), 2],
      ['untagged.cose', whole.subarray(1), 0],
    ];
    const files = cases.map(([name, bytes]) => write(name, bytes));
    const v = verifyEach(files, ['--key', pub44]);
    cases.forEach(([name, , exit], i) => {
      expect(v.get(files[i]!)!.exit, name).toBe(exit);
      if (exit) expect(v.get(files[i]!)!.message!.startsWith(`${files[i]}: `), name).toBe(true);
    });
    // a single one, as a user sees it: one line, the file, the problem, exit 2
    const one = pqsign(['verify', files[1]!, '--key', pub44]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe(`pqsign: ${files[1]}: tag 17 (COSE_Mac0) is not COSE_Sign1 (tag 18)\n`);
    const other = write('other.bin', new Uint8Array(readFileSync(fw).subarray(0, 1000)));
    const beside = pqsign(['verify', attached, '--key', pub44, '--payload', other]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toMatch(/other\.bin: differs from the payload signed inside/);
  });
});
