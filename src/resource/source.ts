import type { RangeMode } from '../commands/types.js';
import { UsageError } from '../errors.js';

/** The resource's `source` block (DESIGN.md, "Concourse resource"), validated. */
export interface ResourceSource {
  uri: string;
  branch: string | null;
  privateKey: string | null;
  username: string | null;
  password: string | null;
  tagFilter: string | null;
  tagRegex: RegExp | null;
  verificationKeys: string[];
  verificationKeyIds: string[];
  allowedFingerprints: string[];
  mode: RangeMode | null;
  trustRoot: string | null;
  /** Accept a movable `trust_root` (a lightweight or unsigned tag, a branch) with a warning; default false: `untrusted-root`. */
  allowUnsignedRoot: boolean;
  ignoreExpiry: boolean;
  allowWeak: boolean;
  verifyTags: boolean;
  /** Armored OpenPGP secret key that signs the tags `out` promotes (from the pipeline's credential manager). */
  signingKey: string | null;
  signingKeyPassphrase: string | null;
}

/** A version as Concourse passes it: `ref` is a commit oid, or a tag name with its `commit`. */
export interface ResourceVersion {
  ref: string;
  commit?: string;
}

/** One request read from stdin. `params` are checked by the script that uses them. */
export interface ResourceRequest {
  source: ResourceSource;
  version: ResourceVersion | null;
  params: Record<string, unknown>;
}

type Json = Record<string, unknown>;

const SOURCE_KEYS = new Set([
  'uri', 'branch', 'private_key', 'username', 'password', 'tag_filter', 'tag_regex',
  'commit_verification_keys', 'commit_verification_key_ids', 'allowed_fingerprints',
  'mode', 'trust_root', 'allow_unsigned_root', 'ignore_expiry', 'allow_weak', 'verify_tags', 'signing_key', 'signing_key_passphrase',
]);

/** Parse and validate the JSON Concourse writes on stdin; every problem is a UsageError (exit 2) naming the key. */
export function parseRequest(text: string, allowedParams: readonly string[]): ResourceRequest {
  const raw = parseRequestJson(text);
  return {
    source: parseSource(raw['source']),
    version: parseVersion(raw['version']),
    params: parseParams(raw['params'], allowedParams),
  };
}

/** The request as JSON: an object with an object `source`. */
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

/** Validate a `source` object. */
export function parseSource(raw: Json): ResourceSource {
  for (const key of Object.keys(raw)) {
    if (!SOURCE_KEYS.has(key)) throw new UsageError(`unknown key "${key}" in source`);
  }
  const uri = optionalString(raw, 'uri');
  if (!uri) throw new UsageError('source.uri is required');
  const tagFilter = optionalString(raw, 'tag_filter');
  const tagRegex = optionalString(raw, 'tag_regex');
  if (tagFilter !== null && tagRegex !== null) throw new UsageError('source.tag_filter and source.tag_regex are exclusive; give one');
  const keys = parseKeyPolicy(raw);
  return {
    uri,
    branch: optionalString(raw, 'branch'),
    privateKey: optionalString(raw, 'private_key'),
    username: optionalString(raw, 'username'),
    password: optionalString(raw, 'password'),
    tagFilter,
    tagRegex: tagRegex === null ? null : compileRegex(tagRegex),
    ...keys,
    mode: parseMode(optionalString(raw, 'mode')),
    trustRoot: optionalString(raw, 'trust_root'),
    allowUnsignedRoot: optionalBoolean(raw, 'allow_unsigned_root'),
    verifyTags: optionalBoolean(raw, 'verify_tags'),
    signingKey: optionalString(raw, 'signing_key'),
    signingKeyPassphrase: optionalString(raw, 'signing_key_passphrase'),
  };
}

/** The keys and key policy of a source, git or S3. */
export function parseKeyPolicy(raw: Json): Pick<ResourceSource, 'verificationKeys' | 'verificationKeyIds' | 'allowedFingerprints' | 'ignoreExpiry' | 'allowWeak'> {
  const verificationKeys = stringOrList(raw, 'commit_verification_keys').filter((k) => k.trim() !== '');
  if (verificationKeys.length === 0) {
    throw new UsageError('source.commit_verification_keys is required: siggate has no keys to verify against');
  }
  const verificationKeyIds = stringOrList(raw, 'commit_verification_key_ids').map((id) => id.replace(/\s+/g, ''));
  for (const id of verificationKeyIds) {
    // 32-bit key IDs collide ("evil32"); refuse them before they reach the allow list.
    if (/^(0x)?[0-9A-Fa-f]{8}$/.test(id)) {
      throw new UsageError(`source.commit_verification_key_ids: short key ID ${id} is refused; use the full fingerprint`);
    }
  }
  return {
    verificationKeys,
    verificationKeyIds,
    allowedFingerprints: stringOrList(raw, 'allowed_fingerprints'),
    ignoreExpiry: optionalBoolean(raw, 'ignore_expiry'),
    allowWeak: optionalBoolean(raw, 'allow_weak'),
  };
}

/** True when versions are tags rather than commits on a branch. */
export function usesTags(source: ResourceSource): boolean {
  return source.tagFilter !== null || source.tagRegex !== null;
}

function parseVersion(raw: unknown): ResourceVersion | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new UsageError('"version" must be an object');
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new UsageError(`version.${key} must be a string`);
  }
  const ref = raw['ref'];
  if (typeof ref !== 'string' || ref === '') throw new UsageError('version.ref is missing');
  const commit = raw['commit'];
  return typeof commit === 'string' ? { ref, commit } : { ref };
}

export function parseParams(raw: unknown, allowed: readonly string[]): Json {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw new UsageError('"params" must be an object');
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new UsageError(`unknown key "${key}" in params`);
  }
  return raw;
}

function parseMode(value: string | null): RangeMode | null {
  if (value === null || value === 'tip' || value === 'first-parent' || value === 'all') return value;
  throw new UsageError(`source.mode must be tip, first-parent or all, not "${value}"`);
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UsageError(`source.tag_regex is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
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

export function optionalBoolean(object: Json, key: string): boolean {
  const value = object[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new UsageError(`source.${key} must be true or false`);
  return value;
}

export function stringOrList(object: Json, key: string): string[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new UsageError(`source.${key} must be a string or a list of strings`);
}
