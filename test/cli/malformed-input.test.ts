// Adversarial inputs, each built small from a valid signature: floods of tiny elements (certificates,
// SignerInfos, CRLs, attributes, CBOR items, JSON nesting, bundle lines) that used to end in "internal
// error: Maximum call stack size exceeded" (exit 3) or in hundreds of MB of memory. Every one must be
// refused in one line naming the file, exit 2, by `verify` and by `inspect` where it applies. The verify
// cases of a group are judged by one `verify --json` run (verifyEach: each file's exit code from its error
// code, its one-line message) and one of them runs alone; the valid signatures they start from are made in-process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cbor from 'cbor2';
import { beforeAll, describe, expect, it } from 'vitest';
import { TAG, readChildren, readWhole, tlv } from '../../src/asn1/der.js';
import { MAX_LINE_BYTES } from '../../src/attest/bundle.js';
import { encodeEnvelope, signEnvelope } from '../../src/attest/envelope.js';
import { buildStatement, INTOTO_PAYLOAD_TYPE } from '../../src/attest/statement.js';
import { concatList } from '../../src/base/bytes.js';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { pqsign, pqsignMeasured, tempDir, type RunResult } from '../support/helpers.js';
import { verifyEach, type FileVerdict } from '../support/exit-codes.js';
import { signWith, writeKeyPair } from '../support/inproc.js';
import { jwtOf } from '../support/verify-setup.js';

const dir = tempDir('pqsign-malformed-');
const at = (name: string) => join(dir, name);
const run = (args: string[]) => pqsign(args, { cwd: dir });

/** exit 2, one line on stderr naming the file, the expected reason, no internal error */
function expectRefused(r: RunResult, file: string, why: RegExp): void {
  expect(r.stderr, r.stderr).not.toMatch(/internal error/);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => l && !/^(MAX_RSS_KB|READ_BYTES)=/.test(l)); // pqsignMeasured's report
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).toContain(file);
  expect(r.stderr).toMatch(why);
}

/** the same, for a file's verdict in a verifyEach run */
function expectVerdictRefused(v: FileVerdict, file: string, why: RegExp): void {
  expect(v.exit, v.message).toBe(2);
  expect(v.message!.startsWith(`${at(file)}: `), v.message).toBe(true);
  expect(v.message).not.toContain('\n');
  expect(v.message).toMatch(why);
}

/** verifyEach over the files the cases build (built on first use, once), by the file name a case built */
function batch(build: () => string[], args: string[]): () => Map<string, FileVerdict> {
  let verdicts: Map<string, FileVerdict> | undefined;
  return () => {
    if (!verdicts) {
      const byPath = verifyEach(build().map(at), args);
      verdicts = new Map([...byPath].map(([path, v]) => [path.slice(dir.length + 1), v]));
    }
    return verdicts;
  };
}

/**
 * The flood cases of one container: one verify --json run over their files and `more()`'s (args: the key and
 * content), then per case a test that verify and inspect refuse its file (exit 2), and one that verify alone
 * refuses the first case in one line naming it. The verdicts, by file name, are for the block's other tests.
 */
function refusalCases(cases: [string, () => string, RegExp][], more: () => string[], args: string[]) {
  const verdicts = batch(() => [...cases.map(([, build]) => build()), ...more()], args);
  const file = (i: number) => [...verdicts().keys()][i]!;
  cases.forEach(([what, , why], i) => {
    it(`${what}: verify and inspect refuse it (exit 2)`, () => {
      expectVerdictRefused(verdicts().get(file(i))!, file(i), why);
      expectRefused(run(['inspect', file(i)]), file(i), why);
    });
  });
  it('alone, verify refuses one in one line naming the file (exit 2)', () => {
    expectRefused(run(['verify', file(0), ...args]), file(0), cases[0]![2]);
  });
  return verdicts;
}

/** `count` copies of `unit`, concatenated (never spread: that is the bug under test) */
const repeat = (unit: Uint8Array, count: number) => concatList(Array.from({ length: count }, () => unit));
/** nested arrays, `depth` deep, around 0 */
const nested = (depth: number): string => '['.repeat(depth) + '0' + ']'.repeat(depth);

beforeAll(async () => {
  writeFileSync(at('a.bin'), 'firmware image\n'.repeat(100));
  writeKeyPair(at('k.pem'), at('k.pub'));
  for (const format of ['cms', 'cose', 'jws'])
    await signWith(at('a.bin'), at('k.pem'), { format, out: at(`a.${format === 'cms' ? 'p7s' : format}`) });
});

describe('CMS SignedData floods', () => {
  /** The signature's SignedData with some of its fields replaced (raw bytes of each field). */
  function rebuild(
    name: string,
    change: (f: { version: Uint8Array; algs: Uint8Array; encap: Uint8Array; extra: Uint8Array[]; signerInfos: Uint8Array }) => void,
  ): string {
    const [ctype, content] = readChildren(readWhole(readFileSync(at('a.p7s')), TAG.SEQUENCE, 'ContentInfo').value);
    const kids = readChildren(readChildren(content!.value)[0]!.value);
    const f = {
      version: kids[0]!.raw,
      algs: kids[1]!.raw,
      encap: kids[2]!.raw,
      extra: [] as Uint8Array[],
      signerInfos: kids[kids.length - 1]!.raw,
    };
    change(f);
    const signedData = tlv(TAG.SEQUENCE, concatList([f.version, f.algs, f.encap, ...f.extra, f.signerInfos]));
    writeFileSync(at(name), tlv(TAG.SEQUENCE, ctype!.raw, tlv(0xa0, signedData)));
    return name;
  }
  const signerInfo = () =>
    readChildren(readChildren(readWhole(readFileSync(at('a.p7s')), TAG.SEQUENCE, 'ContentInfo').value)[1]!.value)
      .flatMap((sd) => readChildren(sd.value))
      .at(-1)!;
  const firstSignerInfo = () => readChildren(signerInfo().value)[0]!;

  const cases: [string, () => string, RegExp][] = [
    [
      '130,000 tiny certificates (263 KB)',
      () => rebuild('certs.p7s', (f) => f.extra.push(tlv(0xa0, repeat(Uint8Array.of(0x30, 0), 130_000)))),
      /more than 64 certificates/,
    ],
    [
      '3,000 SignerInfos',
      () => rebuild('signers.p7s', (f) => (f.signerInfos = tlv(0x31, repeat(firstSignerInfo().raw, 3000)))),
      /more than 16 SignerInfos/,
    ],
    [
      '130,000 revocation entries',
      () => rebuild('crls.p7s', (f) => f.extra.push(tlv(0xa1, repeat(Uint8Array.of(0x30, 0), 130_000)))),
      /more than 64 revocation entries/,
    ],
    [
      'one certificate of 60,000 elements',
      () => rebuild('bigcert.p7s', (f) => f.extra.push(tlv(0xa0, tlv(TAG.SEQUENCE, repeat(Uint8Array.of(0x05, 0), 60_000))))),
      /more than 50000 ASN\.1 elements/,
    ],
    [
      '60,000 digest algorithms',
      () => rebuild('algs.p7s', (f) => (f.algs = tlv(0x31, repeat(Uint8Array.of(0x30, 0), 60_000)))),
      /more than 50000 ASN\.1 elements/,
    ],
    [
      'a certificate nested 100,000 levels deep',
      () =>
        rebuild('deep.p7s', (f) =>
          f.extra.push(
            concatList([Uint8Array.of(0xa0, 0x80), repeat(Uint8Array.of(0x30, 0x80), 100_000), repeat(Uint8Array.of(0, 0), 100_001)]),
          ),
        ),
      /nested too deeply/,
    ],
  ];
  const attrs = () =>
    rebuild('attrs.p7s', (f) => {
      const si = firstSignerInfo();
      const attribute = tlv(TAG.SEQUENCE, concatList([Uint8Array.of(0x06, 0x03, 0x2a, 0x03, 0x04), tlv(0x31, Uint8Array.of(0x05, 0))]));
      f.signerInfos = tlv(0x31, tlv(TAG.SEQUENCE, concatList([si.value, tlv(0xa1, repeat(attribute, 100))])));
    });
  const verdicts = refusalCases(cases, () => [attrs()], ['--key', at('k.pub'), '--content', at('a.bin')]);

  it('a SignerInfo with 100 unsigned attributes: verify refuses it (exit 2), inspect shows why', () => {
    const file = 'attrs.p7s';
    const why = /has 100 unsigned attributes; at most 64/;
    expectVerdictRefused(verdicts().get(file)!, file, why);
    const shown = run(['inspect', file, '--json']); // inspect verifies nothing: it reports each SignerInfo's problem
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).signerInfos[0].error).toMatch(why);
  });
});

describe('COSE_Sign1 floods', () => {
  /** a.cose with its headers replaced: `unprotected` a map, `protectedMap` encoded into the bstr */
  function rebuild(name: string, o: { unprotected?: Map<unknown, unknown>; protectedMap?: Map<unknown, unknown> }): string {
    const tag = cbor.decode(new Uint8Array(readFileSync(at('a.cose'))), { preferMap: true }) as cbor.Tag;
    const items = tag.contents as unknown[];
    if (o.protectedMap) items[0] = cbor.encode(o.protectedMap);
    if (o.unprotected) items[1] = o.unprotected;
    writeFileSync(at(name), cbor.encode(new cbor.Tag(18, items)));
    return name;
  }
  const many = (n: number, value: unknown = 0) => new Map(Array.from({ length: n }, (_, i) => [i + 100, value]));
  const cases: [string, () => string, RegExp][] = [
    [
      'an unprotected header of 50,000 entries',
      () => rebuild('map.cose', { unprotected: many(50_000) }),
      /unprotected header has more than 1024 CBOR data items/,
    ],
    [
      'an unprotected header holding a 200,000-item array',
      () => rebuild('array.cose', { unprotected: new Map([[100, new Array(200_000).fill(0)]]) }),
      /unprotected header has more than 1024 CBOR data items/,
    ],
    [
      'a protected header of 2,000 entries',
      () => rebuild('prot.cose', { protectedMap: new Map([[1, -49], ...many(2000)]) }),
      /protected header has more than 1024 CBOR data items/,
    ],
    [
      'an unprotected header nested 500 levels deep',
      () => rebuild('deep.cose', { unprotected: new Map([[100, JSON.parse(nested(500))]]) }),
      /unprotected header is not valid CBOR \(Maximum depth/,
    ],
  ];
  const verdicts = refusalCases(cases, () => [deepJws()], ['--key', at('k.pub')]);

  it('a JWS header nested 2,000 levels deep (within the 16 KiB header cap): verify and inspect refuse it (exit 2)', () => {
    const why = /JOSE header is nested more than 64 levels deep/;
    expectVerdictRefused(verdicts().get('deep.jws')!, 'deep.jws', why);
    expectRefused(run(['inspect', 'deep.jws']), 'deep.jws', why);
  });
});

/** a.jws with a header nested 2,000 levels deep (within the 16 KiB header cap) */
function deepJws(): string {
  const [h, p, s] = readFileSync(at('a.jws'), 'utf8').split('.');
  const header = Buffer.from(h!, 'base64url').toString('utf8');
  writeFileSync(at('deep.jws'), `${Buffer.from(`${header.slice(0, -1)},"x":${nested(2_000)}}`).toString('base64url')}.${p}.${s}`);
  return 'deep.jws';
}

describe('JOSE nesting (the JWS header: with the COSE floods above)', () => {
  it('JWT claims nested 20,000 levels deep: jwt sign refuses them, jwt verify refuses a token carrying them (exit 2)', async () => {
    writeFileSync(at('deep-claims.json'), `{"sub":"x","x":${nested(20_000)}}`);
    const signed = run(['jwt', 'sign', '--claims', 'deep-claims.json', '--key', 'k.pem']);
    expect(signed.stderr).not.toMatch(/internal error/);
    expect(signed.code).toBe(2);
    expect(signed.stderr).toMatch(/nest at most 64 levels/);
    const token = await jwtOf({ sub: 'x' }, at('k.pem'));
    const [h, , s] = token.split('.');
    writeFileSync(at('deep.jwt'), `${h}.${Buffer.from(`{"sub":"x","x":${nested(20_000)}}`).toString('base64url')}.${s}`);
    const r = run(['jwt', 'verify', '@deep.jwt', '--key', 'k.pub']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JWT claims set is nested more than 64 levels deep/);
  });
});

describe('attestation bundles', () => {
  /** one envelope line signed with k.pem over a statement of `subjects` subjects (and `extra` fields) */
  async function envelopeLine(subjects: number, extraJson = ''): Promise<string> {
    const signer = await loadSigner(at('k.pem'));
    const list = Array.from({ length: subjects }, (_, i) => ({
      name: `dist/packages/component-${String(i).padStart(6, '0')}/release-artifact.tar.gz`,
      digest: { sha256: 'ab'.repeat(32), sha512: 'cd'.repeat(64) },
    }));
    const statement = JSON.stringify(buildStatement(list, 'https://example.com/predicate/v1', {}));
    // extra members spliced in as text: JSON.stringify itself overflows on deep nesting
    const text = extraJson ? `${statement.slice(0, -1)},${extraJson}}` : statement;
    return encodeEnvelope(await signEnvelope(INTOTO_PAYLOAD_TYPE, new TextEncoder().encode(text), signer));
  }

  it(`a single 49 MB line is refused at ${MAX_LINE_BYTES} bytes with memory flat (exit 2)`, () => {
    writeFileSync(at('long.intoto.jsonl'), `{"payload":"${'A'.repeat(49 * 1024 * 1024)}"}\n`);
    const r = pqsignMeasured(['verify-attestation', at('long.intoto.jsonl'), '--key', at('k.pub')]);
    expectRefused(r, 'long.intoto.jsonl', new RegExp(`line 1 is longer than ${MAX_LINE_BYTES} bytes`));
    expect(r.maxRssMiB).toBeLessThan(150); // was 387 MB: the line was held whole up to 256 MiB
  });

  it('the largest line accepted verifies within bounded memory', async () => {
    let n = 21_500;
    let line = await envelopeLine(n);
    while (line.length > MAX_LINE_BYTES) line = await envelopeLine((n = Math.floor((n * MAX_LINE_BYTES) / line.length) - 10));
    writeFileSync(at('largest.intoto.jsonl'), `${line}\n`);
    const r = pqsignMeasured([
      'verify-attestation',
      at('largest.intoto.jsonl'),
      '--key',
      at('k.pub'),
      '--predicate-type',
      'https://example.com/predicate/v1',
    ]);
    expect(r.code, r.stderr).toBe(0);
    console.log(
      `verify-attestation of one ${(line.length / 1024 / 1024).toFixed(1)} MiB line (${n} subjects): peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
    );
    expect(r.maxRssMiB).toBeLessThan(250);
  });

  it('more than 10,000 envelopes are refused (exit 2)', () => {
    writeFileSync(at('many.intoto.jsonl'), '{}\n'.repeat(10_001));
    expectRefused(run(['verify-attestation', 'many.intoto.jsonl', '--key', 'k.pub']), 'many.intoto.jsonl', /has more than 10000 envelopes/);
  });

  it('a signed statement nested 20,000 levels deep is refused, not a crash (exit 2)', async () => {
    writeFileSync(at('deep.intoto.jsonl'), `${await envelopeLine(1, `"x":${nested(20_000)}`)}\n`);
    const r = run(['verify-attestation', 'deep.intoto.jsonl', '--key', 'k.pub']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/deep\.intoto\.jsonl: .*payload is nested more than 64 levels deep/);
  });

  it('attest refuses, before signing, an envelope larger than verify-attestation accepts (exit 2)', () => {
    writeFileSync(at('big-predicate.json'), JSON.stringify({ notes: 'x'.repeat(7 * 1024 * 1024) }));
    const r = run([
      'attest',
      'a.bin',
      '--key',
      'k.pem',
      '--predicate',
      'big-predicate.json',
      '--predicate-type',
      'https://example.com/p/v1',
      '--out',
      'big.intoto.jsonl',
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/1 subjects make an envelope of 9\.\d MiB, more than the 8\.0 MiB verify-attestation accepts/);
  });
});
