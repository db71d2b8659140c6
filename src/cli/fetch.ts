import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { FetchOptions } from '../commands/fetch.js';
import type { RemoteAuth } from '../remote/url.js';
import { formatRangeReport, LONG_RANGE } from './format.js';
import { finish } from './output.js';
import { addPolicyOptions, addRangeOptions, policyOptionsOf, rangeOptionsOf, type PolicyFlags, type RangeFlags } from './options.js';
import { createProgress } from './progress.js';

interface FetchFlags extends PolicyFlags, RangeFlags {
  into: string;
  ref?: string;
  username?: string;
  passwordEnv?: string;
  tokenEnv?: string;
  sshKey?: string;
  quarantine?: string;
  verbose?: boolean;
  force?: boolean;
}

/** Registers `siggate fetch URL --into DIR`: quarantined fetch, verify, and only then check out. */
export function addFetchCommand(program: Command): void {
  const fetch = program
    .command('fetch')
    .description('fetch a ref into a quarantine, verify it, and only then create or update the checkout in DIR')
    .argument('<url>', 'https://, http://, ssh://, git@host:path, file:// or a local path')
    .requiredOption('--into <dir>', 'destination checkout (created, or updated when it is one)')
    .option('--ref <ref>', "branch, refs/..., tag or full commit id (default: the remote's HEAD branch)");
  addRangeOptions(addPolicyOptions(fetch))
    .option('--username <user>', 'HTTP(S) user name (default: $SIGGATE_GIT_USERNAME)')
    .option('--password-env <var>', 'environment variable holding the HTTP(S) password (default: SIGGATE_GIT_PASSWORD)')
    .option('--token-env <var>', 'environment variable holding the HTTP(S) token (default: SIGGATE_GIT_TOKEN)')
    .option('--ssh-key <file>', 'SSH private key file for ssh remotes (default: the key in $SIGGATE_GIT_SSH_KEY, if set)')
    .option('--quarantine <dir>', 'bare cache repository reused across runs (default: a temporary one)')
    .option('--verbose', `a row for every commit, however long the range (default past ${LONG_RANGE}: the failures and a summary)`)
    .option('--force', 'update DIR even if that discards local commits, changes or untracked files in the way, or DIR has another origin')
    .action(async (url: string, flags: FetchFlags) => {
      const { fetchVerified } = await import('../commands/fetch.js');
      const progress = createProgress(process.stderr);
      const options: FetchOptions = {
        ...(await fetchOptionsOf(url, flags)),
        ...(progress.enabled ? { onProgress: (done: number, total: number | null) => progress.update(done, total) } : {}),
      };
      const result = await fetchVerified(options);
      progress.end();
      const where = result.report.ok ? `checked out ${result.commit.slice(0, 12)} in ${flags.into}${result.updated ? '' : ' (unchanged)'}\n` : `${flags.into} left unchanged\n`;
      await finish(
        { ok: result.report.ok, json: { ...result.report, destination: { path: flags.into, updated: result.updated } }, human: () => formatRangeReport(result.report, { verbose: flags.verbose ?? false }) + where },
        flags.json ?? false,
      );
    });
}

async function fetchOptionsOf(url: string, flags: FetchFlags): Promise<FetchOptions> {
  const sshPrivateKey = await readSshKey(flags.sshKey);
  return {
    ...policyOptionsOf(flags),
    ...rangeOptionsOf(flags),
    url,
    into: flags.into,
    ...(flags.ref !== undefined ? { ref: flags.ref } : {}),
    auth: credentialsOf(flags),
    ...(sshPrivateKey !== undefined ? { sshPrivateKey } : {}),
    ...(flags.quarantine !== undefined ? { quarantine: flags.quarantine } : {}),
    ...(flags.force ? { force: true } : {}),
  };
}

/** Secrets come from the environment only, never from the command line (it shows in `ps`). */
function credentialsOf(flags: FetchFlags): RemoteAuth {
  const auth: RemoteAuth = {};
  const username = flags.username ?? process.env['SIGGATE_GIT_USERNAME'];
  const password = secretFrom(flags.passwordEnv, 'SIGGATE_GIT_PASSWORD');
  const token = secretFrom(flags.tokenEnv, 'SIGGATE_GIT_TOKEN');
  if (username) auth.username = username;
  if (password) auth.password = password;
  if (token) auth.token = token;
  return auth;
}

function secretFrom(variable: string | undefined, fallback: string): string | undefined {
  const value = process.env[variable ?? fallback];
  if (variable !== undefined && !value) throw new UsageError(`environment variable ${variable} is not set`);
  return value || undefined;
}

async function readSshKey(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return process.env['SIGGATE_GIT_SSH_KEY'] || undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the SSH key ${file}: ${(error as Error).message}`, { cause: error });
  }
}
