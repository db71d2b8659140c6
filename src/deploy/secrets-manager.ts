import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegisterError } from '../core/deploy-entry.js';
import { awsErrorName, awsFailure } from './aws-errors.js';
import type { SecretResolver } from './types.js';

/** Concourse's lookup order for its AWS Secrets Manager credential manager. */
export const DEFAULT_SECRET_TEMPLATES: readonly string[] = ['/siggate/{{.Project}}/{{.Secret}}', '/siggate/{{.Secret}}'];

/** How a resolver reaches Secrets Manager, and how long it waits between throttled attempts. */
export interface SecretsManagerOptions {
  client: SecretsManagerClient;
  /** Name templates tried in order; `{{.Project}}` and `{{.Secret}}` are replaced. */
  templates?: readonly string[];
  /** The waits before each retry of a throttled call (bounded: then exit 3). Default 0.2, 0.5, 1, 2, 4 s. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 4_000];

/** Read one secret by its full name: its plaintext SecretString, or null when there is no such secret. */
export async function readSecretString(options: SecretsManagerOptions, name: string): Promise<string | null> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await options.client.send(new GetSecretValueCommand({ SecretId: name }));
      if (typeof answer.SecretString !== 'string') throw new RegisterError(`the secret ${name} has no SecretString (a binary secret); store it as plaintext`);
      return answer.SecretString;
    } catch (error) {
      const code = awsErrorName(error);
      if (code === 'ResourceNotFoundException') return null;
      if (code === 'ThrottlingException' && attempt < delays.length) {
        await sleep(delays[attempt]!);
        continue;
      }
      if (error instanceof RegisterError) throw error;
      throw awsFailure(`Secrets Manager GetSecretValue ${name}`, error);
    }
  }
}

/**
 * Resolves `((name))` as Concourse does: each template in turn (default `/siggate/{{.Project}}/{{.Secret}}`,
 * then `/siggate/{{.Secret}}`), the first secret that exists wins. None: a configuration error naming every
 * path tried (exit 2). Values are returned, never printed.
 */
export function secretsManagerResolver(options: SecretsManagerOptions): SecretResolver {
  const templates = options.templates && options.templates.length > 0 ? options.templates : DEFAULT_SECRET_TEMPLATES;
  return {
    async resolve(project, secret) {
      const tried: string[] = [];
      for (const template of templates) {
        const name = template.replaceAll('{{.Project}}', project).replaceAll('{{.Secret}}', secret);
        tried.push(name);
        const value = await readSecretString(options, name);
        if (value !== null) return value;
      }
      throw new RegisterError(`secret ((${secret})) of ${project} not found in Secrets Manager: tried ${tried.join(', ')}`);
    },
  };
}
