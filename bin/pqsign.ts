#!/usr/bin/env node
// The pqsign CLI: thin. Each command lives in bin/commands/ and calls into src/ and formats/.
import yargs from 'yargs';
import { EXIT } from './exit-codes.js';
import { commandLine } from './argv.js';
import { commandsFor } from './commands/index.js';
import { cleanUpOnExit } from './interrupts.js';
import { packageVersion } from './version.js';
import '../src/kms/register.js';
import '../lib/builtins.js';
import { PLUGIN_HELP, loadPlugins, takePlugins } from './plugins.js';

cleanUpOnExit();
const { args, plugins } = await withPlugins(commandLine());
const cli = yargs(args)
  .scriptName('pqsign')
  .version(packageVersion())
  .strict()
  .demandCommand(1, 'give a command (see --help)')
  .recommendCommands()
  .option('plugin', { type: 'string', describe: PLUGIN_HELP })
  .wrap(Math.min(110, process.stdout.columns || 110))
  .fail((msg, err, y) => {
    if (err) throw err;
    process.stderr.write(`pqsign: ${msg}\n(see pqsign --help)\n`);
    process.exit(EXIT.INPUT);
  })
  .epilog('Exit codes: 0 ok, 1 signature invalid, 2 usage or input error, 3 signer or back-end failure, 128+N ended by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).');

for (const c of commandsFor(args[0])) cli.command((await c.load()) as never);
// yargs lays out the whole help text each time a command starts (usage.cacheHelpMessage), in case the
// handler's promise rejects: ~20 ms of start-up. Handlers never reject here (action() reports every
// error itself), so that text is never shown: skip it. Guarded: a yargs without this hook changes nothing.
type YargsInternals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
const usageInstance = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
if (usageInstance?.cacheHelpMessage) usageInstance.cacheHelpMessage = () => undefined;
await cli.parseAsync();

/** Load --plugin modules before the commands (and their format flags) are defined; a bad one is a usage error. */
async function withPlugins(all: string[]): Promise<{ args: string[]; plugins: string[] }> {
  try {
    const taken = takePlugins(all);
    await loadPlugins(taken.plugins);
    return taken;
  } catch (e) {
    process.stderr.write(`pqsign: ${(e as Error).message}\n`);
    process.exit(EXIT.INPUT);
  }
}
