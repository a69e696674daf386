// Time values as X.509 (RFC 5280 §4.1.2.5) and CMS signingTime (RFC 5652 §11.3) require them: UTCTime for
// dates in 1950–2049, GeneralizedTime otherwise; whole seconds, "Z". One rule for both, so it lives here.
import { PqsignError } from '../base/errors.js';
import { tlv } from './der.js';

export const UTC_TIME = 0x17;
export const GENERALIZED_TIME = 0x18;

export const usesUtcTime = (d: Date): boolean => d.getUTCFullYear() >= 1950 && d.getUTCFullYear() < 2050;

/** DER of a Time CHOICE. */
export function encodeTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  return usesUtcTime(d)
    ? tlv(UTC_TIME, new TextEncoder().encode(`${digits.slice(2)}Z`))
    : tlv(GENERALIZED_TIME, new TextEncoder().encode(`${digits}Z`));
}

/** A time given on the command line (ISO 8601, or "now"), truncated to whole seconds as DER keeps them. */
export function parseTimeOption(value: unknown, flag: string): Date {
  if (typeof value !== 'string' || value.trim() === '')
    throw new PqsignError('ERR_USAGE', `${flag} needs a time (ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  const d = value.trim().toLowerCase() === 'now' ? new Date() : new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new PqsignError('ERR_USAGE', `${flag} "${value}" is not a time (use ISO 8601, e.g. 2026-01-31T12:00:00Z)`);
  return wholeSeconds(d);
}

export const wholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);
