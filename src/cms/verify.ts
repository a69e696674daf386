// Verifying a CMS SignedData with ML-DSA signers (RFC 5652 §5.6, RFC 9882) or composite ML-DSA ones
// (draft-ietf-lamps-cms-composite-sigs: both parts must verify): the content (attached or detached) streams
// once through every digest the signers need; each SignerInfo's algorithms are checked against RFC 9882
// (digest table per parameter set, ML-DSA with parameters absent) or the composite draft (the digest is the
// composite's pre-hash, the composite OID with parameters absent), then its signed
// attributes (contentType, messageDigest, CMSAlgorithmProtection per RFC 6211), its signature, and — with
// trust anchors — its certification path at the genTime of a trusted RFC 3161 time-stamp token, else at
// the signingTime attribute when the policy trusts it, else now (or --at); with CRLs, its revocation. Several SignerInfos are each reported;
// the file is valid when at least one of them verifies (and chains to an anchor, when anchors are given).
import * as asn1js from 'asn1js';
import { equalBytes, toHex } from '../base/bytes.js';
import { PqsignError, inFile, isPqsignError, type ErrorCode, opt } from '../base/errors.js';
import type { PublicKey } from '../keys/spki.js';
import { checkMu, type RemoteMuVerifier } from '../mldsa/signer.js';
import { MuHasher } from '../mldsa/mu.js';
import { feedParts, verifyStreamed, type MessagePart } from '../mldsa/stream.js';
import { paramByOid, type ParamSet } from '../mldsa/params.js';
import { compositeByOid, type CompositeAlg } from '../composite/params.js';
import { CompositeHasher, compositeMessage } from '../composite/message.js';
import { verifyCompositeRaw } from '../composite/verify.js';
import { parseCertificate, type ParsedCertificate } from '../pki/certificate.js';
import type { ParsedCrl } from '../pki/crl.js';
import { validatePath } from '../pki/path.js';
import { checkRevocation, type RevocationReport } from '../pki/revocation.js';
import { algorithmProtectionProblem } from './algorithm-protection.js';
import { allowedDigests, compositeDigest, digestAllowed, digestByOid, type Digest, type DigestAlgorithm } from './digests.js';
import { readCms, sourcePath, type CmsFile, type ContentSink } from './reader.js';
import type { CmsSource } from './source.js';
import { OID } from './oids.js';
import { findSignerCertificate, parseSignerInfo, type ReceivedSignerInfo } from './signer-info.js';
import type { TimestampReport } from './tsp/token.js';

export interface CmsVerifyOptions {
  /** the detached content: a file, or parts (bytes and file ranges, e.g. a UEFI image's payload ‖ MonotonicCount) */
  content: string | MessagePart[] | undefined;
  /** pinned signer key */
  key: PublicKey | undefined;
  trustAnchors: readonly ParsedCertificate[];
  /** verify as if now were this time (--at); default now */
  at: Date | undefined;
  /** TSA anchors: a time-stamp token whose TSA chains to one validates the path at its genTime */
  tsaAnchors?: readonly ParsedCertificate[] | undefined;
  /** without a trusted token, validate the path at the signingTime attribute (the policy allows it) */
  trustSigningTime?: boolean | undefined;
  /** revocation checking was asked for: every certificate on the path must be covered by one of these CRLs */
  crls?: readonly ParsedCrl[] | undefined;
  anyEku: boolean;
  /** the caller pins the signer by key fingerprint afterwards: the embedded certificate's key may be used */
  fingerprintPinned?: boolean | undefined;
  /** policy identity rules for a signer certificate that chained (DER in); throws ERR_UNTRUSTED */
  signerCheck?: ((certificate: Uint8Array) => void) | undefined;
  /** where (μ, signature) is judged; locally when absent */
  verifier?: RemoteMuVerifier | undefined;
}

export interface SignerReport {
  index: number;
  /** the signer certificate's subject, or "subjectKeyIdentifier HEX" */
  signer: string;
  algorithm: string | undefined;
  digest: string | undefined;
  signingTime: string | undefined;
  valid: boolean;
  /** subjects from signer to trust anchor, when a path was validated */
  chain?: string[];
  /** the time the path was validated at, and why that time */
  validationTime?: ValidationTime;
  /** the time-stamp tokens in the unsigned attributes, and whether each is trusted */
  timestamps?: TimestampReport[];
  /** with CRLs: what each certificate's CRL said */
  revocation?: RevocationReport[];
  error?: { code: ErrorCode; message: string };
}

export interface ValidationTime {
  time: string;
  /** timestamp: a trusted token's genTime; signingTime: the signed attribute, trusted by the policy; at / now */
  source: 'timestamp' | 'signingTime' | 'at' | 'now';
  reason: string;
}

export interface CmsVerification {
  params: ParamSet;
  publicKey: Uint8Array;
  /** set when the SignerInfo that verified is composite */
  composite: CompositeAlg | undefined;
  signers: SignerReport[];
  attached: boolean;
  contentBytes: number;
}

/** one SignerInfo as verification progresses */
interface SignerState {
  index: number;
  label: string;
  info: ReceivedSignerInfo | undefined;
  error: PqsignError | undefined;
  cert: ParsedCertificate | undefined;
  key: PublicKey | undefined;
  params: ParamSet | undefined;
  /** the composite algorithm of a composite SignerInfo */
  composite: CompositeAlg | undefined;
  digest: DigestAlgorithm | undefined;
}

/**
 * Digests of the content (and μ for signers without signed attributes), computed in one streaming pass.
 * `digests` undefined: every supported digest the SignedData announces in digestAlgorithms (attached
 * content streams by before the SignerInfos are known).
 */
class ContentHashes implements ContentSink {
  private readonly digests = new Map<string, Digest>();
  /** μ, or M' for a composite signer, of the content itself (signers without signed attributes) */
  private readonly mus = new Map<SignerState, MuHasher | CompositeHasher>();
  readonly results = new Map<string, Uint8Array>();
  readonly muResults = new Map<SignerState, Uint8Array>();
  /** content bytes streamed through (the detached content's size, reported by verify) */
  bytes = 0;

  constructor(
    private readonly wanted: readonly DigestAlgorithm[] | undefined,
    private readonly muSigners: readonly SignerState[] = [],
  ) {}

  begin(digestAlgorithms: asn1js.AsnType[]): void {
    const announced = announcedDigestOids(digestAlgorithms).map((oid) => oid && digestByOid(oid));
    for (const d of this.wanted ?? announced) if (d && !this.digests.has(d.oid)) this.digests.set(d.oid, d.create());
    for (const s of this.muSigners)
      this.mus.set(s, s.composite ? new CompositeHasher(s.composite) : new MuHasher(s.params!, s.key!.publicKey));
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    for (const d of this.digests.values()) d.update(chunk);
    for (const m of this.mus.values()) m.update(chunk);
  }

  finish(): void {
    for (const [oid, d] of this.digests) this.results.set(oid, d.digest());
    for (const [s, m] of this.mus) this.muResults.set(s, m.digest());
  }
}

const fail = (code: ErrorCode, message: string) => new PqsignError(code, message);

/** The OID of each SignedData.digestAlgorithms entry that is an AlgorithmIdentifier SEQUENCE; undefined otherwise. */
function announcedDigestOids(digestAlgorithms: asn1js.AsnType[]): Array<string | undefined> {
  return digestAlgorithms.map((a) => {
    const [oid] = a instanceof asn1js.Sequence ? a.valueBlock.value : [];
    return oid instanceof asn1js.ObjectIdentifier ? oid.valueBlock.toString() : undefined;
  });
}

/**
 * RFC 5652 §5.1: the SignedData version follows from what it holds — 5 with other certificate (or
 * revocation) formats, 4 with v2 attribute certificates, 3 with v1 attribute certificates, a version-3
 * SignerInfo or content other than id-data, else 1. Checked so that the unsigned envelope is not malleable.
 */
function versionProblem(cms: CmsFile, infos: readonly ReceivedSignerInfo[]): string | undefined {
  const tags = new Set(cms.certificates.map((c) => c[0]));
  const v3 = tags.has(0xa1) || cms.contentType !== OID.data || infos.some((i) => i.version === 3);
  const want = tags.has(0xa3) ? 5 : tags.has(0xa2) ? 4 : v3 ? 3 : 1;
  // the reader does not tell other revocation formats apart; they too call for version 5
  if (cms.version === want || (cms.crls > 0 && cms.version === 5)) return undefined;
  return `SignedData version ${cms.version}; RFC 5652 §5.1 requires ${want} for what it holds`;
}

function signerLabel(info: ReceivedSignerInfo, cert: ParsedCertificate | undefined, index: number): string {
  if (cert) return cert.subject;
  if (info.sid.kind === 'subjectKeyIdentifier') return `subjectKeyIdentifier ${toHex(info.sid.keyId)}`;
  return `SignerInfo #${index + 1}`;
}

/** Everything that needs no content: the signer's certificate and key, algorithms, signed attributes. */
function resolveSigner(s: SignerState, cms: CmsFile, certs: readonly ParsedCertificate[], opts: CmsVerifyOptions): void {
  s.cert = findSignerCertificate(s.info!, [...certs, ...opts.trustAnchors]);
  s.label = signerLabel(s.info!, s.cert, s.index);
  checkAlgorithms(s, cms);
  resolveKey(s, opts);
}

/**
 * RFC 9882 §3.3 (algorithms, digest table) or draft-ietf-lamps-cms-composite-sigs §3.4 (composite OID,
 * digest = its pre-hash), RFC 5652 §5.3/§11 and RFC 6211 (signed attributes).
 */
function checkAlgorithms(s: SignerState, cms: CmsFile): void {
  const info = s.info!;
  const composite = compositeByOid(info.signatureAlgorithm.oid);
  const params = composite?.mldsa ?? paramByOid(info.signatureAlgorithm.oid);
  if (!params) throw fail('ERR_ALGORITHM', `signature algorithm ${info.signatureAlgorithm.oid} is not ML-DSA or composite ML-DSA`);
  const rule = composite ? 'draft-ietf-lamps-cms-composite-sigs §3.4' : 'RFC 9882 §3.3';
  if (!info.signatureAlgorithm.paramsAbsent)
    throw fail(
      'ERR_SIGNATURE_FORMAT',
      `${composite?.name ?? params.name} signatureAlgorithm has parameters (${rule} requires them absent)`,
    );
  s.params = params;
  s.composite = composite;
  if (info.signedAttributes) {
    const d = digestByOid(info.digestAlgorithm.oid);
    if (!d) throw fail('ERR_ALGORITHM', `digest algorithm ${info.digestAlgorithm.oid} is not supported`);
    if (composite && d !== compositeDigest(composite)) {
      // the draft lets a verifier accept a mismatch "for interoperability"; a signer that hashed with another digest is refused
      throw fail('ERR_ALGORITHM', `digest ${d.name} is not ${composite.name}'s pre-hash ${compositeDigest(composite).name} (${rule})`);
    }
    if (!composite && !digestAllowed(params, d)) {
      throw fail('ERR_ALGORITHM', `digest ${d.name} is too weak for ${params.name}; RFC 9882 allows ${allowedDigests(params).join(', ')}`);
    }
    if (!info.digestAlgorithm.paramsAbsent && !(d.nullParamsAccepted && isNullParams(info.digestAlgorithm.der))) {
      throw fail('ERR_SIGNATURE_FORMAT', `${d.name} digestAlgorithm has parameters (${rule} requires them absent)`);
    }
    if (!announcedDigestOids(cms.digestAlgorithms).includes(d.oid)) {
      throw fail('ERR_SIGNATURE_FORMAT', `digest ${d.name} is not listed in SignedData.digestAlgorithms (RFC 5652 §5.1)`);
    }
    s.digest = d;
    const attrs = info.signedAttributes;
    if (!attrs.contentType || !attrs.messageDigest)
      throw fail('ERR_SIGNATURE_FORMAT', 'signed attributes lack contentType or messageDigest (RFC 5652 §5.3)');
    if (attrs.contentType !== cms.contentType)
      throw fail('ERR_SIGNATURE_INVALID', `contentType attribute ${attrs.contentType} differs from eContentType ${cms.contentType}`);
    if (attrs.algorithmProtection) {
      const problem = algorithmProtectionProblem(attrs.algorithmProtection, info.digestAlgorithm.der, info.signatureAlgorithm.der);
      if (problem) throw fail('ERR_SIGNATURE_INVALID', problem);
    }
  }
}

const keyName = (k: PublicKey) => k.composite?.name ?? k.params.name;

/**
 * The pinned key, or the signer certificate's key (which must then exist and match the algorithm). A
 * composite signature needs a composite key of the same algorithm, an ML-DSA one an ML-DSA key.
 */
function resolveKey(s: SignerState, opts: CmsVerifyOptions): void {
  const params = s.params!;
  const name = s.composite?.name ?? params.name;
  const fits = (k: PublicKey) => k.params === params && k.composite === s.composite;
  if (opts.key) {
    if (!fits(opts.key))
      throw new PqsignError('ERR_UNTRUSTED', `is an ${name} signature but the pinned key is ${keyName(opts.key)}`, {
        detail: 'pinned-key',
      });
    s.key = opts.key;
  } else if (!s.cert) {
    throw fail('ERR_CHAIN', `${s.label}: the signer's certificate is neither embedded nor a trust anchor`);
  } else {
    const certKey = s.cert.publicKey ?? s.cert.compositeKey;
    if (!certKey) throw fail('ERR_ALGORITHM', `certificate "${s.cert.subject}" holds a ${s.cert.spkiAlgorithm} key, not ML-DSA`);
    if (!fits(certKey))
      throw fail('ERR_ALGORITHM', `is an ${name} signature but certificate "${s.cert.subject}" holds an ${keyName(certKey)} key`);
    s.key = certKey;
  }
  if (opts.key && opts.trustAnchors.length) {
    if (!s.cert) throw fail('ERR_CHAIN', `${s.label}: the signer's certificate is neither embedded nor a trust anchor`);
    if (!equalBytes((s.cert.publicKey ?? s.cert.compositeKey)?.publicKey ?? new Uint8Array(0), opts.key.publicKey)) {
      throw new PqsignError('ERR_UNTRUSTED', `certificate "${s.cert.subject}" is not for the pinned key`, { detail: 'pinned-key' });
    }
  }
}

const isNullParams = (algDer: Uint8Array) => algDer.length >= 2 && algDer[algDer.length - 2] === 0x05 && algDer[algDer.length - 1] === 0x00;

/** What the path check of one signer found (undefined parts: no trust anchors, so no path). */
interface SignerOutcome {
  chain?: string[];
  validationTime?: ValidationTime;
  timestamps?: TimestampReport[];
  revocation?: RevocationReport[];
}

/**
 * The time the signer's path is valid at (docs/pki.md "Which time"): the earliest genTime of a time-stamp
 * token a TSA anchor vouches for; else the signingTime attribute when trusted (--trust-signing-time or the
 * policy), which a signer can backdate; else now (or --at).
 */
async function validationTimeOf(
  info: ReceivedSignerInfo,
  opts: CmsVerifyOptions,
  now: Date,
): Promise<{ time: Date; why: ValidationTime; timestamps: TimestampReport[] }> {
  const iso = (d: Date) => d.toISOString();
  let timestamps: TimestampReport[] = [];
  let earliest: { genTime: Date; tsa: string } | undefined;
  if (info.timeStampTokens.length) {
    const { checkTimestamp } = await import('./tsp/token.js');
    const checked = info.timeStampTokens.map((t, i) =>
      checkTimestamp(t, `time-stamp token #${i + 1}`, info.signature, opts.tsaAnchors ?? [], now),
    );
    timestamps = checked.map((c) => c.report);
    for (const c of checked)
      if (c.genTime && (!earliest || c.genTime < earliest.genTime)) earliest = { genTime: c.genTime, tsa: c.report.tsa! };
  }
  if (earliest) {
    return {
      time: earliest.genTime,
      timestamps,
      why: {
        time: iso(earliest.genTime),
        source: 'timestamp',
        reason: `genTime of a time-stamp token by "${earliest.tsa}", a TSA the TSA anchors vouch for`,
      },
    };
  }
  const noToken = timestamps.length ? 'no time-stamp token is trusted' : 'no time-stamp token';
  const signingTime = info.signedAttributes?.signingTime;
  if (opts.trustSigningTime && signingTime && signingTime <= now) {
    return {
      time: signingTime,
      timestamps,
      why: {
        time: iso(signingTime),
        source: 'signingTime',
        reason: `${noToken}; the signingTime attribute is trusted (${opt('trustSigningTime')} or the policy's trustSigningTime)`,
      },
    };
  }
  const untrustedTime = !signingTime
    ? ''
    : opts.trustSigningTime
      ? '; the signingTime attribute is after the verification time'
      : `; the signer's signingTime attribute is not trusted without ${opt('trustSigningTime')}`;
  return { time: now, timestamps, why: { time: iso(now), source: opts.at ? 'at' : 'now', reason: `${noToken}${untrustedTime}` } };
}

/** Signature, content digest and path: everything after the content has streamed. */
async function checkSigner(
  s: SignerState,
  hashes: ContentHashes[],
  certs: readonly ParsedCertificate[],
  opts: CmsVerifyOptions,
): Promise<SignerOutcome> {
  const info = s.info!;
  const key = s.key!;
  if (info.signedAttributesDer) {
    const computed = hashes.map((h) => h.results.get(s.digest!.oid)).find((x) => x);
    if (!computed || !equalBytes(computed, info.signedAttributes!.messageDigest!)) {
      throw fail(
        'ERR_SIGNATURE_INVALID',
        `the content does not match the messageDigest attribute (${s.digest!.name}): the content was modified or is not the signed file`,
      );
    }
    if (s.composite) {
      if (opts.verifier)
        throw fail(
          'ERR_USAGE',
          `a remote ${opt('verifier')} checks ML-DSA signatures; a composite signature is checked locally (both parts)`,
        );
      // M = DER(SignedAttributes), ctx empty (draft-ietf-lamps-cms-composite-sigs §3.3); both parts must verify
      if (!verifyCompositeRaw(s.composite, key.publicKey, compositeMessage(s.composite, info.signedAttributesDer), info.signature)) {
        throw fail('ERR_SIGNATURE_INVALID', 'the composite signature over the signed attributes does not verify (both parts must)');
      }
    } else {
      // through verifyStreamed, so a verifier that routes signature checks elsewhere (e.g. KMS) sees this one
      try {
        await verifyStreamed(
          key.params,
          key.publicKey,
          new Uint8Array(0),
          [info.signedAttributesDer],
          info.signature,
          s.label,
          opts.verifier,
        );
      } catch (e) {
        if (isPqsignError(e) && e.code === 'ERR_SIGNATURE_INVALID')
          throw fail('ERR_SIGNATURE_INVALID', 'the signature over the signed attributes does not verify');
        throw e;
      }
    }
  } else {
    const digest = hashes.map((h) => h.muResults.get(s)).find((x) => x)!;
    const ok = s.composite
      ? verifyCompositeRaw(s.composite, key.publicKey, digest, info.signature)
      : await checkMu(key.params, key.publicKey, digest, info.signature, opts.verifier);
    if (!ok) throw fail('ERR_SIGNATURE_INVALID', `the ${s.composite ? 'composite ' : ''}signature over the content does not verify`);
  }
  if (!opts.trustAnchors.length) return {};
  const now = opts.at ?? new Date();
  const { time, why, timestamps } = await validationTimeOf(info, opts, now);
  let path: ParsedCertificate[];
  try {
    path = validatePath(s.cert!, { anchors: opts.trustAnchors, intermediates: certs, at: time, anyEku: opts.anyEku });
  } catch (e) {
    if (isPqsignError(e) && e.code === 'ERR_CHAIN')
      throw new PqsignError('ERR_CHAIN', `${e.message} [validated at ${why.time}, ${why.source}: ${why.reason}]`);
    throw e;
  }
  const revocation = opts.crls ? checkRevocation(path, { crls: opts.crls, now, validationTime: time }) : undefined;
  opts.signerCheck?.(s.cert!.der);
  return {
    chain: path.map((c) => c.subject),
    validationTime: why,
    ...(timestamps.length ? { timestamps } : {}),
    ...(revocation ? { revocation } : {}),
  };
}

const contentParts = (content: string | MessagePart[]): MessagePart[] => (typeof content === 'string' ? [{ path: content }] : content);

async function streamContent(
  source: CmsSource,
  cms: CmsFile,
  content: string | MessagePart[] | undefined,
  sink: ContentHashes,
): Promise<void> {
  sink.begin([]);
  if (content) {
    await feedParts(sink, contentParts(content));
  } else if (cms.contentRange) {
    await feedParts(sink, [{ path: sourcePath(source), ...cms.contentRange }]);
  } else {
    await readCms(source, { begin: () => undefined, update: (b) => sink.update(b) });
  }
  sink.finish();
}

/** An attached CMS verified "against" given content: that content must be exactly the embedded content. */
async function checkSameContent(content: string | MessagePart[], file: string, cms: CmsFile, embedded: ContentHashes): Promise<void> {
  const algs = [...embedded.results.keys()].map((oid) => digestByOid(oid)!);
  const given = new ContentHashes(algs);
  let size = 0;
  given.begin([]);
  await feedParts(
    {
      update: (chunk) => {
        size += chunk.length;
        given.update(chunk);
      },
    },
    contentParts(content),
  );
  given.finish();
  const same =
    size === cms.contentBytes && algs.length > 0 && algs.every((d) => equalBytes(given.results.get(d.oid)!, embedded.results.get(d.oid)!));
  if (!same)
    throw new PqsignError('ERR_SIGNATURE_INVALID', 'is not the content embedded in the CMS', {
      file: typeof content === 'string' ? content : file,
    });
}

export async function verifyCms(source: CmsSource, opts: CmsVerifyOptions): Promise<CmsVerification> {
  const file = sourcePath(source);
  if (!opts.key && !opts.trustAnchors.length && !opts.fingerprintPinned) {
    throw new PqsignError(
      'ERR_UNTRUSTED',
      `a CMS signature is only checked against a trust anchor (${opt('trustAnchors')}), a pinned key (${opt('key')}) or a key fingerprint (${opt('keyFingerprints')})`,
      { file, detail: 'key' },
    );
  }
  // Attached: the first pass is the container itself and hashes with every digest it announces.
  // Detached: the content is read afterwards, with exactly the digests the signers need.
  const firstPass = new ContentHashes(undefined);
  const cms = await readCms(source, firstPass);
  firstPass.finish();
  if (cms.attached && opts.content) await checkSameContent(opts.content, file, cms, firstPass);
  if (!cms.attached && !opts.content)
    throw new PqsignError(
      'ERR_USAGE',
      `this CMS is detached: give the signed file (verify FILE with FILE.p7s beside it, or ${opt('payload')} FILE)`,
      { file },
    );
  if (!cms.signerInfos.length) throw new PqsignError('ERR_SIGNATURE_FORMAT', 'SignedData has no SignerInfo', { file });

  const certs = await inFile(file, () =>
    cms.certificates
      .filter((c) => c[0] === 0x30) // CertificateChoices: only X.509 certificates are used
      .map((c, i) => parseCertificate(c, `embedded certificate #${i + 1}`, 'ERR_SIGNATURE_FORMAT')),
  );
  const signers: SignerState[] = cms.signerInfos.map((der, index) => {
    const s: SignerState = {
      index,
      label: `SignerInfo #${index + 1}`,
      info: undefined,
      error: undefined,
      cert: undefined,
      key: undefined,
      params: undefined,
      composite: undefined,
      digest: undefined,
    };
    try {
      s.info = parseSignerInfo(der, s.label);
      resolveSigner(s, cms, certs, opts);
    } catch (e) {
      if (!isPqsignError(e)) throw e;
      s.error = e;
    }
    return s;
  });

  // a SignerInfo that does not parse leaves the required version unknown
  const problem = signers.every((s) => s.info)
    ? versionProblem(
        cms,
        signers.map((s) => s.info!),
      )
    : undefined;
  if (problem) throw new PqsignError('ERR_SIGNATURE_FORMAT', `not a valid CMS SignedData: ${problem}`, { file });

  const live = signers.filter((s) => !s.error);
  const missingDigests = live.filter((s) => s.digest && !firstPass.results.has(s.digest.oid)).map((s) => s.digest!);
  const muSigners = live.filter((s) => !s.info!.signedAttributesDer);
  const hashes = [firstPass];
  if (missingDigests.length || muSigners.length) {
    const second = new ContentHashes(missingDigests, muSigners);
    await streamContent(source, cms, cms.attached ? undefined : opts.content, second);
    hashes.push(second);
  }

  const reports: SignerReport[] = [];
  for (const s of signers) {
    let outcome: SignerOutcome = {};
    if (!s.error) {
      try {
        outcome = await checkSigner(s, hashes, certs, opts);
      } catch (e) {
        if (!isPqsignError(e)) throw e;
        s.error = e;
      }
    }
    reports.push({
      index: s.index,
      signer: s.label,
      algorithm: s.composite?.name ?? s.params?.name,
      digest: s.info?.signedAttributesDer ? s.digest?.name : undefined,
      signingTime: s.info?.signedAttributes?.signingTime?.toISOString(),
      valid: !s.error,
      ...outcome,
      ...(s.error ? { error: { code: s.error.code, message: s.error.message } } : {}),
    });
  }

  const ok = signers.find((s) => !s.error);
  if (!ok) {
    if (signers.length === 1) throw signers[0]!.error!.withFile(file);
    const first = signers[0]!.error!;
    const all = signers.map((s) => `SignerInfo #${s.index + 1} (${s.label}): ${s.error!.message}`).join('; ');
    throw new PqsignError(first.code, `no SignerInfo is valid: ${all}`, { file });
  }
  return {
    params: ok.key!.params,
    publicKey: ok.key!.publicKey,
    composite: ok.composite,
    signers: reports,
    attached: cms.attached,
    contentBytes: cms.attached ? cms.contentBytes : hashes.at(-1)!.bytes,
  };
}
