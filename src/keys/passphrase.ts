// Where an encrypted private key's passphrase comes from is the caller's business: the library asks a
// `passphrase` callback and never prompts, reads the environment or touches the terminal. The CLI's
// callback reads --passphrase-file, PQSIGN_PASSPHRASE, or a no-echo TTY prompt (bin/passphrase.ts).
import { PqsignError } from '../base/errors.js';

/** Asked for the passphrase of `what` (a key file's name); `confirm`: a new key is being encrypted. */
export type PassphraseCallback = (what: string, confirm: boolean) => string | Promise<string>;

export interface PassphraseSource {
  /** supplies passphrases for encrypted private keys; without it an encrypted key is refused */
  passphrase?: PassphraseCallback | undefined;
}

export async function getPassphrase(src: PassphraseSource, what: string, confirm = false): Promise<string> {
  if (!src.passphrase) throw new PqsignError('ERR_PASSPHRASE', `${what} needs a passphrase`);
  const p = await src.passphrase(what, confirm);
  if (typeof p !== 'string' || !p) throw new PqsignError('ERR_PASSPHRASE', 'empty passphrase');
  return p;
}
