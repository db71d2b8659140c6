import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { checkStringValue, flexibleBoolean, optionalString, shownValue, type Json } from '../protocol/json.js';
import { branchNameProblem } from './refname.js';
import { parseBranch, type ResourceSource } from './source.js';

/** Bounds of the params that name files and refs. */
const PATH_MAX_BYTES = 4096;
const NAME_MAX_BYTES = 1024;
const OPTION_MAX_BYTES = 4096;

/** The `params` keys `out` accepts: git-resource's (its out_schema.json), then siggate's. */
export const OUT_PARAMS: ReadonlySet<string> = new Set([
  'repository', 'rebase', 'rebase_strategy', 'rebase_strategy_option', 'merge', 'returning', 'tag', 'only_tag', 'tag_prefix',
  'force', 'annotate', 'notes', 'branch', 'refs_prefix', 'debug', 'push_options',
  'promote', 'bump',
]);

/** How `out` brings the remote's new commits in before pushing: not at all, `git rebase`, or `git merge`. */
export type OutStrategy = 'push' | 'rebase' | 'merge';

/** `out`'s params, checked in git-resource's order; file params resolved to absolute paths. */
export interface OutParams {
  repository: string;
  /** The branch pushed to: params.branch, else source.branch; null only with only_tag. */
  branch: string | null;
  /** params.branch, which also goes into the version. */
  branchOverride: string | null;
  tagFile: string | null;
  tagPrefix: string;
  annotateFile: string | null;
  notesFile: string | null;
  onlyTag: boolean;
  force: boolean;
  strategy: OutStrategy;
  rebaseStrategy: string | null;
  /** Each becomes `-X<option>`. */
  rebaseStrategyOptions: string[];
  returning: 'merged' | 'unmerged';
  refsPrefix: string;
  pushOptions: string[];
  debug: boolean;
}

/**
 * Read and check `params` as git-resource's `out` does, in its order: branch, repository, merge with
 * rebase; then (relative to SRC) the tag and annotation files, and the notes file (relative to the
 * repository's parent, git-resource's `../NOTES`). Every problem is a UsageError (exit 2).
 */
export function parseOutParams(params: Json, source: ResourceSource, src: string, promoting: boolean): OutParams {
  // every value is read (and bounded) first, as git-resource reads them all with jq before any check
  const text = (key: string, max: number): string | null => optionalString(params, key, 'params', max);
  const [repository, tag, tagPrefix, annotate, notes] = [text('repository', PATH_MAX_BYTES), text('tag', PATH_MAX_BYTES), text('tag_prefix', NAME_MAX_BYTES), text('annotate', PATH_MAX_BYTES), text('notes', PATH_MAX_BYTES)];
  const branchOverride = parseBranch(params, 'branch', 'params');
  const flag = (key: string): boolean => flexibleBoolean(params, key, 'params');
  const [onlyTag, rebase, merge, force, debug] = [flag('only_tag'), flag('rebase'), flag('merge'), flag('force'), flag('debug')];
  const branch = branchOverride ?? source.branch;
  const rebaseStrategy = parseRebaseStrategy(text('rebase_strategy', NAME_MAX_BYTES));
  const rebaseStrategyOptions = parseStrategyOptions(params['rebase_strategy_option']);
  const returning = parseReturning(text('returning', NAME_MAX_BYTES));
  const refsPrefix = parseRefsPrefix(text('refs_prefix', NAME_MAX_BYTES), branch);
  const pushOptions = parsePushOptions(params['push_options']);
  if (!branch && !onlyTag && !promoting) throw new UsageError('invalid payload (missing branch): set source.branch or params.branch (or params.only_tag)');
  if (!repository) throw new UsageError('invalid payload (missing repository): params.repository is required');
  if (rebase && merge) throw new UsageError('invalid push strategy (either merge or rebase can be set, but not both)');
  // the commits a rebase or merge creates are checked alone against the source's keys, and with policy guix there are none
  if ((rebase || merge) && source.range.inRepository) throw new UsageError(`params.rebase and params.merge are not supported with source.policy ${source.range.inRepository.kind}: push commits the repository's policy authorizes as they are`);
  if (promoting && (tag || branchOverride || annotate)) throw new UsageError('params.promote and params.bump go without params.tag, params.branch and params.annotate');
  if (annotate && !tag) throw new UsageError('params.annotate needs params.tag');
  return {
    repository,
    branch,
    branchOverride,
    tagFile: existingFile(src, tag, 'tag'),
    tagPrefix: tagPrefix ?? '',
    annotateFile: existingFile(src, annotate, 'annotation'),
    notesFile: existingFile(resolve(src, repository, '..'), notes, 'notes'),
    onlyTag,
    force,
    strategy: rebase ? 'rebase' : merge ? 'merge' : 'push',
    rebaseStrategy,
    rebaseStrategyOptions,
    returning,
    refsPrefix,
    pushOptions,
    debug,
  };
}

/** A file param as an absolute path under `base`, which must name a file (git-resource: "tag file 'F' does not exist"). */
function existingFile(base: string, file: string | null, what: string): string | null {
  if (!file) return null;
  const path = resolve(base, file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${what} file ${shownValue(file)} does not exist`);
  return path;
}

/** `--strategy=S`: git runs `git-merge-S`, so only a name made of what strategy names are made of. */
function parseRebaseStrategy(value: string | null): string | null {
  if (!value) return null;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) throw new UsageError(`params.rebase_strategy is not a merge strategy name: ${shownValue(value)}`);
  return value;
}

/** A string of space-separated options, or a list of them (git-resource's two forms). */
function parseStrategyOptions(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : null;
  if (list === null) throw new UsageError('params.rebase_strategy_option must be a string or a list of strings');
  const options = list.filter((item) => item !== '');
  options.forEach((item, index) => {
    checkStringValue(item, `params.rebase_strategy_option[${index}]`, OPTION_MAX_BYTES);
    if (/[\n\r]/.test(item)) throw new UsageError('params.rebase_strategy_option must not contain a line break');
  });
  return options;
}

function parseReturning(value: string | null): OutParams['returning'] {
  if (value === null || value === '' || value === 'merged') return 'merged';
  if (value === 'unmerged') return value;
  throw new UsageError(`params.returning must be "merged" or "unmerged", not ${shownValue(value)}`);
}

/** `refs/heads` by default; any other prefix must make `PREFIX/BRANCH` a ref name under `refs/` (Gerrit's `refs/for`). */
function parseRefsPrefix(value: string | null, branch: string | null): string {
  if (!value) return 'refs/heads';
  const prefix = value.replace(/\/+$/, '');
  const problem = branchNameProblem(`${prefix}/${branch ?? 'x'}`);
  if (!prefix.startsWith('refs/') || problem !== null) throw new UsageError(`params.refs_prefix is not a ref prefix under refs/ (${problem ?? 'it does not start with refs/'}): ${shownValue(value)}`);
  return prefix;
}

/** Each becomes `--push-option=X`; git refuses a push option with a line break. */
function parsePushOptions(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new UsageError('params.push_options must be a list of strings');
  const options = value as string[];
  options.forEach((item, index) => {
    checkStringValue(item, `params.push_options[${index}]`, OPTION_MAX_BYTES);
    if (/[\n\r]/.test(item)) throw new UsageError(`params.push_options[${index}] must not contain a line break`);
  });
  return options;
}
