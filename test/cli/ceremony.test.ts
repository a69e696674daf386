// Offline ceremonies through the command line (tbs → external signer → attach): the flags, exit codes and
// one-line messages of `pqsign tbs`, `sign-request`, `attach`, and the generic `inspect` / `strip`. What a
// ceremony makes and refuses for every format, with the oracle as the external signer, is tested in
// process: test/unit/batch/ceremony-steps.test.ts. Set-up files are made in process.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRequest, readRequest, signRequest } from '../../src/batch/ceremony.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { loadPublicKey, loadSigner } from '../../src/pipeline/keyref.js';
import { formatByName } from '../../src/pipeline/registry.js';
import type { FormatOptions } from '../../src/pipeline/format.js';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { signWith } from '../support/inproc.js';
import { writeKeyPair } from '../support/keygen.js';

const dir = tempDir('pqsign-ceremony-');
const key = join(dir, 'release.key.pem');
const pub = join(dir, 'release.pub.pem');
const otherKey = join(dir, 'other.key.pem');
const otherPub = join(dir, 'other.pub.pem');
const artifact = join(dir, 'fw.bin');

beforeAll(() => {
  writeKeyPair(key, pub, 'ML-DSA-65');
  writeKeyPair(otherKey, otherPub, 'ML-DSA-65');
  writeFileSync(artifact, readFileSync(FIRMWARE));
});

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/** `pqsign tbs FILE --key PUB --format uefi --monotonic-count N --out OUT`, then `sign-request` with KEY, in process. */
async function uefiRequestAndSignature(pubRef: string, keyRef: string, req: string, sig: string): Promise<void> {
  const options = { monotonicCount: '5' } as FormatOptions;
  const r = await createRequest(artifact, formatByName('uefi'), await loadPublicKey(pubRef), new Uint8Array(0), options);
  writeFileSync(req, JSON.stringify(r));
  const signer = await loadSigner(keyRef);
  try {
    writeFileSync(sig, await signRequest(await readRequest(req), signer, req));
  } finally {
    await signer.close?.();
  }
}

describe('tbs → sign-request → attach', () => {
  it('raw with --context through the command line: the container is the one sign --deterministic makes', () => {
    const req = join(dir, 'raw.req.json');
    const sig = join(dir, 'raw.sig.bin');
    const out = join(dir, 'raw.attached');
    let r = pqsign(['tbs', artifact, '--key', pub, '--context', '0a0b0c', '--out', req]);
    expect(r.code, r.stderr).toBe(0);
    expect(readJson(req)).toMatchObject({ type: 'pqsign-signing-request', format: 'raw', algorithm: 'ML-DSA-65', context: '0a0b0c' });
    r = pqsign(['sign-request', req, '--key', key, '--deterministic', '--out', sig]);
    expect(r.code, r.stderr).toBe(0);
    r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, format: 'raw', output: out });
    expect(pqsign(['verify', artifact, '--sig', out, '--key', pub, '--context', '0a0b0c']).code).toBe(0);
    const direct = join(dir, 'raw.direct');
    expect(pqsign(['sign', artifact, '--key', key, '--deterministic', '--context', '0a0b0c', '--out', direct]).code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(direct))).toBe(true);
  });

  it('tbs takes the format flags sign takes, and needs the same ones', () => {
    const req = join(dir, 'uefi.req.json');
    const ok = pqsign(['tbs', artifact, '--format', 'uefi', '--monotonic-count', '77', '--key', pub, '--out', req]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readJson(req).options).toEqual({ monotonicCount: '77', uefiCertType: 'mldsa' });
    const r = pqsign(['tbs', artifact, '--format', 'uefi', '--key', pub, '--out', join(dir, 'nocount.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --monotonic-count/);
    expect(existsSync(join(dir, 'nocount.json'))).toBe(false);
  });
});

describe('attach refuses in one line, writing nothing', () => {
  const req = join(dir, 'neg.req.json');
  const sig = join(dir, 'neg.sig');
  beforeAll(() => uefiRequestAndSignature(pub, key, req, sig));

  let n = 0;
  function attach(opts: { file?: string; request?: string; signature?: string }) {
    const out = join(dir, `neg-${n++}.signed`);
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
    expect(r.code).not.toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r;
  }

  it('a changed artifact (same size): exit 2, naming the artifact', () => {
    const changed = join(dir, 'changed.bin');
    const b = readFileSync(artifact);
    b[1000]! ^= 1;
    writeFileSync(changed, b);
    const r = attach({ file: changed });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pqsign: \S+changed\.bin: is not the artifact .* was made for \(sha256/);
  });

  it('a signature by another key: sign-request refuses the key (exit 2); attach refuses its signature (exit 1)', async () => {
    const badSig = join(dir, 'other-key.sig');
    const s = pqsign(['sign-request', req, '--key', otherKey, '--out', badSig]);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/was made for ML-DSA-65 key sha256 [0-9a-f]{64}, but/);
    expect(existsSync(badSig)).toBe(false);
    await uefiRequestAndSignature(otherPub, otherKey, join(dir, 'other.req.json'), badSig);
    const r = attach({ signature: badSig });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^pqsign: \S+other-key\.sig: does not verify over the request's μ/);
  });

  it('a malformed request: exit 2, said once', () => {
    const f = join(dir, 'v2.req.json');
    writeFileSync(f, JSON.stringify({ ...readJson(req), version: 2 }));
    const r = attach({ request: f });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/v2\.req\.json: .*version 2 is not supported/);
    expect(r.stderr.match(/not a valid pqsign signing request/g)?.length ?? 0, 'said once at most').toBeLessThanOrEqual(1);
  });

  it('an output that is one of the inputs', () => {
    const before = readFileSync(artifact);
    const r = pqsign(['attach', artifact, '--request', req, '--signature', sig, '--out', artifact]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is also an input/);
    expect(readFileSync(artifact).equals(before)).toBe(true);
  });
});

describe('inspect and strip on any container', () => {
  it('a raw signature needs --format raw', async () => {
    const sig = join(dir, 'plain.sig');
    await signWith(artifact, key, { out: sig });
    const auto = pqsign(['inspect', sig]);
    expect(auto.code).toBe(2);
    expect(auto.stderr).toMatch(/not a container pqsign recognises .*needs --format raw/);
    const r = pqsign(['inspect', sig, '--format', 'raw', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: sig, format: 'raw', algorithm: 'ML-DSA-65', signatureBytes: 3309 });
  });

  it('strip never overwrites its input and writes the exact payload', async () => {
    const image = join(dir, 'strip.signed');
    await signWith(artifact, key, { format: 'uefi', options: { monotonicCount: '1' } as FormatOptions, out: image });
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
});

describe('--key-sha256 pins the signer for every format', () => {
  it('raw: a matching pin passes, another fails with exit 1, a malformed one is a usage error', async () => {
    const sig = join(dir, 'pin.sig');
    await signWith(artifact, key, { out: sig });
    const fp = keyFingerprint((await loadPublicKey(pub)).publicKey);
    expect(pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', fp]).code).toBe(0);
    const wrong = pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', 'ab'.repeat(32)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/is not the SHA-256 of the --key key/);
    expect(pqsign(['verify', artifact, '--sig', sig, '--key', pub, '--key-sha256', 'ab']).code).toBe(2);
  });
});
