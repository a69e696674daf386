// REF → signer or public key. A REF is a key/certificate file path, or a URI handled by a
// registered scheme (e.g. awskms://, added by the KMS module). Schemes load lazily so a local
// verify never pulls in an SDK.
import { PqsignError } from './errors.js';
import { loadKeyFile, type LoadOptions } from './keys/load.js';
import type { PublicKey } from './keys/spki.js';
import { LocalSigner, type Signer } from './signer.js';

export interface KeyRefOptions extends LoadOptions {
  deterministic?: boolean | undefined;
  /** scheme-specific options (e.g. KMS message type, dry run) */
  [k: string]: unknown;
}

export interface KeyScheme {
  signer(ref: string, opts: KeyRefOptions): Promise<Signer>;
  publicKey(ref: string, opts: KeyRefOptions): Promise<PublicKey>;
}

const schemes = new Map<string, () => Promise<KeyScheme>>();

/** Register a URI scheme ("awskms") with a lazy loader. */
export function registerKeyScheme(name: string, load: () => Promise<KeyScheme>): void {
  schemes.set(name, load);
}

function schemeOf(ref: string): (() => Promise<KeyScheme>) | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(ref);
  if (!m) return undefined;
  const s = schemes.get(m[1]!.toLowerCase());
  if (!s) throw new PqsignError('ERR_USAGE', `unknown key reference scheme "${m[1]}://"`);
  return s;
}

export async function loadSigner(ref: string, opts: KeyRefOptions = {}): Promise<Signer> {
  const scheme = schemeOf(ref);
  if (scheme) return (await scheme()).signer(ref, opts);
  const k = await loadKeyFile(ref, opts);
  if (k.kind !== 'private') {
    throw new PqsignError('ERR_KEY_FORMAT', 'signing needs a private key, this is a public key or certificate', { file: ref });
  }
  return new LocalSigner(k.key, { deterministic: opts.deterministic, description: ref });
}

export async function loadPublicKey(ref: string, opts: KeyRefOptions = {}): Promise<PublicKey> {
  const scheme = schemeOf(ref);
  if (scheme) return (await scheme()).publicKey(ref, opts);
  const k = await loadKeyFile(ref, opts);
  return { params: k.key.params, publicKey: k.key.publicKey };
}
