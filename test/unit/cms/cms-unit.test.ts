// CMS and PKI building blocks against independent expectations: RFC 9882's digest table, DER SET OF
// ordering, the streaming BER and PEM readers under arbitrary chunking, names, times, offline rebuilds.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BerStreamParser, type TlvHeader } from '../../../src/asn1/ber-stream.js';
import { PemStreamDecoder } from '../../../src/asn1/pem-stream.js';
import { compareDer, derSetOf } from '../../../src/asn1/set-of.js';
import { encodeTime, parseTimeOption } from '../../../src/asn1/time.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { TAG, tlv } from '../../../src/asn1/der.js';
import { allowedDigests, DIGESTS, signingDigest } from '../../../src/cms/digests.js';
import { PARAM_SETS, paramByName } from '../../../src/mldsa/params.js';
import { formatName, parseName } from '../../../src/pki/name.js';
import { keyUsageBitString } from '../../../src/pki/extensions.js';
import { randomSerial } from '../../../src/pki/issue.js';
import { cms, type CmsOptions } from '../../../formats/cms.js';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { bytesSource } from '../../../src/io/source.js';
import { artifactInfo } from '../../../src/pipeline/sign.js';
import { hex, tempDir, unhex } from '../../support/helpers.js';
import { createHash } from 'node:crypto';

const p44 = paramByName('44')!;
const p65 = paramByName('65')!;
const p87 = paramByName('87')!;

describe('RFC 9882 §3.3 Table 1', () => {
  it('allows exactly the listed digests per parameter set', () => {
    expect(allowedDigests(p44)).toEqual(['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384', 'sha3-512', 'shake128', 'shake256']);
    expect(allowedDigests(p65)).toEqual(['sha384', 'sha512', 'sha3-384', 'sha3-512', 'shake256']);
    expect(allowedDigests(p87)).toEqual(['sha512', 'sha3-512', 'shake256']);
  });
  it('SHA-512 and SHAKE256 are allowed for every set; weaker digests are refused when signing', () => {
    for (const p of PARAM_SETS) {
      expect(signingDigest(p, undefined).name).toBe('sha512');
      expect(signingDigest(p, 'shake256').bytes).toBe(64);
    }
    expect(() => signingDigest(p65, 'sha256')).toThrow(/too weak for ML-DSA-65/);
    expect(() => signingDigest(p87, 'sha384')).toThrow(/too weak for ML-DSA-87/);
    expect(() => signingDigest(p44, 'md5')).toThrow(/unknown `digest`/); // the library names options, not flags
  });
  it('digest outputs match node:crypto (SHAKE128 256 bits, SHAKE256 512 bits per RFC 8702)', () => {
    const msg = new TextEncoder().encode('abc');
    for (const d of DIGESTS) {
      const h = d.create();
      h.update(msg);
      const want = createHash(d.name, d.name.startsWith('shake') ? { outputLength: d.bytes } : undefined)
        .update(msg)
        .digest('hex');
      expect(hex(h.digest())).toBe(want);
    }
  });
});

describe('DER helpers', () => {
  it('SET OF sorts encodings as zero-padded octet strings (X.690 §11.6)', () => {
    const a = Uint8Array.of(0x30, 0x03, 0x06, 0x01, 0x02);
    const b = Uint8Array.of(0x30, 0x02, 0x05, 0x00);
    const c = Uint8Array.of(0x30, 0x03, 0x06, 0x01, 0x01);
    expect(hex(derSetOf([a, b, c]))).toBe(`310e${hex(b)}${hex(c)}${hex(a)}`);
    expect(compareDer(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(0);
  });
  it('times: UTCTime 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5)', () => {
    expect(hex(encodeTime(new Date('2026-01-02T03:04:05.678Z')))).toBe(`170d${Buffer.from('260102030405Z').toString('hex')}`);
    expect(hex(encodeTime(new Date('2050-01-01T00:00:00Z')))).toBe(`180f${Buffer.from('20500101000000Z').toString('hex')}`);
    expect(parseTimeOption('2026-01-02T03:04:05.9Z', '--x').toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(() => parseTimeOption('yesterday', '--at')).toThrow(/not a time/);
  });
  it('keyUsage drops trailing zero bits (X.690 §11.2.2)', () => {
    expect(hex(new Uint8Array(keyUsageBitString(['digitalSignature']).toBER()))).toBe('03020780');
    expect(hex(new Uint8Array(keyUsageBitString(['keyCertSign', 'cRLSign']).toBER()))).toBe('03020106');
  });
  it('serials are 16 bytes, positive, minimal', () => {
    for (let i = 0; i < 50; i++) {
      const s = randomSerial();
      expect(s.length).toBe(16);
      expect(s[0]! & 0x80).toBe(0);
      expect(s[0]).not.toBe(0);
    }
  });
});

describe('names (RFC 4514)', () => {
  it('reverses the text order into DER order and back', () => {
    const der = parseName('CN=Release Signing,O=Example Corp,C=DE');
    // DER order: C, O, CN
    const text = Buffer.from(der).toString('latin1');
    expect(text.indexOf('DE')).toBeLessThan(text.indexOf('Example Corp'));
    expect(text.indexOf('Example Corp')).toBeLessThan(text.indexOf('Release Signing'));
    expect(formatName(der)).toBe('CN=Release Signing,O=Example Corp,C=DE');
  });
  it('escapes and multi-valued RDNs round-trip', () => {
    const s = 'CN=Smith\\, John+UID=jsmith,O=Acme \\"Labs\\",DC=example';
    expect(formatName(parseName(s))).toBe(s);
  });
  it('rejects bad input with a usage error', () => {
    expect(() => parseName('')).toThrow(/empty/);
    expect(() => parseName('XX=1')).toThrow(/unknown attribute type/);
    expect(() => parseName('C=Germany')).toThrow(/two-letter/);
    expect(() => parseName('CN')).toThrow(/TYPE=VALUE/);
  });
});

/** A random TLV tree, DER and BER (indefinite lengths) forms, for the streaming parser. */
const tree = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.uint8Array({ maxLength: 300 }).map((v) => tlv(TAG.OCTET_STRING, v)),
    fc.array(tie('node'), { maxLength: 4 }).map((kids) => tlv(TAG.SEQUENCE, ...kids)),
    fc.array(tie('node'), { maxLength: 4 }).map((kids) => Uint8Array.from([0x30, 0x80, ...kids.flatMap((k) => [...k]), 0, 0])),
  ),
})).node;

function parseAll(bytes: Uint8Array, chunk: number) {
  const events: string[] = [];
  const p = new BerStreamParser(
    {
      start: (h: TlvHeader) => events.push(`s${h.depth}:${h.tag}:${h.offset}`),
      data: (c: Uint8Array) => {
        // a value may arrive in several pieces: merge adjacent pieces
        if (events[events.length - 1]?.startsWith('d')) events[events.length - 1] += hex(c);
        else events.push(`d${hex(c)}`);
      },
      end: (h: TlvHeader, eoc: Uint8Array) => events.push(`e${h.depth}${eoc.length}`),
    },
    'test',
  );
  for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, i + chunk));
  p.finish();
  return events.join(',');
}

describe('BerStreamParser', () => {
  it('produces the same events however the input is chunked', () => {
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 64 }), (t, n) => {
        expect(parseAll(t, n)).toBe(parseAll(t, t.length));
      }),
      { numRuns: 200 },
    );
  });
  it('rejects truncation, trailing bytes, overruns and indefinite primitives', () => {
    const ok = tlv(TAG.SEQUENCE, tlv(TAG.OCTET_STRING, Uint8Array.of(1, 2, 3)));
    expect(() => parseAll(ok.subarray(0, ok.length - 1), 4)).toThrow(/truncated/);
    expect(() => parseAll(Uint8Array.from([...ok, 0]), 4)).toThrow(/after the end/);
    expect(() => parseAll(Uint8Array.of(0x30, 0x03, 0x04, 0x05, 1, 2, 3, 4, 5), 3)).toThrow(/overruns/);
    expect(() => parseAll(Uint8Array.of(0x04, 0x80, 0, 0), 3)).toThrow(/indefinite length on a primitive/);
  });
});

describe('PemStreamDecoder', () => {
  it('decodes any chunking of a PEM block with a preamble', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 1, max: 40 }), (data, n) => {
        const text = new TextEncoder().encode(`explanatory text\n${encodePem('CMS', data)}`);
        const out: number[] = [];
        const d = new PemStreamDecoder(['CMS'], 'f', (b) => out.push(...b));
        for (let i = 0; i < text.length; i += n) d.push(text.subarray(i, i + n));
        d.finish();
        expect(hex(Uint8Array.from(out))).toBe(hex(data));
      }),
      { numRuns: 200 },
    );
  });
  it('rejects a wrong label, bad base64 and a missing END line', () => {
    const run = (s: string) => {
      const d = new PemStreamDecoder(['CMS'], 'f', () => undefined);
      d.push(new TextEncoder().encode(s));
      d.finish();
    };
    expect(() => run('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(/label/);
    expect(() => run('-----BEGIN CMS-----\nAA*A\n-----END CMS-----\n')).toThrow(/not base64/);
    expect(() => run('-----BEGIN CMS-----\nAAAA\n')).toThrow(/END line missing/);
    expect(() => run('-----BEGIN CMS-----\nAA==AAAA\n-----END CMS-----\n')).toThrow(/padding/);
  });
});

describe('cms format session', () => {
  const kp = keygenFromSeed(p65, new Uint8Array(32).fill(7));
  const artifact = artifactInfo(bytesSource(Uint8Array.of(1, 2, 3), 'artifact.bin'));
  const begin = (options: CmsOptions) =>
    cms.beginSign({ artifact, params: p65, publicKey: kp.publicKey, context: new Uint8Array(0), options });

  it('emits nothing while streaming; the TBS is DER(SignedAttributes) with the SET OF tag', async () => {
    const s = await begin({});
    const emitted: Uint8Array[] = [];
    expect(s.head().length).toBe(0);
    s.update(Uint8Array.of(1, 2, 3), (b) => emitted.push(b));
    expect(emitted).toEqual([]);
    const tbs = s.tail();
    expect(tbs[0]).toBe(0x31);
    expect(hex(tbs)).toContain(
      createHash('sha512')
        .update(Uint8Array.of(1, 2, 3))
        .digest('hex'),
    );
  });

  it('resolvedOptions() rebuilds identical signed attributes (offline ceremonies)', async () => {
    const a = await begin({ digest: 'shake256' });
    a.update(Uint8Array.of(1, 2, 3), () => undefined);
    const tbsA = a.tail();
    const resolved = a.resolvedOptions();
    expect(resolved).toMatchObject({ digest: 'shake256', signingTime: expect.stringMatching(/Z$/) });
    await new Promise((r) => setTimeout(r, 1100)); // a later "now" must not leak into the rebuild
    const b = await begin(resolved);
    b.update(Uint8Array.of(1, 2, 3), () => undefined);
    expect(hex(b.tail())).toBe(hex(tbsA));
  });

  it('refuses a context, --pem with --attached, and a weak digest', async () => {
    await expect(cms.beginSign({ artifact, params: p65, publicKey: kp.publicKey, context: unhex('01'), options: {} })).rejects.toThrow(
      /empty ML-DSA context/,
    );
    await expect(begin({ attached: true, pem: true })).rejects.toMatchObject({
      option: 'pem',
      message: expect.stringMatching(/^`pem` works for detached/),
    });
    await expect(begin({ digest: 'sha256' })).rejects.toThrow(/too weak/);
  });
});

describe('CMS through a RAW-message signer (KMS MessageType RAW)', () => {
  const dir = tempDir();
  it('signs DER(SignedAttributes) as the whole message and verifies', async () => {
    const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js');
    const { signFile } = await import('../../../src/pipeline/sign.js');
    const { verifyCms } = await import('../../../src/cms/verify.js');
    const { LocalSigner } = await import('../../../src/mldsa/signer.js');
    const { writeFileSync } = await import('node:fs');
    const seed = new Uint8Array(32).fill(9);
    const kp = keygenFromSeed(p65, seed);
    const local = new LocalSigner({ params: p65, seed, ...kp, form: 'seed' });
    let seen: Uint8Array | undefined;
    const rawSigner = {
      params: p65,
      publicKey: kp.publicKey,
      description: 'raw test signer',
      signMu: (mu: Uint8Array) => local.signMu(mu),
      signMessage: async (m: Uint8Array) => {
        seen = m;
        return ml_dsa65.sign(m, kp.secretKey);
      },
    };
    // src/pipeline/sign.ts refuses RAW for artifacts over 4096 bytes before streaming, although CMS hands the
    // signer only its signed attributes; a small artifact exercises the path until that check moves.
    const artifact = `${dir}/small.bin`;
    writeFileSync(artifact, new Uint8Array(3000).fill(0x5a));
    const out = `${dir}/small.p7s`;
    await signFile(artifact, out, cms, rawSigner, { context: new Uint8Array(0), formatOptions: {}, messageType: 'raw' });
    expect(seen![0]).toBe(0x31);
    expect(seen!.length).toBeLessThan(400);
    const v = await verifyCms(out, {
      content: artifact,
      key: { params: p65, publicKey: kp.publicKey },
      trustAnchors: [],
      at: undefined,
      anyEku: false,
    });
    expect(v.signers[0]).toMatchObject({ valid: true, digest: 'sha512' });
  });
});
