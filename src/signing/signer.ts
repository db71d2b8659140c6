import { resolve } from 'node:path';
import { git, gitEnv, runGit } from '../git/run-git.js';
import { objectFormatOf, withScratchRepo } from '../git/scratch-repo.js';
import { SigningError, UsageError } from '../core/errors.js';
import type { SigningKeyRef } from '../core/key-source.js';
import { loadKeyFile, signDetached, type KeyFileSigner } from './key-file.js';
import { appendTagSignature, formatCommit, formatTag, insertCommitSignature, type CommitSpec, type Identity, type TagSpec } from './object-text.js';

/**
 * How siggate signs the objects it creates: through git's configured signing (`gpg.format`,
 * `user.signingkey`, gpg-agent, hardware tokens, SSH keys), or with an OpenPGP key file it unlocks itself.
 */
export type ObjectSigner =
  | { kind: 'git'; identity: Identity; config: string[]; signingKey: string | null; format: string }
  | { kind: 'key'; identity: Identity; key: KeyFileSigner };

/** The tagger of unsigned tags where git has no identity configured (a resource's container). */
export const FALLBACK_IDENTITY: Identity = { name: 'siggate', email: 'siggate@localhost' };

/** Settings git's signing depends on; copied from the user's repository into scratch repositories. */
const SIGNING_CONFIG = /^(user\.(name|email|signingkey)|gpg\.[^\s]+)$/i;

/**
 * The signer for a command run in `repoDir` (a repository, or any directory for the global configuration):
 * `--key FILE` when given, else git's configuration there. The identity is git's `user.name`/`user.email`,
 * or the key file's user ID.
 */
export async function resolveSigner(repoDir: string, keyFile: SigningKeyRef | null, now: Date = new Date(), passphrase?: string): Promise<ObjectSigner> {
  const config = await readSigningConfig(repoDir);
  const configured = config.get('user.name') && config.get('user.email') ? { name: config.get('user.name')!, email: config.get('user.email')! } : null;
  if (keyFile) {
    const key = await loadKeyFile(keyFile, now, passphrase);
    const identity = configured ?? key.identity;
    if (!identity) throw new UsageError(`set git's user.name and user.email: the key ${key.path} has no user ID with a name and an email`);
    return { kind: 'key', identity, key };
  }
  if (!configured) throw new UsageError("set git's user.name and user.email (or pass --key FILE): the signed object needs an identity");
  const format = config.get('gpg.format') ?? 'openpgp';
  const signingKey = config.get('user.signingkey');
  // git reads an SSH key path relative to its working directory, which will be a scratch repository
  if (format === 'ssh' && signingKey && !/^(key::|ssh-|ecdsa-|sk-|~|\/)/.test(signingKey)) config.set('user.signingkey', resolve(repoDir, signingKey));
  const args = [...config].flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  return { kind: 'git', identity: configured, config: args, signingKey: config.get('user.signingkey') ?? null, format };
}

/** git's `user.name` and `user.email` where `repoDir` is, or null when either is missing. */
export async function configuredIdentity(repoDir: string): Promise<Identity | null> {
  const config = await readSigningConfig(repoDir);
  const name = config.get('user.name');
  const email = config.get('user.email');
  return name && email ? { name, email } : null;
}

/** The effective values (repository, global and system) of the settings signing depends on. */
async function readSigningConfig(repoDir: string): Promise<Map<string, string>> {
  const result = await runGit(['config', '--null', '--get-regexp', '^(user|gpg)\\.'], repoDir);
  const config = new Map<string, string>();
  for (const entry of result.stdout.toString('utf8').split('\0')) {
    const split = entry.indexOf('\n');
    const name = split < 0 ? entry : entry.slice(0, split);
    if (name && SIGNING_CONFIG.test(name)) config.set(name.toLowerCase(), split < 0 ? 'true' : entry.slice(split + 1));
  }
  return config;
}

/** Describes the signer for humans: the key file's fingerprint, or git's signing key and format. */
export function describeSigner(signer: ObjectSigner): string {
  if (signer.kind === 'key') return `${signer.key.fingerprint} (${signer.key.path})`;
  return `${signer.signingKey ?? `${signer.identity.email}'s default key`} (git, ${signer.format})`;
}

/** Writes a signed commit into the repository at `repoDir` and returns its id. */
export async function createSignedCommit(repoDir: string, signer: ObjectSigner, spec: Omit<CommitSpec, 'author' | 'committer'>): Promise<string> {
  if (signer.kind === 'key') {
    const text = formatCommit({ ...spec, author: signer.identity, committer: signer.identity });
    const signature = await signDetached(signer.key, text, spec.at);
    return writeObject(repoDir, 'commit', insertCommitSignature(text, signature));
  }
  const parents = spec.parents.flatMap((p) => ['-p', p]);
  const result = await runGit([...signer.config, 'commit-tree', '-S', ...parents, '-F', '-', spec.tree], repoDir, {
    input: new TextEncoder().encode(spec.message),
    env: identityEnv(signer.identity, spec.at),
  });
  if (result.code !== 0) throw signingFailed(result.stderr);
  return result.stdout.toString('utf8').trim();
}

/** Writes a signed annotated tag object (no ref) into the repository at `repoDir` and returns its id. */
export async function createSignedTag(repoDir: string, signer: ObjectSigner, spec: Omit<TagSpec, 'tagger'>): Promise<string> {
  if (signer.kind === 'key') {
    const text = formatTag({ ...spec, tagger: signer.identity });
    return writeObject(repoDir, 'tag', appendTagSignature(text, await signDetached(signer.key, text, spec.at)));
  }
  // git has no plumbing that signs a tag object without a ref: `git tag -s` in a scratch repository
  // that borrows this one's objects makes it, and the object alone is copied back
  const text = await withScratchRepo({ borrowFrom: repoDir, objectFormat: await objectFormatOf(repoDir) }, async (scratch) => {
    const args = [...signer.config, 'tag', '--sign', '--cleanup=verbatim', '-F', '-', spec.tag, spec.object];
    const result = await runGit(args, scratch, { input: new TextEncoder().encode(spec.message), env: identityEnv(signer.identity, spec.at) });
    if (result.code !== 0) throw signingFailed(result.stderr);
    return git(['cat-file', 'tag', `refs/tags/${spec.tag}`], scratch);
  });
  return writeObject(repoDir, 'tag', text);
}

/** Writes an unsigned annotated tag object (no ref) and returns its id. */
export async function createUnsignedTag(repoDir: string, spec: Omit<TagSpec, 'tagger'>, tagger: Identity): Promise<string> {
  return writeObject(repoDir, 'tag', formatTag({ ...spec, tagger }));
}

async function writeObject(repoDir: string, type: 'commit' | 'tag', text: string): Promise<string> {
  return (await git(['hash-object', '-t', type, '-w', '--stdin'], repoDir, { input: new TextEncoder().encode(text) })).trim();
}

function identityEnv(identity: Identity, at: Date): NodeJS.ProcessEnv {
  const date = `@${Math.floor(at.getTime() / 1000)}`;
  return gitEnv({
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    GIT_COMMITTER_DATE: date,
  });
}

function signingFailed(stderr: string): SigningError {
  const detail = stderr.trim().split('\n').filter(Boolean).slice(-3).join('; ');
  return new SigningError(`git could not sign (gpg.format, user.signingkey, gpg-agent): ${detail || 'no message'}`);
}
