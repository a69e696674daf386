// `pqsign inspect BUNDLE` for in-toto attestation bundles (.intoto.jsonl). Nothing here verifies a
// signature: the payload of each envelope is read as an unauthenticated claim, to describe it.
import { isPqsignError } from '../base/errors.js';
import { readBundleLines } from './bundle.js';
import { parseEnvelope } from './envelope.js';
import { INTOTO_PAYLOAD_TYPE, parseStatement, type DigestSet } from './statement.js';

export interface EnvelopeFacts {
  line: number;
  payloadType?: string;
  /** keyid of each signature (null where the signature names none) */
  keyids?: (string | null)[];
  predicateType?: string;
  subjects?: { name: string | null; digest: DigestSet }[];
  /** why the line is not a readable envelope or statement */
  error?: string;
}

export async function inspectBundle(file: string): Promise<{ envelopes: EnvelopeFacts[] }> {
  const envelopes: EnvelopeFacts[] = [];
  for await (const { line, text } of readBundleLines(file)) {
    const facts: EnvelopeFacts = { line };
    try {
      const env = parseEnvelope(text);
      facts.payloadType = env.payloadType;
      facts.keyids = env.signatures.map((s) => s.keyid ?? null);
      if (env.payloadType === INTOTO_PAYLOAD_TYPE) {
        const s = parseStatement(env.payload);
        facts.predicateType = s.predicateType;
        facts.subjects = s.subject.map((x) => ({ name: x.name ?? null, digest: x.digest }));
      }
    } catch (e) {
      if (!isPqsignError(e)) throw e;
      facts.error = e.message;
    }
    envelopes.push(facts);
  }
  return { envelopes };
}
