// awskms:// key references, cosign's convention (sigstore/sigstore pkg/signature/kms/aws):
//   awskms:///KEY            the AWS SDK's standard configuration (credentials chain, AWS_REGION,
//                            profiles, AWS_ENDPOINT_URL_KMS)
//   awskms://HOST:PORT/KEY   an explicit endpoint: plain HTTP for loopback hosts, HTTPS otherwise
// KEY is what KMS takes as KeyId: a key id, a key ARN, alias/NAME or an alias ARN. An ARN names its
// region, which then wins over the configured one (the key only exists there).
import { PqsignError } from '../base/errors.js';

export interface KmsRef {
  /** the reference as given, for messages */
  readonly ref: string;
  /** endpoint URL when the reference names a host, else undefined (SDK configuration decides) */
  readonly endpoint: string | undefined;
  /** the KeyId sent to KMS */
  readonly keyId: string;
  /** region named by an ARN */
  readonly region: string | undefined;
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ARN = /^arn:aws[a-z-]*:kms:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):(key|alias)\/(.+)$/;

export const SCHEME = 'awskms://';

export function isKmsRef(ref: string): boolean {
  return ref.slice(0, SCHEME.length).toLowerCase() === SCHEME;
}

export function parseKmsRef(ref: string): KmsRef {
  if (!isKmsRef(ref)) throw bad(ref, `must start with ${SCHEME}`);
  const rest = ref.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw bad(ref, 'expected awskms:///KEY or awskms://HOST:PORT/KEY');
  const authority = rest.slice(0, slash);
  const keyId = rest.slice(slash + 1);
  const endpoint = authority ? endpointUrl(authority, ref) : undefined;
  if (KEY_ID.test(keyId) || ALIAS_NAME.test(keyId)) return { ref, endpoint, keyId, region: undefined };
  const arn = ARN.exec(keyId);
  if (arn) {
    const [, region, , type, id] = arn;
    if (type === 'key' ? KEY_ID.test(id!) : ALIAS_NAME.test(`alias/${id}`)) return { ref, endpoint, keyId, region };
  }
  throw bad(ref, `"${keyId}" is not a KMS key id, key ARN, alias/NAME or alias ARN`);
}

const AUTHORITY = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?$/;

/** HOST[:PORT] → endpoint URL: http:// for loopback hosts (a local KMS), https:// for anything else. */
export function endpointUrl(authority: string, what = authority): string {
  const m = AUTHORITY.exec(authority);
  const port = m?.[2] === undefined ? undefined : Number(m[2]);
  if (!m || (port !== undefined && (port < 1 || port > 65535))) throw bad(what, `"${authority}" is not HOST or HOST:PORT`);
  const host = m[1]!.toLowerCase();
  return `${isLoopback(host) ? 'http' : 'https'}://${host}${port === undefined ? '' : `:${port}`}`;
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

const bad = (ref: string, why: string) => new PqsignError('ERR_USAGE', `not a valid awskms:// key reference: ${why}`, { file: ref });
