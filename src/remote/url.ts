import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { redactUrl } from './redact.js';

/** `http`: HTTP(S), where siggate hands credentials to git; `ssh`: ssh and scp-like; `other`: git://, file:// and paths. */
export type TransportKind = 'http' | 'ssh' | 'other';

/** Credentials for HTTP(S) remotes. A token is sent as the password of basic auth (GitHub, GitLab, Gitea accept that). */
export interface RemoteAuth {
  username?: string;
  password?: string;
  token?: string;
}

/** A remote with its credentials split off: `url` is safe to print and to store. */
export interface Remote {
  kind: TransportKind;
  url: string;
  auth: RemoteAuth;
}

const SCP_LIKE = /^[^/\s:@]+@[^/\s:]+:/;

/** Classify a remote and move any `user:password@` out of an HTTP(S) URL into `auth`. */
export function parseRemote(raw: string, auth: RemoteAuth = {}): Remote {
  if (raw.trim() === '') throw new UsageError('the remote URL is empty');
  // A remote starting with '-' would be read by git as an option
  if (raw.startsWith('-')) throw new UsageError('the remote URL must not start with "-"');
  if (/^https?:\/\//i.test(raw)) return parseHttpRemote(raw, auth);
  if (/^(ssh|git\+ssh|ssh\+git):\/\//i.test(raw) || SCP_LIKE.test(raw)) return { kind: 'ssh', url: raw, auth: {} };
  if (/^(git|file):\/\//i.test(raw)) return { kind: 'other', url: raw, auth: {} };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) throw new UsageError(`unsupported remote URL scheme in ${redactUrl(raw)}`);
  return { kind: 'other', url: isAbsolute(raw) ? raw : resolve(raw), auth: {} };
}

function parseHttpRemote(raw: string, auth: RemoteAuth): Remote {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`invalid remote URL ${redactUrl(raw)}`);
  }
  const fromUrl: RemoteAuth = {};
  if (parsed.username) fromUrl.username = decodeURIComponent(parsed.username);
  if (parsed.password) fromUrl.password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { kind: 'http', url: parsed.toString().replace(/\/$/, ''), auth: { ...fromUrl, ...dropEmpty(auth) } };
}

function dropEmpty(auth: RemoteAuth): RemoteAuth {
  return Object.fromEntries(Object.entries(auth).filter(([, value]) => typeof value === 'string' && value !== '')) as RemoteAuth;
}

/** Replace every secret of `auth` in `text` (defence in depth for messages that quote a server or a library). */
export function scrubSecrets(text: string, auth: RemoteAuth): string {
  let result = text;
  for (const secret of [auth.password, auth.token]) {
    if (secret && secret.length >= 4) result = result.split(secret).join('***');
  }
  return result;
}
