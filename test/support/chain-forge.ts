// Random certification paths for the path-validation property test: a trust anchor → 0..3 intermediate CAs
// → a code-signing leaf, with random pathLen, validity, basicConstraints, keyUsage and EKU, plus extra
// certificates embedded beside them — look-alikes of the anchor (its name and public key pasted in, signed
// by another key), re-issues, forged intermediates. src/pki/issue.ts refuses most of these on purpose (a
// CA's key must match its certificate), so certificates are assembled here with pkijs from plain facts and
// signed with @noble/post-quantum (pure ML-DSA-44, empty context, RFC 9881), not with pqsign's signer.
// A spec is plain data: fast-check prints and shrinks it, and the reference model reads its facts.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import fc from 'fast-check';
import * as pkijs from 'pkijs';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { usesUtcTime } from '../../src/asn1/time.js';
import { paramByName } from '../../src/mldsa/params.js';
import { keyUsageBitString } from '../../src/pki/extensions.js';
import { keyIdentifier } from '../../src/pki/key-id.js';
import { parseName } from '../../src/pki/name.js';
import { EXT, KP, type KeyUsageName } from '../../src/pki/oids.js';
import { encodeSpki } from '../../src/mldsa/asn1.js';

export const MLDSA44 = paramByName('ML-DSA-44')!;

/** Who holds a private key. Keys are derived from their names, so every run sees the same public keys. */
const KEY_NAMES = ['root', 'ca1', 'ca2', 'ca3', 'leaf', 'attacker', 'other-root'] as const;
export type KeyName = (typeof KEY_NAMES)[number];
export const KEYS = Object.fromEntries(
  KEY_NAMES.map((n) => {
    const seed = new Uint8Array(createHash('sha256').update(`pqsign chain property ${n}`).digest());
    return [n, { ...ml_dsa44.keygen(seed), seed }];
  }),
) as Record<KeyName, { publicKey: Uint8Array; secretKey: Uint8Array; seed: Uint8Array }>;

export const ROOT = 'CN=Property Root,O=pqsign tests';
export const OTHER_ROOT = 'CN=Unrelated Root,O=pqsign tests';
export const LEAF = 'CN=Property Signer,O=pqsign tests';
export const caName = (i: number) => `CN=Property CA ${i},O=pqsign tests`;
const caKey = (i: number) => `ca${i}` as KeyName;

export const EKU_OIDS = {
  codeSigning: KP.codeSigning,
  serverAuth: '1.3.6.1.5.5.7.3.1',
  anyExtendedKeyUsage: KP.anyExtendedKeyUsage,
} as const;
export type EkuName = keyof typeof EKU_OIDS;

/** basicConstraints: absent, or cA with an optional pathLenConstraint (never with cA false: RFC 5280 §4.2.1.9). */
export type Bc = 'absent' | { ca: false } | { ca: true; pathLen?: number };

/** One certificate as facts: names as text, whose key is in the SPKI, whose key signed it, validity in days. */
export interface CertSpec {
  /** what the certificate is, for messages */
  role: string;
  subject: string;
  issuer: string;
  /** the key in its subjectPublicKeyInfo */
  key: KeyName;
  /** the key whose signature it carries */
  signedBy: KeyName;
  /** notBefore and notAfter in days from the validation time */
  validity: readonly [number, number];
  bc: Bc;
  ku: readonly KeyUsageName[] | undefined;
  eku: readonly EkuName[] | undefined;
}

export interface ChainSpec {
  root: CertSpec;
  /** a second, unrelated trust anchor beside the root */
  otherAnchor: boolean;
  /** the root's child first */
  intermediates: CertSpec[];
  /** indices of intermediates left out of the embedded certificates */
  omitted: number[];
  leaf: CertSpec;
  /** embedded besides the chain */
  extras: CertSpec[];
  /** the extras come before the chain's intermediates in the CMS (candidate order) */
  extrasFirst: boolean;
  /** the anchor's own certificate is embedded too (as many signers do) */
  embedRoot: boolean;
  /** verify with --any-eku */
  anyEku: boolean;
}

const at = (t: Date, days: number) => new Date(t.getTime() + days * 86_400_000);

// Each chain certificate is either well-formed for its place (most of the time, so that valid chains are
// common) or wild: any window, basicConstraints, pathLen, keyUsage, EKU. Validity windows are days from the
// validation time; [0, 30] and [-30, 0] sit exactly on a boundary (RFC 5280 §4.1.2.5: inclusive at both ends).
const VALID: readonly (readonly [number, number])[] = [
  [-3650, 3650],
  [-30, 30],
];
const anyWindow = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VALID) },
  { weight: 2, arbitrary: fc.constant([-3650, -1] as const) }, // expired
  { weight: 2, arbitrary: fc.constant([1, 3650] as const) }, // not yet valid
  { weight: 2, arbitrary: fc.constantFrom([0, 30] as const, [-30, 0] as const) },
);
const anyCaBc: fc.Arbitrary<Bc> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }).map((p) => ({ ca: true as const, pathLen: p })) },
  { weight: 1, arbitrary: fc.constant({ ca: true as const }) },
  { weight: 2, arbitrary: fc.constant('absent' as const) },
  { weight: 2, arbitrary: fc.constant({ ca: false as const }) },
);
const anyCaKu: fc.Arbitrary<readonly KeyUsageName[] | undefined> = fc.constantFrom(
  ['keyCertSign', 'cRLSign'] as const,
  undefined,
  ['keyCertSign'] as const,
  ['digitalSignature'] as const,
  ['cRLSign'] as const,
);
const anyLeafBc: fc.Arbitrary<Bc> = fc.constantFrom({ ca: false as const }, 'absent' as const, { ca: true as const });
const anyLeafKu: fc.Arbitrary<readonly KeyUsageName[] | undefined> = fc.constantFrom(
  ['digitalSignature'] as const,
  undefined,
  ['digitalSignature', 'nonRepudiation'] as const,
  ['keyEncipherment'] as const,
  ['digitalSignature', 'keyCertSign'] as const,
);
const anyLeafEku: fc.Arbitrary<readonly EkuName[] | undefined> = fc.constantFrom(
  ['codeSigning'] as const,
  undefined,
  ['serverAuth'] as const,
  ['codeSigning', 'serverAuth'] as const,
  ['anyExtendedKeyUsage'] as const,
);
const mostly = <T>(usual: fc.Arbitrary<T>, wild: fc.Arbitrary<T>, wildWeight = 1) =>
  fc.oneof({ weight: 5, arbitrary: usual }, { weight: wildWeight, arbitrary: wild });

type CaFields = Pick<CertSpec, 'validity' | 'bc' | 'ku'>;
/** A CA certificate's own fields; `below` intermediates will sit under it in the generated chain. */
const caFields = (below: number, wildWeight = 1): fc.Arbitrary<CaFields> =>
  mostly<CaFields>(
    fc.record({
      validity: fc.constantFrom(...VALID),
      bc: fc.oneof(
        fc.constant({ ca: true as const }),
        fc.integer({ min: below, max: below + 2 }).map((p) => ({ ca: true as const, pathLen: p })),
      ),
      ku: fc.constantFrom(['keyCertSign', 'cRLSign'] as const, undefined),
    }),
    fc.record({ validity: anyWindow, bc: anyCaBc, ku: anyCaKu }),
    wildWeight,
  );
type LeafFields = Pick<CertSpec, 'validity' | 'bc' | 'ku' | 'eku'>;
const leafFields: fc.Arbitrary<LeafFields> = mostly(
  fc.record({
    validity: fc.constantFrom(...VALID),
    bc: fc.constantFrom({ ca: false as const }, 'absent' as const),
    ku: fc.constant(['digitalSignature'] as const),
    eku: fc.constant(['codeSigning'] as const),
  }),
  fc.record({ validity: anyWindow, bc: anyLeafBc, ku: anyLeafKu, eku: anyLeafEku }),
);
/** Now and then a chain certificate is signed by the attacker instead of its issuer. */
const signerOr = (genuine: KeyName) =>
  fc.oneof({ weight: 15, arbitrary: fc.constant(genuine) }, { weight: 1, arbitrary: fc.constant('attacker' as const) });

/** An anchor look-alike: the root's name and public key, signed by someone else (or a real re-issue by the root). */
function rootLookalike(depth: number): fc.Arbitrary<CertSpec> {
  const signers: KeyName[] = ['attacker', 'leaf', 'root', ...Array.from({ length: depth }, (_, i) => caKey(i + 1))];
  // forgers choose what helps them: long validity, large or no pathLen
  const bc: fc.Arbitrary<Bc> = fc.oneof(
    fc.integer({ min: 0, max: 9 }).map((p) => ({ ca: true as const, pathLen: p })),
    fc.constant({ ca: true as const }),
    fc.constant('absent' as const),
  );
  const validity = mostly(fc.constantFrom(...VALID), anyWindow);
  const ku = mostly(fc.constantFrom(['keyCertSign', 'cRLSign'] as const, undefined), anyCaKu);
  return fc.record({ signedBy: fc.constantFrom(...signers), issuedAsSigner: fc.boolean(), validity, bc, ku }).map((r) => {
    const ca = /^ca(\d)$/.exec(r.signedBy);
    const signerName = ca
      ? caName(Number(ca[1]))
      : r.signedBy === 'leaf'
        ? LEAF
        : r.signedBy === 'attacker'
          ? 'CN=Attacker,O=elsewhere'
          : ROOT;
    const issuer = r.issuedAsSigner ? signerName : ROOT;
    const what =
      r.signedBy === 'root'
        ? 're-issue of the anchor by its own key'
        : `anchor look-alike (name and key of the root) signed by ${r.signedBy}`;
    return {
      role: `${what}${issuer === ROOT ? ', self-issued' : `, issued as "${issuer}"`}`,
      subject: ROOT,
      issuer,
      key: 'root' as const,
      signedBy: r.signedBy,
      validity: r.validity,
      bc: r.bc,
      ku: r.ku,
      eku: undefined,
    };
  });
}

/** Another certificate for intermediate CA i: re-issued by its real issuer, or forged by the attacker. */
function caVariant(depth: number): fc.Arbitrary<CertSpec> {
  return fc
    .record({ i: fc.integer({ min: 1, max: depth }), forged: fc.boolean(), validity: anyWindow, bc: anyCaBc, ku: anyCaKu })
    .map((r) => {
      const parentKey: KeyName = r.i === 1 ? 'root' : caKey(r.i - 1);
      return {
        role: `${r.forged ? 'forged copy' : 're-issue'} of CA ${r.i}${r.forged ? ' signed by attacker' : ''}`,
        subject: caName(r.i),
        issuer: r.i === 1 ? ROOT : caName(r.i - 1),
        key: caKey(r.i),
        signedBy: r.forged ? 'attacker' : parentKey,
        validity: r.validity,
        bc: r.bc,
        ku: r.ku,
        eku: undefined,
      };
    });
}

export const chainSpec: fc.Arbitrary<ChainSpec> = fc.integer({ min: 0, max: 3 }).chain((depth) => {
  const intermediate = (i: number) =>
    fc.tuple(caFields(depth - i), signerOr(i === 1 ? 'root' : caKey(i - 1))).map(([f, signedBy]): CertSpec => ({
      role: `CA ${i}`,
      subject: caName(i),
      issuer: i === 1 ? ROOT : caName(i - 1),
      key: caKey(i),
      signedBy,
      eku: undefined,
      ...f,
    }));
  const extra = depth
    ? fc.oneof({ weight: 3, arbitrary: rootLookalike(depth) }, { weight: 1, arbitrary: caVariant(depth) })
    : rootLookalike(depth);
  return fc.record({
    // the root is wild more often: a broken anchor is what a look-alike would be made to paper over
    root: caFields(depth, 3).map((f): CertSpec => ({
      role: 'trust anchor',
      subject: ROOT,
      issuer: ROOT,
      key: 'root',
      signedBy: 'root',
      eku: undefined,
      ...f,
    })),
    otherAnchor: fc.boolean(),
    intermediates: fc.tuple(...Array.from({ length: depth }, (_, i) => intermediate(i + 1))),
    omitted: depth
      ? fc.oneof(
          { weight: 8, arbitrary: fc.constant<number[]>([]) },
          { weight: 1, arbitrary: fc.integer({ min: 0, max: depth - 1 }).map((i) => [i]) },
        )
      : fc.constant<number[]>([]),
    leaf: fc.tuple(leafFields, signerOr(depth ? caKey(depth) : 'root')).map(([f, signedBy]): CertSpec => ({
      role: 'signer',
      subject: LEAF,
      issuer: depth ? caName(depth) : ROOT,
      key: 'leaf',
      signedBy,
      ...f,
    })),
    extras: fc.array(extra, { maxLength: 3 }),
    extrasFirst: fc.boolean(),
    embedRoot: fc.boolean(),
    anyEku: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
});

export const OTHER_ANCHOR: CertSpec = {
  role: 'unrelated trust anchor',
  subject: OTHER_ROOT,
  issuer: OTHER_ROOT,
  key: 'other-root',
  signedBy: 'other-root',
  validity: [-3650, 3650],
  bc: { ca: true },
  ku: ['keyCertSign', 'cRLSign'],
  eku: undefined,
};

const ext = (extnID: string, critical: boolean, value: { toBER(): ArrayBuffer }) =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });
const pkiTime = (d: Date) => new pkijs.Time({ type: usesUtcTime(d) ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: d });
const nameOf = (text: string) => new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(parseName(text)).result });

/** The DER of `spec`, valid relative to `time`. Serial: from the facts, so equal facts give equal certificates. */
export function forge(spec: CertSpec, time: Date): Uint8Array {
  const alg = () => new pkijs.AlgorithmIdentifier({ algorithmId: MLDSA44.oid });
  const serial = createHash('sha256').update(JSON.stringify(spec)).digest().subarray(0, 16);
  serial[0] = (serial[0]! & 0x3f) | 0x40; // positive, 16 octets
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.signature = alg();
  cert.issuer = nameOf(spec.issuer);
  cert.subject = nameOf(spec.subject);
  cert.notBefore = pkiTime(at(time, spec.validity[0]));
  cert.notAfter = pkiTime(at(time, spec.validity[1]));
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(encodeSpki(MLDSA44, KEYS[spec.key].publicKey)).result });
  const exts: pkijs.Extension[] = [];
  if (spec.bc !== 'absent') {
    const pl = spec.bc.ca && spec.bc.pathLen !== undefined ? { pathLenConstraint: spec.bc.pathLen } : {};
    exts.push(ext(EXT.basicConstraints, true, new pkijs.BasicConstraints({ cA: spec.bc.ca, ...pl }).toSchema()));
  }
  if (spec.ku) exts.push(ext(EXT.keyUsage, true, keyUsageBitString(spec.ku)));
  if (spec.eku) exts.push(ext(EXT.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: spec.eku.map((e) => EKU_OIDS[e]) }).toSchema()));
  exts.push(ext(EXT.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(KEYS[spec.key].publicKey) })));
  // the authority key identifier names the key that really signed (what a forger's tool writes)
  const selfSigned = spec.subject === spec.issuer && spec.key === spec.signedBy;
  if (!selfSigned) {
    const aki = new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(KEYS[spec.signedBy].publicKey) }),
    });
    exts.push(ext(EXT.authorityKeyIdentifier, false, aki.toSchema()));
  }
  cert.extensions = exts;
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureAlgorithm = alg();
  cert.signatureValue = new asn1js.BitString({ valueHex: ml_dsa44.sign(tbs, KEYS[spec.signedBy].secretKey) });
  return new Uint8Array(cert.toSchema(false).toBER());
}

/** One line per certificate, for failure messages. */
export function describeSpec(c: CertSpec): string {
  const pathLen = c.bc !== 'absent' && c.bc.ca && c.bc.pathLen !== undefined ? ` pathLen ${c.bc.pathLen}` : '';
  const bc = c.bc === 'absent' ? 'no basicConstraints' : c.bc.ca ? `cA${pathLen}` : 'cA false';
  const days = (d: number) => (d === 0 ? 'T' : `T${d > 0 ? '+' : ''}${d}d`);
  return (
    `${c.role}: "${c.subject}" issued by "${c.issuer}", key ${c.key}, signed by ${c.signedBy}, ` +
    `valid ${days(c.validity[0])}..${days(c.validity[1])}, ${bc}, keyUsage ${c.ku ? c.ku.join('+') : 'absent'}` +
    `${c.eku !== undefined || c.role === 'signer' ? `, EKU ${c.eku ? c.eku.join('+') : 'absent'}` : ''}`
  );
}
