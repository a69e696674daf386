import type { CommandModule } from 'yargs';
import { FORMATS } from '../../formats/index.js';
import { loadPublicKey } from '../../src/keyref.js';
import { verifyPath, type VerifyOutcome } from '../../src/ops/verify.js';
import { mapBounded } from '../../src/ops/pool.js';
import { errorJson, exitOfSettled } from '../../src/ops/describe.js';
import { PqsignError, worstExit } from '../../src/errors.js';
import { withRemoteVerifier, type RemoteMuVerifier } from '../../src/ops/stream.js';
import { isKmsRef } from '../../src/kms/uri.js';
import { action, algOption, contextOption, jsonOption, keyRefOptions, parseContext, passphraseFileOption, printJson, reportError, usage, type KeyArgs } from '../cli.js';
import { formatFlags } from '../format-flags.js';
import { orderedEmitter } from '../ordered.js';

interface Args extends KeyArgs {
  files: string[];
  sig?: string;
  payload?: string;
  format?: string;
  context?: string;
  json: boolean;
  kms: boolean;
}

export const verify: CommandModule<object, Args> = {
  command: 'verify <files..>',
  describe: 'verify signatures: containers are recognised by content, artifacts find FILE.sig etc.',
  builder: (y) => y.positional('files', { type: 'string', array: true, demandOption: true }).options({
    key: { type: 'string', describe: 'public key, private key, certificate, or awskms:// reference' },
    sig: { type: 'string', describe: 'detached signature file (one input only)' },
    payload: { type: 'string', alias: 'content', describe: 'detached payload for a container given as FILE' },
    format: { type: 'string', describe: `force a format: ${FORMATS.map((f) => f.name).join('|')}` },
    context: contextOption,
    json: jsonOption,
    kms: { type: 'boolean', default: false, describe: 'ask KMS Verify (EXTERNAL_MU) instead of verifying offline; --key must be awskms://' },
    'passphrase-file': passphraseFileOption,
    alg: algOption,
    ...formatFlags('verify'),
  }) as never,
  handler: action(async (a: Args) => {
    if (a.sig && a.files.length > 1) throw usage('--sig takes one input file');
    const context = parseContext(a.context);
    if (a.kms && !(a.key && isKmsRef(a.key))) throw usage('--kms needs --key awskms://...');
    const kms = a.kms ? await openKms(a.key!) : undefined;
    const key = kms ?? (a.key ? await loadPublicKey(a.key, keyRefOptions(a)) : undefined);
    const emit = orderedEmitter<VerifyOutcome>((r, i) => {
      const file = a.files[i]!;
      if (a.json) {
        printJson(r.ok
          ? { file, ok: true, format: r.value.format, signature: r.value.signature, algorithm: r.value.params.name, keyFingerprint: r.value.keyFingerprint, ...(kms ? { verifiedBy: 'kms' } : {}), ...r.value.details }
          : { file, ok: false, error: errorJson(r.error) });
      } else if (r.ok) process.stderr.write(`OK ${file} (${r.value.params.name}, ${r.value.format}${kms ? ', verified by KMS' : ''})\n`);
      else reportError(r.error);
    });
    const verifyOne = (f: string) => verifyPath(f, { key, sig: a.sig, payload: a.payload, format: a.format, context, formatOptions: a });
    try {
      const results = await mapBounded(a.files, 4, kms ? (f) => verifyByKms(kms, f, verifyOne) : verifyOne, emit);
      return worstExit(results.map(exitOfSettled));
    } finally {
      await kms?.close();
    }
  }),
};

const openKms = async (ref: string) => (await import('../../src/kms/signer.js')).KmsSigner.open(ref);

/** The format verifies as usual, except that (μ, signature) goes to KMS Verify instead of local ML-DSA. */
async function verifyByKms(kms: RemoteMuVerifier, file: string, verifyOne: (f: string) => Promise<VerifyOutcome>): Promise<VerifyOutcome> {
  const { value, calls } = await withRemoteVerifier(kms, () => verifyOne(file));
  if (calls === 0) throw new PqsignError('ERR_USAGE', `${value.format} signatures cannot be verified through KMS (--kms)`, { file });
  return value;
}
