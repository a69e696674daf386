// The overwrite rule (README "Overwriting files", src/io/outputs.ts) in every command that writes:
// an output is never an input or another output of the same run (by device and inode), an existing
// file is replaced only with --force, except that sign/attach replace an earlier signature in the same
// format; --out-dir is created. Each case checks that nothing was written when the run was refused. Keys,
// certificates and earlier signatures that are a case's input are made in this process.
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkOutputs } from '../../src/io/outputs.js';
import { FIRMWARE, pqsign, tempDir } from '../support/helpers.js';
import { createCaFile, signWith, verifyWith, writeKeyPair } from '../support/inproc.js';
import { signRequestFile, tbsFile } from '../support/ceremony-steps.js';
import { readCertificates } from '../../src/pki/cert-file.js';

const dir = tempDir('pqsign-outputs-');
const at = (...p: string[]) => join(dir, ...p);
const run = (args: string[]) => pqsign(args, { cwd: dir });
const key = at('k.pem');
const pub = at('k.pub');
const artifact = at('f.bin');

beforeAll(() => {
  writeKeyPair(key, pub, 'ML-DSA-44');
  writeFileSync(artifact, readFileSync(FIRMWARE));
});

/** The run was refused with one line, exit 2, and the listed files kept their bytes (or stayed absent). */
function refused(args: string[], message: RegExp, files: string[]) {
  const before = files.map((f) => (existsSync(f) ? readFileSync(f) : undefined));
  const r = run(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  files.forEach((f, i) => {
    if (before[i] === undefined) expect(existsSync(f), `${f} was created`).toBe(false);
    else expect(readFileSync(f).equals(before[i]!), `${f} was changed`).toBe(true);
  });
  return r;
}

describe('an output is never an input, nor written twice', () => {
  it('sign f.bin --out f.bin keeps the artifact', () => {
    refused(['sign', artifact, '--key', key, '--out', artifact], /f\.bin: is also an input; inputs are never modified/, [artifact]);
  });

  it('the same file under another name: a hard link, a symbolic link, ./', () => {
    linkSync(artifact, at('hard.bin'));
    symlinkSync(artifact, at('soft.bin'));
    for (const out of [at('hard.bin'), at('soft.bin'), `${dir}/./f.bin`]) {
      refused(['sign', artifact, '--key', key, '--out', out, '--force'], /is also an input \(.*f\.bin\)/, [artifact]);
    }
  });

  it('keygen --out kk.pem --pub kk.pem writes nothing (the private key is not lost), even with --force', () => {
    refused(['keygen', '--out', at('kk.pem'), '--pub', at('kk.pem')], /kk\.pem: would be written twice in this run/, [at('kk.pem')]);
    refused(['keygen', '--out', key, '--pub', key, '--force'], /would be written twice/, [key]);
  });

  it('sign --out-dir with two inputs of the same name writes nothing', () => {
    mkdirSync(at('a'));
    mkdirSync(at('b'));
    writeFileSync(at('a', 'x.bin'), 'one');
    writeFileSync(at('b', 'x.bin'), 'two');
    refused(['sign', at('a', 'x.bin'), at('b', 'x.bin'), '--key', key, '--out-dir', at('od')], /x\.bin\.sig: would be written twice/, [
      at('od', 'x.bin.sig'),
    ]);
  });

  it('the key, a certificate or the passphrase file as the output', () => {
    refused(['sign', artifact, '--key', key, '--out', key, '--force'], /k\.pem: is also an input/, [key]);
    refused(['pubkey', '--key', key, '--out', key, '--force'], /is also an input/, [key]);
    refused(['cert', 'create-ca', '--key', key, '--subject', 'CN=Root', '--out', key, '--force'], /is also an input/, [key]);
    refused(['cert', 'csr', '--key', key, '--subject', 'CN=Leaf', '--out', key, '--force'], /is also an input/, [key]);
    refused(['attest', artifact, '--key', key, '--builder-id', 'https://example.com/b', '--out', key], /is also an input/, [key]);
    refused(['sign-request', at('none.json'), '--key', key, '--out', key, '--force'], /is also an input/, [key]);
  });
});

describe('an existing file is replaced only with --force', () => {
  const ca = at('ca.pem');
  beforeAll(() => createCaFile(key, 'CN=Root', ca));

  it('cert create-ca, issue and csr refuse an existing --out', async () => {
    refused(
      ['cert', 'create-ca', '--key', key, '--subject', 'CN=Typo', '--out', ca],
      /ca\.pem: already exists \(use --force to overwrite\)/,
      [ca],
    );
    const leaf = at('leaf.pem');
    writeFileSync(leaf, 'an older leaf');
    refused(
      ['cert', 'issue', '--ca-key', key, '--ca-cert', ca, '--key', pub, '--subject', 'CN=Leaf', '--out', leaf],
      /leaf\.pem: already exists/,
      [leaf],
    );
    refused(
      ['cert', 'issue', '--ca-key', key, '--ca-cert', ca, '--key', pub, '--subject', 'CN=Leaf', '--out', ca, '--force'],
      /ca\.pem: is also an input/,
      [ca],
    );
    refused(['cert', 'csr', '--key', key, '--subject', 'CN=Leaf', '--out', ca], /already exists/, [ca]);
    const again = run(['cert', 'create-ca', '--key', key, '--subject', 'CN=Again', '--out', ca, '--force']);
    expect(again.code, again.stderr).toBe(0);
    expect((await readCertificates(ca))[0]!.subject).toBe('CN=Again');
  });

  it('pubkey --out, keygen, tbs, sign-request and strip refuse an existing output', async () => {
    const existing = at('existing.txt');
    writeFileSync(existing, 'keep me');
    refused(['pubkey', '--key', key, '--out', existing], /already exists/, [existing]);
    refused(['keygen', '--out', existing], /already exists/, [existing]);
    refused(['tbs', artifact, '--key', pub, '--out', existing], /already exists/, [existing]);
    const req = await tbsFile(artifact, pub, at('f.req.json'));
    refused(['sign-request', req, '--key', key, '--out', existing], /already exists/, [existing]);
    await signWith(artifact, key, { format: 'cose' });
    refused(['strip', at('f.bin.cose'), '--out', existing], /already exists/, [existing]);
    expect(run(['strip', at('f.bin.cose'), '--out', existing, '--force']).code).toBe(0);
    expect(readFileSync(existing).equals(readFileSync(artifact))).toBe(true);
  });

  it('an existing directory is refused even with --force', () => {
    mkdirSync(at('f.bin.jws'));
    refused(['sign', artifact, '--format', 'jws', '--key', key, '--force'], /f\.bin\.jws: is a directory, expected an output file/, []);
  });
});

describe('sign replaces an earlier signature in the same format (re-signing in place)', () => {
  it("raw: a file of an ML-DSA signature's length; anything else needs --force", async () => {
    const f = at('r.bin');
    writeFileSync(f, 'release');
    await signWith(f, key);
    const first = readFileSync(`${f}.sig`);
    const again = run(['sign', f, '--key', key]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(`${f}.sig`).equals(first)).toBe(false); // hedged: a new signature was written
    writeFileSync(`${f}.sig`, 'notes, not a signature');
    refused(['sign', f, '--key', key], /r\.bin\.sig: already exists and is not a raw signature \(use --force to overwrite\)/, [`${f}.sig`]);
    expect(run(['sign', f, '--key', key, '--force']).code).toBe(0);
    await expect(verifyWith(f, pub)).resolves.toMatchObject({ format: 'raw' });
  });

  it('containers: one in the same format is replaced, one in another format is not', async () => {
    const f = at('c.bin');
    writeFileSync(f, 'container release');
    await signWith(f, key, { format: 'cose', out: at('c.out') });
    expect(run(['sign', f, '--format', 'cose', '--key', key, '--out', at('c.out')]).code).toBe(0);
    refused(['sign', f, '--format', 'jws', '--key', key, '--out', at('c.out')], /c\.out: already exists and is not a jws signature/, [
      at('c.out'),
    ]);
  });

  it('attach follows the same rule', async () => {
    const f = at('att.bin');
    writeFileSync(f, 'attach me');
    const req = await tbsFile(f, pub, at('att.req.json'));
    const sig = await signRequestFile(req, key, at('att.sig.bin'));
    await signWith(f, key); // an earlier raw signature
    expect(run(['attach', f, '--request', req, '--signature', sig]).code).toBe(0);
    writeFileSync(`${f}.sig`, 'something else');
    refused(['attach', f, '--request', req, '--signature', sig], /att\.bin\.sig: already exists and is not a raw signature/, [`${f}.sig`]);
  });

  it('--manifest-out replaces an earlier manifest, not another file', () => {
    const f = at('m.bin');
    writeFileSync(f, 'manifested');
    const manifest = at('release.jsonl');
    expect(run(['sign', f, '--key', key, '--manifest-out', manifest]).code).toBe(0);
    const again = run(['sign', f, '--key', key, '--manifest-out', manifest]);
    expect(again.code, again.stderr).toBe(0);
    writeFileSync(manifest, 'not a manifest\n');
    refused(
      ['sign', f, '--key', key, '--manifest-out', manifest],
      /release\.jsonl: already exists and is not a raw signature or a pqsign manifest/,
      [manifest],
    );
  });
});

describe('--out-dir', () => {
  it('is created (0755, parents too) when it does not exist, as docs/kms.md uses it', async () => {
    mkdirSync(at('build'));
    for (const n of ['app.bin', 'boot.bin']) writeFileSync(at('build', n), n);
    const r = run(['sign', 'build/app.bin', 'build/boot.bin', '--key', key, '--out-dir', 'signed/fw/']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(at('signed', 'fw')).sort()).toEqual(['app.bin.sig', 'boot.bin.sig']);
    expect(statSync(at('signed')).mode & 0o777).toBe(0o755);
    await expect(verifyWith(at('build', 'app.bin'), pub, { sig: at('signed', 'fw', 'app.bin.sig') })).resolves.toMatchObject({
      format: 'raw',
    });
  });

  it('that is a file fails once, naming it, before anything is signed', () => {
    writeFileSync(at('plain'), 'a file');
    const r = refused(['sign', 'build/app.bin', 'build/boot.bin', '--key', key, '--out-dir', 'plain'], /plain: is not a directory/, [
      at('plain'),
    ]);
    expect(r.stderr).not.toMatch(/signed/);
  });
});

describe('checkOutputs (in process)', () => {
  it('passes new and replaceable outputs, refuses the rest', async () => {
    const a = at('cx-a');
    writeFileSync(a, 'a');
    await expect(checkOutputs([at('cx-new'), at('cx-new2')], [a])).resolves.toBeUndefined();
    await expect(checkOutputs([a], [])).rejects.toMatchObject({ code: 'ERR_FILE', message: 'already exists (use `force` to overwrite)' });
    await expect(checkOutputs([a], [], { force: true })).resolves.toBeUndefined();
    await expect(checkOutputs([a], [], { replaceable: { what: 'x', test: async () => true } })).resolves.toBeUndefined();
    await expect(checkOutputs([a], [a], { force: true })).rejects.toMatchObject({ code: 'ERR_USAGE' });
    // inputs that are not files (KMS references, missing files) are passed over
    await expect(checkOutputs([at('cx-new')], ['awskms:///alias/k', at('missing')])).resolves.toBeUndefined();
    // two names of one new file in one directory
    await expect(checkOutputs([at('cx-new'), join(dir, '.', 'cx-new')], [])).rejects.toThrow(/written twice/);
  });
});
