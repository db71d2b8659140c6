import { UsageError } from '../../core/errors.js';
import { checkStringValue, flexibleBoolean, isObject, KEY_MAX_BYTES, optionalString } from '../protocol/json.js';

/** `commit_filter`: git `--grep` patterns (POSIX basic regular expressions) a version's message must or must not match. */
export interface CommitFilter {
  include: string[];
  exclude: string[];
  includeAllMatch: boolean;
  excludeAllMatch: boolean;
}

/** One `git_config` entry, applied with `git config --global` (and locally in `in`'s checkout). */
export interface GitConfigEntry {
  name: string;
  value: string;
}

/** `https_tunnel`: an HTTP proxy ssh goes through (proxytunnel). */
export interface HttpsTunnel {
  host: string;
  port: string;
  user: string | null;
  password: string | null;
}

/** `submodule_credentials`: HTTPS credentials per host, or an SSH key per submodule URL. */
export type SubmoduleCredential =
  | { kind: 'https'; host: string; username: string; password: string }
  | { kind: 'ssh'; url: string; privateKey: string; privateKeyPassphrase: string | null };

const FILTER_KEYS = new Set(['include', 'exclude', 'include_all_match', 'exclude_all_match']);

export function parseCommitFilter(raw: unknown): CommitFilter {
  const none: CommitFilter = { include: [], exclude: [], includeAllMatch: false, excludeAllMatch: false };
  if (raw === undefined || raw === null) return none;
  if (!isObject(raw)) throw new UsageError('invalid commit filter (expected an object with include and exclude)');
  for (const key of Object.keys(raw)) if (!FILTER_KEYS.has(key)) throw new UsageError(`unknown key "${key}" in source.commit_filter`);
  const patterns = (key: 'include' | 'exclude'): string[] => {
    const value = raw[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new UsageError(`invalid commit filter (expected array of strings): source.commit_filter.${key}`);
    }
    value.forEach((item, index) => checkStringValue(item, `source.commit_filter.${key}[${index}]`, 4096));
    return value as string[];
  };
  return {
    include: patterns('include'),
    exclude: patterns('exclude'),
    includeAllMatch: flexibleBoolean(raw, 'include_all_match', 'source.commit_filter'),
    excludeAllMatch: flexibleBoolean(raw, 'exclude_all_match', 'source.commit_filter'),
  };
}

export function parseGitConfig(raw: unknown): GitConfigEntry[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new UsageError('source.git_config must be a list of {name, value}');
  return raw.map((entry, index) => {
    const where = `source.git_config[${index}]`;
    if (!isObject(entry)) throw new UsageError(`${where} must be an object {name, value}`);
    const name = optionalString(entry, 'name', where, 1024);
    const value = entry['value'] === undefined || entry['value'] === null ? '' : String(entry['value']);
    checkStringValue(value, `${where}.value`, 64 * 1024);
    // a name git would take for an option, or that holds a newline, never reaches `git config`
    if (!name || !/^[A-Za-z][A-Za-z0-9-]*(\.[^\n\0]+)?\.[A-Za-z][A-Za-z0-9-]*$/.test(name)) throw new UsageError(`${where}.name must be a git configuration key (section.name)`);
    return { name, value };
  });
}

export function parseHttpsTunnel(raw: unknown): HttpsTunnel | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new UsageError('source.https_tunnel must be an object {proxy_host, proxy_port, proxy_user, proxy_password}');
  const host = optionalString(raw, 'proxy_host', 'source.https_tunnel', 1024);
  const port = raw['proxy_port'] === undefined || raw['proxy_port'] === null ? null : String(raw['proxy_port']);
  if (!host || !port || !/^\d{1,5}$/.test(port)) throw new UsageError('source.https_tunnel needs proxy_host and a numeric proxy_port');
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new UsageError('source.https_tunnel.proxy_host must be a host name or address');
  return { host, port, user: optionalString(raw, 'proxy_user', 'source.https_tunnel', 1024), password: optionalString(raw, 'proxy_password', 'source.https_tunnel', 16 * 1024) };
}

export function parseSubmoduleCredentials(raw: unknown): SubmoduleCredential[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new UsageError('source.submodule_credentials must be a list');
  return raw.flatMap((entry, index): SubmoduleCredential[] => {
    const where = `source.submodule_credentials[${index}]`;
    if (!isObject(entry)) throw new UsageError(`${where} must be an object`);
    const privateKey = optionalString(entry, 'private_key', where, KEY_MAX_BYTES);
    if (privateKey) {
      const url = optionalString(entry, 'url', where, 8192);
      if (!url) throw new UsageError(`${where} has a private_key but no url`);
      return [{ kind: 'ssh', url, privateKey, privateKeyPassphrase: optionalString(entry, 'private_key_passphrase', where, 16 * 1024) }];
    }
    const host = optionalString(entry, 'host', where, 1024);
    const username = optionalString(entry, 'username', where, 1024);
    const password = optionalString(entry, 'password', where, 16 * 1024);
    // git-resource skips an entry with an empty field; so does siggate
    return host && username && password ? [{ kind: 'https', host, username, password }] : [];
  });
}
