import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteError } from '../errors.js';
import { redact } from '../git/redact.js';
import { gitEnv, runGit } from '../git/run-git.js';

export { redact } from '../git/redact.js';
import type { ResourceSource } from './source.js';

/** How git reaches the source's remote: an environment carrying the credentials, and the strings to redact. */
export interface RemoteAccess {
  readonly uri: string;
  readonly env: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
  dispose(): Promise<void>;
}

/**
 * Credentials travel in the child's environment only: HTTP basic auth as an `http.extraHeader` through
 * `GIT_CONFIG_KEY_n` (never on a command line, never in a file), an SSH key in a 0600 file in a 0700 temp
 * dir (ssh needs a file) removed by `dispose`.
 */
export async function openRemoteAccess(source: ResourceSource): Promise<RemoteAccess> {
  const env = gitEnv();
  for (const name of Object.keys(env)) {
    // A trace variable would print the Authorization header.
    if (name.startsWith('GIT_TRACE') || name === 'GIT_CURL_VERBOSE') delete env[name];
  }
  const secrets = uriSecrets(source.uri);
  if (source.username !== null || source.password !== null) {
    const basic = Buffer.from(`${source.username ?? ''}:${source.password ?? ''}`).toString('base64');
    addConfig(env, 'http.extraHeader', `Authorization: Basic ${basic}`);
    secrets.push(basic);
    if (source.password) secrets.push(source.password);
  }
  let keyDir: string | null = null;
  if (source.privateKey) {
    keyDir = await mkdtemp(join(tmpdir(), 'siggate-resource-ssh-'));
    const keyFile = join(keyDir, 'id');
    const key = source.privateKey.endsWith('\n') ? source.privateKey : `${source.privateKey}\n`;
    await writeFile(keyFile, key, { mode: 0o600 });
    env['GIT_SSH_COMMAND'] =
      `ssh -i '${keyFile}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null`;
  }
  const dir = keyDir;
  return {
    uri: source.uri,
    env,
    secrets: secrets.filter((s) => s.length >= 3),
    dispose: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Run git against the remote; a failure is a RemoteError (exit 3) whose message has every secret replaced. */
export async function runRemoteGit(access: RemoteAccess, args: readonly string[], cwd: string): Promise<string> {
  const result = await runGit(args, cwd, { env: access.env });
  if (result.code !== 0) {
    const stderr = redact(result.stderr.trim(), access.secrets);
    const shown = args.map((arg) => redact(arg, access.secrets));
    throw new RemoteError(`git ${shown.join(' ')} failed: ${stderr}`);
  }
  return result.stdout.toString('utf8');
}

function uriSecrets(uri: string): string[] {
  try {
    const url = new URL(uri);
    const found = [url.password, decodeURIComponent(url.password)];
    if (url.password) found.push(`${url.username}:${url.password}`);
    return found.filter((s) => s !== '');
  } catch {
    return [];
  }
}

function addConfig(env: NodeJS.ProcessEnv, key: string, value: string): void {
  const count = Number.parseInt(env['GIT_CONFIG_COUNT'] ?? '0', 10) || 0;
  env[`GIT_CONFIG_KEY_${count}`] = key;
  env[`GIT_CONFIG_VALUE_${count}`] = value;
  env['GIT_CONFIG_COUNT'] = String(count + 1);
}
