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
    if (!allowed.includes(key)) throw new UsageError(`unknown key "${key}" in params`);
  }
  return raw;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string value of `object[key]`, or null when absent; `where` prefixes the key in messages. */
export function optionalString(object: Json, key: string, where = 'source'): string | null {
  const value = object[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new UsageError(`${where}.${key} must be a string`);
  return value;
}

/** A boolean value of `object[key]`, false when absent. */
export function optionalBoolean(object: Json, key: string, where = 'source'): boolean {
  const value = object[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new UsageError(`${where}.${key} must be true or false`);
  return value;
}

/** A string or a list of strings, as a list. */
export function stringOrList(object: Json, key: string, where = 'source'): string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new UsageError(`${where}.${key} must be a string or a list of strings`);
}
