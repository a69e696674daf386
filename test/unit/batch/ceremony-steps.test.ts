// Offline ceremonies in this process (src/batch/ceremony.ts, what `pqsign tbs`, `sign-request` and `attach`
// call) for every registered format, with the oracle as the external signer for raw and uefi; what attach
// refuses; the generic inspect and strip (src/pipeline/container.ts). test/cli/ceremony.test.ts keeps the
// commands' flags, exit codes and one-line messages.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registeredFormats } from '../../../src/pipeline/registry.js';
import type { FormatOptions } from '../../../src/pipeline/format.js';
import { attachFile, signRequestFile, tbsFile } from '../../support/ceremony-steps.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { FIRMWARE, HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import { failure, inspectFile, signWith, stripFile, verifyWith } from '../../support/inproc.js';
import { writeKeyPair } from '../../support/keygen.js';

const dir = tempDir('pqsign-ceremony-unit-');
const key = join(dir, 'release.key.pem');
const pub = join(dir, 'release.pub.pem');
const otherKey = join(dir, 'other.key.pem');
const otherPub = join(dir, 'other.pub.pem');
const artifact = join(dir, 'fw.bin');

/** Format options each format needs to sign (a format registered later adds its line here). */
const SIGN_OPTIONS: Record<string, FormatOptions> = { uefi: { monotonicCount: '9' } as FormatOptions };
/** Formats whose output depends only on key, artifact and options: a deterministic ceremony equals `sign`. */
const BYTE_IDENTICAL = new Set(['raw', 'uefi']);

beforeAll(() => {
  writeKeyPair(key, pub, 'ML-DSA-65');
  writeKeyPair(otherKey, otherPub, 'ML-DSA-65');
  writeFileSync(artifact, readFileSync(FIRMWARE));
});

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

describe('every registered format: tbs → sign-request → attach, in process', () => {
  for (const format of registeredFormats()) {
    it(format.name, async () => {
      const options = SIGN_OPTIONS[format.name] ?? {};
      const req = join(dir, `${format.name}.req.json`);
      const sig = join(dir, `${format.name}.sig.bin`);
      const out = join(dir, `${format.name}.attached`);
      await tbsFile(artifact, pub, req, { format: format.name, options });
      const request = readJson(req);
      expect(request).toMatchObject({
        type: 'pqsign-signing-request',
        version: 1,
        format: format.name,
        algorithm: 'ML-DSA-65',
        artifact: { name: 'fw.bin', size: 262144 },
      });
      await signRequestFile(req, key, sig, { deterministic: true });
      expect(await attachFile(artifact, req, sig, out)).toMatchObject({ format: format.name, output: out });
      if (format.embedsPayload(request.options)) await verifyWith(out, pub);
      else await verifyWith(artifact, pub, { sig: out, format: format.name });
      if (BYTE_IDENTICAL.has(format.name)) {
        const direct = join(dir, `${format.name}.direct`);
        await signWith(artifact, key, { format: format.name, deterministic: true, out: direct, options });
        expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
      }
    });
  }
});

describe.skipIf(!HAVE_SHARED)('an external signer: the oracle signs, pqsign attaches (in process)', () => {
  it("raw with a context: μ matches the oracle's, the oracle's signature becomes the container", async () => {
    const req = join(dir, 'ext-raw.req.json');
    await tbsFile(artifact, pub, req, { context: '0a0b0c' });
    const request = readJson(req);
    expect(request.signingContext).toBe('0a0b0c');
    const mu = oracle(['mu', pub, artifact, '0a0b0c']);
    expect(mu.ok, mu.stderr).toBe(true);
    expect(request.mu).toBe(mu.stdout.trim());
    const sig = join(dir, 'ext-raw.sig');
    const s = oracle(['--impl', 'openssl35', 'sign', 'ML-DSA-65', key, artifact, sig, '0a0b0c']);
    expect(s.ok, s.stdout + s.stderr).toBe(true);
    const out = join(dir, 'ext-raw.out');
    await attachFile(artifact, req, sig, out);
    expect(readFileSync(out).equals(readFileSync(sig))).toBe(true);
    await verifyWith(artifact, pub, { sig: out, context: '0a0b0c' });
  });

  it('uefi: the oracle signs payload ‖ count with ctx = CertType, attach builds the image', async () => {
    const req = join(dir, 'ext-uefi.req.json');
    await tbsFile(artifact, pub, req, { format: 'uefi', options: { monotonicCount: '77' } as FormatOptions });
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
    await attachFile(artifact, req, sig, out);
    await verifyWith(out, pub);
    const img = readFileSync(out);
    expect(img.readBigUInt64LE(0)).toBe(77n);
    expect(img.subarray(32 + 1952, 32 + 1952 + 3309).equals(readFileSync(sig))).toBe(true);
  });
});
if (!HAVE_SHARED) console.warn(`SKIP external-signer ceremony: ${NO_SHARED}`);

describe('attach refuses, writing nothing (in process)', () => {
  const req = join(dir, 'neg.req.json');
  const sig = join(dir, 'neg.sig');
  beforeAll(async () => {
    await tbsFile(artifact, pub, req, { format: 'uefi', options: { monotonicCount: '5' } as FormatOptions });
    await signRequestFile(req, key, sig);
  });

  let n = 0;
  /** attach's outcome: 'ok', or the error with the exit code it stands for; never an output on failure */
  async function attachOutcome(opts: { file?: string; request?: string; signature?: string }) {
    const out = join(dir, `neg-${n++}.signed`);
    try {
      await attachFile(opts.file ?? artifact, opts.request ?? req, opts.signature ?? sig, out);
      return { exit: 0, message: '', file: '' };
    } catch (e) {
      const f = await failure(Promise.reject(e));
      expect(existsSync(out)).toBe(false);
      return { exit: exitOfCode(f.code), message: f.message, file: f.file ?? '' };
    }
  }
  const tamperedRequest = (edit: (r: Record<string, any>) => void) => {
    const f = join(dir, `neg-req-${n++}.json`);
    const r = readJson(req);
    edit(r);
    writeFileSync(f, JSON.stringify(r));
    return f;
  };

  it('accepts the untouched inputs, and hex or base64 signature text', async () => {
    expect((await attachOutcome({})).exit).toBe(0);
    const hexSig = join(dir, 'neg.sig.hex');
    writeFileSync(hexSig, `${readFileSync(sig).toString('hex')}\n`);
    expect((await attachOutcome({ signature: hexSig })).exit).toBe(0);
    const b64Sig = join(dir, 'neg.sig.b64');
    writeFileSync(b64Sig, readFileSync(sig).toString('base64'));
    expect((await attachOutcome({ signature: b64Sig })).exit).toBe(0);
  });

  it('a changed artifact (same size)', async () => {
    const changed = join(dir, 'changed.bin');
    const b = readFileSync(artifact);
    b[1000]! ^= 1;
    writeFileSync(changed, b);
    const r = await attachOutcome({ file: changed });
    expect(r.exit).toBe(2);
    expect(r.file).toBe(changed);
    expect(r.message).toMatch(/is not the artifact .* was made for \(sha256/);
  });

  it('an artifact of another size', async () => {
    const other = join(dir, 'other-size.bin');
    writeFileSync(other, randomBytes(10));
    const r = await attachOutcome({ file: other });
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/is 10 bytes, but .* was made for a 262144-byte artifact/);
  });

  it('a signature by another key', async () => {
    const badSig = join(dir, 'other-key.sig');
    // sign-request itself refuses a key that is not the request's
    const s = await failure(
      signRequestFile(
        tamperedRequest(() => undefined),
        otherKey,
        badSig,
      ),
    );
    expect(exitOfCode(s.code)).toBe(2);
    expect(s.message).toMatch(/was made for ML-DSA-65 key sha256 [0-9a-f]{64}, but/);
    expect(existsSync(badSig)).toBe(false);
    // a signature made elsewhere over the same μ with another key
    const req2 = join(dir, 'other.req.json');
    await tbsFile(artifact, otherPub, req2, { format: 'uefi', options: { monotonicCount: '5' } as FormatOptions });
    await signRequestFile(req2, otherKey, badSig);
    const r = await attachOutcome({ signature: badSig });
    expect(r.exit).toBe(1);
    expect(r.file).toBe(badSig);
    expect(r.message).toMatch(/does not verify over the request's μ/);
  });

  it('a signature of the wrong length or encoding', async () => {
    const short = join(dir, 'short.sig');
    writeFileSync(short, readFileSync(sig).subarray(1));
    const r = await attachOutcome({ signature: short });
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/is not an ML-DSA-65 signature: expected 3309 raw bytes/);
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
    it(`a request with ${what}`, async () => {
      const request = tamperedRequest(edit);
      const r = await attachOutcome({ request });
      expect(r.exit).toBe(2);
      expect(r.file).toBe(request);
      expect(r.message).toMatch(msg);
      expect(r.message).not.toContain('\n');
      expect(r.message.match(/not a valid pqsign signing request/g)?.length ?? 0, 'said once at most').toBeLessThanOrEqual(1);
    });
  }

  it('a request that is not JSON', async () => {
    const f = join(dir, 'not-json.json');
    writeFileSync(f, 'μ?');
    const r = await attachOutcome({ request: f });
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/not a valid pqsign signing request: not JSON/);
  });
});

describe('inspect and strip on any container (in process)', () => {
  it('a raw signature needs format raw; it has no payload to strip', async () => {
    const sig = join(dir, 'plain.sig');
    await signWith(artifact, key, { out: sig });
    const auto = await failure(inspectFile(sig));
    expect(exitOfCode(auto.code)).toBe(2);
    expect(auto.message).toMatch(/not a container pqsign recognises .*needs `format: raw`/);
    expect(await inspectFile(sig, 'raw')).toEqual({ algorithm: 'ML-DSA-65', signatureBytes: 3309 });
    const s = await failure(stripFile(sig, join(dir, 'x'), 'raw'));
    expect(exitOfCode(s.code)).toBe(2);
    expect(s.message).toMatch(/detached: there is no payload inside/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(exitOfCode((await failure(inspectFile(artifact, 'raw'))).code)).toBe(2); // 262144 bytes is no signature
  });

  it('strip writes the exact payload', async () => {
    const image = join(dir, 'strip.signed');
    await signWith(artifact, key, { format: 'uefi', options: { monotonicCount: '1' } as FormatOptions, out: image });
    const out = join(dir, 'strip.payload');
    expect(await stripFile(image, out)).toEqual({ bytes: 262144 });
    expect(readFileSync(out).equals(readFileSync(artifact))).toBe(true);
  });

  it('strip refuses a malformed image instead of guessing', async () => {
    const image = join(dir, 'strip-bad.signed');
    await signWith(artifact, key, { format: 'uefi', options: { monotonicCount: '1' } as FormatOptions, out: image });
    const b = readFileSync(image);
    b.writeUInt32LE(5286, 8);
    writeFileSync(image, b);
    const out = join(dir, 'strip-bad.payload');
    const r = await failure(stripFile(image, out));
    expect(exitOfCode(r.code)).toBe(2);
    expect(r.message).toMatch(/dwLength 5286 does not fit/);
    expect(existsSync(out)).toBe(false);
  });
});
