// What the COSE and JWS formats share: the options they both take (one name, one meaning, one
// description); the RFC 9964 context rule; and the guards around a streamed payload.
import { equalBytes } from '../src/base/bytes.js';
import { PqsignError, opt } from '../src/base/errors.js';
import type { OptionSpecs } from '../src/pipeline/format.js';

/** Options COSE and JWS both take, with the same meaning. */
export interface HeaderOptions {
  /** leave the payload out of the container; the verifier supplies it */
  detached?: boolean | undefined;
  /** key id for the header instead of the key thumbprint */
  kid?: string | undefined;
  /** payload content type */
  contentType?: string | undefined;
}

export const HEADER_OPTIONS: OptionSpecs<HeaderOptions> = {
  detached: {
    kind: 'boolean',
    for: ['sign'],
    describe: 'leave the payload out of the container (COSE: payload nil; JWS: RFC 7515 Appendix F); the verifier supplies the file',
  },
  kid: {
    kind: 'string',
    for: ['sign'],
    describe: 'key id for the header instead of the key thumbprint (COSE: its UTF-8 bytes; JWS: the string)',
  },
  contentType: {
    kind: 'string',
    for: ['sign'],
    describe: 'payload content type (COSE header 3: a number is a CoAP Content-Format, else a media type; JWS "cty")',
  },
};

/** RFC 9964 §5: "The ctx parameter MUST be the empty string" for ML-DSA in JOSE and COSE. */
export function requireEmptyContext(ctx: Uint8Array, format: string): void {
  if (ctx.length) {
    throw new PqsignError('ERR_CONTEXT', `${format} signatures use the empty ML-DSA context (RFC 9964 §5); drop ${opt('context')}`);
  }
}

/** Formats without certificates cannot check a trust anchor: such a container does not count. */
export function refuseTrustAnchors(anchors: readonly Uint8Array[], what: string, file: string): void {
  if (anchors.length) {
    throw new PqsignError('ERR_UNTRUSTED', `${what} carry no certificate, so the trust anchor cannot vouch for this signature`, {
      file,
      detail: 'trust-anchor',
    });
  }
}

/** Signing streamed `seen` bytes of a file whose size was `expected` when the container was laid out. */
export function checkUnchanged(path: string, expected: number, seen: number): void {
  if (seen !== expected) {
    throw new PqsignError('ERR_FILE', `changed while it was being signed (${expected} bytes, then ${seen}); nothing was written`, {
      file: path,
    });
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
