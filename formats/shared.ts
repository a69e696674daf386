// What the COSE and JWS formats share: format options (parsed CLI flags, or the resolvedOptions an
// offline ceremony stored) read with their types checked; the flags they both take (one name, one
// meaning, one description); the RFC 9964 context rule; and the guards around a streamed payload.
import { equalBytes } from '../src/base/bytes.js';
import { PqsignError } from '../src/base/errors.js';
import type { FormatFlag, FormatOptions } from '../src/pipeline/format.js';

export function stringOption(options: FormatOptions, name: string): string | undefined {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new PqsignError('ERR_USAGE', `--${kebab(name)} takes one value`);
  return v;
}

export const booleanOption = (options: FormatOptions, name: string): boolean => options[name] === true;

/** A flag whose absence means "the format decides": true (--flag), false (--no-flag) or undefined. */
export function optionalBooleanOption(options: FormatOptions, name: string): boolean | undefined {
  const v = options[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new PqsignError('ERR_USAGE', `--${kebab(name)} takes no value (--${kebab(name)} or --no-${kebab(name)})`);
  return v;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Flags COSE and JWS both take, with the same meaning. */
export const SHARED_FLAGS = {
  detached: {
    type: 'boolean', for: ['sign'],
    describe: 'leave the payload out of the container (COSE: payload nil; JWS: RFC 7515 Appendix F); the verifier supplies the file',
  },
  kid: {
    type: 'string', for: ['sign'],
    describe: 'key id for the header instead of the key thumbprint (COSE: its UTF-8 bytes; JWS: the string)',
  },
  'content-type': {
    type: 'string', for: ['sign'],
    describe: 'payload content type (COSE header 3: a number is a CoAP Content-Format, else a media type; JWS "cty")',
  },
} as const satisfies Record<string, FormatFlag>;

/** RFC 9964 §5: "The ctx parameter MUST be the empty string" for ML-DSA in JOSE and COSE. */
export function requireEmptyContext(ctx: Uint8Array, format: string): void {
  if (ctx.length) {
    throw new PqsignError('ERR_CONTEXT', `${format} signatures use the empty ML-DSA context (RFC 9964 §5); drop --context`);
  }
}

/** Formats without certificates cannot check a trust anchor: such a container does not count. */
export function refuseTrustAnchors(anchors: readonly Uint8Array[], what: string, file: string): void {
  if (anchors.length) {
    throw new PqsignError('ERR_UNTRUSTED', `${what} carry no certificate, so the trust anchor cannot vouch for this signature`, { file, detail: 'trust-anchor' });
  }
}

/** Signing streamed `seen` bytes of a file whose size was `expected` when the container was laid out. */
export function checkUnchanged(path: string, expected: number, seen: number): void {
  if (seen !== expected) {
    throw new PqsignError('ERR_FILE', `changed while it was being signed (${expected} bytes, then ${seen}); nothing was written`, { file: path });
  }
}

/**
 * A container that embeds its payload, verified against a file the caller also named (`verify FILE`
 * that found FILE.cose / FILE.jws): the file must be the signed payload. Equal μ over the same
 * to-be-signed layout means equal payloads (SHAKE256 collision resistance).
 */
export function checkSamePayload(embeddedMu: Uint8Array, fileMu: Uint8Array, file: string, container: string): void {
  if (!equalBytes(embeddedMu, fileMu)) {
    throw new PqsignError('ERR_SIGNATURE_INVALID', `differs from the payload signed inside ${container}`, { file });
  }
}
