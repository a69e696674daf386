// pqsign sign/verify --format cose at the command line: layout and flags, tampering (exit 1), malformed CBOR
// (exit 2, one clear line each), context refusal, COSE_Key export. Detection, inspect and the oracle checks
// run in-process in test/unit/formats/cose.test.ts.
import { readFileSync, writeFileSync, existsSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'cbor2';
import { detectFormat } from '../../src/pipeline/registry.js';
import { FIRMWARE, hex, pqsign, tempDir, unhex } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';

const dir = tempDir('pqsign-cose-');
const key44 = join(dir, 'k44.pem');
const pub44 = join(dir, 'p44.pem');
const fw = join(dir, 'fw.bin');
const attached = join(dir, 'fw.bin.cose');

/** The four items of a COSE_Sign1 file pqsign wrote. */
function items(file: string): { prot: Uint8Array; payload: Uint8Array | null; sig: Uint8Array } {
  const t = decode(read(file)) as { tag: number; contents: [Uint8Array, unknown, Uint8Array | null, Uint8Array] };
  expect(t.tag).toBe(18);
  return { prot: t.contents[0], payload: t.contents[2], sig: t.contents[3] };
}

/** Files as plain Uint8Array: cbor2 would encode a Buffer as a typed array, not a bstr. */
const read = (file: string) => new Uint8Array(readFileSync(file));
const cat = (...parts: (string | Uint8Array)[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'hex') : Buffer.from(p)))));

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

beforeAll(() => {
  copyFileSync(FIRMWARE, fw);
  writeKeyPair(key44, pub44, 'ML-DSA-44');
  const r = pqsign(['sign', fw, '--key', key44, '--format', 'cose']);
  expect(r.code, r.stderr).toBe(0);
});

describe('COSE_Sign1 layout', () => {
  it('is a tagged COSE_Sign1 with {alg, kid} protected, empty unprotected, the file as payload', async () => {
    const t = decode(read(attached), { preferMap: true }) as {
      tag: number;
      contents: [Uint8Array, Map<number, unknown>, Uint8Array, Uint8Array];
    };
    expect(t.tag).toBe(18);
    const [prot, unprot, payload, sig] = t.contents;
    const header = decode(prot, { preferMap: true }) as Map<number, unknown>;
    expect([...header.keys()]).toEqual([1, 4]);
    expect(header.get(1)).toBe(-48);
    expect(unprot.size).toBe(0);
    expect(Buffer.compare(payload, readFileSync(fw))).toBe(0);
    expect(sig.length).toBe(2420);
    // kid is the RFC 9679 thumbprint of the key pubkey --format cose-key exports
    const keyFile = join(dir, 'layout.cosekey');
    expect(pqsign(['pubkey', '--key', pub44, '--format', 'cose-key', '--out', keyFile]).code).toBe(0);
    const coseKey = decode(read(keyFile), { preferMap: true }) as Map<number, unknown>;
    expect(hex(header.get(4) as Uint8Array)).toBe(hex(coseKey.get(2) as Uint8Array));
  });

  it('pubkey --format cose-key is an AKP COSE_Key holding the raw public key', () => {
    const out = join(dir, 'k.cosekey');
    expect(pqsign(['pubkey', '--key', key44, '--format', 'cose-key', '--out', out]).code).toBe(0);
    const k = decode(read(out), { preferMap: true }) as Map<number, unknown>;
    const raw = join(dir, 'k.raw');
    expect(pqsign(['pubkey', '--key', pub44, '--format', 'raw', '--out', raw]).code).toBe(0);
    expect(k.get(1)).toBe(7);
    expect(k.get(3)).toBe(-48);
    expect(hex(k.get(-1) as Uint8Array)).toBe(hex(readFileSync(raw)));
    expect(k.has(-2)).toBe(false);
  });

  it('--content-type and --kid go into the protected header; resolvedOptions reproduce them', async () => {
    const out = join(dir, 'ct.cose');
    expect(
      pqsign([
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
      ]).code,
    ).toBe(0);
    const header = decode(items(out).prot, { preferMap: true }) as Map<number, unknown>;
    expect([...header.keys()]).toEqual([1, 3, 4]);
    expect(header.get(3)).toBe('application/octet-stream');
    expect(Buffer.from(header.get(4) as Uint8Array).toString()).toBe('release-2026');
    const numeric = join(dir, 'ct42.cose');
    expect(pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--content-type', '42', '--out', numeric]).code).toBe(0);
    expect((decode(items(numeric).prot, { preferMap: true }) as Map<number, unknown>).get(3)).toBe(42);
    const v = pqsign(['verify', out, '--key', pub44, '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({
      ok: true,
      kidText: 'release-2026',
      kidIsKeyThumbprint: false,
      contentType: 'application/octet-stream',
    });
  });
});

describe('verify', () => {
  it('recognises a COSE_Sign1 by content whatever it is called, and finds FILE.cose for FILE', () => {
    const odd = join(dir, 'container.dat');
    copyFileSync(attached, odd);
    expect(pqsign(['verify', odd, '--key', pub44]).code).toBe(0);
    const r = pqsign(['verify', fw, '--key', pub44, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'cose', signature: attached });
  });

  it('detached: payload nil, the verifier supplies the file (with external_aad)', () => {
    const out = join(dir, 'det.cose');
    expect(pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--detached', '--aad', 'c0ffee', '--out', out]).code).toBe(0);
    expect(items(out).payload).toBeNull();
    expect(readFileSync(out).length).toBeLessThan(3000);
    expect(pqsign(['verify', out, '--key', pub44, '--payload', fw, '--aad', 'c0ffee']).code).toBe(0);
    const aadFile = write('aad.bin', unhex('c0ffee'));
    expect(pqsign(['verify', out, '--key', pub44, '--payload', fw, '--aad', `@${aadFile}`]).code).toBe(0);
    const none = pqsign(['verify', out, '--key', pub44]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/det\.cose: the payload is detached \(nil\): give the signed file with --payload/);
  });

  it('refuses an ML-DSA context (RFC 9964 §5) on sign and verify, writing nothing', () => {
    const out = join(dir, 'ctx.cose');
    const s = pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--context', '01', '--out', out]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/empty ML-DSA context \(RFC 9964 §5\)/);
    expect(existsSync(out)).toBe(false);
    expect(pqsign(['verify', attached, '--key', pub44, '--context', '01']).code).toBe(2);
  });

  it('needs a trust input, and a key of the parameter set the alg names (else exit 1: not the trusted key)', () => {
    const noKey = pqsign(['verify', attached]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/nothing to trust/);
    const k65 = join(dir, 'k65.pem');
    writeKeyPair(k65, undefined, 'ML-DSA-65');
    const wrong = pqsign(['verify', attached, '--key', k65]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/signed with ML-DSA-44 \(alg -48\) but the pinned key is ML-DSA-65/);
  });
});

describe('tampering is rejected with exit 1', () => {
  it('protected header, payload, aad, signature, wrong detached file, different file beside an attached one', () => {
    const { prot, payload, sig } = items(attached);
    const kidAt = Buffer.from(prot).indexOf(Buffer.from('5820', 'hex')) + 2;
    const prot2 = Uint8Array.from(prot);
    prot2[kidAt]! ^= 1;
    const payload2 = Uint8Array.from(payload!);
    payload2[1000]! ^= 0x80;
    const sig2 = Uint8Array.from(sig);
    sig2[10]! ^= 1;
    const build = (p: Uint8Array, pl: Uint8Array, s: Uint8Array) => cat('d284', encode(p), 'a0', encode(pl), encode(s));
    const files = [
      write('t-prot.cose', build(prot2, payload!, sig)),
      write('t-payload.cose', build(prot, payload2, sig)),
      write('t-sig.cose', build(prot, payload!, sig2)),
    ];
    const r = pqsign(['verify', ...files, '--key', pub44, '--json']);
    expect(r.code, r.stdout).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.error?.code)).toEqual(['ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID', 'ERR_SIGNATURE_INVALID']);

    const det = join(dir, 'aad.cose');
    expect(pqsign(['sign', fw, '--key', key44, '--format', 'cose', '--detached', '--aad', '0102', '--out', det]).code).toBe(0);
    for (const aad of [['--aad', '0103'], []]) {
      const v = pqsign(['verify', det, '--key', pub44, '--payload', fw, ...aad]);
      expect(v.code).toBe(1);
      expect(v.stderr).toMatch(/aad\.cose: signature does not verify/);
    }
    const other = write('other.bin', payload2);
    expect(pqsign(['verify', det, '--key', pub44, '--payload', other, '--aad', '0102']).code).toBe(1);
    const beside = pqsign(['verify', attached, '--key', pub44, '--payload', other]);
    expect(beside.code).toBe(1);
    expect(beside.stderr).toMatch(/other\.bin: differs from the payload signed inside/);
  });
});

describe('malformed CBOR is rejected with exit 2 and a clear error', () => {
  it('truncated, wrong tag, indefinite lengths, trailing bytes, overlong heads, wrong alg, crit, bucket rules', () => {
    const whole = read(attached);
    const { prot, payload, sig } = items(attached);
    const header = decode(prot, { preferMap: true }) as Map<number, unknown>;
    const kid = header.get(4) as Uint8Array;
    const hdr = (entries: [number, unknown][]) => encode(new Map(entries));
    const sign1 = (p: Uint8Array, opts: { tag?: string; unprot?: Uint8Array } = {}) =>
      cat(opts.tag ?? 'd2', '84', encode(p), opts.unprot ?? 'a0', encode(payload!), encode(sig));
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['truncated-payload', whole.subarray(0, 100_000), 'ERR_SIGNATURE_FORMAT', /truncated/],
      ['truncated-signature', whole.subarray(0, whole.length - 100), 'ERR_SIGNATURE_FORMAT', /signature is truncated/],
      ['truncated-header', whole.subarray(0, 20), 'ERR_SIGNATURE_FORMAT', /truncated/],
      ['tag-17', cat('d1', whole.subarray(1)), 'ERR_SIGNATURE_FORMAT', /tag 17 \(COSE_Mac0\) is not COSE_Sign1 \(tag 18\)/],
      ['tag-98', cat('d862', whole.subarray(1)), 'ERR_SIGNATURE_FORMAT', /tag 98 \(COSE_Sign\) is not COSE_Sign1/],
      [
        'indefinite-array',
        cat('d29f', encode(prot), 'a0', encode(payload!), encode(sig), 'ff'),
        'ERR_SIGNATURE_FORMAT',
        /indefinite-length/,
      ],
      [
        'indefinite-payload',
        cat('d284', encode(prot), 'a0', '5f', encode(payload!.subarray(0, 100)), encode(payload!.subarray(100)), 'ff', encode(sig)),
        'ERR_SIGNATURE_FORMAT',
        /payload uses an indefinite-length/,
      ],
      [
        'indefinite-protected-map',
        sign1(
          cat(
            'bf',
            hdr([
              [1, -48],
              [4, kid],
            ]).subarray(1),
            'ff',
          ),
        ),
        'ERR_SIGNATURE_FORMAT',
        /protected header uses an indefinite-length/,
      ],
      ['trailing-bytes', cat(whole, '00'), 'ERR_SIGNATURE_FORMAT', /trailing bytes/],
      ['overlong-length', cat('d284', '590027', prot, 'a0', encode(payload!), encode(sig)), 'ERR_SIGNATURE_FORMAT', /non-preferred/],
      [
        'overlong-int',
        sign1(cat('a2', '1801', '382f', '04', encode(kid))),
        'ERR_SIGNATURE_FORMAT',
        /protected header uses a non-preferred/,
      ],
      [
        'alg-es256',
        sign1(
          hdr([
            [1, -7],
            [4, kid],
          ]),
        ),
        'ERR_ALGORITHM',
        /alg -7 is not an ML-DSA COSE algorithm/,
      ],
      [
        'alg-mldsa65',
        sign1(
          hdr([
            [1, -49],
            [4, kid],
          ]),
        ),
        'ERR_UNTRUSTED',
        /signed with ML-DSA-65 \(alg -49\) but the pinned key is ML-DSA-44/,
      ],
      [
        'crit-unknown',
        sign1(
          hdr([
            [1, -48],
            [2, [99]],
            [4, kid],
            [99, 1],
          ]),
        ),
        'ERR_SIGNATURE_FORMAT',
        /unknown critical header parameter 99/,
      ],
      [
        'crit-absent',
        sign1(
          hdr([
            [1, -48],
            [2, [77]],
            [4, kid],
          ]),
        ),
        'ERR_SIGNATURE_FORMAT',
        /crit \(2\) names header parameter 77, which the protected header lacks/,
      ],
      [
        'protected-not-bstr',
        cat(
          'd284',
          hdr([
            [1, -48],
            [4, kid],
          ]),
          'a0',
          encode(payload!),
          encode(sig),
        ),
        'ERR_SIGNATURE_FORMAT',
        /protected header is not a bstr-wrapped map/,
      ],
      ['protected-trailing', sign1(cat(prot, '00')), 'ERR_SIGNATURE_FORMAT', /protected header has trailing bytes/],
      [
        'alg-unprotected',
        sign1(hdr([[4, kid]]), { unprot: hdr([[1, -48]]) }),
        'ERR_SIGNATURE_FORMAT',
        /alg \(1\) must be in the protected header/,
      ],
      ['both-buckets', sign1(prot, { unprot: hdr([[4, kid]]) }), 'ERR_SIGNATURE_FORMAT', /header parameter 4 is in both/],
      ['duplicate-key', sign1(cat('a3', '0138', '2f', '04', encode(kid), '04', encode(kid))), 'ERR_SIGNATURE_FORMAT', /duplicate map key/],
      [
        'payload-tstr',
        cat('d284', encode(prot), 'a0', encode('text'), encode(sig)),
        'ERR_SIGNATURE_FORMAT',
        /payload must be a bstr or nil/,
      ],
      [
        'short-signature',
        cat('d284', encode(prot), 'a0', encode(payload!), encode(sig.subarray(0, 2000))),
        'ERR_SIGNATURE_FORMAT',
        /signature is 2000 bytes; an ML-DSA-44 signature is 2420/,
      ],
    ];
    const files = cases.map(([name, bytes]) => write(`${name}.cose`, bytes));
    for (const f of files) expect(detectFormat(readFileSync(f).subarray(0, 65536))?.name, f).toBe('cose');
    const r = pqsign(['verify', ...files, '--key', pub44, '--json']);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    cases.forEach(([name, , code, message], i) => {
      expect(lines[i]).toMatchObject({ ok: false, error: { code } });
      expect(lines[i].error.message, name).toMatch(message);
      expect(lines[i].error.message.startsWith(files[i]!), name).toBe(true);
    });
    expect(r.code).toBe(2);
    // a single one, as a user sees it: one line, the file, the problem, exit 2
    const one = pqsign(['verify', files[3]!, '--key', pub44]);
    expect(one.code).toBe(2);
    expect(one.stderr).toBe(`pqsign: ${files[3]}: tag 17 (COSE_Mac0) is not COSE_Sign1 (tag 18)\n`);
  });

  it('an untagged COSE_Sign1 is accepted (RFC 9052 §2: the tag is optional)', () => {
    const untagged = write('untagged.cose', readFileSync(attached).subarray(1));
    const r = pqsign(['verify', untagged, '--key', pub44, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tagged: false });
  });
});
