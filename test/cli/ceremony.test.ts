// Offline ceremonies (tbs → external signer → attach) for every registered format, with the oracle as
// the external signer for raw and uefi; plus the generic inspect / strip commands.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, pqsign, tempDir } from '../support/helpers.js';
import { writeKeyPair } from '../support/keygen.js';
import { registeredFormats } from '../../src/pipeline/registry.js';

const dir = tempDir('pqsign-ceremony-');
const key = join(dir, 'release.key.pem');
const pub = join(dir, 'release.pub.pem');
const otherKey = join(dir, 'other.key.pem');
const artifact = join(dir, 'fw.bin');

/** Format flags each format needs to sign (a format registered later adds its line here). */
const SIGN_ARGS: Record<string, string[]> = { uefi: ['--monotonic-count', '9'] };
/** Formats whose output depends only on key, artifact and options: a deterministic ceremony equals `sign`. */
const BYTE_IDENTICAL = new Set(['raw', 'uefi']);

beforeAll(() => {
  writeKeyPair(key, pub, 'ML-DSA-65');
  writeKeyPair(otherKey, undefined, 'ML-DSA-65');
  writeFileSync(artifact, readFileSync(FIRMWARE));
});

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

describe('every registered format: tbs → sign-request → attach', () => {
  for (const format of registeredFormats()) {
    it(format.name, () => {
      const extra = SIGN_ARGS[format.name] ?? [];
      const req = join(dir, `${format.name}.req.json`);
      const sig = join(dir, `${format.name}.sig.bin`);
      const out = join(dir, `${format.name}.attached`);
      let r = pqsign(['tbs', artifact, '--format', format.name, '--key', pub, '--out', req, ...extra]);
      expect(r.code, r.stderr).toBe(0);
      const request = readJson(req);
      expect(request).toMatchObject({
        type: 'pqsign-signing-request',
        version: 1,
        format: format.name,
        algorithm: 'ML-DSA-65',
        artifact: { name: 'fw.bin', size: 262144 },
      });
      r = pqsign(['sign-request', req, '--key', key, '--deterministic', '--out', sig]);
      expect(r.code, r.stderr).toBe(0);
      r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: format.name, output: out });
      const v = format.embedsPayload(request.options)
        ? pqsign(['verify', out, '--key', pub])
        : pqsign(['verify', artifact, '--sig', out, '--format', format.name, '--key', pub]);
      expect(v.code, v.stderr).toBe(0);
      if (BYTE_IDENTICAL.has(format.name)) {
        const direct = join(dir, `${format.name}.direct`);
        expect(pqsign(['sign', artifact, '--format', format.name, '--key', key, '--deterministic', '--out', direct, ...extra]).code).toBe(
          0,
        );
        expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
      }
    });
  }
});

describe.skipIf(!HAVE_SHARED)('an external signer: the oracle signs, pqsign attaches', () => {
  it("raw with a context: μ matches the oracle's, the oracle's signature becomes the container", () => {
    const req = join(dir, 'ext-raw.req.json');
    expect(pqsign(['tbs', artifact, '--key', pub, '--context', '0a0b0c', '--out', req]).code).toBe(0);
    const request = readJson(req);
    expect(request.signingContext).toBe('0a0b0c');
    const mu = oracle(['mu', pub, artifact, '0a0b0c']);
    expect(mu.ok, mu.stderr).toBe(true);
    expect(request.mu).toBe(mu.stdout.trim());
    const sig = join(dir, 'ext-raw.sig');
    const s = oracle(['--impl', 'openssl35', 'sign', 'ML-DSA-65', key, artifact, sig, '0a0b0c']);
    expect(s.ok, s.stdout + s.stderr).toBe(true);
    const out = join(dir, 'ext-raw.out');
    const r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).equals(readFileSync(sig))).toBe(true);
    expect(pqsign(['verify', artifact, '--sig', out, '--key', pub, '--context', '0a0b0c']).code).toBe(0);
  });

  it('uefi: the oracle signs payload ‖ count with ctx = CertType, attach builds the image', () => {
    const req = join(dir, 'ext-uefi.req.json');
    expect(pqsign(['tbs', artifact, '--format', 'uefi', '--monotonic-count', '77', '--key', pub, '--out', req]).code).toBe(0);
    const request = readJson(req);
    expect(request.options).toEqual({ monotonicCount: '77', uefiCertType: 'mldsa' });
    // the message and ctx as docs/formats/uefi.md defines them, built here
    const count = Buffer.alloc(8);
    count.writeBigUInt64LE(77n);
    const msg = join(dir, 'ext-uefi.msg');
    writeFileSync(msg, Buffer.concat([readFileSync(artifact), count]));
    const ctx = 'a69a9a2aa81f4e4c91142a5d086e5e56'; // ML-DSA-65 CertType, serialized
    expect(request.signingContext).toBe(ctx);
    expect(request.mu).toBe(oracle(['mu', pub, msg, ctx]).stdout.trim());
    const sig = join(dir, 'ext-uefi.sig');
    const s = oracle(['--impl', 'openssl40', 'sign', 'ML-DSA-65', key, msg, sig, ctx]);
    expect(s.ok, s.stdout + s.stderr).toBe(true);
    const out = join(dir, 'ext-uefi.signed');
    const r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(pqsign(['verify', out, '--key', pub]).code).toBe(0);
    const img = readFileSync(out);
    expect(img.readBigUInt64LE(0)).toBe(77n);
    expect(img.subarray(32 + 1952, 32 + 1952 + 3309).equals(readFileSync(sig))).toBe(true);
  });
});
if (!HAVE_SHARED) console.warn(`SKIP external-signer ceremony: ${NO_SHARED}`);

describe('attach refuses, writing nothing', () => {
  const req = join(dir, 'neg.req.json');
  const sig = join(dir, 'neg.sig');
  beforeAll(() => {
    expect(pqsign(['tbs', artifact, '--format', 'uefi', '--monotonic-count', '5', '--key', pub, '--out', req]).code).toBe(0);
    expect(pqsign(['sign-request', req, '--key', key, '--out', sig]).code).toBe(0);
  });

  let n = 0;
  function attach(opts: { file?: string; request?: string; signature?: string; out?: string }) {
    const out = opts.out ?? join(dir, `neg-${n++}.signed`);
    const r = pqsign([
      'attach',
      opts.file ?? artifact,
      '--request',
      opts.request ?? req,
      '--signature',
      opts.signature ?? sig,
      '--out',
      out,
    ]);
    if (r.code !== 0) expect(existsSync(out)).toBe(false);
    return r;
  }
  const tamperedRequest = (edit: (r: Record<string, any>) => void) => {
    const f = join(dir, `neg-req-${n++}.json`);
    const r = readJson(req);
    edit(r);
    writeFileSync(f, JSON.stringify(r));
    return f;
  };

  it('accepts the untouched inputs, and hex or base64 signature text', () => {
    expect(attach({}).code).toBe(0);
    const hexSig = join(dir, 'neg.sig.hex');
    writeFileSync(hexSig, `${readFileSync(sig).toString('hex')}\n`);
    expect(attach({ signature: hexSig }).code).toBe(0);
    const b64Sig = join(dir, 'neg.sig.b64');
    writeFileSync(b64Sig, readFileSync(sig).toString('base64'));
    expect(attach({ signature: b64Sig }).code).toBe(0);
  });

  it('a changed artifact (same size)', () => {
    const changed = join(dir, 'changed.bin');
    const b = readFileSync(artifact);
    b[1000]! ^= 1;
    writeFileSync(changed, b);
    const r = attach({ file: changed });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not the artifact .* was made for \(sha256/);
  });

  it('an artifact of another size', () => {
    const other = join(dir, 'other-size.bin');
    writeFileSync(other, randomBytes(10));
    const r = attach({ file: other });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is 10 bytes, but .* was made for a 262144-byte artifact/);
  });

  it('a signature by another key', () => {
    const badSig = join(dir, 'other-key.sig');
    const otherReq = tamperedRequest(() => undefined);
    // sign-request itself refuses a key that is not the request's
    const s = pqsign(['sign-request', otherReq, '--key', otherKey, '--out', badSig]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/was made for ML-DSA-65 key sha256 [0-9a-f]{64}, but/);
    // a signature made elsewhere over the same μ with another key
    const otherPub = join(dir, 'other.pub.pem');
    expect(pqsign(['pubkey', '--key', otherKey, '--out', otherPub]).code).toBe(0);
    const req2 = join(dir, 'other.req.json');
    expect(pqsign(['tbs', artifact, '--format', 'uefi', '--monotonic-count', '5', '--key', otherPub, '--out', req2]).code).toBe(0);
    expect(pqsign(['sign-request', req2, '--key', otherKey, '--out', badSig]).code).toBe(0);
    const r = attach({ signature: badSig });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not verify over the request's μ/);
  });

  it('a signature of the wrong length or encoding', () => {
    const short = join(dir, 'short.sig');
    writeFileSync(short, readFileSync(sig).subarray(1));
    const r = attach({ signature: short });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not an ML-DSA-65 signature: expected 3309 raw bytes/);
  });

  const requestCases: Array<[string, (r: Record<string, any>) => void, RegExp]> = [
    ['a changed count in the options (μ no longer matches)', (r) => (r.options.monotonicCount = '6'), /no longer yields the request's μ/],
    ['a changed μ', (r) => (r.mu = `00${r.mu.slice(2)}`), /no longer yields the request's μ/],
    [
      'a swapped public key',
      (r) => (r.publicKey = Buffer.from(randomBytes(1952)).toString('base64')),
      /"keyFingerprint" is not the SHA-256/,
    ],
    ['another version', (r) => (r.version = 2), /version 2 is not supported/],
    ['an unknown format', (r) => (r.format = 'nosuch'), /unknown format "nosuch"/],
    ['a format that is not a string', (r) => (r.format = 7), /"format" must be a string/],
    ['a malformed artifact hash', (r) => (r.artifact.sha256 = 'xyz'), /"artifact" must be/],
    ['uppercase hex', (r) => (r.mu = r.mu.toUpperCase()), /"mu" must be lowercase hex/],
  ];
  for (const [what, edit, msg] of requestCases) {
    it(`a request with ${what}`, () => {
      const r = attach({ request: tamperedRequest(edit) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.match(/not a valid pqsign signing request/g)?.length ?? 0, 'said once at most').toBeLessThanOrEqual(1);
    });
  }

  it('a request that is not JSON', () => {
    const f = join(dir, 'not-json.json');
    writeFileSync(f, 'μ?');
    const r = attach({ request: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a valid pqsign signing request: not JSON/);
  });

  it('an output that is one of the inputs', () => {
    const before = readFileSync(artifact);
    const r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', artifact]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is also an input/);
    expect(readFileSync(artifact).equals(before)).toBe(true);
  });

  it('tbs needs the same format flags as sign', () => {
    const r = pqsign(['tbs', artifact, '--format', 'uefi', '--key', pub, '--out', join(dir, 'nocount.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --monotonic-count/);
    expect(existsSync(join(dir, 'nocount.json'))).toBe(false);
  });
});

describe('inspect and strip on any container', () => {
  it('a raw signature needs --format raw; it has no payload to strip', () => {
    const sig = join(dir, 'plain.sig');
    expect(pqsign(['sign', artifact, '--key', key, '--out', sig]).code).toBe(0);
    const auto = pqsign(['inspect', sig]);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(/not a container pqsign recognises .*needs --format raw/);
    const r = pqsign(['inspect', sig, '--format', 'raw', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: sig, format: 'raw', algorithm: 'ML-DSA-65', signatureBytes: 3309 });
    const s = pqsign(['strip', sig, '--format', 'raw', '--out', join(dir, 'x')]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/detached: there is no payload inside/);
    expect(pqsign(['inspect', artifact, '--format', 'raw']).code).toBe(2); // 262144 bytes is no signature
  });

  it('strip never overwrites its input and writes the exact payload', () => {
    const image = join(dir, 'strip.signed');
    expect(pqsign(['sign', artifact, '--key', key, '--format', 'uefi', '--monotonic-count', '1', '--out', image]).code).toBe(0);
    const before = readFileSync(image);
    const r = pqsign(['strip', image, '--out', image]);
    expect(r.code).toBe(2);
    expect(readFileSync(image).equals(before)).toBe(true);
    const out = join(dir, 'strip.payload');
    const j = pqsign(['strip', image, '--out', out, '--json']);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ format: 'uefi', bytes: 262144 });
    expect(readFileSync(out).equals(readFileSync(artifact))).toBe(true);
  });

  it('strip refuses a malformed image instead of guessing', () => {
    const image = join(dir, 'strip-bad.signed');
    expect(pqsign(['sign', artifact, '--key', key, '--format', 'uefi', '--monotonic-count', '1', '--out', image]).code).toBe(0);
    const b = readFileSync(image);
    b.writeUInt32LE(5286, 8);
    writeFileSync(image, b);
    const out = join(dir, 'strip-bad.payload');
    const r = pqsign(['strip', image, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dwLength 5286 does not fit/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('--key-sha256 pins the signer for every format', () => {
  it('raw: a matching pin passes, another fails with exit 1, a malformed one is a usage error', () => {
    const sig = join(dir, 'pin.sig');
    expect(pqsign(['sign', artifact, '--key', key, '--out', sig]).code).toBe(0);
    const fp = JSON.parse(pqsign(['pubkey', '--key', pub, '--json']).stdout).keyFingerprint as string;
    expect(pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', fp]).code).toBe(0);
    const wrong = pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', 'ab'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/is not the SHA-256 of the --key key/);
    expect(pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', 'ab']).code).toBe(2);
  });
});
