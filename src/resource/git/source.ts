import { parsePolicyKind, parseRangeMode, rangePolicyOf, type RangePolicy } from '../../core/gate-options.js';
import { UsageError } from '../../core/errors.js';
import {
  checkStringValue, flexibleBoolean, flexibleInteger, isObject, KEY_MAX_BYTES, optionalBoolean, optionalFlag, optionalString,
  parseRequestJson, refuseUnknownKeys, shownValue, stringList, type Json,
} from '../protocol/json.js';
import { parseSourceKeys, type SourceKeys } from '../protocol/source-keys.js';
import { parseCommitFilter, parseGitConfig, parseHttpsTunnel, parseSubmoduleCredentials, type CommitFilter, type GitConfigEntry, type HttpsTunnel, type SubmoduleCredential } from './source-parts.js';
import { branchNameProblem } from './refname.js';

export type { CommitFilter, GitConfigEntry, HttpsTunnel, SubmoduleCredential } from './source-parts.js';

/** The resource's `source` block for a git repository: git-resource's keys, and siggate's own. */
export interface ResourceSource {
  uri: string;
  branch: string | null;
  privateKey: string | null;
  privateKeyPassphrase: string | null;
  privateKeyUser: string | null;
  forwardAgent: boolean;
  username: string | null;
  password: string | null;
  skipSslVerification: boolean;
  httpsTunnel: HttpsTunnel | null;
  submoduleCredentials: SubmoduleCredential[];
  gitConfig: GitConfigEntry[];
  /** Pathspecs a commit must touch to be a version (default `.`: every commit). */
  paths: string[];
  ignorePaths: string[];
  sparsePaths: string[];
  tagFilter: string | null;
  /** A POSIX extended regular expression, matched against the whole tag name (`grep -Ex`). */
  tagRegex: string | null;
  tagBehaviour: 'match_tagged' | 'match_tag_ancestors';
  /** `false`: no tags; `true`: every tag; null: the tags that point into the fetched branch. */
  fetchTags: boolean | null;
  disableCiSkip: boolean;
  commitFilter: CommitFilter;
  versionDepth: number;
  searchRemoteRefs: boolean;
  /** git-crypt's key, base64; used only after the checkout passed the gate. */
  gitCryptKey: string | null;
  debug: boolean;
  keys: SourceKeys;
  /** The range every verification of this source uses: trust root, mode, rewinds, movable roots. */
  range: RangePolicy;
  verifyTags: boolean;
  /** Armored OpenPGP secret key that signs what `out` creates (promotion tags, rebased or merge commits). */
  signingKey: string | null;
  signingKeyPassphrase: string | null;
}

/** A version as Concourse passes it: `ref` is a commit oid or a tag name, with `commit` in tag modes. */
export interface ResourceVersion {
  ref: string;
  commit?: string;
  /** git-resource's `in` takes a version's `branch` as the branch to clone. */
  branch?: string;
}

/** One request read from stdin; `params` hold only keys the script knows. */
export interface ResourceRequest {
  source: ResourceSource;
  version: ResourceVersion | null;
  params: Json;
}

/** git-resource's source keys (its source_schema.json), then siggate's. */
const SOURCE_KEYS = new Set([
  'uri', 'branch', 'private_key', 'private_key_user', 'private_key_passphrase', 'forward_agent', 'username', 'password',
  'paths', 'sparse_paths', 'ignore_paths', 'skip_ssl_verification', 'tag_filter', 'tag_regex', 'tag_behaviour', 'fetch_tags',
  'submodule_credentials', 'git_config', 'disable_ci_skip', 'commit_verification_keys', 'commit_verification_key_ids',
  'gpg_keyserver', 'git_crypt_key', 'https_tunnel', 'commit_filter', 'version_depth', 'search_remote_refs', 'debug',
  'allowed_fingerprints', 'mode', 'trust_root', 'allow_unsigned_root', 'ignore_expiry', 'allow_weak', 'verify_tags',
  'signing_key', 'signing_key_passphrase', 'policy', 'intro', 'intro_signer', 'keyring_ref',
]);

/** Bounds of the fields that reach a command line or an environment (a 200 kB branch must not become `spawn E2BIG`). */
const MAX_BYTES = { uri: 8192, name: 1024, password: 16 * 1024 };

/** Parse and validate the JSON Concourse writes on stdin; every problem is a UsageError (exit 2) naming the key. */
export function parseRequest(text: string, knownParams: ReadonlySet<string>, paramsLabel: string): ResourceRequest {
  const raw = parseRequestJson(text);
  const params = raw['params'] ?? {};
  if (!isObject(params)) throw new UsageError('"params" must be an object');
  refuseUnknownKeys(params, knownParams, paramsLabel);
  return { source: parseSource(raw['source']), version: parseVersion(raw['version']), params };
}

/** Validate a `source` object. */
export function parseSource(raw: Json): ResourceSource {
  refuseUnknownKeys(raw, SOURCE_KEYS, 'source');
  // git-resource strips one leading space from these (check:L39-47)
  const trimmed = (key: string, max: number): string | null => optionalString(raw, key, 'source', max)?.replace(/^ /, '') ?? null;
  if (raw['gpg_keyserver'] !== undefined && raw['gpg_keyserver'] !== null) {
    throw new UsageError('source.gpg_keyserver is refused: siggate never fetches keys from a keyserver (anyone can upload a key with any user id there); put the armored public keys in source.commit_verification_keys');
  }
  const uri = trimmed('uri', MAX_BYTES.uri);
  if (!uri) throw new UsageError('source.uri is required and must not be empty');
  const tagFilter = trimmed('tag_filter', MAX_BYTES.name);
  const tagRegex = trimmed('tag_regex', MAX_BYTES.name);
  if (tagFilter && tagRegex) throw new UsageError('Cannot provide both tag_filter and tag_regex');
  const versionDepth = flexibleInteger(raw, 'version_depth', 1);
  if (versionDepth <= 0) throw new UsageError('Invalid version_depth. Must be > 0.');
  const mode = optionalString(raw, 'mode', 'source', MAX_BYTES.name);
  const policyName = optionalString(raw, 'policy', 'source', MAX_BYTES.name);
  const policy = policyName === null ? 'keys' : parsePolicyKind(policyName, 'source.policy');
  const intro = optionalString(raw, 'intro', 'source', MAX_BYTES.name);
  const trustRoot = optionalString(raw, 'trust_root', 'source', MAX_BYTES.name);
  if (intro !== null && (policy !== 'guix' || (trustRoot !== null && trustRoot !== intro))) throw new UsageError('source.intro is the introduction of policy guix (and the trust root: leave trust_root out)');
  return {
    uri,
    branch: parseBranch({ ...raw, branch: trimmed('branch', MAX_BYTES.name) || null }, 'branch', 'source'),
    privateKey: optionalString(raw, 'private_key', 'source', KEY_MAX_BYTES),
    privateKeyPassphrase: optionalString(raw, 'private_key_passphrase', 'source', MAX_BYTES.password),
    privateKeyUser: parseSshUser(optionalString(raw, 'private_key_user', 'source', MAX_BYTES.name)),
    forwardAgent: flexibleBoolean(raw, 'forward_agent'),
    username: optionalString(raw, 'username', 'source', MAX_BYTES.name),
    password: optionalString(raw, 'password', 'source', MAX_BYTES.password),
    skipSslVerification: flexibleBoolean(raw, 'skip_ssl_verification'),
    httpsTunnel: parseHttpsTunnel(raw['https_tunnel']),
    submoduleCredentials: parseSubmoduleCredentials(raw['submodule_credentials']),
    gitConfig: parseGitConfig(raw['git_config']),
    paths: stringList(raw, 'paths', 'source', MAX_BYTES.name),
    ignorePaths: stringList(raw, 'ignore_paths', 'source', MAX_BYTES.name),
    sparsePaths: stringList(raw, 'sparse_paths', 'source', MAX_BYTES.name),
    tagFilter: tagFilter || null,
    tagRegex: tagRegex || null,
    tagBehaviour: parseTagBehaviour(optionalString(raw, 'tag_behaviour', 'source', MAX_BYTES.name)),
    fetchTags: optionalFlag(raw, 'fetch_tags'),
    disableCiSkip: flexibleBoolean(raw, 'disable_ci_skip'),
    commitFilter: parseCommitFilter(raw['commit_filter']),
    versionDepth,
    searchRemoteRefs: flexibleBoolean(raw, 'search_remote_refs'),
    gitCryptKey: optionalString(raw, 'git_crypt_key', 'source', KEY_MAX_BYTES),
    debug: flexibleBoolean(raw, 'debug'),
    keys: parseSourceKeys(raw, { keysFromRepository: policy === 'guix' || policy === 'sequoia' }),
    range: rangePolicyOf({
      since: intro ?? trustRoot,
      ...(mode !== null ? { mode: parseRangeMode(mode, 'source.mode') } : {}),
      allowUnsignedRoot: optionalBoolean(raw, 'allow_unsigned_root'),
      policy,
      introSigner: optionalString(raw, 'intro_signer', 'source', MAX_BYTES.name),
      keyringRef: optionalString(raw, 'keyring_ref', 'source', MAX_BYTES.name),
    }),
    verifyTags: flexibleBoolean(raw, 'verify_tags'),
    signingKey: optionalString(raw, 'signing_key', 'source', KEY_MAX_BYTES),
    signingKeyPassphrase: optionalString(raw, 'signing_key_passphrase', 'source', MAX_BYTES.password),
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

/** A user name for ssh's `User` option: what ends up in a config file and on ssh's command line, one word. */
function parseSshUser(user: string | null): string | null {
  if (!user) return null;
  if (!/^[A-Za-z0-9._][A-Za-z0-9._@-]*$/.test(user)) throw new UsageError(`source.private_key_user is not a user name ssh accepts: ${shownValue(user)}`);
  return user;
}

function parseTagBehaviour(value: string | null): ResourceSource['tagBehaviour'] {
  if (value === null || value === '' || value === 'match_tagged') return 'match_tagged';
  if (value === 'match_tag_ancestors') return value;
  throw new UsageError("Invalid tag_behaviour. Must be one of 'match_tagged' or 'match_tag_ancestors'.");
}

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
  const branch = parseBranch(raw, 'branch', 'version');
  return { ref, ...(typeof commit === 'string' ? { commit } : {}), ...(branch ? { branch } : {}) };
}
