// The cose format in this process: the COSE_Sign1 layout and the COSE_Key, inspect and payload() without a
// key, detection against random bytes and by content, raw signatures beside a COSE_Sign1, detached with
// external_aad, the context refusal, tampering (exit 1), malformed CBOR case by case (exit 2, its code and
// message), and openssl40 (oracle cose) verifying pqsign's COSE_Sign1 attached, detached and with
// external_aad. The command line's side (flags, exit codes, one-line messages) is test/cli/cose.test.ts.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'cbor2';
import { cose } from '../../../formats/cose.js';
import { detectFormat } from '../../../src/pipeline/registry.js';
import { PUBLIC_KEY_ENCODERS } from '../../../src/keys/export.js';
import { loadPublicKey } from '../../../src/pipeline/keyref.js';
import { HAVE_SHARED, NO_SHARED, hex, oracle, unhex } from '../../support/helpers.js';
import { firmwareDir } from '../../support/firmware-dir.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { failure, signWith, verifyWith, writeKeyPair } from '../../support/inproc.js';
import { cat, coseItems as items, readBytes as read } from '../../support/cose-files.js';

const { dir, key: key44, pub: pub44, fw, prepare } = firmwareDir('pqsign-cose-unit-');
const attached = join(dir, 'fw.bin.cose');

beforeAll(async () => {
  prepare('ML-DSA-44');
  await signWith(fw, key44, { format: 'cose' });
});

describe('COSE_Sign1 layout', () => {
  it('inspect and payload() locate the embedded payload without a key', async () => {
    const info = await cose.inspect!(attached);
    expect(info).toMatchObject({
      format: 'cose',
      tagged: true,
      alg: -48,
      algorithm: 'ML-DSA-44',
      detached: false,
      payloadBytes: 262144,
      signatureBytes: 2420,
    });
    const loc = await cose.payload!(attached);
    expect(Buffer.compare(readFileSync(attached).subarray(loc.start, loc.end), readFileSync(fw))).toBe(0);
  });
});

describe('detection', () => {
  it('random bytes (a raw signature, say) are not taken for COSE or JWS', () => {
    // xorshift32, fixed seed: the counts below are reproducible, not a matter of luck
    let x = 0x9e3779b9;
    const rand = (n: number) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        b[i] = x & 0xff;
      }
      return b;
    };
    let hits = 0;
    for (let i = 0; i < 100_000; i++) if (detectFormat(rand(128))) hits++;
    expect(hits).toBe(0);
    // even when the first two bytes already say "tag 18, array of 4", the rest must agree
    let prefixed = 0;
    for (let i = 0; i < 50_000; i++) {
      const b = rand(128);
      b[0] = 0xd2;
      b[1] = 0x84;
      if (detectFormat(b)) prefixed++;
    }
    expect(prefixed / 50_000).toBeLessThan(1e-3);
  });

  it('raw signatures next to the file still verify as raw', async () => {
    const sig = join(dir, 'fw.bin.sig');
    for (let i = 0; i < 3; i++) {
      await signWith(fw, key44, { out: sig });
      expect(await verifyWith(fw, pub44, { sig })).toMatchObject({ format: 'raw' });
    }
  });
});

describe.skipIf(!HAVE_SHARED)(`oracle cose (openssl40) verifies pqsign's COSE_Sign1 ${HAVE_SHARED ? '' : NO_SHARED}`, () => {
  for (const alg of ['ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87']) {
    it(`${alg}: attached, detached, detached with aad`, async () => {
      const k = join(dir, `o-${alg}.pem`);
      const p = join(dir, `o-${alg}.pub.pem`);
      writeKeyPair(k, p, alg);
      const att = join(dir, `o-${alg}.cose`);
      const det = join(dir, `o-${alg}.det.cose`);
      const aad = join(dir, `o-${alg}.aad.cose`);
      await signWith(fw, k, { format: 'cose', out: att });
      await signWith(fw, k, { format: 'cose', out: det, options: { detached: true } });
      await signWith(fw, k, { format: 'cose', out: aad, options: { detached: true, aad: 'a1b2c3', contentType: '42' } });
      for (const [file, args] of [
        [att, []],
        [det, [fw]],
        [aad, [fw, 'a1b2c3']],
      ] as const) {
        const o = oracle(['cose', p, file, ...args]);
        expect(o.ok, o.stdout + o.stderr).toBe(true);
        expect(o.stdout).toMatch(/valid/);
      }
      // and the oracle does reject: wrong aad
      expect(oracle(['cose', p, aad, fw, 'a1b2c4']).ok).toBe(false);
    });
  }
});

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
/** the exit code `pqsign verify` would end with, the error's code, message and file */
const rejected = async (p: Promise<unknown>) => {
  const f = await failure(p);
  return { ...f, exit: exitOfCode(f.code) };
};
const coseKeyOf = async (ref: string) =>
  decode((await PUBLIC_KEY_ENCODERS['cose-key']!(await loadPublicKey(ref), {})) as Uint8Array, { preferMap: true }) as Map<number, unknown>;

describe('COSE_Sign1 contents', () => {
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
    // kid is the RFC 9679 thumbprint of the key's COSE_Key
    expect(hex(header.get(4) as Uint8Array)).toBe(hex((await coseKeyOf(pub44)).get(2) as Uint8Array));
  });

  it('the COSE_Key is an AKP key holding the raw public key', async () => {
    const k = await coseKeyOf(key44);
    const raw = (await PUBLIC_KEY_ENCODERS.raw!(await loadPublicKey(pub44), {})) as Uint8Array;
    expect(k.get(1)).toBe(7);
    expect(k.get(3)).toBe(-48);
    expect(hex(k.get(-1) as Uint8Array)).toBe(hex(raw));
    expect(k.has(-2)).toBe(false);
  });

  it('contentType and kid go into the protected header; verify reports them', async () => {
    const out = join(dir, 'ct.cose');
    await signWith(fw, key44, { format: 'cose', out, options: { contentType: 'application/octet-stream', kid: 'release-2026' } });
    const header = decode(items(out).prot, { preferMap: true }) as Map<number, unknown>;
    expect([...header.keys()]).toEqual([1, 3, 4]);
    expect(header.get(3)).toBe('application/octet-stream');
    expect(Buffer.from(header.get(4) as Uint8Array).toString()).toBe('release-2026');
    const numeric = join(dir, 'ct42.cose');
    await signWith(fw, key44, { format: 'cose', out: numeric, options: { contentType: '42' } });
    expect((decode(items(numeric).prot, { preferMap: true }) as Map<number, unknown>).get(3)).toBe(42);
    expect((await verifyWith(out, pub44)).details).toMatchObject({
      kidText: 'release-2026',
      kidIsKeyThumbprint: false,
      contentType: 'application/octet-stream',
    });
  });
});

describe('verify', () => {
  it('recognises a COSE_Sign1 by content whatever it is called, and finds FILE.cose for FILE', async () => {
    const odd = join(dir, 'container.dat');
    copyFileSync(attached, odd);
    expect(await verifyWith(odd, pub44)).toMatchObject({ format: 'cose' });
    // a directory of its own: FILE.sig (raw, above) would be found first
    mkdirSync(join(dir, 'lookup'));
    const [file, container] = [join(dir, 'lookup', 'fw.bin'), join(dir, 'lookup', 'fw.bin.cose')];
    copyFileSync(fw, file);
    copyFileSync(attached, container);
    expect(await verifyWith(file, pub44)).toMatchObject({ format: 'cose', signature: container });
  });

  it('detached: payload nil, the verifier supplies the file (with external_aad, hex or @FILE)', async () => {
    const out = join(dir, 'det.cose');
    await signWith(fw, key44, { format: 'cose', out, options: { detached: true, aad: 'c0ffee' } });
    expect(items(out).payload).toBeNull();
    expect(readFileSync(out).length).toBeLessThan(3000);
    expect(await verifyWith(out, pub44, { payload: fw, options: { cose: { aad: 'c0ffee' } } })).toMatchObject({ format: 'cose' });
    const aadFile = write('aad.bin', unhex('c0ffee'));
    expect(await verifyWith(out, pub44, { payload: fw, options: { cose: { aad: `@${aadFile}` } } })).toMatchObject({ format: 'cose' });
    const none = await rejected(verifyWith(out, pub44));
    expect(none.exit).toBe(2);
    expect(none.file).toBe(out);
    expect(none.message).toMatch(/the payload is detached \(nil\): give the signed file with/);
  });

  it('refuses an ML-DSA context (RFC 9964 §5) on sign and verify (exit 2), writing nothing', async () => {
    const out = join(dir, 'ctx.cose');
    const s = await rejected(signWith(fw, key44, { format: 'cose', out, context: '01' }));
    expect(s.exit).toBe(2);
    expect(s.message).toMatch(/empty ML-DSA context \(RFC 9964 §5\)/);
    expect(existsSync(out)).toBe(false);
    expect((await rejected(verifyWith(attached, pub44, { context: '01' }))).exit).toBe(2);
  });

  it('needs a key of the parameter set the alg names (else exit 1: not the trusted key)', async () => {
    const k65 = join(dir, 'k65.pem');
    writeKeyPair(k65, undefined, 'ML-DSA-65');
    const wrong = await rejected(verifyWith(attached, k65));
    expect(wrong.exit).toBe(1);
    expect(wrong.message).toMatch(/signed with ML-DSA-44 \(alg -48\) but the pinned key is ML-DSA-65/);
  });

  it('an untagged COSE_Sign1 is accepted (RFC 9052 §2: the tag is optional)', async () => {
    const untagged = write('untagged.cose', readFileSync(attached).subarray(1));
    expect((await verifyWith(untagged, pub44)).details).toMatchObject({ tagged: false });
  });
});

describe('tampering is rejected with exit 1', () => {
  it('protected header, payload, aad, signature, wrong detached file, different file beside an attached one', async () => {
    const { prot, payload, sig } = items(attached);
    const kidAt = Buffer.from(prot).indexOf(Buffer.from('5820', 'hex')) + 2;
    const prot2 = Uint8Array.from(prot);
    prot2[kidAt]! ^= 1;
    const payload2 = Uint8Array.from(payload!);
    payload2[1000]! ^= 0x80;
    const sig2 = Uint8Array.from(sig);
    sig2[10]! ^= 1;
    const build = (p: Uint8Array, pl: Uint8Array, s: Uint8Array) => cat('d284', encode(p), 'a0', encode(pl), encode(s));
    for (const f of [
      write('t-prot.cose', build(prot2, payload!, sig)),
      write('t-payload.cose', build(prot, payload2, sig)),
      write('t-sig.cose', build(prot, payload!, sig2)),
    ])
      expect((await rejected(verifyWith(f, pub44))).code, f).toBe('ERR_SIGNATURE_INVALID');

    const det = join(dir, 'aad.cose');
    await signWith(fw, key44, { format: 'cose', out: det, options: { detached: true, aad: '0102' } });
    for (const aad of [{ aad: '0103' }, {}]) {
      const v = await rejected(verifyWith(det, pub44, { payload: fw, options: { cose: aad } }));
      expect(v.exit).toBe(1);
      expect(v.file).toBe(det);
      expect(v.message).toMatch(/signature does not verify/);
    }
    const other = write('other.bin', payload2);
    expect((await rejected(verifyWith(det, pub44, { payload: other, options: { cose: { aad: '0102' } } }))).exit).toBe(1);
    const beside = await rejected(verifyWith(attached, pub44, { payload: other }));
    expect(beside.exit).toBe(1);
    expect(beside.file).toBe(other);
    expect(beside.message).toMatch(/differs from the payload signed inside/);
  });
});

describe('malformed CBOR is rejected with exit 2 and a clear error', () => {
  it('truncated, wrong tag, indefinite lengths, trailing bytes, overlong heads, wrong alg, crit, bucket rules', async () => {
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
    for (const [name, bytes, code, message] of cases) {
      const f = write(`${name}.cose`, bytes);
      expect(detectFormat(readFileSync(f).subarray(0, 65536))?.name, f).toBe('cose');
      const r = await rejected(verifyWith(f, pub44));
      expect(r.code, name).toBe(code);
      expect(r.message, name).toMatch(message);
      expect(r.file, name).toBe(f);
    }
  });
});
