// The CLI's passphrase source: --passphrase-file, else PQSIGN_PASSPHRASE, else a no-echo TTY prompt;
// never argv. Handed to the library as its `passphrase` callback (src/keys/passphrase.ts).
import { PqsignError } from '../src/base/errors.js';
import { readSmallFile } from '../src/io/read.js';
import type { PassphraseCallback } from '../src/keys/passphrase.js';

export function cliPassphrase(passphraseFile: string | undefined): PassphraseCallback {
  return async (what, confirm) => {
    if (passphraseFile) {
      // bounded and regular files only: a wrong path (a device, a huge file) must not hang or eat memory
      const text = Buffer.from(await readSmallFile(passphraseFile, 'passphrase file', 64 * 1024)).toString('utf8');
      const first = text.split(/\r?\n/)[0] ?? ''; // first line, as openssl's file: source does
      if (!first) throw new PqsignError('ERR_PASSPHRASE', 'passphrase file is empty', { file: passphraseFile });
      return first;
    }
    const env = process.env.PQSIGN_PASSPHRASE;
    if (env !== undefined && env !== '') return env;
    if (!process.stdin.isTTY || !process.stderr.isTTY) {
      throw new PqsignError('ERR_PASSPHRASE', `${what} needs a passphrase: set PQSIGN_PASSPHRASE or use --passphrase-file`);
    }
    const p = await prompt(`Passphrase for ${what}: `);
    if (confirm && (await prompt('Repeat passphrase: ')) !== p) throw new PqsignError('ERR_PASSPHRASE', 'passphrases do not match');
    if (!p) throw new PqsignError('ERR_PASSPHRASE', 'empty passphrase');
    return p;
  };
}

function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let buf = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new PqsignError('ERR_PASSPHRASE', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on('data', onData);
  });
}
