// The public library (lib/index.ts, `import 'pqsign'`): sign and verify in-process with paths, bytes and
// streams as inputs, outputs to a path or returned. What needs the built package (its entry, memory of a
// signing process) is in test/cli/library-package.test.ts.
import { Readable } from 'node:stream';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as pqsign from '../../../lib/index.js';
import { flipByte, tempDir } from '../../support/helpers.js';

const dir = tempDir('pqsign-lib-');
// temporary files of this file's calls land in a directory of its own (vitest runs files in parallel)
process.env.TMPDIR = tempDir('pqsign-lib-tmp-');
const kp = pqsign.generateKeyPair('ML-DSA-44');
const signer = pqsign.signerFromKey(kp.privateKey);
const payload = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff); // more than one chunk of a small read
const artifact = join(dir, 'firmware.bin');
writeFileSync(artifact, payload);

/** A Node Readable yielding the payload in uneven pieces. */
const nodeStream = (bytes = payload) =>
  Readable.from(
    (function* () {
      for (let at = 0, n = 1; at < bytes.length; at += n, n = Math.min(n * 7, 1 << 20)) yield Buffer.from(bytes.subarray(at, at + n));
    })(),
  );
const webStream = (bytes = payload) => Readable.toWeb(nodeStream(bytes)) as unknown as ReadableStream<Uint8Array>;

const spoolDirs = () =>
  readdirSync(tmpdir())
    .filter((n) => n.startsWith('pqsign-tmp-'))
    .sort(); // src/io/source.ts privateTempDir

describe('sign and verify in-process', () => {
  it("a path into a raw signature file, verified with the key pair's public key", async () => {
    const out = await pqsign.sign({ artifact, key: signer, output: `${artifact}.sig` });
    expect(out).toMatchObject({
      file: artifact,
      output: `${artifact}.sig`,
      container: undefined,
      format: 'raw',
      algorithm: 'ML-DSA-44',
      keyFingerprint: kp.keyFingerprint,
      bytes: payload.length,
    });
    expect(readFileSync(`${artifact}.sig`).length).toBe(out.signatureBytes);
    const v = await pqsign.verify({ input: artifact, keys: kp.publicKey });
    expect(v).toMatchObject({ format: 'raw', signature: `${artifact}.sig`, keyFingerprint: kp.keyFingerprint });
  });

  it('bytes into a COSE container returned as bytes; the container verifies as bytes, a changed one does not', async () => {
    const out = await pqsign.sign({ artifact: payload, key: signer, format: 'cose' });
    expect(out.output).toBeUndefined();
    expect(out.file).toBe('<bytes>');
    const v = await pqsign.verify({ input: out.container!, keys: kp.publicKey, name: 'fw.cose' });
    expect(v).toMatchObject({ format: 'cose', file: 'fw.cose', keyFingerprint: kp.keyFingerprint });
    const bad = flipByte(Uint8Array.from(out.container!), 1000);
    const e = await pqsign.verify({ input: bad, keys: kp.publicKey, name: 'fw.cose' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(pqsign.PqsignError);
    expect(e).toMatchObject({ code: 'ERR_SIGNATURE_INVALID', file: 'fw.cose' });
    expect(String((e as Error).message)).not.toContain(tmpdir()); // the temporary file is never named
  });

  it('a Node stream of declared size, attached JWS: one pass, nothing spooled, the same container as from the file', async () => {
    const before = spoolDirs();
    let progress = 0;
    const fromStream = await pqsign.sign({
      artifact: nodeStream(),
      size: payload.length,
      key: signer,
      format: 'jws',
      output: join(dir, 's.jws'),
      onProgress: (e) => (progress = e.done),
    });
    expect(progress).toBe(payload.length);
    expect(spoolDirs()).toEqual(before);
    await pqsign.sign({ artifact, key: signer, format: 'jws', output: join(dir, 'f.jws') });
    // JWS is deterministic in its layout; ML-DSA signatures are hedged, so compare the payload segments
    const segments = (f: string) => readFileSync(f, 'latin1').split('.');
    expect(segments(join(dir, 's.jws')).slice(0, 2)).toEqual(segments(join(dir, 'f.jws')).slice(0, 2));
    expect(fromStream.bytes).toBe(payload.length);
    await pqsign.verify({ input: join(dir, 's.jws'), keys: kp.publicKey });
  });

  it('a web stream of unknown size is spooled to a private temporary file, removed afterwards', async () => {
    const before = spoolDirs();
    const out = await pqsign.sign({ artifact: webStream(), key: signer, format: 'cms', options: { attached: true }, name: 'fw.bin' });
    expect(spoolDirs()).toEqual(before);
    expect(out).toMatchObject({ file: 'fw.bin', bytes: payload.length, format: 'cms' });
    await pqsign.verify({ input: out.container!, keys: kp.publicKey });
  });

  it('a detached signature over a stream verifies against the file; a stream shorter than declared writes nothing', async () => {
    await pqsign.sign({
      artifact: nodeStream(),
      size: payload.length,
      key: signer,
      output: join(dir, 'd.sig'),
      context: new TextEncoder().encode('fw'),
    });
    await pqsign.verify({
      input: nodeStream(),
      signature: join(dir, 'd.sig'),
      keys: [kp.publicKey],
      context: new TextEncoder().encode('fw'),
    });
    const e = await pqsign
      .sign({ artifact: nodeStream(payload.subarray(1)), size: payload.length, key: signer, output: join(dir, 'short.sig') })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ERR_FILE', file: '<stream>' });
    expect((e as Error).message).toContain(`declared as ${payload.length} bytes`);
    expect(existsSync(join(dir, 'short.sig'))).toBe(false);
  });

  it('a stream can be read once: a second sign of it is a usage error, not an empty signature', async () => {
    const s = nodeStream();
    await pqsign.sign({ artifact: s, size: payload.length, key: signer });
    await expect(pqsign.sign({ artifact: s, size: payload.length, key: signer })).rejects.toMatchObject({ code: 'ERR_FILE' });
  });

  it('no trust input is a usage error; the wrong key is ERR_SIGNATURE_INVALID', async () => {
    await expect(pqsign.verify({ input: artifact })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    const other = pqsign.generateKeyPair('ML-DSA-44');
    await expect(pqsign.verify({ input: artifact, keys: other.publicKey })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });

  it('keys: PEM round trip (encrypted too), fingerprints, and a key reference as `key`', async () => {
    const pem = pqsign.encodePrivateKey(kp.privateKey, { passphrase: 'correct horse' }) as string;
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    writeFileSync(join(dir, 'k.pem'), pem, { mode: 0o600 });
    const passphrase = () => 'correct horse';
    const loaded = await pqsign.loadKey(join(dir, 'k.pem'), { passphrase });
    expect(loaded.kind).toBe('private');
    const pub = await pqsign.encodePublicKey(kp.publicKey, 'pem');
    writeFileSync(join(dir, 'k.pub'), pub);
    expect(pqsign.keyFingerprint((await pqsign.loadPublicKey(join(dir, 'k.pub'))).publicKey)).toBe(kp.keyFingerprint);
    const out = await pqsign.sign({ artifact: payload, key: join(dir, 'k.pem'), keyOptions: { passphrase } });
    expect(out.keyFingerprint).toBe(kp.keyFingerprint);
  });

  it('inspect reads a container without a key', async () => {
    const out = await pqsign.sign({ artifact: payload, key: signer, format: 'cose' });
    expect(await pqsign.inspect(out.container!)).toMatchObject({ format: 'cose', algorithm: 'ML-DSA-44' });
  });
});

describe("checks that read the artifact see a stream's content too", () => {
  it("raw with the empty context refuses a stream that is another protocol's signing input (a JWS signing input), as it refuses the file", async () => {
    const jwsInput = new TextEncoder().encode(
      `${Buffer.from('{"alg":"ML-DSA-44"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`,
    );
    writeFileSync(join(dir, 'tbs'), jwsInput);
    for (const artifact of [join(dir, 'tbs'), jwsInput, Readable.from([Buffer.from(jwsInput)])]) {
      await expect(pqsign.sign({ artifact, size: jwsInput.length, key: signer })).rejects.toMatchObject({
        code: 'ERR_USAGE',
        detail: 'structured-input',
      });
    }
    // with a context the bytes are no other protocol's message: signed, from the stream in one pass
    const ok = await pqsign.sign({
      artifact: Readable.from([Buffer.from(jwsInput)]),
      size: jwsInput.length,
      key: signer,
      context: Uint8Array.of(1),
    });
    expect(ok.bytes).toBe(jwsInput.length);
  });
});

describe('a stream longer than its declared size', () => {
  it('is refused as soon as it passes the size, and nothing is written', async () => {
    const out = join(dir, 'long.cose');
    const e = await pqsign.sign({ artifact: nodeStream(), size: 1000, key: signer, format: 'cose', output: out }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ERR_FILE', file: '<stream>' });
    expect((e as Error).message).toContain('more than 1000');
    expect(existsSync(out)).toBe(false);
  });
});
