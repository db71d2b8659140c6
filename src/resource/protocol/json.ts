import { UsageError } from '../../core/errors.js';

/** A JSON object as Concourse writes it. */
export type Json = Record<string, unknown>;

/** The request as JSON: an object with an object `source`; anything else is a UsageError (exit 2). */
export function parseRequestJson(text: string): Json & { source: Json } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`stdin is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(raw)) throw new UsageError('stdin must be a JSON object with "source"');
  if (!isObject(raw['source'])) throw new UsageError('"source" is missing or not an object');
  return raw as Json & { source: Json };
}

/** `params` as an object with only the keys the script accepts. */
export function parseParams(raw: unknown, allowed: readonly string[]): Json {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new UsageError('"params" must be an object');
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new UsageError(`unknown key ${shownValue(key, 60)} in params`);
  }
  return raw;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The longest string value accepted unless a field says otherwise: values reach command lines and environments. */
export const DEFAULT_MAX_BYTES = 64 * 1024;

/**
 * A string value of `object[key]`, or null when absent; `where` prefixes the key in messages. A NUL byte
 * (it cannot pass to a program) or more than `maxBytes` is a UsageError whose message never echoes the value.
 */
export function optionalString(object: Json, key: string, where = 'source', maxBytes = DEFAULT_MAX_BYTES): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new UsageError(`${where}.${key} must be a string`);
  checkStringValue(value, `${where}.${key}`, maxBytes);
  return value;
}

/** Refuse a NUL byte or more than `maxBytes` in a value named `what`, without quoting it. */
export function checkStringValue(value: string, what: string, maxBytes = DEFAULT_MAX_BYTES): void {
  if (value.includes('\0')) throw new UsageError(`${what} contains a NUL byte`);
  const bytes = Buffer.byteLength(value);
  if (bytes > maxBytes) throw new UsageError(`${what} is too long (${bytes} bytes; at most ${maxBytes})`);
}

/** A value for a message: quoted, at most `max` characters of it. */
export function shownValue(value: string, max = 100): string {
  return value.length > max ? `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)` : JSON.stringify(value);
}

/** A boolean value of `object[key]`, false when absent. */
export function optionalBoolean(object: Json, key: string, where = 'source'): boolean {
  const value = object[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new UsageError(`${where}.${key} must be true or false`);
  return value;
}

/** Armored keys (a key with photo IDs runs to hundreds of kB): the bound of key-carrying fields. */
export const KEY_MAX_BYTES = 16 * 1024 * 1024;

/** A string or a list of strings, as a list. */
export function stringOrList(object: Json, key: string, where = 'source'): string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
  if (list === null) throw new UsageError(`${where}.${key} must be a string or a list of strings`);
  // armored keys can be large: only the NUL byte check, and a generous bound
  list.forEach((item, index) => checkStringValue(item, `${where}.${key}[${index}]`, KEY_MAX_BYTES));
  return list;
}

/**
 * The request's keys against those the script knows: all unknown ones at once, as git-resource lists them
 * (`Found unknown keys in source:` and each key as a JSON string on its own line).
 */
export function refuseUnknownKeys(object: Json, known: ReadonlySet<string>, label: string): void {
  const unknown = Object.keys(object).filter((key) => !known.has(key));
  if (unknown.length === 0) return;
  throw new UsageError(`Found unknown keys in ${label}:\n${unknown.map((key) => shownValue(key, 60)).join('\n')}`);
}

/** A flag as git-resource reads it (`jq -r`): true or false, or the strings "true" and "false" in any case. */
export function flexibleBoolean(object: Json, key: string, where = 'source'): boolean {
  const value = object[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new UsageError(`${where}.${key} must be true or false`);
}

/** An optional flag whose absence means something of its own (null). */
export function optionalFlag(object: Json, key: string, where = 'source'): boolean | null {
  const value = object[key];
  return value === undefined || value === null ? null : flexibleBoolean(object, key, where);
}

/** A whole number, or a string of digits (git-resource's `version_depth: "2"`); absent: `fallback`. */
export function flexibleInteger(object: Json, key: string, fallback: number, where = 'source'): number {
  const value = object[key];
  if (value === undefined || value === null || value === '') return fallback;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,9}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(number)) throw new UsageError(`${where}.${key} must be a whole number`);
  return number;
}

/** A list of strings (one string counts as a list of one); `maxBytes` bounds each item. */
export function stringList(object: Json, key: string, where = 'source', maxBytes = DEFAULT_MAX_BYTES): string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
  if (list === null) throw new UsageError(`${where}.${key} must be a string or a list of strings`);
  list.forEach((item, index) => checkStringValue(item, `${where}.${key}[${index}]`, maxBytes));
  return list;
}
