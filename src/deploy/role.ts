import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { SiggateError } from '../core/errors.js';
import { awsErrorName } from './aws-errors.js';
import type { CommandCredentials } from './types.js';

/** Exit 3: STS did not hand out the project role's credentials (refused, or failed); nothing was run. */
export class RoleAssumptionError extends SiggateError {
  static override readonly code = 'ROLE_REFUSED';
  override readonly exitCode = 3;
}

/** Assume `roleArn` for `durationSeconds` with the deployer's own credentials; the result goes to the command only. */
export async function assumeRole(client: STSClient, roleArn: string, durationSeconds: number, sessionName: string, region: string | null): Promise<CommandCredentials> {
  let answer;
  try {
    answer = await client.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: durationSeconds }));
  } catch (error) {
    const code = awsErrorName(error) || (error as Error)?.name || 'Error';
    throw new RoleAssumptionError(`STS refused the role ${roleArn}: ${code}; nothing was run`, { cause: error });
  }
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new RoleAssumptionError(`STS answered AssumeRole ${roleArn} without credentials; nothing was run`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, region };
}
