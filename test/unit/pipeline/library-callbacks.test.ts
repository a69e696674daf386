// The library talks to its caller through callbacks and settings, never the terminal or the environment
// (issue 14): progress to onProgress, passphrases from passphrase(), the ML-DSA back-end from
// setMlDsaBackend, attest's provenance from the env it is given.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, withEnv } from '../../support/helpers.js';
import { signFile } from '../../../src/pipeline/sign.js';
import { formatByName } from '../../../src/pipeline/registry.js';
import { loadSigner } from '../../../src/pipeline/keyref.js';
import { keygenFromSeed, mlDsaBackendChoice, setMlDsaBackend } from '../../../src/mldsa/mldsa.js';
import { DEFAULT_PARAM } from '../../../src/mldsa/params.js';
import { encodePkcs8 } from '../../../src/keys/pkcs8.js';
import { encryptPkcs8 } from '../../../src/keys/pbes2.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { resolvePredicate } from '../../../src/attest/attest.js';
import { setKmsClientSettings, kmsClientSettings } from '../../../src/kms/settings.js';
import type { ProgressEvent } from '../../../src/io/progress.js';

const dir = tempDir();

const seed = new Uint8Array(32).fill(7);
const kp = keygenFromSeed(DEFAULT_PARAM, seed);
const pkcs8 = encodePkcs8({ params: DEFAULT_PARAM, seed, secretKey: kp.secretKey, publicKey: kp.publicKey, form: 'seed' }, 'seed');
const encrypted = join(dir, 'enc.pem');
writeFileSync(encrypted, encodePem('ENCRYPTED PRIVATE KEY', encryptPkcs8(pkcs8, 'correct horse', 1000)));

describe('passphrase()', () => {
  it('an encrypted key without a passphrase callback is refused, never prompted for', async () => {
    await expect(loadSigner(encrypted)).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE',
      message: expect.stringMatching(/needs a passphrase/),
    });
  });

  it("the callback is asked with the key's name; a wrong answer is ERR_PASSPHRASE, the right one loads the key", async () => {
    const asked: Array<[string, boolean]> = [];
    const signer = await loadSigner(encrypted, { passphrase: (what, confirm) => (asked.push([what, confirm]), 'correct horse') });
    expect(signer.publicKey).toEqual(kp.publicKey);
    expect(asked).toEqual([[expect.stringContaining('enc.pem'), false]]);
    await expect(loadSigner(encrypted, { passphrase: async () => 'wrong' })).rejects.toMatchObject({ code: 'ERR_PASSPHRASE' });
    await expect(loadSigner(encrypted, { passphrase: () => '' })).rejects.toMatchObject({
      code: 'ERR_PASSPHRASE',
      message: 'empty passphrase',
    });
  });
});

describe('onProgress', () => {
  it('signing reports the bytes streamed, ending at the artifact size', async () => {
    const file = join(dir, 'artifact.bin');
    writeFileSync(file, new Uint8Array(3 * 1024 * 1024 + 5).fill(1));
    const events: ProgressEvent[] = [];
    const signer = await loadSigner(encrypted, { passphrase: () => 'correct horse' });
    await signFile(file, `${file}.sig`, formatByName('raw'), signer, {
      context: new Uint8Array([1]),
      formatOptions: {},
      onProgress: (e) => events.push(e),
    });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.label === file && e.unit === 'bytes' && e.total === 3 * 1024 * 1024 + 5)).toBe(true);
    expect(events.at(-1)!.done).toBe(3 * 1024 * 1024 + 5);
  });
});

describe('settings instead of environment variables', () => {
  const backend = mlDsaBackendChoice();
  const kms = kmsClientSettings();
  afterAll(() => {
    setMlDsaBackend(backend);
    setKmsClientSettings(kms);
  });

  it('the ML-DSA back-end is chosen by setMlDsaBackend; PQSIGN_MLDSA_BACKEND means nothing to the library', () => {
    withEnv({ PQSIGN_MLDSA_BACKEND: 'bogus' }, () => {
      expect(mlDsaBackendChoice()).toBe(backend);
      setMlDsaBackend('portable');
      expect(mlDsaBackendChoice()).toBe('portable');
      expect(() => setMlDsaBackend('fast' as never)).toThrow(/must be auto, native, mu, portable/);
    });
  });

  it('KMS retries and timeouts are settings, checked', () => {
    setKmsClientSettings({ maxAttempts: 2, requestTimeoutMs: 500 });
    expect(kmsClientSettings()).toEqual({ maxAttempts: 2, requestTimeoutMs: 500 });
    expect(() => setKmsClientSettings({ requestTimeoutMs: 0 })).toThrow(/`requestTimeoutMs` must be a positive integer/);
  });

  it('attest builds provenance from the env it is given, not from process.env', () => {
    withEnv({ GITHUB_ACTIONS: 'true' }, () => {
      // without an env the build is "not GitHub": the builder must be named
      expect(() => resolvePredicate({})).toThrow(/needs `builderId`/);
      expect(resolvePredicate({ provenance: { builderId: 'https://ci.example.com/b' } }).predicate).toMatchObject({
        runDetails: { builder: { id: 'https://ci.example.com/b' } },
      });
    });
  });
});
