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

/** How the S3 state store is reached: an S3-compatible endpoint needs path-style addressing. */
export interface S3StateOptions extends AwsClientOptions {
  s3Endpoint?: string;
  forcePathStyle?: boolean;
}

/** `s3://BUCKET/PREFIX` or `ssm:/PATH` → remote state; anything else is a local directory. */
export async function stateStoreOf(source: string, aws: S3StateOptions): Promise<StateStore> {
  if (source.startsWith('ssm:')) {
    const [{ ssmState }, { parseSsmPath }, { createSsmClient }] = await Promise.all([import('../deploy/state-ssm.js'), import('../deploy/register-ssm.js'), import('../deploy/aws-clients.js')]);
    return ssmState(parseSsmPath(source), createSsmClient(aws));
  }
  if (source.startsWith('s3://')) {
    const [{ s3State }, { parseS3Uri }, { createS3Client }] = await Promise.all([import('../deploy/state-s3.js'), import('../s3/s3-uri.js'), import('../s3/client.js')]);
    const { bucket, key } = parseS3Uri(source, '--state', { allowPrefix: true });
    if (key.split('/').includes('..')) throw new UsageError('--state must not contain ..');
    const client = createS3Client({ ...(aws.region ? { region: aws.region } : {}), ...(aws.s3Endpoint ? { endpoint: aws.s3Endpoint } : {}), forcePathStyle: aws.forcePathStyle ?? false });
    return s3State(bucket, key, client);
  }
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
