// Bypass 1 of the review (issue 12): a certificate embedded in an untrusted container that copies a trust
// anchor's subject and public key must never stand in for the anchor. The attacker here holds only the
// leaf key under a root that has expired (or a subordinate CA key under a root with a tight pathLen) and
// pastes the root's public key into a "copy" it signs itself.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keygenFromSeed } from '../../../src/mldsa/mldsa.js';
import { paramByName } from '../../../src/mldsa/params.js';
import { LocalSigner } from '../../../src/mldsa/signer.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { parseName } from '../../../src/pki/name.js';
import { validatePath } from '../../../src/pki/path.js';
import type { Profile } from '../../../src/pki/extensions.js';
import type { ParsedCertificate } from '../../../src/pki/certificate.js';
import { encodePem } from '../../../src/asn1/pem.js';
import { pqsign, tempDir } from '../../support/helpers.js';
import { signWith } from '../../support/inproc.js';

const params = paramByName('ML-DSA-44')!;
const DAY = 86_400_000;

function newKey() {
  const kp = keygenFromSeed(params, new Uint8Array(randomBytes(32)));
  const signer = new LocalSigner({ params, publicKey: kp.publicKey, secretKey: kp.secretKey } as never);
  return { signer, pub: { params, publicKey: kp.publicKey } };
}
type Key = ReturnType<typeof newKey>;

async function cert(
  subject: string,
  subjectKey: Key['pub'],
  issuer: ParsedCertificate | undefined,
  signer: Key['signer'],
  profile: Profile,
  notBefore: Date,
  notAfter: Date,
) {
  return (await issueCertificate({ subjectDer: parseName(subject), subjectKey, issuer, signer, notBefore, notAfter, profile })).cert;
}

const ROOT = 'CN=Forgery Test Root,O=pqsign tests';
const now = Date.now();

/** A root that expired yesterday, a leaf under it, and the attacker's look-alike of the root. */
async function expiredRootAndCopy() {
  const rootKey = newKey();
  const leafKey = newKey();
  const attackerKey = newKey();
  const root = await cert(
    ROOT,
    rootKey.pub,
    undefined,
    rootKey.signer,
    { kind: 'ca', pathLen: 0 },
    new Date(now - 400 * DAY),
    new Date(now - DAY),
  );
  const leaf = await cert(
    'CN=Release',
    leafKey.pub,
    root,
    rootKey.signer,
    { kind: 'leaf', codeSigning: true },
    new Date(now - 300 * DAY),
    new Date(now + 300 * DAY),
  );
  // issuer = subject = the root's name, SPKI = the root's key, signed by the attacker, valid for ten years
  const attackerCa = await cert(
    ROOT,
    attackerKey.pub,
    undefined,
    attackerKey.signer,
    { kind: 'ca', pathLen: undefined },
    new Date(now - DAY),
    new Date(now + 3650 * DAY),
  );
  const copy = await cert(
    ROOT,
    rootKey.pub,
    attackerCa,
    attackerKey.signer,
    { kind: 'ca', pathLen: undefined },
    new Date(now - DAY),
    new Date(now + 3650 * DAY),
  );
  return { root, leaf, copy, leafKey };
}

describe('bypass 1: a forged copy of a trust anchor is not an anchor', () => {
  it("an expired root is not renewed by an embedded self-made copy with the root's key", async () => {
    const { root, leaf, copy } = await expiredRootAndCopy();
    const at = new Date(now);
    // the genuine root has expired: the path fails
    expect(() => validatePath(leaf, { anchors: [root], intermediates: [], at, anyEku: false })).toThrow(/expired/);
    // the copy among the untrusted certificates must not change that
    expect(() => validatePath(leaf, { anchors: [root], intermediates: [copy], at, anyEku: false })).toThrow(
      /ERR_CHAIN|expired|self-signed|signature/,
    );
  });

  it("a subordinate CA cannot lift the root's pathLen with a copy of the root", async () => {
    const rootKey = newKey();
    const subKey = newKey();
    const evilKey = newKey();
    const leafKey = newKey();
    const from = new Date(now - DAY);
    const to = new Date(now + 365 * DAY);
    // root allows no intermediate CA below it; the subordinate nonetheless exists (e.g. mis-issued as a CA
    // with pathLen unset), so root → sub → evil → leaf has 2 intermediates and must fail on the root's pathLen 0
    const root = await cert(ROOT, rootKey.pub, undefined, rootKey.signer, { kind: 'ca', pathLen: 0 }, from, to);
    const sub = await cert('CN=Sub CA', subKey.pub, root, rootKey.signer, { kind: 'ca', pathLen: undefined }, from, to);
    const evil = await cert('CN=Evil CA', evilKey.pub, sub, subKey.signer, { kind: 'ca', pathLen: undefined }, from, to);
    const leaf = await cert('CN=Release', leafKey.pub, evil, evilKey.signer, { kind: 'leaf', codeSigning: true }, from, to);
    const opts = { anchors: [root], at: new Date(now), anyEku: false };
    expect(() => validatePath(leaf, { ...opts, intermediates: [sub, evil] })).toThrow(/pathLenConstraint/);
    // a copy of the root (no pathLen) signed by the subordinate's key must not stand in for the root
    const subAsRoot = await cert(ROOT, subKey.pub, undefined, subKey.signer, { kind: 'ca', pathLen: undefined }, from, to);
    const copy = await cert(ROOT, rootKey.pub, subAsRoot, subKey.signer, { kind: 'ca', pathLen: undefined }, from, to);
    expect(() => validatePath(leaf, { ...opts, intermediates: [copy, sub, evil] })).toThrow(/pathLenConstraint|self-signed|signature/);
  });

  it('end to end: a CMS embedding the copy fails with exit 1 (ERR_CHAIN)', async () => {
    const dir = tempDir();
    const { root, leaf, copy, leafKey } = await expiredRootAndCopy();
    const p = (f: string) => join(dir, f);
    writeFileSync(p('root.pem'), encodePem('CERTIFICATE', root.der));
    writeFileSync(p('leaf.pem'), encodePem('CERTIFICATE', leaf.der));
    writeFileSync(p('copy.pem'), encodePem('CERTIFICATE', copy.der));
    const { encodePkcs8 } = await import('../../../src/keys/pkcs8.js');
    const kp = (leafKey.signer as unknown as { key: never }).key;
    writeFileSync(p('leaf.key'), encodePem('PRIVATE KEY', encodePkcs8(kp, 'expanded')));
    writeFileSync(p('fw.bin'), randomBytes(1000));
    // signing is set-up (in this process); the attack is what `pqsign verify` makes of the container
    await signWith(p('fw.bin'), p('leaf.key'), { format: 'cms', options: { cert: p('leaf.pem'), chain: [p('copy.pem')] } });
    const r = pqsign(['verify', p('fw.bin.p7s'), '--content', p('fw.bin'), '--trust-anchor', p('root.pem'), '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/ERR_CHAIN/);
  });
});
