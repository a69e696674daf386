// Turning outcomes into the CLI's stable JSON objects and one-line messages.
import { isPqsignError, EXIT } from '../base/errors.js';
import type { Settled } from '../base/pool.js';

export interface ErrorJson {
  code: string;
  message: string;
  detail?: string;
  scope?: string;
}

export function errorJson(e: unknown): ErrorJson {
  if (isPqsignError(e)) return { code: e.code, message: e.line, ...(e.detail ? { detail: e.detail } : {}), ...(e.scope ? { scope: e.scope } : {}) };
  return { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

export function exitOf(e: unknown): number {
  return isPqsignError(e) ? e.exitCode : EXIT.BACKEND;
}

export const exitOfSettled = (r: Settled<unknown>): number => (r.ok ? EXIT.OK : exitOf(r.error));
