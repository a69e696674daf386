// DSSE PAE and envelope parsing against answers nobody here computed: the DSSE spec's own example
// (protocol.md, ECDSA P-256) and the DSSE repository's test vectors (testvectors/vectors.json,
// Ed25519). Their signatures verify over the PAE bytes we build, so our PAE is byte-for-byte theirs.
// Also the in-toto Statement and SLSA provenance validators and the GitHub Actions mapping.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pae } from '../../../src/attest/pae.js';
import { decodeDsseBase64, encodeEnvelope, parseEnvelope, signEnvelope, verifyEnvelope } from '../../../src/attest/envelope.js';
import { parseStatement, validateStatement, STATEMENT_TYPE } from '../../../src/attest/statement.js';
import { buildProvenance, validateProvenance, workflowPath, GITHUB_WORKFLOW_BUILD_TYPE } from '../../../src/attest/slsa.js';
import { digestsMatch } from '../../../src/attest/verify.js';
import { subjectName } from '../../../src/attest/subjects.js';
import { LocalSigner } from '../../../src/mldsa/signer.js';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { PARAM_SETS } from '../../../src/mldsa/params.js';
import { PqsignError } from '../../../src/base/errors.js';
import { flipByte, hex } from '../../support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('PAE known answers (DSSE protocol.md)', () => {
  it('"hello world" example is byte-exact and its ECDSA P-256 signature verifies over our PAE', () => {
    const bytes = pae('http://example.com/HelloWorld', utf8('hello world'));
    expect(Buffer.from(bytes).toString('latin1')).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    // protocol.md "Test Vectors": the spec author's key and envelope
    const coord = (n: string) => Buffer.from(BigInt(n).toString(16).padStart(64, '0'), 'hex').toString('base64url');
    const key = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: coord('46950820868899156662930047687818585632848591499744589407958293238635476079160'),
        y: coord('5640078356564379163099075877009565129882514886557779369047442380624545832820'),
      },
      format: 'jwk',
    });
    const env = parseEnvelope(
      '{"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld", "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}',
    );
    const message = pae(env.payloadType, env.payload);
    expect(hex(message)).toBe(hex(bytes));
    expect(cryptoVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, env.signatures[0]!.sig)).toBe(true);
    // one flipped byte of PAE and the spec's signature no longer verifies: the check can fail
    flipByte(message, 7);
    expect(cryptoVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, env.signatures[0]!.sig)).toBe(false);
  });

  it('length fields count bytes, have no leading zeros, and an empty body ends with "0 "', () => {
    expect(Buffer.from(pae('', new Uint8Array(0))).toString('latin1')).toBe('DSSEv1 0  0 ');
    expect(
      Buffer.from(pae('ä', utf8('x'.repeat(100))))
        .toString('latin1')
        .slice(0, 16),
    ).toBe('DSSEv1 2 \xc3\xa4 100 ');
  });
});

// secure-systems-lab/dsse testvectors/vectors.json (Ed25519 key "A"): id, envelope fields, expected PAE hex.
const KEY_A = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const STATEMENT_B64 = 'eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==';
const PAE_INTOTO =
  '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d';
const VECTORS = [
  {
    id: 'single-signature',
    type: 'application/vnd.in-toto+json',
    payload: STATEMENT_B64,
    sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
    pae: PAE_INTOTO,
    accept: true,
  },
  {
    id: 'url-safe-base64',
    type: 'application/vnd.in-toto+json',
    payload: '-_-_Pj8=',
    sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==',
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf3e3f',
    accept: true,
  },
  {
    id: 'non-ascii-payload-type',
    type: 'application/vnd.exämple+json',
    payload: STATEMENT_B64,
    sig: 'xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==',
    pae: '445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d',
    accept: true,
  },
  {
    id: 'empty-payload',
    type: 'application/vnd.in-toto+json',
    payload: '',
    sig: 'gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==',
    pae: '445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020',
    accept: true,
  },
  {
    id: 'payload-type-swapped',
    type: 'application/vnd.example.other+json',
    payload: STATEMENT_B64,
    sig: '2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==',
    pae: PAE_INTOTO,
    accept: false,
  },
];

describe('DSSE repository test vectors (Ed25519, via node:crypto)', () => {
  const keyA = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(KEY_A, 'hex')]),
    format: 'der',
    type: 'spki',
  });
  for (const v of VECTORS) {
    it(`${v.id}: ${v.accept ? 'PAE matches and the signature verifies' : 'the signature does not cover the claimed type'}`, () => {
      const env = parseEnvelope(JSON.stringify({ payload: v.payload, payloadType: v.type, signatures: [{ sig: v.sig, keyid: 'A' }] }));
      const message = pae(env.payloadType, env.payload);
      expect(hex(message) === v.pae).toBe(v.accept);
      expect(cryptoVerify(null, message, keyA, env.signatures[0]!.sig)).toBe(v.accept);
    });
  }
});

describe('DSSE base64 (either alphabet, canonical)', () => {
  it('accepts standard and URL-safe, padded or not, to the same bytes', () => {
    for (const s of ['+/+/Pj8=', '-_-_Pj8=', '+/+/Pj8', '-_-_Pj8']) expect(hex(decodeDsseBase64(s, 'x'))).toBe('fbffbf3e3f');
    expect(decodeDsseBase64('', 'x').length).toBe(0);
  });
  it.each([
    ['+_mixed', 'mixes'],
    ['abd', 'canonical'], // unpadded is fine ('abc' is canonical), but 'd' leaves a stray bit set
    ['QQ=', 'padding'],
    ['QR==', 'canonical'], // "A" is QQ==; QR== has non-zero trailing bits
    ['QQ==\n', 'base64'],
    ['Q Q==', 'base64'],
    ['Q===', 'base64'],
  ])('rejects %j', (s, why) => {
    expect(() => decodeDsseBase64(s, 'payload')).toThrow(why === 'base64' ? /base64/ : new RegExp(why));
  });
});

describe('envelope structure is validated before any cryptography', () => {
  const good = { payloadType: 'application/vnd.in-toto+json', payload: STATEMENT_B64, signatures: [{ keyid: 'k', sig: 'QQ==' }] };
  it.each([
    ['not JSON', '{', /not JSON/],
    ['an array', '[]', /JSON object/],
    ['payloadType missing', JSON.stringify({ ...good, payloadType: undefined }), /payloadType/],
    ['payload a number', JSON.stringify({ ...good, payload: 5 }), /payload/],
    ['no signatures', JSON.stringify({ ...good, signatures: [] }), /signatures/],
    ['signature without sig', JSON.stringify({ ...good, signatures: [{ keyid: 'k' }] }), /sig/],
    ['keyid not a string', JSON.stringify({ ...good, signatures: [{ keyid: 1, sig: 'QQ==' }] }), /keyid/],
    ['sig not base64', JSON.stringify({ ...good, signatures: [{ sig: '***' }] }), /base64/],
    ['too many signatures', JSON.stringify({ ...good, signatures: Array(65).fill({ sig: 'QQ==' }) }), /at most 64/],
  ])('%s', (_name, text, message) => {
    const err = (() => {
      try {
        parseEnvelope(text);
      } catch (e) {
        return e;
      }
    })() as PqsignError;
    expect(err).toBeInstanceOf(PqsignError);
    expect(err.code).toBe('ERR_SIGNATURE_FORMAT');
    expect(err.message).toMatch(message);
  });
});

describe('ML-DSA envelopes (sign, encode, parse, verify)', () => {
  for (const params of PARAM_SETS) {
    it(`${params.name}: verifies with its key, not with another; any change is rejected`, async () => {
      const key = keygenFromSeed(params, new Uint8Array(32).fill(7));
      const other = keygenFromSeed(params, new Uint8Array(32).fill(8));
      const signer = new LocalSigner({ params, ...key } as never);
      const env = parseEnvelope(encodeEnvelope(await signEnvelope('application/vnd.in-toto+json', utf8('{"a":1}'), signer)));
      expect(env.signatures[0]!.sig.length).toBe(params.signatureBytes);
      expect(verifyEnvelope(env, { params, publicKey: key.publicKey }).index).toBe(0);
      expect(() => verifyEnvelope(env, { params, publicKey: other.publicKey })).toThrow(/does not verify/);
      expect(() => verifyEnvelope({ ...env, payloadType: 'application/json' }, { params, publicKey: key.publicKey })).toThrow(
        /does not verify/,
      );
      expect(() => verifyEnvelope({ ...env, payload: utf8('{"a":2}') }, { params, publicKey: key.publicKey })).toThrow(/does not verify/);
      // multi-signature: a foreign signature first, ours second, valid because one is by the key
      const foreign = { keyid: 'someone-else', sig: new Uint8Array(params.signatureBytes) };
      expect(verifyEnvelope({ ...env, signatures: [foreign, env.signatures[0]!] }, { params, publicKey: key.publicKey }).index).toBe(1);
    });
  }
});

describe('in-toto Statement v1', () => {
  const subject = { name: 'a.bin', digest: { sha256: 'a'.repeat(64) } };
  const ok = { _type: STATEMENT_TYPE, subject: [subject], predicateType: 'https://example.com/p/v1', predicate: {}, extension: 'ignored' };
  it('accepts a well-formed statement and ignores unknown fields', () => {
    expect(parseStatement(utf8(JSON.stringify(ok))).subject[0]!.name).toBe('a.bin');
  });
  it.each([
    ['v0.1 type', { ...ok, _type: 'https://in-toto.io/Statement/v0.1' }, /_type/],
    ['no subjects', { ...ok, subject: [] }, /non-empty/],
    ['digest not hex', { ...ok, subject: [{ name: 'a', digest: { sha256: 'A'.repeat(64) } }] }, /lowercase hex/],
    ['short sha512', { ...ok, subject: [{ name: 'a', digest: { sha512: 'a'.repeat(64) } }] }, /128/],
    ['empty digest', { ...ok, subject: [{ name: 'a', digest: {} }] }, /digest/],
    ['duplicate names', { ...ok, subject: [subject, subject] }, /twice/],
    ['predicateType not a URI', { ...ok, predicateType: 'slsa' }, /URI/],
    ['predicate an array', { ...ok, predicate: [] }, /predicate must be an object/],
  ])('rejects %s', (_n, json, message) => {
    expect(() => validateStatement(json)).toThrow(message);
  });
  it('rejects a payload that is not UTF-8 JSON', () => {
    expect(() => parseStatement(Uint8Array.of(0xff, 0xfe))).toThrow(/UTF-8 JSON/);
  });
});

describe('subject digests and names', () => {
  const file = { sha256: '1'.repeat(64), sha512: '2'.repeat(128), size: 1 };
  it('match when every accepted digest present is equal, and at least one is present', () => {
    expect(digestsMatch({ sha256: file.sha256 }, file)).toBe(true);
    expect(digestsMatch({ sha256: file.sha256, sha512: file.sha512, sha1: 'x' }, file)).toBe(true);
    expect(digestsMatch({ sha256: file.sha256, sha512: '3'.repeat(128) }, file)).toBe(false);
    expect(digestsMatch({ sha1: 'x' }, file)).toBe(false);
  });
  it('names are relative to the base directory with "/", and never leave it', () => {
    expect(subjectName('/r', '/r/dist/a.bin')).toBe('dist/a.bin');
    expect(() => subjectName('/r/dist', '/r/other/a.bin')).toThrow(/outside the base directory/);
  });
});

describe('SLSA provenance v1', () => {
  const GH = {
    GITHUB_ACTIONS: 'true',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octocat/hello-world',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'c27d339ee6075c1f744c5d4b200f7901aad2c369',
    GITHUB_WORKFLOW_REF: 'octocat/hello-world/.github/workflows/release.yml@refs/heads/main',
    GITHUB_RUN_ID: '1536140711',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    GITHUB_EVENT_NAME: 'workflow_dispatch',
    GITHUB_REPOSITORY_ID: '1296269',
    GITHUB_REPOSITORY_OWNER_ID: '583231',
  };
  it('maps the GitHub Actions environment onto the workflow/v1 build type', () => {
    expect(buildProvenance(GH, {})).toEqual({
      buildDefinition: {
        buildType: GITHUB_WORKFLOW_BUILD_TYPE,
        externalParameters: {
          workflow: { ref: 'refs/heads/main', repository: 'https://github.com/octocat/hello-world', path: '.github/workflows/release.yml' },
        },
        internalParameters: {
          github: {
            event_name: 'workflow_dispatch',
            repository_id: '1296269',
            repository_owner_id: '583231',
            runner_environment: 'github-hosted',
          },
        },
        resolvedDependencies: [
          {
            uri: 'git+https://github.com/octocat/hello-world@refs/heads/main',
            digest: { gitCommit: 'c27d339ee6075c1f744c5d4b200f7901aad2c369' },
          },
        ],
      },
      runDetails: {
        builder: { id: 'https://github.com/octocat/hello-world/.github/workflows/release.yml@refs/heads/main' },
        metadata: { invocationId: 'https://github.com/octocat/hello-world/actions/runs/1536140711/attempts/1' },
      },
    });
  });
  it('--builder-id overrides the builder on GitHub (reusable workflows); build flags are refused there', () => {
    const p = buildProvenance(GH, { builderId: 'https://github.com/org/builders/.github/workflows/b.yml@refs/tags/v1' }) as {
      runDetails: { builder: { id: string } };
    };
    expect(p.runDetails.builder.id).toBe('https://github.com/org/builders/.github/workflows/b.yml@refs/tags/v1');
    expect(() => buildProvenance(GH, { sourceUri: 'git+https://x/y' })).toThrow(/`sourceUri`/); // library terms; the CLI shows --source-uri
    expect(() => buildProvenance({ ...GH, GITHUB_SHA: '' }, {})).toThrow(/GITHUB_SHA/);
  });
  it('workflow path survives "@" in the path and the ref', () => {
    expect(workflowPath('o/r/.github/workflows/a@b.yml@refs/tags/v@1', 'o/r', 'refs/tags/v@1')).toBe('.github/workflows/a@b.yml');
    expect(() => workflowPath('x/y/w.yml@refs/heads/main', 'o/r', 'refs/heads/main')).toThrow(/does not start with/);
  });
  it('outside GitHub: --builder-id is required; source, entry point and times are recorded', () => {
    expect(() => buildProvenance({}, {})).toThrow(/needs `builderId` URI/);
    const p = buildProvenance(
      { GITHUB_ACTIONS: 'false' },
      {
        builderId: 'https://ci.example.com/runners/linux',
        sourceUri: 'git+https://git.example.com/fw@refs/tags/v2',
        sourceDigest: ['gitCommit:0123abcd'],
        entryPoint: 'make release',
        invocationId: 'build-77',
        startedOn: '2025-01-31T12:00:00+01:00',
        finishedOn: '2025-01-31T11:05:00Z',
      },
    );
    expect(p).toEqual({
      buildDefinition: {
        buildType: 'urn:pqsign:buildtype:generic:v1',
        externalParameters: { source: 'git+https://git.example.com/fw@refs/tags/v2', entryPoint: 'make release' },
        resolvedDependencies: [{ uri: 'git+https://git.example.com/fw@refs/tags/v2', digest: { gitCommit: '0123abcd' } }],
      },
      runDetails: {
        builder: { id: 'https://ci.example.com/runners/linux' },
        metadata: { invocationId: 'build-77', startedOn: '2025-01-31T11:00:00.000Z', finishedOn: '2025-01-31T11:05:00.000Z' },
      },
    });
    expect(() => buildProvenance({}, { builderId: 'not a uri' })).toThrow(/absolute URI/);
    expect(() => buildProvenance({}, { builderId: 'https://b', startedOn: 'yesterday' })).toThrow(/RFC 3339/);
    expect(() => buildProvenance({}, { builderId: 'https://b', sourceDigest: ['gitCommit:abc'] })).toThrow(/`sourceUri`/); // library terms; the CLI shows --source-uri
  });
  it('validator rejects a predicate without builder.id or buildType', () => {
    expect(() =>
      validateProvenance({ buildDefinition: { buildType: 'https://x', externalParameters: {} }, runDetails: { builder: {} } }),
    ).toThrow(/builder.id/);
    expect(() => validateProvenance({ buildDefinition: { externalParameters: {} }, runDetails: { builder: { id: 'https://b' } } })).toThrow(
      /buildType/,
    );
  });
});
