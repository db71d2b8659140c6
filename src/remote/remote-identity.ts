import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * One spelling for the spellings of a remote that name the same repository, to tell whether a checkout's
 * `remote.origin.url` is the URL a fetch is given. What counts as the same (README, "siggate fetch"):
 * - credentials never count (`https://user:token@host/x` is `https://host/x`), nor does an ssh password;
 * - scheme and host are compared case-insensitively, a default port is no port;
 * - a trailing `/` or `.git` (`/x.git/`, `/x/.git`) and repeated slashes do not count;
 * - `git@host:org/x` is `ssh://git@host/org/x` (and `ssh://host/~/x` is `host:x`); `git+ssh://` is `ssh://`;
 * - a local path is `file://` of its real path, relative paths resolved from `base`.
 * Everything else counts: another scheme (https against ssh), host, port, ssh user or path is another remote.
 */
export function remoteIdentity(raw: string, base: string): string {
  const text = raw.trim();
  if (/^(https?|git):\/\//i.test(text)) return urlIdentity(text);
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(text)) return sshUrlIdentity(text);
  const scp = /^(?:([^/\s:@]+)@)?([^/\s:@]+):(?!\/\/)(.*)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return sshIdentity(scp[1] ?? '', scp[2]!, '', scp[3]!);
  if (/^file:\/\//i.test(text)) return localIdentity(decodeURIComponent(text.replace(/^file:\/\/(localhost)?/i, '')), base);
  return localIdentity(text, base);
}

/** Whether two spellings name the same remote ({@link remoteIdentity}); a relative path in `a` is relative to `aBase`. */
export function isSameRemote(a: string, aBase: string, b: string, bBase: string): boolean {
  return remoteIdentity(a, aBase) === remoteIdentity(b, bBase);
}

const DEFAULT_PORTS: Record<string, string> = { 'git:': '9418', 'ssh:': '22' };

function urlIdentity(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  const port = url.port && url.port !== DEFAULT_PORTS[url.protocol] ? `:${url.port}` : '';
  return `${url.protocol}//${url.hostname}${port}/${trimPath(url.pathname)}${url.search}`;
}

function sshUrlIdentity(text: string): string {
  let url: URL;
  try {
    url = new URL(text.replace(/^(git\+ssh|ssh\+git):/i, 'ssh:'));
  } catch {
    return text;
  }
  return sshIdentity(decodeURIComponent(url.username), url.hostname, url.port, decodeURIComponent(url.pathname));
}

function sshIdentity(user: string, host: string, port: string, path: string): string {
  const shownPort = port && port !== '22' ? `:${port}` : '';
  return `ssh://${user ? `${user}@` : ''}${host.toLowerCase()}${shownPort}/${trimPath(path)}`;
}

function localIdentity(path: string, base: string): string {
  const absolute = resolve(base, path);
  let real = absolute;
  try {
    real = realpathSync(absolute);
  } catch {
    // a remote that is not there (yet) is compared by its path
  }
  return `file:///${trimPath(real)}`;
}

/** A path without leading `/` or `~/`, repeated or trailing slashes, or a trailing `.git`. */
function trimPath(path: string): string {
  let trimmed = path.replace(/\/{2,}/g, '/').replace(/^\/+/, '').replace(/^~\//, '').replace(/\/+$/, '');
  trimmed = trimmed.replace(/\.git$/, '').replace(/\/+$/, '');
  return trimmed;
}
