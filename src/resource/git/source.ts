import { parseRangeMode, rangePolicyOf, type RangePolicy } from '../../core/gate-options.js';
import { UsageError } from '../../core/errors.js';
import type { RemoteSpec } from '../../remote/access.js';
import { checkStringValue, isObject, KEY_MAX_BYTES, optionalBoolean, optionalString, parseParams, parseRequestJson, shownValue, type Json } from '../protocol/json.js';
import { parseSourceKeys, type SourceKeys } from '../protocol/source-keys.js';
import { branchNameProblem } from './refname.js';

/** The resource's `source` block for a git repository (DESIGN.md, "Concourse resource"), validated. */
export interface ResourceSource {
  uri: string;
  branch: string | null;
  privateKey: string | null;
  username: string | null;
  password: string | null;
  tagFilter: string | null;
  tagRegex: RegExp | null;
  keys: SourceKeys;
  /** The range every verification of this source uses: trust root, mode, rewinds, movable roots. */
  range: RangePolicy;
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

/** Bounds of the fields that reach a command line or an environment (a 200 kB branch must not become `spawn E2BIG`). */
const MAX_BYTES = { uri: 8192, name: 1024, password: 16 * 1024 };

/** Validate a `source` object. */
export function parseSource(raw: Json): ResourceSource {
  for (const key of Object.keys(raw)) {
    if (!SOURCE_KEYS.has(key)) throw new UsageError(`unknown key ${shownValue(key, 60)} in source`);
  }
  const uri = optionalString(raw, 'uri', 'source', MAX_BYTES.uri);
  if (!uri) throw new UsageError('source.uri is required');
  const tagFilter = optionalString(raw, 'tag_filter', 'source', MAX_BYTES.name);
  const tagRegex = optionalString(raw, 'tag_regex');
  if (tagFilter !== null && tagRegex !== null) throw new UsageError('source.tag_filter and source.tag_regex are exclusive; give one');
  const mode = optionalString(raw, 'mode', 'source', MAX_BYTES.name);
  return {
    uri,
    branch: parseBranch(raw, 'branch', 'source'),
    privateKey: optionalString(raw, 'private_key', 'source', KEY_MAX_BYTES),
    username: optionalString(raw, 'username', 'source', MAX_BYTES.name),
    password: optionalString(raw, 'password', 'source', MAX_BYTES.password),
    tagFilter,
    tagRegex: tagRegex === null ? null : compileRegex(tagRegex),
    keys: parseSourceKeys(raw),
    range: rangePolicyOf({
      since: optionalString(raw, 'trust_root', 'source', MAX_BYTES.name),
      ...(mode !== null ? { mode: parseRangeMode(mode, 'source.mode') } : {}),
      allowUnsignedRoot: optionalBoolean(raw, 'allow_unsigned_root'),
    }),
    verifyTags: optionalBoolean(raw, 'verify_tags'),
    signingKey: optionalString(raw, 'signing_key', 'source', KEY_MAX_BYTES),
    signingKeyPassphrase: optionalString(raw, 'signing_key_passphrase'),
  };
}

/** A branch name from the request (`source.branch`, `params.branch`), refused unless git would accept it. */
export function parseBranch(raw: Json, key: string, where: string): string | null {
  const value = raw[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new UsageError(`${where}.${key} must be a string`);
  const problem = branchNameProblem(value);
  if (problem !== null) throw new UsageError(`${where}.${key} is not a valid branch name (${problem}): ${shownValue(value)}`);
  return value;
}

/** How the scripts reach the source's remote. */
export function remoteSpecOf(source: ResourceSource, knownHostsFile: string): RemoteSpec {
  const auth = {
    ...(source.username !== null ? { username: source.username } : {}),
    ...(source.password !== null ? { password: source.password } : {}),
  };
  return { url: source.uri, auth, sshKey: source.privateKey, knownHostsFile };
}

/** Everything in a source that must never reach a log line, whatever printed it. */
export function secretsOf(source: ResourceSource): string[] {
  const secrets: string[] = [];
  if (source.password) secrets.push(source.password);
  if (source.username !== null || source.password !== null) {
    secrets.push(Buffer.from(`${source.username ?? ''}:${source.password ?? ''}`).toString('base64'));
  }
  if (source.privateKey) secrets.push(...keyLines(source.privateKey));
  if (source.signingKey) secrets.push(...keyLines(source.signingKey));
  if (source.signingKeyPassphrase) secrets.push(source.signingKeyPassphrase);
  return secrets.filter((s) => s.length >= 3);
}

/** The lines of a private key worth redacting (not its armor lines). */
export const keyLines = (key: string): string[] => key.split('\n').map((l) => l.trim()).filter((l) => l.length >= 16 && !l.startsWith('-----'));

/** True when versions are tags rather than commits on a branch. */
export function usesTags(source: ResourceSource): boolean {
  return source.tagFilter !== null || source.tagRegex !== null;
}

function parseVersion(raw: unknown): ResourceVersion | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new UsageError('"version" must be an object');
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') throw new UsageError(`version.${shownValue(key, 60)} must be a string`);
    checkStringValue(value, `version.${shownValue(key, 60)}`, MAX_BYTES.name);
  }
  const ref = raw['ref'];
  if (typeof ref !== 'string' || ref === '') throw new UsageError('version.ref is missing');
  const commit = raw['commit'];
  return typeof commit === 'string' ? { ref, commit } : { ref };
}

function compileRegex(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UsageError(`source.tag_regex is not a valid regular expression: ${(error as Error).message}`, { cause: error });
  }
}
