// `pqsign timestamp FILE.p7s --tsa URL`: add an RFC 3161 token to every SignerInfo of an existing CMS
// signature — later, or again before a TSA's certificate or algorithm ages out (re-timestamping). A token
// is an unsigned attribute, so nothing signed changes: the SignerInfos are re-encoded with their tokens,
// the enclosing definite lengths grow, and every other byte (content, certificates) is copied unchanged,
// streamed for an attached CMS. Each new SignerInfo is parsed back before anything is written.
import { encodeLength } from '../asn1/der.js';
import { decodePem, encodePem } from '../asn1/pem.js';
import { derSetOf } from '../asn1/set-of.js';
import { concatBytes } from '../base/bytes.js';
import { PqsignError, inFile } from '../base/errors.js';
import { AtomicWriter } from '../io/atomic.js';
import { readChunks, readSmallFile, statInput } from '../io/read.js';
import { PEM_LABELS } from '../cms/detect.js';
import { readCms } from '../cms/reader.js';
import { parseSignerInfo } from '../cms/signer-info.js';
import { addTimeStampTokens } from '../cms/unsigned-attributes.js';
import { requestTimestamp, type TsaOptions } from '../cms/tsp/client.js';

export interface TimestampResult {
  file: string;
  output: string;
  /** per SignerInfo: the new token's genTime and TSA, and how many tokens it now carries */
  signers: Array<{ index: number; genTime: string; tsa: string; tokens: number }>;
}

/** Bytes of the DER stream: the file itself, or a PEM file's decoded DER (held in memory: PEM is small). */
type Source = { kind: 'file'; path: string; size: number } | { kind: 'bytes'; der: Uint8Array };

const PEM_MAX = 64 * 1024 * 1024;

/** A token over a SignerInfo's signature value: from a TSA (tokenFromTsa), or built otherwise (tests). */
export type TokenSource = (signatureValue: Uint8Array) => Promise<{ der: Uint8Array; genTime: Date; tsa: string }>;

export const tokenFromTsa =
  (tsa: TsaOptions): TokenSource =>
  async (signature) => {
    const t = await requestTimestamp(signature, tsa);
    return { der: t.der, genTime: t.tst.genTime, tsa: t.tsaCert.subject };
  };

export async function addTimestamps(file: string, output: string, tokenFor: TokenSource): Promise<TimestampResult> {
  const cms = await readCms(file);
  let source: Source;
  if (cms.encoding === 'pem') {
    const block = decodePem(await readSmallFile(file, 'CMS signature', PEM_MAX)).find((b) =>
      (PEM_LABELS as readonly string[]).includes(b.label),
    );
    if (!block) throw new PqsignError('ERR_SIGNATURE_FORMAT', 'no CMS PEM block', { file });
    source = { kind: 'bytes', der: block.der };
  } else {
    source = { kind: 'file', path: file, size: (await statInput(file)).size };
  }

  const signers: TimestampResult['signers'] = [];
  const infos: Uint8Array[] = [];
  for (const [index, der] of cms.signerInfos.entries()) {
    const info = await inFile(file, () => parseSignerInfo(der, `SignerInfo #${index + 1}`));
    const token = await tokenFor(info.signature);
    const updated = await inFile(file, () => addTimeStampTokens(der, [token.der]));
    // parsed back: the token is where a verifier will look, and nothing signed moved
    const check = parseSignerInfo(updated, `SignerInfo #${index + 1}`);
    if (
      check.timeStampTokens.length !== info.timeStampTokens.length + 1 ||
      check.signedAttributesDer?.length !== info.signedAttributesDer?.length
    ) {
      throw new Error(`timestamp: SignerInfo #${index + 1} did not re-encode as expected`);
    }
    infos.push(updated);
    signers.push({ index, genTime: token.genTime.toISOString(), tsa: token.tsa, tokens: check.timeStampTokens.length });
  }

  const set = derSetOf(infos);
  const { headers, signerInfos } = cms.envelope;
  // The SignedData, its [0] and the ContentInfo, innermost first: a definite length grows by what grew
  // inside it, its own length octets included (a length past 65535 needs one more); indefinite ones stay.
  let grow = set.length - (signerInfos.end - signerInfos.start);
  const newHeaders = headers.map((h) => h.header);
  for (let i = headers.length - 1; i >= 0; i--) {
    const h = headers[i]!;
    if (h.length === undefined) continue;
    newHeaders[i] = concatBytes(h.header.subarray(0, 1), encodeLength(h.length + grow));
    grow += newHeaders[i]!.length - h.header.length;
  }
  const pieces: Array<Uint8Array | { start: number; end: number }> = [];
  let at = 0;
  for (const [i, h] of headers.entries()) {
    if (h.offset > at) pieces.push({ start: at, end: h.offset });
    pieces.push(newHeaders[i]!);
    at = h.offset + h.header.length;
  }
  pieces.push({ start: at, end: signerInfos.start }, set);
  const end = source.kind === 'file' ? source.size : source.der.length;
  if (signerInfos.end < end) pieces.push({ start: signerInfos.end, end });

  if (source.kind === 'bytes') {
    const der = concatBytes(...pieces.map((p) => (p instanceof Uint8Array ? p : source.der.subarray(p.start, p.end))));
    const w = await AtomicWriter.create(output);
    await write(w, [new TextEncoder().encode(encodePem('CMS', der))], file);
  } else {
    const w = await AtomicWriter.create(output);
    await write(w, pieces, file);
  }
  return { file, output, signers };
}

async function write(w: AtomicWriter, pieces: Array<Uint8Array | { start: number; end: number }>, file: string): Promise<void> {
  try {
    for (const p of pieces) {
      if (p instanceof Uint8Array) await w.write(p);
      else if (p.end > p.start) for await (const chunk of readChunks(file, p)) await w.write(chunk);
    }
  } catch (e) {
    await w.abort();
    throw e;
  }
  await w.commit();
}
