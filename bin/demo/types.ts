// What each `npm start` demo step gets: a scratch directory, the key to sign with, and the CLI.
export interface DemoContext {
  /** scratch directory for this run */
  dir: string;
  /** the sample firmware image */
  firmware: string;
  /** key reference the demo signs with */
  keyRef: string;
  /** public key file for offline verification */
  publicKey: string;
  /** run the pqsign CLI in a child process and print it as a command line; throws on a non-zero exit */
  pqsign(args: string[], opts?: { stdoutTo?: string }): Promise<string>;
  log(line: string): void;
}

export interface DemoStep {
  title: string;
  run(ctx: DemoContext): Promise<void>;
}
