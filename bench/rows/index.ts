// The bench rows, in table order. Adding a row (KMS batch, attest, ...) is one module plus one line here.
import type { BenchRow } from './types.js';
import { muRow } from './mu.js';
import { readChunkRow } from './read-chunk.js';
import { signRow } from './sign.js';
import { rssRow } from './rss.js';
import { oneshotRow } from './oneshot.js';
import { batchRow } from './batch.js';
import { startupRow } from './startup.js';
import { attestRow } from './attest.js';
import { kmsRow } from './kms.js';
import { compositeRow } from './composite.js';

export const ROWS: readonly BenchRow[] = [
  muRow,
  readChunkRow,
  signRow,
  compositeRow,
  rssRow,
  oneshotRow,
  batchRow,
  kmsRow,
  attestRow,
  startupRow,
];
