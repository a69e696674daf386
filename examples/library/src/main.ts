// pqsign in-process: a key pair, then one artifact signed three ways — from its path (a detached raw
// signature file), from bytes in memory (a COSE_Sign1 returned as bytes) and from a stream (an attached
// JWS written to a file) — and each verified. Exits non-zero if anything fails.
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isPqsignError,
  encodePrivateKey,
  encodePublicKey,
  generateKeyPair,
  inspect,
  sign,
  signerFromKey,
  verify,
  type SignOutput,
} from 'pqsign';

const dir = mkdtempSync(join(tmpdir(), 'pqsign-example-'));
const artifact = join(dir, 'app.bin');
writeFileSync(
  artifact,
  new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 13) & 0xff),
);

// A key pair; written out as PEM the way `pqsign keygen` writes it (the private key 0600).
const keys = generateKeyPair('ML-DSA-65');
writeFileSync(join(dir, 'key.pem'), encodePrivateKey(keys.privateKey), { mode: 0o600 });
writeFileSync(join(dir, 'key.pub'), await encodePublicKey(keys.publicKey));
const signer = signerFromKey(keys.privateKey);

const report = (how: string, s: SignOutput) =>
  console.log(
    `${how}: ${s.format} ${s.algorithm}, ${s.bytes} bytes signed, ${s.output ?? `${s.container!.length}-byte container in memory`}`,
  );

// 1. A path, signed by a key file: a raw signature beside it, found there by verify.
const fromPath = await sign({ artifact, key: join(dir, 'key.pem'), output: `${artifact}.sig` });
report('path', fromPath);
const v1 = await verify({ input: artifact, keys: join(dir, 'key.pub') });
console.log(`  verified ${v1.signature} (key sha256 ${v1.keyFingerprint})`);

// 2. Bytes: a COSE_Sign1 that embeds them, returned as bytes and verified as bytes.
const bytes = new TextEncoder().encode('{"release":"1.2.3"}');
const fromBytes = await sign({ artifact: bytes, key: signer, format: 'cose' });
report('bytes', fromBytes);
const v2 = await verify({ input: fromBytes.container!, name: 'release.cose', keys: keys.publicKey });
console.log(`  verified ${v2.file} (${v2.format})`);
console.log(`  inspect: ${JSON.stringify(await inspect(fromBytes.container!))}`);

// 3. A stream of known length: signed as it is read (one pass), into an attached JWS file.
const fromStream = await sign({
  artifact: createReadStream(artifact),
  size: statSync(artifact).size,
  name: 'app.bin (stream)',
  key: signer,
  format: 'jws',
  output: join(dir, 'app.jws'),
});
report('stream', fromStream);
const v3 = await verify({ input: join(dir, 'app.jws'), keys: keys.publicKey });
console.log(`  verified ${v3.file} (${v3.format})`);

// A failure is a PqsignError with a stable code: here the signature of a changed artifact.
writeFileSync(artifact, 'not the signed bytes');
try {
  await verify({ input: artifact, keys: keys.publicKey });
  throw new Error('a changed artifact verified');
} catch (e) {
  if (!isPqsignError(e) || e.code !== 'ERR_SIGNATURE_INVALID') throw e;
  console.log(`changed artifact: ${e.code} (${e.message})`);
}
rmSync(dir, { recursive: true, force: true });
