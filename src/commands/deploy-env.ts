import { interpolateSecrets, RegisterError, secretNamesIn, type DeployEntry } from '../core/deploy-entry.js';
import type { CommandCredentials, SecretResolver } from '../deploy/types.js';

/** What of the deployer's own environment a deploy command sees: where programs are, who and where it runs, the locale. Nothing else (no tokens, no AWS_*). */
const PASSED_THROUGH = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TZ|TMPDIR|TERM|LC_[A-Z]+)$/;

/** An entry's secrets, resolved: the git token, and the command's environment additions. */
export interface ResolvedSecrets {
  authToken: string | null;
  env: Record<string, string>;
}

/**
 * Resolve every `((name))` of `authToken`, `env` and `secrets` through `resolver`, each name once. Without a
 * resolver a reference is a configuration error (exit 2) before anything is fetched.
 */
export async function resolveEntrySecrets(entry: DeployEntry, project: string, resolver: SecretResolver | undefined): Promise<ResolvedSecrets> {
  const texts = [entry.authToken ?? '', ...Object.values(entry.env), ...Object.values(entry.secrets)];
  const names = [...new Set(texts.flatMap(secretNamesIn))];
  if (names.length > 0 && !resolver) throw new RegisterError(`register entry ${project}: secret references ((…)) need a secret store (AWS Secrets Manager)`);
  const values = new Map<string, string>();
  for (const name of names) values.set(name, await resolver!.resolve(project, name));
  const env: Record<string, string> = {};
  for (const [key, value] of [...Object.entries(entry.env), ...Object.entries(entry.secrets)]) env[key] = interpolateSecrets(value, values);
  return { authToken: entry.authToken === null ? null : interpolateSecrets(entry.authToken, values), env };
}

/** What the deploy command runs with. */
export interface CommandEnvParts {
  deployerEnv: NodeJS.ProcessEnv;
  entryEnv: Readonly<Record<string, string>>;
  project: string;
  branch: string;
  commit: string;
  credentials: CommandCredentials | null;
}

/**
 * The command's whole environment: a few variables of the deployer's (PATH, HOME, locale), the entry's, the
 * deploy's own (PROJECTNAME, GITBRANCH, SIGGATE_DEPLOY_COMMIT), and the project role's credentials — never
 * the deployer's: no inherited AWS_* variable (the entry may not set them either) gets through.
 */
export function commandEnvOf(parts: CommandEnvParts): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parts.deployerEnv)) if (value !== undefined && PASSED_THROUGH.test(name)) env[name] = value;
  Object.assign(env, parts.entryEnv, { PROJECTNAME: parts.project, GITBRANCH: parts.branch, SIGGATE_DEPLOY_COMMIT: parts.commit });
  const credentials = parts.credentials;
  if (credentials) {
    Object.assign(env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken });
    if (credentials.region) Object.assign(env, { AWS_REGION: credentials.region, AWS_DEFAULT_REGION: credentials.region });
  }
  return env;
}
