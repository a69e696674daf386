import type { CommandModule } from 'yargs';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PARAM, paramByName, SEED_BYTES } from '../../src/mldsa/params.js';
import { compositeByName, DEFAULT_COMPOSITE, type CompositeAlg } from '../../src/composite/params.js';
import { encodeCompositePkcs8, encodeCompositeSpki, generateComposite } from '../../src/composite/keys.js';
import { keygenFromSeed } from '../../src/mldsa/mldsa.js';
import { encodePkcs8, WRITABLE_KEY_FORMS } from '../../src/keys/pkcs8.js';
import { encryptPkcs8 } from '../../src/keys/pbes2.js';
import { getPassphrase } from '../../src/keys/passphrase.js';
import { cliPassphrase } from '../passphrase.js';
import { encodePem } from '../../src/asn1/pem.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { action, filesIn, forceOption, jsonOption, passphraseFileOption, printJson, usage } from '../cli.js';
import { encodeSpki } from '../../src/mldsa/asn1.js';

interface Args {
  alg: string;
  out: string;
  pub?: string;
  keyForm: (typeof WRITABLE_KEY_FORMS)[number];
  encrypt: boolean;
  der: boolean;
  force: boolean;
  passphraseFile?: string;
  json: boolean;
}

export const keygen: CommandModule<object, Args> = {
  command: 'keygen',
  describe: 'generate an ML-DSA or composite ML-DSA key pair (PKCS#8 private key, 0600)',
  builder: (y) =>
    y.options({
      alg: {
        type: 'string',
        default: DEFAULT_PARAM.name,
        describe: 'ML-DSA-44, ML-DSA-65, ML-DSA-87, or a composite ML-DSA algorithm such as MLDSA65-ECDSA-P256-SHA512 (docs/hybrid.md)',
      },
      out: { type: 'string', demandOption: true, describe: 'private key file' },
      pub: { type: 'string', describe: 'also write the SPKI public key here' },
      'key-form': { choices: WRITABLE_KEY_FORMS, default: 'seed' as const, describe: 'RFC 9881 private key form' },
      encrypt: { type: 'boolean', default: false, describe: 'encrypt with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)' },
      der: { type: 'boolean', default: false, describe: 'write DER instead of PEM' },
      force: forceOption,
      'passphrase-file': passphraseFileOption,
      json: jsonOption,
    }) as never,
  handler: action(async (a: Args) => {
    const composite = compositeByName(a.alg);
    const params = paramByName(a.alg);
    if (!params && !composite)
      throw usage(
        `unknown algorithm "${a.alg}" (use ML-DSA-44, ML-DSA-65, ML-DSA-87 or a composite such as ${DEFAULT_COMPOSITE.name}, docs/hybrid.md)`,
      );
    await checkOutputs(filesIn(a.out, a.pub), filesIn(a.passphraseFile), { force: a.force });
    if (composite || !params) return writeComposite(a, composite!);
    const seed = new Uint8Array(randomBytes(SEED_BYTES));
    const kp = keygenFromSeed(params, seed);
    const key = { params, seed, ...kp, form: a.keyForm };
    await writeKeyPair(a, {
      algorithm: params.name,
      pkcs8: encodePkcs8(key, a.keyForm),
      spki: encodeSpki(params, kp.publicKey),
      publicKey: kp.publicKey,
      keyForm: a.keyForm,
    });
  }),
};

/** A composite key pair: the draft's PKCS#8 (seed ‖ traditional key) and SPKI; --key-form does not apply. */
async function writeComposite(a: Args, alg: CompositeAlg): Promise<void> {
  const key = generateComposite(alg);
  await writeKeyPair(a, {
    algorithm: alg.name,
    pkcs8: encodeCompositePkcs8(key),
    spki: encodeCompositeSpki(alg, key.publicKey),
    publicKey: key.publicKey,
    keyForm: 'composite',
  });
}

/** The private key (0600, encrypted with --encrypt), the public key with --pub, and the one report line. */
async function writeKeyPair(
  a: Args,
  k: { algorithm: string; pkcs8: Uint8Array; spki: Uint8Array; publicKey: Uint8Array; keyForm: string },
): Promise<void> {
  let der = k.pkcs8;
  let label = 'PRIVATE KEY';
  if (a.encrypt) {
    der = encryptPkcs8(der, await getPassphrase({ passphrase: cliPassphrase(a.passphraseFile) }, a.out, true));
    label = 'ENCRYPTED PRIVATE KEY';
  }
  await writeFileAtomic(a.out, a.der ? der : encodePem(label, der), 0o600);
  if (a.pub) await writeFileAtomic(a.pub, a.der ? k.spki : encodePem('PUBLIC KEY', k.spki));
  const fp = keyFingerprint(k.publicKey);
  if (a.json)
    printJson({
      algorithm: k.algorithm,
      keyFingerprint: fp,
      privateKey: a.out,
      publicKey: a.pub ?? null,
      keyForm: k.keyForm,
      encrypted: a.encrypt,
    });
  else process.stderr.write(`wrote ${k.algorithm} key ${a.out}${a.pub ? ` and ${a.pub}` : ''} (sha256 ${fp})\n`);
}
