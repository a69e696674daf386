// Progress of long operations, reported to the caller: the library never draws on a terminal. The CLI
// renders these events on a TTY (bin/progress.ts); a library caller may show them, log them, or ignore them.

export interface ProgressEvent {
  /** what progresses: the artifact's path while it streams, or a phase such as "hashing subjects" */
  label: string;
  /** 'bytes' of one input, or 'files' of a list */
  unit: 'bytes' | 'files';
  done: number;
  total: number;
  /** with unit 'files': bytes read so far */
  bytes?: number | undefined;
}

export type OnProgress = (event: ProgressEvent) => void;
