// CLI plumbing shared by the commands: error → one line + exit code, JSON lines, common options.
import type { Options } from 'yargs';
import { PqsignError, isPqsignError } from '../src/base/errors.js';
import { errorLine } from './errors.js';
import { cliPassphrase } from './passphrase.js';
import { EXIT, exitOf } from './exit-codes.js';
import { fromHex } from '../src/base/bytes.js';
import type { KeyRefOptions } from '../src/pipeline/keyref.js';

/** Wrap a command handler: user errors become one line on stderr and a documented exit code. */
export function action<A>(fn: (argv: A) => Promise<number | void>): (argv: A) => Promise<void> {
  return async (argv) => {
    try {
      const code = await fn(argv);
      process.exitCode = code ?? EXIT.OK;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}

export function reportError(e: unknown): number {
  if (isPqsignError(e)) {
    process.stderr.write(`pqsign: ${errorLine(e)}\n`);
    return exitOf(e);
  }
  // Not a user error: a bug or an unexpected environment failure. Stack only when asked for.
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`pqsign: internal error: ${msg}\n`);
  if (process.env.PQSIGN_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return EXIT.BACKEND;
}

export const printJson = (obj: unknown) => process.stdout.write(`${JSON.stringify(obj)}\n`);

export function parseContext(hex: string | undefined): Uint8Array {
  return hex === undefined ? new Uint8Array(0) : fromHex(hex, '--context');
}

export const keyOption: Options = {
  type: 'string',
  describe:
    'key reference: private/public key, certificate, JWK or COSE_Key file (FILE#KID picks one key of a set), or awskms://[HOST:PORT]/KEY',
  demandOption: true,
};
export const contextOption: Options = { type: 'string', describe: 'ML-DSA context string, hex (0-255 bytes)' };
export const jsonOption: Options = { type: 'boolean', default: false, describe: 'print JSON on stdout instead of text' };
export const passphraseFileOption: Options = {
  type: 'string',
  describe: 'read the private-key passphrase from this file (else PQSIGN_PASSPHRASE, else a TTY prompt)',
};
export const algOption: Options = { type: 'string', describe: 'parameter set for raw seed/expanded key files: ML-DSA-44|65|87' };
export const forceOption: Options = { type: 'boolean', default: false, describe: 'replace existing output files (never an input)' };

/** The files a run reads, from the options that name them (absent or repeated), for the overwrite rule. */
export const filesIn = (...values: unknown[]): string[] => values.flat().filter((v): v is string => typeof v === 'string');

export interface KeyArgs {
  key: string;
  passphraseFile?: string;
  alg?: string;
  [k: string]: unknown;
}

/** The library's key-loading options from the command line: the parameter set, hedging, and the CLI's passphrase source. */
export const keyRefOptions = (argv: KeyArgs): KeyRefOptions => ({
  alg: argv.alg,
  deterministic: argv.deterministic === true,
  passphrase: cliPassphrase(argv.passphraseFile),
});

export function usage(message: string): PqsignError {
  return new PqsignError('ERR_USAGE', message);
}
