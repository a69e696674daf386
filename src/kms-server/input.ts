// Reading request members the way the KMS front end does: wrong JSON types are
// SerializationException, constraint violations are ValidationException with AWS's wording
// ("1 validation error detected: Value '…' at 'keyId' failed to satisfy constraint: …").
// Blobs (Message, Signature) are sensitive: their value is never echoed.
import { KmsServiceError, serialization, validation } from './errors.js';

export type Input = Record<string, unknown>;

const member = (field: string) => field[0]!.toLowerCase() + field.slice(1);

/** `value`: the offending value; null when absent; undefined when sensitive (never echoed). */
function violation(field: string, value: string | number | null | undefined, constraint: string): Error {
  const shown = value === null ? 'null ' : value === undefined ? '' : `'${value}' `;
  return validation(`1 validation error detected: Value ${shown}at '${member(field)}' failed to satisfy constraint: ${constraint}`);
}

const jsonType = (v: unknown) =>
  v === null
    ? 'NULL_VALUE'
    : Array.isArray(v)
      ? 'START_ARRAY'
      : typeof v === 'object'
        ? 'START_OBJECT'
        : typeof v === 'number'
          ? 'NUMBER_VALUE'
          : typeof v === 'boolean'
            ? 'BOOLEAN_VALUE'
            : 'VALUE_STRING';

function typed<T>(input: Input, field: string, type: 'string' | 'number' | 'boolean', name: string): T | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw serialization(`${jsonType(v)} can not be converted to ${name}`);
  return v as T;
}

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export function string(input: Input, field: string, rule: StringRule & { required: true }): string;
export function string(input: Input, field: string, rule?: StringRule): string | undefined;
export function string(input: Input, field: string, rule: StringRule = {}): string | undefined {
  const v = typed<string>(input, field, 'string', 'a String');
  if (v === undefined) {
    if (rule.required) throw violation(field, null, 'Member must not be null');
    return undefined;
  }
  if (rule.min !== undefined && v.length < rule.min)
    throw violation(field, v, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && v.length > rule.max) throw violation(field, v, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(v))
    throw violation(field, v, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
  return v;
}

export function oneOf<T extends string>(input: Input, field: string, values: readonly T[], required: boolean): T | undefined {
  const v = typed<string>(input, field, 'string', 'a String');
  if (v === undefined) {
    if (required) throw violation(field, null, 'Member must not be null');
    return undefined;
  }
  if (!values.includes(v as T)) throw violation(field, v, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return v as T;
}

export function blob(input: Input, field: string, rule: { min: number; max: number }): Uint8Array {
  const v = typed<string>(input, field, 'string', 'a Blob');
  if (v === undefined) throw violation(field, null, 'Member must not be null');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw serialization(`Base64 encoded value of '${member(field)}' is invalid`);
  const bytes = new Uint8Array(Buffer.from(v, 'base64'));
  if (bytes.length < rule.min) throw violation(field, undefined, `Member must have length greater than or equal to ${rule.min}`);
  if (bytes.length > rule.max) throw violation(field, undefined, `Member must have length less than or equal to ${rule.max}`);
  return bytes;
}

export function integer(input: Input, field: string, rule: { min: number; max: number }): number | undefined {
  const v = typed<number>(input, field, 'number', 'an Integer');
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) throw serialization(`${v} can not be converted to an Integer`);
  if (v < rule.min) throw violation(field, v, `Member must have value greater than or equal to ${rule.min}`);
  if (v > rule.max) throw violation(field, v, `Member must have value less than or equal to ${rule.max}`);
  return v;
}

export const boolean = (input: Input, field: string): boolean => typed<boolean>(input, field, 'boolean', 'a Boolean') ?? false;

export interface Tag {
  TagKey: string;
  TagValue: string;
}

/** Tags: TagKey 1-128 characters, TagValue 0-256, keys unique (CreateKey / TagResource). */
export function tags(input: Input): Tag[] {
  const v = input.Tags;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw serialization(`${jsonType(v)} can not be converted to a List`);
  const out: Tag[] = [];
  for (const t of v) {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw serialization(`${jsonType(t)} can not be converted to a Tag`);
    const TagKey = string(t as Input, 'TagKey', { required: true, min: 1, max: 128 });
    const TagValue = string(t as Input, 'TagValue', { required: true, min: 0, max: 256 });
    if (out.some((o) => o.TagKey === TagKey)) throw new KmsServiceError('TagException', `Duplicate tag key: ${TagKey}`);
    out.push({ TagKey, TagValue });
  }
  return out;
}
