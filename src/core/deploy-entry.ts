/**
 * A deploy register's entry (`siggate deploy`): what one project deploys from, how it is verified, what
 * runs. Parsed from untrusted JSON (a file, an SSM parameter); every field is checked here, once.
 */
import { SiggateError } from './errors.js';
import { parseDeployPolicy, type DeployPolicy } from './deploy-policy.js';
import type { KeyRef } from './key-source.js';
import type { RangeMode } from './report.js';

/** Exit 2: the register cannot be read, has no entry for the project, or the entry is malformed. */
export class RegisterError extends SiggateError {
  static override readonly code = 'REGISTER';
}

/** A register entry, checked, with defaults applied where the issue names them. */
export interface DeployEntry {
  gitUrl: string;
  /** The branch deployed when none is asked for. */
  branch: string | null;
  /** argv (a string is one program); with `shell`, a single shell script text. */
  command: { argv: readonly string[]; shell: boolean };
  deployDir: string | null;
  keys: readonly KeyRef[];
  allow: readonly string[];
  mode: RangeMode | null;
  /** The first trust root, before anything was deployed: a full commit id or a signed tag. */
  trustRoot: string | null;
  /** An in-repository policy (keys and allow list from the repository); null: `keys` and `allow`. */
  policy: DeployPolicy | null;
  ignoreExpiry: boolean;
  allowWeak: boolean;
  /** A secret reference (`((name))`) or a literal token, for HTTPS git. */
  authToken: string | null;
  roleArn: string | null;
  roleDuration: number | null;
  /** Environment for the command; values may hold `((name))` references. */
  env: Readonly<Record<string, string>>;
  /** Environment name → secret reference (`((name))`). */
  secrets: Readonly<Record<string, string>>;
}

const FIELDS = new Set(['gitUrl', 'branch', 'command', 'shell', 'deployDir', 'keys', 'allow', 'mode', 'trustRoot', 'policy', 'ignoreExpiry', 'allowWeak', 'authToken', 'roleArn', 'roleDuration', 'env', 'secrets']);
const MODES: readonly RangeMode[] = ['tip', 'first-parent', 'all'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names the deployer sets itself: an entry must not replace the branch, the project or the role's credentials. */
const RESERVED_ENV = /^(AWS_|PROJECTNAME$|GITBRANCH$|SIGGATE_DEPLOY_)/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const BRANCH_NAME = /^(?!-)(?!.*\.\.)(?!.*@\{)(?!.*\/\/)(?!.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]{1,255}(?<![/.])$/;
/**
 * `((name))`: Concourse's credential reference. No `/` in a name: the templates put the project before it,
 * and `((other-project/db))` must not reach another project's secrets through `/siggate/{{.Secret}}`.
 */
export const SECRET_REFERENCE = /\(\(([A-Za-z0-9_+=@-][A-Za-z0-9_.+=@-]{0,255})\)\)/g;

/** A project name as a register key, a state file name and an SSM parameter's last segment: no `/`, no `..`, no leading dot. */
export function checkProjectName(project: string): string {
  if (typeof project !== 'string' || !PROJECT_NAME.test(project) || project.includes('..')) {
    throw new RegisterError(`invalid project name ${JSON.stringify(String(project))}: letters, digits, '.', '_', '-', starting with a letter or digit`);
  }
  return project;
}

/** A branch name as git accepts it for refs/heads/ (checked again by git), never an option. */
export function checkBranchName(branch: string): string {
  if (!BRANCH_NAME.test(branch)) throw new RegisterError(`invalid branch name ${JSON.stringify(branch)}`);
  return branch;
}

/** Parse and check one entry; a problem names the project and the field (exit 2). */
export function parseDeployEntry(value: unknown, project: string): DeployEntry {
  const fail = (field: string, why: string): never => {
    throw new RegisterError(`register entry ${project}: ${field} ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('(the entry)', 'must be a JSON object');
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) fail(key, 'is not a known field');
  const text = (field: string, required = false): string | null => {
    const v = raw[field];
    if (v === undefined || v === null) return required ? fail(field, 'is required') : null;
    if (typeof v !== 'string' || v === '' || v.includes('\0')) fail(field, 'must be a non-empty string');
    return v as string;
  };
  const flag = (field: string): boolean => {
    const v = raw[field] ?? false;
    if (typeof v !== 'boolean') fail(field, 'must be true or false');
    return v as boolean;
  };
  const strings = (field: string): string[] => {
    const v = raw[field] ?? [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '' && !s.includes('\0'))) fail(field, 'must be an array of non-empty strings');
    return v as string[];
  };
  const policy = parseDeployPolicy(raw['policy'], fail);
  if (policy) refuseKeyFields(raw, policy.kind, fail);
  const branch = text('branch');
  if (branch !== null && !BRANCH_NAME.test(branch)) fail('branch', 'is not a valid branch name');
  const mode = text('mode');
  if (mode !== null && !MODES.includes(mode as RangeMode)) fail('mode', `must be one of ${MODES.join(', ')}`);
  const keys = strings('keys');
  if (keys.length === 0 && !policy) fail('keys', 'is required: inline keys, allowed_signers lines, paths or s3:// prefixes');
  return {
    gitUrl: text('gitUrl', true)!,
    branch,
    command: parseCommand(raw['command'], flag('shell'), fail),
    deployDir: text('deployDir'),
    keys: keys.map((key, i) => keyRefOf(key, `register entry ${project}: keys[${i}]`)),
    allow: strings('allow'),
    mode: mode as RangeMode | null,
    trustRoot: text('trustRoot'),
    policy,
    ignoreExpiry: flag('ignoreExpiry'),
    allowWeak: flag('allowWeak'),
    authToken: checkReferences(text('authToken'), 'authToken', fail),
    roleArn: checkRoleArn(text('roleArn'), fail),
    roleDuration: checkDuration(raw['roleDuration'], fail),
    env: parseEnv(raw['env'], 'env', fail),
    secrets: parseSecrets(raw['secrets'], fail),
  };
}

type Fail = (field: string, why: string) => never;

/**
 * With an in-repository policy the allow list is the repository's: a second one (`keys`, `allow`) would be
 * unaudited, the introduction is the trust root, and every commit is checked (as `verify --policy` refuses).
 */
function refuseKeyFields(raw: Record<string, unknown>, kind: string, fail: Fail): void {
  for (const field of ['keys', 'allow', 'trustRoot', 'mode', 'ignoreExpiry']) {
    if (raw[field] !== undefined && raw[field] !== null) fail(field, `does not apply with policy ${kind}: the repository holds the keys and allow list, the introduction is the trust root, every commit is checked`);
  }
}

function parseCommand(value: unknown, shell: boolean, fail: Fail): DeployEntry['command'] {
  if (typeof value === 'string' && value !== '' && !value.includes('\0')) return { argv: [value], shell };
  if (shell) fail('command', 'must be one string (the shell script) when shell is true');
  if (Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && !s.includes('\0')) && value[0] !== '') {
    return { argv: value as string[], shell: false };
  }
  return fail('command', 'is required: a program (string) or an argv array of strings');
}

/** Inline material is told from a path by its shape: an armored block, or an allowed_signers line (principals, key type, key). */
function keyRefOf(key: string, name: string): KeyRef {
  if (key.startsWith('-----BEGIN ')) return { name, bytes: new TextEncoder().encode(key), kind: 'auto' };
  if (/^\S+\s+(?:\S+\s+)?(?:ssh-|ecdsa-|sk-)\S*\s+[A-Za-z0-9+/=]{20,}/.test(key)) return { name, bytes: new TextEncoder().encode(`${key}\n`), kind: 'allowed-signers' };
  return key;
}

function checkRoleArn(arn: string | null, fail: Fail): string | null {
  if (arn !== null && !ROLE_ARN.test(arn)) fail('roleArn', 'must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)');
  return arn;
}

/** STS accepts 900 s to 12 h. */
function checkDuration(value: unknown, fail: Fail): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 900 || value > 43_200) fail('roleDuration', 'must be a whole number of seconds from 900 to 43200');
  return value as number;
}

function parseEnv(value: unknown, field: string, fail: Fail): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail(field, 'must be an object of NAME: "value"');
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!ENV_NAME.test(name) || RESERVED_ENV.test(name)) fail(`${field}.${name}`, 'is not an environment name the entry may set');
    if (typeof v !== 'string' || v.includes('\0')) fail(`${field}.${name}`, 'must be a string');
    if (hasStrayReference(v as string)) fail(`${field}.${name}`, 'holds a ((…)) that is not a secret name (letters, digits, _ . + = @ -; no /)');
    env[name] = v as string;
  }
  return env;
}

function parseSecrets(value: unknown, fail: Fail): Record<string, string> {
  const secrets = parseEnv(value, 'secrets', fail);
  for (const [name, reference] of Object.entries(secrets)) {
    if (!new RegExp(`^${SECRET_REFERENCE.source}$`).test(reference)) fail(`secrets.${name}`, 'must be a secret reference ((name))');
  }
  return secrets;
}

/** Whether `text` holds a `((…))` that is not a well-formed reference: it would otherwise pass as literal text. */
function hasStrayReference(text: string): boolean {
  return /\(\([^]*?\)\)/.test(text.replace(SECRET_REFERENCE, ''));
}

function checkReferences(text: string | null, field: string, fail: Fail): string | null {
  if (text !== null && hasStrayReference(text)) fail(field, 'holds a ((…)) that is not a secret name');
  return text;
}

/** The names of the `((name))` references in `text`, in order. */
export function secretNamesIn(text: string): string[] {
  return [...text.matchAll(SECRET_REFERENCE)].map((m) => m[1]!);
}

/** `text` with every `((name))` replaced by `values[name]` (all must be there). */
export function interpolateSecrets(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(SECRET_REFERENCE, (_, name: string) => values.get(name)!);
}
