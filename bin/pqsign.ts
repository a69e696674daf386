#!/usr/bin/env node
// The pqsign CLI: thin. Each command lives in bin/commands/ and calls into src/ and formats/.
import yargs from 'yargs';
import { EXIT } from './exit-codes.js';
import { cliMessage } from './errors.js';
import { setKmsClientSettings } from '../src/kms/settings.js';
import { BACKEND_CHOICES, setMlDsaBackend, type BackendChoice } from '../src/mldsa/mldsa.js';
import { commandLine } from './argv.js';
import { commandsFor } from './commands/index.js';
import { cleanUpOnExit } from './interrupts.js';
import { packageVersion } from './version.js';
import '../src/kms/register.js';
import '../lib/builtins.js';
import { PLUGIN_HELP, loadPlugins, takePlugins } from './plugins.js';

cleanUpOnExit();
quietAwsSdk();
backendFromEnvironment();
kmsFromEnvironment();
const { args } = await withPlugins(commandLine());
const cli = yargs(args)
  .scriptName('pqsign')
  .version(packageVersion())
  .strict()
  .demandCommand(1, 'give a command (see --help)')
  .recommendCommands()
  .option('plugin', { type: 'string', describe: PLUGIN_HELP })
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err) => {
    if (err) throw err;
    process.stderr.write(`pqsign: ${msg}\n(see pqsign --help)\n`);
    process.exit(EXIT.INPUT);
  })
  .epilog(
    'Exit codes: 0 ok, 1 signature invalid, 2 usage or input error, 3 signer or back-end failure, 128+N ended by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).',
  );

for (const c of commandsFor(args[0])) cli.command((await c.load()) as never);
// yargs lays out the whole help text each time a command starts (usage.cacheHelpMessage), in case the
// handler's promise rejects: ~20 ms of start-up. Handlers never reject here (action() reports every
// error itself), so that text is never shown: skip it. Guarded: a yargs without this hook changes nothing.
type YargsInternals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
const usageInstance = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
if (usageInstance?.cacheHelpMessage) usageInstance.cacheHelpMessage = () => undefined;
await cli.parseAsync();

/**
 * The AWS SDK prints a multi-line notice about its own future Node requirement on every run under Node 20;
 * pqsign supports Node 20 with the SDK it pins. The user can still opt back in. (Set before the SDK loads.)
 */
function quietAwsSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** PQSIGN_MLDSA_BACKEND=auto|native|mu|portable (tests, diagnosis): read once, here, not by the library. */
function backendFromEnvironment(): void {
  const v = (process.env.PQSIGN_MLDSA_BACKEND || 'auto').toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(v)) {
    process.stderr.write(`pqsign: PQSIGN_MLDSA_BACKEND must be ${BACKEND_CHOICES.join(', ')}, not "${v}"\n`);
    process.exit(EXIT.INPUT);
  }
  setMlDsaBackend(v as BackendChoice);
}

/** AWS_MAX_ATTEMPTS (the SDK's own variable) and PQSIGN_KMS_TIMEOUT_MS (docs/kms.md) set the KMS clients' retries and timeout. */
function kmsFromEnvironment(): void {
  const int = (name: string): number | undefined => {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) {
      process.stderr.write(`pqsign: ${name} must be a positive integer, got "${v}"\n`);
      process.exit(EXIT.INPUT);
    }
    return n;
  };
  setKmsClientSettings({ maxAttempts: int('AWS_MAX_ATTEMPTS'), requestTimeoutMs: int('PQSIGN_KMS_TIMEOUT_MS') });
}

/** Load --plugin modules before the commands (and their format flags) are defined; a bad one is a usage error. */
async function withPlugins(all: string[]): Promise<{ args: string[]; plugins: string[] }> {
  try {
    const taken = takePlugins(all);
    await loadPlugins(taken.plugins);
    return taken;
  } catch (e) {
    process.stderr.write(`pqsign: ${cliMessage((e as Error).message)}\n`);
    process.exit(EXIT.INPUT);
  }
}
