import { writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError, UsageError } from '../core/errors.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../files/temp-dirs.js';
import { gitEnv, runGit, type GitResult } from '../git/run-git.js';
import { redact, redactUrl } from './redact.js';
import { parseRemote, type RemoteAuth, type TransportKind } from './url.js';

/** How to reach one remote: its URL (credentials in it are taken out), credentials, an SSH key. */
export interface RemoteSpec {
  url: string;
  auth?: RemoteAuth;
  /** An SSH private key (its text): used alone (IdentitiesOnly), from a 0600 file that exists for the run. */
  sshKey?: string | null;
  /** Where host keys accepted on first contact are remembered when siggate holds the SSH key. Default `~/.ssh/known_hosts`. */
  knownHostsFile?: string | null;
  /** Do not verify the HTTPS server's certificate (`http.sslVerify=false`): the user's explicit choice. */
  skipSslVerification?: boolean;
  /** More ssh `-o` options (`User=…`, `ForwardAgent=yes`, `ProxyCommand=…`), each one word. */
  sshOptions?: readonly string[];
  /** Extra environment for ssh's helpers (a proxy's credentials); never on a command line. */
  sshEnv?: Readonly<Record<string, string>>;
}

/**
 * An open way to a remote. Credentials live only in the environment of the git processes it runs:
 * HTTP basic auth as an `http.extraHeader` through `GIT_CONFIG_KEY_n` (never on a command line, never in
 * a file), an SSH key in a 0600 file of a 0700 temp dir removed by `dispose`.
 */
export interface RemoteAccess {
  readonly kind: TransportKind;
  /** The URL git is given (credentials removed). */
  readonly url: string;
  /** The URL for messages. */
  readonly shown: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
  redact(text: string): string;
  /** Run git in `cwd` with this access; a failure to start is a GitError, a non-zero exit is returned. */
  git(args: readonly string[], cwd: string): Promise<GitResult>;
  dispose(): Promise<void>;
}

/**
 * Host keys (one policy, documented in the README): when siggate holds the SSH key, ssh runs with
 * `StrictHostKeyChecking=accept-new` — a host seen before must show the same key, a new one is remembered
 * in `knownHostsFile` — and `BatchMode=yes`. Without a key of siggate's, ssh runs with the user's own
 * configuration, also in batch mode: nothing ever prompts.
 */
const SSH_OPTIONS = ['-o BatchMode=yes', '-o ConnectTimeout=30', '-o ServerAliveInterval=15', '-o ServerAliveCountMax=8'];

/** A transfer slower than this for this long is a dead remote (git's own low-speed limit). */
const LOW_SPEED = { GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '60' };

/** Open the way to a remote; `dispose` it when done. */
export async function openRemote(spec: RemoteSpec): Promise<RemoteAccess> {
  const remote = parseRemote(spec.url, spec.auth ?? {});
  const env = gitEnv(LOW_SPEED);
  // a trace variable would print the Authorization header
  for (const name of Object.keys(env)) if (name.startsWith('GIT_TRACE') || name === 'GIT_CURL_VERBOSE') delete env[name];
  const secrets = [remote.auth.password, remote.auth.token].filter((s): s is string => typeof s === 'string' && s.length >= 3);
  if (remote.kind === 'http') {
    const basic = basicCredentials(remote.auth);
    if (basic) {
      addConfig(env, 'http.extraHeader', `Authorization: Basic ${basic}`);
      secrets.push(basic);
    }
    if (spec.skipSslVerification) addConfig(env, 'http.sslVerify', 'false');
  } else if (spec.sshKey || remote.kind === 'ssh') {
    env['GIT_SSH_COMMAND'] = ['ssh', ...SSH_OPTIONS, ...extraSshOptions(spec)].join(' ');
  }
  Object.assign(env, spec.sshEnv ?? {});
  let keyDir: string | null = null;
  if (spec.sshKey) {
    if (!/PRIVATE KEY/.test(spec.sshKey)) throw new UsageError('the SSH private key does not look like a private key');
    // a killed run's key must not stay on disk for long: its directory goes a minute after its owner
    keyDir = await makeOwnedTempDir(tmpdir(), 'siggate-ssh-', { staleAfterMs: 60_000 });
    const keyFile = join(keyDir, 'id');
    await writeFile(keyFile, spec.sshKey.endsWith('\n') ? spec.sshKey : `${spec.sshKey}\n`, { mode: 0o600 });
    const knownHosts = spec.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
    // git runs GIT_SSH_COMMAND through a shell: quote the paths; temp dir names hold no quote
    env['GIT_SSH_COMMAND'] = ['ssh', `-i ${shellQuote(keyFile)}`, '-o IdentitiesOnly=yes', '-o StrictHostKeyChecking=accept-new', `-o UserKnownHostsFile=${shellQuote(knownHosts)}`, ...SSH_OPTIONS, ...extraSshOptions(spec)].join(' ');
  }
  const dir = keyDir;
  const hide = (text: string): string => redact(text, secrets);
  return {
    kind: remote.kind,
    url: remote.url,
    shown: redactUrl(remote.url),
    env,
    secrets,
    redact: hide,
    git: (args, cwd) => runGit(args, cwd, { env }),
    dispose: async () => {
      if (dir) await removeOwnedTempDir(dir);
    },
  };
}

/** Run `body` with an open remote, disposed afterwards whatever happens. */
export async function withRemote<T>(spec: RemoteSpec, body: (remote: RemoteAccess) => Promise<T>): Promise<T> {
  const remote = await openRemote(spec);
  try {
    return await body(remote);
  } finally {
    await remote.dispose();
  }
}

/** A failed git against the remote as a RemoteError (exit 3) whose message has every secret replaced. */
export function remoteFailure(remote: RemoteAccess, what: string, stderr: string): RemoteError {
  const detail = stderr.split('\n').map((line) => line.trim()).filter(Boolean).slice(0, 2).join(' ');
  return new RemoteError(remote.redact(`${what} ${remote.shown} failed: ${detail || 'no message'}`));
}

/** Basic auth; a token is the password (with `x-access-token` as the user unless one is given). */
function basicCredentials(auth: RemoteAuth): string | null {
  if (auth.token) return Buffer.from(`${auth.username ?? 'x-access-token'}:${auth.token}`).toString('base64');
  if (auth.username === undefined && auth.password === undefined) return null;
  return Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
}

function addConfig(env: NodeJS.ProcessEnv, key: string, value: string): void {
  const count = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
  env[`GIT_CONFIG_KEY_${count}`] = key;
  env[`GIT_CONFIG_VALUE_${count}`] = value;
  env['GIT_CONFIG_COUNT'] = String(count + 1);
}

/** The caller's `-o` options, each quoted as one word for the shell git runs GIT_SSH_COMMAND with. */
function extraSshOptions(spec: RemoteSpec): string[] {
  return (spec.sshOptions ?? []).map((option) => `-o ${shellQuote(option)}`);
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
