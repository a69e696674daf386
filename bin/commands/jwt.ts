import type { Argv, CommandModule } from 'yargs';
import { loadSigner } from '../../src/pipeline/keyref.js';
import { readSmallFile } from '../../src/io/read.js';
import { PqsignError, inFile } from '../../src/base/errors.js';
import { DEFAULT_CLOCK_SKEW_SECONDS, parseDuration, signJwt, verifyJwtWithAny } from '../../src/jose/jwt.js';
import type { PublicKey } from '../../src/keys/spki.js';
import { keyOnlyFormatKeys, resolveTrust, trustOptions, type TrustArgs } from '../trust-options.js';
import { action, algOption, keyOption, keyRefOptions, passphraseFileOption, usage, type KeyArgs } from '../cli.js';

/** JWTs and their claims are small; anything bigger is a wrong file. */
const MAX_INPUT = 1024 * 1024;

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of process.stdin) {
    n += (c as Buffer).length;
    if (n > MAX_INPUT) throw new PqsignError('ERR_USAGE', `stdin holds more than ${MAX_INPUT} bytes`);
    chunks.push(c as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** FILE, or "-" for stdin. */
const readInput = (src: string, what: string) => (src === '-' ? readStdin() : readSmallFile(src, what, MAX_INPUT));

async function readJson(src: string, what: string): Promise<unknown> {
  const text = new TextDecoder().decode(await readInput(src, what));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PqsignError(
      'ERR_USAGE',
      `${what} is not JSON (${e instanceof Error ? e.message : String(e)})`,
      src === '-' ? {} : { file: src },
    );
  }
}

interface SignArgs extends KeyArgs {
  claims: string;
  header?: string;
  expiresIn?: string;
  kid?: string;
  messageType: 'mu' | 'raw';
}

const jwtSign: CommandModule<object, SignArgs> = {
  command: 'sign',
  describe: 'sign a JSON claims set; prints the JWT',
  builder: (y) =>
    y.options({
      // nargs 1: yargs would otherwise not take a lone "-" as the value
      claims: { type: 'string', nargs: 1, demandOption: true, describe: 'claims JSON object: FILE, or - for stdin' },
      key: keyOption,
      header: {
        type: 'string',
        describe: "JSON object FILE merged into the header (alg and kid are always pqsign's; typ defaults to JWT)",
      },
      'expires-in': { type: 'string', describe: 'set exp this long after now: 90s, 15m, 1h, 7d, 2w (iat is set to now when absent)' },
      kid: { type: 'string', describe: "kid instead of the key's RFC 7638 JWK thumbprint" },
      'message-type': {
        choices: ['mu', 'raw'] as const,
        default: 'mu' as const,
        describe: 'send external μ (default) or the signing input itself (KMS RAW, ≤ 4096 bytes)',
      },
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: SignArgs) => {
    if (a.kid === '') throw usage('--kid is empty');
    const expiresIn = a.expiresIn === undefined ? undefined : parseDuration(a.expiresIn);
    const claims = await readJson(a.claims, 'claims');
    const header = a.header === undefined ? undefined : await readJson(a.header, 'header');
    const signer = await loadSigner(a.key, keyRefOptions(a));
    try {
      const token = await signJwt(signer, claims, {
        header: header as Record<string, unknown> | undefined,
        kid: a.kid,
        expiresIn,
        messageType: a.messageType,
      });
      process.stdout.write(`${token}\n`);
    } finally {
      await signer.close?.();
    }
  }),
};

interface VerifyArgs extends TrustArgs {
  token: string;
  audience?: string;
  issuer?: string;
  clockSkew: number;
}

const jwtVerify: CommandModule<object, VerifyArgs> = {
  command: 'verify <token>',
  describe: 'verify a JWT (signature, exp/nbf/iat, and --audience/--issuer); prints its claims as JSON',
  builder: (y) =>
    y.positional('token', { type: 'string', demandOption: true, describe: 'the JWT, @FILE, or - for stdin' }).options({
      key: {
        type: 'string',
        describe: 'trusted key: public key, private key, certificate, or awskms:// reference (repeatable: a key set)',
        group: 'Trust:',
      },
      policy: trustOptions.policy,
      scope: {
        ...trustOptions.scope,
        describe: 'with --policy: the scope whose keys verify tokens (default: the only scope that allows jwt)',
      },
      audience: { type: 'string', describe: 'require this value in "aud"' },
      issuer: { type: 'string', describe: 'require this "iss"' },
      'clock-skew': {
        type: 'number',
        default: DEFAULT_CLOCK_SKEW_SECONDS,
        describe: 'seconds of clock disagreement allowed for exp, nbf and iat',
      },
      'passphrase-file': passphraseFileOption,
      alg: algOption,
    }) as never,
  handler: action(async (a: VerifyArgs) => {
    if (!(a.clockSkew >= 0)) throw usage('--clock-skew must be a number of seconds, 0 or more');
    // yargs hands a lone "-" positional over as ""
    const source = a.token === '-' || a.token === '' ? '-' : a.token.startsWith('@') ? a.token.slice(1) : undefined;
    const token = (source === undefined ? a.token : new TextDecoder().decode(await readInput(source, 'token'))).trim();
    const keys = await jwtKeys(a);
    const check = () => verifyJwtWithAny(token, keys, { audience: a.audience, issuer: a.issuer, clockSkew: a.clockSkew });
    const { claims } = source !== undefined && source !== '-' ? await inFile(source, check) : check();
    process.stdout.write(`${JSON.stringify(claims)}\n`);
  }),
};

/** The keys a token may verify under: --key, or the policy scope that allows jwt (or --scope). */
async function jwtKeys(a: VerifyArgs): Promise<PublicKey[]> {
  if (a.trustAnchor !== undefined || a.keySha256 !== undefined || a.minMonotonicCount !== undefined)
    throw usage('a JWT carries no certificate: give --key or --policy');
  const { rules, policy } = await resolveTrust(a);
  let scoped = rules;
  if (policy) {
    const { scopeFor } = await import('../../src/policy/match.js');
    const jwtScopes = policy.scopes.filter((s) => s.rules.formats?.includes('jwt'));
    const only = a.scope ?? (policy.scopes.length === 1 ? policy.scopes[0]!.name : jwtScopes.length === 1 ? jwtScopes[0]!.name : undefined);
    if (only === undefined) throw usage('the policy has several scopes: name the one for tokens with --scope');
    scoped = scopeFor(policy, { scope: only }).rules;
  }
  return keyOnlyFormatKeys(scoped, 'jwt');
}

export const jwt: CommandModule = {
  command: 'jwt <command>',
  describe: 'sign and verify JSON Web Tokens (RFC 7519) with ML-DSA (RFC 9964)',
  builder: (y: Argv) =>
    y
      .command(jwtSign as never)
      .command(jwtVerify as never)
      .demandCommand(1, 'give jwt sign or jwt verify'),
  handler: () => undefined,
};
