import type { RoleRequest } from '../commands/deploy.js';
import { UsageError } from '../core/errors.js';
import type { AwsClientOptions } from '../deploy/aws-clients.js';
import type { CommandCredentials, RegisterSource, SecretResolver, StateStore } from '../deploy/types.js';

/** `ssm:/PATH` → SSM parameters; anything else is a local JSON file. */
export async function registerSourceOf(source: string, aws: AwsClientOptions): Promise<RegisterSource> {
  if (source.startsWith('ssm:')) {
    const [{ ssmRegister, parseSsmPath }, { createSsmClient }] = await Promise.all([import('../deploy/register-ssm.js'), import('../deploy/aws-clients.js')]);
    return ssmRegister(parseSsmPath(source), createSsmClient(aws));
  }
  const { fileRegister } = await import('../deploy/register-file.js');
  return fileRegister(source);
}

/** `s3://BUCKET/PREFIX` or `ssm:/PATH` → remote state; anything else is a local directory. */
export async function stateStoreOf(source: string, _aws: AwsClientOptions): Promise<StateStore> {
  if (source.startsWith('ssm:') || source.startsWith('s3://')) throw new UsageError('remote deploy state is not supported yet');
  const { localState } = await import('../deploy/state-local.js');
  return localState(source);
}

/** Secrets Manager with Concourse's lookup templates; the client is made on the first secret. */
export function secretResolverOf(templates: readonly string[] | undefined, aws: AwsClientOptions): SecretResolver {
  let resolver: Promise<SecretResolver> | null = null;
  return {
    async resolve(project, name) {
      resolver ??= Promise.all([import('../deploy/secrets-manager.js'), import('../deploy/aws-clients.js')]).then(([{ secretsManagerResolver }, { createSecretsManagerClient }]) =>
        secretsManagerResolver({ client: createSecretsManagerClient(aws), ...(templates ? { templates } : {}) }),
      );
      return (await resolver).resolve(project, name);
    },
  };
}

/** STS AssumeRole from the default credential chain; the command gets the role's credentials and the region. */
export function roleAssumerOf(aws: AwsClientOptions): (request: RoleRequest) => Promise<CommandCredentials> {
  return async (request) => {
    const [{ assumeRole }, { createStsClient, regionOf }] = await Promise.all([import('../deploy/role.js'), import('../deploy/aws-clients.js')]);
    const client = createStsClient(aws);
    return assumeRole(client, request.roleArn, request.durationSeconds, `siggate-deploy-${request.project}`.slice(0, 64), await regionOf(client));
  };
}
