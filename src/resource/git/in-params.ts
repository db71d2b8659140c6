import { UsageError } from '../../core/errors.js';
import { checkStringValue, flexibleBoolean, flexibleInteger, optionalFlag, optionalString, shownValue, stringList, type Json } from '../protocol/json.js';
import { branchNameProblem } from './refname.js';
import type { ResourceSource } from './source.js';

/** The `params` keys `in` accepts (git-resource's in_schema.json). */
export const IN_PARAMS: ReadonlySet<string> = new Set([
  'depth', 'fetch', 'fetch_tags', 'submodules', 'submodule_recursive', 'submodule_remote', 'disable_git_lfs', 'clean_tags',
  'short_ref_format', 'timestamp_format', 'describe_ref_options', 'all_branches', 'debug',
]);

/** `in`'s params, with git-resource's defaults applied. */
export interface InParams {
  /** 0: a full clone; N: shallow at N below the branch tip, deepened until the version is in it. */
  depth: number;
  /** More branches to fetch as local branches (verified like the version). */
  fetch: string[];
  /** `params.fetch_tags`, else `source.fetch_tags`: false no tags, true every tag, null the tags of the history written. */
  fetchTags: boolean | null;
  /** `all`, `none`, or the submodule paths (each a regex suffix, as git-resource matches them). */
  submodules: 'all' | 'none' | string[];
  submoduleRecursive: boolean;
  submoduleRemote: boolean;
  disableGitLfs: boolean;
  cleanTags: boolean;
  shortRefFormat: string;
  timestampFormat: string;
  describeRefOptions: string[];
  allBranches: boolean;
  debug: boolean;
}

const WHERE = 'params';

/** Read `in`'s params as git-resource does (`jq -r` forms: `"true"`, `"2"`); a value it could not use is a UsageError (exit 2). */
export function parseInParams(params: Json, source: ResourceSource): InParams {
  const depth = flexibleInteger(params, 'depth', 0, WHERE);
  const fetch = stringList(params, 'fetch', WHERE, 1024);
  for (const name of fetch) {
    const problem = branchNameProblem(name);
    if (problem !== null) throw new UsageError(`params.fetch: ${shownValue(name)} is not a branch name (${problem})`);
  }
  const timestampFormat = optionalString(params, 'timestamp_format', WHERE, 1024) ?? 'iso8601';
  if (timestampFormat === '' || /[\n\r]/.test(timestampFormat)) throw new UsageError('params.timestamp_format must be a `git log --date` format on one line');
  const describe = optionalString(params, 'describe_ref_options', WHERE, 4096) ?? '--always --dirty --broken';
  return {
    depth: Math.max(depth, 0),
    fetch,
    fetchTags: optionalFlag(params, 'fetch_tags', WHERE) ?? source.fetchTags,
    submodules: parseSubmodules(params['submodules']),
    submoduleRecursive: optionalFlag(params, 'submodule_recursive', WHERE) ?? true,
    submoduleRemote: flexibleBoolean(params, 'submodule_remote', WHERE),
    disableGitLfs: flexibleBoolean(params, 'disable_git_lfs', WHERE),
    cleanTags: flexibleBoolean(params, 'clean_tags', WHERE),
    shortRefFormat: optionalString(params, 'short_ref_format', WHERE, 1024) ?? '%s',
    timestampFormat,
    // the shell splits them on white space (and does nothing else worth copying)
    describeRefOptions: describe.split(/\s+/).filter(Boolean),
    allBranches: flexibleBoolean(params, 'all_branches', WHERE),
    debug: flexibleBoolean(params, 'debug', WHERE),
  };
}

function parseSubmodules(value: unknown): InParams['submodules'] {
  if (value === undefined || value === null || value === 'all') return 'all';
  if (value === 'none') return 'none';
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) {
    value.forEach((item, index) => checkStringValue(item, `params.submodules[${index}]`, 4096));
    return value;
  }
  throw new UsageError('params.submodules must be "all", "none" or a list of submodule paths');
}
