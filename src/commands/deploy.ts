import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { checkBranchName, checkProjectName, parseDeployEntry, RegisterError, type DeployEntry } from '../core/deploy-entry.js';
import type { KeyRef } from '../core/key-source.js';
import type { RangeReport } from '../core/report.js';
import { DeployCommandError } from '../deploy/errors.js';
import { runDeployCommand } from '../process/run-command.js';
import type { CommandCredentials, DeployRecord, RegisterSource, SecretResolver, StateStore } from '../deploy/types.js';
import { makeOwnedTempDir, removeOwnedTempDir } from '../files/temp-dirs.js';
import { commandEnvOf, resolveEntrySecrets, type ResolvedSecrets } from './deploy-env.js';
import { fetchVerified, type FetchOptions } from './fetch.js';

export type { CommandCredentials, DeployRecord, RegisterSource, SecretResolver, StateStore } from '../deploy/types.js';

/** A role to assume for the command, as the entry (or the deployer's `aws_assume_role_*` environment) names it. */
export interface RoleRequest {
  roleArn: string;
  durationSeconds: number;
  project: string;
}

/** Options of {@link deploy}. */
export interface DeployOptions {
  project: string;
  /** Default: the entry's `branch`. */
  branch?: string;
  register: RegisterSource;
  state: StateStore;
  /** Deploy a branch that no longer contains the last deployed commit. */
  allowRewind?: boolean;
  /** How long to wait for another deploy of the project (default 10 minutes). */
  lockWaitMs?: number;
  /** Resolves `((name))` references; without it, an entry holding one is a configuration error. */
  secrets?: SecretResolver;
  /** Exchanges the deployer's credentials for the project role's (STS); required when a role is named. */
  assumeRole?: (request: RoleRequest) => Promise<CommandCredentials>;
  /** The deployer's environment: a few variables of it pass to the command, and `aws_assume_role_*`. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where the command's output goes (default: stderr). */
  commandOutput?: 'stderr' | 'inherit';
  now?: Date;
  onWarning?: (message: string) => void;
}

/** What a deploy did: the gate's report, and whether the command ran and the state moved. */
export interface DeployResult {
  project: string;
  branch: string;
  commit: string;
  /** The last deployed commit before this run (the trust root), or null. */
  previous: string | null;
  report: RangeReport;
  /** True when the gate passed, the command exited 0 and the state now names `commit`. */
  deployed: boolean;
}

const DEFAULT_LOCK_WAIT_MS = 10 * 60_000;

/**
 * `siggate deploy`: look the project up in the register (absent or malformed: exit 2, nothing fetched),
 * take the project's lock, fetch the branch into a quarantine and verify it since the last deployed commit
 * (or the entry's `trustRoot`), check out only the verified commit, run the entry's command there with the
 * branch as its first argument, and record the commit only after the command exits 0. A closed gate is
 * returned (`deployed` false, nothing checked out, nothing run); a failing command is a DeployCommandError.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const project = checkProjectName(options.project);
  const raw = await options.register.readEntry(project);
  if (raw === undefined) throw new RegisterError(`project ${project} is not in the register ${options.register.description}`);
  const entry = parseDeployEntry(raw, project);
  const branchName = options.branch ?? entry.branch;
  if (!branchName) throw new RegisterError(`no branch to deploy for ${project}: pass --branch or set the entry's branch`);
  const branch = checkBranchName(branchName);
  const env = options.env ?? process.env;
  const role = roleRequestOf(entry, env, project);
  if (role && !options.assumeRole) throw new RegisterError(`register entry ${project}: a role is named but no STS access was given`);
  const secrets = await resolveEntrySecrets(entry, project, options.secrets);
  return options.state.withLock(project, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, async () => {
    const previous = await options.state.read(project);
    const credentials = role ? await options.assumeRole!(role) : null;
    const run: LockedRun = { project, branch, entry, env, secrets, previous, credentials };
    return withWorkTree(entry.deployDir, options.register.baseDir, (into) => fetchAndRun(run, into, options));
  });
}

/** What a deploy knows once it holds the project's lock. */
interface LockedRun {
  project: string;
  branch: string;
  entry: DeployEntry;
  env: NodeJS.ProcessEnv;
  secrets: ResolvedSecrets;
  previous: DeployRecord | null;
  credentials: CommandCredentials | null;
}

/** The gate (fetchVerified: quarantine, verify, checkout), then the command, then the record. */
async function fetchAndRun(run: LockedRun, into: string, options: DeployOptions): Promise<DeployResult> {
  const { project, branch, entry, previous } = run;
  const fetched = await fetchVerified({
    url: entry.gitUrl,
    into,
    ref: `refs/heads/${branch}`,
    ...policyOptionsOf(entry, previous, options),
    allowWeak: entry.allowWeak,
    ...(run.secrets.authToken !== null ? { auth: { token: run.secrets.authToken } } : {}),
    force: true,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
  const result = { project, branch, commit: fetched.commit, previous: previous?.commit ?? null, report: fetched.report, deployed: false };
  if (!fetched.report.ok) return result;
  const env = commandEnvOf({ deployerEnv: run.env, entryEnv: run.secrets.env, project, branch, commit: fetched.commit, credentials: run.credentials });
  const exit = await runDeployCommand({ command: entry.command, args: [branch], cwd: into, env, ...(options.commandOutput ? { output: options.commandOutput } : {}) });
  if (exit.status !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited ${exit.status}`;
    throw new DeployCommandError(`the deploy command of ${project} ${how}; the deployed state stays at ${previous?.commit ?? 'nothing'}`, exit.status, exit.signal);
  }
  await options.state.write({ project, branch, commit: fetched.commit, deployedAt: (options.now ?? new Date()).toISOString() });
  return { ...result, deployed: true };
}

/**
 * The gate's range and keys. Under `keys`, the last deployed commit is the trust root. Under an in-repository
 * policy the range always starts at the introduction or sequoia-git's trust root (the rule of each commit is read from its parents, and
 * the introduction is the one anchor a state store cannot move); the last deployed commit must still be an
 * ancestor of the target — no silent rollback — which `--allow-rewind` alone waives.
 */
function policyOptionsOf(entry: DeployEntry, previous: DeployRecord | null, options: DeployOptions): Partial<FetchOptions> {
  const allowRewind = options.allowRewind ?? false;
  // once deployed, a trust root the history lost means the branch was rewritten: not-descendant, not exit 2
  const rewound = previous ? { descendsFrom: { commit: previous.commit, allowRewind }, goneRoot: { since: null } } : {};
  if (entry.policy?.kind === 'sequoia') return { policy: 'sequoia', keysFromRepository: true, since: entry.policy.trustRoot, ...rewound };
  if (entry.policy) {
    const { intro, introSigner, keyringRef } = entry.policy;
    return {
      policy: entry.policy.kind,
      keysFromRepository: true,
      since: intro,
      introSigner,
      ...(keyringRef !== null ? { keyringRef } : {}),
      ...rewound,
    };
  }
  return {
    keys: entry.keys.map((key) => keyRefIn(key, options.register.baseDir)),
    allow: entry.allow,
    ...(entry.mode ? { mode: entry.mode } : {}),
    since: previous?.commit ?? entry.trustRoot,
    goneRoot: { since: entry.trustRoot },
    allowRewind,
    ignoreExpiry: entry.ignoreExpiry,
  };
}

/** The role from the entry, else from the `aws_assume_role_arn`/`aws_assume_role_duration` environment convention. */
function roleRequestOf(entry: DeployEntry, env: NodeJS.ProcessEnv, project: string): RoleRequest | null {
  const roleArn = entry.roleArn ?? (env['aws_assume_role_arn'] || null);
  if (!roleArn) return null;
  const fromEnv = env['aws_assume_role_duration'];
  const duration = entry.roleDuration ?? (fromEnv ? Number(fromEnv) : 3600);
  if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw new RegisterError('aws_assume_role_duration must be a whole number of seconds from 900 to 43200');
  return { roleArn, durationSeconds: duration, project };
}

function keyRefIn(key: KeyRef, baseDir: string | undefined): KeyRef {
  if (typeof key !== 'string' || key.startsWith('s3://') || isAbsolute(key) || baseDir === undefined) return key;
  return join(baseDir, key);
}

/** The entry's deployDir (kept, updated in place next time), or a temporary work tree removed afterwards. */
async function withWorkTree<T>(deployDir: string | null, baseDir: string | undefined, body: (into: string) => Promise<T>): Promise<T> {
  if (deployDir !== null) return body(baseDir ? resolve(baseDir, deployDir) : resolve(deployDir));
  const dir = await makeOwnedTempDir(tmpdir(), 'siggate-deploy-');
  try {
    return await body(join(dir, 'work'));
  } finally {
    await removeOwnedTempDir(dir);
  }
}
