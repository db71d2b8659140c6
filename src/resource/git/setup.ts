import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyConfigError, UsageError } from '../../core/errors.js';
import { writeFileAtomically } from '../../files/atomic-file.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../../files/temp-dirs.js';
import { runGit } from '../../git/run-git.js';
import { runProgram } from '../../process/run-program.js';
import type { Log, ResourceDeps } from '../protocol/types.js';
import type { ResourceSource } from './source.js';

/** git-resource's message when a key is encrypted and no passphrase is given (its askpass.sh). */
export const PASSPHRASE_MISSING = 'Private key has a passphrase but private_key_passphrase has not been set.';

/** The first line of an ssh config siggate wrote: only such a file is ever rewritten. */
const SSH_CONFIG_MARK = '# written by siggate (Concourse resource); rewritten on every request with a private_key';

/**
 * What git-resource's common.sh does before anything else, in its order, for every request: unlock the
 * private key (even when the uri is not ssh: a wrong passphrase is a configuration error whatever the
 * remote), write `~/.ssh/config`, apply `git_config`. Returns the source with the key unlocked; the key
 * is never written anywhere but a 0600 file in a 0700 temp dir that exists for the unlocking only.
 *
 * `deps.home` and `deps.globalGitConfig` are where the scripts may write (`~/.ssh/config`, the global git
 * config); without them (a library caller, a test) nothing outside the run's temp dirs is written.
 */
export async function prepareSource(source: ResourceSource, deps: ResourceDeps, log: Log): Promise<ResourceSource> {
  if (source.debug) log('debug mode enabled (git tracing stays off: it would print credentials)');
  const privateKey = source.privateKey ? await unlockKey(source.privateKey, source.privateKeyPassphrase, 'source.private_key') : null;
  if (deps.home && source.privateKey) await writeSshConfig(deps.home, source, log);
  if (deps.globalGitConfig && source.gitConfig.length > 0) await applyGitConfig(deps.globalGitConfig, source.gitConfig);
  return { ...source, privateKey, privateKeyPassphrase: null };
}

/** `git config --file FILE NAME VALUE` for each entry, in order (git-resource: `git config --global`). */
export async function applyGitConfig(file: string, entries: readonly { name: string; value: string }[], cwd = tmpdir()): Promise<void> {
  for (const { name, value } of entries) {
    const result = await runGit(['config', '--file', file, '--', name, value], cwd);
    if (result.code !== 0) throw new UsageError(`source.git_config: git refused ${name}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  }
}

/**
 * An ssh private key without its passphrase: `ssh-keygen -y` tells an unencrypted key (returned as it is)
 * from an encrypted one, which `ssh-keygen -p` decrypts with the passphrase given.
 */
export async function unlockKey(key: string, passphrase: string | null, where: string): Promise<string> {
  if (!/PRIVATE KEY-----/.test(key)) throw new KeyConfigError(`${where} is not a private key (no "PRIVATE KEY" armor)`);
  const dir = await makeOwnedTempDir(tmpdir(), 'siggate-key-', { staleAfterMs: 60_000 });
  try {
    const file = join(dir, 'key');
    await writeFile(file, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
    const plain = await sshKeygen(['-y', '-P', '', '-f', file]);
    if (plain.ok) return key;
    if (!/passphrase/i.test(plain.stderr)) throw new KeyConfigError(`${where} is not a private key ssh can read: ${firstLine(plain.stderr)}`);
    if (!passphrase) throw new KeyConfigError(PASSPHRASE_MISSING);
    const unlocked = await sshKeygen(['-p', '-P', passphrase, '-N', '', '-f', file]);
    if (!unlocked.ok) throw new KeyConfigError(`${where}: private_key_passphrase does not unlock the key (${firstLine(unlocked.stderr)})`);
    return await readFile(file, 'utf8');
  } finally {
    await removeOwnedTempDir(dir);
  }
}

async function sshKeygen(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  // no askpass, no terminal: ssh-keygen must never wait for a passphrase typed by no one
  const result = await runProgram('ssh-keygen', args, { env: { ...process.env, SSH_ASKPASS: '', DISPLAY: '' }, timeoutMs: 30_000 });
  return { ok: result.code === 0, stderr: result.stderr };
}

const firstLine = (text: string): string => text.trim().split('\n')[0] || 'no message';

/**
 * `~/.ssh/config` as git-resource writes it — `LogLevel quiet`, a `Host`/`Port` block for an
 * `ssh://host:port` uri, `User`, `ForwardAgent` — except `StrictHostKeyChecking no`: siggate's ssh runs
 * with its own host-key policy on the command line. A config siggate did not write is left alone.
 */
async function writeSshConfig(home: string, source: ResourceSource, log: Log): Promise<void> {
  const dir = join(home, '.ssh');
  const file = join(dir, 'config');
  if (existsSync(file) && !(await readFile(file, 'utf8')).startsWith(SSH_CONFIG_MARK)) {
    log(`${file} was not written by siggate: leaving it as it is (private_key_user, forward_agent go on ssh's command line)`);
    return;
  }
  const lines = [SSH_CONFIG_MARK, 'LogLevel quiet'];
  const port = /^ssh:\/\/([^@]+@)?([^:/]+):([0-9]+)/.exec(source.uri);
  if (port) lines.push('', `Host ${port[2]}`, `  Port ${port[3]}`);
  if (source.privateKeyUser) lines.push(`User ${source.privateKeyUser}`);
  if (source.forwardAgent) lines.push('ForwardAgent yes');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomically(file, Buffer.from(`${lines.join('\n')}\n`));
}
