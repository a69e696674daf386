// `pqsign inspect` for people: the facts --json prints, laid out as aligned rows, with certificates,
// SignerInfos and attestation envelopes as indented blocks instead of raw JSON arrays.
type Facts = Record<string, unknown>;

const isObject = (v: unknown): v is Facts => typeof v === 'object' && v !== null && !Array.isArray(v);

function rows(pairs: [string, string][], indent: string, width = Math.max(0, ...pairs.map(([k]) => k.length))): string[] {
  return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

/** A scalar, a list of scalars, or (last resort) JSON. */
function scalar(key: string, v: unknown): string {
  if (v === null) return key === 'contentBytes' ? 'none inside (detached content)' : '-';
  if (Array.isArray(v) && v.every((x) => !isObject(x) && !Array.isArray(x))) return v.length ? v.join(', ') : '-';
  return isObject(v) || Array.isArray(v) ? JSON.stringify(v) : String(v);
}

function certificateBlock(c: Facts, i: number): string[] {
  if (c.error) return [`    #${i + 1}  unreadable: ${String(c.error)}`];
  const key = c.keyFingerprint ? `${String(c.algorithm)}, sha256 ${String(c.keyFingerprint)}` : String(c.algorithm);
  return [
    `    #${i + 1}  ${String(c.subject)}`,
    ...rows(
      [
        ['issuer', String(c.issuer)],
        ['valid', `${String(c.notBefore)} .. ${String(c.notAfter)}`],
        ['key', key],
        ['serial', String(c.serial)],
      ],
      '         ',
    ),
  ];
}

/** The signer as its certificate's subject when the certificate is in the container, else its identifier. */
function signerName(sid: unknown, certs: Facts[]): string {
  if (!isObject(sid)) return '?';
  if (sid.subjectKeyIdentifier) return `subjectKeyIdentifier ${String(sid.subjectKeyIdentifier)}`;
  const cert = certs.find((c) => c.issuer === sid.issuer && c.serial === sid.serial);
  return cert ? String(cert.subject) : `issuer "${String(sid.issuer)}", serial ${String(sid.serial)} (certificate not embedded)`;
}

function signerBlock(s: Facts, i: number, certs: Facts[]): string[] {
  if (s.error) return [`    #${i + 1}  unreadable: ${String(s.error)}`];
  const attrs = s.signedAttributes
    ? `signed attributes${s.algorithmProtection ? ', algorithm protection' : ''}`
    : 'no signed attributes (signature over the content)';
  return [
    `    #${i + 1}  ${signerName(s.sid, certs)}`,
    ...rows(
      [
        ['algorithm', String(s.signatureAlgorithm)],
        ['digest', String(s.digestAlgorithm)],
        ['signingTime', s.signingTime === undefined ? '-' : String(s.signingTime)],
        ['signature', `${String(s.signatureBytes)} bytes, ${attrs}`],
      ],
      '         ',
    ),
  ];
}

function envelopeBlock(e: Facts): string[] {
  if (e.error) return [`  line ${String(e.line)}: not a readable envelope: ${String(e.error)}`];
  const subjects = Array.isArray(e.subjects) ? (e.subjects as Facts[]) : undefined;
  const keyids = (e.keyids as (string | null)[]).map((k) => k ?? '(none)').join(', ');
  const lines = [
    `  line ${String(e.line)}`,
    ...rows(
      [
        ['payloadType', String(e.payloadType)],
        ['keyid', keyids],
        ...(e.predicateType ? [['predicateType', String(e.predicateType)] as [string, string]] : []),
        ...(subjects ? [['subjects', String(subjects.length)] as [string, string]] : []),
      ],
      '    ',
    ),
  ];
  for (const s of subjects ?? []) {
    const digests = Object.entries(s.digest as Facts)
      .map(([alg, hex]) => `${alg}:${String(hex)}`)
      .join(' ');
    lines.push(`      ${s.name === null ? '(unnamed)' : String(s.name)}  ${digests}`);
  }
  return lines;
}

/** The human text of `inspect`: a header line, then one row per fact. */
export function inspectText(file: string, format: string, facts: Facts): string {
  const certs = Array.isArray(facts.certificates) ? (facts.certificates as Facts[]) : [];
  const scalars: [string, string][] = [];
  const blocks: string[] = [];
  const width = Math.max(0, ...Object.keys(facts).map((k) => k.length));
  const flush = () => {
    blocks.push(...rows(scalars.splice(0), '  ', width));
  };
  for (const [k, v] of Object.entries(facts)) {
    if (k === 'certificates' && Array.isArray(v)) {
      scalars.push([k, String(v.length)]);
      flush();
      (v as Facts[]).forEach((c, i) => blocks.push(...certificateBlock(c, i)));
    } else if (k === 'signerInfos' && Array.isArray(v)) {
      scalars.push([k, String(v.length)]);
      flush();
      (v as Facts[]).forEach((s, i) => blocks.push(...signerBlock(s, i, certs)));
    } else if (k === 'envelopes' && Array.isArray(v)) {
      scalars.push([k, String(v.length)]);
      flush();
      for (const e of v as Facts[]) blocks.push(...envelopeBlock(e));
    } else {
      scalars.push([k, scalar(k, v)]);
    }
  }
  flush();
  return `${file}: ${format}\n${blocks.join('\n')}\n`;
}
