// Recognising an in-toto attestation bundle (.intoto.jsonl) by its first bytes, so that `inspect`
// describes it and `verify` points to `verify-attestation`. No imports: verify workers load this.

/**
 * A DSSE envelope line: a JSON object with a "payloadType" member in the first bytes (pqsign and the
 * usual producers write it first; a JWS JSON serialization has no such member).
 */
export function looksLikeAttestationBundle(head: Uint8Array): boolean {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  return /^\uFEFF?\s*\{/.test(text) && /"payloadType"\s*:/.test(text.split('\n', 1)[0]!);
}
