// Every CLI command, in help order, loaded on demand: a run loads only the command it runs (start-up
// time is part of a factory line's throughput); help and unknown commands load them all.
import type { CommandModule } from 'yargs';

export interface CommandEntry {
  /** the first word of the command */
  name: string;
  load(): Promise<CommandModule<object, never>>;
}

const entry = (name: string, load: () => Promise<unknown>): CommandEntry => ({ name, load: load as CommandEntry['load'] });

export const COMMANDS: readonly CommandEntry[] = [
  entry('keygen', async () => (await import('./keygen.js')).keygen),
  entry('pubkey', async () => (await import('./pubkey.js')).pubkey),
  entry('sign', async () => (await import('./sign.js')).sign),
  entry('verify', async () => (await import('./verify.js')).verify),
  entry('mu', async () => (await import('./mu.js')).mu),
  entry('inspect', async () => (await import('./inspect.js')).inspect),
  entry('strip', async () => (await import('./strip.js')).strip),
  entry('tbs', async () => (await import('./tbs.js')).tbs),
  entry('sign-request', async () => (await import('./sign-request.js')).signRequestCommand),
  entry('attach', async () => (await import('./attach.js')).attach),
  entry('timestamp', async () => (await import('./timestamp.js')).timestamp),
  entry('attest', async () => (await import('./attest.js')).attest),
  entry('verify-attestation', async () => (await import('./verify-attestation.js')).verifyAttestationCommand),
  entry('kms', async () => (await import('./kms.js')).kms),
  entry('jwt', async () => (await import('./jwt.js')).jwt),
  entry('cert', async () => (await import('./cert.js')).cert),
];

/** The commands a run needs: the one named by the first argument, else all (help, typos). */
export const commandsFor = (first: string | undefined): readonly CommandEntry[] => {
  const one = COMMANDS.filter((c) => c.name === first);
  return one.length ? one : COMMANDS;
};
