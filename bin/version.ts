// The package version for `pqsign --version`. yargs would look for a package.json above the working
// directory, which outside the checkout is someone else's or none ("unknown"). scripts/bundle.mjs
// injects the version with esbuild's `define`, so the installed CLI carries it and reads nothing.
declare const PQSIGN_VERSION: string | undefined;

export const packageVersion = (): string => (typeof PQSIGN_VERSION === 'string' ? PQSIGN_VERSION : 'unknown (not the bundled CLI)');
