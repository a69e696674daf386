// CMS SignedData with composite ML-DSA SignerInfos (draft-ietf-lamps-cms-composite-sigs) in this process:
// detached and attached CMS with composite keys (local, and both parts in the local KMS through the real
// AWS SDK over HTTP), under a composite PKI; Bouncy Castle 1.86 (`oracle --impl bc186 cms`) accepts every
// one, and pqsign verifies them with a pinned key and with a trust anchor. The attacks: either signature
// part altered, the ML-DSA part stripped and relabelled as pure ML-DSA, a digest other than the pre-hash,
// composite and ML-DSA signatures under each other's keys, changed content. Error codes stand for exit
// codes (README's table). The command line's side is test/cli/composite-cms.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TAG, oid, tlv } from '../../../src/asn1/der.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { compositeMessage } from '../../../src/composite/message.js';
import { compositeByName } from '../../../src/composite/params.js';
import { localCompositeSigner } from '../../../src/composite/signer.js';
import type { SignerAlgorithm } from '../../../src/cms/algorithm-ids.js';
import { digestByName } from '../../../src/cms/digests.js';
import { OID } from '../../../src/cms/oids.js';
import { encodeSignedAttributes } from '../../../src/cms/signed-attributes.js';
import { encodeSignerInfo, signedDataLayout } from '../../../src/cms/signed-data.js';
import { encodeSpki } from '../../../src/mldsa/asn1.js';
import { keyIdentifier } from '../../../src/pki/key-id.js';
import { compositeKeyFiles, type CompositeKeyFiles } from '../../support/composite-keys.js';
import { hybridRoot } from '../../support/composite-pki.js';
import { exitOfCode } from '../../support/exit-codes.js';
import { HAVE_SHARED, NO_SHARED, oracle, tempDir } from '../../support/helpers.js';
import {
  anchorRules,
  failure,
  inspectFile,
  keygenFiles,
  signWith,
  stripFile,
  verifyWith,
  type VerifyWithOptions,
} from '../../support/inproc.js';
import { startInProcessKms, writePublicKey } from '../../support/kms-inproc.js';

const dir = tempDir('pqsign-composite-cms-unit-');
const at = (f: string) => join(dir, f);
const content = at('fw.bin');
writeFileSync(content, Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 131 + 17) & 0xff)));
const bc = (...args: string[]) => oracle(['--impl', 'bc186', 'cms', ...args]);

// composite root (MLDSA87-ECDSA-P384) → composite code-signing leaves of the algorithms issue 16 names
const ALGS = [
  'MLDSA65-ECDSA-P256-SHA512',
  'MLDSA44-ECDSA-P256-SHA256',
  'MLDSA87-ECDSA-P521-SHA512',
  'MLDSA65-Ed25519-SHA512',
  'MLDSA87-Ed448-SHAKE256',
];
const root = hybridRoot(dir);
const leaves: Record<string, CompositeKeyFiles & { cert: string }> = {};
beforeAll(async () => {
  await root.create();
  for (const alg of ALGS) {
    const k = compositeKeyFiles(dir, alg, alg);
    await root.issueSigner(k.pub, alg, at(`${alg}.pem`));
    leaves[alg] = { ...k, cert: at(`${alg}.pem`) };
  }
});

/** `sign CONTENT --format cms --key KEY [cms options] --out OUT` */
const signCms = (key: string, out: string, options: Record<string, unknown> = {}) =>
  signWith(content, key, { format: 'cms', out, options });
/** the error of a verification that must fail, and the exit code it stands for */
async function refused(file: string, key: string | undefined, o: VerifyWithOptions = {}) {
  const f = await failure(verifyWith(file, key, o));
  return { ...f, exit: exitOfCode(f.code) };
}

describe('composite CMS SignedData', () => {
  for (const alg of ALGS) {
    it(`${alg}: detached with the signer certificate, and attached; digest = the pre-hash, OID with parameters absent`, async () => {
      const l = leaves[alg]!;
      const det = at(`${alg}.p7s`);
      const att = at(`${alg}.att.p7s`);
      await signCms(l.key, det, { cert: l.cert });
      await signCms(l.key, att, { attached: true });
      const si = ((await inspectFile(det)).signerInfos as Record<string, unknown>[])[0];
      const prehash = compositeByName(alg)!.prehash;
      expect(si).toMatchObject({ signatureAlgorithm: alg, digestAlgorithm: prehash, signedAttributes: true, algorithmProtection: true });
      const v = await verifyWith(content, undefined, { sig: det, rules: await anchorRules(at('root.pem')) });
      expect(v.details).toMatchObject({ composite: alg });
      expect((v.details.signers as { chain: string[] }[])[0]!.chain).toEqual([`CN=${alg} signer`, 'CN=Hybrid Root']);
      await verifyWith(content, l.pub, { sig: det });
      await verifyWith(att, l.pub);
      // the attached copy is the content, byte for byte
      await stripFile(att, at(`${alg}.stripped`));
      expect(readFileSync(at(`${alg}.stripped`)).equals(readFileSync(content))).toBe(true);
    });
  }

  it('a digest other than the pre-hash is refused before signing (exit 2)', async () => {
    const l = leaves['MLDSA65-ECDSA-P256-SHA512']!;
    const f = await failure(signCms(l.key, at('x.p7s'), { digest: 'sha384' }));
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/pre-hash sha512/);
    await signCms(l.key, at('x.p7s'), { digest: 'sha512' });
  });

  it('a signer certificate for another key is refused (ERR_KEY_MISMATCH, exit 2)', async () => {
    const l = leaves['MLDSA65-ECDSA-P256-SHA512']!;
    const f = await failure(signCms(l.key, at('y.p7s'), { cert: leaves['MLDSA65-Ed25519-SHA512']!.cert }));
    expect(f.code).toBe('ERR_KEY_MISMATCH');
    expect(exitOfCode(f.code)).toBe(2);
    expect(f.message).toMatch(/is not for the signing key/);
  });
});

describe('attacks on composite CMS', () => {
  const alg = 'MLDSA65-ECDSA-P256-SHA512';
  const composite = compositeByName(alg)!;
  const det = at('attack.p7s');
  const mldsaBytes = 3309;
  let l: CompositeKeyFiles & { cert: string };
  let der: Buffer;
  let sigBytes: number;
  beforeAll(async () => {
    l = leaves[alg]!;
    await signCms(l.key, det, { cert: l.cert });
    der = readFileSync(det);
    sigBytes = ((await inspectFile(det)).signerInfos as { signatureBytes: number }[])[0]!.signatureBytes; // a detached CMS without tokens ends with the signature
  });

  it('either part of the signature altered: exit 1 with a pinned key and with a trust anchor', async () => {
    for (const [what, offset] of [
      ['ML-DSA part', der.length - sigBytes + 200],
      ['ECDSA part', der.length - 20],
    ] as const) {
      const t = Buffer.from(der);
      t[offset]! ^= 1;
      const f = at(`flip-${offset}.p7s`);
      writeFileSync(f, t);
      const pinned = await refused(content, l.pub, { sig: f });
      expect(pinned.exit, what).toBe(1);
      expect(pinned.message, what).toMatch(/composite signature over the signed attributes does not verify/);
      expect((await refused(content, undefined, { sig: f, rules: await anchorRules(at('root.pem')) })).exit, what).toBe(1);
    }
  });

  it('changed content: exit 1', async () => {
    const other = at('other.bin');
    writeFileSync(other, Buffer.concat([readFileSync(content), Buffer.of(0)]));
    const r = await refused(other, l.pub, { sig: det });
    expect(r.exit).toBe(1);
    expect(r.message).toMatch(/messageDigest/);
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
  const signComposite = (m: Uint8Array) => localCompositeSigner(l.priv).sign(compositeMessage(composite, m));

  it("the ML-DSA part stripped and relabelled id-ml-dsa-65: not valid under the ML-DSA part's key, nor under the composite key", async () => {
    const mlPub = at('ml-part.pub');
    writeFileSync(mlPub, encodePem('PUBLIC KEY', encodeSpki(composite.mldsa, l.priv.mldsaPublicKey)));
    // the ML-DSA part of a real composite signature over these very signed attributes
    const f = await craft('stripped.p7s', {
      digest: 'sha512',
      alg: composite.mldsa,
      keyId: keyIdentifier(l.priv.mldsaPublicKey),
      sign: async (attrs) => (await signComposite(attrs)).subarray(0, mldsaBytes),
    });
    const underPart = await refused(content, mlPub, { sig: f });
    expect(underPart.exit).toBe(1);
    expect(underPart.message).toMatch(/signature over the signed attributes does not verify/);
    const underComposite = await refused(content, l.pub, { sig: f });
    expect(underComposite.exit).toBe(1);
    expect(underComposite.message).toMatch(/is an ML-DSA-65 signature but the pinned key is MLDSA65-ECDSA-P256-SHA512/);
  });

  it('a digest other than the pre-hash (sha384 for a -SHA512 composite), correctly signed, is refused (exit 2)', async () => {
    const f = await craft('sha384.p7s', { digest: 'sha384', alg: composite, keyId: keyIdentifier(l.priv.publicKey), sign: signComposite });
    const r = await refused(content, l.pub, { sig: f });
    expect(r.exit).toBe(2);
    expect(r.message).toMatch(/digest sha384 is not MLDSA65-ECDSA-P256-SHA512's pre-hash sha512/);
    // the same construction with the pre-hash verifies: the refusal is the digest rule, not the crafting
    const ok = await craft('sha512.p7s', { digest: 'sha512', alg: composite, keyId: keyIdentifier(l.priv.publicKey), sign: signComposite });
    await verifyWith(content, l.pub, { sig: ok });
  });

  it('a composite CMS under an ML-DSA key, and an ML-DSA CMS under a composite key: exit 1', async () => {
    const ml = keygenFiles(dir, 'ml');
    expect((await refused(content, ml.pub, { sig: det })).exit).toBe(1);
    await signCms(ml.key, at('ml.p7s'));
    expect((await refused(content, l.pub, { sig: at('ml.p7s') })).exit).toBe(1);
  });

  it('without signed attributes the composite signature is over the content itself (M = content, one pass)', async () => {
    const digest = digestByName('sha512')!;
    const data = readFileSync(content);
    const sig = await localCompositeSigner(l.priv).sign(compositeMessage(composite, data));
    const keyId = keyIdentifier(l.priv.publicKey);
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
    await verifyWith(content, l.pub, { sig: at('noattrs.p7s') });
    const t = Buffer.from(data);
    t[70_000]! ^= 1;
    writeFileSync(at('noattrs.bin'), t);
    expect((await refused(at('noattrs.bin'), l.pub, { sig: at('noattrs.p7s') })).exit).toBe(1);
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

const kms = await startInProcessKms({ dataDir: at('kms') });

describe('both parts in the local KMS (real AWS SDK over HTTP)', () => {
  it('ML_DSA_65 + ECC_NIST_P256 sign a composite CMS (EXTERNAL_MU + DIGEST); pqsign and Bouncy Castle 1.86 verify it', async () => {
    await kms.createKey('ML_DSA_65', 'alias/cms-mldsa');
    await kms.createKey('ECC_NIST_P256', 'alias/cms-ecdsa');
    const ref = `${kms.ref('alias/cms-mldsa')}+${kms.ref('alias/cms-ecdsa')}`;
    const pub = await writePublicKey(ref, at('kms-composite.pub'));
    const out = at('kms.p7s');
    const s = await signWith(content, ref, { format: 'cms', alg: 'MLDSA65-ECDSA-P256-SHA512', options: { attached: true }, out });
    expect(s.algorithm).toBe('MLDSA65-ECDSA-P256-SHA512');
    expect(kms.log.some((x) => x.startsWith('Sign EXTERNAL_MU 200'))).toBe(true);
    expect(kms.log.some((x) => x.startsWith('Sign DIGEST 200'))).toBe(true);
    await verifyWith(out, pub);
    if (HAVE_SHARED) {
      const r = bc(out, '', pub);
      expect(r.ok, r.stdout + r.stderr).toBe(true);
    }
  });
});
