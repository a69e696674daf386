import type { CommandModule } from 'yargs';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PARAM, paramByName, SEED_BYTES } from '../../src/params.js';
import { keygenFromSeed } from '../../src/mldsa.js';
import { encodePkcs8, WRITABLE_KEY_FORMS } from '../../src/keys/pkcs8.js';
import { encryptPkcs8 } from '../../src/keys/pbes2.js';
import { getPassphrase } from '../../src/keys/passphrase.js';
import { encodeSpki } from '../../src/keys/spki.js';
import { encodePem } from '../../src/asn1/pem.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { keyFingerprint } from '../../src/keys/fingerprint.js';
import { checkOutputs } from '../../src/io/outputs.js';
import { action, filesIn, forceOption, jsonOption, passphraseFileOption, printJson, usage } from '../cli.js';

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
  describe: 'generate an ML-DSA key pair (PKCS#8 private key, 0600)',
  builder: (y) => y.options({
    alg: { type: 'string', default: DEFAULT_PARAM.name, describe: 'ML-DSA-44, ML-DSA-65 or ML-DSA-87' },
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
    const params = paramByName(a.alg);
    if (!params) throw usage(`unknown algorithm "${a.alg}" (use ML-DSA-44, ML-DSA-65 or ML-DSA-87)`);
    await checkOutputs(filesIn(a.out, a.pub), filesIn(a.passphraseFile), { force: a.force });
    const seed = new Uint8Array(randomBytes(SEED_BYTES));
    const kp = keygenFromSeed(params, seed);
    const key = { params, seed, ...kp, form: a.keyForm };
    let der = encodePkcs8(key, a.keyForm);
    let label = 'PRIVATE KEY';
    if (a.encrypt) {
      der = encryptPkcs8(der, await getPassphrase(a, a.out, true));
      label = 'ENCRYPTED PRIVATE KEY';
    }
    await writeFileAtomic(a.out, a.der ? der : encodePem(label, der), 0o600);
    if (a.pub) {
      const spki = encodeSpki(params, kp.publicKey);
      await writeFileAtomic(a.pub, a.der ? spki : encodePem('PUBLIC KEY', spki));
    }
    const fp = keyFingerprint(kp.publicKey);
    if (a.json) printJson({ algorithm: params.name, keyFingerprint: fp, privateKey: a.out, publicKey: a.pub ?? null, keyForm: a.keyForm, encrypted: a.encrypt });
    else process.stderr.write(`wrote ${params.name} key ${a.out}${a.pub ? ` and ${a.pub}` : ''} (sha256 ${fp})\n`);
  }),
};
