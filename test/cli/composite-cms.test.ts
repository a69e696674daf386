// CMS SignedData with composite ML-DSA SignerInfos (draft-ietf-lamps-cms-composite-sigs): pqsign signs
// detached and attached CMS with composite keys (local, and both parts in the local KMS through the real
// AWS SDK), under a composite PKI; Bouncy Castle 1.86 (`oracle --impl bc186 cms`) accepts every one, and
// pqsign verifies them with a pinned key and with a trust anchor. The attacks: either signature part
// altered, the ML-DSA part stripped and relabelled as pure ML-DSA, a digest other than the pre-hash,
// composite and ML-DSA signatures under each other's keys, changed content.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TAG, oid, tlv } from '../../src/asn1/der.js';
import { encodePem } from '../../src/asn1/pem.js';
import { compositeMessage } from '../../src/composite/message.js';
import { compositeByName } from '../../src/composite/params.js';
import { encodeCompositePkcs8, encodeCompositeSpki, generateComposite, type CompositePrivateKey } from '../../src/composite/keys.js';
import { localCompositeSigner } from '../../src/composite/signer.js';
import type { SignerAlgorithm } from '../../src/cms/algorithm-ids.js';
import { digestByName } from '../../src/cms/digests.js';
import { OID } from '../../src/cms/oids.js';
import { encodeSignedAttributes } from '../../src/cms/signed-attributes.js';
import { encodeSignerInfo, signedDataLayout } from '../../src/cms/signed-data.js';
import { encodeSpki } from '../../src/mldsa/asn1.js';
import { keyIdentifier } from '../../src/pki/key-id.js';
import { HAVE_SHARED, NO_SHARED, oracle, pqsign, pqsignAsync, pqsignMeasured, sparseFile, tempDir } from '../support/helpers.js';
import { startTestKms } from '../support/kms-fixture.js';

const MiB = 1024 * 1024;
const dir = tempDir('pqsign-composite-cms-');
const at = (f: string) => join(dir, f);
const content = at('fw.bin');
writeFileSync(content, Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 131 + 17) & 0xff)));

function run(args: string[], code = 0): string {
  const r = pqsign(args);
  expect(r.code, `pqsign ${args.join(' ')}: ${r.stderr}`).toBe(code);
  return r.stdout + r.stderr;
}
const bc = (...args: string[]) => oracle(['--impl', 'bc186', 'cms', ...args]);

/** A composite key pair written as the draft's PKCS#8 and SPKI (PEM). */
function writeKey(alg: string, name: string): { key: CompositePrivateKey; pem: string; pub: string } {
  const key = generateComposite(compositeByName(alg)!);
  writeFileSync(at(`${name}.key`), encodePem('PRIVATE KEY', encodeCompositePkcs8(key)));
  writeFileSync(at(`${name}.pub`), encodePem('PUBLIC KEY', encodeCompositeSpki(key.alg, key.publicKey)));
  return { key, pem: at(`${name}.key`), pub: at(`${name}.pub`) };
}

// composite root (MLDSA87-ECDSA-P384) → composite code-signing leaves of the algorithms issue 16 names
const ALGS = [
  'MLDSA65-ECDSA-P256-SHA512',
  'MLDSA44-ECDSA-P256-SHA256',
  'MLDSA87-ECDSA-P521-SHA512',
  'MLDSA65-Ed25519-SHA512',
  'MLDSA87-Ed448-SHAKE256',
];
const root = writeKey('MLDSA87-ECDSA-P384-SHA512', 'root');
run(['cert', 'create-ca', '--key', root.pem, '--subject', 'CN=Hybrid Root', '--out', at('root.pem')]);
const leaves = Object.fromEntries(
  ALGS.map((alg) => {
    const k = writeKey(alg, alg);
    run([
      'cert',
      'issue',
      '--ca-key',
      root.pem,
      '--ca-cert',
      at('root.pem'),
      '--key',
      k.pub,
      '--subject',
      `CN=${alg} signer`,
      '--code-signing',
      '--out',
      at(`${alg}.pem`),
    ]);
    return [alg, { ...k, cert: at(`${alg}.pem`) }];
  }),
);

/** The SignerInfo of a CMS as `inspect --json` reports it. */
const signerInfoOf = (p7s: string) => JSON.parse(run(['inspect', p7s, '--json'])).signerInfos[0];

describe('composite CMS SignedData (CLI)', () => {
  for (const alg of ALGS) {
    it(`${alg}: detached with the signer certificate, and attached; digest = the pre-hash, OID with parameters absent`, () => {
      const l = leaves[alg]!;
      const det = at(`${alg}.p7s`);
      const att = at(`${alg}.att.p7s`);
      run(['sign', content, '--format', 'cms', '--key', l.pem, '--cert', l.cert, '--out', det]);
      run(['sign', content, '--format', 'cms', '--key', l.pem, '--attached', '--out', att]);
      const si = signerInfoOf(det);
      const prehash = compositeByName(alg)!.prehash;
      expect(si).toMatchObject({ signatureAlgorithm: alg, digestAlgorithm: prehash, signedAttributes: true, algorithmProtection: true });
      const j = JSON.parse(run(['verify', content, '--sig', det, '--trust-anchor', at('root.pem'), '--json']));
      expect(j).toMatchObject({ ok: true, algorithm: alg, composite: alg });
      expect(j.signers[0].chain).toEqual([`CN=${alg} signer`, 'CN=Hybrid Root']);
      run(['verify', content, '--sig', det, '--key', l.pub]);
      run(['verify', att, '--key', l.pub]);
      // the attached copy is the content, byte for byte
      run(['strip', att, '--out', at(`${alg}.stripped`)]);
      expect(readFileSync(at(`${alg}.stripped`)).equals(readFileSync(content))).toBe(true);
    });
  }

  it('a 256 MiB artifact streams once into the digest, in flat memory (detached and attached)', () => {
    const l = leaves['MLDSA65-ECDSA-P256-SHA512']!;
    const big = sparseFile(at('big.bin'), 256 * MiB);
    writeFileSync(at('tiny.bin'), 'x');
    for (const extra of [[], ['--attached']]) {
      const small = pqsignMeasured(['sign', at('tiny.bin'), '--format', 'cms', '--key', l.pem, '--force', ...extra]);
      const large = pqsignMeasured(['sign', big, '--format', 'cms', '--key', l.pem, '--force', ...extra]);
      expect(large.code, large.stderr).toBe(0);
      expect(large.maxRssMiB - small.maxRssMiB, 'memory grows with the artifact').toBeLessThan(64);
      if (large.readBytes !== undefined && small.readBytes !== undefined) {
        const read = (large.readBytes - small.readBytes) / MiB;
        expect(read).toBeGreaterThan(255.9); // the measurement is real
        expect(read, 'a second read of the artifact').toBeLessThan(256 + 4);
      }
      run(extra.length ? ['verify', `${big}.p7s`, '--key', l.pub] : ['verify', big, '--key', l.pub]);
    }
  });

  it('--digest other than the pre-hash is refused before signing (exit 2)', () => {
    const l = leaves['MLDSA65-ECDSA-P256-SHA512']!;
    expect(run(['sign', content, '--format', 'cms', '--key', l.pem, '--digest', 'sha384', '--out', at('x.p7s')], 2)).toMatch(
      /pre-hash sha512/,
    );
    run(['sign', content, '--format', 'cms', '--key', l.pem, '--digest', 'sha512', '--out', at('x.p7s')]);
  });

  it('a signer certificate for another key is refused (exit 2)', () => {
    const l = leaves['MLDSA65-ECDSA-P256-SHA512']!;
    expect(
      run(['sign', content, '--format', 'cms', '--key', l.pem, '--cert', leaves['MLDSA65-Ed25519-SHA512']!.cert, '--out', at('y.p7s')], 2),
    ).toMatch(/is not for the signing key/);
  });
});

describe('attacks on composite CMS', () => {
  const alg = 'MLDSA65-ECDSA-P256-SHA512';
  const l = leaves[alg]!;
  const det = at('attack.p7s');
  run(['sign', content, '--format', 'cms', '--key', l.pem, '--cert', l.cert, '--out', det]);
  const der = readFileSync(det);
  const sigBytes = signerInfoOf(det).signatureBytes as number; // a detached CMS without tokens ends with the signature
  const mldsaBytes = 3309;

  it('either part of the signature altered: exit 1 with a pinned key and with a trust anchor', () => {
    for (const [what, offset] of [
      ['ML-DSA part', der.length - sigBytes + 200],
      ['ECDSA part', der.length - 20],
    ] as const) {
      const t = Buffer.from(der);
      t[offset]! ^= 1;
      const f = at(`flip-${offset}.p7s`);
      writeFileSync(f, t);
      expect(run(['verify', content, '--sig', f, '--key', l.pub], 1), what).toMatch(
        /composite signature over the signed attributes does not verify/,
      );
      run(['verify', content, '--sig', f, '--trust-anchor', at('root.pem')], 1);
    }
  });

  it('changed content: exit 1', () => {
    const other = at('other.bin');
    writeFileSync(other, Buffer.concat([readFileSync(content), Buffer.of(0)]));
    expect(run(['verify', other, '--sig', det, '--key', l.pub], 1)).toMatch(/messageDigest/);
  });

  /** A detached CMS whose one SignerInfo is built from these parts (signed attributes over `content`). */
  async function craft(
    name: string,
    o: { digest: string; alg: SignerAlgorithm; keyId: Uint8Array; sign: (attrs: Uint8Array) => Promise<Uint8Array> },
  ): Promise<string> {
    const digest = digestByName(o.digest)!;
    const h = digest.create();
    h.update(readFileSync(content));
    const attrs = encodeSignedAttributes({
      contentType: OID.data,
      messageDigest: h.digest(),
      signingTime: new Date(),
      digest,
      params: o.alg,
    });
    const sid = { kind: 'subjectKeyIdentifier' as const, keyId: o.keyId };
    const signerInfo = encodeSignerInfo(sid, digest, attrs, o.alg, await o.sign(attrs));
    writeFileSync(at(name), signedDataLayout({ digest, sid, certificates: [], signerInfo }).prefix);
    return at(name);
  }
  const composite = compositeByName(alg)!;
  const signComposite = (m: Uint8Array) => localCompositeSigner(l.key).sign(compositeMessage(composite, m));

  it("the ML-DSA part stripped and relabelled id-ml-dsa-65: not valid under the ML-DSA part's key, nor under the composite key", async () => {
    const mlPub = at('ml-part.pub');
    writeFileSync(mlPub, encodePem('PUBLIC KEY', encodeSpki(composite.mldsa, l.key.mldsaPublicKey)));
    // the ML-DSA part of a real composite signature over these very signed attributes
    const f = await craft('stripped.p7s', {
      digest: 'sha512',
      alg: composite.mldsa,
      keyId: keyIdentifier(l.key.mldsaPublicKey),
      sign: async (attrs) => (await signComposite(attrs)).subarray(0, mldsaBytes),
    });
    expect(run(['verify', content, '--sig', f, '--key', mlPub], 1)).toMatch(/signature over the signed attributes does not verify/);
    expect(run(['verify', content, '--sig', f, '--key', l.pub], 1)).toMatch(
      /is an ML-DSA-65 signature but the pinned key is MLDSA65-ECDSA-P256-SHA512/,
    );
  });

  it('a digest other than the pre-hash (sha384 for a -SHA512 composite), correctly signed, is refused (exit 2)', async () => {
    const f = await craft('sha384.p7s', { digest: 'sha384', alg: composite, keyId: keyIdentifier(l.key.publicKey), sign: signComposite });
    expect(run(['verify', content, '--sig', f, '--key', l.pub], 2)).toMatch(
      /digest sha384 is not MLDSA65-ECDSA-P256-SHA512's pre-hash sha512/,
    );
    // the same construction with the pre-hash verifies: the refusal is the digest rule, not the crafting
    const ok = await craft('sha512.p7s', { digest: 'sha512', alg: composite, keyId: keyIdentifier(l.key.publicKey), sign: signComposite });
    run(['verify', content, '--sig', ok, '--key', l.pub]);
  });

  it('a composite CMS under an ML-DSA key, and an ML-DSA CMS under a composite key: exit 1', () => {
    run(['keygen', '--alg', 'ML-DSA-65', '--out', at('ml.key'), '--pub', at('ml.pub')]);
    run(['verify', content, '--sig', det, '--key', at('ml.pub')], 1);
    run(['sign', content, '--format', 'cms', '--key', at('ml.key'), '--out', at('ml.p7s')]);
    run(['verify', content, '--sig', at('ml.p7s'), '--key', l.pub], 1);
  });

  it('without signed attributes the composite signature is over the content itself (M = content, one pass)', async () => {
    const digest = digestByName('sha512')!;
    const data = readFileSync(content);
    const sig = await localCompositeSigner(l.key).sign(compositeMessage(composite, data));
    const keyId = keyIdentifier(l.key.publicKey);
    const signerInfo = tlv(
      TAG.SEQUENCE,
      Uint8Array.of(2, 1, 3),
      tlv(0x80, keyId),
      tlv(TAG.SEQUENCE, oid(digest.oid)),
      tlv(TAG.SEQUENCE, tlv(TAG.OID, composite.oidDer)),
      tlv(TAG.OCTET_STRING, sig),
    );
    writeFileSync(
      at('noattrs.p7s'),
      signedDataLayout({ digest, sid: { kind: 'subjectKeyIdentifier', keyId }, certificates: [], signerInfo }).prefix,
    );
    run(['verify', content, '--sig', at('noattrs.p7s'), '--key', l.pub]);
    const t = Buffer.from(data);
    t[70_000]! ^= 1;
    writeFileSync(at('noattrs.bin'), t);
    run(['verify', at('noattrs.bin'), '--sig', at('noattrs.p7s'), '--key', l.pub], 1);
    if (HAVE_SHARED) expect(bc(at('noattrs.p7s'), content, l.pub).ok).toBe(true);
  });
});

describe.skipIf(!HAVE_SHARED)(`Bouncy Castle 1.86 accepts pqsign's composite CMS${HAVE_SHARED ? '' : ` (${NO_SHARED})`}`, () => {
  for (const alg of ALGS) {
    it(`${alg}: detached (signer certificate inside), detached by key, attached`, () => {
      const l = leaves[alg]!;
      const a = bc(at(`${alg}.p7s`), content);
      expect(a.ok, a.stdout + a.stderr).toBe(true);
      expect(a.stdout).toMatch(new RegExp(`sig ${compositeByName(alg)!.oid}: valid`));
      expect(bc(at(`${alg}.p7s`), content, l.pub).ok).toBe(true);
      expect(bc(at(`${alg}.att.p7s`), '', l.pub).ok).toBe(true);
    });
  }

  it('and refuses one with a part altered, or under another content (the oracle can fail)', () => {
    const alg = 'MLDSA65-ECDSA-P256-SHA512';
    const flipped = readFileSync(at('attack.p7s'));
    flipped[flipped.length - 20]! ^= 1;
    writeFileSync(at('bc-flip.p7s'), flipped);
    expect(bc(at('bc-flip.p7s'), content, leaves[alg]!.pub).ok).toBe(false);
    expect(bc(at('attack.p7s'), at('other.bin'), leaves[alg]!.pub).ok).toBe(false);
  });
});

const kms = await startTestKms({ dataDir: at('kms') });

describe('both parts in the local KMS (real AWS SDK over HTTP)', () => {
  it('ML_DSA_65 + ECC_NIST_P256 sign a composite CMS (EXTERNAL_MU + DIGEST); pqsign and Bouncy Castle 1.86 verify it', async () => {
    await kms.createKey('ML_DSA_65', 'alias/cms-mldsa');
    await kms.createKey('ECC_NIST_P256', 'alias/cms-ecdsa');
    const ref = `${kms.ref('alias/cms-mldsa')}+${kms.ref('alias/cms-ecdsa')}`;
    const pub = at('kms-composite.pub');
    const p = await pqsignAsync(['pubkey', '--key', ref, '--out', pub], { env: kms.env });
    expect(p.code, p.stderr).toBe(0);
    const out = at('kms.p7s');
    const s = await pqsignAsync(
      ['sign', content, '--format', 'cms', '--key', ref, '--alg', 'MLDSA65-ECDSA-P256-SHA512', '--attached', '--out', out, '--json'],
      { env: kms.env },
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    expect(kms.log.some((x) => x.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    expect(kms.log.some((x) => x.startsWith('Sign DIGEST 200'))).toBe(true);
    expect((await pqsignAsync(['verify', out, '--key', pub])).code).toBe(0);
    if (HAVE_SHARED) {
      const r = bc(out, '', pub);
      expect(r.ok, r.stdout + r.stderr).toBe(true);
    }
  });
});
