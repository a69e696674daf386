// REF → signer or public key. A REF is a key/certificate file path, or a URI handled by a
// registered scheme (e.g. awskms://, added by the KMS module). Schemes load lazily so a local
// verify never pulls in an SDK.
import { PqsignError } from '../base/errors.js';
import { loadKeyFile, type LoadOptions } from '../keys/load.js';
import type { PublicKey } from '../keys/spki.js';
import { LocalSigner, type Signer } from '../mldsa/signer.js';
import { CompositeSigner, LocalTradSigner, isCompositeSigner, localCompositeSigner, type RemoteTradKey } from '../composite/signer.js';
import { compositeFor, isUri, loadTradKey, splitTwoPart, twoPartPublicKey } from '../composite/two-part.js';

export interface KeyRefOptions extends LoadOptions {
  deterministic?: boolean | undefined;
  /** scheme-specific options (e.g. KMS message type, dry run) */
  [k: string]: unknown;
}

/**
 * Where keys behind a URI scheme live (`awskms://…`, a plugin's `vault://…`): registered with
 * `registerKeyScheme(name, loader)`, loaded on first use, so an unused scheme costs nothing at start-up.
 * A reference `NAME://…` anywhere a key is accepted (sign, verify `--key`, policies) goes to the scheme.
 */
export interface KeyScheme {
  /** a signer for the reference; the caller closes it. It signs μ and never sees the artifact. */
  signer(ref: string, opts: KeyRefOptions): Promise<Signer>;
  /** the public key of the reference (a trusted key for verify, key checks before signing) */
  publicKey(ref: string, opts: KeyRefOptions): Promise<PublicKey>;
  /** the traditional part of a two-part composite key, where the scheme holds such keys */
  traditional?(ref: string): Promise<RemoteTradKey>;
}

const schemes = new Map<string, () => Promise<KeyScheme>>();

/**
 * Register a URI scheme ("awskms", lower case) with a lazy loader: `NAME://…` key references then work
 * everywhere a key is accepted. Registering a name again replaces its loader.
 */
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

/** An ML-DSA signer; a composite key is refused (commands that take one call loadAnySigner). */
export async function loadSigner(ref: string, opts: KeyRefOptions = {}): Promise<Signer> {
  const s = await loadAnySigner(ref, opts);
  if (isCompositeSigner(s)) {
    await s.close();
    throw compositeRefused(s.alg.name, ref);
  }
  return s;
}

/** An ML-DSA signer, or a composite signer from a composite private key (docs/hybrid.md). */
export async function loadAnySigner(ref: string, opts: KeyRefOptions = {}): Promise<Signer | CompositeSigner> {
  const parts = splitTwoPart(ref);
  if (parts) return twoPartSigner(parts, opts);
  const scheme = schemeOf(ref);
  if (scheme) return (await scheme()).signer(ref, opts);
  const k = await loadKeyFile(ref, opts);
  if (k.kind === 'composite-private') return localCompositeSigner(k.key, { deterministic: opts.deterministic, description: ref });
  if (k.kind !== 'private') {
    throw new PqsignError('ERR_KEY_FORMAT', 'signing needs a private key, this is a public key or certificate', { file: ref });
  }
  return new LocalSigner(k.key, { deterministic: opts.deterministic, description: ref });
}

/** A public key; composite keys only where the caller says it can check them (`composite: true`). */
export async function loadPublicKey(ref: string, opts: KeyRefOptions = {}, accept: { composite?: boolean } = {}): Promise<PublicKey> {
  const parts = splitTwoPart(ref);
  if (parts) {
    const mldsa = await loadPublicKey(parts[0], opts);
    const trad = isUri(parts[1]) ? await remotePublicKey(parts[1]) : await loadTradKey(parts[1], 'public');
    const alg = compositeFor(mldsa.params, trad, opts.alg, ref);
    const key = { params: alg.mldsa, publicKey: twoPartPublicKey(alg, mldsa.publicKey, trad), composite: alg };
    if (!accept.composite) throw compositeRefused(alg.name, ref);
    return key;
  }
  const scheme = schemeOf(ref);
  if (scheme) return (await scheme()).publicKey(ref, opts);
  const k = await loadKeyFile(ref, opts);
  const key: PublicKey =
    k.kind === 'composite-private'
      ? { params: k.key.alg.mldsa, publicKey: k.key.publicKey, composite: k.key.alg }
      : {
          params: k.key.params,
          publicKey: k.key.publicKey,
          ...('composite' in k.key && k.key.composite ? { composite: k.key.composite } : {}),
        };
  if (key.composite && !accept.composite) throw compositeRefused(key.composite.name, ref);
  return key;
}

/** ML-DSA part (file or KMS, signs μ) + traditional part (key file or KMS ECC key, signs M'). */
async function twoPartSigner([a, b]: [string, string], opts: KeyRefOptions): Promise<CompositeSigner> {
  if (isUri(b)) return remoteTwoPartSigner(a, await openTraditional(b), b, opts);
  const trad = await loadTradKey(b, 'private');
  const mldsa = await loadSigner(a, opts);
  try {
    const alg = compositeFor(mldsa.params, trad, opts.alg, `${a}+${b}`);
    const tradPublic = twoPartPublicKey(alg, mldsa.publicKey, trad).subarray(alg.mldsa.publicKeyBytes);
    return new CompositeSigner(alg, mldsa, new LocalTradSigner(alg, trad, tradPublic, b));
  } catch (e) {
    await mldsa.close?.();
    throw e;
  }
}

async function remoteTwoPartSigner(a: string, trad: RemoteTradKey, b: string, opts: KeyRefOptions): Promise<CompositeSigner> {
  let mldsa: Signer | undefined;
  try {
    mldsa = await loadSigner(a, opts);
    const alg = compositeFor(mldsa.params, trad.publicKey, opts.alg, `${a}+${b}`);
    const tradPublic = twoPartPublicKey(alg, mldsa.publicKey, trad.publicKey).subarray(alg.mldsa.publicKeyBytes);
    return new CompositeSigner(alg, mldsa, trad.signer(alg, tradPublic));
  } catch (e) {
    await Promise.all([mldsa?.close?.(), trad.close()]);
    throw e;
  }
}

/** A traditional key behind a URI: only schemes that hold such keys (awskms:// ECC keys) take one. */
async function openTraditional(ref: string): Promise<RemoteTradKey> {
  const scheme = await schemeOf(ref)!();
  if (!scheme.traditional)
    throw new PqsignError(
      'ERR_USAGE',
      `the traditional part of a two-part composite key cannot be a ${ref.split(':')[0]}:// key (docs/hybrid.md)`,
      { file: ref },
    );
  return scheme.traditional(ref);
}

async function remotePublicKey(ref: string) {
  const k = await openTraditional(ref);
  await k.close();
  return k.publicKey;
}

const compositeRefused = (name: string, ref: string) =>
  new PqsignError(
    'ERR_ALGORITHM',
    `is a composite ${name} key; this command takes ML-DSA keys (composite keys work with sign and verify, docs/hybrid.md)`,
    { file: ref },
  );
