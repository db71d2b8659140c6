import { UsageError } from '../core/errors.js';

/** The credentials siggate's commands read from the environment: fetch's git token and password, merge-sign's GitHub token, a signing key's passphrase. */
export const CREDENTIAL_VARIABLES: readonly string[] = ['SIGGATE_GIT_TOKEN', 'SIGGATE_GIT_PASSWORD', 'GITHUB_TOKEN', 'GH_TOKEN', 'SIGGATE_KEY_PASSPHRASE'];

const PREFIX = 'secretsmanager:';

/**
 * Replace every credential variable whose value is `secretsmanager:NAME` by that secret's plaintext
 * SecretString, read with the default credential chain, before any command reads it. A secret that does
 * not exist is a configuration error (exit 2) naming the variable and the secret, never the value; with no
 * such reference nothing is loaded.
 */
export async function resolveCredentialReferences(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const wanted = CREDENTIAL_VARIABLES.filter((name) => env[name]?.startsWith(PREFIX));
  if (wanted.length === 0) return;
  const [{ readSecretString }, { createSecretsManagerClient }] = await Promise.all([import('../deploy/secrets-manager.js'), import('../deploy/aws-clients.js')]);
  const client = createSecretsManagerClient({});
  for (const variable of wanted) {
    const name = env[variable]!.slice(PREFIX.length);
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw new UsageError(`${variable} names an invalid Secrets Manager secret (${PREFIX}NAME)`);
    const value = await readSecretString({ client }, name);
    if (value === null) throw new UsageError(`${variable}: the secret ${name} does not exist in Secrets Manager`);
    env[variable] = value;
  }
}
