// Reading a CMS SignedData file in one streaming pass, DER or PEM, attached or detached: the encapsulated
// content (which may be gigabytes) is handed to a sink chunk by chunk as it streams past and never kept;
// everything else (algorithms, certificates, SignerInfos: a few KiB) is captured byte-exactly for parsing.
// Accepts BER as RFC 5652 allows (indefinite lengths, a constructed eContent OCTET STRING).
import * as asn1js from 'asn1js';
import { BerStreamParser, type TlvEvents, type TlvHeader } from '../asn1/ber-stream.js';
import { PemStreamDecoder } from '../asn1/pem-stream.js';
import { TAG } from '../asn1/der.js';
import { concatList } from '../base/bytes.js';
import { PqsignError, isPqsignError } from '../base/errors.js';
import { readChunks } from '../io/read.js';
import { OID } from './oids.js';
import { looksLikeCmsDer, looksLikeCmsPem, PEM_LABELS } from './detect.js';
import type { CmsSource } from './source.js';

export interface ContentSink {
  /** called when the eContent starts, with the SignedData digestAlgorithms SET already read */
  begin(digestAlgorithms: asn1js.AsnType[]): void;
  update(chunk: Uint8Array): void;
}

export interface CmsFile {
  encoding: 'der' | 'pem';
  version: number;
  /** SignedData.digestAlgorithms */
  digestAlgorithms: asn1js.AsnType[];
  /** encapContentInfo.eContentType, dotted */
  contentType: string;
  attached: boolean;
  /** eContent octets (0 when detached) */
  contentBytes: number;
  /** the eContent's byte range in the file when it is one primitive OCTET STRING of a DER file (file offsets, also for a range source) */
  contentRange: { start: number; end: number } | undefined;
  /** each CertificateChoices element, exact bytes */
  certificates: Uint8Array[];
  /** number of revocationInfoChoices (not used by pqsign) */
  crls: number;
  /** each SignerInfo, exact bytes */
  signerInfos: Uint8Array[];
  /**
   * Where the envelope lies, for rewriting the SignerInfos (adding time-stamp tokens): the headers of the
   * ContentInfo, its content [0] and the SignedData, and the signerInfos SET's byte range. Offsets are in
   * the DER stream: the file's bytes (from the source's start), or the decoded DER of a PEM file.
   */
  envelope: {
    headers: Array<{ offset: number; header: Uint8Array; length: number | undefined }>;
    signerInfos: { start: number; end: number };
  };
}

const MAX_CAPTURED = 32 * 1024 * 1024;
/**
 * Counts far beyond any real SignedData (a signer, its chain and a few attributes: tens of elements
 * and a few hundred TLVs), checked while streaming, so that a small file of many tiny elements is
 * refused before anything parses it.
 */
export const CMS_LIMITS = { certificates: 64, crls: 64, signerInfos: 16, tlvs: 50_000 } as const;
const EXPLICIT0 = 0xa0;
const IMPLICIT1 = 0xa1;
const OCTET_CONSTRUCTED = 0x24;

/** an element being recorded byte-exactly, with everything inside it */
interface Capture {
  key: string;
  depth: number;
  parts: Uint8Array[];
  /** direct children so far */
  children: number;
}

/** SignedData fields whose elements are counted, and what the limit calls them */
const COUNTED: Record<string, [limit: number, what: string]> = {
  certificates: [CMS_LIMITS.certificates, 'certificates'],
  crls: [CMS_LIMITS.crls, 'revocation entries (crls)'],
  signerInfos: [CMS_LIMITS.signerInfos, 'SignerInfos'],
};

/** The TLV events of a ContentInfo(SignedData), checked level by level; eContent bytes go to the sink. */
class SignedDataCollector implements TlvEvents {
  readonly captured = new Map<string, Uint8Array>();
  private capture: Capture | undefined;
  private capturedBytes = 0;
  private capturedTlvs = 0;
  /** crls are counted, never kept (pqsign does not use them) */
  crlCount = 0;
  private inCrls = false;
  private encapOpen = false;
  contentBytes = 0;
  contentSegments: { start: number; end: number }[] = [];
  sawContent = false;
  private digestAlgorithms: asn1js.AsnType[] | undefined;
  private lastSignedDataTag = 0;
  readonly headers: Array<{ offset: number; header: Uint8Array; length: number | undefined }> = [];
  signerInfosOffset = 0;

  constructor(
    private readonly file: string,
    private readonly sink: ContentSink | undefined,
  ) {}

  private bad(why: string): PqsignError {
    return new PqsignError('ERR_SIGNATURE_FORMAT', `not a valid CMS SignedData: ${why}`, { file: this.file });
  }

  start(h: TlvHeader): void {
    if (this.inCrls) {
      if (h.depth === 4 && ++this.crlCount > CMS_LIMITS.crls) throw this.tooMany('crls');
      return;
    }
    if (this.capture) {
      if (h.depth === this.capture.depth + 1) {
        const counted = COUNTED[this.capture.key];
        if (counted && ++this.capture.children > counted[0]) throw this.tooMany(this.capture.key);
      }
      if (++this.capturedTlvs > CMS_LIMITS.tlvs) throw this.bad(`more than ${CMS_LIMITS.tlvs} ASN.1 elements besides its content`);
      return this.record(h.header);
    }
    const expect = (tag: number, what: string) => {
      if (h.tag !== tag) throw this.bad(`${what}: expected tag 0x${tag.toString(16)}, found 0x${h.tag.toString(16)}`);
    };
    if (h.depth <= 2 && !(h.depth === 1 && h.index === 0))
      this.headers.push({ offset: h.offset, header: Uint8Array.from(h.header), length: h.length });
    switch (h.depth) {
      case 0:
        return expect(TAG.SEQUENCE, 'ContentInfo');
      case 1:
        if (h.index === 0) {
          expect(TAG.OID, 'contentType');
          return this.begin('contentType', h);
        }
        if (h.index === 1) return expect(EXPLICIT0, 'content');
        throw this.bad('ContentInfo has extra fields');
      case 2:
        if (h.index !== 0) throw this.bad('content [0] holds more than one value');
        return expect(TAG.SEQUENCE, 'SignedData');
      case 3:
        return this.signedDataField(h);
      case 4:
        if (!this.encapOpen) throw this.bad('unexpected nesting');
        if (h.index === 0) {
          expect(TAG.OID, 'eContentType');
          return this.begin('eContentType', h);
        }
        if (h.index === 1) return expect(EXPLICIT0, 'eContent');
        throw this.bad('encapContentInfo has extra fields');
      default:
        return this.eContentPart(h);
    }
  }

  private signedDataField(h: TlvHeader): void {
    const order = [TAG.INTEGER, 0x31, TAG.SEQUENCE];
    if (h.index < 3) {
      if (h.tag !== order[h.index]) throw this.bad(`SignedData field ${h.index + 1} has tag 0x${h.tag.toString(16)}`);
      if (h.index === 2) {
        this.encapOpen = true;
        return;
      }
      return this.begin(h.index === 0 ? 'version' : 'digestAlgorithms', h);
    }
    // certificates [0], crls [1], signerInfos SET — in this order, each at most once
    const rank = (t: number) => (t === EXPLICIT0 ? 1 : t === IMPLICIT1 ? 2 : t === 0x31 ? 3 : 0);
    if (!rank(h.tag) || rank(h.tag) <= rank(this.lastSignedDataTag))
      throw this.bad(`unexpected SignedData field with tag 0x${h.tag.toString(16)}`);
    this.lastSignedDataTag = h.tag;
    if (h.tag === 0x31) this.signerInfosOffset = h.offset;
    if (h.tag === IMPLICIT1) this.inCrls = true;
    else this.begin(h.tag === EXPLICIT0 ? 'certificates' : 'signerInfos', h);
  }

  private tooMany(key: string): PqsignError {
    const [limit, what] = COUNTED[key]!;
    return this.bad(`more than ${limit} ${what}`);
  }

  private eContentPart(h: TlvHeader): void {
    if (!this.encapOpen) throw this.bad('unexpected nesting');
    if (h.depth === 5 && h.index > 0) throw this.bad('eContent [0] holds more than one value');
    if (h.tag !== TAG.OCTET_STRING && h.tag !== OCTET_CONSTRUCTED) throw this.bad('eContent is not an OCTET STRING');
    if (h.depth === 5) {
      this.sawContent = true;
      this.digestAlgorithms ??= this.parsed('digestAlgorithms');
      this.sink?.begin(this.digestAlgorithms);
    }
    if (h.tag === TAG.OCTET_STRING) this.contentSegments.push({ start: h.valueOffset, end: h.valueOffset + h.length! });
  }

  data(chunk: Uint8Array, h: TlvHeader): void {
    if (this.inCrls) return;
    if (this.capture) return this.record(chunk);
    if (h.depth >= 5 && this.encapOpen) {
      this.contentBytes += chunk.length;
      this.sink?.update(chunk);
    }
  }

  end(h: TlvHeader, eoc: Uint8Array): void {
    if (this.inCrls) {
      if (h.depth === 3) this.inCrls = false;
      return;
    }
    if (this.capture) {
      if (eoc.length) this.record(eoc);
      if (h.depth === this.capture.depth) {
        this.captured.set(this.capture.key, concatList(this.capture.parts));
        this.capture = undefined;
      }
      return;
    }
    if (h.depth === 3 && h.index === 2) this.encapOpen = false;
  }

  private begin(key: string, h: TlvHeader): void {
    this.capture = { key, depth: h.depth, parts: [], children: 0 };
    this.record(h.header);
  }

  private record(b: Uint8Array): void {
    this.capturedBytes += b.length;
    if (this.capturedBytes > MAX_CAPTURED) throw this.bad(`more than ${MAX_CAPTURED} bytes of certificates and signer infos`);
    this.capture!.parts.push(Uint8Array.from(b));
  }

  parsed(key: string): asn1js.AsnType[] {
    const raw = this.captured.get(key);
    if (!raw) throw this.bad(`${key} is missing`);
    const asn = asn1js.fromBER(raw);
    if (asn.offset === -1) throw this.bad(`${key} is not BER`);
    if (asn.offset !== raw.length) throw this.bad(`${key} has trailing bytes`);
    return asn.result.idBlock.isConstructed ? (asn.result as asn1js.Constructed).valueBlock.value : [asn.result];
  }
}

export type { CmsSource };

export const sourcePath = (source: CmsSource): string => (typeof source === 'string' ? source : source.path);

/** Stream the container once; `sink` receives the encapsulated content when it is attached. */
export async function readCms(source: CmsSource, sink?: ContentSink): Promise<CmsFile> {
  const path = sourcePath(source);
  const base = typeof source === 'string' ? 0 : source.start;
  const collector = new SignedDataCollector(path, sink);
  const parser = new BerStreamParser(collector, 'CMS');
  let pem: boolean | undefined;
  let decoder: PemStreamDecoder | undefined;
  try {
    for await (const chunk of readChunks(path, typeof source === 'string' ? {} : { start: source.start, end: source.end })) {
      if (pem === undefined) {
        // the first chunk is READ_CHUNK bytes or the whole file: enough to tell DER from PEM
        pem = !looksLikeCmsDer(chunk) && looksLikeCmsPem(chunk);
        if (!pem && !looksLikeCmsDer(chunk)) throw new PqsignError('ERR_SIGNATURE_FORMAT', 'not a CMS SignedData (DER or PEM)');
        if (pem) decoder = new PemStreamDecoder(PEM_LABELS, path, (b) => parser.push(b));
      }
      (decoder ?? parser).push(chunk);
    }
    if (pem === undefined) throw new PqsignError('ERR_SIGNATURE_FORMAT', 'is empty, not a CMS SignedData');
    decoder?.finish();
    parser.finish();
  } catch (e) {
    throw isPqsignError(e) ? e.withFile(path) : e;
  }
  const [contentType] = collector.parsed('contentType');
  if ((contentType as asn1js.ObjectIdentifier).valueBlock.toString() !== OID.signedData) {
    throw new PqsignError('ERR_SIGNATURE_FORMAT', 'ContentInfo does not hold SignedData', { file: path });
  }
  const [version] = collector.parsed('version');
  const segment = collector.contentSegments.length === 1 && !pem ? collector.contentSegments[0]! : undefined;
  const [eContentType] = collector.parsed('eContentType');
  return {
    encoding: pem ? 'pem' : 'der',
    version: Number((version as asn1js.Integer).valueBlock.valueDec),
    digestAlgorithms: collector.parsed('digestAlgorithms'),
    contentType: (eContentType as asn1js.ObjectIdentifier).valueBlock.toString(),
    attached: collector.sawContent,
    contentBytes: collector.contentBytes,
    contentRange: segment && { start: base + segment.start, end: base + segment.end },
    certificates: collector.captured.has('certificates')
      ? collector.parsed('certificates').map((c) => new Uint8Array(c.valueBeforeDecodeView))
      : [],
    crls: collector.crlCount,
    signerInfos: collector.parsed('signerInfos').map((s) => new Uint8Array(s.valueBeforeDecodeView)),
    envelope: {
      headers: collector.headers,
      signerInfos: { start: collector.signerInfosOffset, end: collector.signerInfosOffset + collector.captured.get('signerInfos')!.length },
    },
  };
}

/**
 * A chunk transform that turns the raw bytes of a CMS file (from offset 0) into its encapsulated content:
 * for `strip` of PEM or BER containers whose content is not one contiguous byte range.
 */
export function contentExtractor(path: string, pem: boolean): (chunk: Uint8Array, emit: (b: Uint8Array) => void) => void {
  let out: ((b: Uint8Array) => void) | undefined;
  const collector = new SignedDataCollector(path, { begin: () => undefined, update: (b) => out?.(b) });
  const parser = new BerStreamParser(collector, 'CMS');
  const decoder = pem ? new PemStreamDecoder(PEM_LABELS, path, (b) => parser.push(b)) : undefined;
  return (chunk, emit) => {
    out = emit;
    (decoder ?? parser).push(chunk);
  };
}
